// GSAS powder data (.gsa, .gsas, .fxye): a title line, optional `#` comments and keyword lines,
// then per bank a `BANK n nchan nrec CONST bcoef1 bcoef2 bcoef3 bcoef4 TYPE` line and its
// records. With CONST binning 2θ = bcoef1 + i·bcoef2 in centidegrees. Record types:
//   STD  – ten 8-character fields per line, each a 2-character counter count n and a 6-character
//          intensity I; the variance of I is I/n (n blank or 0 means 1);
//   ESD  – five (I, σ) pairs of 8-character fields per line;
//   FXYE – free-format "2θ I σ" lines, 2θ in centidegrees.
import type { MeasuredPattern } from './pattern';
import { sigmaProblem } from './pattern';
import { errorAtLine, errorInFile, Lines, quoteForMessage, splitLines } from './located';
import { assemblePattern, NumberColumn, ScanRanges, steppedAngles, type ScanRange } from './ranges';
import { headerNumber, statedWavelength } from './stated';
import { badNumber, eachField, parseNumber } from './text';

const BANK = /^BANK\s/;

export function isGsas(text: string): boolean {
  return splitLines(text.slice(0, 20000)).slice(1).some((line) => BANK.test(line));
}

export function parseGsas(text: string, file: string): MeasuredPattern {
  const lines = new Lines(text);
  const ranges = new ScanRanges();
  const meta: Record<string, string | number | boolean> = { title: (lines.next() ?? '').trim() };
  let wavelength: number | undefined;
  for (let line = lines.next(); line !== undefined; line = lines.next()) {
    const lambda = /^#.*?(?:wavelength|lambda)\s*[=:]?\s*([-+]?[0-9.][-+0-9.eEdD]*)/i.exec(line);
    if (lambda && wavelength === undefined) {
      const at = (message: string) => errorAtLine(file, lines.number, lambda.index + lambda[0].length - lambda[1].length + 1, message);
      wavelength = statedWavelength(headerNumber(lambda[1], 'the wavelength', at)!, 'the wavelength', at);
    }
    if (!BANK.test(line)) continue;
    const bank = parseBankLine(line, file, lines.number);
    const range = bank.type === 'FXYE' ? readFxye(lines, bank, file) : readFixed(lines, bank, file, bank.type === 'ESD');
    ranges.add(range, (message) => errorAtLine(file, bank.line, 1, message));
    meta.binning = bank.binning;
    meta.recordType = bank.type;
  }
  if (ranges.list.length === 0) throw errorInFile(file, 'no BANK line; not a GSAS data file');
  if (ranges.list.length > 1) meta.banks = ranges.list.length;
  return assemblePattern(file, ranges.list, { format: 'gsas', ...(wavelength ? { wavelength } : {}), meta });
}

interface Bank {
  number: number;
  points: number;
  records: number;
  binning: string;
  start: number;
  step: number;
  type: 'STD' | 'ESD' | 'FXYE';
  line: number;
}

function parseBankLine(line: string, file: string, lineNumber: number): Bank {
  const f = line.trim().split(/\s+/);
  const at = (message: string) => errorAtLine(file, lineNumber, 1, message);
  const points = Number(f[2]);
  const records = Number(f[3]);
  const binning = (f[4] ?? '').toUpperCase();
  if (!Number.isInteger(points) || points < 1 || !Number.isInteger(records) || records < 1) throw at('the BANK line needs the number of points and of records');
  if (binning !== 'CONST' && binning !== 'CONS') throw errorAtLine(file, lineNumber, line.indexOf(f[4] ?? '') + 1, `binning ${quoteForMessage(f[4] ?? '')} is not read (only CONST, constant 2θ steps)`);
  const start = parseNumber(f[5] ?? '');
  const step = parseNumber(f[6] ?? '');
  if (Number.isNaN(start) || Number.isNaN(step)) throw at('the BANK line needs the start and step (centidegrees) after CONST');
  if (!Number.isFinite(start) || !Number.isFinite(step)) throw at(`the start and step: ${badNumber(Number.isFinite(start) ? f[6] : f[5])}`);
  const type = (f.slice(7).find((t) => /^(STD|ESD|FXYE|ALT)$/i.test(t)) ?? 'STD').toUpperCase();
  if (type === 'ALT') throw errorAtLine(file, lineNumber, line.indexOf('ALT') + 1, 'ALT records are not read (STD, ESD and FXYE are)');
  return { number: Number(f[1]), points, records, binning: 'CONST', start, step, type: type as Bank['type'], line: lineNumber };
}

