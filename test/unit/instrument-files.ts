// Instrument files built from the layouts the readers document (each reader's header comment),
// for tests that need a file the real fixtures do not show: other numbers in the same places.
// Numbers of the text formats are given as text, so a test can write what no number prints as
// ("1e309", "NaN", four hundred digits).
import { gzipSync, zipSync, strToU8 } from 'fflate';
import { writeNpy } from '../../src/core/library/npy';

const text = (s: string) => new TextEncoder().encode(s);

/** The tube values of a binary header: Kα1, Kα2 and the Kα2/Kα1 ratio. */
export type Tube = [alpha1: number, alpha2: number, ratio: number];

/** A RAW4.00 file built from the layout in src/core/formats/bruker-raw.ts's header comment. */
export function makeRaw4(range: { start: number; step: number; counts: number[] }, tube: Tube = [1.5406, 1.54439, 0.5]): Uint8Array {
  const parts: Uint8Array[] = [];
  const preamble = new Uint8Array(61);
  preamble.set(text('RAW4.00'));
  parts.push(preamble);
  const keyValue = new Uint8Array(64);
  const kv = new DataView(keyValue.buffer);
  kv.setUint32(0, 10, true);
  kv.setUint32(4, 64, true);
  keyValue.set(text('SampleID'), 12);
  keyValue.set(text('quartz'), 36);
  parts.push(keyValue);
  const tubeSegment = new Uint8Array(128);
  const t = new DataView(tubeSegment.buffer);
  t.setUint32(0, 30, true);
  t.setUint32(4, 128, true);
  // Kα average, Kα1, Kα2, Kβ, ratio from +72.
  [1.5418, tube[0], tube[1], 1.39222, tube[2]].forEach((v, i) => t.setFloat64(72 + 8 * i, v, true));
  tubeSegment.set(text('Cu'), 116);
  parts.push(tubeSegment);
  const drive = new Uint8Array(64);
  const d = new DataView(drive.buffer);
  d.setUint32(0, 50, true);
  d.setUint32(4, 64, true);
  const header = new Uint8Array(160);
  const h = new DataView(header.buffer);
  h.setUint32(0, 160, true);
  header.set(text('Locked Coupled'), 32);
  h.setFloat64(72, range.start, true);
  h.setFloat64(80, range.step, true);
  h.setUint32(88, range.counts.length, true);
  h.setFloat32(92, 1000, true);
  h.setUint32(136, 8, true);
  h.setUint32(140, drive.length, true);
  parts.push(header, drive);
  const records = new Uint8Array(8 * range.counts.length);
  const r = new DataView(records.buffer);
  range.counts.forEach((c, i) => {
    r.setFloat32(8 * i, c, true);
    r.setInt32(8 * i + 4, 1, true);
  });
  parts.push(records);
  return concat(parts);
}

