// Siemens/Bruker UXD (DIFFRAC ASCII export): `_KEY=value` lines, `;` comments, one block of
// `_KEY` settings per range ending in a data marker. After _2THETACOUNTS/_2THETACPS come
// "2θ value" pairs; after _COUNTS/_CPS only values, the angles following from _START and
// _STEPSIZE (several values per line allowed). _WL1/_WL2/_WLRATIO give the tube's lines.
import type { MeasuredPattern } from './pattern';
import { errorAtLine, errorInFile, splitLines } from './located';
import { assemblePattern, steppedAngles, type ScanRange } from './ranges';
import { parseNumber } from './text';

const DATA_MARKERS = new Set(['_2THETACOUNTS', '_2THETACPS', '_COUNTS', '_CPS', '_2THETACOUNTSERR']);

export function isUxd(text: string): boolean {
  return /^\s*_(FILEVERSION|SAMPLE|WL1|DRIVE|START|STEPSIZE|2THETACOUNTS|COUNTS)\b/m.test(text) && !/^\s*\*RAS_DATA_START/.test(text);
}

export function parseUxd(text: string, file: string): MeasuredPattern {
  const lines = splitLines(text);
  // Settings accumulate: a range's block repeats only what changes, the rest carries over.
  const settings: Record<string, string> = {};
  let header: Record<string, string> | undefined;
  const ranges: ScanRange[] = [];
  let block: { marker: string; keys: Record<string, string>; twoTheta: number[]; intensity: number[]; sigma: number[]; line: number } | undefined;
  const finish = () => {
    if (!block) return;
    if (block.intensity.length === 0) throw errorAtLine(file, block.line, 1, `${block.marker} is followed by no data`);
    if (!block.marker.startsWith('_2THETA')) {
      const start = parseNumber(block.keys.START ?? block.keys['2THETA'] ?? '');
      const step = parseNumber(block.keys.STEPSIZE ?? '');
      if (!Number.isFinite(start) || !Number.isFinite(step)) throw errorAtLine(file, block.line, 1, `${block.marker} needs _START and _STEPSIZE for the angles`);
      block.twoTheta = Array.from(steppedAngles(start, step, block.intensity.length));
    }
    checkDeclaredCount(block.keys.STEPCOUNT, block.intensity.length, file, block.line);
    ranges.push({ twoTheta: block.twoTheta, intensity: block.intensity, sigma: block.marker === '_2THETACOUNTSERR' ? block.sigma : undefined });
    block = undefined;
  };
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    if (line.startsWith('_')) {
      const eq = line.indexOf('=');
      if (eq < 0) {
        const marker = line.toUpperCase();
        if (!DATA_MARKERS.has(marker)) continue; // a flag without a value
        finish();
        const drive = settings.DRIVE;
        if (drive && !/coupled|2theta|twotheta|detector|unlocked/i.test(drive)) throw errorAtLine(file, index + 1, 1, `the range drives "${drive}", not 2θ; not a 2θ pattern`);
        block = { marker, keys: { ...settings }, twoTheta: [], intensity: [], sigma: [], line: index + 1 };
        header ??= block.keys;
        continue;
      }
      finish();
      const key = line.slice(1, eq).trim().toUpperCase();
      const value = line.slice(eq + 1).trim().replace(/^'(.*)'$/, '$1');
      settings[key] = value;
      continue;
    }
    if (!block) throw errorAtLine(file, index + 1, 1, 'numbers before any data marker (_2THETACOUNTS, _COUNTS, …)');
    const fields = line.split(/[\s,]+/);
    const values = fields.map(parseNumber);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw errorAtLine(file, index + 1, raw.indexOf(fields[bad]) + 1, `not a finite number: "${fields[bad]}"`);
    if (block.marker.startsWith('_2THETA')) {
      const wanted = block.marker === '_2THETACOUNTSERR' ? 3 : 2;
      if (values.length < wanted) throw errorAtLine(file, index + 1, 1, `expected ${wanted} numbers after ${block.marker}`);
      block.twoTheta.push(values[0]);
      block.intensity.push(values[1]);
      if (wanted === 3) block.sigma.push(values[2]);
    } else for (const v of values) block.intensity.push(v);
  }
  finish();
  if (ranges.length === 0 || !header) throw errorInFile(file, 'no data block (_2THETACOUNTS, _2THETACPS, _COUNTS or _CPS)');
  const meta: Record<string, string | number | boolean> = {};
  for (const [key, name] of [['SAMPLE', 'sample'], ['DATEMEASURED', 'measured'], ['ANODE', 'anode'], ['DRIVE', 'drive']] as const) {
    if (header[key]) meta[name] = header[key];
  }
  const number = (key: string) => {
    const v = parseNumber(header![key] ?? '');
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const ratio = parseNumber(header.WLRATIO ?? '');
  return assemblePattern(file, ranges, {
    format: 'uxd',
    wavelength: number('WL1'),
    wavelength2: number('WL2'),
    kAlpha2Ratio: Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : undefined,
    meta,
  });
}

function checkDeclaredCount(declared: string | undefined, found: number, file: string, line: number): void {
  if (declared === undefined) return;
  const n = parseNumber(declared);
  if (Number.isFinite(n) && n !== found) throw errorAtLine(file, line, 1, `the range declares _STEPCOUNT=${n} but has ${found} points; the file is cut off or damaged`);
}
