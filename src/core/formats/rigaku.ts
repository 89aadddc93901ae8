// Rigaku text formats.
// .ras (SmartLab): `*KEY "value"` header lines between *RAS_HEADER_START/END, then the points
// between *RAS_INT_START/END as "angle intensity attenuation-factor"; one block per range.
// .asc (Rigaku ASCII): `*KEY = value` lines; each *BEGIN…*END group has *START/*STEP/*COUNT
// and its intensities as comma-separated rows, the angles following from start and step.
import type { MeasuredPattern } from './pattern';
import { errorAtLine, errorInFile, splitLines } from './located';
import { assemblePattern, steppedAngles, type ScanRange } from './ranges';
import { parseNumber } from './text';

const TWO_THETA_AXES = /2-?theta|twotheta/i;

export function isRas(text: string): boolean {
  return /^\s*\*RAS_DATA_START/.test(text);
}

export function isRigakuAsc(text: string): boolean {
  return /^\s*\*[A-Z_0-9]+\s*=/.test(text) && /^\*BEGIN\b/m.test(text);
}

export function parseRas(text: string, file: string): MeasuredPattern {
  const lines = splitLines(text);
  const ranges: ScanRange[] = [];
  let header: Record<string, string> = {};
  let first: Record<string, string> | undefined;
  let points: { twoTheta: number[]; intensity: number[]; line: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '*RAS_HEADER_START') header = {};
    else if (line === '*RAS_INT_START') {
      checkAxis(header, 'MEAS_SCAN_AXIS_X', file, index + 1);
      points = { twoTheta: [], intensity: [], line: index + 1 };
    } else if (line === '*RAS_INT_END') {
      if (!points) throw errorAtLine(file, index + 1, 1, '*RAS_INT_END without *RAS_INT_START');
      checkCount(header.MEAS_DATA_COUNT, points.twoTheta.length, file, points.line);
      ranges.push(points);
      first ??= header;
      points = undefined;
    } else if (points) {
      if (line === '') continue;
      const fields = line.split(/\s+/);
      const values = fields.map(parseNumber);
      for (let k = 0; k < Math.min(3, fields.length); k++) {
        if (!Number.isFinite(values[k])) throw errorAtLine(file, index + 1, columnOf(lines[index], fields, k), `not a finite number: "${fields[k]}"`);
      }
      if (fields.length < 2) throw errorAtLine(file, index + 1, 1, 'expected "angle intensity [attenuation factor]"');
      // The third column is the attenuator's factor: the true count is the stored one times it.
      points.twoTheta.push(values[0]);
      points.intensity.push(values[1] * (fields.length >= 3 ? values[2] : 1));
    } else {
      const m = /^\*([A-Za-z0-9_-]+)\s+"(.*)"\s*$/.exec(line);
      if (m) header[m[1]] = m[2];
    }
  }
  if (points) throw errorAtLine(file, points.line, 1, 'the file ends inside the data (*RAS_INT_START without *RAS_INT_END); it is cut off');
  if (ranges.length === 0) throw errorInFile(file, 'no *RAS_INT_START data block');
  const h = first!;
  const meta: Record<string, string | number | boolean> = {};
  copy(h, meta, { FILE_SAMPLE: 'sample', MEAS_SCAN_AXIS_X: 'scanAxis', MEAS_SCAN_MODE: 'scanMode', MEAS_SCAN_START_TIME: 'started', MEAS_SCAN_UNIT_Y: 'intensityUnit', HW_XG_TARGET_NAME: 'anode' });
  return assemblePattern(file, ranges, { format: 'rigaku-ras', wavelength: positive(h.HW_XG_WAVE_LENGTH_ALPHA1), wavelength2: positive(h.HW_XG_WAVE_LENGTH_ALPHA2), meta });
}

