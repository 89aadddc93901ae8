// Two/three-column text patterns (.xy, .xye, .csv, .dat, .txt): 2θ and intensity per line,
// any of space, tab, comma or semicolon between them; comment and header lines skipped.
// (The instrument formats of issue 5 will join this room.)
import { UserError, type Diagnostic } from '../diagnostics';

import type { MeasuredPattern } from './pattern';

export type { MeasuredPattern } from './pattern';

const COMMENT = /^\s*(#|!|%|;|\/\/)/;
const SPLIT = /[\s,;]+/;

export function parseXy(text: string, file?: string): MeasuredPattern {
  const twoTheta: number[] = [];
  const intensity: number[] = [];
  const lines = text.split(/\r?\n/);
  let sawData = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '' || COMMENT.test(line)) continue;
    const fields = line.trim().split(SPLIT);
    const x = Number(fields[0]);
    const y = Number(fields[1]);
    if (fields.length < 2 || !Number.isFinite(x) || !Number.isFinite(y)) {
      // Text before the first data line is a header; after it, a bad line is an error.
      if (!sawData) continue;
      const bad = fields.length < 2 ? 1 : Number.isFinite(x) ? 2 : 1;
      const column = bad === 1 ? line.indexOf(fields[0]) + 1 : line.indexOf(fields[1], line.indexOf(fields[0]) + fields[0].length) + 1;
      throw located(file, index + 1, Math.max(column, 1), fields.length < 2 ? 'expected two numbers (2θ and intensity)' : `not a finite number: "${bad === 1 ? fields[0] : fields[1]}"`);
    }
    sawData = true;
    twoTheta.push(x);
    intensity.push(y);
  }
  if (twoTheta.length < 2) throw new UserError(`${file ?? 'pattern'}: no data lines (expected lines of "2θ intensity")`, [], file);
  // Descending scans are stored ascending; everything downstream assumes increasing 2θ.
  if (twoTheta[0] > twoTheta[twoTheta.length - 1]) {
    twoTheta.reverse();
    intensity.reverse();
  }
  return { twoTheta: Float64Array.from(twoTheta), intensity: Float64Array.from(intensity) };
}

function located(file: string | undefined, line: number, column: number, message: string): UserError {
  const diagnostic: Diagnostic = { severity: 'error', message, range: { line, column, endLine: line, endColumn: column + 1 } };
  return new UserError(`${file ?? 'pattern'}:${line}:${column}: ${message}`, [diagnostic], file);
}
