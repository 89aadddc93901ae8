// The training loop: seeded shuffles and ε, Adam, per-batch cancellation, early stopping on the
// validation loss with the best weights restored.
import { gatherRows } from '../util/rows';
import { tf } from './backend';
import { Random } from '../util/random';
import { FusedAdam, assignValue } from './adam';
import { drawEpsilon, drawEpsilonValues, vaeLoss, type VaeModels } from './vae';
import type { GradientWorkers } from './data-parallel';
import { stepLayers, vaeStep } from './step';

export interface TrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a validation improvement before stopping (0: never stop early). */
  patience: number;
  seed: number;
  /**
   * Epochs over which the KL weight rises linearly from 0 to β (KL annealing). Without it the
   * encoder's information is priced before the decoder can use it and the latent collapses to a
   * blur that does not separate the phases (seen here: KNN accuracy 0.36; docs/science.md, "The model").
   */
  klWarmupEpochs?: number;
  /**
   * 'cosine': after the KL warm-up the step size follows a half cosine from learningRate down to
   * 5 % of it at the last epoch — the fine detail of narrow peaks is learned late, with small steps.
   */
  schedule?: 'constant' | 'cosine';
}

/** Rows of patterns (and their compositions, for a conditional model). */
export interface PatternSet {
  patterns: Float32Array;
  count: number;
  compositions?: Float32Array;
}

export interface LossRecord {
  total: number;
  reconstruction: number;
  kl: number;
}

export interface EpochRecord {
  epoch: number;
  train: LossRecord;
  validation: LossRecord;
  samplesPerSecond: number;
  seconds: number;
}

export interface TrainingProgress extends EpochRecord {
  epochs: number;
  best: boolean;
}

export interface TrainingHooks {
  onEpoch?: (p: TrainingProgress) => void;
  /** Checked before every batch: true stops training within one batch. */
  shouldStop?: () => boolean;
}

export interface TrainingResult {
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  seconds: number;
}

function shuffle(indices: Uint32Array, random: Random): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = indices[i];
    indices[i] = indices[j];
    indices[j] = t;
  }
}

export function learningRateAt(options: TrainingOptions, epoch: number): number {
  const warmup = options.klWarmupEpochs ?? 0;
  if (options.schedule !== 'cosine' || epoch <= warmup || options.epochs <= warmup + 1) return options.learningRate;
  const progress = (epoch - warmup - 1) / (options.epochs - warmup - 1);
  return options.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Mean loss terms over a whole set, with ε from a generator seeded the same way every call. */
export function evaluateLoss(models: VaeModels, set: PatternSet, seed: number, batchSize = 512): LossRecord {
  const { points, latent } = models.spec;
  const elements = models.spec.compositionElements.length;
  const random = new Random(seed);
  const sum: LossRecord = { total: 0, reconstruction: 0, kl: 0 };
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const terms = tf.tidy(() => {
      const patterns = tf.tensor2d(set.patterns.subarray(start * points, (start + n) * points), [n, points]);
      const compositions = elements ? tf.tensor2d(set.compositions!.subarray(start * elements, (start + n) * elements), [n, elements]) : undefined;
      const t = vaeLoss(models, { patterns, compositions }, drawEpsilon(random, n, latent), false);
      return tf.stack([t.total, t.reconstruction, t.kl]).dataSync();
    });
    sum.total += terms[0] * n;
    sum.reconstruction += terms[1] * n;
    sum.kl += terms[2] * n;
  }
  const count = Math.max(1, set.count);
  return { total: sum.total / count, reconstruction: sum.reconstruction / count, kl: sum.kl / count };
}

/** One batch, as the training loop hands it to whoever computes the step. */
export interface BatchWork {
  /** Rows of the training set, in the order of `epsilon`'s rows. */
  rows: Uint32Array;
  /** Standard-normal ε, rows × latent, drawn by the loop's generator. */
  epsilon: Float32Array;
  /** The KL weight of this step (rising during the KL warm-up). */
  beta: number;
  learningRate: number;
}

