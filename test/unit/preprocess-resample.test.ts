import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resampleConservingArea } from '../../src/core/preprocess/resample';
import { prepareForModel } from '../../src/core/preprocess/prepare';
import { gridStep, gridValues, type Grid } from '../../src/core/diffraction/render';

const SQRT_LN2_PI = Math.sqrt((4 * Math.LN2) / Math.PI);

interface Peak { centre: number; fwhm: number; area: number }

function gaussians(x: Float64Array, peaks: Peak[]): Float64Array {
  return Float64Array.from(x, (t) => peaks.reduce((s, p) => s + (p.area * SQRT_LN2_PI / p.fwhm) * Math.exp((-4 * Math.LN2 * (t - p.centre) ** 2) / (p.fwhm * p.fwhm)), 0));
}

function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1]);
  return s;
}

/** An uneven 2θ axis from `start`: steps drawn from [minStep, maxStep]. */
function unevenAxis(start: number, end: number, steps: number[]): Float64Array {
  const x = [start];
  for (let i = 0; x[x.length - 1] < end; i++) x.push(x[x.length - 1] + steps[i % steps.length]);
  return Float64Array.from(x);
}

const peakArb = fc.record({
  centre: fc.double({ min: 28, max: 82, noNaN: true }),
  fwhm: fc.double({ min: 0.2, max: 1.2, noNaN: true }),
  area: fc.double({ min: 0.1, max: 100, noNaN: true }),
});
const stepsArb = fc.array(fc.double({ min: 0.003, max: 0.05, noNaN: true }), { minLength: 1, maxLength: 200 });
const gridArb = fc.integer({ min: 256, max: 4096 }).map((points): Grid => ({ min: 20, max: 90, points }));

