// Adam as one fused pass per weight matrix. tfjs' Adam issues ~10 separate element-wise kernels
// per variable, each a full pass over 0.5 M weights on the wasm backend (where element-wise
// kernels are not vectorised). Here each gradient is read once, the moments and weights are
// updated in one pass, and the weights are written once.
//
// On the wasm backend the pass is a WebAssembly SIMD function (wasm-kernels.ts) working in the
// backend's own memory: it reads the gradient and the current weights where tfjs keeps them,
// keeps the moments there, and writes the new weights straight into a fresh tensor's storage —
// no copies through JavaScript. Weights are never written in place: XNNPACK caches packed copies
// of a weight matrix keyed by its storage, so new values must arrive as new storage (a fresh
// tensor assigned to the variable). Elsewhere (and for the last count mod 4 weights) the same
// arithmetic runs as a JavaScript loop; the two give bit-identical results.
import { tf, wasmHeap, wasmStorage, type WasmHeap } from './backend';
import { adamKernel, type AdamKernel } from './wasm-kernels';

/** Keras' and tfjs' defaults; the data-parallel update (data-parallel.ts) uses the same. */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/** The step size of update number `step` (from 1), with both moments' bias corrections folded in. */
export function adamStepRate(learningRate: number, step: number, beta1: number = ADAM_DEFAULTS.beta1, beta2: number = ADAM_DEFAULTS.beta2): number {
  return (learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
}

export interface AdamOptions {
  /** May be changed between steps (learning-rate schedules). */
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** The moments in the wasm backend's memory, as tensors no kernel ever reads (so updating them in place is safe). */
interface WasmState {
  heap: WasmHeap;
  kernel: AdamKernel;
  firstMoment: tf.Tensor[];
  secondMoment: tf.Tensor[];
}

/** The moments and master weights in JavaScript memory (other backends). */
interface JsState {
  weights: Float32Array[];
  firstMoment: Float32Array[];
  secondMoment: Float32Array[];
}

export class FusedAdam {
  private readonly wasm?: WasmState;
  private readonly js?: JsState;
  private step = 0;
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  /** `inWasm: false` forces the JavaScript loop (tests compare the two). */
  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions & { inWasm?: boolean },
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? ADAM_DEFAULTS.beta1;
    this.beta2 = options.beta2 ?? ADAM_DEFAULTS.beta2;
    this.epsilon = options.epsilon ?? ADAM_DEFAULTS.epsilon;
    const heap = options.inWasm === false ? undefined : wasmHeap();
    const kernel = heap && adamKernel(heap.memory);
    if (heap && kernel && variables.every((v) => heap.offset(v) !== undefined)) {
      // Kept out of any enclosing tf.tidy: they live as long as the optimiser.
      const zeros = () => variables.map((v) => tf.keep(tf.zeros(v.shape, 'float32')));
      this.wasm = { heap, kernel, firstMoment: zeros(), secondMoment: zeros() };
    } else {
      this.js = {
        weights: variables.map((v) => Float32Array.from(v.dataSync() as Float32Array)),
        firstMoment: variables.map((v) => new Float32Array(v.size)),
        secondMoment: variables.map((v) => new Float32Array(v.size)),
      };
    }
  }

  /** Whether the update runs in the wasm backend's memory (the SIMD kernel). */
  get inWasm(): boolean {
    return this.wasm !== undefined;
  }

  /** Applies one update; `gradients` are keyed by variable name, as tf.variableGrads returns them. */
  apply(gradients: tf.NamedTensorMap): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const rate = adamStepRate(this.learningRate, this.step, beta1, beta2);
    for (let k = 0; k < this.variables.length; k++) {
      const variable = this.variables[k];
      const gradient = gradients[variable.name];
      if (!gradient) continue;
      if (this.wasm) {
        this.applyInWasm(this.wasm, k, gradient, rate);
      } else {
        const { weights, firstMoment, secondMoment } = this.js!;
        const g = wasmStorage(gradient) ?? (gradient.dataSync() as Float32Array);
        updateAdam(weights[k], weights[k], firstMoment[k], secondMoment[k], g, rate, beta1, beta2, epsilon);
        assignValue(variable, tf.tensor(weights[k], variable.shape, 'float32'));
      }
    }
  }

  private applyInWasm(state: WasmState, k: number, gradient: tf.Tensor, rate: number): void {
    const { heap, kernel } = state;
    const variable = this.variables[k];
    const { beta1, beta2, epsilon } = this;
    // A gradient held elsewhere (not produced by this backend) is copied in first.
    const copied = heap.offset(gradient) === undefined ? tf.tensor(gradient.dataSync() as Float32Array, gradient.shape, 'float32') : undefined;
    const updated = heap.uninitialised(variable.shape);
    const g = heap.offset(copied ?? gradient)!;
    const w = heap.offset(variable)!;
    const out = heap.offset(updated)!;
    const m = heap.offset(state.firstMoment[k])!;
    const s = heap.offset(state.secondMoment[k])!;
    const n = variable.size;
    const head = n & ~3;
    kernel(w, out, m, s, g, head, rate, beta1, beta2, epsilon);
    if (head < n) {
      // The last 1–3 weights: the same arithmetic in JavaScript, on views made after every allocation.
      const view = (offset: number) => new Float32Array(heap.memory.buffer, offset + 4 * head, n - head);
      updateAdam(view(w), view(out), view(m), view(s), view(g), rate, beta1, beta2, epsilon);
    }
    copied?.dispose();
    assignValue(variable, updated);
  }

  /** Frees the moments (wasm backend); the optimiser is not to be used afterwards. */
  dispose(): void {
    if (this.wasm) tf.dispose([...this.wasm.firstMoment, ...this.wasm.secondMoment]);
  }
}

/**
 * One Adam step over one weight array: wNew ← wOld − update, moments in place (wNew may be wOld).
 * A plain function, so the JIT compiles one tight loop. adam-kernel.ts does the same operations.
 */
export function updateAdam(wOld: Float32Array, wNew: Float32Array, m: Float32Array, s: Float32Array, g: Float32Array, rate: number, beta1: number, beta2: number, epsilon: number): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0, n = wOld.length; i < n; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + c1 * gi;
    const si = beta2 * s[i] + c2 * gi * gi;
    m[i] = mi;
    s[i] = si;
    wNew[i] = wOld[i] - (rate * mi) / (Math.sqrt(si) + epsilon);
  }
}

/** variable.assign keeps its own reference to the value's storage; the value's handle is ours to drop. */
export function assignValue(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}