/**
 * What the loop asks of whoever runs it: a step (answered with its [reconstruction, kl] batch
 * means), or the model's variables brought up to date (before validation, snapshots and the
 * end; a no-op when the steps update the variables themselves).
 */
type LoopRequest = { kind: 'step'; work: BatchWork } | { kind: 'weights' };

/**
 * Trains in place. Deterministic for a given seed and backend: the shuffles and ε come from
 * our generator, the initial weights from the seed given to `buildVae`.
 */
export function trainVae(models: VaeModels, train: PatternSet, validation: PatternSet, options: TrainingOptions, hooks: TrainingHooks = {}): TrainingResult {
  const step = inThreadStep(models, train, options);
  try {
    const loop = trainingLoop(models, train, validation, options, hooks);
    for (let request = loop.next(); ; ) {
      if (request.done) return request.value;
      let answer: Float32Array | undefined;
      try {
        answer = request.value.kind === 'step' ? step.run(request.value.work) : undefined;
      } catch (e) {
        loop.throw(e); // the loop's own clean-up runs, and the error comes back out
      }
      request = loop.next(answer);
    }
  } finally {
    step.dispose();
  }
}

/**
 * trainVae with each step's gradients computed by data-parallel workers (data-parallel.ts):
 * (two drivers of the one trainingLoop because this one awaits its workers while trainVae stays
 * synchronous, which its benchmark and the composition experiment rely on)
 * the same loop, the same draws, so the same model as trainVae to float rounding. The workers
 * must have been started on `train`.
 */
export async function trainVaeOnWorkers(models: VaeModels, train: PatternSet, validation: PatternSet, options: TrainingOptions, hooks: TrainingHooks, workers: GradientWorkers): Promise<TrainingResult> {
  if (workers.train !== train) throw new Error('the gradient workers were started on another training set');
  const variables = modelVariables(models);
  workers.begin(variables);
  const loop = trainingLoop(models, train, validation, options, hooks);
  for (let request = loop.next(); ; ) {
    if (request.done) return request.value;
    let answer: Float32Array | undefined;
    try {
      if (request.value.kind === 'step') answer = await workers.step(request.value.work);
      else workers.copyWeightsInto(variables);
    } catch (e) {
      loop.throw(e); // the loop's own clean-up runs, and the error comes back out
    }
    request = loop.next(answer);
  }
}

