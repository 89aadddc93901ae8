// Preprocessing of hostile measured patterns: never a non-finite value from finite input, a
// located refusal of non-finite or impossible input and of patterns with no usable data, and
// steps that say what was done.
import assert from 'node:assert/strict';
import { prepareForModel, type PreprocessOptions } from '../../src/core/preprocess/prepare';
import { kAlpha2LinesFor, stripKAlpha2 } from '../../src/core/preprocess/kalpha2';
import { MIN_MEASURED_GRID_POINTS } from '../../src/core/preprocess/input';
import { gridStep, gridValues, type Grid } from '../../src/core/diffraction/render';
import { UserError } from '../../src/core/diagnostics';
import type { MeasuredPattern } from '../../src/core/formats/pattern';

const grid: Grid = { min: 20, max: 90, points: 2048 };

function peaks(min = 20, max = 90, points = 1401): MeasuredPattern {
  const twoTheta = gridValues({ min, max, points });
  const intensity = Float64Array.from(twoTheta, (t) => 100 + t + 1000 * Math.exp(-((t - 44) ** 2) / 0.05) + 400 * Math.exp(-((t - 64) ** 2) / 0.08));
  return { twoTheta, intensity };
}

function scaled(m: MeasuredPattern, factor: number): MeasuredPattern {
  return { ...m, intensity: Float64Array.from(m.intensity, (v) => v * factor) };
}

