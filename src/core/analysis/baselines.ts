// The baselines the VAE is compared with, on the same split: PCA with as many components as
// the VAE has latent dimensions (reconstruction error, and k-NN distance in its score space),
// and a small softmax classifier whose (1 − max probability) is the novelty score of a
// "contemporary classification model".
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../model/backend';
import { FusedAdam } from '../model/adam';
import { Random } from '../util/random';
import { allocateErrors, reconstructionErrorsInto, type ReconstructionErrors } from './errors';

export class Pca {
  private constructor(
    readonly mean: Float32Array,
    /** components × points, orthonormal rows. */
    readonly components: Float32Array,
    readonly points: number,
    readonly count: number,
  ) {}

  /**
   * Leading principal directions by subspace iteration on XᵀX (matrix products on the tfjs
   * backend; 30 iterations converge the top few to well below float32 noise here).
   */
  static fit(patterns: Float32Array, rows: number, points: number, components: number, seed: number, iterations = 30): Pca {
    const mean = new Float32Array(points);
    for (let i = 0; i < rows; i++) for (let j = 0; j < points; j++) mean[j] += patterns[i * points + j] / rows;
    const random = new Random(seed);
    const start = new Float32Array(points * components).map(() => random.normal());
    const basis = tf.tidy(() => {
      const x = tf.sub(tf.tensor2d(patterns.subarray(0, rows * points), [rows, points]), tf.tensor2d(mean, [1, points]));
      const xt = tf.transpose(x);
      let q = orthonormalColumns(tf.tensor2d(start, [points, components]));
      for (let it = 0; it < iterations; it++) {
        const next = tf.matMul(xt, tf.matMul(x, q)) as tf.Tensor2D;
        q.dispose();
        q = orthonormalColumns(next);
      }
      return tf.transpose(q);
    });
    const components_ = basis.dataSync() as Float32Array;
    basis.dispose();
    return new Pca(mean, Float32Array.from(components_), points, components);
  }

  /** Scores (n × components), and with `errors` the reconstruction errors (as the VAE's). */
  transform(patterns: Float32Array, rows: number, errors = true): { scores: Float32Array } & Partial<ReconstructionErrors> {
    const { points, count } = this;
    const out: { scores: Float32Array } & Partial<ReconstructionErrors> = { scores: new Float32Array(rows * count) };
    if (errors) Object.assign(out, allocateErrors(rows));
    for (let start = 0; start < rows; start += 1024) {
      const n = Math.min(1024, rows - start);
      const x = patterns.subarray(start * points, (start + n) * points);
      // Tensors out of tidy, arrays read after it (tidy would walk a returned typed array).
      const [scores, recon] = tf.tidy(() => {
        const mean = tf.tensor2d(this.mean, [1, points]);
        const w = tf.tensor2d(this.components, [count, points]);
        const s = tf.matMul(tf.sub(tf.tensor2d(x, [n, points]), mean), tf.transpose(w));
        return [s, errors ? tf.add(tf.matMul(s, w), mean) : tf.zeros([1])];
      });
      out.scores.set(scores.dataSync() as Float32Array, start * count);
      if (errors) reconstructionErrorsInto(x, recon.dataSync() as Float32Array, points, out as ReconstructionErrors, start);
      tf.dispose([scores, recon]);
    }
    return out;
  }
}

/** Gram–Schmidt on the columns of a small-width matrix (done in JS: the width is the latent size). */
function orthonormalColumns(m: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = m.shape;
  const a = m.dataSync() as Float32Array;
  const out = new Float32Array(a.length);
  for (let c = 0; c < cols; c++) {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = a[r * cols + c];
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += v[r] * out[r * cols + p];
      for (let r = 0; r < rows; r++) v[r] -= dot * out[r * cols + p];
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += v[r] * v[r];
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < rows; r++) out[r * cols + c] = v[r] / norm;
  }
  m.dispose();
  return tf.tensor2d(out, [rows, cols]);
}

/** A small dense classifier (points → 64 → classes, softmax) trained on the known phases. */
export class SoftmaxClassifier {
  private constructor(private readonly model: tfl.LayersModel, readonly points: number, readonly classes: number) {}

  static train(patterns: Float32Array, labels: Int32Array, points: number, classes: number, options: { epochs: number; batchSize: number; seed: number }): SoftmaxClassifier {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [points], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: options.seed }) }),
        tfl.layers.dense({ units: classes, activation: 'linear', kernelInitializer: tfl.initializers.glorotUniform({ seed: options.seed + 1 }) }),
      ],
    });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = new FusedAdam(variables, { learningRate: 1e-3 });
    const random = new Random(options.seed);
    const n = labels.length;
    const order = new Uint32Array(n).map((_, i) => i);
    const batch = new Float32Array(options.batchSize * points);
    const batchLabels = new Int32Array(options.batchSize);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start < n; start += options.batchSize) {
        const m = Math.min(options.batchSize, n - start);
        for (let i = 0; i < m; i++) {
          batch.set(patterns.subarray(order[start + i] * points, (order[start + i] + 1) * points), i * points);
          batchLabels[i] = labels[order[start + i]];
        }
        tf.tidy(() => {
          const x = tf.tensor2d(batch.subarray(0, m * points), [m, points]);
          const y = tf.oneHot(tf.tensor1d(batchLabels.subarray(0, m), 'int32'), classes);
          const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor2D) as tf.Scalar, variables);
          optimizer.apply(grads);
        });
      }
    }
    optimizer.dispose();
    return new SoftmaxClassifier(model, points, classes);
  }

  /** Maximum softmax probability per pattern (its confidence), and the predicted class. */
  predict(patterns: Float32Array, rows: number): { maxProbability: Float32Array; label: Int32Array } {
    const maxProbability = new Float32Array(rows);
    const label = new Int32Array(rows);
    for (let start = 0; start < rows; start += 1024) {
      const m = Math.min(1024, rows - start);
      tf.tidy(() => {
        const p = tf.softmax(this.model.apply(tf.tensor2d(patterns.subarray(start * this.points, (start + m) * this.points), [m, this.points])) as tf.Tensor2D);
        maxProbability.set(tf.max(p, 1).dataSync() as Float32Array, start);
        label.set(tf.argMax(p, 1).dataSync() as Int32Array, start);
      });
    }
    return { maxProbability, label };
  }

  dispose(): void {
    this.model.dispose();
  }
}