/** A RAW1.01 file built from the layout in src/core/formats/bruker-raw.ts's header comment. */
export function makeRaw101(ranges: { start: number; step: number; counts: number[]; supplementary: number; recordSize: number }[], tube: Tube = [1.5406, 0, 0]): Uint8Array {
  const size = 712 + ranges.reduce((n, r) => n + 304 + r.supplementary + r.counts.length * r.recordSize, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set(text('RAW1.01'));
  v.setUint32(12, ranges.length, true);
  v.setFloat64(624, tube[0], true);
  v.setFloat64(632, tube[1], true);
  v.setFloat64(648, tube[2], true);
  let at = 712;
  for (const r of ranges) {
    v.setUint32(at, 304, true);
    v.setUint32(at + 4, r.counts.length, true);
    v.setFloat64(at + 8, r.start / 2, true); // θ, which must not be taken for 2θ
    v.setFloat64(at + 16, r.start, true);
    v.setFloat64(at + 176, r.step, true);
    v.setUint32(at + 252, r.recordSize, true);
    v.setUint32(at + 256, r.supplementary, true);
    at += 304 + r.supplementary;
    r.counts.forEach((c, i) => v.setFloat32(at + i * r.recordSize, c, true));
    at += r.counts.length * r.recordSize;
  }
  return out;
}

/** The tube as a text or XML header states it; absent values are left out. */
export interface TubeText {
  alpha1?: string;
  alpha2?: string;
  ratio?: string;
}

/** A PANalytical XRDML: 2θ as <listPositions> (`angles`) or start/end positions, optional attenuation factors. */
export function xrdmlText(scan: { angles?: string[]; start?: string; end?: string; counts: string[]; attenuation?: string[] }, tube: TubeText = {}): string {
  const positions = scan.angles ? `<listPositions>${scan.angles.join(' ')}</listPositions>` : `<startPosition>${scan.start}</startPosition>\n<endPosition>${scan.end}</endPosition>`;
  const wavelength = [['kAlpha1', tube.alpha1], ['kAlpha2', tube.alpha2], ['ratioKAlpha2KAlpha1', tube.ratio]]
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `<${name}>${v}</${name}>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/1.5">',
    '<xrdMeasurement measurementType="Scan">',
    `<usedWavelength intended="K-Alpha 1">\n${wavelength}\n</usedWavelength>`,
    '<scan scanAxis="Gonio" mode="Continuous">',
    '<dataPoints>',
    `<positions axis="2Theta" unit="deg">\n${positions}\n</positions>`,
    scan.attenuation ? `<beamAttenuationFactors>${scan.attenuation.join(' ')}</beamAttenuationFactors>` : '',
    '<commonCountingTime unit="seconds">1.0</commonCountingTime>',
    `<intensities unit="counts">${scan.counts.join(' ')}</intensities>`,
    '</dataPoints>',
    '</scan>',
    '</xrdMeasurement>',
    '</xrdMeasurements>',
    '',
  ].join('\n');
}

/** A Bruker BRML: one Experiment0/RawData0.xml whose <Datum> rows are "time,1,2θ,θ,counts" (no data views). */
export function brmlBytes(rows: { twoTheta: string; counts: string }[], tube: TubeText = {}): Uint8Array {
  const element = (name: string, v: string | undefined) => (v === undefined ? '' : `<${name} Unit="Å" Value="${v}" />`);
  const xml = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<RawData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '<DataRoutes><DataRoute RouteFlag="Measured">',
    ...rows.map((r) => `<Datum>1,1,${r.twoTheta},0,${r.counts}</Datum>`),
    '</DataRoute></DataRoutes>',
    `<FixedInformation><Instrument><PrimaryTracks><TrackInfoData><MountedOptics><InfoData><Tube>${element('WaveLengthAlpha1', tube.alpha1)}${element('WaveLengthAlpha2', tube.alpha2)}${element('WaveLengthRatio', tube.ratio)}</Tube></InfoData></MountedOptics></TrackInfoData></PrimaryTracks></Instrument></FixedInformation>`,
    '</RawData>',
  ].join('\n');
  return zipSync({ 'Experiment0/RawData0.xml': strToU8(xml) });
}

/** A Rigaku .ras: rows of "angle intensity attenuation". */
export function rasText(rows: [string, string, string][], tube: TubeText = {}): string {
  return [
    '*RAS_DATA_START',
    '*RAS_HEADER_START',
    '*MEAS_SCAN_AXIS_X "TwoThetaTheta"',
    ...(tube.alpha1 !== undefined ? [`*HW_XG_WAVE_LENGTH_ALPHA1 "${tube.alpha1}"`] : []),
    ...(tube.alpha2 !== undefined ? [`*HW_XG_WAVE_LENGTH_ALPHA2 "${tube.alpha2}"`] : []),
    '*RAS_HEADER_END',
    '*RAS_INT_START',
    ...rows.map((r) => r.join(' ')),
    '*RAS_INT_END',
    '*RAS_DATA_END',
    '',
  ].join('\n');
}

/** A Rigaku ASCII .asc: one *BEGIN…*END group of comma-separated intensities from *START in steps of *STEP. */
export function ascText(start: string, step: string, counts: string[], tube: TubeText = {}): string {
  return [
    '*TYPE\t\t=  Raw',
    '*SCAN_AXIS\t=  2Theta/Theta',
    ...(tube.alpha1 !== undefined ? [`*WAVE_LENGTH1\t=  ${tube.alpha1}`] : []),
    ...(tube.alpha2 !== undefined ? [`*WAVE_LENGTH2\t=  ${tube.alpha2}`] : []),
    '*BEGIN',
    `*START\t\t=  ${start}`,
    `*STEP\t\t=  ${step}`,
    `*COUNT\t\t=  ${counts.length}`,
    counts.join(', '),
    '*END',
    '',
  ].join('\n');
}

/** A Siemens/Bruker .uxd: "2θ counts" pairs after _2THETACOUNTS, or counts after _COUNTS with _START/_STEPSIZE. */
export function uxdText(data: { pairs: [string, string][] } | { start: string; step: string; counts: string[] }, tube: TubeText = {}): string {
  const head = ['_FILEVERSION=1', ...(tube.alpha1 !== undefined ? [`_WL1=${tube.alpha1}`] : []), ...(tube.alpha2 !== undefined ? [`_WL2=${tube.alpha2}`] : []), ...(tube.ratio !== undefined ? [`_WLRATIO=${tube.ratio}`] : []), "_DRIVE='COUPLED'"];
  const body = 'pairs' in data ? ['_2THETACOUNTS', ...data.pairs.map((p) => `  ${p.join('\t')}`)] : [`_START=${data.start}`, `_STEPSIZE=${data.step}`, `_STEPCOUNT=${data.counts.length}`, '_COUNTS', `  ${data.counts.join(' ')}`];
  return [...head, '; range 1', ...body, ''].join('\n');
}

/** A GSAS file with one bank: FXYE rows "2θ(centidegrees) I σ", or ESD (I, σ) pairs in 8-character fields. */
export function gsasText(bank: { type: 'FXYE'; rows: [string, string, string][] } | { type: 'ESD'; start: string; step: string; values: [string, string][] }, wavelength?: string): string {
  const head = ['a GSAS powder file', ...(wavelength !== undefined ? [`# wavelength = ${wavelength}`] : [])];
  if (bank.type === 'FXYE') return [...head, `BANK 1 ${bank.rows.length} ${bank.rows.length} CONS 1000 5 0 0 FXYE`, ...bank.rows.map((r) => r.join(' ')), ''].join('\n');
  const records: string[] = [];
  for (let i = 0; i < bank.values.length; i += 5) records.push(bank.values.slice(i, i + 5).map(([v, s]) => v.padStart(8).slice(0, 8) + s.padStart(8).slice(0, 8)).join(''));
  return [...head, `BANK 1 ${bank.values.length} ${records.length} CONST ${bank.start} ${bank.step} 0 0 ESD`, ...records, ''].join('\n');
}

/** An .xrd collection with a 2θ list, samples of intensities (as JSON number text) and optional compositions. */
export function xrdText(collection: { twoTheta: string[]; samples: { intensity: string[]; composition?: Record<string, string>; x?: string }[]; wavelength?: string }): string {
  const samples = collection.samples.map((s, i) => {
    const composition = s.composition ? `, "composition": {${Object.entries(s.composition).map(([e, v]) => `"${e}": ${v}`).join(', ')}}` : '';
    return `{"id": "s${i + 1}"${s.x !== undefined ? `, "x": ${s.x}, "y": 0` : ''}${composition}, "intensity": [${s.intensity.join(', ')}]}`;
  });
  return `{"format": "latent-xrd-collection", "version": 1, "title": "t", "kind": "library"${collection.wavelength !== undefined ? `, "wavelength": ${collection.wavelength}` : ''}, "twoTheta": [${collection.twoTheta.join(', ')}],\n"samples": [\n${samples.join(',\n')}\n]}\n`;
}

/** A float64 .npy of the given shape. */
export function npyBytes(shape: number[], data: ArrayLike<number>): Uint8Array {
  return writeNpy(shape, data);
}

/** A gzip of several members (concatenated gzip streams), the text cut at `cuts`. */
export function gzipMembers(content: Uint8Array, cuts: number[]): Uint8Array {
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < content.length).sort((a, b) => a - b), content.length];
  return concat(bounds.slice(1).map((end, i) => gzipSync(content.subarray(bounds[i], end))));
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
