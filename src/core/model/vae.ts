// The (conditional) VAE of Banko et al.: encoder pattern[,composition] → (μ, log σ²),
// decoder z[,composition] → pattern (sigmoid). Built from standard tfjs-layers layers only, so
// the saved model.json files load in Keras after tensorflowjs_converter.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, wasmHeap, wasmStorage } from './backend';
import { errorSumsKernel } from './wasm-kernels';
import type { ModelSpec } from './architecture';
import { Random } from '../util/random';
import { BCE_EPSILON, reconstructionErrorsInMemory, reconstructionErrorsInto, type ReconstructionErrors } from '../analysis/errors';

/**
 * A model member as scoring sees it: something that encodes a batch of patterns to (μ, log σ²)
 * and decodes latent points to reconstructions in [0, 1]. The tfjs-layers VAE below is one; an
 * ONNX graph (model/onnx/graph.ts: a model exported by `latent-xrd export --onnx`, or trained
 * elsewhere) is another. Scoring (encodeAndReconstruct, and so Scorer) takes either, so a pattern
 * gets its numbers through one path whatever the member's format. Called inside tf.tidy.
 */
export interface EncodingMember {
  readonly spec: ModelSpec;
  /** Latent mean and log-variance of `pattern` [n, points] (with `composition` [n, elements] for a cVAE). */
  encode(pattern: tf.Tensor2D, composition?: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D];
  /** Reconstructions [n, points] of latent points `z` [n, latent]. */
  decode(z: tf.Tensor2D, composition?: tf.Tensor2D): tf.Tensor2D;
  /** Frees the member's weights. */
  dispose(): void;
}

export interface VaeModels extends EncodingMember {
  spec: ModelSpec;
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  /** The decoder up to its sigmoid (same layers): training's BCE is computed from logits. */
  decoderLogits: tfl.LayersModel;
}

/** Builds both halves with Glorot-uniform weights drawn from `seed` (layer k uses seed + k). */
export function buildVae(spec: ModelSpec, seed: number): VaeModels {
  let layerSeed = seed;
  const dense = (units: number, activation: 'relu' | 'sigmoid' | 'linear', name: string) =>
    tfl.layers.dense({
      units,
      activation,
      name,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: layerSeed++ }),
      biasInitializer: 'zeros',
    });
  const conditional = spec.compositionElements.length > 0;
  const compositionInput = (name: string) => tfl.input({ shape: [spec.compositionElements.length], name });

  const pattern = tfl.input({ shape: [spec.points], name: 'pattern' });
  const encoderInputs = conditional ? [pattern, compositionInput('composition')] : [pattern];
  let h = conditional ? (tfl.layers.concatenate({ name: 'pattern_and_composition' }).apply(encoderInputs) as tfl.SymbolicTensor) : pattern;
  spec.hidden.forEach((units, i) => {
    h = dense(units, 'relu', `encoder_dense_${i + 1}`).apply(h) as tfl.SymbolicTensor;
  });
  const mean = dense(spec.latent, 'linear', 'z_mean').apply(h) as tfl.SymbolicTensor;
  const logVar = dense(spec.latent, 'linear', 'z_log_var').apply(h) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: encoderInputs, outputs: [mean, logVar], name: 'encoder' });

  const z = tfl.input({ shape: [spec.latent], name: 'z' });
  const decoderInputs = conditional ? [z, compositionInput('composition')] : [z];
  let g = conditional ? (tfl.layers.concatenate({ name: 'z_and_composition' }).apply(decoderInputs) as tfl.SymbolicTensor) : z;
  [...spec.hidden].reverse().forEach((units, i) => {
    g = dense(units, 'relu', `decoder_dense_${i + 1}`).apply(g) as tfl.SymbolicTensor;
  });
  const logits = dense(spec.points, 'linear', 'reconstruction_logits').apply(g) as tfl.SymbolicTensor;
  const reconstruction = tfl.layers.activation({ activation: 'sigmoid', name: 'reconstruction' }).apply(logits) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: decoderInputs, outputs: reconstruction, name: 'decoder' });
  const decoderLogits = tfl.model({ inputs: decoderInputs, outputs: logits, name: 'decoder_logits' });
  return {
    spec,
    encoder,
    decoder,
    decoderLogits,
    encode: (x, c) => encoder.apply(c ? [x, c] : x, { training: false }) as [tf.Tensor2D, tf.Tensor2D],
    decode: (zs, c) => decoder.apply(c ? [zs, c] : zs, { training: false }) as tf.Tensor2D,
    dispose: () => {
      encoder.dispose();
      decoder.dispose();
    },
  };
}

