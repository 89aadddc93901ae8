// Solving with a Cholesky factor: the forward and back substitution every small dense
// normal-equations solve here shares (the polynomial background, the decomposition's NNLS and
// Levenberg–Marquardt steps). How the factor is made differs by caller: the background clamps a
// vanishing pivot, the decomposition refuses a matrix that is not positive definite.

/** x = (L·Lᵀ)⁻¹ b, for the lower-triangular n × n factor L (row-major). */
export function solveWithCholeskyFactor(l: Float64Array, n: number, b: ArrayLike<number>, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * x[k];
    x[i] = sum / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
}
