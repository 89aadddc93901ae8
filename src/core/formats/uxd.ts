// Siemens/Bruker UXD (DIFFRAC ASCII export): `_KEY=value` lines, `;` comments, one block of
// `_KEY` settings per range ending in a data marker. After _2THETACOUNTS/_2THETACPS come
// "2θ value" pairs; after _COUNTS/_CPS only values, the angles following from _START and
// _STEPSIZE (several values per line allowed). _WL1/_WL2/_WLRATIO give the tube's lines.
import type { MeasuredPattern } from './pattern';
import { sigmaProblem } from './pattern';
import { errorAtLine, errorInFile, Lines, quoteForMessage } from './located';
import { assemblePattern, NumberColumn, ScanRanges, steppedAngles } from './ranges';
import { statedTube } from './stated';
import { badNumber, eachField, parseNumber } from './text';

const DATA_MARKERS = new Set(['_2THETACOUNTS', '_2THETACPS', '_COUNTS', '_CPS', '_2THETACOUNTSERR']);

export function isUxd(text: string): boolean {
  return /^\s*_(FILEVERSION|SAMPLE|WL1|DRIVE|START|STEPSIZE|2THETACOUNTS|COUNTS)\b/m.test(text) && !/^\s*\*RAS_DATA_START/.test(text);
}

/** A `_KEY=value` setting and the line it was read on. */
interface Setting {
  value: string;
  line: number;
}

interface Block {
  marker: string;
  keys: Record<string, Setting>;
  twoTheta: NumberColumn;
  intensity: NumberColumn;
  sigma: NumberColumn;
  line: number;
}

export function parseUxd(text: string, file: string): MeasuredPattern {
  const lines = new Lines(text);
  const here = (message: string) => errorAtLine(file, lines.number, 1, message);
  // Settings accumulate: a range's block repeats only what changes, the rest carries over.
  const settings: Record<string, Setting> = {};
  let header: Record<string, Setting> | undefined;
  const ranges = new ScanRanges();
  let block: Block | undefined;
  const finish = () => {
    if (!block) return;
    const b = block;
    const atBlock = (message: string) => errorAtLine(file, b.line, 1, message);
    if (b.intensity.length === 0) throw atBlock(`${b.marker} is followed by no data`);
    let twoTheta = b.twoTheta.values();
    if (!b.marker.startsWith('_2THETA')) {
      const setting = (key: string) => {
        const found = b.keys[key];
        if (!found) throw atBlock(`${b.marker} needs _START and _STEPSIZE for the angles`);
        const v = parseNumber(found.value);
        if (!Number.isFinite(v)) throw errorAtLine(file, found.line, 1, `_${key}: ${badNumber(found.value)}`);
        return { value: v, line: found.line };
      };
      const start = setting(b.keys.START ? 'START' : '2THETA');
      const step = setting('STEPSIZE');
      twoTheta = steppedAngles(start.value, step.value, b.intensity.length, (message) => errorAtLine(file, step.line, 1, `_STEPSIZE: ${message}`));
    }
    checkDeclaredCount(b.keys.STEPCOUNT?.value, b.intensity.length, file, b.line);
    ranges.add({ twoTheta, intensity: b.intensity.values(), sigma: b.marker === '_2THETACOUNTSERR' ? b.sigma.values() : undefined }, atBlock);
    block = undefined;
  };
  const values = [0, 0, 0];
  for (let raw = lines.next(); raw !== undefined; raw = lines.next()) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    if (line.startsWith('_')) {
      const eq = line.indexOf('=');
      if (eq < 0) {
        const marker = line.toUpperCase();
        if (!DATA_MARKERS.has(marker)) continue; // a flag without a value
        finish();
        const drive = settings.DRIVE?.value;
        if (drive && !/coupled|2theta|twotheta|detector|unlocked/i.test(drive)) throw here(`the range drives ${quoteForMessage(drive)}, not 2θ; not a 2θ pattern`);
        block = { marker, keys: { ...settings }, twoTheta: new NumberColumn(here), intensity: new NumberColumn(here), sigma: new NumberColumn(here), line: lines.number };
        header ??= block.keys;
        continue;
      }
      finish();
      const key = line.slice(1, eq).trim().toUpperCase();
      const value = line.slice(eq + 1).trim().replace(/^'(.*)'$/, '$1');
      settings[key] = { value, line: lines.number };
      continue;
    }
    if (!block) throw here('numbers before any data marker (_2THETACOUNTS, _COUNTS, …)');
    const b = block;
    const pairs = b.marker.startsWith('_2THETA');
    const wanted = b.marker === '_2THETACOUNTSERR' ? 3 : 2;
    let count = 0;
    eachField(raw, true, (field, column) => {
      const v = parseNumber(field);
      if (!Number.isFinite(v)) throw errorAtLine(file, lines.number, column, badNumber(field));
      if (!pairs) b.intensity.push(v);
      else if (count < wanted) {
        const problem = count === 2 ? sigmaProblem(v) : undefined;
        if (problem) throw errorAtLine(file, lines.number, column, problem);
        values[count] = v;
      }
      count++;
    });
    if (pairs) {
      if (count < wanted) throw here(`expected ${wanted} numbers after ${b.marker}`);
      b.twoTheta.push(values[0]);
      b.intensity.push(values[1]);
      if (wanted === 3) b.sigma.push(values[2]);
    }
  }
  finish();
  if (ranges.list.length === 0 || !header) throw errorInFile(file, 'no data block (_2THETACOUNTS, _2THETACPS, _COUNTS or _CPS)');
  const h = header;
  const meta: Record<string, string | number | boolean> = {};
  for (const [key, name] of [['SAMPLE', 'sample'], ['DATEMEASURED', 'measured'], ['ANODE', 'anode'], ['DRIVE', 'drive']] as const) {
    if (h[key]?.value) meta[name] = h[key].value;
  }
  const keys = { alpha1: 'WL1', alpha2: 'WL2', ratio: 'WLRATIO' } as const;
  const tube = statedTube({ alpha1: h.WL1?.value, alpha2: h.WL2?.value, ratio: h.WLRATIO?.value }, (value) => (message) => errorAtLine(file, h[keys[value]]?.line ?? 1, 1, `_${keys[value]}: ${message}`));
  return assemblePattern(file, ranges.list, { format: 'uxd', ...tube, meta });
}

function checkDeclaredCount(declared: string | undefined, found: number, file: string, line: number): void {
  if (declared === undefined) return;
  const n = parseNumber(declared);
  if (Number.isFinite(n) && n !== found) throw errorAtLine(file, line, 1, `the range declares _STEPCOUNT=${n} but has ${found} points; the file is cut off or damaged`);
}