describe('preprocessing: area-conserving resampling', () => {
  it('keeps the integrated area and the centroid of random Gaussian peaks on random uneven axes', () => {
    fc.assert(
      fc.property(fc.array(peakArb, { minLength: 1, maxLength: 5 }), stepsArb, gridArb, (peaks, steps, grid) => {
        const x = unevenAxis(15, 95, steps);
        const y = gaussians(x, peaks);
        const { values, coverage } = resampleConservingArea(x, y, grid);
        assert.equal(coverage, 1);
        const h = gridStep(grid);
        const area = values.reduce((s, v) => s + v * h, 0);
        const trueArea = peaks.reduce((s, p) => s + p.area, 0);
        // Exactly the measured (trapezoid) area; the trapezoid itself is within 0.5 % of the truth.
        assert.ok(Math.abs(area - trapezoid(x, y)) <= 1e-9 * trueArea, `area ${area} vs trapezoid ${trapezoid(x, y)}`);
        assert.ok(Math.abs(area - trueArea) <= 5e-3 * trueArea, `area ${area} vs ${trueArea}`);
        const g = gridValues(grid);
        const centroid = values.reduce((s, v, k) => s + v * g[k], 0) * h / area;
        const trueCentroid = peaks.reduce((s, p) => s + p.area * p.centre, 0) / trueArea;
        // Each bin's mass is placed at its centre: a peak narrower than a bin may move by a
        // fraction of the bin, never more.
        assert.ok(Math.abs(centroid - trueCentroid) < 0.01 + 0.1 * h, `centroid ${centroid} vs ${trueCentroid} (bin ${h}°)`);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('keeps a narrow peak that point interpolation would lose (fine scan onto a coarse grid)', () => {
    const x = gridValues({ min: 15, max: 95, points: 16001 }); // 0.005° steps
    const grid: Grid = { min: 20, max: 90, points: 1024 }; // 0.068° steps
    const peak = { centre: 50.017, fwhm: 0.03, area: 1 };
    const y = gaussians(x, [peak]);
    const h = gridStep(grid);
    const area = resampleConservingArea(x, y, grid).values.reduce((s, v) => s + v * h, 0);
    assert.ok(Math.abs(area - 1) < 1e-6, `bin averages keep the area: ${area}`);
    // Point sampling at the grid's 2θ values: what the earlier linear interpolation did.
    const sampled = gaussians(gridValues(grid), [peak]).reduce((s, v) => s + v * h, 0);
    assert.ok(Math.abs(sampled - 1) > 0.1, `point sampling misses it: ${sampled}`);
  });

  it('on a grid finer than the measurement it is linear interpolation', () => {
    const x = gridValues({ min: 10, max: 100, points: 901 }); // 0.1° steps
    const y = gaussians(x, [{ centre: 55, fwhm: 4, area: 10 }]);
    const grid: Grid = { min: 20, max: 90, points: 7001 }; // 0.01°
    const { values } = resampleConservingArea(x, y, grid);
    const g = gridValues(grid);
    let worst = 0;
    let top = 0;
    for (let k = 0; k < g.length; k++) {
      const j = Math.min(x.length - 2, Math.floor((g[k] - 10) / 0.1 + 1e-9));
      const t = (g[k] - x[j]) / (x[j + 1] - x[j]);
      worst = Math.max(worst, Math.abs(values[k] - (y[j] + t * (y[j + 1] - y[j]))));
      top = Math.max(top, values[k]);
    }
    assert.ok(worst < 1e-3 * top, `largest difference from interpolation ${worst / top} of the peak`);
  });

  it('reports coverage and fills the unmeasured part of the grid, and says so', () => {
    const x = gridValues({ min: 30, max: 60, points: 1501 });
    const y = Float64Array.from(x, (t) => 100 + 1000 * Math.exp(-((t - 45) ** 2) / 0.02));
    const grid: Grid = { min: 20, max: 90, points: 701 }; // 0.1° steps
    for (const background of ['als', 'none'] as const) {
      const p = prepareForModel({ twoTheta: x, intensity: y, wavelength: 1.540562 }, grid, { background });
      assert.ok(Math.abs(p.coverage - 301 / 701) < 1e-12, `coverage ${p.coverage}`);
      assert.deepEqual(p.covered, { first: 100, last: 400 });
      const fill = p.operations!.find((o) => o.step === 'fill')!;
      assert.match(fill.detail, /400 grid points outside the measurement \(20–29\.9° and 60\.1–90°\)/);
      assert.match(fill.detail, background === 'none' ? /lowest measured intensity/ : /background was subtracted to/);
      // Outside the measurement the pattern sits at its floor: 0 after scaling.
      assert.ok(p.pattern[0] < 0.01 && p.pattern[700] < 0.01, `${p.pattern[0]}, ${p.pattern[700]}`);
      assert.equal(Math.max(...p.pattern), 1);
    }
  });

  it('a measurement outside the model\'s range is refused, not scored as a pattern of zeros', () => {
    const x = gridValues({ min: 100, max: 120, points: 201 });
    assert.throws(
      () => prepareForModel({ twoTheta: x, intensity: Float64Array.from(x, Math.sin) }, { min: 20, max: 90, points: 256 }),
      /no measured point lies in the model's 2θ range \(20–90°\): the measurement spans 100–120°/,
    );
  });

  it('a pattern already on the model grid passes through resampling untouched', () => {
    const grid: Grid = { min: 20, max: 90, points: 512 };
    const x = gridValues(grid);
    const y = Float64Array.from(x, (t, i) => (i % 7) + t);
    const p = prepareForModel({ twoTheta: x, intensity: y }, grid, { background: 'none' });
    assert.match(p.steps.find((s) => s.includes('grid'))!, /on the model's grid already/);
    const lo = Math.min(...y);
    const hi = Math.max(...y);
    for (let i = 0; i < 512; i++) assert.ok(Math.abs(p.pattern[i] - (y[i] - lo) / (hi - lo)) < 1e-6, 'scaled only');
  });
});
