// Instrument file formats (issue 5): every real file in test/fixtures/instrument-formats is read
// and checked against the values its own header states (read by hand with zcat, xxd/struct and
// unzip -p, quoted next to each number); damaged files must end in a located UserError.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { gzipSync, zipSync, strToU8 } from 'fflate';
import fc from 'fast-check';
import { readPattern, isPatternFile, PATTERN_EXTENSIONS, writeXy, type MeasuredPattern } from '../../src/core/formats';
import { UserError } from '../../src/core/diagnostics';
import { runCli } from '../../src/cli/main';
import { parseNumber } from '../../src/core/formats/text';
import { makeRaw101, makeRaw4 } from './instrument-files';

const root = join(__dirname, '../../..');
const fixtureDir = join(root, 'test/fixtures/instrument-formats');
const read = (name: string) => readPattern(readFileSync(join(fixtureDir, name)), name);
const text = (s: string) => new TextEncoder().encode(s);

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: root });
  return { code, stdout, stderr };
}

const first = (p: MeasuredPattern) => p.twoTheta[0];
const last = (p: MeasuredPattern) => p.twoTheta[p.twoTheta.length - 1];
function near(actual: number | undefined, expected: number, tolerance: number, what: string) {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}
function strictlyOrdered(p: MeasuredPattern) {
  for (let i = 1; i < p.twoTheta.length; i++) assert.ok(p.twoTheta[i] > p.twoTheta[i - 1], `2θ out of order at ${i}`);
  assert.equal(p.intensity.length, p.twoTheta.length);
  for (const v of p.intensity) assert.ok(Number.isFinite(v));
}

