// Adam as one fused JavaScript loop per weight matrix. tfjs' Adam issues ~10 separate
// element-wise kernels per variable, each a full pass over 0.5 M weights on the wasm backend
// (where element-wise kernels are not vectorised). Here each gradient is read once, the
// moments and weights are updated in one pass, and the weights are written back once. On the
// wasm backend the gradient is read in place in the backend's memory. Weights are never written
// in place: XNNPACK caches packed copies of a weight matrix keyed by its storage, so new values
// must arrive as new storage (a fresh tensor assigned to the variable).
import { tf, wasmStorage } from './backend';

export interface AdamOptions {
  /** May be changed between steps (learning-rate schedules). */
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class FusedAdam {
  private readonly weights: Float32Array[];
  private readonly firstMoment: Float32Array[];
  private readonly secondMoment: Float32Array[];
  private step = 0;
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7; // Keras' and tfjs' default
    this.weights = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    this.firstMoment = variables.map((v) => new Float32Array(v.size));
    this.secondMoment = variables.map((v) => new Float32Array(v.size));
  }

  /** Applies one update; `gradients` are keyed by variable name, as tf.variableGrads returns them. */
  apply(gradients: tf.NamedTensorMap): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const rate = (this.learningRate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    for (let k = 0; k < this.variables.length; k++) {
      const variable = this.variables[k];
      const gradient = gradients[variable.name];
      if (!gradient) continue;
      const g = wasmStorage(gradient) ?? (gradient.dataSync() as Float32Array);
      updateAdam(this.weights[k], this.firstMoment[k], this.secondMoment[k], g, rate, beta1, beta2, epsilon);
      assignValue(variable, tf.tensor(this.weights[k], variable.shape, 'float32'));
    }
  }
}

/** One Adam step over one weight array, in place: a plain function, so the JIT compiles one tight loop. */
function updateAdam(w: Float32Array, m: Float32Array, s: Float32Array, g: Float32Array, rate: number, beta1: number, beta2: number, epsilon: number): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0, n = w.length; i < n; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + c1 * gi;
    const si = beta2 * s[i] + c2 * gi * gi;
    m[i] = mi;
    s[i] = si;
    w[i] -= (rate * mi) / (Math.sqrt(si) + epsilon);
  }
}

/** variable.assign keeps its own reference to the value's storage; the value's handle is ours to drop. */
export function assignValue(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}
