// One training step of the (c)VAE with its gradients written out by hand. The mathematics is
// exactly vaeLoss's (vae.ts): loss = mean over the batch of points × BCE + β·KL, z = μ + σ·ε with
// the variance as log σ². Why by hand: through tfjs-layers and autodiff a step issues ~220
// kernels (identities, reshapes to 3-D and back, Step masks, broadcast bookkeeping) whose
// per-op overhead on the wasm backend adds up to a sizeable share of the step; written out, the
// step needs ~80, every product is a plain 2-D matMul (backend.ts: a SIMD GEMM kernel, a
// transposed operand transposed first, in the orientation that moves fewer numbers), and the BCE's
// gradient is the closed form (p − y)/n. A unit test checks value and gradients against
// tf.variableGrads(vaeLoss).
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './backend';
import { bceSumsFromLogits, type Batch, type VaeModels } from './vae';

interface Dense {
  kernel: tf.Variable;
  bias: tf.Variable;
}

export interface StepLayers {
  encoder: Dense[];
  mean: Dense;
  logVar: Dense;
  decoder: Dense[];
  output: Dense;
}

function dense(model: tfl.LayersModel, name: string): Dense {
  const [kernel, bias] = model.getLayer(name).trainableWeights.map((w) => w.read() as tf.Variable);
  return { kernel, bias };
}

/** The dense layers of a model built by buildVae, by their names. */
export function stepLayers(models: VaeModels): StepLayers {
  const hidden = models.spec.hidden;
  return {
    encoder: hidden.map((_, i) => dense(models.encoder, `encoder_dense_${i + 1}`)),
    mean: dense(models.encoder, 'z_mean'),
    logVar: dense(models.encoder, 'z_log_var'),
    decoder: hidden.map((_, i) => dense(models.decoder, `decoder_dense_${i + 1}`)),
    output: dense(models.decoder, 'reconstruction_logits'),
  };
}

export interface StepResult {
  /** Keyed by variable name, as tf.variableGrads returns them (FusedAdam takes this). */
  grads: tf.NamedTensorMap;
  /** [reconstruction, kl] batch means, read back (the step's one sync besides the BCE pass). */
  terms: Float32Array;
}

/**
 * Loss terms and gradients of one batch. Call inside tf.tidy: every intermediate is left to it;
 * the gradients are returned and must be used (or kept) before the tidy ends.
 *
 * `batchRows`: when these rows are one share of a larger batch (data-parallel training,
 * data-parallel.ts), that batch's row count. The loss is a mean over the whole batch, so every
 * row's gradient is divided by it, and the shares' gradients then add up to the batch's. The
 * terms returned are still means over the rows given.
 */
export function vaeStep(models: VaeModels, layers: StepLayers, batch: Batch, epsilon: tf.Tensor2D, beta: number, batchRows?: number): StepResult {
  const { latent } = models.spec;
  const rows = batch.patterns.shape[0];
  const n = batchRows ?? rows;
  const c = batch.compositions;
  const grads: tf.NamedTensorMap = {};

  // Forward. Each hidden layer is one fused matMul + bias + ReLU kernel; its output is kept for
  // the ReLU mask (output > 0 ⇔ pre-activation > 0) and as the next layer's input.
  const forwardRelu = (input: tf.Tensor2D, d: Dense) => tf.fused.matMul({ a: input, b: d.kernel as tf.Tensor2D, bias: d.bias, activation: 'relu' }) as tf.Tensor2D;
  const linear = (input: tf.Tensor2D, d: Dense) => tf.fused.matMul({ a: input, b: d.kernel as tf.Tensor2D, bias: d.bias }) as tf.Tensor2D;
  const encoderInputs: tf.Tensor2D[] = [];
  let h = c ? (tf.concat([batch.patterns, c], 1) as tf.Tensor2D) : batch.patterns;
  for (const d of layers.encoder) {
    encoderInputs.push(h);
    h = forwardRelu(h, d);
  }
  const mean = linear(h, layers.mean);
  const logVar = linear(h, layers.logVar);
  const sigma = tf.exp(tf.mul(0.5, logVar));
  const z = tf.add(mean, tf.mul(sigma, epsilon)) as tf.Tensor2D;
  const decoderInputs: tf.Tensor2D[] = [];
  let g = c ? (tf.concat([z, c], 1) as tf.Tensor2D) : z;
  for (const d of layers.decoder) {
    decoderInputs.push(g);
    g = forwardRelu(g, d);
  }
  const logits = linear(g, layers.output);
  const p = tf.sigmoid(logits);
  const reconstruction = bceSumsFromLogits(logits, p, batch.patterns).reduce((s, v) => s + v, 0) / rows;
  const variance = tf.exp(logVar);
  const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), variance)), 1)));

  // Backward. d(mean of points × BCE)/d logits = (p − y)/n.
  // The bias gradient (column sums of dy) as the product ones·dy: tf.sum over axis 0 transposes
  // dy first on the wasm backend (≈ 1 ms for the output layer); the product is one pass over dy
  // (backend.ts' GEMM kernel, one row).
  const ones = tf.ones([1, rows]) as tf.Tensor2D;
  const backDense = (d: Dense, input: tf.Tensor2D, dy: tf.Tensor2D, needInput: boolean): tf.Tensor2D | undefined => {
    grads[d.kernel.name] = tf.matMul(input, dy, true, false);
    grads[d.bias.name] = tf.reshape(tf.matMul(ones, dy), [dy.shape[1]]);
    return needInput ? tf.matMul(dy, d.kernel as tf.Tensor2D, false, true) : undefined;
  };
  // ReLU passes the gradient where its output was positive.
  const throughRelu = (dy: tf.Tensor2D, output: tf.Tensor2D) => tf.mul(dy, tf.step(output)) as tf.Tensor2D;

  const dLogits = tf.mul(tf.sub(p, batch.patterns), 1 / n) as tf.Tensor2D;
  let dg = backDense(layers.output, g, dLogits, true)!;
  for (let i = layers.decoder.length - 1; i >= 0; i--) {
    const output = i === layers.decoder.length - 1 ? g : decoderInputs[i + 1];
    dg = backDense(layers.decoder[i], decoderInputs[i], throughRelu(dg, output), true)!;
  }
  const dz = c ? (tf.slice(dg, [0, 0], [rows, latent]) as tf.Tensor2D) : dg;
  // KL = −½ Σ(1 + lv − μ² − e^lv), averaged over the batch and weighted by β.
  const dMean = tf.add(dz, tf.mul(beta / n, mean)) as tf.Tensor2D;
  const dLogVar = tf.add(tf.mul(dz, tf.mul(0.5, tf.mul(sigma, epsilon))), tf.mul((0.5 * beta) / n, tf.sub(variance, 1))) as tf.Tensor2D;
  const dhMean = backDense(layers.mean, h, dMean, true)!;
  const dhLogVar = backDense(layers.logVar, h, dLogVar, true)!;
  let dh = tf.add(dhMean, dhLogVar) as tf.Tensor2D;
  for (let i = layers.encoder.length - 1; i >= 0; i--) {
    const output = i === layers.encoder.length - 1 ? h : encoderInputs[i + 1];
    // The data needs no gradient: the first layer's input gradient (a full-width product) is skipped.
    dh = backDense(layers.encoder[i], encoderInputs[i], throughRelu(dh, output), i > 0)!;
  }
  return { grads, terms: Float32Array.of(reconstruction, kl.dataSync()[0]) };
}
