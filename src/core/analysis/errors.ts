// Per-pattern reconstruction errors, one definition for the VAE and the baselines.
import { errorSumsKernel, webAssembly, type ErrorSumsKernel, type WasmMemory } from '../model/wasm-kernels';

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
 * Errors of rows of `target` reconstructed as rows of `p`, written at `offset`: on the WebAssembly
 * SIMD kernel (model/wasm-kernels.ts, float32 logarithms summed in float64) where it runs, else
 * in JavaScript. The two agree to about 1e-6 relative (a unit test checks it).
 */
export function reconstructionErrorsInto(target: Float32Array, p: Float32Array, points: number, out: ReconstructionErrors, offset = 0): void {
  const rows = target.length / points;
  const own = points % 4 === 0 && rows > 0 ? ownMemory() : undefined;
  if (!own) return reconstructionErrorsInJs(target, p, points, out, offset);
  const values = rows * points;
  const needed = 8 * values + 24 * rows;
  if (own.memory.buffer.byteLength < needed) own.memory.grow(Math.ceil((needed - own.memory.buffer.byteLength) / 65536));
  new Float32Array(own.memory.buffer, 0, values).set(target.subarray(0, values));
  new Float32Array(own.memory.buffer, 4 * values, values).set(p.subarray(0, values));
  reconstructionErrorsInMemory(own.kernel, own.memory, { target: 0, p: 4 * values, sums: 8 * values }, rows, points, out, offset);
}

/**
 * The same on the kernel where target and p already lie in its memory (byte offsets; `sums`:
 * 24 bytes a row of scratch, 8-byte aligned): the model's output is scored where the backend
 * computed it, without copies.
 */
export function reconstructionErrorsInMemory(
  kernel: ErrorSumsKernel,
  memory: WasmMemory,
  at: { target: number; p: number; sums: number },
  rows: number,
  points: number,
  out: ReconstructionErrors,
  offset = 0,
): void {
  kernel(at.target, at.p, at.sums, rows, points);
  const sums = new Float64Array(memory.buffer, at.sums, 3 * rows);
  for (let r = 0; r < rows; r++) {
    const bce = -sums[3 * r];
    const entropy = -sums[3 * r + 1];
    out.bce[offset + r] = bce / points;
    out.bceExcess[offset + r] = (bce - entropy) / points;
    out.mse[offset + r] = sums[3 * r + 2] / points;
  }
}

/** The kernel with a memory of its own (grown to the largest batch); null where it cannot run. */
let own: { memory: WasmMemory & { grow(pages: number): number }; kernel: ErrorSumsKernel } | null | undefined;

function ownMemory(): typeof own {
  if (own === undefined) {
    const memory = webAssembly ? new webAssembly.Memory({ initial: 1 }) : undefined;
    const kernel = memory && errorSumsKernel(memory, BCE_EPSILON);
    own = memory && kernel ? { memory, kernel } : null;
  }
  return own;
}

/**
 * The same errors in one JavaScript pass (where WebAssembly SIMD is missing, and the reference the
 * kernel is tested against). Each point takes two logarithms, not four: with q the clipped p, the
 * per-point BCE −[y·ln q + (1−y)·ln(1−q)] is rewritten exactly as
 * −y·ln(q/(1−q)) − ln(1−q), and likewise the entropy term with y for q; the ln(1−·) halves are
 * summed as the logarithm of running products. The factors lie in [1e-7, 1] (q is clipped, and
 * the entropy takes only 0 < y < 1, whose float32 1 − y ≥ 6e-8), and a product is logged as soon
 * as it falls below 1e-200, so it never underflows: the same values to rounding (≈ 1e-7 relative).
 */
export function reconstructionErrorsInJs(target: Float32Array, p: Float32Array, points: number, out: ReconstructionErrors, offset = 0): void {
  const rows = target.length / points;
  const tiny = 1e-200;
  for (let r = 0; r < rows; r++) {
    let weighted = 0; // Σ y·ln(q/(1−q))
    let logComplement = 0; // Σ ln(1−q), in parts
    let complement = 1;
    let entropyWeighted = 0; // Σ y·ln(y/(1−y)) over 0 < y < 1
    let entropyLogComplement = 0; // Σ ln(1−y) over 0 < y < 1, in parts
    let entropyComplement = 1;
    let squared = 0;
    for (let j = r * points, end = j + points; j < end; j++) {
      const y = target[j];
      const pj = p[j];
      const q = pj < BCE_EPSILON ? BCE_EPSILON : pj > 1 - BCE_EPSILON ? 1 - BCE_EPSILON : pj;
      weighted += y * Math.log(q / (1 - q));
      complement *= 1 - q;
      if (complement < tiny) {
        logComplement += Math.log(complement);
        complement = 1;
      }
      if (y > 0 && y < 1) {
        entropyWeighted += y * Math.log(y / (1 - y));
        entropyComplement *= 1 - y;
        if (entropyComplement < tiny) {
          entropyLogComplement += Math.log(entropyComplement);
          entropyComplement = 1;
        }
      }
      squared += (y - pj) * (y - pj);
    }
    const bce = -weighted - (logComplement + Math.log(complement));
    const entropy = -entropyWeighted - (entropyLogComplement + Math.log(entropyComplement));
    out.bce[offset + r] = bce / points;
    out.bceExcess[offset + r] = (bce - entropy) / points;
    out.mse[offset + r] = squared / points;
  }
}

/**
 * The errors of one pattern counted over grid points first..last only, as a share of the whole
 * grid: Σ over the span of each point's error, divided by all `points` — what the span contributes
 * to the whole-grid mean `reconstructionErrorsInto` gives. Why this normalisation (and not the
 * mean over the span): see model/score.ts, where partly measured patterns are scored.
 */
export function reconstructionErrorsOverSpan(target: Float32Array, p: Float32Array, points: number, first: number, last: number): { bce: number; bceExcess: number; mse: number } {
  if (!(first >= 0 && last < points && last >= first)) return { bce: NaN, bceExcess: NaN, mse: NaN };
  const length = last - first + 1;
  const out = allocateErrors(1);
  reconstructionErrorsInJs(target.subarray(first, last + 1), p.subarray(first, last + 1), length, out);
  const share = length / points;
  return { bce: out.bce[0] * share, bceExcess: out.bceExcess[0] * share, mse: out.mse[0] * share };
}
