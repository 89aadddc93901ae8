// The plane a latent map is drawn in. A 2-D latent (the paper's) is its own plane; a larger
// one is shown on its first two principal axes, fitted to the training reference points, so
// every face of the tool (report figures, the extension's map) draws the same plane. Plain JS:
// the covariance is only dims × dims, and the map must not need TensorFlow.js.

export interface LatentPlane {
  /** Latent dimensions of the model. */
  dims: number;
  /** Axis names for plots. */
  axes: [string, string];
  /** Projects n points (n × dims) to n × 2. */
  project(latent: ArrayLike<number>): Float32Array;
}

export function latentPlane(reference: ArrayLike<number>, dims: number): LatentPlane {
  if (dims === 2) return { dims, axes: ['z₁', 'z₂'], project: (latent) => Float32Array.from(latent) };
  const rows = Math.floor(reference.length / dims);
  const mean = new Float64Array(dims);
  for (let i = 0; i < rows; i++) for (let d = 0; d < dims; d++) mean[d] += reference[i * dims + d] / rows;
  const cov = new Float64Array(dims * dims);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < dims; a++) {
      const da = reference[i * dims + a] - mean[a];
      for (let b = 0; b < dims; b++) cov[a * dims + b] += (da * (reference[i * dims + b] - mean[b])) / Math.max(1, rows - 1);
    }
  }
  const axes = [leadingEigenvector(cov, dims)];
  if (dims > 1) {
    // Deflate the first direction out and take the next.
    const [v] = axes;
    const lambda = rayleigh(cov, v, dims);
    const deflated = cov.map((c, k) => c - lambda * v[Math.floor(k / dims)] * v[k % dims]);
    axes.push(leadingEigenvector(deflated, dims));
  } else axes.push(new Float64Array(dims));
  return {
    dims,
    axes: ['latent PC 1', 'latent PC 2'],
    project: (latent) => {
      const n = Math.floor(latent.length / dims);
      const out = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 2; k++) {
          let s = 0;
          for (let d = 0; d < dims; d++) s += (latent[i * dims + d] - mean[d]) * axes[k][d];
          out[i * 2 + k] = s;
        }
      }
      return out;
    },
  };
}

function rayleigh(m: Float64Array, v: Float64Array, n: number): number {
  let s = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s += v[a] * m[a * n + b] * v[b];
  return s;
}

/** Power iteration on a small symmetric positive semi-definite matrix. */
function leadingEigenvector(m: Float64Array, n: number): Float64Array {
  let v = Float64Array.from({ length: n }, (_, i) => 1 / Math.sqrt(n) + i * 1e-3);
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) next[a] += m[a * n + b] * v[b];
    const norm = Math.hypot(...next) || 1;
    for (let a = 0; a < n; a++) next[a] /= norm;
    const change = next.reduce((s, x, a) => s + Math.abs(x - v[a]), 0);
    v = next;
    if (change < 1e-12) break;
  }
  // A fixed sign, so the map does not flip between reloads.
  const largest = v.reduce((best, x, a) => (Math.abs(x) > Math.abs(v[best]) ? a : best), 0);
  if (v[largest] < 0) for (let a = 0; a < n; a++) v[a] = -v[a];
  return v;
}
