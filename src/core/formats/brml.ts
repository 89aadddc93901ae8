// Bruker BRML: a zip of XML. Each Experiment*/RawData*.xml holds one range: <Datum> rows of
// comma-separated values whose columns the <DataViews> name (the scan-axis view's TwoTheta
// field, the first recorded counter); the tube's Kα1/Kα2/ratio sit in the same file.
import { unzipSync } from 'fflate';
import type { MeasuredPattern } from './pattern';
import { errorAtLine, errorInFile } from './located';
import { assemblePattern, type ScanRange } from './ranges';
import { child, descendants, parseXml, type XmlElement } from './xml';
import { parseNumber } from './text';

const RAW_DATA = /(^|\/)RawData\d*\.xml$/i;

export function parseBrml(bytes: Uint8Array, file: string): MeasuredPattern {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => RAW_DATA.test(f.name) });
  } catch (e) {
    throw errorInFile(file, `not a readable zip archive (${(e as Error).message}); a .brml file is a zip of XML`);
  }
  const names = Object.keys(entries).sort(byRawDataNumber);
  if (names.length === 0) throw errorInFile(file, 'no Experiment*/RawData*.xml in the archive; not a Bruker BRML file');
  const ranges: ScanRange[] = [];
  const meta: Record<string, string | number | boolean> = {};
  let tube: XmlElement | undefined;
  for (const name of names) {
    const where = `${file}/${name}`;
    const root = parseXml(new TextDecoder('utf-8').decode(entries[name]), where);
    ranges.push(readRawData(root, where));
    tube ??= descendants(root, 'WaveLengthAlpha1')[0] ? root : undefined;
    const scan = descendants(root, 'ScanInformation')[0];
    if (scan && meta.scanName === undefined) {
      if (scan.attributes.ScanName) meta.scanName = scan.attributes.ScanName;
      const step = descendants(scan, 'TimePerStep')[0]?.text.trim();
      if (step) meta.timePerStepSeconds = Number(step);
    }
    const started = child(root, 'TimeStampStarted')?.text.trim();
    if (started && meta.started === undefined) meta.started = started;
  }
  const value = (element: string) => {
    const found = tube && descendants(tube, element)[0];
    const v = found ? parseNumber((found.attributes.Value ?? '').trim()) : Number.NaN;
    return Number.isFinite(v) ? v : undefined;
  };
  const anode = tube && descendants(tube, 'TubeMaterial')[0]?.text.trim();
  if (anode) meta.anode = anode;
  return assemblePattern(file, ranges, {
    format: 'brml',
    wavelength: value('WaveLengthAlpha1'),
    wavelength2: value('WaveLengthAlpha2'),
    kAlpha2Ratio: value('WaveLengthRatio'),
    meta,
  });
}

function byRawDataNumber(a: string, b: string): number {
  const n = (s: string) => s.match(/\d+/g)?.map(Number) ?? [];
  const [x, y] = [n(a), n(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  return a.localeCompare(b);
}

function readRawData(root: XmlElement, where: string): ScanRange {
  const route = descendants(root, 'DataRoute').find((r) => r.attributes.RouteFlag === 'Measured') ?? descendants(root, 'DataRoute')[0];
  if (!route) throw errorAtLine(where, root.line, 1, 'no <DataRoute> with measured data');
  const { twoThetaColumn, countsColumn } = columnsOf(route, where);
  const datums = descendants(route, 'Datum');
  if (datums.length === 0) throw errorAtLine(where, route.line, 1, 'no <Datum> rows in the measured data');
  const rows = datums.map((d) => d.text.trim().split(','));
  const twoTheta: number[] = [];
  const intensity: number[] = [];
  rows.forEach((row, i) => {
    const line = datums[i].line;
    if (row.length <= Math.max(twoThetaColumn, countsColumn)) throw errorAtLine(where, line, 1, `<Datum> has ${row.length} values; the data views need ${Math.max(twoThetaColumn, countsColumn) + 1}`);
    const x = parseNumber(row[twoThetaColumn].trim());
    const y = parseNumber(row[countsColumn].trim());
    if (!Number.isFinite(x)) throw errorAtLine(where, line, 1, `<Datum> 2θ (value ${twoThetaColumn + 1}) is not a finite number: "${row[twoThetaColumn]}"`);
    if (!Number.isFinite(y)) throw errorAtLine(where, line, 1, `<Datum> counts (value ${countsColumn + 1}) is not a finite number: "${row[countsColumn]}"`);
    twoTheta.push(x);
    intensity.push(y);
  });
  return { twoTheta, intensity };
}

function columnsOf(route: XmlElement, where: string): { twoThetaColumn: number; countsColumn: number } {
  const views = descendants(route, 'RawDataView');
  let twoThetaColumn = -1;
  let countsColumn = -1;
  for (const view of views) {
    const start = Number(view.attributes.Start);
    if (!Number.isInteger(start)) continue;
    const fields = descendants(view, 'FieldDefinitions');
    const twoTheta = fields.findIndex((f) => f.attributes.FieldName === 'TwoTheta' || f.attributes.AxisId === 'TwoTheta');
    if (twoTheta >= 0 && twoThetaColumn < 0) twoThetaColumn = start + twoTheta;
    if (view.attributes.type?.endsWith('RecordedRawDataView') && countsColumn < 0) countsColumn = start;
  }
  if (views.length === 0) {
    // Files without data views (older DIFFRAC.SUITE) write time, absorption, 2θ, θ, counts.
    return { twoThetaColumn: 2, countsColumn: 4 };
  }
  if (twoThetaColumn < 0) {
    const axis = descendants(route, 'ScanAxisInfo')[0]?.attributes.AxisName ?? '?';
    throw errorAtLine(where, route.line, 1, `the scan has no TwoTheta axis (it scans "${axis}"); not a 2θ pattern`);
  }
  if (countsColumn < 0) throw errorAtLine(where, route.line, 1, 'no recorded counter in the data views');
  return { twoThetaColumn, countsColumn };
}
