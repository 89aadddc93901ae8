import type { Severity } from '../diagnostics';

/**
 * A CIF tokenizer over one string. It never allocates per token: a token is its type and
 * offsets into the text (the whole token and, for quoted strings, names and tags, the
 * content). The parser turns only the values it keeps into strings, and only when asked.
 */

export const Tok = {
  End: 0,
  Data: 1,
  Save: 2,
  SaveEnd: 3,
  Loop: 4,
  Global: 5,
  Stop: 6,
  Tag: 7,
  Unquoted: 8,
  SingleQuoted: 9,
  DoubleQuoted: 10,
  TripleSingle: 11,
  TripleDouble: 12,
  TextField: 13,
  ListOpen: 14,
  ListClose: 15,
  TableOpen: 16,
  TableClose: 17,
} as const;
export type TokenType = (typeof Tok)[keyof typeof Tok];

export type TokenReporter = (severity: Severity, code: string, message: string, start: number, end: number) => void;

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;
const SEMI = 59;
const SQUOTE = 39;
const DQUOTE = 34;
const CTRL_Z = 26;
const LBRACK = 91;
const RBRACK = 93;
const LBRACE = 123;
const RBRACE = 125;
const COLON = 58;
const UNDERSCORE = 95;
const DOLLAR = 36;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function isBracket(c: number): boolean {
  return c === LBRACK || c === RBRACK || c === LBRACE || c === RBRACE;
}

/** Case-insensitive match of a lower-case ASCII keyword at `at`. */
function keywordAt(text: string, at: number, keyword: string): boolean {
  for (let k = 0; k < keyword.length; k++) {
    const c = text.charCodeAt(at + k);
    const want = keyword.charCodeAt(k);
    // `| 0x20` lower-cases ASCII letters and leaves `_` (0x5f → 0x7f ≠ 0x5f) distinct, so compare `_` exactly.
    if (want === UNDERSCORE ? c !== UNDERSCORE : (c | 0x20) !== want) return false;
  }
  return true;
}

export class CifTokenizer {
  readonly text: string;
  readonly length: number;
  /** CIF 2.0 (`#\#CIF_2.0` magic): quotes close at the first matching quote, `[]{}` delimit. */
  readonly cif2: boolean;
  pos = 0;

  type: TokenType = Tok.End;
  /** The whole token, quotes included. */
  start = 0;
  end = 0;
  /** The content: a quoted string's inside, a tag's name, a block or frame name, a text field's body. */
  valueStart = 0;
  valueEnd = 0;
  /** A CIF 2.0 quoted string immediately followed by `:` (a table key; the colon is consumed). */
  tableKey = false;

  private ctrlZReported = false;
  private controlReports = 0;

  constructor(text: string, private readonly report: TokenReporter) {
    this.text = text;
    this.length = text.length;
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.cif2 = text.startsWith('#\\#CIF_2.0', this.pos);
  }

  next(): TokenType {
    const text = this.text;
    const n = this.length;
    let pos = this.pos;
    this.tableKey = false;
    // Blanks, comments and stray control characters between tokens.
    for (;;) {
      if (pos >= n) {
        this.pos = this.start = this.end = this.valueStart = this.valueEnd = n;
        return (this.type = Tok.End);
      }
      const c = text.charCodeAt(pos);
      if (c === SPACE || c === TAB || c === LF || c === CR) {
        pos++;
      } else if (c === HASH) {
        while (pos < n) {
          const d = text.charCodeAt(pos);
          if (d === LF || d === CR) break;
          pos++;
        }
      } else if (c === CTRL_Z) {
        // DOS end-of-file marker: real files end with it; treat it as blank space.
        if (!this.ctrlZReported) {
          this.ctrlZReported = true;
          this.report('warning', 'cif.ctrl-z', 'Ctrl-Z (DOS end-of-file character) ignored', pos, pos + 1);
        }
        pos++;
      } else if (c < SPACE || c === 127) {
        this.reportControl(pos);
        pos++;
      } else {
        break;
      }
    }

    this.start = pos;
    const c = text.charCodeAt(pos);
    if (c === SEMI && (pos === 0 || text.charCodeAt(pos - 1) === LF || text.charCodeAt(pos - 1) === CR)) {
      return this.textField(pos);
    }
    if (c === SQUOTE || c === DQUOTE) {
      if (text.charCodeAt(pos + 1) === c && text.charCodeAt(pos + 2) === c) return this.tripleQuoted(pos, c);
      return this.quoted(pos, c);
    }
    if (this.cif2 && isBracket(c)) {
      this.end = this.valueEnd = pos + 1;
      this.valueStart = pos;
      this.pos = pos + 1;
      return (this.type = c === LBRACK ? Tok.ListOpen : c === RBRACK ? Tok.ListClose : c === LBRACE ? Tok.TableOpen : Tok.TableClose);
    }

    // Unquoted: a tag, a reserved word or a plain value.
    let end = pos + 1;
    const cif2 = this.cif2;
    while (end < n) {
      const d = text.charCodeAt(end);
      if (d <= SPACE) {
        if (d === SPACE || d === TAB || d === LF || d === CR) break;
        this.reportControl(end);
      } else if (cif2 && isBracket(d)) break;
      else if (d === 127) this.reportControl(end);
      end++;
    }
    this.pos = this.end = end;
    this.valueStart = pos;
    this.valueEnd = end;
    const len = end - pos;
    if (c === UNDERSCORE) {
      this.valueStart = pos;
      return (this.type = Tok.Tag);
    }
    if (len >= 5) {
      if (keywordAt(text, pos, 'data_')) {
        this.valueStart = pos + 5;
        return (this.type = Tok.Data);
      }
      if (keywordAt(text, pos, 'save_')) {
        this.valueStart = pos + 5;
        return (this.type = len === 5 ? Tok.SaveEnd : Tok.Save);
      }
      if (len === 5 && keywordAt(text, pos, 'loop_')) return (this.type = Tok.Loop);
      if (len === 5 && keywordAt(text, pos, 'stop_')) return (this.type = Tok.Stop);
      if (len === 7 && keywordAt(text, pos, 'global_')) return (this.type = Tok.Global);
    }
    if (!cif2 && (c === LBRACK || c === RBRACK || c === DOLLAR)) {
      this.report(
        'warning',
        'cif.reserved-character',
        `a value may not start with "${String.fromCharCode(c)}" unquoted in CIF 1.1; quote it`,
        pos,
        end,
      );
    }
    return (this.type = Tok.Unquoted);
  }

