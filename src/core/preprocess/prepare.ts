// What is done to a measured pattern before a model sees it, each step recorded so the user
// can see it: resampling onto the model's 2θ grid and scaling to [0, 1] as the training data.
import type { Grid } from '../diffraction/render';
import type { MeasuredPattern } from '../formats/xy';

export interface PreparedPattern {
  /** On the model's grid, scaled to [0, 1]. */
  pattern: Float32Array;
  /** Fraction of the model's 2θ range the measurement covers. */
  coverage: number;
  steps: string[];
}

/**
 * Linear interpolation onto the grid (the area-conserving resampling of issue 5 replaces it);
 * grid points outside the measured range take the lowest measured intensity.
 */
export function prepareForModel(measured: MeasuredPattern, grid: Grid): PreparedPattern {
  const { twoTheta, intensity } = measured;
  const n = twoTheta.length;
  const out = new Float32Array(grid.points);
  const step = (grid.max - grid.min) / (grid.points - 1);
  let floor = Infinity;
  for (let i = 0; i < n; i++) floor = Math.min(floor, intensity[i]);
  let j = 0;
  let covered = 0;
  for (let k = 0; k < grid.points; k++) {
    const x = grid.min + k * step;
    if (x < twoTheta[0] || x > twoTheta[n - 1]) {
      out[k] = floor;
      continue;
    }
    covered++;
    while (j < n - 2 && twoTheta[j + 1] < x) j++;
    const span = twoTheta[j + 1] - twoTheta[j];
    const t = span > 0 ? (x - twoTheta[j]) / span : 0;
    out[k] = intensity[j] + t * (intensity[j + 1] - intensity[j]);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < out.length; k++) {
    lo = Math.min(lo, out[k]);
    hi = Math.max(hi, out[k]);
  }
  const range = hi - lo;
  for (let k = 0; k < out.length; k++) out[k] = range > 0 ? (out[k] - lo) / range : 0;
  const coverage = covered / grid.points;
  const sameGrid = n === grid.points && Math.abs(twoTheta[0] - grid.min) < 1e-6 && Math.abs(twoTheta[n - 1] - grid.max) < 1e-6;
  return {
    pattern: out,
    coverage,
    steps: [
      sameGrid
        ? `on the model's grid already (${grid.points} points, ${grid.min}–${grid.max}°)`
        : `resampled ${n} points (${twoTheta[0].toFixed(3)}–${twoTheta[n - 1].toFixed(3)}°) linearly onto ${grid.points} points (${grid.min}–${grid.max}°); covers ${(coverage * 100).toFixed(1)} % of the model's range`,
      `scaled to [0, 1] (min ${lo.toPrecision(4)}, max ${hi.toPrecision(4)})`,
    ],
  };
}
