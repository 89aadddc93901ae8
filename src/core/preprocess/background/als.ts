// Asymmetric least squares baseline (Eilers & Boelens, 2005): the Whittaker smoother
// z = argmin Σ wᵢ(yᵢ − zᵢ)² + λ Σ (Δ²zᵢ)², reweighted so points above z (peaks) count p and
// points below 1 − p. (W + λDᵀD) is symmetric pentadiagonal, so each round is a banded
// LDLᵀ solve, O(n) — a dense solve would be O(n³) for the same answer.
import type { AlsOptions } from '../options';

/** Baseline of y[first..last] into out[first..last]. */
export function alsBaseline(y: Float64Array, first: number, last: number, options: AlsOptions, out: Float64Array): { iterations: number } {
  const n = last - first + 1;
  if (n < 5) {
    // Too short for a second difference to mean anything: the lowest point is the baseline.
    let lowest = Infinity;
    for (let i = first; i <= last; i++) lowest = Math.min(lowest, y[i]);
    for (let i = first; i <= last; i++) out[i] = lowest;
    return { iterations: 0 };
  }
  const { p } = options;
  const s = scratchFor(n, options.lambda);
  const { w, d, l1, l2, u, z, diagonal, off1 } = s;
  w.fill(1, 0, n);
  let iterations = 0;
  for (let round = 0; round < options.iterations; round++) {
    iterations++;
    // LDLᵀ of A = W + λDᵀD, with the forward substitution L u = W y in the same pass. The
    // second off-diagonal of λDᵀD is λ everywhere but the last two rows.
    const lambda = s.lambda;
    d[0] = w[0] + diagonal[0];
    l1[0] = off1[0] / d[0];
    l2[0] = lambda / d[0];
    u[0] = w[0] * y[first];
    d[1] = w[1] + diagonal[1] - l1[0] * l1[0] * d[0];
    l1[1] = (off1[1] - l1[0] * d[0] * l2[0]) / d[1];
    l2[1] = lambda / d[1];
    u[1] = w[1] * y[first + 1] - l1[0] * u[0];
    for (let i = 2; i < n; i++) {
      const lPrev = l1[i - 1];
      const dPrev = d[i - 1];
      const l2Prev2 = l2[i - 2];
      const di = w[i] + diagonal[i] - lPrev * lPrev * dPrev - l2Prev2 * l2Prev2 * d[i - 2];
      const inverse = 1 / di;
      d[i] = di;
      l1[i] = (off1[i] - lPrev * dPrev * l2[i - 1]) * inverse;
      l2[i] = i < n - 2 ? lambda * inverse : 0;
      u[i] = w[i] * y[first + i] - lPrev * u[i - 1] - l2Prev2 * u[i - 2];
      // u/d now, so the back substitution multiplies only.
      u[i - 2] /= d[i - 2];
    }
    u[n - 2] /= d[n - 2];
    u[n - 1] /= d[n - 1];
    z[n - 1] = u[n - 1];
    z[n - 2] = u[n - 2] - l1[n - 2] * z[n - 1];
    for (let i = n - 3; i >= 0; i--) z[i] = u[i] - l1[i] * z[i + 1] - l2[i] * z[i + 2];
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const weight = y[first + i] > z[i] ? p : 1 - p;
      if (weight !== w[i]) changed++;
      w[i] = weight;
    }
    // Noise at the baseline flips a few weights every round without moving it: stop when at
    // most one point in a thousand changed side.
    if (changed <= n / 1000) break;
  }
  for (let i = 0; i < n; i++) out[first + i] = z[i];
  return { iterations };
}

interface Scratch {
  n: number;
  lambda: number;
  /** λ × the bands of DᵀD: diagonal 1, 5, 6, …, 6, 5, 1; first off-diagonal −2, −4, …, −4, −2, 0. */
  diagonal: Float64Array;
  off1: Float64Array;
  w: Float64Array;
  d: Float64Array;
  l1: Float64Array;
  l2: Float64Array;
  u: Float64Array;
  z: Float64Array;
}

// Scoring calls this once per pattern on the same grid: keep the buffers and bands.
let scratch: Scratch | undefined;
function scratchFor(n: number, lambda: number): Scratch {
  if (scratch && scratch.n === n && scratch.lambda === lambda) return scratch;
  const make = () => new Float64Array(n);
  const diagonal = make();
  const off1 = make();
  for (let i = 0; i < n; i++) {
    diagonal[i] = lambda * (i === 0 || i === n - 1 ? 1 : i === 1 || i === n - 2 ? 5 : 6);
    off1[i] = lambda * (i === n - 1 ? 0 : i === 0 || i === n - 2 ? -2 : -4);
  }
  scratch = { n, lambda, diagonal, off1, w: make(), d: make(), l1: make(), l2: make(), u: make(), z: make() };
  return scratch;
}