  private quoted(pos: number, q: number): TokenType {
    const text = this.text;
    const n = this.length;
    let p = pos + 1;
    this.valueStart = p;
    this.type = q === SQUOTE ? Tok.SingleQuoted : Tok.DoubleQuoted;
    for (;;) {
      if (p >= n) break;
      const d = text.charCodeAt(p);
      if (d === LF || d === CR) break;
      if (d === q) {
        if (this.cif2) {
          this.closeQuoted(p);
          return this.type;
        }
        // CIF 1.1: a quote closes the string only when blank space (or the end) follows, so `'a'b'` is `a'b`.
        const e = p + 1 < n ? text.charCodeAt(p + 1) : SPACE;
        if (isBlank(e)) {
          this.closeQuoted(p);
          return this.type;
        }
      } else if (d < SPACE && d !== TAB) this.reportControl(p);
      p++;
    }
    this.report('error', 'cif.unclosed-quote', `quoted string not closed on its line (missing ${String.fromCharCode(q)})`, pos, p);
    this.valueEnd = this.end = this.pos = p;
    return this.type;
  }

  private closeQuoted(p: number): void {
    this.valueEnd = p;
    this.end = this.pos = p + 1;
    if (this.cif2) this.afterCif2Quote();
  }

  private afterCif2Quote(): void {
    const d = this.text.charCodeAt(this.pos);
    if (this.pos >= this.length || isBlank(d) || isBracket(d)) return;
    if (d === COLON) {
      this.tableKey = true;
      this.pos++;
      this.end = this.pos;
      return;
    }
    this.report('warning', 'cif.missing-whitespace', 'expected blank space after the closing quote', this.pos, this.pos + 1);
  }

  private tripleQuoted(pos: number, q: number): TokenType {
    const delim = q === SQUOTE ? "'''" : '"""';
    this.type = q === SQUOTE ? Tok.TripleSingle : Tok.TripleDouble;
    this.valueStart = pos + 3;
    const close = this.text.indexOf(delim, pos + 3);
    if (close < 0) {
      this.report('error', 'cif.unclosed-quote', `triple-quoted string not closed (missing ${delim})`, pos, pos + 3);
      this.valueEnd = this.end = this.pos = this.length;
      return this.type;
    }
    this.valueEnd = close;
    this.end = this.pos = close + 3;
    if (this.cif2) this.afterCif2Quote();
    return this.type;
  }

  private textField(pos: number): TokenType {
    const text = this.text;
    const n = this.length;
    this.type = Tok.TextField;
    this.valueStart = pos + 1;
    let p = pos + 1;
    for (;;) {
      while (p < n) {
        const d = text.charCodeAt(p);
        if (d === LF || d === CR) break;
        if (d < SPACE && d !== TAB && d !== CTRL_Z) this.reportControl(p);
        p++;
      }
      if (p >= n) {
        this.report('error', 'cif.unclosed-text-field', 'text field not closed (no line starting with ";")', pos, pos + 1);
        this.valueEnd = this.end = this.pos = n;
        return this.type;
      }
      const eol = p;
      p += text.charCodeAt(p) === CR && text.charCodeAt(p + 1) === LF ? 2 : 1;
      if (text.charCodeAt(p) === SEMI) {
        this.valueEnd = eol;
        this.end = this.pos = p + 1;
        const d = text.charCodeAt(p + 1);
        if (p + 1 < n && !isBlank(d) && !(this.cif2 && isBracket(d)) && d !== CTRL_Z) {
          this.report('warning', 'cif.missing-whitespace', 'expected blank space after the ";" closing a text field', p + 1, p + 2);
        }
        return this.type;
      }
    }
  }

  private reportControl(at: number): void {
    // One file full of binary garbage must not produce a million diagnostics.
    if (this.controlReports++ >= 20) return;
    const code = this.text.charCodeAt(at);
    this.report('warning', 'cif.control-character', `control character U+${code.toString(16).padStart(4, '0').toUpperCase()} is not allowed in a CIF`, at, at + 1);
  }
}
