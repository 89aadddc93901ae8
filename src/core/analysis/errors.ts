// Per-pattern reconstruction errors, one definition for the VAE and the baselines.

/** Probabilities are clipped like Keras' binary cross-entropy, so log never sees 0. */
export const BCE_EPSILON = 1e-7;

export interface ReconstructionErrors {
  /** Mean binary cross-entropy per point, as in training. */
  bce: Float32Array;
  /**
   * The same BCE less its minimum, the target's own entropy H(y) (what even a perfect
   * reconstruction pays for noise): the mean KL between Bernoulli(y) and Bernoulli(p) per point.
   */
  bceExcess: Float32Array;
  mse: Float32Array;
}

export function allocateErrors(count: number): ReconstructionErrors {
  return { bce: new Float32Array(count), bceExcess: new Float32Array(count), mse: new Float32Array(count) };
}

/**
 * Errors of rows of `target` reconstructed as rows of `p`, written at `offset`, in one pass in
 * JavaScript: four logarithms per point are several times cheaper here than as separate
 * element-wise kernels on the wasm backend.
 */
export function reconstructionErrorsInto(target: Float32Array, p: Float32Array, points: number, out: ReconstructionErrors, offset = 0): void {
  const rows = target.length / points;
  for (let r = 0; r < rows; r++) {
    let bce = 0;
    let entropy = 0;
    let squared = 0;
    for (let j = r * points, end = j + points; j < end; j++) {
      const y = target[j];
      const q = p[j] < BCE_EPSILON ? BCE_EPSILON : p[j] > 1 - BCE_EPSILON ? 1 - BCE_EPSILON : p[j];
      bce -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
      if (y > 0 && y < 1) entropy -= y * Math.log(y) + (1 - y) * Math.log(1 - y);
      squared += (y - p[j]) * (y - p[j]);
    }
    out.bce[offset + r] = bce / points;
    out.bceExcess[offset + r] = (bce - entropy) / points;
    out.mse[offset + r] = squared / points;
  }
}