/**
 * Per-sample binary cross-entropy (mean over points) from logits l, p = sigmoid(l):
 * softplus(l) − y·l — exact, and free of the clipping that would cost four extra passes per
 * training step in the backward pass. Equal to analysis/errors.ts's BCE on p (tested).
 */
export function bceFromLogitsPerSample(target: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.sub(tf.softplus(logits), tf.mul(target, logits)), 1) as tf.Tensor1D);
}

/**
 * points × BCE per sample from logits (the sum over points of softplus(l) − y·l), as one custom
 * op for training. The same value as `points × bceFromLogitsPerSample`, but cheaper on the wasm
 * backend, where Softplus (like Exp and Log) is a scalar loop costing ~20× a vectorised Sigmoid:
 * the op takes p = sigmoid(l) from the backend's fast kernel and sums in one JavaScript pass
 *   softplus(l) − y·l = max(l, 0) − y·l − log(max(p, 1 − p)),
 * multiplying the factors max(p, 1 − p) ∈ [½, 1] in blocks of 64 before each logarithm (a
 * block's product stays ≥ 2⁻⁶⁴, far from underflow), so one Math.log serves 64 points. Its
 * gradient is written by hand, (p − y)·dy, instead of the autodiff chain through Softplus.
 * Rounding of p in float32 moves a point's term by < 1e-7: below the loss's own precision.
 */
export function reconstructionFromLogits(target: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const l = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const p = tf.sigmoid(l) as tf.Tensor2D;
    save([p]);
    return {
      value: tf.tensor1d(bceSumsFromLogits(l, p, target)),
      gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) => tf.mul(tf.sub(saved[0], target), tf.reshape(dy, [l.shape[0], 1])),
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** The JavaScript pass of reconstructionFromLogits: per-row Σ softplus(l) − y·l, given p = sigmoid(l). */
export function bceSumsFromLogits(logits: tf.Tensor2D, p: tf.Tensor2D, target: tf.Tensor2D): Float32Array {
  const [rows, points] = logits.shape;
  // Views into the backend's memory (no copies); no tfjs call happens while they are in use.
  const lv = wasmStorage(logits) ?? (logits.dataSync() as Float32Array);
  const pv = wasmStorage(p) ?? (p.dataSync() as Float32Array);
  const yv = wasmStorage(target) ?? (target.dataSync() as Float32Array);
  const sums = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let linear = 0;
    let logs = 0;
    let product = 1;
    for (let j = r * points, end = j + points, block = 0; j < end; j++) {
      const lj = lv[j];
      const pj = pv[j];
      linear += (lj > 0 ? lj : 0) - yv[j] * lj;
      product *= pj > 0.5 ? pj : 1 - pj;
      if (++block === 64) {
        logs += Math.log(product);
        product = 1;
        block = 0;
      }
    }
    sums[r] = linear - (logs + Math.log(product));
  }
  return sums;
}

/** KL(N(μ, σ²) ‖ N(0, I)) per sample, with the variance as log σ² (the one convention used). */
export function klPerSample(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), tf.exp(logVar))), 1)) as tf.Tensor1D);
}

export interface Batch {
  /** [n, points] patterns in [0, 1]. */
  patterns: tf.Tensor2D;
  /** [n, elements] normalised compositions (conditional models only). */
  compositions?: tf.Tensor2D;
}

export interface LossTerms {
  /** points × BCE, batch mean: the reconstruction term of the loss. */
  reconstruction: tf.Scalar;
  /** KL, batch mean (before β). */
  kl: tf.Scalar;
  total: tf.Scalar;
}

/**
 * The training loss for one batch with the reparameterisation z = μ + exp(½ log σ²)·ε, where ε
 * comes from the caller's seeded generator (so training is reproducible).
 */
export function vaeLoss(models: VaeModels, batch: Batch, epsilon: tf.Tensor2D, training: boolean, beta = models.spec.beta): LossTerms {
  const { encoder, decoderLogits } = models;
  const encoderInput = batch.compositions ? [batch.patterns, batch.compositions] : batch.patterns;
  const [mean, logVar] = encoder.apply(encoderInput, { training }) as tf.Tensor2D[];
  const z = tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), epsilon)) as tf.Tensor2D;
  const logits = decoderLogits.apply(batch.compositions ? [z, batch.compositions] : z, { training }) as tf.Tensor2D;
  const reconstruction = tf.mean(reconstructionFromLogits(batch.patterns, logits)) as tf.Scalar;
  const kl = tf.mean(klPerSample(mean, logVar)) as tf.Scalar;
  const total = tf.add(reconstruction, tf.mul(beta, kl)) as tf.Scalar;
  return { reconstruction, kl, total };
}

