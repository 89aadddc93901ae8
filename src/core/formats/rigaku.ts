// Rigaku text formats.
// .ras (SmartLab): `*KEY "value"` header lines between *RAS_HEADER_START/END, then the points
// between *RAS_INT_START/END as "angle intensity attenuation-factor"; one block per range.
// .asc (Rigaku ASCII): `*KEY = value` lines; each *BEGIN…*END group has *START/*STEP/*COUNT
// and its intensities as comma-separated rows, the angles following from start and step.
import type { MeasuredPattern } from './pattern';
import { twoThetaProblem } from './pattern';
import { errorAtLine, errorInFile, Lines, quoteForMessage } from './located';
import { assemblePattern, NumberColumn, ScanRanges, steppedAngles, type Fail } from './ranges';
import { statedTube, type TubeValue } from './stated';
import { badNumber, eachField, parseNumber } from './text';

const TWO_THETA_AXES = /2-?theta|twotheta/i;

export function isRas(text: string): boolean {
  return /^\s*\*RAS_DATA_START/.test(text);
}

export function isRigakuAsc(text: string): boolean {
  return /^\s*\*[A-Z_0-9]+\s*=/.test(text) && /^\*BEGIN\b/m.test(text);
}

/** A header value and the line it was read on. */
type Header = Record<string, { value: string; line: number }>;

export function parseRas(text: string, file: string): MeasuredPattern {
  const lines = new Lines(text);
  const here = (message: string) => errorAtLine(file, lines.number, 1, message);
  const ranges = new ScanRanges();
  let header: Header = {};
  let first: Header | undefined;
  let points: { twoTheta: NumberColumn; intensity: NumberColumn; line: number } | undefined;
  const fields: { text: string; column: number; value: number }[] = [];
  for (let raw = lines.next(); raw !== undefined; raw = lines.next()) {
    const line = raw.trim();
    if (line === '*RAS_HEADER_START') header = {};
    else if (line === '*RAS_INT_START') {
      checkAxis(header, 'MEAS_SCAN_AXIS_X', here);
      points = { twoTheta: new NumberColumn(here), intensity: new NumberColumn(here), line: lines.number };
    } else if (line === '*RAS_INT_END') {
      if (!points) throw here('*RAS_INT_END without *RAS_INT_START');
      const block = points;
      checkCount(header.MEAS_DATA_COUNT?.value, block.twoTheta.length, file, block.line);
      ranges.add({ twoTheta: block.twoTheta.values(), intensity: block.intensity.values() }, (message) => errorAtLine(file, block.line, 1, message));
      first ??= header;
      points = undefined;
    } else if (points) {
      if (line === '') continue;
      fields.length = 0;
      eachField(raw, false, (text, column) => {
        if (fields.length < 3) fields.push({ text, column, value: parseNumber(text) });
      });
      for (const f of fields) if (!Number.isFinite(f.value)) throw errorAtLine(file, lines.number, f.column, badNumber(f.text));
      if (fields.length < 2) throw here('expected "angle intensity [attenuation factor]"');
      const angle = twoThetaProblem(fields[0].value);
      if (angle) throw errorAtLine(file, lines.number, fields[0].column, angle);
      // The third column is the attenuator's factor: the true count is the stored one times it.
      const count = fields[1].value * (fields.length >= 3 ? fields[2].value : 1);
      if (!Number.isFinite(count)) throw errorAtLine(file, lines.number, fields[2].column, `the count ${fields[1].value} times the attenuation factor ${fields[2].value} is past the range of a double`);
      points.twoTheta.push(fields[0].value);
      points.intensity.push(count);
    } else {
      const m = /^\*([A-Za-z0-9_-]+)\s+"(.*)"\s*$/.exec(line);
      if (m) header[m[1]] = { value: m[2], line: lines.number };
    }
  }
  if (points) throw errorAtLine(file, points.line, 1, 'the file ends inside the data (*RAS_INT_START without *RAS_INT_END); it is cut off');
  if (ranges.list.length === 0) throw errorInFile(file, 'no *RAS_INT_START data block');
  const h = first!;
  const meta: Record<string, string | number | boolean> = {};
  copy(h, meta, { FILE_SAMPLE: 'sample', MEAS_SCAN_AXIS_X: 'scanAxis', MEAS_SCAN_MODE: 'scanMode', MEAS_SCAN_START_TIME: 'started', MEAS_SCAN_UNIT_Y: 'intensityUnit', HW_XG_TARGET_NAME: 'anode' });
  const tube = statedTube({ alpha1: h.HW_XG_WAVE_LENGTH_ALPHA1?.value, alpha2: h.HW_XG_WAVE_LENGTH_ALPHA2?.value }, tubeFails(file, h, { alpha1: 'HW_XG_WAVE_LENGTH_ALPHA1', alpha2: 'HW_XG_WAVE_LENGTH_ALPHA2' }));
  return assemblePattern(file, ranges.list, { format: 'rigaku-ras', ...tube, meta });
}