describe('instrument formats: the real files in /work/shared/data/patterns/instrument-formats', () => {
  // The shared folder as it was when the fixtures were copied (sha256 of each file): the fixtures
  // are checked against it on every run, the shared folder too where this machine has it.
  const SHARED_FILES: [string, string][] = [
    ['2Theta.asc.gz', '2402d70a0a08efeecb00b8d485f321e367ae4b82ded2cbd43cc0dafd542f93bf'],
    ['BT86-siemens.uxd.gz', 'cb44af24a30eabc1314e7900f796bded087ce10c60ff47d2edb07ff7da48dcc9'],
    ['BT86.raw', 'ab116f76ac0bbe875c471a9284b5b5d80706b21b24ca167cbb2d1ac94972b42b'],
    ['Cu3Au-1.raw', 'e3fd9b5113203901c03cfbbbced94df4ca95bac767d80eeb71dc31ca73d20e12'],
    ['FAP-laboratory.gsas.gz', 'da8f690c3feabce8916365cdf97961c32c6e0ae6be621884615ad62515b04625'],
    ['IKZ-Berlin-Si-substrate-2theta-omega-44-48deg.brml', '055c3daf95626a098184142513473e9d4141c435d138ea7352954311a641c7cd'],
    ['MB120718Si3.ras.gz', 'e9a16d89eec59ef3a99c2e0b83dd1730eb7e572b47ba0d0a6f8d708bbaad1301'],
    ['PANalytical-powder-xrd-3-70deg.xrdml', '80a30f9b8742b3e336f462c15e480d1f90008ddf9d6c27994f24c2cd630b53d7'],
    ['YBCO-A1-HG-600C-950C.brml', '2e656c87b489da94f4afcc3cb266ddb85a8690cb1f1e6e077ac84eb7c7603f9f'],
    ['aimat-powder-xrd-30-110deg.xy.gz', '70309e2830786f44cbfa8bed0af530791477b13dc89b7e1249d4e5fb6acc7f91'],
  ];
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('has a header test for every file of the shared folder, each fixture an unchanged copy', () => {
    const tested = new Set(['2Theta.asc.gz', 'BT86-siemens.uxd.gz', 'BT86.raw', 'Cu3Au-1.raw', 'FAP-laboratory.gsas.gz', 'IKZ-Berlin-Si-substrate-2theta-omega-44-48deg.brml', 'MB120718Si3.ras.gz', 'PANalytical-powder-xrd-3-70deg.xrdml', 'YBCO-A1-HG-600C-950C.brml', 'aimat-powder-xrd-30-110deg.xy.gz']);
    for (const [name, hash] of SHARED_FILES) {
      assert.ok(tested.has(name), `${name} has no header test`);
      assert.equal(sha256(join(fixtureDir, name)), hash, `${name}: the fixture is not the shared file`);
    }
    const shared = '/work/shared/data/patterns/instrument-formats';
    if (existsSync(shared)) {
      assert.deepEqual(readdirSync(shared).sort(), SHARED_FILES.map(([n]) => n).sort(), 'the shared folder has files this list does not');
      for (const [name, hash] of SHARED_FILES) assert.equal(sha256(join(shared, name)), hash, `${name} changed in the shared folder`);
    }
  });

  it('Rigaku .asc (gzip): START, STOP, COUNT and wavelengths of its header', () => {
    const p = read('2Theta.asc.gz');
    assert.equal(p.format, 'rigaku-asc');
    near(first(p), 4, 1e-3, 'first 2θ'); //   "*START		=  4"
    near(last(p), 80, 1e-3, 'last 2θ'); //    "*STOP		=  80"
    assert.equal(p.twoTheta.length, 7601); // "*COUNT		=  7601"
    assert.equal(p.wavelength, 1.54059); //   "*WAVE_LENGTH1	=  1.54059"
    assert.equal(p.wavelength2, 1.54441); //  "*WAVE_LENGTH2	=  1.54441"
    assert.equal(p.intensity[0], 767); // first data row "767, 778, …" (zcat | sed -n 76p)
    assert.equal(p.meta?.compressed, 'gzip');
    strictlyOrdered(p);
  });

  it('Siemens .uxd (gzip): _START, the data rows and _WL1/_WL2/_WLRATIO', () => {
    const p = read('BT86-siemens.uxd.gz');
    assert.equal(p.format, 'uxd');
    near(first(p), 3, 1e-3, 'first 2θ'); //      "_START=3.000000" and first row "3.000	187"
    near(last(p), 40.0, 1e-3, 'last 2θ'); //     last row "40.00	269" (the file states no stop or count)
    assert.equal(p.twoTheta.length, 2374); //   the RAW1.01 original's range header says 2374 steps (below)
    near(p.twoTheta[1] - p.twoTheta[0], 0.015592, 1e-3, 'step'); // "_STEPSIZE=0.015592" (rows rounded to 0.001)
    assert.equal(p.wavelength, 1.5406); //       "_WL1=1.540600"
    assert.equal(p.wavelength2, 1.54439); //     "_WL2=1.544390"
    assert.equal(p.kAlpha2Ratio, 0.5); //        "_WLRATIO=0.500000"
    assert.deepEqual([p.intensity[0], p.intensity[2373]], [187, 269]);
  });

  it('Bruker RAW1.01: steps, start 2θ and step of the range header, tube wavelengths of the file header', () => {
    const p = read('BT86.raw');
    assert.equal(p.format, 'bruker-raw');
    // Range header at byte 712 (struct.unpack_from): steps u32 @716 = 2374, start 2θ f64 @728 = 3.0,
    // step f64 @888 = 0.0155922 → last = 3 + 2373 × 0.0155922 = 40.0002906.
    assert.equal(p.twoTheta.length, 2374);
    near(first(p), 3.0, 1e-3, 'first 2θ');
    near(last(p), 40.0002906, 1e-3, 'last 2θ');
    // File header: f64 @624 Kα1 = 1.5406, @632 Kα2 = 1.54439, @648 ratio = 0.5; "Cu" @608.
    assert.equal(p.wavelength, 1.5406);
    assert.equal(p.wavelength2, 1.54439);
    assert.equal(p.kAlpha2Ratio, 0.5);
    assert.equal(p.meta?.anode, 'Cu');
    // The same measurement exported as UXD by Bruker's own converter: the same counts.
    const uxd = read('BT86-siemens.uxd.gz');
    assert.deepEqual(Array.from(p.intensity), Array.from(uxd.intensity));
  });

  it('Bruker RAW1.01: Cu3Au-1', () => {
    const p = read('Cu3Au-1.raw');
    // Range header at 712: steps u32 @716 = 3901, start 2θ f64 @728 = 22.0, step f64 @888 = 0.02.
    assert.equal(p.twoTheta.length, 3901);
    near(first(p), 22.0, 1e-3, 'first 2θ');
    near(last(p), 22 + 3900 * 0.02, 1e-3, 'last 2θ');
    assert.equal(p.wavelength, 1.5406); // f64 @624
  });

  it('GSAS STD, CONST binning in centidegrees (gzip)', () => {
    const p = read('FAP-laboratory.gsas.gz');
    assert.equal(p.format, 'gsas');
    // "BANK 1  5753  576 CONST 1500 2 0 0 STD": 5753 points from 1500 centidegrees in steps of 2.
    assert.equal(p.twoTheta.length, 5753);
    near(first(p), 15.0, 1e-3, 'first 2θ');
    near(last(p), 15 + 5752 * 0.02, 1e-3, 'last 2θ');
    // First record "     609     612 …": σ² = I / (number of counters, blank = 1).
    assert.equal(p.intensity[0], 609);
    near(p.sigma?.[0], Math.sqrt(609), 1e-12, 'σ of the first point');
    assert.equal(p.wavelength, undefined); // a GSAS data file does not state it
  });

  it('Bruker BRML (IKZ, 2θ–ω): ScanAxisInfo TwoTheta Start/Stop, MeasurementPoints, tube wavelengths', () => {
    const p = read('IKZ-Berlin-Si-substrate-2theta-omega-44-48deg.brml');
    assert.equal(p.format, 'brml');
    // unzip -p … Experiment0/RawData0.xml: <ScanAxisInfo AxisId="TwoTheta"> <Start>44</Start> <Stop>48</Stop>
    near(first(p), 44, 1e-3, 'first 2θ');
    near(last(p), 48, 1e-3, 'last 2θ');
    assert.equal(p.twoTheta.length, 2001); // <MeasurementPoints>2001</MeasurementPoints>
    assert.equal(p.wavelength, 1.5406); //    <WaveLengthAlpha1 Unit="Å" Value="1.5406" />
    assert.equal(p.wavelength2, 1.54439); //  <WaveLengthAlpha2 Unit="Å" Value="1.54439" />
    assert.equal(p.kAlpha2Ratio, 0.5); //     <WaveLengthRatio Unit="" Value="0.5" />
    // The counter is column 8 (RecordedRawDataView Start="7"): first <Datum>1,1,44,18.028,…,2.63482,3</Datum>
    assert.equal(p.intensity[0], 3);
  });

  it('Bruker BRML (YBCO, locked coupled PSD)', () => {
    const p = read('YBCO-A1-HG-600C-950C.brml');
    // <Start>4.997902429</Start> <Stop>89.992902429</Stop> of the TwoTheta ScanAxisInfo
    near(first(p), 4.997902429, 1e-3, 'first 2θ');
    near(last(p), 89.992902429, 1e-3, 'last 2θ');
    assert.equal(p.twoTheta.length, 4133); // <MeasurementPoints>4133</MeasurementPoints>
    assert.equal(p.wavelength, 1.5406); //    <WaveLengthAlpha1 Unit="Å" Value="1.5406" />
    assert.equal(p.intensity[0], 5301); //    first <Datum>19.2,1,4.9979,2.49895,5301</Datum> (view Start="4")
    strictlyOrdered(p);
  });

  it('Rigaku RAS (gzip): MEAS_SCAN_START/STOP, MEAS_DATA_COUNT, wavelengths', () => {
    const p = read('MB120718Si3.ras.gz');
    assert.equal(p.format, 'rigaku-ras');
    near(first(p), 2, 1e-3, 'first 2θ'); //   *MEAS_SCAN_START "2.0000000000"
    near(last(p), 30, 1e-3, 'last 2θ'); //    *MEAS_SCAN_STOP "30.0000000000"
    assert.equal(p.twoTheta.length, 1401); // *MEAS_DATA_COUNT "1401.0000000000"
    assert.equal(p.wavelength, 1.540593); //  *HW_XG_WAVE_LENGTH_ALPHA1 "1.540593"
    assert.equal(p.wavelength2, 1.544414); // *HW_XG_WAVE_LENGTH_ALPHA2 "1.544414"
    assert.equal(p.intensity[0], 7994); //    first row "2.0000 7994.0000 1.0000"
  });

  it('PANalytical XRDML (<intensities>, start/end positions)', () => {
    const p = read('PANalytical-powder-xrd-3-70deg.xrdml');
    assert.equal(p.format, 'xrdml');
    near(first(p), 3.00835563, 1e-3, 'first 2θ'); // <positions axis="2Theta"> <startPosition>3.00835563
    near(last(p), 70.00383296, 1e-3, 'last 2θ'); //  <endPosition>70.00383296</endPosition>
    assert.equal(p.wavelength, 1.540598); //  <kAlpha1 unit="Angstrom">1.5405980</kAlpha1>
    assert.equal(p.wavelength2, 1.544426); // <kAlpha2 unit="Angstrom">1.5444260</kAlpha2>
    assert.equal(p.kAlpha2Ratio, 0.5); //     <ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1>
    assert.equal(p.meta?.countingTimeSeconds, 120.015); // <commonCountingTime unit="seconds">120.015
    assert.equal(p.meta?.scanAxis, 'Gonio'); // <scan … scanAxis="Gonio">
    assert.equal(p.intensity[0], 445);
  });

  it('stitched .xy (gzip): every point of both overlapping ranges, ordered by 2θ, marked as stitched', () => {
    const p = read('aimat-powder-xrd-30-110deg.xy.gz');
    // No header: the first line is "30.00313028,232.0", the last "110.0656187,133.0"; 3050 lines,
    // and line 1377 ("64.98220287,0") goes back below line 1376 ("66.0851466,…"): a second range.
    near(first(p), 30.00313028, 1e-3, 'first 2θ');
    near(last(p), 110.0656187, 1e-3, 'last 2θ');
    assert.equal(p.meta?.stitched, true);
    assert.equal(p.meta?.ranges, 2);
    strictlyOrdered(p);
    // Two angles are measured twice, once in each range: 64.98220287° (169.0 and, first of the
    // second range, 0) and 69.70313028° (102.4946484054787 and 152.65112392467603). Each becomes
    // one point, the mean, so that 2θ strictly increases: 3050 lines, 3048 points.
    assert.equal(p.twoTheta.length, 3048);
    assert.equal(p.meta?.repeatedAngles, 2);
    const at = (angle: number) => p.intensity[Array.from(p.twoTheta).indexOf(angle)];
    assert.equal(at(64.98220287), (169 + 0) / 2);
    assert.equal(at(69.70313028), (102.4946484054787 + 152.65112392467603) / 2);
  });
});

