import type { Diagnostic, Severity } from '../diagnostics';
import { CifBlock, CifColumn, CifLoop, CifSource, VK, type CifData, type CifFile } from './model';
import { textFieldValue } from './textfield';
import { CifTokenizer, Tok, type TokenType } from './tokenizer';

export interface ParseCifOptions {
  /** Stop recording diagnostics after this many (a binary file must not flood the editor). */
  maxDiagnostics?: number;
}

interface RawDiagnostic {
  severity: Severity;
  code: string;
  message: string;
  start: number;
  end: number;
}

/** Nesting beyond this is hostile input, not crystallography; stop before the call stack does. */
const MAX_DEPTH = 200;

function isValueToken(t: TokenType): boolean {
  return (t >= Tok.Unquoted && t <= Tok.TextField) || t === Tok.ListOpen || t === Tok.TableOpen;
}

/**
 * Parse CIF 1.1 / 2.0 text into data blocks. Never throws on bad input: every problem becomes
 * a diagnostic and parsing resumes at the next token, so one mistake does not hide the rest.
 */
export function parseCif(text: string, options: ParseCifOptions = {}): CifFile {
  return new Parser(text, options.maxDiagnostics ?? 1000).parse();
}

class Parser {
  private readonly src: CifSource;
  private readonly tok: CifTokenizer;
  private readonly raw: RawDiagnostic[] = [];
  private dropped = 0;
  private readonly blocks: CifBlock[] = [];
  private block: CifBlock | undefined;
  private frame: CifBlock | undefined;
  private strayStart = -1;
  private strayEnd = -1;
  private strayCount = 0;
  /** End of the last single item's value, to tell "unquoted value with spaces" from stray values. */
  private lastItemEnd = -1;

  constructor(
    private readonly text: string,
    private readonly maxDiagnostics: number,
  ) {
    this.src = new CifSource(text);
    this.tok = new CifTokenizer(text, (s, c, m, a, b) => this.report(s, c, m, a, b));
  }

  private report(severity: Severity, code: string, message: string, start: number, end: number): void {
    if (this.raw.length >= this.maxDiagnostics) {
      this.dropped++;
      return;
    }
    this.raw.push({ severity, code, message, start, end: Math.max(end, start) });
  }

