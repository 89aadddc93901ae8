import assert from 'node:assert/strict';
import { alsBaseline, polynomialBaseline, rollingBallBaseline } from '../../src/core/preprocess/background';
import { DEFAULT_PREPROCESS_OPTIONS } from '../../src/core/preprocess/options';
import { prepareForModel } from '../../src/core/preprocess/prepare';
import { resampleConservingArea } from '../../src/core/preprocess/resample';
import { gridStep, gridValues, type Grid } from '../../src/core/diffraction/render';
import { radiationFor } from '../../src/core/synth';
import { Random } from '../../src/core/util/random';
import { readFixture, simulate, strongestPeaks } from './preprocess-helpers';

const grid: Grid = { min: 20, max: 90, points: 2048 };
const x = gridValues(grid);
const METHODS = ['als', 'rolling-ball', 'polynomial'] as const;

/** (W + λDᵀD) z = W y solved densely by Gaussian elimination: the reference for the banded solve. */
function denseWhittaker(y: number[], w: number[], lambda: number): number[] {
  const n = y.length;
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (j === n ? w[i] * y[i] : i === j ? w[i] : 0)));
  for (let r = 0; r < n - 2; r++) {
    const d = [1, -2, 1];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) a[r + i][r + j] += lambda * d[i] * d[j];
  }
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= n; j++) a[r][j] -= f * a[c][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let j = r + 1; j < n; j++) s -= a[r][j] * z[j];
    z[r] = s / a[r][r];
  }
  return z;
}

/** Clean peaks of our simulator plus a background: the pattern a diffractometer would record. */
function withBackground(clean: Float32Array, background: (t: number) => number, noiseSeed?: number): Float64Array {
  const y = Float64Array.from(clean, (v, i) => v + background(x[i]));
  if (noiseSeed !== undefined) {
    // Poisson-like noise for a pattern of ~20,000 counts at its strongest peak.
    const counts = 20000;
    const random = new Random(noiseSeed);
    for (let i = 0; i < y.length; i++) y[i] = (y[i] * counts + Math.sqrt(y[i] * counts) * random.normal()) / counts;
  }
  return y;
}

const BACKGROUNDS = {
  // What the paper's 4th-degree polynomial is for: a smooth, slowly bending background.
  polynomial: (t: number) => { const u = (t - 55) / 35; return 0.3 - 0.12 * u + 0.08 * u * u + 0.05 * u ** 3 + 0.04 * u ** 4; },
  // Amorphous hump (substrate, glass) on a quadratic: what a polynomial cannot follow.
  hump: (t: number) => 0.1 + 0.06 * ((t - 55) / 35) ** 2 + 0.25 * Math.exp(-4 * Math.LN2 * ((t - 30) / 12) ** 2),
};

function compare(recovered: Float32Array, clean: Float32Array) {
  let worst = 0;
  let mean = 0;
  for (let i = 0; i < clean.length; i++) {
    const d = Math.abs(recovered[i] - clean[i]);
    worst = Math.max(worst, d);
    mean += d / clean.length;
  }
  const peaks = strongestPeaks(clean, 6).filter((i) => clean[i] > 0.05);
  const moved = peaks.filter((i) => !strongestPeaks(recovered, 10).some((j) => Math.abs(i - j) <= 1));
  const heights = peaks.map((i) => Math.abs(recovered[i] - clean[i]));
  return { worst, mean, moved, heightError: Math.max(...heights) };
}

