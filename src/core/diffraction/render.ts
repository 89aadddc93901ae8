import { GAUSS_NORM, splitPseudoVoigt } from './profile';

/** An evenly spaced 2θ grid: `points` values from `min` to `max` inclusive (degrees). */
export interface Grid {
  min: number;
  max: number;
  points: number;
}

export function gridStep(grid: Grid): number {
  return (grid.max - grid.min) / (grid.points - 1);
}

export function gridValues(grid: Grid): Float64Array {
  const step = gridStep(grid);
  return Float64Array.from({ length: grid.points }, (_, i) => grid.min + i * step);
}

/**
 * Peak lines to draw: centre (deg 2θ), integrated intensity, TCH width and mixing. Struct of
 * arrays so a pattern's lines live in a few reused typed arrays.
 */
export interface Lines {
  count: number;
  position: Float64Array;
  area: Float64Array;
  fwhm: Float64Array;
  eta: Float64Array;
  /**
   * Split of the profile (profile.ts, splitPseudoVoigt): the low-angle half is (1 + a) times
   * as wide, the high-angle half (1 − a); 0 draws the symmetric pseudo-Voigt.
   */
  asymmetry: Float64Array;
}

export function allocateLines(capacity: number): Lines {
  return {
    count: 0,
    position: new Float64Array(capacity),
    area: new Float64Array(capacity),
    fwhm: new Float64Array(capacity),
    eta: new Float64Array(capacity),
    asymmetry: new Float64Array(capacity),
  };
}

/**
 * A line is drawn only where it exceeds this fraction of its own maximum. The Gaussian part
 * ends within 2.5 FWHM (below 1e-7 of its maximum); the Lorentzian tail, which would need ±16
 * FWHM for 1e-3 and ±160 for 1e-5, is cut where the whole profile falls under the threshold
 * and its kept part rescaled so every line's integrated intensity is exact.
 */
export const DEFAULT_CUTOFF = 1e-3;
const GAUSS_HALF_WINDOW = 2.5;

const LN2 = Math.LN2;

/**
 * Adds every line to `out` (density per degree at each grid point), evaluating each only over
 * its window: the cost grows with the number of lines times their width in grid points, not
 * with lines × grid.
 */
export function renderLines(lines: Lines, grid: Grid, out: Float64Array, cutoff = DEFAULT_CUTOFF): void {
  const last = grid.points - 1;
  const inverseStep = 1 / gridStep(grid);
  for (let n = 0; n < lines.count; n++) {
    const centre = lines.position[n];
    const area = lines.area[n];
    const fwhm = lines.fwhm[n];
    const eta = lines.eta[n];
    const a = lines.asymmetry[n];
    if (!(area > 0) || !(fwhm > 0)) continue;
    if (a === 0) {
      renderHalf(grid, out, cutoff, centre, area, fwhm, eta, 0, last);
    } else {
      // Each half is the symmetric profile of its own width, scaled so the halves meet at
      // the centre and the areas add to `area` ((1 + a)/2 + (1 − a)/2).
      const split = Math.floor((centre - grid.min) * inverseStep);
      renderHalf(grid, out, cutoff, centre, area * (1 + a), fwhm * (1 + a), eta, 0, Math.min(split, last));
      renderHalf(grid, out, cutoff, centre, area * (1 - a), fwhm * (1 - a), eta, Math.max(split + 1, 0), last);
    }
  }
}

/** Adds one symmetric line (all of it: area `area`) to `out`, at grid points from..to only. */
function renderHalf(grid: Grid, out: Float64Array, cutoff: number, centre: number, area: number, fwhm: number, eta: number, from: number, to: number): void {
  if (to < from) return;
  const step = gridStep(grid);
  const inverseStep = 1 / step;
  const lorentzPeak = (2 / (Math.PI * fwhm)) * eta;
  const gaussPeak = (GAUSS_NORM / fwhm) * (1 - eta);
  const peak = lorentzPeak + gaussPeak;
  // Half-window where the Lorentzian alone falls to cutoff × peak (at least the Gaussian's).
  const ratio = lorentzPeak / (cutoff * peak);
  const lorentzHalf = ratio > 1 ? 0.5 * fwhm * Math.sqrt(ratio - 1) : 0;
  const gaussHalf = GAUSS_HALF_WINDOW * fwhm;
  const half = Math.max(lorentzHalf, gaussHalf);
  // Fraction of the Lorentzian's area inside ±half, to put the cut tails' area back.
  const kept = lorentzHalf > 0 ? (2 / Math.PI) * Math.atan((2 * half) / fwhm) : 1;
  const lorentzScale = (area * lorentzPeak) / kept;
  const gaussScale = area * gaussPeak;
  const inverseHalfWidth = 2 / fwhm;
  let i0 = Math.ceil((centre - half - grid.min) * inverseStep);
  let i1 = Math.floor((centre + half - grid.min) * inverseStep);
  if (i1 < from || i0 > to) return;
  if (i0 < from) i0 = from;
  if (i1 > to) i1 = to;
  let g0 = Math.ceil((centre - gaussHalf - grid.min) * inverseStep);
  let g1 = Math.floor((centre + gaussHalf - grid.min) * inverseStep);
  if (g0 < i0) g0 = i0;
  if (g1 > i1) g1 = i1;
  const start = grid.min - centre;
  for (let i = i0; i <= i1; i++) {
    const r = (start + i * step) * inverseHalfWidth;
    out[i] += lorentzScale / (1 + r * r);
  }
  if (g1 >= g0) {
    // The Gaussian by recurrence (g[i+1] = g[i]·q[i], q[i+1] = q[i]·e^(−2aΔ²)): two
    // multiplications a point instead of an exp.
    const a = 4 * LN2 / (fwhm * fwhm);
    const d0 = start + g0 * step;
    let g = gaussScale * Math.exp(-a * d0 * d0);
    let q = Math.exp(-a * (2 * d0 * step + step * step));
    const qStep = Math.exp(-2 * a * step * step);
    for (let i = g0; i <= g1; i++) {
      out[i] += g;
      g *= q;
      q *= qStep;
    }
  }
}

/**
 * The straightforward evaluation of every line at every grid point, with full Lorentzian
 * tails: the reference the windowed renderer is tested and benchmarked against.
 */
export function renderLinesNaive(lines: Lines, grid: Grid, out: Float64Array): void {
  const step = gridStep(grid);
  for (let n = 0; n < lines.count; n++) {
    for (let i = 0; i < grid.points; i++) {
      out[i] += lines.area[n] * splitPseudoVoigt(grid.min + i * step - lines.position[n], lines.fwhm[n], lines.eta[n], lines.asymmetry[n]);
    }
  }
}