describe('instrument formats: other real files', () => {
  it('LaB6 .xye standard (gzip here): three columns, σ kept, 17,381 points', () => {
    const p = read('LaB6_d500_si_psd.xye.gz');
    assert.equal(p.twoTheta.length, 17381); // DESIGN.md: "a LaB6 .xye, 17,381 points"
    near(first(p), 4.57208, 1e-9, 'first 2θ'); // first line "4.57208	950.18403	548.58900"
    near(last(p), 150.5783, 1e-9, 'last 2θ'); //  last line "150.57830	0.00000	0.00000"
    assert.equal(p.sigma?.[0], 548.589);
  });

  it('tab-separated and space-separated .xy from the shared sets', () => {
    const mno = read('MnO.xy');
    assert.deepEqual([mno.twoTheta.length, first(mno), last(mno)], [9001, 10, 100]); // "10.0	2001" … "100.0	1555"
    const film = read('Rb3Bi2I9_2-Theta_Omega.xy');
    assert.deepEqual([film.twoTheta.length, first(film), last(film)], [1374, 5, 59.92]); // "5.00000 2780.000" … "59.92000 550.000"
  });

  it('a real .xy whose count ran into the 2θ column is refused at that line, not read with a point missing', () => {
    // line 84 is "14.11851260" (between "14.0688 659" and "14.1681 465"): 2θ 14.1185 and 1260 counts, fused
    assert.throws(() => read('15__SnPerovskite_at_0.5M_4to1_dmftodmso.xy'), /^UserError: 15__SnPerovskite_at_0\.5M_4to1_dmftodmso\.xy:84:\d+: expected two numbers \(2θ and intensity\)$/);
  });

  // All 20, copied from /work/shared/data/patterns/a-lab-xrdml (see test/fixtures/a-lab-xrdml/SOURCE.md).
  const aLab = join(__dirname, '../../../test/fixtures/a-lab-xrdml');
  it('reads all 20 A-Lab .xrdml files (<counts>): 2θ from their own start/end positions, one angle per count', () => {
    const files = readdirSync(aLab).filter((f) => f.endsWith('.xrdml'));
    assert.equal(files.length, 20);
    for (const f of files) {
      const path = join(aLab, f);
      const source = readFileSync(path, 'utf8');
      const p = readPattern(readFileSync(path), f);
      // The 2Theta <positions> block and the <counts> element of the file, found by text search.
      const positions = /<positions axis="2Theta"[^>]*>\s*<startPosition>([^<]+)<\/startPosition>\s*<endPosition>([^<]+)</.exec(source)!;
      const counts = /<counts[^>]*>([^<]+)<\/counts>/.exec(source)![1].trim().split(/\s+/).map(Number);
      near(first(p), Number(positions[1]), 1e-9, `${f} first 2θ`);
      near(last(p), Number(positions[2]), 1e-9, `${f} last 2θ`);
      assert.deepEqual(Array.from(p.intensity), counts, f);
      assert.equal(p.wavelength, Number(/<kAlpha1[^>]*>([^<]+)</.exec(source)![1]), f);
    }
  });
});

