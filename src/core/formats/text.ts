// Two/three-column text patterns (.xy, .xye, .csv, .dat, .txt): 2θ and intensity per line
// (and σ for .xye), separated by spaces, tabs, commas or semicolons. Lines before the first
// data line are a header; comment lines are skipped anywhere; after the data starts, a line
// that is not numbers is an error at its line and column, never silently dropped.
import type { MeasuredPattern } from './pattern';
import { errorAtLine, errorInFile, splitLines } from './located';
import { assemblePattern } from './ranges';

const COMMENT = /^\s*(#|!|%|\/\/|;)/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export interface TextColumnsOptions {
  /** The third column is the intensity's standard uncertainty (.xye). */
  sigmaColumn?: boolean;
  format?: string;
}

export function parseTextColumns(text: string, file: string, options: TextColumnsOptions = {}): MeasuredPattern {
  const twoTheta: number[] = [];
  const intensity: number[] = [];
  const sigma: number[] = [];
  const lines = splitLines(text);
  let headerLines = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '' || COMMENT.test(line)) continue;
    const fields = splitFields(line);
    const wanted = options.sigmaColumn ? 3 : 2;
    const values = fields.slice(0, wanted).map((f) => parseNumber(f.text));
    // Before the data, a line is a header unless it starts with two numbers ("100 points" and
    // "2 Theta" are headers); NaN and Inf count as numbers here so that they are reported.
    const numeric = (f: Field | undefined) => f !== undefined && (Number.isFinite(parseNumber(f.text)) || NOT_FINITE.test(f.text));
    if (twoTheta.length === 0 && !(numeric(fields[0]) && numeric(fields[1]))) {
      headerLines++;
      continue; // a header line (column names, instrument text)
    }
    if (fields.length < wanted) {
      const column = fields.length ? fields[fields.length - 1].column + fields[fields.length - 1].text.length : 1;
      throw errorAtLine(file, index + 1, column, `expected ${wanted === 3 ? 'three numbers (2θ, intensity, σ)' : 'two numbers (2θ and intensity)'}`);
    }
    for (let k = 0; k < wanted; k++) {
      if (!Number.isFinite(values[k])) throw errorAtLine(file, index + 1, fields[k].column, `not a finite number: "${fields[k].text}"`);
    }
    twoTheta.push(values[0]);
    intensity.push(values[1]);
    if (options.sigmaColumn) sigma.push(values[2]);
  }
  if (twoTheta.length < 2) throw errorInFile(file, `no data lines (expected lines of "2θ intensity"${options.sigmaColumn ? ' σ' : ''})`);
  const meta: Record<string, number> = {};
  if (headerLines) meta.headerLines = headerLines;
  return assemblePattern(file, [{ twoTheta, intensity, sigma: options.sigmaColumn ? sigma : undefined }], { format: options.format ?? 'xy', meta });
}

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
  const decimalComma = line.includes(';') && /\d,\d/.test(line);
  const separator = decimalComma ? /[;\s]+/g : /[,;\s]+/g;
  const fields: Field[] = [];
  let last = 0;
  for (const m of line.matchAll(separator)) {
    if (m.index! > last) fields.push({ text: line.slice(last, m.index), column: last + 1 });
    last = m.index! + m[0].length;
  }
  if (last < line.length) fields.push({ text: line.slice(last), column: last + 1 });
  if (decimalComma) for (const f of fields) f.text = f.text.replace(',', '.');
  return fields;
}

/** A number as people and Fortran write it ("1.5e3", "1.5D+03"); NaN for anything else. */
export function parseNumber(text: string): number {
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(text)) return Number.NaN;
  return Number(text.replace(/[dD]/, 'e'));
}
