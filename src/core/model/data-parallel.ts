// Data-parallel training: N gradient workers each compute the gradients of their share of a
// batch, the shares are summed in shared memory (SharedArrayBuffer), and one Adam update is
// applied, so that N threads train the model one thread trains, to float rounding (the batch
// sums are added in another order). Every step, each worker:
//   1. loads the current weights from shared memory into its own copy of the model,
//   2. computes the gradients of its rows of the batch (step.ts, divided by the whole batch's
//      row count) into its own slot of the shared gradients,
//   3. meets the others at a barrier,
//   4. sums every worker's gradient over its own slice of the weights (in worker order, so the
//      sum is the same every run) and applies Adam to that slice of the shared weights, with the
//      slice's moments kept by that worker (the SIMD kernel FusedAdam uses, in a wasm memory of
//      the worker's own; or adam.ts' JavaScript loop, bit-identical).
// The coordinator (trainVaeOnWorkers in train.ts, through DataParallelOptimizer below) sends
// each step and waits for every worker's answer before the next, so no worker reads weights
// another is still writing. This file is what every thread runs and the shared layout; the
// threads are started by src/worker/training-pool.ts (core starts none).
import { tf, wasmStorage, type BackendName } from './backend';
import { adamKernel, gemmKernel, webAssembly, type AdamKernel, type GemmKernel } from './wasm-kernels';
import { buildVae, type VaeModels } from './vae';
import { stepLayers, vaeStep, type StepLayers } from './step';
import { ADAM_DEFAULTS, adamStepRate, assignValue, updateAdam } from './adam';
import { modelVariables, type BatchWork, type PatternSet } from './train';
import { gatherRows } from '../util/rows';
import { rooflineGflops, timeProducts, type TimedProducts } from './roofline';
import { parameterCount, type ModelSpec } from './architecture';

/** Everything the workers share, allocated once per training set (sharedTraining). */
export interface DataParallelSetup {
  spec: ModelSpec;
  /** The backend the coordinator uses; every worker uses the same. */
  backend: BackendName;
  threads: number;
  /** Rows of the training set on a SharedArrayBuffer: read by every worker, copied by none. */
  patterns: Float32Array;
  compositions?: Float32Array;
  /** The model's variables (modelVariables' order), end to end. */
  weights: Float32Array;
  /** One gradient per worker: worker w's at [w·P, (w+1)·P) for P weights. */
  gradients: Float32Array;
  /** The barrier's counters and its abort flag (SharedBarrier). */
  control: Int32Array;
}

/** One step as the coordinator sends it to every worker. */
export interface ShardStep {
  /** The whole batch's rows of the training set (each worker takes its share). */
  rows: Uint32Array;
  /** ε for the whole batch, rows × latent. */
  epsilon: Float32Array;
  beta: number;
  learningRate: number;
  /** Adam's update number since begin(), from 1 (the first zeroes the moments). */
  update: number;
}

/** A worker's share of the batch's loss terms: sums over its rows. */
export interface ShardTerms {
  reconstruction: number;
  kl: number;
}

/** How the coordinator reaches the workers (src/worker/training-pool.ts): every call goes to all of them. */
export interface ShardRunner {
  /** Resolves with every worker's terms, in worker order, once all have updated their slices. */
  step(step: ShardStep): Promise<ShardTerms[]>;
  /** Every worker times the roofline's products at once (timeProducts, a barrier before each); their timings in worker order. */
  roofline(batch: number, repeats: number): Promise<TimedProducts[]>;
  close(): Promise<void>;
}

/** The part of the data-parallel optimiser the training loop uses (trainVaeOnWorkers). */
export interface GradientWorkers {
  readonly threads: number;
  /** The training set the workers read; the loop refuses another. */
  readonly train: PatternSet;
  /** Copies the model's weights to the workers; the next step starts a fresh Adam (zero moments), as FusedAdam does. */
  begin(variables: tf.Variable[]): void;
  /** One step; resolves with the batch's [reconstruction, kl] means, as the in-thread step returns. */
  step(work: BatchWork): Promise<Float32Array>;
  /** Copies the shared weights into the model's variables. */
  copyWeightsInto(variables: tf.Variable[]): void;
}

/** Starts `threads` gradient workers on a training set (the worker layer provides it). */
export type StartGradientWorkers = (spec: ModelSpec, backend: BackendName, threads: number, train: PatternSet) => Promise<DataParallelOptimizer>;

