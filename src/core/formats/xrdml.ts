// PANalytical XRDML: XML with the wavelengths (Kα1, Kα2, their ratio) in <usedWavelength> and
// one <scan> per range, each with <dataPoints>: the 2θ <positions> (a <listPositions> or
// start/end), <counts> or <intensities>, and the counting time. Scans along 2Theta,
// Omega-2Theta, 2Theta-Omega (and Gonio, PANalytical's coupled θ–2θ) give a 1-D pattern;
// a scan where 2θ stands still (an ω rocking curve) has no 2θ axis and is refused.
import type { MeasuredPattern } from './pattern';
import { errorAtLine } from './located';
import { assemblePattern, steppedAngles, type ScanRange } from './ranges';
import { child, childrenNamed, descendants, parseXml, type XmlElement } from './xml';
import { numberIn, numberList, optionalNumber } from './xml-values';

export function parseXrdml(text: string, file: string): MeasuredPattern {
  const root = parseXml(text, file);
  if (root.name !== 'xrdMeasurements') throw errorAtLine(file, root.line, 1, `not an XRDML file: the root element is <${root.name}>, not <xrdMeasurements>`);
  const scans = descendants(root, 'scan');
  if (scans.length === 0) throw errorAtLine(file, root.line, 1, 'no <scan> in the file');
  const ranges = scans.map((scan) => readScan(scan, file));
  const measurement = descendants(root, 'xrdMeasurement')[0];
  const wavelength = measurement ? child(measurement, 'usedWavelength') : undefined;
  const first = scans[0];
  const meta: Record<string, string | number | boolean> = {};
  const sampleId = descendants(root, 'sample')[0];
  const id = sampleId && child(sampleId, 'id')?.text.trim();
  if (id) meta.sample = id;
  if (first.attributes.scanAxis) meta.scanAxis = first.attributes.scanAxis;
  if (first.attributes.mode) meta.scanMode = first.attributes.mode;
  const started = descendants(first, 'startTimeStamp')[0]?.text.trim();
  if (started) meta.started = started;
  const time = ranges[0].countingTime;
  if (time !== undefined) meta.countingTimeSeconds = time;
  meta.intensityUnit = ranges[0].unit;
  const anode = descendants(root, 'anodeMaterial')[0]?.text.trim();
  if (anode) meta.anode = anode;
  return assemblePattern(file, ranges, {
    format: 'xrdml',
    wavelength: optionalNumber(wavelength && child(wavelength, 'kAlpha1')),
    wavelength2: optionalNumber(wavelength && child(wavelength, 'kAlpha2')),
    kAlpha2Ratio: optionalNumber(wavelength && child(wavelength, 'ratioKAlpha2KAlpha1')),
    meta,
  });
}

interface XrdmlRange extends ScanRange {
  countingTime?: number;
  unit: string;
}

function readScan(scan: XmlElement, file: string): XrdmlRange {
  const dataPoints = child(scan, 'dataPoints');
  if (!dataPoints) throw errorAtLine(file, scan.line, 1, '<scan> has no <dataPoints>');
  const values = child(dataPoints, 'counts') ?? child(dataPoints, 'intensities');
  if (!values) throw errorAtLine(file, dataPoints.line, 1, '<dataPoints> has neither <counts> nor <intensities>');
  const intensity = numberList(values, file);
  const positions = childrenNamed(dataPoints, 'positions').find((p) => p.attributes.axis === '2Theta');
  if (!positions) throw errorAtLine(file, dataPoints.line, 1, `the scan (axis "${scan.attributes.scanAxis ?? '?'}") has no 2Theta <positions>; not a 2θ pattern`);
  const twoTheta = anglesOf(positions, intensity.length, file, scan);
  const attenuation = child(dataPoints, 'beamAttenuationFactors');
  if (attenuation) {
    // Counts measured behind an attenuator are stored raw; the factors undo the attenuation.
    const factors = numberList(attenuation, file);
    if (factors.length !== intensity.length) throw errorAtLine(file, attenuation.line, 1, `<beamAttenuationFactors> has ${factors.length} values for ${intensity.length} intensities`);
    for (let i = 0; i < intensity.length; i++) intensity[i] *= factors[i];
  }
  const countingTime = child(dataPoints, 'commonCountingTime');
  return { twoTheta, intensity, countingTime: countingTime ? numberIn(countingTime, file) : undefined, unit: values.attributes.unit ?? values.name };
}

function anglesOf(positions: XmlElement, count: number, file: string, scan: XmlElement): ArrayLike<number> {
  const list = child(positions, 'listPositions');
  if (list) {
    const angles = numberList(list, file);
    if (angles.length !== count) throw errorAtLine(file, list.line, 1, `<listPositions> has ${angles.length} angles for ${count} intensities`);
    return angles;
  }
  const start = child(positions, 'startPosition');
  const end = child(positions, 'endPosition');
  if (start && end) {
    if (count < 2) throw errorAtLine(file, scan.line, 1, `a scan from startPosition to endPosition needs at least two intensities, found ${count}`);
    const from = numberIn(start, file);
    const to = numberIn(end, file);
    return steppedAngles(from, (to - from) / (count - 1), count);
  }
  if (child(positions, 'commonPosition')) throw errorAtLine(file, positions.line, 1, `2θ is fixed in this scan (axis "${scan.attributes.scanAxis ?? '?'}"); not a 2θ pattern`);
  throw errorAtLine(file, positions.line, 1, '2Theta <positions> has no listPositions, startPosition/endPosition or commonPosition');
}