/** STD and ESD: fixed 8-character fields, `bank.records` lines holding `bank.points` values. */
function readFixed(lines: Lines, bank: Bank, file: string, withSigma: boolean): ScanRange {
  const angles = steppedAngles(bank.start / 100, bank.step / 100, bank.points, (message) => errorAtLine(file, bank.line, 1, `the BANK line's start and step (centidegrees): ${message}`));
  const full = (message: string) => errorAtLine(file, lines.number, 1, message);
  const intensity = new NumberColumn(full);
  const sigma = new NumberColumn(full);
  const perLine = withSigma ? 5 : 10;
  for (let r = 0; r < bank.records; r++) {
    const next = lines.peek();
    if (next === undefined || next.trim() === '' || BANK.test(next)) {
      throw errorAtLine(file, lines.number + (next === undefined ? 0 : 1), 1, `bank ${bank.number} declares ${bank.records} records (line ${bank.line}) but has ${r}; the file is cut off`);
    }
    const line = lines.next()!;
    for (let k = 0; k < perLine && intensity.length < bank.points; k++) {
      const column = k * (withSigma ? 16 : 8);
      if (withSigma) {
        intensity.push(field(line, column, 8, file, lines.number));
        const s = field(line, column + 8, 8, file, lines.number);
        if (sigmaProblem(s)) throw errorAtLine(file, lines.number, column + 9, sigmaProblem(s)!);
        sigma.push(s);
      } else {
        const counters = line.slice(column, column + 2).trim();
        const n = counters === '' ? 1 : Number(counters) || 1;
        const value = field(line, column + 2, 6, file, lines.number, column);
        intensity.push(value);
        sigma.push(Math.sqrt(Math.max(value, 0) / n));
      }
    }
  }
  if (intensity.length < bank.points) throw errorAtLine(file, bank.line, 1, `bank ${bank.number} declares ${bank.points} points but its ${bank.records} records hold ${intensity.length}`);
  return { twoTheta: angles, intensity: intensity.values(), sigma: sigma.values() };
}

function field(line: string, column: number, width: number, file: string, lineNumber: number, reportColumn = column): number {
  const text = line.slice(column, column + width).trim();
  if (text === '') throw errorAtLine(file, lineNumber, reportColumn + 1, 'a value is missing (the record is short)');
  const value = parseNumber(text);
  if (!Number.isFinite(value)) throw errorAtLine(file, lineNumber, reportColumn + 1, badNumber(text));
  return value;
}

/** FXYE: free-format "2θ I σ" lines, 2θ in centidegrees, up to the next BANK line. */
function readFxye(lines: Lines, bank: Bank, file: string): ScanRange {
  const full = (message: string) => errorAtLine(file, lines.number, 1, message);
  const twoTheta = new NumberColumn(full);
  const intensity = new NumberColumn(full);
  const sigma = new NumberColumn(full);
  const values = [0, 0, 0];
  while (twoTheta.length < bank.points) {
    const next = lines.peek();
    if (next === undefined || BANK.test(next)) break;
    const line = lines.next()!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    let count = 0;
    eachField(line, false, (text, column) => {
      if (count >= 3) return;
      const value = parseNumber(text);
      if (!Number.isFinite(value)) throw errorAtLine(file, lines.number, column, badNumber(text));
      const problem = count === 2 ? sigmaProblem(value) : undefined;
      if (problem) throw errorAtLine(file, lines.number, column, problem);
      values[count++] = value;
    });
    if (count < 3) throw errorAtLine(file, lines.number, 1, 'expected "2θ (centidegrees) intensity σ"');
    twoTheta.push(values[0] / 100);
    intensity.push(values[1]);
    sigma.push(values[2]);
  }
  if (twoTheta.length < bank.points) throw errorAtLine(file, bank.line, 1, `bank ${bank.number} declares ${bank.points} points but has ${twoTheta.length}; the file is cut off`);
  return { twoTheta: twoTheta.values(), intensity: intensity.values(), sigma: sigma.values() };
}