describe('preprocessing: background subtraction', () => {
  it('the banded ALS solve equals a dense solve of the same system', () => {
    const random = new Random(3);
    const n = 40;
    const y = Array.from({ length: n }, (_, i) => Math.sin(i / 5) + random.float());
    const out = new Float64Array(n);
    // One round with all weights 1 is the plain Whittaker smoother.
    alsBaseline(Float64Array.from(y), 0, n - 1, { lambda: 50, p: 0.01, iterations: 1 }, out);
    const reference = denseWhittaker(y, y.map(() => 1), 50);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(out[i] - reference[i]) < 1e-9, `${i}: ${out[i]} vs ${reference[i]}`);
    // Two rounds: the second solve uses the asymmetric weights of the first fit.
    alsBaseline(Float64Array.from(y), 0, n - 1, { lambda: 50, p: 0.01, iterations: 2 }, out);
    const reference2 = denseWhittaker(y, y.map((v, i) => (v > reference[i] ? 0.01 : 0.99)), 50);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(out[i] - reference2[i]) < 1e-9);
  });

  it('a simulated pattern without background passes through ALS (the default) essentially unchanged', () => {
    for (const cif of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif']) {
      const clean = simulate(cif, grid, radiationFor('CuKa'));
      const p = prepareForModel({ twoTheta: x, intensity: Float64Array.from(clean) }, grid);
      assert.equal(p.options!.background, 'als');
      const { worst, moved } = compare(p.pattern, clean);
      assert.ok(worst < 0.015, `${cif}: largest change ${worst}`);
      assert.deepEqual(moved, []);
    }
  });

  for (const [name, background] of Object.entries(BACKGROUNDS)) {
    for (const method of METHODS) {
      if (name === 'hump' && method === 'polynomial') continue; // a 4th-degree polynomial cannot follow a 24°-wide hump at the range's edge
      it(`${method} recovers simulated peaks from a ${name} background`, () => {
        for (const cif of ['Ni-fcc.cif', 'Co-hcp.cif']) {
          const clean = simulate(cif, grid, radiationFor('CuKa'));
          for (const noise of [undefined, 11]) {
            const p = prepareForModel({ twoTheta: x, intensity: withBackground(clean, background, noise) }, grid, { background: method });
            const r = compare(p.pattern, clean);
            const label = `${cif} ${noise ? 'noisy' : 'noiseless'}: ${JSON.stringify(r)}`;
            assert.deepEqual(r.moved, [], label);
            assert.ok(r.heightError < (noise ? 0.05 : 0.03), label);
            assert.ok(r.mean < (noise ? 0.02 : 0.012), label);
          }
        }
      });
    }
  }

  it('the polynomial background is the paper\'s degree 4, and recovers a degree-4 background exactly without peaks', () => {
    const y = Float64Array.from(x, BACKGROUNDS.polynomial);
    const out = new Float64Array(x.length);
    polynomialBaseline(y, 0, x.length - 1, DEFAULT_PREPROCESS_OPTIONS.polynomial, out);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(out[i] - y[i]) < 1e-9);
    assert.equal(DEFAULT_PREPROCESS_OPTIONS.polynomial.degree, 4);
  });

  for (const file of ['TiO2.xy', 'MnO.xy', 'CsAgBiBr_2_2-Theta.xy']) {
    it(`on the measured ${file}: background below the data, result ≥ 0, peaks where they were`, () => {
      const measured = readFixture(file);
      const model: Grid = { min: 20, max: 70, points: 2048 };
      const reference = prepareForModel(measured, model, { background: 'none' });
      const resampled = resampleConservingArea(measured.twoTheta, measured.intensity, model);
      for (const method of METHODS) {
        const p = prepareForModel(measured, model, { background: method });
        assert.ok(p.pattern.every((v) => v >= 0 && v <= 1), method);
        // Below the data: above it only by the counting noise (3σ = 3√counts), at ≤ 2 % of points.
        const background = new Float64Array(model.points);
        const options = { ...DEFAULT_PREPROCESS_OPTIONS };
        if (method === 'als') alsBaseline(resampled.values, 0, model.points - 1, options.als, background);
        else if (method === 'rolling-ball') rollingBallBaseline(resampled.values, 0, model.points - 1, options.rollingBall, gridStep(model), background);
        else polynomialBaseline(resampled.values, 0, model.points - 1, options.polynomial, background);
        let above = 0;
        let lowest = Infinity;
        for (let i = 0; i < model.points; i++) {
          const counts = resampled.values[i];
          if (background[i] > counts + 3 * Math.sqrt(Math.max(counts, 1))) above++;
          lowest = Math.min(lowest, counts);
        }
        assert.ok(above <= 0.02 * model.points, `${method}: background above the data at ${above} points`);
        // Peaks where they were: the strongest peaks after subtraction are peaks of the data at
        // the same grid points, and the data's strongest peak is among them.
        const after = strongestPeaks(p.pattern, 5, 8).filter((i) => p.pattern[i] > 0.05);
        const before = strongestPeaks(reference.pattern, 40, 3);
        for (const i of after) assert.ok(before.some((j) => Math.abs(i - j) <= 1), `${method}: peak at ${(model.min + i * gridStep(model)).toFixed(2)}° is not a peak of the data`);
        assert.ok(after.some((i) => Math.abs(i - strongestPeaks(reference.pattern, 1, 8)[0]) <= 1), `${method}: the strongest peak moved`);
        // And the subtracted background is what the structured step reports.
        const step = p.operations!.find((o) => o.step === 'background')!;
        assert.equal(step.parameters.method, method);
      }
    });
  }
});