describe('instrument formats: what the readers handle that the real files do not show', () => {
  it('text columns: header lines, comments, semicolons with decimal commas, scientific and Fortran notation', () => {
    const p = readPattern(text('Sample: test\n3 columns\n2theta;counts\n# a comment\n10,5;1,5E+03\n11,0;2.0D+03\n! end\n11,5;3e3\n'), 'x.csv');
    assert.deepEqual(Array.from(p.twoTheta), [10.5, 11, 11.5]);
    assert.deepEqual(Array.from(p.intensity), [1500, 2000, 3000]);
    assert.equal(p.meta?.headerLines, 3);
  });

  it('a descending scan is reversed (and said so); a stitched one with an overlap keeps every point', () => {
    const down = readPattern(text('30 3\n20 2\n10 1\n'), 'down.xy');
    assert.deepEqual([Array.from(down.twoTheta), Array.from(down.intensity)], [[10, 20, 30], [1, 2, 3]]);
    assert.equal(down.meta?.descending, true);
    const stitched = readPattern(text('10 1\n11 2\n12 3\n11.5 9\n12.5 8\n'), 's.dat');
    assert.deepEqual(Array.from(stitched.twoTheta), [10, 11, 11.5, 12, 12.5]);
    assert.deepEqual(Array.from(stitched.intensity), [1, 2, 9, 3, 8]);
    assert.equal(stitched.meta?.stitched, true);
  });

  it('NaN and Inf are errors at their line and column, before or after the first data line', () => {
    assert.throws(() => readPattern(text('10 1\n11 Inf\n'), 'a.xy'), /^UserError: a\.xy:2:4: not a finite number: "Inf"$/);
    assert.throws(() => readPattern(text('# h\nNaN 1\n11 2\n'), 'b.xy'), /b\.xy:2:1: not a finite number: "NaN"/);
    assert.throws(() => readPattern(text('10 1 0.5\n11 2\n'), 'c.xye'), /c\.xye:2:5: expected three numbers/);
  });

  it('XRDML: listPositions with <counts>, an Omega-2Theta scan, several scans stitched, attenuation undone', () => {
    const scan = (from: number, counts: string, extra = '') =>
      `<scan scanAxis="Omega-2Theta"><dataPoints><positions axis="2Theta" unit="deg"><listPositions>${from} ${from + 1} ${from + 2}</listPositions></positions>` +
      `<positions axis="Omega" unit="deg"><listPositions>1 2 3</listPositions></positions>${extra}<counts unit="counts">${counts}</counts></dataPoints></scan>`;
    const xml = `<?xml version="1.0"?>\n<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.1"><xrdMeasurement><usedWavelength><kAlpha1>0.70932</kAlpha1></usedWavelength>\n${scan(10, '1 2 3', '<beamAttenuationFactors>1 10 1</beamAttenuationFactors>')}\n${scan(11.5, '4 5 6')}</xrdMeasurement></xrdMeasurements>`;
    const p = readPattern(text(xml), 'two.xrdml');
    assert.deepEqual(Array.from(p.twoTheta), [10, 11, 11.5, 12, 12.5, 13.5]);
    assert.deepEqual(Array.from(p.intensity), [1, 20, 4, 3, 5, 6]);
    assert.equal(p.wavelength, 0.70932);
    assert.equal(p.meta?.stitched, true);
  });

  it('XRDML: a rocking curve (2θ fixed), a cut-off file, a value that is not a number, content that is not XML', () => {
    const rocking = '<xrdMeasurements><xrdMeasurement><scan scanAxis="Omega">\n<dataPoints>\n<positions axis="2Theta"><commonPosition>28.4</commonPosition></positions>\n<counts>1 2</counts></dataPoints></scan></xrdMeasurement></xrdMeasurements>';
    assert.throws(() => readPattern(text(rocking), 'r.xrdml'), /r\.xrdml:3:1: 2θ is fixed in this scan \(axis "Omega"\)/);
    const whole = readFileSync(join(fixtureDir, 'PANalytical-powder-xrd-3-70deg.xrdml'));
    assert.throws(() => readPattern(whole.subarray(0, 5000), 'cut.xrdml'), /cut\.xrdml:\d+:1: the file ends inside <\w+> \(opened on line \d+\); the XML is cut off/);
    const bad = text('<xrdMeasurements><xrdMeasurement><scan>\n<dataPoints><positions axis="2Theta"><startPosition>10</startPosition><endPosition>11</endPosition></positions>\n<intensities>1 x2</intensities></dataPoints></scan></xrdMeasurement></xrdMeasurements>');
    assert.throws(() => readPattern(bad, 'v.xrdml'), /v\.xrdml:3:1: <intensities> value 2 is not a finite number: "x2"/);
    assert.throws(() => readPattern(text('<xrdMeasurements>\n<scan>\n<dataPoints>\n</scan>'), 'm.xrdml'), /^UserError: m\.xrdml:4:1: <\/scan> closes <dataPoints> \(opened on line 3\)$/);
    assert.throws(() => readPattern(text('10 1\n11 2\n'), 'x.xrdml'), /^UserError: x\.xrdml: not XML \(starts with "10 1\\n11 2\\n"\)/);
  });

  it('the extension must match the content: clear errors for a wrong magic, whatever the name', () => {
    const raw = readFileSync(join(fixtureDir, 'BT86.raw'));
    assert.throws(() => readPattern(raw, 'scan.brml'), /scan\.brml: not a zip archive \(starts with "RAW1\.01"/);
    assert.throws(() => readPattern(text('10 1\n11 2\n'), 'scan.raw'), /scan\.raw: a binary file that is not Bruker RAW/);
    assert.throws(() => readPattern(raw, 'scan.xy'), /scan\.xy: a Bruker RAW file \(a \.raw\?\), not a text pattern/);
    assert.throws(() => readPattern(text('10 1\n11 2\n'), 'scan.ras'), /scan\.ras: not a Rigaku RAS file/);
    assert.throws(() => readPattern(text('10 1\n11 2\n'), 'scan.xy.gz'), /scan\.xy\.gz: not gzip-compressed \(expected the bytes 1f 8b/);
    assert.equal(readPattern(text('RAW data of sample 1\n10 1\n11 2\n'), 'raw-named.xy').twoTheta.length, 2); // text that starts with "RAW"
    assert.throws(() => readPattern(text('RAW1.0'), 'short.raw'), /short\.raw: byte 6: the file ends inside its magic/);
    // Content decides when the name says nothing: a gzip without ".gz" and a RAW under another name.
    assert.equal(readPattern(gzipSync(text('10 1\n11 2\n')), 'noext').twoTheta.length, 2);
    assert.equal(readPattern(raw, 'BT86.bin').format, 'bruker-raw');
  });

  it('Bruker RAW: a file shorter than its headers say names the byte offset', () => {
    const raw = readFileSync(join(fixtureDir, 'BT86.raw'));
    assert.throws(() => readPattern(raw.subarray(0, 500), 'a.raw'), /^UserError: a\.raw: byte 0: the file ends inside the 712-byte file header/);
    assert.throws(() => readPattern(raw.subarray(0, raw.length - 1), 'b.raw'), /^UserError: b\.raw: byte 1056: the file ends inside the 2374 data records of range 1 of 1/);
    const nan = Uint8Array.from(raw);
    new DataView(nan.buffer).setFloat32(1056 + 4 * 10, Number.NaN, true);
    assert.throws(() => readPattern(nan, 'c.raw'), /c\.raw: byte 1096: the count of step 11 is not a finite number/);
    assert.throws(() => readPattern(text('RAW2\0\0\0\0'), 'd.raw'), /d\.raw: byte 0: Bruker RAW version 2/);
  });

  it('Bruker RAW1.01 with two ranges, a supplementary header and 12-byte records: stitched, strides honoured', () => {
    const p = readPattern(
      makeRaw101([
        { start: 10, step: 1, counts: [1, 2, 3], supplementary: 40, recordSize: 4 },
        { start: 11.5, step: 1, counts: [7, 8], supplementary: 0, recordSize: 12 },
      ]),
      'two.raw',
    );
    assert.deepEqual(Array.from(p.twoTheta), [10, 11, 11.5, 12, 12.5]);
    assert.deepEqual(Array.from(p.intensity), [1, 2, 7, 3, 8]);
    assert.equal(p.meta?.stitched, true);
    assert.equal(p.meta?.ranges, 2);
  });

  it('Bruker RAW4.00: segments, the tube segment and a range with 8-byte records', () => {
    const p = readPattern(makeRaw4({ start: 20, step: 0.05, counts: [5, 6, 7, 8] }), 'v4.raw');
    assert.deepEqual(Array.from(p.twoTheta), [20, 20.05, 20.1, 20.15].map((x, i) => 20 + i * 0.05));
    assert.deepEqual(Array.from(p.intensity), [5, 6, 7, 8]);
    assert.equal(p.wavelength, 1.5406);
    assert.equal(p.wavelength2, 1.54439);
    assert.equal(p.kAlpha2Ratio, 0.5);
    assert.equal(p.meta?.SampleID, 'quartz');
    assert.equal(p.meta?.scanType, 'Locked Coupled');
    const whole = makeRaw4({ start: 20, step: 0.05, counts: [5, 6, 7, 8] });
    assert.throws(() => readPattern(whole.subarray(0, whole.length - 3), 'cut.raw'), /cut\.raw: byte \d+: the file ends inside the 4 data records of range 1/);
  });

  it('UXD with _COUNTS rows, GSAS ESD and FXYE', () => {
    const uxd = readPattern(text('_FILEVERSION=1\n_WL1=1.5406\n; range 1\n_DRIVE=\'COUPLED\'\n_START=10\n_STEPSIZE=0.5\n_STEPCOUNT=5\n_COUNTS\n 1 2 3\n 4 5\n'), 'c.uxd');
    assert.deepEqual(Array.from(uxd.twoTheta), [10, 10.5, 11, 11.5, 12]);
    assert.deepEqual(Array.from(uxd.intensity), [1, 2, 3, 4, 5]);
    assert.throws(() => readPattern(text('_WL1=1.5406\n_START=10\n_STEPSIZE=0.5\n_STEPCOUNT=6\n_COUNTS\n 1 2 3\n'), 'd.uxd'), /d\.uxd:5:1: the range declares _STEPCOUNT=6 but has 3 points/);
    const esd = readPattern(text('title\nBANK 1 3 1 CONST 1000 5 0 0 ESD\n     100      10     400      20     900      30\n'), 'e.gsa');
    assert.deepEqual([Array.from(esd.twoTheta), Array.from(esd.intensity), Array.from(esd.sigma!)], [[10, 10.05, 10.1], [100, 400, 900], [10, 20, 30]]);
    const fxye = readPattern(text('title\nBANK 1 2 2 CONS 1000 5 0 0 FXYE\n1000 7 1\n1005 8 2\n'), 'f.fxye');
    assert.deepEqual([Array.from(fxye.twoTheta), Array.from(fxye.sigma!)], [[10, 10.05], [1, 2]]);
    assert.throws(() => readPattern(text('title\nBANK 1 25 3 CONST 1000 5 0 0 STD\n       1       2       3       4       5       6       7       8       9      10\n'), 'g.gsas'), /g\.gsas:4:1: bank 1 declares 3 records \(line 2\) but has 1; the file is cut off/);
  });

  it('BRML: a zip without RawData, and a RawData whose scan has no 2θ axis', () => {
    assert.throws(() => readPattern(zipSync({ 'x.txt': strToU8('hi') }), 'a.brml'), /a\.brml: no Experiment\*\/RawData\*\.xml in the archive/);
    const omega = '<RawData><DataRoutes><DataRoute RouteFlag="Measured">\n<ScanInformation><ScanAxes><ScanAxisInfo AxisName="Theta"/></ScanAxes></ScanInformation><DataViews><RawDataView Start="2" Length="1"><FieldDefinitions FieldName="Theta"/></RawDataView></DataViews><Datum>1,1,10,5</Datum></DataRoute></DataRoutes></RawData>';
    assert.throws(() => readPattern(zipSync({ 'Experiment0/RawData0.xml': strToU8(omega) }), 'b.brml'), /b\.brml\/Experiment0\/RawData0\.xml:1:1: the scan has no TwoTheta axis \(it scans "Theta"\)/);
  });
});

describe('instrument formats: damaged files never crash (fast-check)', () => {
  const fixtures = readdirSync(fixtureDir).filter((f) => f !== 'SOURCE.md');
  for (const name of fixtures) {
    it(`${name}: random truncations and byte flips either read or throw a UserError`, () => {
      const bytes = new Uint8Array(readFileSync(join(fixtureDir, name)));
      const readsOrUserError = (damaged: Uint8Array) => {
        try {
          const p = readPattern(damaged, name);
          for (let i = 0; i < p.twoTheta.length; i++) if (!Number.isFinite(p.twoTheta[i]) || !Number.isFinite(p.intensity[i])) return false;
          return true;
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          return e.message.startsWith(name);
        }
      };
      fc.assert(
        fc.property(fc.nat({ max: bytes.length }), (cut) => readsOrUserError(bytes.subarray(0, cut))),
        { numRuns: 25 },
      );
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
          const damaged = Uint8Array.from(bytes);
          for (const [at, value] of flips) damaged[at] = value;
          return readsOrUserError(damaged);
        }),
        { numRuns: 25 },
      );
    });
  }
});

