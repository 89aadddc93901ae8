// Least squares with some coefficients held non-negative and the rest free, solved on the normal
// equations (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23, with the free
// coefficients never leaving the passive set). A decomposition has a few phase scales (≥ 0: no
// phase diffracts negatively) and a few background coefficients (any sign), so the Gram matrix is
// at most a few tens square and every solve is a small Cholesky factorisation.

import { solveWithCholeskyFactor } from '../util/cholesky';

/** A least-squares problem reduced to its normal equations: minimise ‖y − Ax‖² = yᵀy − 2xᵀb + xᵀGx. */
export interface NormalEquations {
  /** Columns of A. */
  size: number;
  /** G = AᵀA, row-major size × size. */
  gram: Float64Array;
  /** b = Aᵀy. */
  rhs: Float64Array;
  /** yᵀy. */
  yy: number;
}

/** Relative ridge added to the diagonal: columns that coincide (two phases with the same lines) still solve, splitting the scale. */
const RIDGE = 1e-10;

/**
 * Solves A·x = b for a symmetric positive definite m × m A (row-major) by Cholesky, using `work`
 * (m × m) for the factor; returns false when A is not positive definite. The one dense solver of
 * the decomposition (the passive sets here, Levenberg–Marquardt's steps in fit.ts).
 */
export function solveSymmetric(a: Float64Array, m: number, b: ArrayLike<number>, x: Float64Array, work: Float64Array): boolean {
  const L = work;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * m + j];
      for (let k = 0; k < j; k++) sum -= L[i * m + k] * L[j * m + k];
      if (i === j) {
        if (!(sum > 0)) return false;
        L[i * m + i] = Math.sqrt(sum);
      } else L[i * m + j] = sum / L[j * m + j];
    }
  }
  solveWithCholeskyFactor(L, m, b, x);
  return true;
}

/**
 * Solves G_PP z = b_P for the first k indices of `passive` (with the ridge on the diagonal);
 * returns false when the subsystem is not positive definite (then the caller drops the column).
 */
function solvePassive(eq: NormalEquations, passive: Int32Array, k: number, z: Float64Array, work: Float64Array, t: Float64Array, sub: Float64Array, subRhs: Float64Array): boolean {
  const n = eq.size;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) sub[i * k + j] = eq.gram[passive[i] * n + passive[j]];
    sub[i * k + i] += RIDGE * Math.max(eq.gram[passive[i] * n + passive[i]], 1e-300);
    subRhs[i] = eq.rhs[passive[i]];
  }
  if (!solveSymmetric(sub, k, subRhs, t, work)) return false;
  z.fill(0);
  for (let i = 0; i < k; i++) z[passive[i]] = t[i];
  return true;
}

/** ‖y − Ax‖² from the normal equations (never below 0: rounding may take it there for an exact fit). */
export function residualSumOfSquares(eq: NormalEquations, x: ArrayLike<number>): number {
  const n = eq.size;
  let s = eq.yy;
  for (let i = 0; i < n; i++) {
    if (x[i] === 0) continue;
    let gx = 0;
    for (let j = 0; j < n; j++) gx += eq.gram[i * n + j] * x[j];
    s += x[i] * (gx - 2 * eq.rhs[i]);
  }
  return Math.max(0, s);
}

/**
 * Minimises ‖y − Ax‖² with x_i ≥ 0 where `constrained[i]`, x_i free elsewhere, and x_i = 0 where
 * `excluded[i]` (a column left out: a phase the fit is tried without). Returns x and the residual
 * sum of squares. Ends: the outer loop adds one column per pass and the inner one removes at
 * least one, both bounded (3·size passes, as Lawson & Hanson bound them in practice).
 */
export function solveNonNegative(eq: NormalEquations, constrained: ArrayLike<boolean>, excluded?: ArrayLike<boolean>): { x: Float64Array; rss: number } {
  const n = eq.size;
  const x = new Float64Array(n);
  const ws = workspaceFor(n);
  const { z, work, t, w, inPassive, blocked, passive, sub, subRhs } = ws;
  inPassive.fill(0);
  blocked.fill(0);
  const usable = (i: number) => !blocked[i] && !(excluded && excluded[i]) && eq.gram[i * n + i] > 0;
  for (let i = 0; i < n; i++) if (!constrained[i] && usable(i)) inPassive[i] = 1;
  /** Lists the passive set into `passive`; returns its size. */
  const passiveList = () => {
    let k = 0;
    for (let i = 0; i < n; i++) if (inPassive[i]) passive[k++] = i;
    return k;
  };
  const k0 = passiveList();
  if (k0 && solvePassive(eq, passive, k0, z, work, t, sub, subRhs)) x.set(z);
  let scaleOfB = 0;
  for (let i = 0; i < n; i++) scaleOfB = Math.max(scaleOfB, Math.abs(eq.rhs[i]));
  const tolerance = 1e-12 * Math.max(scaleOfB, 1e-300);
  for (let outer = 0; outer < 3 * n + 3; outer++) {
    // The gradient's descent direction for the columns held at zero.
    let best = -1;
    let bestW = tolerance;
    for (let i = 0; i < n; i++) {
      if (inPassive[i] || !constrained[i] || !usable(i)) continue;
      let gx = 0;
      for (let j = 0; j < n; j++) gx += eq.gram[i * n + j] * x[j];
      w[i] = eq.rhs[i] - gx;
      if (w[i] > bestW) {
        bestW = w[i];
        best = i;
      }
    }
    if (best < 0) break;
    inPassive[best] = 1;
    for (let inner = 0; inner < n + 1; inner++) {
      if (!solvePassive(eq, passive, passiveList(), z, work, t, sub, subRhs)) {
        // The new column depends on the others: it adds nothing the others cannot.
        inPassive[best] = 0;
        blocked[best] = 1;
        break;
      }
      let alpha = Infinity;
      for (let i = 0; i < n; i++) {
        if (inPassive[i] && constrained[i] && z[i] <= 0) alpha = Math.min(alpha, x[i] / (x[i] - z[i]));
      }
      if (alpha === Infinity) {
        x.set(z);
        break;
      }
      for (let i = 0; i < n; i++) x[i] += alpha * (z[i] - x[i]);
      for (let i = 0; i < n; i++) {
        if (inPassive[i] && constrained[i] && x[i] <= 1e-15 * Math.max(1, Math.abs(z[i]))) {
          inPassive[i] = 0;
          x[i] = 0;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) if (constrained[i] && x[i] < 0) x[i] = 0;
  return { x, rss: residualSumOfSquares(eq, x) };
}

/** Scratch arrays of one size, reused by every solve of that size (solves never run concurrently: one thread). */
interface Workspace {
  z: Float64Array;
  work: Float64Array;
  t: Float64Array;
  w: Float64Array;
  inPassive: Uint8Array;
  blocked: Uint8Array;
  passive: Int32Array;
  sub: Float64Array;
  subRhs: Float64Array;
}
const workspaces = new Map<number, Workspace>();
function workspaceFor(n: number): Workspace {
  let ws = workspaces.get(n);
  if (!ws) {
    ws = { z: new Float64Array(n), work: new Float64Array(n * n), t: new Float64Array(n), w: new Float64Array(n), inPassive: new Uint8Array(n), blocked: new Uint8Array(n), passive: new Int32Array(n), sub: new Float64Array(n * n), subRhs: new Float64Array(n) };
    workspaces.set(n, ws);
  }
  return ws;
}
