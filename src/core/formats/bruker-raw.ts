// Bruker/Siemens DIFFRAC binary .raw, little-endian, in its two current layouts.
//
// RAW1.01 ("version 3"): a 712-byte file header (range count at 12; date 16, time 26, sample
// id 326; anode text at 608; float64 Kα average 616, Kα1 624, Kα2 632, Kβ 640, Kα2/Kα1 ratio
// 648), then per range a header (u32 length at +0, u32 steps +4, float64 start 2θ +16, float64
// step +176, u32 scan type +196, u32 data-record size +252, u32 supplementary-header size
// +256), the supplementary headers, and one record per step whose first float32 is the count.
//
// RAW4.00 ("version 4"): a 61-byte preamble, then a chain of (u32 kind, u32 length) segments
// to the end of the file. Kind 10 is a key/value pair (key +12, 24 bytes; value +36); kind 30
// the tube (float64 Kα average, Kα1, Kα2, Kβ, ratio from +72; anode +116). Kind 0 or 160 marks
// a range: scan type text +32, float64 start +72, float64 step +80, u32 steps +88, float32 step
// time (ms) +92, float64 wavelength +112, u32 record size +136, u32 size of the header's own
// segment chain +140 (from +160); the records follow that chain, first float32 the count.
//
// Layout facts from public descriptions of the format (xylib's and GSAS-II's readers and their
// documentation), checked against the real files in test/fixtures/instrument-formats.
import type { MeasuredPattern } from './pattern';
import { implausibleWavelength } from '../diffraction/wavelengths';
import { describeStart, errorAtByte } from './located';
import { MAX_PATTERN_POINTS, tooManyPoints } from './limits';
import { assemblePattern, ScanRanges, steppedAngles, type Fail } from './ranges';
import { statedKAlpha2Ratio, statedWavelength } from './stated';

const V3_FILE_HEADER = 712;
const V4_PREAMBLE = 61;

/** The magic of any DIFFRAC version ("RAW ", "RAW2", "RAW1.01", "RAW4.00"). */
export function isBrukerRaw(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && /^RAW[ 2]|^RAW[14]\.0/.test(ascii(bytes, 0, 7));
}

export function parseBrukerRaw(bytes: Uint8Array, file: string): MeasuredPattern {
  const magic = ascii(bytes, 0, 7);
  if (magic === 'RAW1.01') return readV3(new Reader(bytes, file));
  if (magic === 'RAW4.00') return readV4(new Reader(bytes, file));
  if (bytes.length < 7 && ['RAW1.01', 'RAW4.00'].some((m) => m.startsWith(magic))) {
    throw errorAtByte(file, bytes.length, 'the file ends inside its magic "RAW1.01"/"RAW4.00"; it is truncated');
  }
  if (magic.startsWith('RAW ') || magic.startsWith('RAW2')) {
    throw errorAtByte(file, 0, `Bruker RAW version ${magic.startsWith('RAW2') ? 2 : 1} ("${magic.slice(0, 4)}") is not read; export it from DIFFRAC as RAW1.01/RAW4.00, .uxd or .xy`);
  }
  throw errorAtByte(file, 0, `a binary file that is not Bruker RAW (expected "RAW1.01" or "RAW4.00"); it starts with ${describeStart(bytes)}`);
}

/** Bounds-checked little-endian reads: every read past the end names what was being read. */
class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  need(offset: number, size: number, what: string): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw errorAtByte(this.file, offset, `the file ends inside ${what} (needs ${size} bytes here, the file has ${this.bytes.length}); it is truncated`);
    }
  }
  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, true);
  }
  f32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getFloat32(offset, true);
  }
  f64(offset: number, what: string): number {
    this.need(offset, 8, what);
    return this.view.getFloat64(offset, true);
  }
  /** A step count, refused before anything is allocated for it when past the point limit. */
  steps(offset: number): number {
    const steps = this.u32(offset, 'the step count');
    if (steps > MAX_PATTERN_POINTS) throw errorAtByte(this.file, offset, `the step count: ${tooManyPoints(steps)}`);
    return steps;
  }
  finite(offset: number, what: string, value: number): number {
    if (!Number.isFinite(value)) throw errorAtByte(this.file, offset, `${what} is not a finite number (${value})`);
    return value;
  }
  text(offset: number, length: number): string {
    if (offset + length > this.bytes.length) return '';
    const raw = this.bytes.subarray(offset, offset + length);
    const end = raw.indexOf(0);
    return new TextDecoder('latin1').decode(end < 0 ? raw : raw.subarray(0, end)).trim();
  }
}