function shared(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

/** `array` if it already lives in shared memory, else a copy there. */
export function inSharedMemory(array: Float32Array): Float32Array {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = shared(array.length);
  copy.set(array);
  return copy;
}

/** The shared memory of `threads` workers training a model of `spec` on `train`. */
export function sharedTraining(spec: ModelSpec, backend: BackendName, threads: number, train: PatternSet): DataParallelSetup {
  const count = parameterCount(spec);
  return {
    spec,
    backend,
    threads,
    patterns: inSharedMemory(train.patterns.subarray(0, train.count * spec.points)),
    compositions: train.compositions && inSharedMemory(train.compositions.subarray(0, train.count * spec.compositionElements.length)),
    weights: shared(count),
    gradients: shared(threads * count),
    control: new Int32Array(new SharedArrayBuffer(4 * 3)),
  };
}

/** Worker w's rows of a batch of n: contiguous, as even as can be. */
export function shareOf(worker: number, threads: number, n: number): [number, number] {
  return [Math.floor((worker * n) / threads), Math.floor(((worker + 1) * n) / threads)];
}

/** Worker w's slice of P weights: contiguous, starting at a multiple of 4 (the SIMD kernel's width). */
function sliceOf(worker: number, threads: number, count: number): [number, number] {
  const quads = Math.ceil(count / 4);
  return [Math.min(count, 4 * Math.floor((worker * quads) / threads)), Math.min(count, 4 * Math.floor(((worker + 1) * quads) / threads))];
}

/**
 * The update of one worker's slice of the weights: the sum of every worker's gradient over the
 * slice, then Adam. Both run in a WebAssembly memory of this worker's own, by the SIMD kernels
 * the wasm backend uses: the sum as the product ones[1 × N] · G[N × S] of the GEMM kernel (each
 * sum over k in order from zero, one float32 rounding a step: exactly the JavaScript loop
 * Σ_w in worker order), Adam as FusedAdam's kernel, the moments staying there from step to step
 * (no other worker touches this slice). Without SIMD, the same arithmetic in JavaScript
 * (adam.ts' loop is bit-identical to its kernel).
 */
class SliceUpdate {
  /** Views of the memory (it never grows, so they stay valid). G's rows are `stride` apart, a multiple of 8 (the GEMM kernel's width). */
  private readonly stacked: Float32Array;
  private readonly stride: number;
  private readonly ones: Float32Array;
  private readonly panel: Float32Array;
  private readonly sum: Float32Array;
  private readonly weights: Float32Array;
  private readonly updated: Float32Array;
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  private readonly gemm: GemmKernel | undefined;
  private readonly adam: AdamKernel | undefined;

  constructor(
    private readonly count: number,
    private readonly threads: number,
  ) {
    this.stride = 8 * Math.ceil(count / 8);
    const sizes = [threads * this.stride, 4 * Math.ceil(threads / 4), 8 * threads + 4, this.stride, count, count, count, count];
    const bytes = sizes.map((n) => 16 * Math.ceil((4 * n) / 16));
    const memory = new webAssembly!.Memory({ initial: Math.max(1, Math.ceil(bytes.reduce((a, b) => a + b, 0) / 65536)) });
    let offset = 0;
    [this.stacked, this.ones, this.panel, this.sum, this.weights, this.updated, this.firstMoment, this.secondMoment] = sizes.map((n, i) => {
      const view = new Float32Array(memory.buffer, offset, n);
      offset += bytes[i];
      return view;
    });
    this.ones.fill(1);
    this.gemm = gemmKernel(memory);
    this.adam = adamKernel(memory);
  }

  /**
   * Sums the workers' gradients over the slice (`gradient(w)`: worker w's, in shared memory) and
   * applies update number `update` to `weights` (the shared slice); update 1 starts from zero moments.
   */
  apply(gradient: (worker: number) => Float32Array, weights: Float32Array, update: number, learningRate: number): void {
    const { count, stride, threads, sum } = this;
    for (let w = 0; w < threads; w++) this.stacked.set(gradient(w), w * stride);
    if (this.gemm && count > 0) {
      const at = (a: Float32Array) => a.byteOffset;
      this.gemm(at(this.ones), at(this.stacked), at(sum), 0, 1, threads, stride, 0, at(this.panel));
    } else {
      sum.set(this.stacked.subarray(0, count));
      for (let w = 1; w < threads; w++) {
        const other = this.stacked.subarray(w * stride, w * stride + count);
        for (let i = 0; i < count; i++) sum[i] += other[i];
      }
    }
    const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
    if (update === 1) {
      this.firstMoment.fill(0);
      this.secondMoment.fill(0);
    }
    const rate = adamStepRate(learningRate, update);
    this.weights.set(weights);
    const head = this.adam ? count & ~3 : 0;
    if (head > 0) {
      const at = (a: Float32Array) => a.byteOffset;
      this.adam!(at(this.weights), at(this.updated), at(this.firstMoment), at(this.secondMoment), at(sum), head, rate, beta1, beta2, epsilon);
    }
    if (head < count) {
      const tail = (a: Float32Array) => a.subarray(head, count);
      updateAdam(tail(this.weights), tail(this.updated), tail(this.firstMoment), tail(this.secondMoment), tail(sum), rate, beta1, beta2, epsilon);
    }
    weights.set(this.updated);
  }
}

const ARRIVED = 0;
const ROUND = 1;
const ABORTED = 2;

/** Thrown by a worker whose barrier was aborted: another worker failed first (that one's error is the one to report). */
export class BarrierAbortedError extends Error {}

/**
 * A reusable barrier over the workers, in shared memory. abort() releases everyone waiting and
 * every later arrival with BarrierAbortedError: a worker that fails cannot leave the others
 * waiting for it.
 */
export class SharedBarrier {
  constructor(
    private readonly control: Int32Array,
    private readonly parties: number,
  ) {}

  arriveAndWait(): void {
    const c = this.control;
    if (Atomics.load(c, ABORTED)) throw new BarrierAbortedError('another training worker failed');
    const round = Atomics.load(c, ROUND);
    if (Atomics.add(c, ARRIVED, 1) === this.parties - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, ROUND, 1);
      Atomics.notify(c, ROUND);
      return;
    }
    while (Atomics.load(c, ROUND) === round) Atomics.wait(c, ROUND, round);
    if (Atomics.load(c, ABORTED)) throw new BarrierAbortedError('another training worker failed');
  }

  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.add(this.control, ROUND, 1);
    Atomics.notify(this.control, ROUND);
  }
}

