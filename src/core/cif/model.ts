import type { Diagnostic, SourceRange } from '../diagnostics';
import { LineIndex } from '../util/lines';
import { parseCifNumberSpan, type CifNumber } from './number';
import { textFieldValue } from './textfield';

/**
 * The parsed CIF: blocks of items and loops whose values stay offsets into the source text
 * until read. Reading a value (`str`, `number`) costs a slice; holding a 1 MB file costs
 * three numbers per value.
 */

export const VK = {
  Absent: 0,
  Unquoted: 1,
  Unknown: 2,
  Inapplicable: 3,
  Quoted: 4,
  TextField: 5,
  List: 6,
  Table: 7,
} as const;
type VKind = (typeof VK)[keyof typeof VK];

export type CifValueKind = 'absent' | 'unquoted' | 'unknown' | 'inapplicable' | 'quoted' | 'text-field' | 'list' | 'table';
const KIND_NAMES: CifValueKind[] = ['absent', 'unquoted', 'unknown', 'inapplicable', 'quoted', 'text-field', 'list', 'table'];

/** A CIF 2.0 compound value (or one of its members), with offsets into the source text. */
export type CifData =
  | { type: 'string'; text: string; start: number; end: number }
  | { type: 'unknown' | 'inapplicable'; start: number; end: number }
  | { type: 'list'; items: CifData[]; start: number; end: number }
  | { type: 'table'; entries: Array<{ key: string; value: CifData }>; start: number; end: number };

/** All values of one file, in file order: kind and content span per value. */
export class CifSource {
  readonly lines: LineIndex;
  kinds: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  compounds = new Map<number, CifData>();

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  push(kind: VKind, start: number, end: number): number {
    this.kinds.push(kind);
    this.starts.push(start);
    this.ends.push(end);
    return this.kinds.length - 1;
  }

  get count(): number {
    return this.kinds.length;
  }

  str(i: number): string {
    const k = this.kinds[i];
    if (k === VK.Absent || k === VK.Unknown || k === VK.Inapplicable) return '';
    if (k === VK.TextField) return textFieldValue(this.text.slice(this.starts[i], this.ends[i]));
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  range(i: number): SourceRange {
    return this.lines.range(this.starts[i], this.ends[i]);
  }
}

export class CifColumn {
  constructor(
    private readonly src: CifSource,
    /** The tag as written in the file (case preserved). */
    readonly tag: string,
    private readonly tagStart: number,
    private readonly first: number,
    private readonly stride: number,
    readonly rowCount: number,
  ) {}

  private at(row: number): number {
    if (row < 0 || row >= this.rowCount) throw new RangeError(`row ${row} outside 0..${this.rowCount - 1} of ${this.tag}`);
    return this.first + row * this.stride;
  }

  kind(row = 0): CifValueKind {
    return KIND_NAMES[this.src.kinds[this.at(row)]];
  }

  /** `?`, `.` or no value at all (a loop's incomplete last row). */
  isMissing(row = 0): boolean {
    const k = this.src.kinds[this.at(row)];
    return k === VK.Absent || k === VK.Unknown || k === VK.Inapplicable;
  }

  /** The value as text ('' when missing); text fields with their protocols applied. */
  str(row = 0): string {
    return this.src.str(this.at(row));
  }

  /** The number (with s.u.) or undefined when missing or not a number. Quoted numbers count. */
  number(row = 0): CifNumber | undefined {
    const i = this.at(row);
    const k = this.src.kinds[i];
    if (k !== VK.Unquoted && k !== VK.Quoted) return undefined;
    return parseCifNumberSpan(this.src.text, this.src.starts[i], this.src.ends[i]);
  }

  /** The number's value, NaN when missing or not a number. */
  float(row = 0): number {
    return this.number(row)?.value ?? NaN;
  }

  /** A CIF 2.0 list or table; for scalars, a one-element description of the value. */
  data(row = 0): CifData {
    const i = this.at(row);
    const compound = this.src.compounds.get(i);
    if (compound) return compound;
    const k = this.src.kinds[i];
    const start = this.src.starts[i];
    const end = this.src.ends[i];
    if (k === VK.Unknown) return { type: 'unknown', start, end };
    if (k === VK.Inapplicable || k === VK.Absent) return { type: 'inapplicable', start, end };
    return { type: 'string', text: this.src.str(i), start, end };
  }

  range(row = 0): SourceRange {
    return this.src.range(this.at(row));
  }

  get tagRange(): SourceRange {
    return this.src.lines.range(this.tagStart, this.tagStart + this.tag.length);
  }

