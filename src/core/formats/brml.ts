// Bruker BRML: a zip of XML. Each Experiment*/RawData*.xml holds one range: <Datum> rows of
// comma-separated values whose columns the <DataViews> name (the scan-axis view's TwoTheta
// field, the first recorded counter); the tube's Kα1/Kα2/ratio sit in the same file.
import type { MeasuredPattern } from './pattern';
import { errorAtLine, errorInFile, quoteForMessage, quoteName } from './located';
import { assemblePattern, NumberColumn, ScanRanges, type ScanRange } from './ranges';
import { statedTube, type TubeValue } from './stated';
import { child, descendants, firstDescendant, parseXml, type XmlElement } from './xml';
import { atElement } from './xml-values';
import { badNumber, parseNumber } from './text';
import { readZipMembers } from './zip';

const RAW_DATA = /(^|\/)RawData\d*\.xml$/i;

const TUBE_ELEMENTS: Record<TubeValue, string> = { alpha1: 'WaveLengthAlpha1', alpha2: 'WaveLengthAlpha2', ratio: 'WaveLengthRatio' };

export function parseBrml(bytes: Uint8Array, file: string): MeasuredPattern {
  const members = readZipMembers(bytes, file, (name) => RAW_DATA.test(name));
  members.sort((a, b) => byRawDataNumber(a.name, b.name));
  if (members.length === 0) throw errorInFile(file, 'no Experiment*/RawData*.xml in the archive; not a Bruker BRML file');
  const ranges = new ScanRanges();
  const meta: Record<string, string | number | boolean> = {};
  let tube: { root: XmlElement; where: string } | undefined;
  for (const member of members) {
    const where = `${file}/${quoteName(member.name)}`;
    const root = parseXml(new TextDecoder('utf-8').decode(member.data), where);
    ranges.add(readRawData(root, where), (message) => errorAtLine(where, root.line, 1, message));
    if (!tube && firstDescendant(root, 'WaveLengthAlpha1')) tube = { root, where };
    const scan = firstDescendant(root, 'ScanInformation');
    if (scan && meta.scanName === undefined) {
      if (scan.attributes.ScanName) meta.scanName = scan.attributes.ScanName;
      const step = firstDescendant(scan, 'TimePerStep')?.text.trim();
      if (step && Number.isFinite(parseNumber(step))) meta.timePerStepSeconds = parseNumber(step);
    }
    const started = child(root, 'TimeStampStarted')?.text.trim();
    if (started && meta.started === undefined) meta.started = started;
  }
  const element = (value: TubeValue) => (tube ? firstDescendant(tube.root, TUBE_ELEMENTS[value]) : undefined);
  const stated = statedTube(
    { alpha1: element('alpha1')?.attributes.Value, alpha2: element('alpha2')?.attributes.Value, ratio: element('ratio')?.attributes.Value },
    (value) => atElement(element(value)!, tube!.where),
  );
  const anode = tube && firstDescendant(tube.root, 'TubeMaterial')?.text.trim();
  if (anode) meta.anode = anode;
  return assemblePattern(file, ranges.list, { format: 'brml', ...stated, meta });
}

function byRawDataNumber(a: string, b: string): number {
  const n = (s: string) => s.match(/\d+/g)?.map(Number) ?? [];
  const [x, y] = [n(a), n(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  return a.localeCompare(b);
}

function readRawData(root: XmlElement, where: string): ScanRange {
  const routes = descendants(root, 'DataRoute');
  const route = routes.find((r) => r.attributes.RouteFlag === 'Measured') ?? routes[0];
  if (!route) throw errorAtLine(where, root.line, 1, 'no <DataRoute> with measured data');
  const { twoThetaColumn, countsColumn } = columnsOf(route, where);
  const datums = descendants(route, 'Datum');
  if (datums.length === 0) throw errorAtLine(where, route.line, 1, 'no <Datum> rows in the measured data');
  const full = (message: string) => errorAtLine(where, route.line, 1, message);
  const twoTheta = new NumberColumn(full);
  const intensity = new NumberColumn(full);
  const wanted = Math.max(twoThetaColumn, countsColumn) + 1;
  for (const datum of datums) {
    // Only the first `wanted` values are looked at: a row of a million commas costs no more.
    const row = datum.text.trim().split(',', wanted);
    if (row.length < wanted) throw errorAtLine(where, datum.line, 1, `<Datum> has ${row.length} values; the data views need ${wanted}`);
    const value = (column: number, what: string) => {
      const v = parseNumber(row[column].trim());
      if (!Number.isFinite(v)) throw errorAtLine(where, datum.line, 1, `<Datum> ${what} (value ${column + 1}) is ${badNumber(row[column].trim())}`);
      return v;
    };
    twoTheta.push(value(twoThetaColumn, '2θ'));
    intensity.push(value(countsColumn, 'counts'));
  }
  return { twoTheta: twoTheta.values(), intensity: intensity.values() };
}

function columnsOf(route: XmlElement, where: string): { twoThetaColumn: number; countsColumn: number } {
  const views = descendants(route, 'RawDataView');
  let twoThetaColumn = -1;
  let countsColumn = -1;
  for (const view of views) {
    const start = Number(view.attributes.Start);
    if (!Number.isInteger(start) || start < 0) continue;
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
    const axis = firstDescendant(route, 'ScanAxisInfo')?.attributes.AxisName ?? '?';
    throw errorAtLine(where, route.line, 1, `the scan has no TwoTheta axis (it scans ${quoteForMessage(axis)}); not a 2θ pattern`);
  }
  if (countsColumn < 0) throw errorAtLine(where, route.line, 1, 'no recorded counter in the data views');
  return { twoThetaColumn, countsColumn };
}