  parse(): CifFile {
    const tok = this.tok;
    tok.next();
    while (tok.type !== Tok.End) {
      const t = tok.type;
      if (isValueToken(t)) {
        const start = tok.start;
        this.readValue(0);
        if (this.strayCount++ === 0) this.strayStart = start;
        this.strayEnd = this.src.ends[this.src.count - 1];
        continue;
      }
      this.flushStray();
      switch (t) {
        case Tok.Data:
          this.startBlock();
          break;
        case Tok.Save:
          this.startFrame();
          break;
        case Tok.SaveEnd:
          if (this.frame) this.frame = undefined;
          else this.report('error', 'cif.unexpected-save-end', '"save_" closes no save frame', tok.start, tok.end);
          tok.next();
          break;
        case Tok.Loop:
          this.readLoop();
          break;
        case Tok.Tag:
          this.readItem();
          break;
        case Tok.Global:
        case Tok.Stop:
          this.report(
            'error',
            'cif.reserved-word',
            `"${this.text.slice(tok.start, tok.end)}" is a reserved STAR word and not allowed in a CIF`,
            tok.start,
            tok.end,
          );
          tok.next();
          break;
        default:
          this.report('error', 'cif.unbalanced-bracket', `"${this.text[tok.start]}" closes nothing`, tok.start, tok.end);
          tok.next();
      }
    }
    this.flushStray();
    this.closeFrame();

    this.raw.sort((a, b) => a.start - b.start);
    const diagnostics: Diagnostic[] = this.raw.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      range: this.src.lines.range(d.start, d.end),
    }));
    if (this.dropped > 0) {
      diagnostics.push({ severity: 'info', code: 'cif.too-many-problems', message: `${this.dropped} further problems not listed` });
    }
    return { version: this.tok.cif2 ? '2.0' : '1.1', blocks: this.blocks, diagnostics, lines: this.src.lines };
  }

  private flushStray(): void {
    if (this.strayCount === 0) return;
    const n = this.strayCount;
    const gap = this.text.slice(this.lastItemEnd, this.strayStart);
    const hint = this.lastItemEnd >= 0 && !/[\r\n]/.test(gap) ? ' (a value containing spaces must be quoted)' : '';
    this.report(
      'error',
      'cif.value-without-tag',
      (n === 1 ? 'value without a tag' : `${n} values without a tag`) + hint,
      this.strayStart,
      this.strayEnd,
    );
    this.strayCount = 0;
  }

  private closeFrame(): void {
    if (!this.frame) return;
    this.report('error', 'cif.unclosed-save-frame', `save frame "${this.frame.name}" is not closed with "save_"`, this.frameStart, this.frameEnd);
    this.frame = undefined;
  }

  private frameStart = 0;
  private frameEnd = 0;

  private startBlock(): void {
    const tok = this.tok;
    this.closeFrame();
    const name = this.text.slice(tok.valueStart, tok.valueEnd);
    if (name === '') this.report('error', 'cif.empty-block-name', '"data_" needs a block name', tok.start, tok.end);
    const lower = name.toLowerCase();
    if (name !== '' && this.blocks.some((b) => b.name.toLowerCase() === lower)) {
      this.report('warning', 'cif.duplicate-block', `a data block named "${name}" already exists`, tok.start, tok.end);
    }
    this.block = new CifBlock(this.src, name, tok.start, tok.end);
    this.blocks.push(this.block);
    this.lastItemEnd = -1;
    tok.next();
  }

  private ensureBlock(): CifBlock {
    if (!this.block) {
      const tok = this.tok;
      this.report('error', 'cif.no-data-block', 'content before the first "data_" block header', tok.start, tok.end);
      this.block = new CifBlock(this.src, '', tok.start, tok.start);
      this.blocks.push(this.block);
    }
    return this.block;
  }

  private target(): CifBlock {
    return this.frame ?? this.ensureBlock();
  }

  private startFrame(): void {
    const tok = this.tok;
    const block = this.ensureBlock();
    if (this.frame) this.closeFrame();
    this.frame = new CifBlock(this.src, this.text.slice(tok.valueStart, tok.valueEnd), tok.start, tok.end);
    this.frameStart = tok.start;
    this.frameEnd = tok.end;
    block.saveFrames.push(this.frame);
    tok.next();
  }

  private addColumn(target: CifBlock, column: CifColumn, tagStart: number, loop?: CifLoop): void {
    const key = column.tag.toLowerCase();
    if (target.exact.has(key)) {
      const first = target.exact.get(key)!;
      this.report(
        'error',
        'cif.duplicate-tag',
        `${column.tag} is already defined (line ${first.tagRange.line}); the first value is kept`,
        tagStart,
        tagStart + column.tag.length,
      );
      return;
    }
    target.add(column, loop);
  }

  private readItem(): void {
    const tok = this.tok;
    const target = this.target();
    const tagStart = tok.start;
    const tag = this.text.slice(tok.start, tok.end);
    tok.next();
    let index: number;
    if (isValueToken(tok.type)) {
      index = this.readValue(0);
      this.lastItemEnd = this.src.ends[index];
    } else {
      this.report('error', 'cif.missing-value', `${tag} has no value`, tagStart, tagStart + tag.length);
      index = this.src.push(VK.Absent, tagStart + tag.length, tagStart + tag.length);
    }
    this.addColumn(target, new CifColumn(this.src, tag, tagStart, index, 1, 1), tagStart);
  }

  private readLoop(): void {
    const tok = this.tok;
    const target = this.target();
    const kwStart = tok.start;
    tok.next();
    const tags: Array<{ tag: string; start: number }> = [];
    while (tok.type === Tok.Tag) {
      tags.push({ tag: this.text.slice(tok.start, tok.end), start: tok.start });
      tok.next();
    }
    if (tags.length === 0) {
      this.report('error', 'cif.empty-loop', '"loop_" must be followed by tags', kwStart, kwStart + 5);
      return;
    }
    const src = this.src;
    const first = src.count;
    while (isValueToken(tok.type)) this.readValue(0);
    const count = src.count - first;
    const ncols = tags.length;
    if (count === 0) {
      this.report('error', 'cif.loop-no-values', 'loop has tags but no values', kwStart, kwStart + 5);
    } else if (count % ncols !== 0) {
      const missing = ncols - (count % ncols);
      const rowStart = first + count - (count % ncols);
      this.report(
        'error',
        'cif.loop-value-count',
        `loop has ${ncols} tags but ${count} values: the last row lacks ${missing} value${missing > 1 ? 's' : ''}`,
        src.starts[rowStart],
        src.ends[src.count - 1],
      );
      const at = src.ends[src.count - 1];
      for (let k = 0; k < missing; k++) src.push(VK.Absent, at, at);
    }
    const rows = Math.ceil(count / ncols);
    const loop = new CifLoop(src, kwStart);
    loop.rowCount = rows;
    for (let c = 0; c < ncols; c++) {
      const column = new CifColumn(src, tags[c].tag, tags[c].start, first + c, ncols, rows);
      loop.columns.push(column);
      this.addColumn(target, column, tags[c].start, loop);
    }
    target.loops.push(loop);
  }

  /** Store the value at the current token (a scalar or a whole list/table) and advance. */
  private readValue(depth: number): number {
    const tok = this.tok;
    const src = this.src;
    switch (tok.type) {
      case Tok.Unquoted: {
        let kind: (typeof VK)[keyof typeof VK] = VK.Unquoted;
        if (tok.valueEnd - tok.valueStart === 1) {
          const c = this.text.charCodeAt(tok.valueStart);
          if (c === 63) kind = VK.Unknown;
          else if (c === 46) kind = VK.Inapplicable;
        }
        const i = src.push(kind, tok.valueStart, tok.valueEnd);
        tok.next();
        return i;
      }
      case Tok.TextField: {
        this.checkTextField(tok.valueStart, tok.valueEnd, tok.start);
        const i = src.push(VK.TextField, tok.valueStart, tok.valueEnd);
        tok.next();
        return i;
      }
      case Tok.ListOpen:
      case Tok.TableOpen: {
        const data = this.readCompound(depth);
        const i = src.push(data.type === 'list' ? VK.List : VK.Table, data.start, data.end);
        src.compounds.set(i, data);
        return i;
      }
      default: {
        if (tok.tableKey) this.report('error', 'cif.table-key-outside-table', 'a "key": value pair outside a table', tok.start, tok.end);
        const i = src.push(VK.Quoted, tok.valueStart, tok.valueEnd);
        tok.next();
        return i;
      }
    }
  }

  private checkTextField(start: number, end: number, at: number): void {
    // Only a first line with a backslash can declare a prefix; skip the work otherwise.
    const text = this.text;
    for (let p = start; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c === 10 || c === 13) return;
      if (c === 92) {
        textFieldValue(text.slice(start, end), (problem) =>
          this.report('warning', 'cif.bad-line-prefix', problem.message, at, at + 1),
        );
        return;
      }
    }
  }

  private readData(depth: number): CifData {
    const tok = this.tok;
    if (tok.type === Tok.ListOpen || tok.type === Tok.TableOpen) return this.readCompound(depth);
    const start = tok.valueStart;
    const end = tok.valueEnd;
    if (tok.type === Tok.Unquoted && end - start === 1 && (this.text[start] === '?' || this.text[start] === '.')) {
      tok.next();
      return { type: this.text[start] === '?' ? 'unknown' : 'inapplicable', start, end };
    }
    const raw = this.text.slice(start, end);
    const text = tok.type === Tok.TextField ? textFieldValue(raw) : raw;
    tok.next();
    return { type: 'string', text, start, end };
  }

  private readCompound(depth: number): CifData {
    const tok = this.tok;
    const start = tok.start;
    const isList = tok.type === Tok.ListOpen;
    const close = isList ? Tok.ListClose : Tok.TableClose;
    if (depth > MAX_DEPTH) {
      this.report('error', 'cif.nesting-too-deep', `lists and tables nested deeper than ${MAX_DEPTH} levels`, tok.start, tok.end);
      // Skip to the end of this compound by counting brackets, without recursion.
      let level = 0;
      do {
        if (tok.type === Tok.ListOpen || tok.type === Tok.TableOpen) level++;
        else if (tok.type === Tok.ListClose || tok.type === Tok.TableClose) level--;
        tok.next();
      } while (level > 0 && tok.type !== Tok.End);
      return { type: 'inapplicable', start, end: tok.start };
    }
    tok.next();
    const items: CifData[] = [];
    const entries: Array<{ key: string; value: CifData }> = [];
    let end = start + 1;
    for (;;) {
      const t = tok.type;
      if (t === close) {
        end = tok.end;
        tok.next();
        break;
      }
      if (t === Tok.ListClose || t === Tok.TableClose) {
        this.report('error', 'cif.unbalanced-bracket', `"${this.text[tok.start]}" does not close the ${isList ? 'list' : 'table'} opened here`, tok.start, tok.end);
        end = tok.end;
        tok.next();
        continue;
      }
      if (!isValueToken(t)) {
        this.report('error', isList ? 'cif.unclosed-list' : 'cif.unclosed-table', `${isList ? 'list' : 'table'} not closed with "${isList ? ']' : '}'}"`, start, start + 1);
        break;
      }
      if (isList) {
        if (tok.tableKey) this.report('error', 'cif.table-key-outside-table', 'a "key": value pair inside a list', tok.start, tok.end);
        const item = this.readData(depth + 1);
        items.push(item);
        end = item.end;
      } else if (tok.tableKey) {
        const key = this.text.slice(tok.valueStart, tok.valueEnd);
        const keyStart = tok.start;
        tok.next();
        if (isValueToken(tok.type)) {
          const value = this.readData(depth + 1);
          entries.push({ key, value });
          end = value.end;
        } else {
          this.report('error', 'cif.table-missing-value', `table key "${key}" has no value`, keyStart, tok.start);
        }
      } else {
        this.report('error', 'cif.table-entry', 'a table entry is a quoted key, a colon and a value: \'key\':value', tok.start, tok.end);
        end = this.readData(depth + 1).end;
      }
    }
    return isList ? { type: 'list', items, start, end } : { type: 'table', entries, start, end };
  }
}