/** Standard-normal ε for a batch, from our seeded generator. */
export function drawEpsilon(random: Random, rows: number, latent: number): tf.Tensor2D {
  return tf.tensor2d(drawEpsilonValues(random, rows, latent), [rows, latent]);
}

/** The same draws as drawEpsilon, as numbers (data-parallel training sends them to the workers). */
export function drawEpsilonValues(random: Random, rows: number, latent: number): Float32Array {
  const values = new Float32Array(rows * latent);
  for (let i = 0; i < values.length; i++) values[i] = random.normal();
  return values;
}

export interface Encoded extends ReconstructionErrors {
  /** [n × latent] latent means. */
  mean: Float32Array;
  logVar: Float32Array;
  // bce, bceExcess, mse: of the reconstruction decoded from μ (deterministic), per pattern.
  /** [n × points] reconstructions, when asked for. */
  reconstructions?: Float32Array;
}

/**
 * Encodes and reconstructs `count` patterns (rows of `patterns`) in batches: the scoring path.
 * The reconstruction decodes the latent mean, so a pattern's error does not depend on a draw.
 * `models` is any EncodingMember: the tfjs-layers VAE or an ONNX graph.
 */
export function encodeAndReconstruct(
  models: EncodingMember,
  patterns: Float32Array,
  count: number,
  options: { compositions?: Float32Array; batchSize?: number; keepReconstructions?: boolean } = {},
): Encoded {
  const { spec } = models;
  const points = spec.points;
  const elements = spec.compositionElements.length;
  const batchSize = options.batchSize ?? 512;
  const out: Encoded = {
    mean: new Float32Array(count * spec.latent),
    logVar: new Float32Array(count * spec.latent),
    bce: new Float32Array(count),
    bceExcess: new Float32Array(count),
    mse: new Float32Array(count),
    reconstructions: options.keepReconstructions ? new Float32Array(count * points) : undefined,
  };
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    tf.tidy(() => {
      const x = tf.tensor2d(patterns.subarray(start * points, (start + n) * points), [n, points]);
      const c = elements > 0 ? tf.tensor2d(requireCompositions(options.compositions, count, elements).subarray(start * elements, (start + n) * elements), [n, elements]) : undefined;
      const [mean, logVar] = models.encode(x, c);
      const decoded = models.decode(mean, c);
      out.mean.set(mean.dataSync() as Float32Array, start * spec.latent);
      out.logVar.set(logVar.dataSync() as Float32Array, start * spec.latent);
      if (!errorsInBackendMemory(x, decoded, n, points, out, start)) {
        reconstructionErrorsInto(patterns.subarray(start * points, (start + n) * points), decoded.dataSync() as Float32Array, points, out, start);
      }
      if (out.reconstructions) out.reconstructions.set(decoded.dataSync() as Float32Array, start * points);
    });
  }
  return out;
}

/** The reconstruction errors computed where the wasm backend holds the patterns and the reconstructions; false elsewhere. */
function errorsInBackendMemory(x: tf.Tensor, p: tf.Tensor, rows: number, points: number, out: ReconstructionErrors, offset: number): boolean {
  const heap = points % 4 === 0 ? wasmHeap() : undefined;
  const kernel = heap && errorSumsKernel(heap.memory, BCE_EPSILON);
  const [target, reconstruction] = [x, p].map((t) => heap?.offset(t));
  if (!heap || !kernel || target === undefined || reconstruction === undefined) return false;
  const sums = heap.output([6 * rows + 1]); // three float64 a row, at an 8-byte boundary
  const at = heap.offset(sums)!;
  reconstructionErrorsInMemory(kernel, heap.memory, { target, p: reconstruction, sums: at + (at % 8) }, rows, points, out, offset);
  heap.dispose(sums);
  return true;
}

function requireCompositions(compositions: Float32Array | undefined, count: number, elements: number): Float32Array {
  if (!compositions || compositions.length < count * elements) {
    throw new Error(`this is a conditional model: every pattern needs a composition over ${elements} elements`);
  }
  return compositions;
}
