// PANalytical XRDML: XML with the wavelengths (Kα1, Kα2, their ratio) in <usedWavelength> and
// one <scan> per range, each with <dataPoints>: the 2θ <positions> (a <listPositions> or
// start/end), <counts> or <intensities>, and the counting time. Scans along 2Theta,
// Omega-2Theta, 2Theta-Omega (and Gonio, PANalytical's coupled θ–2θ) give a 1-D pattern;
// a scan where 2θ stands still (an ω rocking curve) has no 2θ axis and is refused.
import type { MeasuredPattern } from './pattern';
import { errorAtLine, quoteForMessage, quoteName } from './located';
import { assemblePattern, ScanRanges, steppedAngles } from './ranges';
import { statedTube, type TubeValue } from './stated';
import { child, childrenNamed, descendants, firstDescendant, parseXml, type XmlElement } from './xml';
import { atElement, numberIn, numberList } from './xml-values';

const TUBE_ELEMENTS: Record<TubeValue, string> = { alpha1: 'kAlpha1', alpha2: 'kAlpha2', ratio: 'ratioKAlpha2KAlpha1' };

export function parseXrdml(text: string, file: string): MeasuredPattern {
  const root = parseXml(text, file);
  if (root.name !== 'xrdMeasurements') throw errorAtLine(file, root.line, 1, `not an XRDML file: the root element is <${quoteName(root.name)}>, not <xrdMeasurements>`);
  const scans = descendants(root, 'scan');
  if (scans.length === 0) throw errorAtLine(file, root.line, 1, 'no <scan> in the file');
  const ranges = new ScanRanges();
  const details: XrdmlRange[] = [];
  for (const scan of scans) {
    const range = readScan(scan, file);
    ranges.add(range, (message) => errorAtLine(file, scan.line, 1, message));
    details.push(range);
  }
  const measurement = firstDescendant(root, 'xrdMeasurement');
  const used = measurement ? child(measurement, 'usedWavelength') : undefined;
  const tubeElement = (value: TubeValue) => (used ? child(used, TUBE_ELEMENTS[value]) : undefined);
  const tube = statedTube(
    { alpha1: tubeElement('alpha1')?.text, alpha2: tubeElement('alpha2')?.text, ratio: tubeElement('ratio')?.text },
    (value) => atElement(tubeElement(value)!, file),
  );
  const first = scans[0];
  const meta: Record<string, string | number | boolean> = {};
  const sampleId = firstDescendant(root, 'sample');
  const id = sampleId && child(sampleId, 'id')?.text.trim();
  if (id) meta.sample = id;
  if (first.attributes.scanAxis) meta.scanAxis = first.attributes.scanAxis;
  if (first.attributes.mode) meta.scanMode = first.attributes.mode;
  const started = firstDescendant(first, 'startTimeStamp')?.text.trim();
  if (started) meta.started = started;
  const time = details[0].countingTime;
  if (time !== undefined) meta.countingTimeSeconds = time;
  meta.intensityUnit = details[0].unit;
  const anode = firstDescendant(root, 'anodeMaterial')?.text.trim();
  if (anode) meta.anode = anode;
  return assemblePattern(file, ranges.list, { format: 'xrdml', ...tube, meta });
}

interface XrdmlRange {
  twoTheta: Float64Array;
  intensity: Float64Array;
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
  if (!positions) throw errorAtLine(file, dataPoints.line, 1, `the scan (axis ${quoteForMessage(scan.attributes.scanAxis ?? '?')}) has no 2Theta <positions>; not a 2θ pattern`);
  const twoTheta = anglesOf(positions, intensity.length, file, scan);
  const attenuation = child(dataPoints, 'beamAttenuationFactors');
  if (attenuation) {
    // Counts measured behind an attenuator are stored raw; the factors undo the attenuation.
    const factors = numberList(attenuation, file);
    if (factors.length !== intensity.length) throw errorAtLine(file, attenuation.line, 1, `<beamAttenuationFactors> has ${factors.length} values for ${intensity.length} intensities`);
    for (let i = 0; i < intensity.length; i++) {
      const count = intensity[i] * factors[i];
      if (!Number.isFinite(count)) throw errorAtLine(file, attenuation.line, 1, `<beamAttenuationFactors> value ${i + 1} (${factors[i]}) times intensity ${i + 1} (${intensity[i]}) is past the range of a double`);
      intensity[i] = count;
    }
  }
  const countingTime = child(dataPoints, 'commonCountingTime');
  return { twoTheta, intensity, countingTime: countingTime ? numberIn(countingTime, file) : undefined, unit: values.attributes.unit ?? values.name };
}

function anglesOf(positions: XmlElement, count: number, file: string, scan: XmlElement): Float64Array {
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
    return steppedAngles(from, (to - from) / (count - 1), count, (message) => errorAtLine(file, start.line, 1, `<startPosition> ${from} to <endPosition> ${to} in ${count} points: ${message}`));
  }
  if (child(positions, 'commonPosition')) throw errorAtLine(file, positions.line, 1, `2θ is fixed in this scan (axis ${quoteForMessage(scan.attributes.scanAxis ?? '?')}); not a 2θ pattern`);
  throw errorAtLine(file, positions.line, 1, '2Theta <positions> has no listPositions, startPosition/endPosition or commonPosition');
}