/** Where each variable lives in the shared weights. */
function offsets(variables: tf.Variable[]): number[] {
  const at: number[] = [];
  let offset = 0;
  for (const v of variables) {
    at.push(offset);
    offset += v.size;
  }
  return at;
}

/** Copies the shared weights into variables (new storage each: XNNPACK caches packed weights by their storage). */
function loadWeights(weights: Float32Array, variables: tf.Variable[], at: number[]): void {
  // The cpu backend keeps the array it is given as the tensor's storage: it gets a copy of its
  // own. The wasm backend copies into its memory anyway.
  const copy = tf.getBackend() !== 'wasm';
  variables.forEach((v, k) => {
    const view = weights.subarray(at[k], at[k] + v.size);
    assignValue(v, tf.tensor(copy ? view.slice() : view, v.shape, 'float32'));
  });
}

/** What one worker thread runs: its copy of the model, its share of every step, its slice of every update. */
export class GradientShard {
  private readonly models: VaeModels;
  private readonly variables: tf.Variable[];
  private readonly layers: StepLayers;
  private readonly at: number[];
  private readonly count: number;
  readonly barrier: SharedBarrier;
  private readonly slice: [number, number];
  private readonly sliceUpdate: SliceUpdate;
  private batchPatterns = new Float32Array(0);
  private batchCompositions = new Float32Array(0);

  constructor(
    private readonly setup: DataParallelSetup,
    private readonly index: number,
  ) {
    // Any seed: the weights are replaced by the shared ones before every step.
    this.models = buildVae(setup.spec, 1);
    this.variables = modelVariables(this.models);
    this.layers = stepLayers(this.models);
    this.at = offsets(this.variables);
    this.count = setup.weights.length;
    this.barrier = new SharedBarrier(setup.control, setup.threads);
    this.slice = sliceOf(index, setup.threads, this.count);
    this.sliceUpdate = new SliceUpdate(this.slice[1] - this.slice[0], setup.threads);
  }

  step(step: ShardStep): ShardTerms {
    const { threads, gradients } = this.setup;
    const n = step.rows.length;
    const [from, to] = shareOf(this.index, threads, n);
    const own = gradients.subarray(this.index * this.count, (this.index + 1) * this.count);
    let terms: ShardTerms = { reconstruction: 0, kl: 0 };
    if (to > from) {
      loadWeights(this.setup.weights, this.variables, this.at);
      terms = this.gradients(step, from, to, own);
    } else own.fill(0); // a last batch smaller than the number of workers
    this.barrier.arriveAndWait();
    this.update(step);
    return terms;
  }

