// Two/three-column text patterns (.xy, .xye, .csv, .dat, .txt): 2θ and intensity per line
// (and σ for .xye), separated by spaces, tabs, commas or semicolons. Lines before the first
// data line are a header; comment lines are skipped anywhere; after the data starts, a line
// that is not numbers is an error at its line and column, never silently dropped.
import type { MeasuredPattern } from './pattern';
import { sigmaProblem, twoThetaProblem } from './pattern';
import { errorAtLine, errorInFile, Lines, quoteForMessage } from './located';
import { assemblePattern, NumberColumn } from './ranges';

const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export interface TextColumnsOptions {
  /** The third column is the intensity's standard uncertainty (.xye). */
  sigmaColumn?: boolean;
  format?: string;
}

export function parseTextColumns(text: string, file: string, options: TextColumnsOptions = {}): MeasuredPattern {
  const lines = new Lines(text);
  const full = (message: string) => errorAtLine(file, lines.number, 1, message);
  const twoTheta = new NumberColumn(full);
  const intensity = new NumberColumn(full);
  const sigma = new NumberColumn(full);
  let headerLines = 0;
  const wanted = options.sigmaColumn ? 3 : 2;
  const values = [0, 0, 0];
  for (let line = lines.next(); line !== undefined; line = lines.next()) {
    if (isBlankOrComment(line)) continue;
    const fields = splitFields(line);
    // Before the data, a line is a header unless it starts with two numbers ("100 points" and
    // "2 Theta" are headers); NaN, Inf and numbers past the range of a double count as numbers
    // here so that they are reported.
    if (twoTheta.length === 0 && !(isNumberLike(fields[0]) && isNumberLike(fields[1]))) {
      headerLines++;
      continue; // a header line (column names, instrument text)
    }
    const at = (k: number, message: string) => errorAtLine(file, lines.number, fields[k].column, message);
    if (fields.length < wanted) {
      const column = fields.length ? fields[fields.length - 1].column + fields[fields.length - 1].text.length : 1;
      throw errorAtLine(file, lines.number, column, `expected ${wanted === 3 ? 'three numbers (2θ, intensity, σ)' : 'two numbers (2θ and intensity)'}`);
    }
    for (let k = 0; k < wanted; k++) {
      values[k] = parseNumber(fields[k].text);
      if (!Number.isFinite(values[k])) throw at(k, badNumber(fields[k].text));
    }
    const angle = twoThetaProblem(values[0]);
    if (angle) throw at(0, angle);
    twoTheta.push(values[0]);
    intensity.push(values[1]);
    if (options.sigmaColumn) {
      const problem = sigmaProblem(values[2]);
      if (problem) throw at(2, problem);
      sigma.push(values[2]);
    }
  }
  if (twoTheta.length < 2) throw errorInFile(file, `no data lines (expected lines of "2θ intensity"${options.sigmaColumn ? ' σ' : ''})`);
  const meta: Record<string, number> = {};
  if (headerLines) meta.headerLines = headerLines;
  return assemblePattern(file, [{ twoTheta: twoTheta.values(), intensity: intensity.values(), sigma: options.sigmaColumn ? sigma.values() : undefined }], { format: options.format ?? 'xy', meta });
}

/**
 * Calls `each` with every field of `line` — runs of characters between white space (and commas,
 * when `commas`) — and its 1-based column; returns how many there were. A line of a million
 * values costs no array of a million strings.
 */
export function eachField(line: string, commas: boolean, each: (field: string, column: number) => void): number {
  let count = 0;
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 32;
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || (commas && c === 44)) {
      if (start >= 0) {
        each(line.slice(start, i), start + 1);
        count++;
      }
      start = -1;
    } else if (start < 0) start = i;
  }
  return count;
}

/** What is wrong with a field that should be a number: past the range of a double, or not a number. */
export function badNumber(field: string): string {
  return Number.isNaN(parseNumber(field)) ? `not a finite number: ${quoteForMessage(field)}` : `a number out of range (beyond ±1.8e308): ${quoteForMessage(field)}`;
}

const isNumberLike = (f: Field | undefined) => f !== undefined && (!Number.isNaN(parseNumber(f.text)) || NOT_FINITE.test(f.text));

/** Empty, white space only, or a comment (#, !, %, //, ;) after optional white space. */
function isBlankOrComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 160 || c === 0xfeff) continue;
    return COMMENT_START.has(c) && (c !== 47 /* / */ || line.charCodeAt(i + 1) === 47);
  }
  return true;
}

const COMMENT_START = new Set(['#', '!', '%', '/', ';'].map((c) => c.charCodeAt(0)));

interface Field {
  text: string;
  /** 1-based column in the line. */
  column: number;
}

/**
 * A semicolon-separated line may use the decimal comma ("12,5;300"), as spreadsheets in many
 * locales write CSV; otherwise commas, spaces and tabs all separate fields.
 */
function splitFields(line: string): Field[] {
  // A character loop, not a regular expression: a scan has thousands of lines and this runs on
  // each (the watch folder reads files as fast as an instrument writes them).
  const decimalComma = line.includes(';') && /\d,\d/.test(line);
  const fields: Field[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 32;
    const separator = c === 32 || c === 9 || c === 59 /* ; */ || (c === 44 /* , */ && !decimalComma) || c === 13 || c === 11 || c === 12 || c === 160;
    if (separator) {
      if (start >= 0) fields.push({ text: line.slice(start, i), column: start + 1 });
      start = -1;
    } else if (start < 0) start = i;
  }
  if (decimalComma) for (const f of fields) f.text = f.text.replace(',', '.');
  return fields;
}

/** A number as people and Fortran write it ("1.5e3", "1.5D+03"); NaN for anything else. */
export function parseNumber(text: string): number {
  // Only digits, signs, a point and an exponent letter may appear (Number() alone would also take
  // "0x1F", "Infinity" and "" — not numbers in a pattern file); Number() then rejects bad orders.
  if (text === '') return Number.NaN;
  let fortran = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69) continue;
    if (c === 100 || c === 68) fortran = true;
    else return Number.NaN;
  }
  const first = text.charCodeAt(0);
  if (first === 101 || first === 69 || first === 100 || first === 68) return Number.NaN;
  return Number(fortran ? text.replace(/[dD]/, 'e') : text);
}