function refusal(measured: MeasuredPattern, pattern: RegExp, options: PreprocessOptions = {}) {
  assert.throws(
    () => prepareForModel(measured, grid, options),
    (e: Error) => {
      assert.ok(e instanceof UserError, `a UserError, not ${e.name}: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

const backgrounds = ['als', 'rolling-ball', 'polynomial', 'none'] as const;

describe('scoring adversarial: preprocessing', () => {
  it('±1e308 intensities give a finite pattern in [0, 1], the same as the pattern at ordinary scale', () => {
    const base = peaks();
    // Scaled by a power of two to a largest intensity in [2¹⁰²², 2¹⁰²³): the sums of neighbours
    // (resampling areas, the background fits) overflowed.
    const huge = scaled(base, 2 ** (1023 - Math.ceil(Math.log2(Math.max(...base.intensity)))));
    const alternating = { twoTheta: base.twoTheta, intensity: Float64Array.from(base.intensity, (v, i) => (i % 2 ? 1e308 : -1e308) * (v / 1200)) };
    for (const background of backgrounds) {
      const reference = prepareForModel(base, grid, { background });
      const big = prepareForModel(huge, grid, { background });
      assert.deepEqual(big.pattern, reference.pattern, `${background}: the same pattern, to the last bit`);
      const wild = prepareForModel(alternating, grid, { background });
      assert.ok(wild.pattern.every((v) => v >= 0 && v <= 1), `${background}: ±1e308 alternating gives values in [0, 1]`);
      assert.ok(wild.background!.every(Number.isFinite));
      assert.ok(!wild.steps.some((s) => /flat pattern/.test(s)), `${background}: ${wild.steps.join(' | ')}`);
    }
  });

  it('denormal intensities give the same shape as ordinary ones (1 / range overflowed to Infinity)', () => {
    const base = peaks();
    const tiny = scaled(base, 2 ** -1060);
    for (const background of backgrounds) {
      const p = prepareForModel(tiny, grid, { background });
      assert.ok(p.pattern.every((v) => v >= 0 && v <= 1), background);
      const reference = prepareForModel(base, grid, { background }).pattern;
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - p.pattern[i]));
      assert.ok(worst < 0.05, `${background}: the shape survives (largest difference ${worst})`);
    }
  });

  it('refuses a non-finite or impossible number with the point it is at', () => {
    const base = peaks();
    const at = (i: number, twoTheta: number | undefined, intensity: number | undefined): MeasuredPattern => {
      const m = { twoTheta: Float64Array.from(base.twoTheta), intensity: Float64Array.from(base.intensity) };
      if (twoTheta !== undefined) m.twoTheta[i] = twoTheta;
      if (intensity !== undefined) m.intensity[i] = intensity;
      return m;
    };
    refusal(at(9, undefined, NaN), /^point 10 of 1401 \(2θ = 20\.45°\): the intensity is NaN/);
    refusal(at(0, undefined, Infinity), /^point 1 of 1401 .*intensity is Infinity/);
    refusal(at(1400, undefined, -Infinity), /^point 1401 of 1401 .*intensity is -Infinity/);
    refusal(at(5, NaN, undefined), /^point 6 of 1401: 2θ = NaN° is not a diffraction angle \(0–180°\)/);
    refusal(at(1400, 1e308, undefined), /^point 1401 of 1401: 2θ = 1e\+308° is not a diffraction angle/);
    refusal(at(0, -1e308, undefined), /^point 1 of 1401: 2θ = -1e\+308°/);
    refusal(at(700, 10, undefined), /^point 701 of 1401: 2θ = 10° is below the point before it \(54\.95°\); 2θ must increase/);
    refusal({ twoTheta: base.twoTheta, intensity: base.intensity.subarray(1) }, /1401 2θ values but 1400 intensities/);
  });

  it('a stated wavelength of 0, −1.5 or 1e-300 Å is refused, not scored as "KNOWN (p = 0.0110)"', () => {
    for (const wavelength of [0, -1.5, 1e-300, NaN, 1e300]) {
      refusal({ ...peaks(), wavelength }, /^the wavelength the file states: a wavelength (of|must)/);
    }
    assert.ok(prepareForModel({ ...peaks(), wavelength: 1.5406 }, grid).pattern.length === 2048);
  });

  it('Kα2 stripping refuses a ratio outside 0–1 (Rachinger diverges) and an impossible Kα2', () => {
    for (const kAlpha2Ratio of [50, 1.01, -0.5, NaN]) {
      refusal({ ...peaks(), wavelength: 1.540598, kAlpha2Ratio }, /Kα2\/Kα1 ratio the file states: a Kα2\/Kα1 intensity ratio of .* is outside 0–1: Kα2 stripping would diverge/, { stripKAlpha2: true });
    }
    refusal({ ...peaks(), wavelength: 1.540598, wavelength2: 1e-300 }, /the Kα2 wavelength the file states: a wavelength of 1e-300 Å/, { stripKAlpha2: true });
    // The stripping step itself, whoever calls it.
    const lines = kAlpha2LinesFor(1.540598, undefined, undefined)!;
    const { twoTheta, intensity } = peaks();
    assert.throws(() => stripKAlpha2(twoTheta, intensity, { ...lines, ratio: 50 }), /RangeError|ratio of 50 is outside 0–1/);
    assert.throws(() => stripKAlpha2(twoTheta, intensity, { ...lines, kalpha2: lines.kalpha1 }), /must be longer than Kα1/);
    // Ratio 1 (the most a physical doublet can have) stays finite across a long scan.
    const strong = prepareForModel({ ...peaks(20, 90, 7001), wavelength: 1.540598, kAlpha2Ratio: 1 }, grid, { stripKAlpha2: true });
    assert.ok(strong.pattern.every((v) => v >= 0 && v <= 1));
  });

  it('no usable data is refused with the reason: outside the range, one angle, too few points, one intensity', () => {
    refusal(peaks(100, 120, 201), /^no measured point lies in the model's 2θ range \(20–90°\): the measurement spans 100–120°$/);
    refusal(peaks(5, 19.9, 201), /no measured point lies in the model's 2θ range/);
    refusal({ twoTheta: new Float64Array(500).fill(50), intensity: Float64Array.from({ length: 500 }, (_, i) => i) }, /on 1 of the model's grid points .* the measurement has every point at 2θ = 50°/);
    refusal({ twoTheta: Float64Array.of(20, 50), intensity: Float64Array.of(-1e308, 1e308) }, /too little data to score: measured points fall on 2 of the model's grid points \(20–90°, step 0\.0342°\) and scoring needs 5/);
    refusal({ twoTheta: new Float64Array(0), intensity: new Float64Array(0) }, /the measurement has no points/);
    refusal({ twoTheta: gridValues(grid), intensity: new Float64Array(2048).fill(7) }, /the intensity is the same at every measured point in the model's 2θ range/);
    refusal({ twoTheta: gridValues(grid), intensity: new Float64Array(2048) }, /the intensity is the same at every measured point/);
  });

  it('the least data that is scored: MIN_MEASURED_GRID_POINTS grid points measured, one fewer is refused', () => {
    const step = gridStep(grid);
    const onGrid = (count: number): MeasuredPattern => {
      const twoTheta = Float64Array.from({ length: count }, (_, i) => 40 + i * step);
      return { twoTheta, intensity: Float64Array.from(twoTheta, (_, i) => (i === 2 ? 10 : 1)) };
    };
    refusal(onGrid(MIN_MEASURED_GRID_POINTS - 1), new RegExp(`fall on ${MIN_MEASURED_GRID_POINTS - 1} of the model's grid points`));
    const least = prepareForModel(onGrid(MIN_MEASURED_GRID_POINTS), grid, { background: 'none' });
    assert.ok(least.pattern.every((v) => v >= 0 && v <= 1));
    assert.equal(Math.max(...least.pattern), 1);
  });

  it('low coverage that is usable keeps scoring: a 37–48° library against a 20–90° model', () => {
    const p = prepareForModel(peaks(37, 48, 551), grid);
    assert.ok(Math.abs(p.coverage - 0.157) < 0.002, `coverage ${p.coverage}`);
    assert.equal(Math.max(...p.pattern), 1);
  });

  it('preprocessing options out of range are refused by key (an endless or overflowing fit otherwise)', () => {
    const m = peaks();
    refusal(m, /^preprocessing option als\.iterations: Infinity is not a whole number from 1 to 1000/, { als: { iterations: Infinity } });
    refusal(m, /^preprocessing option polynomial\.iterations: NaN is not a whole number/, { background: 'polynomial', polynomial: { iterations: NaN } });
    refusal(m, /^preprocessing option polynomial\.degree: 40 is not a whole number from 0 to 8/, { background: 'polynomial', polynomial: { degree: 40 } });
    refusal(m, /^preprocessing option als\.lambda: 1e\+300 is not a number between 0 and 1000000000000/, { als: { lambda: 1e300 } });
    refusal(m, /^preprocessing option rollingBall\.halfWidthDeg: 0 is not/, { background: 'rolling-ball', rollingBall: { halfWidthDeg: 0 } });
    refusal(m, /^the model's wavelength: a wavelength of 0 Å/, { modelWavelength: 0 });
  });
});
