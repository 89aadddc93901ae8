// GSAS powder data (.gsa, .gsas, .fxye): a title line, optional `#` comments and keyword lines,
// then per bank a `BANK n nchan nrec CONST bcoef1 bcoef2 bcoef3 bcoef4 TYPE` line and its
// records. With CONST binning 2θ = bcoef1 + i·bcoef2 in centidegrees. Record types:
//   STD  – ten 8-character fields per line, each a 2-character counter count n and a 6-character
//          intensity I; the variance of I is I/n (n blank or 0 means 1);
//   ESD  – five (I, σ) pairs of 8-character fields per line;
//   FXYE – free-format "2θ I σ" lines, 2θ in centidegrees.
import type { MeasuredPattern } from './pattern';
import { errorAtLine, errorInFile, splitLines } from './located';
import { assemblePattern, steppedAngles, type ScanRange } from './ranges';
import { parseNumber } from './text';

const BANK = /^BANK\s/;

export function isGsas(text: string): boolean {
  return splitLines(text.slice(0, 20000)).slice(1).some((line) => BANK.test(line));
}

export function parseGsas(text: string, file: string): MeasuredPattern {
  const lines = splitLines(text);
  const ranges: ScanRange[] = [];
  const meta: Record<string, string | number | boolean> = { title: lines[0].trim() };
  let wavelength: number | undefined;
  let index = 1;
  while (index < lines.length) {
    const line = lines[index];
    const lambda = /^#.*?(?:wavelength|lambda)\s*[=:]?\s*([0-9.]+)/i.exec(line);
    if (lambda && wavelength === undefined) wavelength = Number(lambda[1]);
    if (!BANK.test(line)) {
      index++;
      continue;
    }
    const bank = parseBankLine(line, file, index + 1);
    index++;
    const read = bank.type === 'FXYE' ? readFxye : bank.type === 'ESD' ? readFixed(true) : readFixed(false);
    const { range, next } = read(lines, index, bank, file);
    ranges.push(range);
    meta.binning = bank.binning;
    meta.recordType = bank.type;
    index = next;
  }
  if (ranges.length === 0) throw errorInFile(file, 'no BANK line; not a GSAS data file');
  if (ranges.length > 1) meta.banks = ranges.length;
  return assemblePattern(file, ranges, { format: 'gsas', ...(wavelength ? { wavelength } : {}), meta });
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
  const points = Number(f[2]);
  const records = Number(f[3]);
  const binning = (f[4] ?? '').toUpperCase();
  if (!Number.isInteger(points) || points < 1 || !Number.isInteger(records) || records < 1) throw errorAtLine(file, lineNumber, 1, 'the BANK line needs the number of points and of records');
  if (binning !== 'CONST' && binning !== 'CONS') throw errorAtLine(file, lineNumber, line.indexOf(f[4] ?? '') + 1, `binning "${f[4] ?? ''}" is not read (only CONST, constant 2θ steps)`);
  const start = parseNumber(f[5] ?? '');
  const step = parseNumber(f[6] ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(step)) throw errorAtLine(file, lineNumber, 1, 'the BANK line needs the start and step (centidegrees) after CONST');
  const type = (f.slice(7).find((t) => /^(STD|ESD|FXYE|ALT)$/i.test(t)) ?? 'STD').toUpperCase();
  if (type === 'ALT') throw errorAtLine(file, lineNumber, line.indexOf('ALT') + 1, 'ALT records are not read (STD, ESD and FXYE are)');
  return { number: Number(f[1]), points, records, binning: 'CONST', start, step, type: type as Bank['type'], line: lineNumber };
}

type BankReader = (lines: string[], from: number, bank: Bank, file: string) => { range: ScanRange; next: number };

/** STD and ESD: fixed 8-character fields, `bank.records` lines holding `bank.points` values. */
function readFixed(withSigma: boolean): BankReader {
  return (lines, from, bank, file) => {
    const intensity: number[] = [];
    const sigma: number[] = [];
    const perLine = withSigma ? 5 : 10;
    for (let r = 0; r < bank.records; r++) {
      const lineIndex = from + r;
      if (lineIndex >= lines.length || lines[lineIndex].trim() === '' || BANK.test(lines[lineIndex])) {
        throw errorAtLine(file, Math.min(lineIndex + 1, lines.length), 1, `bank ${bank.number} declares ${bank.records} records (line ${bank.line}) but has ${r}; the file is cut off`);
      }
      const line = lines[lineIndex];
      for (let k = 0; k < perLine && intensity.length < bank.points; k++) {
        const column = k * (withSigma ? 16 : 8);
        if (withSigma) {
          intensity.push(field(line, column, 8, file, lineIndex + 1));
          sigma.push(field(line, column + 8, 8, file, lineIndex + 1));
        } else {
          const counters = line.slice(column, column + 2).trim();
          const n = counters === '' ? 1 : Number(counters) || 1;
          const value = field(line, column + 2, 6, file, lineIndex + 1, column);
          intensity.push(value);
          sigma.push(Math.sqrt(Math.max(value, 0) / n));
        }
      }
    }
    if (intensity.length < bank.points) throw errorAtLine(file, bank.line, 1, `bank ${bank.number} declares ${bank.points} points but its ${bank.records} records hold ${intensity.length}`);
    return { range: { twoTheta: steppedAngles(bank.start / 100, bank.step / 100, bank.points), intensity, sigma }, next: from + bank.records };
  };
}

function field(line: string, column: number, width: number, file: string, lineNumber: number, reportColumn = column): number {
  const text = line.slice(column, column + width).trim();
  if (text === '') throw errorAtLine(file, lineNumber, reportColumn + 1, 'a value is missing (the record is short)');
  const value = parseNumber(text);
  if (!Number.isFinite(value)) throw errorAtLine(file, lineNumber, reportColumn + 1, `not a finite number: "${text}"`);
  return value;
}

const readFxye: BankReader = (lines, from, bank, file) => {
  const twoTheta: number[] = [];
  const intensity: number[] = [];
  const sigma: number[] = [];
  let index = from;
  for (; index < lines.length && twoTheta.length < bank.points; index++) {
    const line = lines[index];
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (BANK.test(line)) break;
    const fields = line.trim().split(/\s+/);
    const values = fields.slice(0, 3).map(parseNumber);
    if (values.length < 3) throw errorAtLine(file, index + 1, 1, 'expected "2θ (centidegrees) intensity σ"');
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw errorAtLine(file, index + 1, line.indexOf(fields[bad]) + 1, `not a finite number: "${fields[bad]}"`);
    twoTheta.push(values[0] / 100);
    intensity.push(values[1]);
    sigma.push(values[2]);
  }
  if (twoTheta.length < bank.points) throw errorAtLine(file, bank.line, 1, `bank ${bank.number} declares ${bank.points} points but has ${twoTheta.length}; the file is cut off`);
  return { range: { twoTheta, intensity, sigma }, next: index };
};
