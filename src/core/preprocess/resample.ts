// Resampling a measured pattern onto an even 2θ grid so that peak areas survive: each grid
// point gets the mean of the measurement over its bin (the integral of the piecewise-linear
// measurement between the bin's edges, divided by the bin's width), not the value at its
// centre. Point interpolation of a coarse grid skips narrow peaks or samples them at their
// top; binning keeps every count. On a grid finer than the measurement the bin mean of a
// straight segment is its midpoint value, so it degrades to linear interpolation.
import { gridStep, type Grid } from '../diffraction/render';

export interface Resampled {
  values: Float64Array;
  /** First and last grid index whose 2θ lies within the measurement (first > last: none). */
  first: number;
  last: number;
  /** Fraction of the grid's points inside the measurement. */
  coverage: number;
}

/**
 * `x` increasing (repeated values allowed). Grid points outside [x₀, xₙ₋₁] are left 0 and
 * outside [first, last]; a bin cut by the end of the measurement is the mean over its measured part.
 */
export function resampleConservingArea(x: Float64Array, y: Float64Array, grid: Grid, out = new Float64Array(grid.points)): Resampled {
  const n = x.length;
  const m = grid.points;
  const step = gridStep(grid);
  out.fill(0);
  if (n < 2) return { values: out, first: 0, last: -1, coverage: 0 };
  const xLo = x[0];
  const xHi = x[n - 1];
  let first = Math.max(0, Math.ceil((xLo - grid.min) / step - 1e-9));
  let last = Math.min(m - 1, Math.floor((xHi - grid.min) / step + 1e-9));
  if (first > last) return { values: out, first: 0, last: -1, coverage: 0 };

  // Walk the measurement's segments and the bins' edges together: `j` is the segment holding
  // the current edge, `area` the integral from x₀ to it.
  let j = 0;
  let areaToJ = 0; // ∫ from x₀ to x[j]
  const integralTo = (e: number): number => {
    while (j < n - 2 && x[j + 1] <= e) {
      areaToJ += 0.5 * (y[j] + y[j + 1]) * (x[j + 1] - x[j]);
      j++;
    }
    const span = x[j + 1] - x[j];
    const d = e - x[j];
    if (span <= 0 || d <= 0) return areaToJ;
    const t = d > span ? 1 : d / span;
    const yE = y[j] + t * (y[j + 1] - y[j]);
    return areaToJ + 0.5 * (y[j] + yE) * (t * span);
  };
  let leftEdge = Math.max(xLo, grid.min + (first - 0.5) * step);
  let leftArea = integralTo(leftEdge);
  for (let k = first; k <= last; k++) {
    const rightEdge = Math.min(xHi, grid.min + (k + 0.5) * step);
    const rightArea = integralTo(rightEdge);
    const width = rightEdge - leftEdge;
    out[k] = width > 0 ? (rightArea - leftArea) / width : valueAt(x, y, leftEdge);
    leftEdge = rightEdge;
    leftArea = rightArea;
  }
  return { values: out, first, last, coverage: (last - first + 1) / m };
}

/** Linear interpolation at one 2θ inside the measurement (for a zero-width bin). */
function valueAt(x: Float64Array, y: Float64Array, at: number): number {
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= at) lo = mid;
    else hi = mid;
  }
  const span = x[hi] - x[lo];
  return span > 0 ? y[lo] + ((at - x[lo]) / span) * (y[hi] - y[lo]) : y[lo];
}
