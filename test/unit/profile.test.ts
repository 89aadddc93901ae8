import assert from 'node:assert/strict';
import { gaussianFwhm, lorentzianFwhm, pseudoVoigt, tchWidthAndEta } from '../../src/core/diffraction/profile';
import { allocateLines, renderLines, renderLinesNaive, gridValues, type Grid } from '../../src/core/diffraction/render';

function oneLine(position: number, area: number, fwhm: number, eta: number) {
  const lines = allocateLines(1);
  lines.count = 1;
  lines.position[0] = position;
  lines.area[0] = area;
  lines.fwhm[0] = fwhm;
  lines.eta[0] = eta;
  return lines;
}

/** Full width at half maximum of a sampled peak, by linear interpolation of the crossings. */
function measuredFwhm(x: Float64Array, y: Float64Array): number {
  let iMax = 0;
  for (let i = 1; i < y.length; i++) if (y[i] > y[iMax]) iMax = i;
  const half = y[iMax] / 2;
  let left = iMax;
  while (y[left] > half) left--;
  let right = iMax;
  while (y[right] > half) right++;
  const xl = x[left] + ((half - y[left]) / (y[left + 1] - y[left])) * (x[left + 1] - x[left]);
  const xr = x[right - 1] + ((half - y[right - 1]) / (y[right] - y[right - 1])) * (x[right] - x[right - 1]);
  return xr - xl;
}

describe('peak profiles (Thompson–Cox–Hastings pseudo-Voigt)', () => {
  it('uses the published TCH coefficients (0.11116, not XCA\'s 0.1116)', () => {
    // Pure Lorentzian: q = 1 → η = 1.36603 − 0.47719 + 0.11116 = 1.0000
    assert.ok(Math.abs(tchWidthAndEta(0, 0.2).eta - 1) < 1e-4);
    assert.ok(Math.abs(tchWidthAndEta(0, 0.2).fwhm - 0.2) < 1e-12);
    assert.equal(tchWidthAndEta(0.2, 0).eta, 0);
    // Equal widths: H⁵ = (1 + 2.69269 + 2.42843 + 4.47163 + 0.07842 + 1)·h⁵
    const h = tchWidthAndEta(0.1, 0.1);
    const expectedH = 0.1 * Math.pow(1 + 2.69269 + 2.42843 + 4.47163 + 0.07842 + 1, 0.2);
    assert.ok(Math.abs(h.fwhm - expectedH) < 1e-12);
    const q = 0.1 / expectedH;
    assert.ok(Math.abs(h.eta - (1.36603 * q - 0.47719 * q * q + 0.11116 * q ** 3)) < 1e-12);
  });

  it('Caglioti and Lorentzian widths follow their θ dependence (X and Y really matter)', () => {
    const p = { u: 0.01, v: -0.005, w: 0.004, x: 0.03, y: 0.05 };
    const t = Math.tan((60 * Math.PI) / 360);
    assert.ok(Math.abs(gaussianFwhm(p, 60) - Math.sqrt(0.01 * t * t - 0.005 * t + 0.004)) < 1e-12);
    assert.ok(Math.abs(lorentzianFwhm(p, 60) - (0.03 * t + 0.05 / Math.cos((60 * Math.PI) / 360))) < 1e-12);
    assert.notEqual(lorentzianFwhm({ ...p, y: 0.5 }, 60), lorentzianFwhm(p, 60));
  });

  it('is area-normalised: a rendered line integrates to its intensity', () => {
    const grid: Grid = { min: 20, max: 90, points: 20001 };
    for (const eta of [0, 0.3, 0.7, 1]) {
      const out = new Float64Array(grid.points);
      renderLines(oneLine(55, 3.5, 0.2, eta), grid, out);
      const step = (grid.max - grid.min) / (grid.points - 1);
      const area = out.reduce((s, v) => s + v, 0) * step;
      assert.ok(Math.abs(area / 3.5 - 1) < 2e-3, `η=${eta}: area ${area}`);
    }
  });

  it('draws the FWHM it was asked for', () => {
    const grid: Grid = { min: 40, max: 70, points: 30001 };
    const x = gridValues(grid);
    for (const eta of [0, 0.5, 1]) {
      const out = new Float64Array(grid.points);
      renderLinesNaive(oneLine(55, 1, 0.25, eta), grid, out);
      assert.ok(Math.abs(measuredFwhm(x, out) - 0.25) < 2e-3, `η=${eta}`);
    }
  });

  // The windowed renderer cuts Lorentzian tails below 1e-3 of a line's maximum and puts their
  // area back inside the window (areas exact, as the test above checks): near a Lorentzian-rich
  // line's centre that reads up to ~1.5 % of its height above the untruncated profile.
  it('the windowed renderer matches the every-point evaluation within 2 % of the maximum', () => {
    const grid: Grid = { min: 20, max: 90, points: 2048 };
    const lines = allocateLines(3);
    lines.count = 3;
    [[30, 1, 0.1, 0.2], [44.5, 2, 0.15, 0.6], [89.9, 0.5, 0.3, 1]].forEach(([p, a, f, e], i) => {
      lines.position[i] = p; lines.area[i] = a; lines.fwhm[i] = f; lines.eta[i] = e;
    });
    const fast = new Float64Array(grid.points);
    const slow = new Float64Array(grid.points);
    renderLines(lines, grid, fast);
    renderLinesNaive(lines, grid, slow);
    const max = slow.reduce((m, v) => Math.max(m, v), 0);
    for (let i = 0; i < grid.points; i++) assert.ok(Math.abs(fast[i] - slow[i]) < 2e-2 * max, `point ${i}: ${fast[i]} vs ${slow[i]}`);
  });

  it('pseudo-Voigt is half its maximum at half the FWHM', () => {
    for (const eta of [0, 0.4, 1]) {
      assert.ok(Math.abs(pseudoVoigt(0.1, 0.2, eta) / pseudoVoigt(0, 0.2, eta) - 0.5) < 1e-12);
    }
  });
});
