import type { SourceRange } from '../diagnostics';

/**
 * Offsets → 1-based line/column, built lazily: parsing keeps only offsets (cheap), and most
 * values are never asked where they are. CRLF, lone CR and lone LF all end a line, because
 * real files mix them (CIFs and configs edited on several systems).
 */
export class LineIndex {
  private starts: Int32Array | undefined;

  constructor(private readonly text: string) {}

  private build(): Int32Array {
    const text = this.text;
    const n = text.length;
    const starts: number[] = [0];
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = Int32Array.from(starts);
    return this.starts;
  }

  /** 1-based line and column (columns in UTF-16 code units, as editors count them). */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts ?? this.build();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** A range from `start` to `end` (exclusive offsets); `endColumn` is exclusive too. */
  range(start: number, end: number): SourceRange {
    const a = this.position(start);
    const b = end > start ? this.position(end) : a;
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}