  /** Gradients of rows [from, to) of the batch into `into`; the loss terms summed over them. */
  private gradients(step: ShardStep, from: number, to: number, into: Float32Array): ShardTerms {
    const { spec, patterns, compositions } = this.setup;
    const { points, latent } = spec;
    const elements = spec.compositionElements.length;
    const rows = step.rows.subarray(from, to);
    const m = rows.length;
    if (this.batchPatterns.length < m * points) this.batchPatterns = new Float32Array(m * points);
    if (elements && this.batchCompositions.length < m * elements) this.batchCompositions = new Float32Array(m * elements);
    return tf.tidy(() => {
      const x = tf.tensor2d(gatherRows(patterns, points, rows, this.batchPatterns), [m, points]);
      const c = elements ? tf.tensor2d(gatherRows(compositions!, elements, rows, this.batchCompositions), [m, elements]) : undefined;
      const epsilon = tf.tensor2d(step.epsilon.subarray(from * latent, to * latent), [m, latent]);
      const { grads, terms } = vaeStep(this.models, this.layers, { patterns: x, compositions: c }, epsilon, step.beta, step.rows.length);
      this.variables.forEach((v, k) => {
        const g = grads[v.name];
        into.set(wasmStorage(g) ?? (g.dataSync() as Float32Array), this.at[k]);
      });
      return { reconstruction: terms[0] * m, kl: terms[1] * m };
    });
  }

  /** Sums every worker's gradient over this worker's slice of the weights (in worker order), then Adam on that slice. */
  private update(step: ShardStep): void {
    const { gradients, weights } = this.setup;
    const [from, to] = this.slice;
    this.sliceUpdate.apply((w) => gradients.subarray(w * this.count + from, w * this.count + to), weights.subarray(from, to), step.update, step.learningRate);
  }

  /** The roofline's products timed on this thread, each while every worker multiplies the same (they meet before each). */
  roofline(batch: number, repeats: number): TimedProducts {
    return timeProducts(this.setup.spec, batch, repeats, () => this.barrier.arriveAndWait());
  }
}

/**
 * The coordinator's side: Adam's update count, the batch's terms from the workers' shares, and
 * the weights to and from shared memory. Used by trainVaeOnWorkers.
 */
export class DataParallelOptimizer implements GradientWorkers {
  private steps = 0;

  constructor(
    readonly setup: DataParallelSetup,
    readonly train: PatternSet,
    private readonly runner: ShardRunner,
  ) {}

  get threads(): number {
    return this.setup.threads;
  }

  begin(variables: tf.Variable[]): void {
    const at = offsets(variables);
    const count = variables.reduce((sum, v) => sum + v.size, 0);
    if (count !== this.setup.weights.length) throw new Error(`the gradient workers hold ${this.setup.weights.length} weights, the model ${count}`);
    variables.forEach((v, k) => this.setup.weights.set(v.dataSync() as Float32Array, at[k]));
    this.steps = 0;
  }

  async step(work: BatchWork): Promise<Float32Array> {
    // A copy of the rows: a view would send the whole epoch's order to every worker.
    const shares = await this.runner.step({ rows: work.rows.slice(), epsilon: work.epsilon, beta: work.beta, learningRate: work.learningRate, update: ++this.steps });
    const n = work.rows.length;
    return Float32Array.of(shares.reduce((s, t) => s + t.reconstruction, 0) / n, shares.reduce((s, t) => s + t.kl, 0) / n);
  }

  copyWeightsInto(variables: tf.Variable[]): void {
    loadWeights(this.setup.weights, variables, offsets(variables));
  }

  /**
   * GFLOP/s of the matMul roofline with every worker multiplying at once: each repetition of a
   * shape takes as long as its slowest worker (they start together), every worker's product
   * counts, and each shape takes its best repetition, as the one-thread roofline does.
   */
  async roofline(batch: number, repeats = 20): Promise<number> {
    const timed = await this.runner.roofline(batch, repeats);
    const together = timed[0].times.map((times, shape) => times.map((_, r) => Math.max(...timed.map((t) => t.times[shape][r]))));
    return timed.length * rooflineGflops({ flops: timed[0].flops, times: together }, (times) => Math.min(...times));
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
