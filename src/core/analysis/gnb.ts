// Gaussian naive Bayes: per class, independent normals per feature (latent dims + composition),
// as the paper's space-group classifier on cVAE latents.

export class GaussianNaiveBayes {
  private readonly means: Float64Array;
  private readonly variances: Float64Array;
  private readonly logPriors: Float64Array;

  constructor(features: Float32Array, labels: Int32Array, readonly dims: number, readonly classes: number) {
    this.means = new Float64Array(classes * dims);
    this.variances = new Float64Array(classes * dims);
    const counts = new Float64Array(classes);
    for (let i = 0; i < labels.length; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < dims; j++) this.means[labels[i] * dims + j] += features[i * dims + j];
    }
    for (let c = 0; c < classes; c++) for (let j = 0; j < dims; j++) this.means[c * dims + j] /= Math.max(1, counts[c]);
    let largest = 0;
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < dims; j++) {
        const d = features[i * dims + j] - this.means[labels[i] * dims + j];
        this.variances[labels[i] * dims + j] += (d * d) / Math.max(1, counts[labels[i]]);
      }
    }
    for (let k = 0; k < this.variances.length; k++) largest = Math.max(largest, this.variances[k]);
    // scikit-learn's var_smoothing: 1e-9 of the largest variance keeps constant features usable.
    for (let k = 0; k < this.variances.length; k++) this.variances[k] += 1e-9 * largest + 1e-12;
    this.logPriors = Float64Array.from(counts, (n) => Math.log(n / labels.length));
  }

  /** Posterior class probabilities of one row. */
  probabilities(features: Float32Array, row: number): Float64Array {
    const { dims, classes } = this;
    const logp = new Float64Array(classes);
    for (let c = 0; c < classes; c++) {
      let s = this.logPriors[c];
      for (let j = 0; j < dims; j++) {
        const v = this.variances[c * dims + j];
        const d = features[row * dims + j] - this.means[c * dims + j];
        s += -0.5 * Math.log(2 * Math.PI * v) - (d * d) / (2 * v);
      }
      logp[c] = s;
    }
    const max = Math.max(...logp);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += (logp[c] = Math.exp(logp[c] - max));
    for (let c = 0; c < classes; c++) logp[c] /= sum;
    return logp;
  }

  predict(features: Float32Array): Int32Array {
    const n = features.length / this.dims;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.probabilities(features, i);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
      out[i] = best;
    }
    return out;
  }
}