/** The trainable variables of both halves, in the one order the optimisers and workers use. */
export function modelVariables(models: VaeModels): tf.Variable[] {
  return [...models.encoder.trainableWeights, ...models.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
}

/** A step computed here: the handwritten gradients (step.ts), then the fused Adam update. */
function inThreadStep(models: VaeModels, train: PatternSet, options: TrainingOptions) {
  const { points } = models.spec;
  const elements = models.spec.compositionElements.length;
  const optimizer = new FusedAdam(modelVariables(models), { learningRate: options.learningRate });
  const layers = stepLayers(models);
  const batchPatterns = new Float32Array(options.batchSize * points);
  const batchCompositions = new Float32Array(options.batchSize * Math.max(1, elements));
  return {
    run(work: BatchWork): Float32Array {
      const n = work.rows.length;
      optimizer.learningRate = work.learningRate;
      return tf.tidy(() => {
        const patterns = tf.tensor2d(gatherRows(train.patterns, points, work.rows, batchPatterns), [n, points]);
        const compositions = elements ? tf.tensor2d(gatherRows(train.compositions!, elements, work.rows, batchCompositions), [n, elements]) : undefined;
        const epsilon = tf.tensor2d(work.epsilon, [n, models.spec.latent]);
        // The loss and gradients of vaeLoss, written out by hand (step.ts: fewer kernels).
        const { grads, terms } = vaeStep(models, layers, { patterns, compositions }, epsilon, work.beta);
        optimizer.apply(grads);
        return terms;
      });
    },
    dispose: () => optimizer.dispose(),
  };
}

/**
 * The training loop, once for both ways of running its steps: epochs of seeded shuffles and ε,
 * per-batch cancellation, validation, early stopping with the best weights restored. A generator
 * so that the same loop runs with steps computed here (trainVae, synchronous) and with steps
 * awaited from workers (trainVaeOnWorkers).
 */
function* trainingLoop(models: VaeModels, train: PatternSet, validation: PatternSet, options: TrainingOptions, hooks: TrainingHooks): Generator<LoopRequest, TrainingResult, Float32Array | undefined> {
  const { latent } = models.spec;
  const elements = models.spec.compositionElements.length;
  if (elements && (!train.compositions || !validation.compositions)) throw new Error('a conditional model needs compositions for training and validation');
  const random = new Random(options.seed);
  const variables = modelVariables(models);
  const order = new Uint32Array(train.count).map((_, i) => i);
  const history: EpochRecord[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  // Copies in JS memory: the optimiser gives the variables new storage every step.
  let bestWeights: Float32Array[] | undefined;
  let sinceBest = 0;
  let cancelled = false;
  let stoppedEarly = false;
  const started = performance.now();
  const stepsPerEpoch = Math.ceil(train.count / options.batchSize);
  const warmupSteps = Math.max(0, (options.klWarmupEpochs ?? 0) * stepsPerEpoch);
  let step = 0;

  try {
    for (let epoch = 1; epoch <= options.epochs && !cancelled; epoch++) {
      const epochStart = performance.now();
      const learningRate = learningRateAt(options, epoch);
      shuffle(order, random);
      const sum: LossRecord = { total: 0, reconstruction: 0, kl: 0 };
      let seen = 0;
      for (let start = 0; start < train.count; start += options.batchSize) {
        if (hooks.shouldStop?.()) {
          cancelled = true;
          break;
        }
        const n = Math.min(options.batchSize, train.count - start);
        const epsilon = drawEpsilonValues(random, n, latent);
        const beta = models.spec.beta * (warmupSteps > 0 ? Math.min(1, ++step / warmupSteps) : 1);
        const terms = yield { kind: 'step', work: { rows: order.subarray(start, start + n), epsilon, beta, learningRate } };
        sum.reconstruction += terms![0] * n;
        sum.kl += terms![1] * n;
        sum.total += (terms![0] + models.spec.beta * terms![1]) * n;
        seen += n;
      }
      yield { kind: 'weights' };
      if (cancelled) break;
      const trainSeconds = (performance.now() - epochStart) / 1000;
      const trainLoss = { total: sum.total / seen, reconstruction: sum.reconstruction / seen, kl: sum.kl / seen };
      const validationLoss = evaluateLoss(models, validation, options.seed + 7919);
      const record: EpochRecord = {
        epoch,
        train: trainLoss,
        validation: validationLoss,
        samplesPerSecond: seen / trainSeconds,
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(record);
      // While β is still rising the objective is not the one validated: no model counts as best yet.
      const annealed = epoch >= (options.klWarmupEpochs ?? 0);
      const improved = annealed && validationLoss.total < best;
      if (!annealed) {
        bestEpoch = epoch;
      } else if (improved) {
        best = validationLoss.total;
        bestEpoch = epoch;
        sinceBest = 0;
        bestWeights = variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
      } else {
        sinceBest++;
      }
      hooks.onEpoch?.({ ...record, epochs: options.epochs, best: improved });
      if (options.patience > 0 && sinceBest >= options.patience) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    if (bestWeights) variables.forEach((v, i) => assignValue(v, tf.tensor(bestWeights![i], v.shape)));
  }
  return { history, bestEpoch, stoppedEarly, cancelled, seconds: (performance.now() - started) / 1000 };
}