export function parseRigakuAsc(text: string, file: string): MeasuredPattern {
  const lines = splitLines(text);
  const header: Record<string, string> = {};
  const ranges: ScanRange[] = [];
  let group: { keys: Record<string, string>; intensity: number[]; line: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('*')) {
      const m = /^\*([A-Za-z0-9_]+)\s*(?:=\s*(.*))?$/.exec(line);
      const key = m ? m[1].toUpperCase() : '';
      if (key === 'BEGIN') {
        checkAxis(header, 'SCAN_AXIS', file, index + 1);
        group = { keys: {}, intensity: [], line: index + 1 };
      }
      else if (key === 'END') {
        if (!group) throw errorAtLine(file, index + 1, 1, '*END without *BEGIN');
        ranges.push(finishAscGroup(group, file));
        group = undefined;
      } else if (m && m[2] !== undefined) (group ? group.keys : header)[key] = m[2].trim();
      continue;
    }
    if (!group) throw errorAtLine(file, index + 1, 1, 'data outside a *BEGIN…*END group');
    const fields = line.split(/[,\s]+/).filter(Boolean);
    for (const f of fields) {
      const v = parseNumber(f);
      if (!Number.isFinite(v)) throw errorAtLine(file, index + 1, raw.indexOf(f) + 1, `not a finite number: "${f}"`);
      group.intensity.push(v);
    }
  }
  if (group) throw errorAtLine(file, group.line, 1, 'the file ends inside a *BEGIN group (no *END); it is cut off');
  if (ranges.length === 0) throw errorInFile(file, 'no *BEGIN…*END data group');
  const meta: Record<string, string | number | boolean> = {};
  copy(header, meta, { SAMPLE: 'sample', SCAN_AXIS: 'scanAxis', DATE: 'measured', YUNIT: 'intensityUnit', MEAS_MODE: 'scanMode' });
  if (header.TARGET) meta.anodeAtomicNumber = Number(header.TARGET);
  return assemblePattern(file, ranges, { format: 'rigaku-asc', wavelength: positive(header.WAVE_LENGTH1), wavelength2: positive(header.WAVE_LENGTH2), meta });
}

function finishAscGroup(group: { keys: Record<string, string>; intensity: number[]; line: number }, file: string): ScanRange {
  const number = (key: string) => {
    const v = parseNumber(group.keys[key] ?? '');
    if (!Number.isFinite(v)) throw errorAtLine(file, group.line, 1, `the group has no numeric *${key}`);
    return v;
  };
  const start = number('START');
  const step = number('STEP');
  if (group.keys.COUNT !== undefined) checkCount(group.keys.COUNT, group.intensity.length, file, group.line);
  return { twoTheta: steppedAngles(start, step, group.intensity.length), intensity: group.intensity };
}

function checkAxis(header: Record<string, string>, key: string, file: string, line: number): void {
  const axis = header[key];
  if (axis !== undefined && !TWO_THETA_AXES.test(axis)) throw errorAtLine(file, line, 1, `the scan axis is "${axis}", not 2θ; not a 2θ pattern`);
}

function checkCount(declared: string | undefined, found: number, file: string, line: number): void {
  if (declared === undefined) return;
  const n = parseNumber(declared.trim());
  if (Number.isFinite(n) && n !== found) throw errorAtLine(file, line, 1, `the header declares ${n} points but the block has ${found}; the file is cut off or damaged`);
}

function columnOf(line: string, fields: string[], k: number): number {
  let from = 0;
  for (let i = 0; i < k; i++) from = line.indexOf(fields[i], from) + fields[i].length;
  return line.indexOf(fields[k], from) + 1;
}

function positive(text: string | undefined): number | undefined {
  const v = parseNumber((text ?? '').trim());
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

function copy(from: Record<string, string>, to: Record<string, string | number | boolean>, names: Record<string, string>): void {
  for (const [key, name] of Object.entries(names)) if (from[key] !== undefined && from[key] !== '') to[name] = from[key];
}