export function parseRigakuAsc(text: string, file: string): MeasuredPattern {
  const lines = new Lines(text);
  const here = (message: string) => errorAtLine(file, lines.number, 1, message);
  const header: Header = {};
  const ranges = new ScanRanges();
  let group: AscGroup | undefined;
  for (let raw = lines.next(); raw !== undefined; raw = lines.next()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('*')) {
      const m = /^\*([A-Za-z0-9_]+)\s*(?:=\s*(.*))?$/.exec(line);
      const key = m ? m[1].toUpperCase() : '';
      if (key === 'BEGIN') {
        checkAxis(header, 'SCAN_AXIS', here);
        group = { keys: {}, intensity: new NumberColumn(here), line: lines.number };
      }
      else if (key === 'END') {
        if (!group) throw here('*END without *BEGIN');
        const g = group;
        ranges.add(finishAscGroup(g, file), (message) => errorAtLine(file, g.line, 1, message));
        group = undefined;
      } else if (m && m[2] !== undefined) (group ? group.keys : header)[key] = { value: m[2].trim(), line: lines.number };
      continue;
    }
    if (!group) throw here('data outside a *BEGIN…*END group');
    const intensity = group.intensity;
    eachField(raw, true, (field, column) => {
      const v = parseNumber(field);
      if (!Number.isFinite(v)) throw errorAtLine(file, lines.number, column, badNumber(field));
      intensity.push(v);
    });
  }
  if (group) throw errorAtLine(file, group.line, 1, 'the file ends inside a *BEGIN group (no *END); it is cut off');
  if (ranges.list.length === 0) throw errorInFile(file, 'no *BEGIN…*END data group');
  const meta: Record<string, string | number | boolean> = {};
  copy(header, meta, { SAMPLE: 'sample', SCAN_AXIS: 'scanAxis', DATE: 'measured', YUNIT: 'intensityUnit', MEAS_MODE: 'scanMode' });
  const anode = parseNumber(header.TARGET?.value.trim() ?? '');
  if (Number.isFinite(anode)) meta.anodeAtomicNumber = anode;
  const tube = statedTube({ alpha1: header.WAVE_LENGTH1?.value, alpha2: header.WAVE_LENGTH2?.value }, tubeFails(file, header, { alpha1: 'WAVE_LENGTH1', alpha2: 'WAVE_LENGTH2' }));
  return assemblePattern(file, ranges.list, { format: 'rigaku-asc', ...tube, meta });
}

interface AscGroup {
  keys: Header;
  intensity: NumberColumn;
  line: number;
}

function finishAscGroup(group: AscGroup, file: string): { twoTheta: Float64Array; intensity: Float64Array } {
  const number = (key: string) => {
    const found = group.keys[key];
    if (!found) throw errorAtLine(file, group.line, 1, `the group has no numeric *${key}`);
    const v = parseNumber(found.value);
    if (!Number.isFinite(v)) throw errorAtLine(file, found.line, 1, `*${key}: ${badNumber(found.value)}`);
    return v;
  };
  const start = number('START');
  const step = number('STEP');
  if (group.keys.COUNT !== undefined) checkCount(group.keys.COUNT.value, group.intensity.length, file, group.line);
  const twoTheta = steppedAngles(start, step, group.intensity.length, (message) => errorAtLine(file, group.keys.STEP.line, 1, `*STEP: ${message}`));
  return { twoTheta, intensity: group.intensity.values() };
}

function checkAxis(header: Header, key: string, fail: Fail): void {
  const axis = header[key]?.value;
  if (axis !== undefined && !TWO_THETA_AXES.test(axis)) throw fail(`the scan axis is ${quoteForMessage(axis)}, not 2θ; not a 2θ pattern`);
}

function checkCount(declared: string | undefined, found: number, file: string, line: number): void {
  if (declared === undefined) return;
  const n = parseNumber(declared.trim());
  if (Number.isFinite(n) && n !== found) throw errorAtLine(file, line, 1, `the header declares ${n} points but the block has ${found}; the file is cut off or damaged`);
}

/** Errors at the header line of the key that states a tube value. */
function tubeFails(file: string, header: Header, keys: Partial<Record<TubeValue, string>>): (value: TubeValue) => Fail {
  return (value) => (message) => errorAtLine(file, header[keys[value] ?? '']?.line ?? 1, 1, `*${keys[value]}: ${message}`);
}

function copy(from: Header, to: Record<string, string | number | boolean>, names: Record<string, string>): void {
  for (const [key, name] of Object.entries(names)) if (from[key] !== undefined && from[key].value !== '') to[name] = from[key].value;
}
