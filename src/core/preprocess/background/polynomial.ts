// The baseline of Banko et al. (2021): a 4th-degree polynomial. A plain least-squares fit runs
// through the peaks; fitted to the data clipped down to the previous fit, round after round
// (Lieber & Mahadevan-Jansen, Appl. Spectrosc. 57, 1363 (2003)), it sinks under them onto the
// background. The points and weights stay fixed, so the normal matrix is factored once and
// each round is two O(n·degree) passes.
import { solveWithCholeskyFactor } from '../../util/cholesky';
import type { PolynomialOptions } from '../options';

export function polynomialBaseline(y: Float64Array, first: number, last: number, options: PolynomialOptions, out: Float64Array): { iterations: number; coefficients: number[] } {
  const n = last - first + 1;
  const terms = Math.min(options.degree + 1, n);
  // x on [−1, 1] keeps the powers' normal matrix well conditioned.
  const scale = n > 1 ? 2 / (n - 1) : 0;
  const gram = new Float64Array(terms * terms);
  const powers = new Float64Array(2 * terms);
  for (let i = 0; i < n; i++) {
    const x = i * scale - 1;
    let v = 1;
    for (let k = 0; k < 2 * terms - 1; k++) {
      powers[k] = v;
      v *= x;
    }
    for (let r = 0; r < terms; r++) for (let c = 0; c < terms; c++) gram[r * terms + c] += powers[r + c];
  }
  const chol = cholesky(gram, terms);
  // The powers of x, column by column: every round multiplies by them twice.
  const basis = new Float64Array(n * terms);
  for (let i = 0; i < n; i++) {
    const x = i * scale - 1;
    let v = 1;
    for (let k = 0; k < terms; k++) {
      basis[k * n + i] = v;
      v *= x;
    }
  }
  const clipped = Float64Array.from(y.subarray(first, last + 1));
  const fit = new Float64Array(n);
  const rhs = new Float64Array(terms);
  const coefficients = new Float64Array(terms);
  let span = 0;
  for (let i = 0; i < n; i++) span = Math.max(span, Math.abs(clipped[i]));
  let iterations = 0;
  for (let round = 0; round < options.iterations; round++) {
    iterations++;
    for (let k = 0; k < terms; k++) {
      let sum = 0;
      const offset = k * n;
      for (let i = 0; i < n; i++) sum += basis[offset + i] * clipped[i];
      rhs[k] = sum;
    }
    solveWithCholeskyFactor(chol, terms, rhs, coefficients);
    fit.fill(coefficients[0]);
    for (let k = 1; k < terms; k++) {
      const c = coefficients[k];
      const offset = k * n;
      for (let i = 0; i < n; i++) fit[i] += c * basis[offset + i];
    }
    // Converged when clipping no longer moves the data by more than 1e-4 of its size.
    let moved = 0;
    for (let i = 0; i < n; i++) {
      if (clipped[i] > fit[i]) {
        moved = Math.max(moved, clipped[i] - fit[i]);
        clipped[i] = fit[i];
      }
    }
    if (moved <= 1e-4 * span) break;
  }
  out.set(fit, first);
  return { iterations, coefficients: Array.from(coefficients) };
}

/** Lower-triangular L with A = LLᵀ (A symmetric positive definite, row-major). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * n + j];
    }
  }
  return l;
}