  strings(): string[] {
    const out = new Array<string>(this.rowCount);
    for (let r = 0; r < this.rowCount; r++) out[r] = this.str(r);
    return out;
  }
}

/** `_Cell.Length_A` and `_cell_length_a` are the same item (DDLm and DDL1 spellings). */
export function normaliseTag(tag: string): string {
  return tag.toLowerCase().replace(/\./g, '_');
}

export class CifLoop {
  readonly columns: CifColumn[] = [];
  rowCount = 0;

  constructor(
    private readonly src: CifSource,
    private readonly keywordStart: number,
  ) {}

  get tags(): string[] {
    return this.columns.map((c) => c.tag);
  }

  /** The first column whose tag matches any of the alternatives (case- and `.`/`_`-insensitive). */
  column(...tags: string[]): CifColumn | undefined {
    for (const t of tags) {
      const key = normaliseTag(t);
      const col = this.columns.find((c) => normaliseTag(c.tag) === key);
      if (col) return col;
    }
    return undefined;
  }

  /** Where the `loop_` keyword is. */
  get range(): SourceRange {
    return this.src.lines.range(this.keywordStart, this.keywordStart + 5);
  }

  /** The span of a row's values (first to last), for diagnostics about a whole row. */
  rowRange(row: number): SourceRange {
    const n = this.columns.length;
    let lo = -1;
    let hi = -1;
    for (let c = 0; c < n; c++) {
      if (this.columns[c].kind(row) === 'absent') continue;
      if (lo < 0) lo = c;
      hi = c;
    }
    if (lo < 0) return this.range;
    const a = this.columns[lo].range(row);
    const b = this.columns[hi].range(row);
    return { line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
  }
}

export class CifBlock {
  /** Tags in file order (single items and loop columns). */
  readonly columns: CifColumn[] = [];
  readonly loops: CifLoop[] = [];
  readonly saveFrames: CifBlock[] = [];
  /** Lower-cased tag → column, for duplicate detection. */
  readonly exact = new Map<string, CifColumn>();
  private readonly byKey = new Map<string, CifColumn>();
  private readonly loopOf = new Map<CifColumn, CifLoop>();

  constructor(
    private readonly src: CifSource,
    /** The name after `data_` / `save_` ('' for content before any `data_`). */
    readonly name: string,
    private readonly headerStart: number,
    private readonly headerEnd: number,
  ) {}

  /** @internal used by the parser. */
  add(column: CifColumn, loop?: CifLoop): void {
    this.columns.push(column);
    this.exact.set(column.tag.toLowerCase(), column);
    const key = normaliseTag(column.tag);
    if (!this.byKey.has(key)) this.byKey.set(key, column);
    if (loop) this.loopOf.set(column, loop);
  }

  get range(): SourceRange {
    return this.src.lines.range(this.headerStart, this.headerEnd);
  }

  has(tag: string): boolean {
    return this.byKey.has(normaliseTag(tag));
  }

  /** The column of the first tag present among the alternatives. */
  column(...tags: string[]): CifColumn | undefined {
    for (const t of tags) {
      const c = this.byKey.get(normaliseTag(t));
      if (c) return c;
    }
    return undefined;
  }

  /** First value of the first tag present; undefined when absent, `?` or `.`. */
  value(...tags: string[]): string | undefined {
    const c = this.column(...tags);
    if (!c || c.rowCount === 0 || c.isMissing(0)) return undefined;
    return c.str(0);
  }

  number(...tags: string[]): CifNumber | undefined {
    const c = this.column(...tags);
    if (!c || c.rowCount === 0) return undefined;
    return c.number(0);
  }

  /** The loop holding any of the tags (first alternative found wins). */
  loop(...tags: string[]): CifLoop | undefined {
    for (const t of tags) {
      const c = this.byKey.get(normaliseTag(t));
      if (c) {
        const l = this.loopOf.get(c);
        if (l) return l;
      }
    }
    return undefined;
  }

  /** The loop a column belongs to, if any. */
  loopOfColumn(column: CifColumn): CifLoop | undefined {
    return this.loopOf.get(column);
  }

  saveFrame(name: string): CifBlock | undefined {
    const lower = name.toLowerCase();
    return this.saveFrames.find((f) => f.name.toLowerCase() === lower);
  }
}

export interface CifFile {
  /** 'CIF 2.0' when the file starts with the `#\#CIF_2.0` magic line. */
  version: '1.1' | '2.0';
  blocks: CifBlock[];
  diagnostics: Diagnostic[];
  /** Offset → line/column for the file (for callers that keep offsets). */
  lines: LineIndex;
}