describe('writeXy and the read command', () => {
  it('writeXy names source, format and wavelength, and reads back to the same values', () => {
    const p = read('BT86.raw');
    const xy = writeXy(p, { source: 'BT86.raw' });
    assert.match(xy, /^# source: BT86\.raw\n# format: bruker-raw\n# wavelength Kα1: 1\.5406 Å\n/);
    const back = readPattern(text(xy), 'back.xy');
    assert.deepEqual(Array.from(back.twoTheta), Array.from(p.twoTheta));
    assert.deepEqual(Array.from(back.intensity), Array.from(p.intensity));
    const withSigma = writeXy(read('FAP-laboratory.gsas.gz'));
    const xye = readPattern(text(withSigma), 'back.xye');
    assert.equal(xye.sigma?.[0], Math.sqrt(609));
  });

  it('PATTERN_EXTENSIONS lists every format and its .gz form', () => {
    for (const e of ['.xy', '.xye', '.csv', '.dat', '.txt', '.xrdml', '.raw', '.brml', '.ras', '.asc', '.uxd', '.gsa', '.gsas', '.fxye']) {
      assert.ok(PATTERN_EXTENSIONS.includes(e as never) && PATTERN_EXTENSIONS.includes(`${e}.gz` as never), e);
    }
    assert.ok(isPatternFile('a/B.XRDML') && isPatternFile('scan.ras.gz') && !isPatternFile('x.cif') && !isPatternFile('x.gz'));
  });

  it('latent-xrd read --json prints format, wavelength, 2θ, intensity and meta', async () => {
    const r = await cli('read', 'test/fixtures/instrument-formats/MB120718Si3.ras.gz', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.format, 'rigaku-ras');
    assert.equal(json.wavelength, 1.540593);
    assert.equal(json.twoTheta.length, 1401);
    assert.equal(json.intensity.length, 1401);
    assert.equal(json.meta.sample, 'MB120718Si3'); // *FILE_SAMPLE "MB120718Si3"
  });

  it('latent-xrd read prints a summary and writes --out as .xy; a bad file exits non-zero with its location', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'latent-xrd-read-')), 'bt86.xy');
    const r = await cli('read', 'test/fixtures/instrument-formats/BT86.raw', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /bruker-raw, 2374 points, 2θ 3–40\.0002906/);
    const written = readPattern(readFileSync(out), 'bt86.xy');
    assert.equal(written.twoTheta.length, 2374);
    const bad = await cli('read', 'test/fixtures/workspace/patterns/malformed.xy');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /malformed\.xy:42:6: not a finite number/);
  });
});

describe('numbers in pattern files', () => {
  // The grammar, written as a regular expression: the fast scanner must accept exactly these.
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;
  const byGrammar = (t: string) => (NUMBER.test(t) ? Number(t.replace(/[dD]/, 'e')) : Number.NaN);

  it('reads plain, scientific and Fortran notation and nothing else', () => {
    assert.equal(parseNumber('1.5D+03'), 1500);
    assert.equal(parseNumber('-.25e-2'), -0.0025);
    for (const bad of ['', '0x1F', 'Infinity', 'NaN', '1e', 'e5', '1.2.3', '--1', '1_000']) assert.ok(Number.isNaN(parseNumber(bad)), bad);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '+', '-', 'e', 'E', 'd', 'D', 'x', ' ') }), (t) => Object.is(parseNumber(t), byGrammar(t))),
      { numRuns: 3000 },
    );
  });
});
