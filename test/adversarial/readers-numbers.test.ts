// Numbers that are not numbers, never passed on by a reader (issue 11, Critical 1, Major 9 and 13,
// Minor): non-finite values computed from finite input are refused where they are computed,
// with the line, byte or element; so are implausible wavelengths and Kα2 ratios, 2θ that is not
// an angle, negative σ, and numbers past the range of a double; and every reader's output is
// checked once more (`checkReadPattern`). Extreme but finite intensities pass: what overflows on
// them is preprocessing's to guard.
import assert from 'node:assert/strict';
import { readPattern, type MeasuredPattern } from '../../src/core/formats';
import { parseCollection } from '../../src/core/formats/collection';
import { checkReadPattern } from '../../src/core/formats/pattern';
import { UserError } from '../../src/core/diagnostics';
import { ascText, brmlBytes, gsasText, makeRaw101, makeRaw4, rasText, uxdText, xrdmlText, xrdText } from '../unit/instrument-files';

const bytes = (s: string) => new TextEncoder().encode(s);
const read = (name: string, content: string | Uint8Array) => readPattern(typeof content === 'string' ? bytes(content) : content, name);
/** The 1-based line of the first occurrence of `needle`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function refused(name: string, content: string | Uint8Array, where: string, message: RegExp) {
  assert.throws(
    () => read(name, content),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `not a UserError: ${e}`);
      assert.match(e.message, new RegExp(`^${escape(name)}${where}`), e.message);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe('readers: non-finite numbers computed from finite input are refused where they are computed', () => {
  it('XRDML: startPosition −1e308 and endPosition 1e308 (their step is Infinity)', () => {
    const xml = xrdmlText({ start: '-1e308', end: '1e308', counts: ['1', '2', '3'] });
    refused('a.xrdml', xml, `:${lineOf(xml, '<startPosition>')}:1: `, /<startPosition> -1e\+308 to <endPosition> 1e\+308 in 3 points/);
  });

  it('XRDML: a count times its attenuation factor past the range of a double', () => {
    const xml = xrdmlText({ angles: ['10', '11'], counts: ['1e300', '5'], attenuation: ['1e10', '1'] });
    refused('b.xrdml', xml, `:${lineOf(xml, '<beamAttenuationFactors>')}:1: `, /value 1 \(10000000000\) times intensity 1 \(1e\+300\) is past the range of a double/);
  });

  it('Rigaku .ras: an attenuation factor of 1e308, and a row whose intensity × attenuation overflows', () => {
    const ras = rasText([['10', '1', '1'], ['11', '2', '1e308']]);
    refused('c.ras', ras, `:${lineOf(ras, '11 2 1e308')}:6: `, /the count 2 times the attenuation factor 1e\+308 is past the range of a double/);
    refused('d.ras', rasText([['10', '1e200', '1e200'], ['11', '2', '1']]), `:\\d+:10: `, /past the range of a double/);
  });

  it('stepped scans: a step of 1e308 (UXD _STEPSIZE, Rigaku *STEP, GSAS BANK, Bruker RAW1.01 and RAW4.00)', () => {
    const uxd = uxdText({ start: '10', step: '1e308', counts: ['1', '2', '3'] });
    refused('e.uxd', uxd, `:${lineOf(uxd, '_STEPSIZE')}:1: `, /_STEPSIZE: 3 steps of 1e\+308° from 10° end at Infinity°/);
    const asc = ascText('10', '1e308', ['1', '2']);
    refused('f.asc', asc, `:${lineOf(asc, '*STEP')}:1: `, /\*STEP: 2 steps of 1e\+308° from 10° end at 1e\+308°: 2θ = 1e\+308° is not a scattering angle/);
    const gsas = gsasText({ type: 'ESD', start: '1000', step: '1e308', values: [['1', '1'], ['2', '1']] });
    refused('g.gsa', gsas, `:${lineOf(gsas, 'BANK')}:1: `, /start and step \(centidegrees\): 2 steps of 1e\+306°/);
    refused('h.raw', makeRaw101([{ start: 10, step: 1e308, counts: [1, 2], supplementary: 0, recordSize: 4 }]), ': byte 728: ', /range 1 of 1, start 2θ and step: 2 steps of 1e\+308°/);
    refused('i.raw', makeRaw4({ start: 10, step: 1e308, counts: [1, 2] }), ': byte \\d+: ', /start and step: 2 steps of 1e\+308°/);
  });

  it('every point at one angle is no pattern: a step of 0, startPosition = endPosition, or one angle repeated', () => {
    const uxd = uxdText({ start: '10', step: '0', counts: ['1', '2', '3'] });
    refused('j.uxd', uxd, `:${lineOf(uxd, '_STEPSIZE')}:1: `, /the 2θ step is 0: all 3 points would be at 10°/);
    const xml = xrdmlText({ start: '20', end: '20', counts: ['1', '2'] });
    refused('k.xrdml', xml, `:${lineOf(xml, '<startPosition>')}:1: `, /the 2θ step is 0/);
    refused('l.xy', '20 1\n20 2\n20 3\n', ': ', /every point is at 2θ = 20°; a pattern needs at least two angles/);
    refused('m.raw', makeRaw101([{ start: 10, step: 1e-300, counts: [1, 2], supplementary: 0, recordSize: 4 }]), ': byte 728: ', /a step of 1e-300° is too small to change 2θ at 10°/);
  });

  it('.xrd collection: a grid from −1e308 to 1e308, compositions whose sum overflows', () => {
    const grid = '{"format": "latent-xrd-collection",\n"grid": {"min": -1e308, "max": 1e308, "points": 3},\n"samples": [{"intensity": [1, 2, 3]}]}';
    assert.throws(() => parseCollection(grid, 'n.xrd'), /^UserError: n\.xrd:2:\d+: grid\.min: 2θ = -1e\+308° is not a scattering angle/);
    const composition = xrdText({ twoTheta: ['10', '11'], samples: [{ intensity: ['1', '2'], composition: { Fe: '1e308', Ga: '1e308' } }] });
    assert.throws(() => parseCollection(composition, 'o.xrd'), /^UserError: o\.xrd:\d+:\d+: samples\.0\.composition: the fractions sum past the range of a double/);
  });
});

describe('readers: magnitudes', () => {
  it('extreme but finite intensities pass as the file states them (preprocessing guards its arithmetic)', () => {
    const p = read('extreme.xy', '20 -1e308\n50 1e308\n');
    assert.deepEqual([Array.from(p.twoTheta), Array.from(p.intensity)], [[20, 50], [-1e308, 1e308]]);
    const c = parseCollection(xrdText({ twoTheta: ['20', '50'], samples: [{ intensity: ['-1e308', '1e308'] }] }), 'extreme.xrd');
    assert.deepEqual(Array.from(c.samples[0].intensity), [-1e308, 1e308]);
  });

  it('2θ is a scattering angle, |2θ| ≤ 180°: a column in other units is refused at its line', () => {
    refused('p.xy', '170 1\n190 2\n', ':2:1: ', /2θ = 190° is not a scattering angle \(\|2θ\| ≤ 180°\)/);
    refused('q.xy', '-181 1\n0 2\n', ':1:1: ', /2θ = -181°/);
    assert.equal(read('r.xy', '-180 1\n180 2\n').twoTheta.length, 2);
  });

  it('numbers past the range of a double are "out of range" at their column, also on the first data line', () => {
    refused('s.xy', '20 1e309\n21 5\n22 6\n', ':1:4: ', /a number out of range \(beyond ±1\.8e308\): "1e309"$/);
    refused('t.xy', `# 2theta counts\n${'1'.repeat(400)} 5\n${'2'.repeat(400)} 6\n`, ':2:1: ', /a number out of range .*: "1{40}"… \(400 characters\)$/);
    refused('u.uxd', uxdText({ pairs: [['10', '1'], ['11', '1e999']] }), ':\\d+:\\d+: ', /a number out of range/);
  });

  it('a 10 MB field is quoted in a few dozen characters, not echoed', () => {
    const field = 'x'.repeat(10_000_000);
    assert.throws(
      () => read('v.xy', `10 1\n11 ${field}\n`),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        const everything = e.message + e.diagnostics.map((d) => d.message).join('');
        assert.ok(everything.length < 400, `${everything.length} characters of error`);
        assert.match(e.message, /^v\.xy:2:4: not a finite number: "x{40}"… \(10000000 characters\)$/);
        return true;
      },
    );
  });

  it('σ is a standard uncertainty: a negative one is refused at its column (.xye, GSAS ESD and FXYE, UXD)', () => {
    refused('w.xye', '10 5 1\n11 6 -3\n', ':2:6: ', /σ = -3 is negative; a standard uncertainty is ≥ 0 \(a column that is not σ belongs in a file read as two columns, \.xy\)/);
    assert.equal(read('w.xy', '10 5 1\n11 6 -3\n').sigma, undefined); // read as .xy, the third column is not σ
    refused('x.fxye', gsasText({ type: 'FXYE', rows: [['1000', '5', '1'], ['1005', '6', '-2']] }), ':4:8: ', /σ = -2 is negative/);
    refused('y.gsa', gsasText({ type: 'ESD', start: '1000', step: '5', values: [['5', '1'], ['6', '-2']] }), ':3:25: ', /σ = -2 is negative/);
  });

  it('counts measured twice at one angle become one point, their mean: 2θ strictly increases', () => {
    const p = read('z.xy', '10 1 \n10 3\n11 5\n');
    assert.deepEqual([Array.from(p.twoTheta), Array.from(p.intensity)], [[10, 11], [2, 5]]);
    assert.equal(p.meta?.repeatedAngles, 1);
    const e = read('z.xye', '10 1 3\n11 5 1\n10 3 4\n');
    assert.deepEqual([Array.from(e.twoTheta), Array.from(e.intensity), Array.from(e.sigma!)], [[10, 11], [2, 5], [2.5, 1]]); // σ of the mean: √(3² + 4²) / 2
  });
});

describe('readers: stated wavelengths and Kα2 ratios are plausible or refused where they are stated', () => {
  const counts = ['1', '2', '3'];
  const angles = ['10', '11', '12'];
  for (const bad of ['0', '-1.5', '1e-300']) {
    it(`a Kα1 wavelength of ${bad} Å: XRDML element, UXD, RAS, ASC and GSAS lines, BRML element, Bruker RAW byte`, () => {
      const xml = xrdmlText({ angles, counts }, { alpha1: bad });
      refused('a.xrdml', xml, `:${lineOf(xml, '<kAlpha1>')}:1: `, /<kAlpha1>: the Kα1 wavelength: a wavelength of .* Å is outside 0\.05–10 Å/);
      const uxd = uxdText({ pairs: [['10', '1'], ['11', '2']] }, { alpha1: bad });
      refused('b.uxd', uxd, `:${lineOf(uxd, '_WL1')}:1: `, /_WL1: the Kα1 wavelength: a wavelength of/);
      const ras = rasText([['10', '1', '1'], ['11', '2', '1']], { alpha1: bad });
      refused('c.ras', ras, `:${lineOf(ras, 'ALPHA1')}:1: `, /\*HW_XG_WAVE_LENGTH_ALPHA1: the Kα1 wavelength/);
      const asc = ascText('10', '1', counts, { alpha1: bad });
      refused('d.asc', asc, `:${lineOf(asc, 'WAVE_LENGTH1')}:1: `, /\*WAVE_LENGTH1: the Kα1 wavelength/);
      refused('e.gsa', gsasText({ type: 'FXYE', rows: [['1000', '5', '1'], ['1005', '6', '1']] }, bad), ':2:16: ', /the wavelength: a wavelength of/);
      refused('f.brml', brmlBytes([{ twoTheta: '10', counts: '1' }, { twoTheta: '11', counts: '2' }], { alpha1: bad }), '/Experiment0/RawData0\\.xml:\\d+:1: ', /<WaveLengthAlpha1>: the Kα1 wavelength/);
      // A binary header's 0 is a field never written (headers are zero-filled): it states nothing.
      if (bad !== '0') {
        refused('g.raw', makeRaw101([{ start: 10, step: 1, counts: [1, 2], supplementary: 0, recordSize: 4 }], [Number(bad), 0, 0.5]), ': byte 624: ', /the Kα1 wavelength: a wavelength of/);
        refused('h.raw', makeRaw4({ start: 10, step: 1, counts: [1, 2] }, [Number(bad), 1.54439, 0.5]), ': byte \\d+: ', /the Kα1 wavelength: a wavelength of/);
      }
    });
  }

  for (const bad of ['50', '-0.1', '1.5']) {
    it(`a Kα2/Kα1 ratio of ${bad}: XRDML element, UXD line, BRML element, Bruker RAW byte`, () => {
      const xml = xrdmlText({ angles, counts }, { alpha1: '1.5406', ratio: bad });
      refused('a.xrdml', xml, `:${lineOf(xml, '<ratioKAlpha2KAlpha1>')}:1: `, /<ratioKAlpha2KAlpha1>: the Kα2\/Kα1 ratio: a Kα2\/Kα1 intensity ratio is between 0 and 1/);
      const uxd = uxdText({ pairs: [['10', '1'], ['11', '2']] }, { alpha1: '1.5406', ratio: bad });
      refused('b.uxd', uxd, `:${lineOf(uxd, '_WLRATIO')}:1: `, /_WLRATIO: the Kα2\/Kα1 ratio/);
      refused('c.brml', brmlBytes([{ twoTheta: '10', counts: '1' }, { twoTheta: '11', counts: '2' }], { alpha1: '1.5406', ratio: bad }), '/Experiment0/RawData0\\.xml:\\d+:1: ', /<WaveLengthRatio>: the Kα2\/Kα1 ratio/);
      refused('d.raw', makeRaw101([{ start: 10, step: 1, counts: [1, 2], supplementary: 0, recordSize: 4 }], [1.5406, 1.54439, Number(bad)]), ': byte 648: ', /the Kα2\/Kα1 ratio/);
    });
  }

  it('what a file states plausibly is kept; a Kα2 of 0 says there is none (a monochromatic beam)', () => {
    const p = read('ok.xrdml', xrdmlText({ angles, counts }, { alpha1: '0.70932', alpha2: '0', ratio: '0' }));
    assert.deepEqual([p.wavelength, p.wavelength2, p.kAlpha2Ratio], [0.70932, undefined, 0]);
    // A binary header's unwritten (zero) wavelength states nothing.
    const raw = read('ok.raw', makeRaw101([{ start: 10, step: 1, counts: [1, 2], supplementary: 0, recordSize: 4 }], [0, 0, 0]));
    assert.deepEqual([raw.wavelength, raw.wavelength2], [undefined, undefined]);
  });
});

describe('readers: every reader\'s output is checked once more (checkReadPattern)', () => {
  const good = (): MeasuredPattern => ({ twoTheta: Float64Array.of(10, 11, 12), intensity: Float64Array.of(1, 2, 3), sigma: Float64Array.of(1, 1, 1), wavelength: 1.5406, kAlpha2Ratio: 0.5 });
  const cases: [string, (p: MeasuredPattern) => void, RegExp][] = [
    ['a NaN intensity', (p) => (p.intensity[1] = Number.NaN), /^f\.xy: point 2 of 3 \(2θ = 11°\): the intensity is not a finite number \(NaN\)$/],
    ['an infinite 2θ', (p) => (p.twoTheta[2] = Infinity), /^f\.xy: point 3 of 3 \(2θ = Infinity°\): 2θ must be a finite number of degrees/],
    ['2θ that does not increase', (p) => (p.twoTheta[2] = 11), /^f\.xy: point 3 of 3 \(2θ = 11°\): 2θ does not increase from point 2 \(11°\)$/],
    ['a negative σ', (p) => (p.sigma![0] = -1), /^f\.xy: point 1 of 3 .*: σ = -1 is negative/],
    ['σ of another length', (p) => (p.sigma = Float64Array.of(1)), /^f\.xy: 3 angles but 3 intensities and 1 σ$/],
    ['a wavelength of 0', (p) => (p.wavelength = 0), /^f\.xy: the Kα1 wavelength: a wavelength of 0 Å is outside/],
    ['a Kα2 wavelength of NaN', (p) => (p.wavelength2 = Number.NaN), /^f\.xy: the Kα2 wavelength: a wavelength must be a finite number of Å; got NaN$/],
    ['a Kα2 ratio of 50', (p) => (p.kAlpha2Ratio = 50), /^f\.xy: a Kα2\/Kα1 intensity ratio is between 0 and 1 .*; got 50$/],
    ['one point', (p) => ((p.twoTheta = p.twoTheta.subarray(0, 1)), (p.intensity = p.intensity.subarray(0, 1)), (p.sigma = undefined)), /^f\.xy: only one data point/],
  ];
  for (const [what, damage, message] of cases) {
    it(`refuses ${what}, naming the point`, () => {
      const p = good();
      damage(p);
      assert.throws(() => checkReadPattern(p, 'f.xy'), (e: unknown) => e instanceof UserError && message.test(e.message));
    });
  }
  it('passes a pattern that keeps every promise, unchanged', () => {
    const p = good();
    assert.equal(checkReadPattern(p, 'f.xy'), p);
  });
});

describe('readers: located errors of the text formats (kept)', () => {
  it('a value that is not a number is refused at its line and column in every text format', () => {
    refused('a.xy', '# header\n10 1\n11 abc\n', ':3:4: ', /not a finite number: "abc"$/);
    refused('b.csv', '2theta,counts\n10,1\n11,NaN\n', ':3:4: ', /not a finite number: "NaN"$/);
    refused('c.uxd', uxdText({ pairs: [['10', '1'], ['11', 'x']] }), ':\\d+:\\d+: ', /not a finite number: "x"$/);
    const ras = rasText([['10', '1', '1'], ['11', 'Inf', '1']]);
    refused('d.ras', ras, `:${lineOf(ras, '11 Inf')}:4: `, /not a finite number: "Inf"$/);
    const asc = ascText('10', '1', ['1', '2', 'z']);
    refused('e.asc', asc, `:${lineOf(asc, '1, 2, z')}:7: `, /not a finite number: "z"$/);
    refused('f.fxye', gsasText({ type: 'FXYE', rows: [['1000', '5', '1'], ['1005', '?', '1']] }), ':4:6: ', /not a finite number: "\?"$/);
  });
});
