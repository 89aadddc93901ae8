// Every reader failure is a UserError that says which file and where in it: line and column
// for text, the byte offset for binary files, the element and its line for XML. One place
// builds them so the messages read the same in the CLI, the editors and the ranking.
import { UserError, type Diagnostic } from '../diagnostics';

export function errorAtLine(file: string, line: number, column: number, message: string): UserError {
  const diagnostic: Diagnostic = { severity: 'error', message, range: { line, column, endLine: line, endColumn: column + 1 } };
  return new UserError(`${file}:${line}:${column}: ${message}`, [diagnostic], file);
}

// Binary offsets and whole-file problems have no line and column, so the message carries the
// location and there is no ranged diagnostic to draw in an editor.
export function errorAtByte(file: string, offset: number, message: string): UserError {
  return new UserError(`${file}: byte ${offset}: ${message}`, [], file);
}

export function errorInFile(file: string, message: string): UserError {
  return new UserError(`${file}: ${message}`, [], file);
}

/** How much of a user's text an error message quotes: enough to recognise it, never a megabyte. */
export const QUOTE_LIMIT = 40;

/**
 * A piece of a file or an argument, quoted for an error message: JSON-escaped (control
 * characters and quotes visible), cut to QUOTE_LIMIT characters with the full length said.
 */
export function quoteForMessage(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, limit))}… (${text.length} characters)`;
}

/** A name from a file (an element's, an archive member's) inside a message: as it is when short, quoted and cut when long. */
export function quoteName(name: string): string {
  return name.length <= QUOTE_LIMIT ? name : quoteForMessage(name);
}

/** The first bytes of a file as a person would recognise them: quoted text, or hex when binary. */
export function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  const isText = (b: number) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d;
  let printable = 0;
  while (printable < head.length && isText(head[printable])) printable++;
  if (printable === head.length && head.length > 0) return JSON.stringify(String.fromCharCode(...head));
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return printable >= 3 ? `${JSON.stringify(String.fromCharCode(...head.subarray(0, printable)))} (bytes ${hex})` : `bytes ${hex}`;
}

/** 1-based line and column of a character offset in a text. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Bytes as text; instrument headers are often Windows code pages, which Latin-1 never rejects. */
export function decodeText(bytes: Uint8Array): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return utf8.includes('\uFFFD') ? new TextDecoder('latin1').decode(bytes) : utf8;
}

/** Splits text into lines, keeping \r\n, \n and \r files alike (for short texts: see `Lines`). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/**
 * The lines of a text one at a time, as `splitLines` cuts them, without holding them all: a
 * file of a million short lines costs one line at a time, not a million strings at once.
 */
export class Lines {
  private at = 0;
  private ahead: string | undefined;
  /** 1-based number of the line `next()` returned last. */
  number = 0;
  constructor(private readonly text: string) {}

  next(): string | undefined {
    const line = this.peek();
    if (line !== undefined) {
      this.ahead = undefined;
      this.number++;
    }
    return line;
  }

  /** The line `next()` will return, without moving past it. */
  peek(): string | undefined {
    if (this.ahead !== undefined) return this.ahead;
    const text = this.text;
    if (this.at > text.length) return undefined;
    let end = this.at;
    for (let c = text.charCodeAt(end); end < text.length && c !== 10 && c !== 13; c = text.charCodeAt(++end));
    this.ahead = text.slice(this.at, end);
    this.at = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    return this.ahead;
  }
}