function readV3(r: Reader): MeasuredPattern {
  r.need(0, V3_FILE_HEADER, 'the 712-byte file header');
  const rangeCount = r.u32(12, 'the range count');
  const ranges = new ScanRanges();
  const scanTypes = new Set<number>();
  let at = V3_FILE_HEADER;
  for (let k = 0; k < rangeCount; k++) {
    const what = `range ${k + 1} of ${rangeCount}`;
    const headerLength = r.u32(at, `the header of ${what}`);
    if (headerLength < 260) throw errorAtByte(r.file, at, `${what} declares a ${headerLength}-byte header; RAW1.01 range headers are at least 260 bytes`);
    r.need(at, headerLength, `the header of ${what}`);
    const steps = r.steps(at + 4);
    const start = r.finite(at + 16, 'the start 2θ', r.f64(at + 16, 'the start 2θ'));
    const step = r.finite(at + 176, 'the 2θ step', r.f64(at + 176, 'the 2θ step'));
    scanTypes.add(r.u32(at + 196, 'the scan type'));
    const recordSize = Math.max(4, r.u32(at + 252, 'the data-record size'));
    const supplementary = r.u32(at + 256, 'the supplementary-header size');
    const dataAt = at + headerLength + supplementary;
    r.need(dataAt, steps * recordSize, `the ${steps} data records of ${what}`);
    const rangeAt = at;
    const fail: Fail = (message) => errorAtByte(r.file, rangeAt + 16, `${what}, start 2θ and step: ${message}`);
    ranges.add({ twoTheta: steppedAngles(start, step, steps, fail), intensity: counts(r, dataAt, steps, recordSize) }, fail);
    at = dataAt + steps * recordSize;
  }
  const meta: Record<string, string | number | boolean> = { version: 'RAW1.01' };
  const date = r.text(16, 10);
  const time = r.text(26, 10);
  if (date) meta.measured = `${date} ${time}`.trim();
  const sample = r.text(326, 60);
  if (sample) meta.sample = sample;
  const anode = r.text(608, 4);
  if (anode) meta.anode = anode;
  if (scanTypes.size === 1) meta.scanType = [...scanTypes][0];
  return assemblePattern(r.file, ranges.list, { format: 'bruker-raw', ...tube(r, 624), meta });
}

function readV4(r: Reader): MeasuredPattern {
  const ranges = new ScanRanges();
  const meta: Record<string, string | number | boolean> = { version: 'RAW4.00' };
  let waves: ReturnType<typeof tube> = {};
  let at = V4_PREAMBLE;
  while (at + 4 <= r.length) {
    const kind = r.u32(at, 'a segment kind');
    if (kind === 0 || kind === 160) {
      const what = `range ${ranges.list.length + 1} (at byte ${at})`;
      const scanType = r.text(at + 32, 24);
      const start = r.finite(at + 72, 'the start angle', r.f64(at + 72, `the start of ${what}`));
      const step = r.finite(at + 80, 'the step', r.f64(at + 80, `the step of ${what}`));
      const steps = r.steps(at + 88);
      const stepTimeMs = r.f32(at + 92, 'the step time');
      const wavelength = r.f64(at + 112, 'the wavelength');
      const recordSize = r.u32(at + 136, 'the data-record size');
      if (recordSize < 4 || recordSize % 4 !== 0) throw errorAtByte(r.file, at + 136, `${what} declares ${recordSize}-byte data records; a record holds float32 values`);
      const chain = r.u32(at + 140, 'the size of the range header');
      const dataAt = at + 160 + chain;
      r.need(at + 160, chain, `the header of ${what}`);
      r.need(dataAt, steps * recordSize, `the ${steps} data records of ${what}`);
      const rangeAt = at;
      const fail: Fail = (message) => errorAtByte(r.file, rangeAt + 72, `${what}, start and step: ${message}`);
      ranges.add({ twoTheta: steppedAngles(start, step, steps, fail), intensity: counts(r, dataAt, steps, recordSize) }, fail);
      if (scanType && meta.scanType === undefined) meta.scanType = scanType;
      if (Number.isFinite(stepTimeMs) && stepTimeMs > 0 && meta.stepTimeSeconds === undefined) meta.stepTimeSeconds = stepTimeMs / 1000;
      if (!implausibleWavelength(wavelength) && meta.rangeWavelength === undefined) meta.rangeWavelength = wavelength;
      at = dataAt + steps * recordSize;
      continue;
    }
    const length = r.u32(at + 4, 'a segment length');
    if (length < 8) throw errorAtByte(r.file, at + 4, `a segment of kind ${kind} declares ${length} bytes; a segment is at least 8`);
    r.need(at, length, `a segment of kind ${kind}`);
    if (kind === 10) {
      const key = r.text(at + 12, 24);
      const value = r.text(at + 36, length - 36);
      if (key && value) meta[key] = value;
    } else if (kind === 30) {
      waves = tube(r, at + 80);
      const anode = r.text(at + 116, 4);
      if (anode) meta.anode = anode;
    }
    at += length;
  }
  if (ranges.list.length === 0) throw errorAtByte(r.file, at, 'no measurement range in the file (a settings file, or truncated before the data)');
  return assemblePattern(r.file, ranges.list, { format: 'bruker-raw', ...waves, meta });
}

/**
 * Kα1, Kα2 and the ratio: float64 at `alpha1At`, +8 and +24 (Kβ sits between Kα2 and the ratio).
 * A wavelength of 0 was never written (headers are zero-filled) and states nothing; anything
 * else must be a usable wavelength, and the ratio one in [0, 1] (0: a monochromatic beam).
 */
function tube(r: Reader, alpha1At: number): Pick<MeasuredPattern, 'wavelength' | 'wavelength2' | 'kAlpha2Ratio'> {
  const at = (offset: number): Fail => (message) => errorAtByte(r.file, offset, message);
  const wavelength = (offset: number, what: string) => {
    const v = r.f64(offset, what);
    return v === 0 ? undefined : statedWavelength(v, what, at(offset));
  };
  return {
    wavelength: wavelength(alpha1At, 'the Kα1 wavelength'),
    wavelength2: wavelength(alpha1At + 8, 'the Kα2 wavelength'),
    kAlpha2Ratio: statedKAlpha2Ratio(r.f64(alpha1At + 24, 'the Kα2/Kα1 ratio'), 'the Kα2/Kα1 ratio', at(alpha1At + 24)),
  };
}

function counts(r: Reader, at: number, steps: number, recordSize: number): Float64Array {
  const out = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const offset = at + i * recordSize;
    out[i] = r.finite(offset, `the count of step ${i + 1}`, r.f32(offset, 'a count'));
  }
  return out;
}

function ascii(bytes: Uint8Array, from: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + length));
}
