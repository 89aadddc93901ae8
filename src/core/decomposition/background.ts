// The smooth background a decomposition fits under the phases' lines: Chebyshev polynomials over
// the covered 2θ span (smooth enough not to draw a line, free enough for a tube's and a sample
// holder's slow curve and an amorphous hump several degrees wide) and the air scatter's rise to
// low angle, (sin θ_min / sin θ)², the shape the generator draws (synth/simulator.ts). Their
// coefficients may take either sign (a sum of them is the background); they are solved with the
// phase scales in one least-squares problem (nnls.ts).
import { gridStep, type Grid } from '../diffraction/render';

/** Chebyshev degree: T0…T_DEGREE. */
export const BACKGROUND_DEGREE = 16;
/** Columns the background adds: the polynomials and the air-scatter shape. */
export const BACKGROUND_TERMS = BACKGROUND_DEGREE + 2;

/** The background's columns over grid points first..last, each scaled to unit norm. */
export function backgroundBasis(grid: Grid, first: number, last: number): Float64Array[] {
  const n = last - first + 1;
  const step = gridStep(grid);
  const columns: Float64Array[] = [];
  for (let d = 0; d <= BACKGROUND_DEGREE; d++) columns.push(new Float64Array(n));
  const air = new Float64Array(n);
  const sinLow = Math.sin((Math.max(grid.min + first * step, 1) * Math.PI) / 360);
  for (let i = 0; i < n; i++) {
    const x = n > 1 ? (2 * i) / (n - 1) - 1 : 0;
    // T0 = 1, T1 = x, T(k+1) = 2x·T(k) − T(k−1).
    columns[0][i] = 1;
    if (BACKGROUND_DEGREE >= 1) columns[1][i] = x;
    for (let d = 2; d <= BACKGROUND_DEGREE; d++) columns[d][i] = 2 * x * columns[d - 1][i] - columns[d - 2][i];
    const twoTheta = grid.min + (first + i) * step;
    air[i] = (sinLow / Math.sin((Math.max(twoTheta, 1) * Math.PI) / 360)) ** 2;
  }
  columns.push(air);
  for (const c of columns) {
    let s = 0;
    for (const v of c) s += v * v;
    const inverse = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < n; i++) c[i] *= inverse;
  }
  return columns;
}
