// Training and scoring benchmarks. Speeds are reported against references measured in the same
// run: training against the matMul roofline of this machine (its plain matMul GFLOP/s on the
// model's own layer shapes ÷ the model's FLOPs per sample), scoring as patterns per second.
import { initBackend, tf, type BackendPreference } from './backend';
import { PAPER_SPEC, inferenceFlopsPerSample, trainingFlopsPerSample, type ModelSpec } from './architecture';
import { buildVae } from './vae';
import { trainVae, trainVaeOnWorkers } from './train';
import { inSharedMemory, type StartGradientWorkers } from './data-parallel';
import { Scorer } from './score';
import { saveModel, type ModelManifest } from './store';
import { paperSimulator } from '../synth/bench';
import { Random } from '../util/random';
import { prepareForModel } from '../preprocess/prepare';
import { gridValues } from '../diffraction/render';
import { matMulRoofline } from './roofline';

/** The paper's three known phases, drawn in memory with full augmentation. */
function paperPatterns(examplesDir: string, count: number, points: number): Float32Array {
  const simulator = paperSimulator(examplesDir, { min: 20, max: 90, points });
  const out = new Float32Array(count * points);
  const random = new Random(3);
  for (let i = 0; i < count; i++) simulator.draw([{ phase: i % 3, fraction: 1 }], random, out.subarray(i * points, (i + 1) * points));
  return out;
}

export interface TrainBenchResult {
  backend: string;
  batchSize: number;
  /** Samples in each timed epoch. */
  samples: number;
  /** Timed epochs; speeds are their best, like the roofline's best-of-N (both: what the machine can do). */
  epochs: number;
  samplesPerSecond: number;
  /** Over all timed epochs together: what a shared machine gave this run. */
  meanSamplesPerSecond: number;
  flopsPerSample: number;
  matMulGflops: number;
  rooflineSamplesPerSecond: number;
  rooflineFraction: number;
  medianBatchMs: number;
  /** The fastest single batch, and its ratio to the roofline. */
  bestBatchSamplesPerSecond: number;
  bestBatchRooflineFraction: number;
  /** Seconds per epoch at this speed for the paper's 10,500 training patterns (70 % of 15,000). */
  paperEpochSeconds: number;
}

/** `bench train --threads`: data-parallel training beside one thread, and against the all-core roofline. */
export interface ThreadedTrainResult {
  threads: number;
  /** samplesPerSecond of the one-thread epochs timed alternately with the all-thread ones. */
  oneThreadSamplesPerSecond: number;
  allThreadSamplesPerSecond: number;
  speedupOverOneThread: number;
  /**
   * matMul GFLOP/s with every worker multiplying at once: the roofline's shapes at the same batch
   * on each worker, each product started together and timed to the slowest (data-parallel.ts).
   */
  allCoreMatMulGflops: number;
  allCoreRooflineSamplesPerSecond: number;
  allCoreRooflineFraction: number;
}

/**
 * Training speed against the roofline. The roofline is measured before and after training, and
 * the higher counts; the training speed is the best of `epochs` timed epochs. Both sides take
 * their best because other work on a shared machine only ever slows either down: a mean would
 * count its time slices against whichever side happened to meet them.
 *
 * With `workers` (a starter and a thread count), each timed one-thread epoch is followed by one
 * on that many data-parallel gradient workers (the same data, model and batch), so both rates
 * see the same stretch of the machine's time, and the all-core roofline (every worker
 * multiplying at once) is measured before and after, beside the one-core one.
 */
export async function benchTrain(options: {
  examplesDir: string;
  backend?: BackendPreference;
  batches?: number;
  batchSize?: number;
  epochs?: number;
  workers?: { threads: number; start: StartGradientWorkers };
}): Promise<TrainBenchResult & Partial<ThreadedTrainResult>> {
  const backend = await initBackend(options.backend ?? 'wasm');
  const batchSize = options.batchSize ?? 128;
  const batches = options.batches ?? 40;
  const epochs = options.epochs ?? 3;
  const spec: ModelSpec = { ...PAPER_SPEC, points: 2048 };
  // In shared memory: the gradient workers read the same rows.
  const patterns = inSharedMemory(paperPatterns(options.examplesDir, batchSize * batches, spec.points));
  const set = { patterns, count: batchSize * batches };
  const small = { patterns: patterns.subarray(0, batchSize * spec.points), count: batchSize };
  const models = buildVae(spec, 1);
  const parallelModels = buildVae(spec, 1);
  const workers = options.workers && (await options.workers.start(spec, backend.name, options.workers.threads, set));
  try {
    const rooflineBefore = matMulRoofline(spec, batchSize);
    const allCoreBefore = await workers?.roofline(batchSize);
    const trainingOptions = (seed: number) => ({ epochs: 1, batchSize, learningRate: 1e-3, patience: 0, seed });
    // One warm-up of 8 batches each (kernel setup, JIT), then the timed epochs; validation is excluded.
    const warm = () => {
      let batch = 0;
      return { shouldStop: () => ++batch > 8 };
    };
    trainVae(models, set, small, trainingOptions(1), warm());
    if (workers) await trainVaeOnWorkers(parallelModels, set, small, trainingOptions(1), warm(), workers);
    const speeds: number[] = [];
    const parallelSpeeds: number[] = [];
    const batchMs: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      // shouldStop is asked before every batch: its timestamps time the batches one by one.
      const stamps: number[] = [];
      const result = trainVae(models, set, small, trainingOptions(2 + epoch), { shouldStop: () => (stamps.push(performance.now()), false) });
      speeds.push(result.history[0].samplesPerSecond);
      batchMs.push(...stamps.slice(1).map((t, i) => t - stamps[i]));
      if (workers) parallelSpeeds.push((await trainVaeOnWorkers(parallelModels, set, small, trainingOptions(2 + epoch), {}, workers)).history[0].samplesPerSecond);
    }
    batchMs.sort((a, b) => a - b);
    const samplesPerSecond = Math.max(...speeds);
    const matMulGflops = Math.max(rooflineBefore, matMulRoofline(spec, batchSize));
    const flopsPerSample = trainingFlopsPerSample(spec);
    const rooflineSamplesPerSecond = (matMulGflops * 1e9) / flopsPerSample;
    const oneThread: TrainBenchResult = {
      backend: backend.name,
      batchSize,
      samples: set.count,
      epochs,
      samplesPerSecond,
      meanSamplesPerSecond: speeds.length / speeds.reduce((sum, v) => sum + 1 / v, 0),
      flopsPerSample,
      matMulGflops,
      rooflineSamplesPerSecond,
      rooflineFraction: samplesPerSecond / rooflineSamplesPerSecond,
      medianBatchMs: batchMs[batchMs.length >> 1],
      bestBatchSamplesPerSecond: (batchSize * 1000) / batchMs[0],
      bestBatchRooflineFraction: (batchSize * 1000) / batchMs[0] / rooflineSamplesPerSecond,
      paperEpochSeconds: 10500 / samplesPerSecond,
    };
    if (!workers) return oneThread;
    const allCoreMatMulGflops = Math.max(allCoreBefore!, await workers.roofline(batchSize));
    const allThreadSamplesPerSecond = Math.max(...parallelSpeeds);
    const allCoreRooflineSamplesPerSecond = (allCoreMatMulGflops * 1e9) / flopsPerSample;
    return {
      ...oneThread,
      threads: workers.threads,
      oneThreadSamplesPerSecond: samplesPerSecond,
      allThreadSamplesPerSecond,
      speedupOverOneThread: allThreadSamplesPerSecond / samplesPerSecond,
      allCoreMatMulGflops,
      allCoreRooflineSamplesPerSecond,
      allCoreRooflineFraction: allThreadSamplesPerSecond / allCoreRooflineSamplesPerSecond,
    };
  } finally {
    await workers?.close();
    models.dispose();
    parallelModels.dispose();
  }
}

export interface ScoreBenchResult {
  backend: string;
  patterns: number;
  batchSize: number;
  patternsPerSecond: number;
  /** Plain matMul GFLOP/s on the model's layer shapes at this batch size (as for training). */
  matMulGflops: number;
  flopsPerPattern: number;
  /** matMulGflops ÷ flopsPerPattern: the most the matrix products alone allow. */
  rooflinePatternsPerSecond: number;
  rooflineFraction: number;
  /** Whole scores as every face of the tool shows them: with the search for unexplained peaks. */
  patternsPerSecondWithUnexplainedPeaks: number;
  /** One pattern measured on another grid (1000 points, 15–95°): read, resample, scale, score. */
  singlePatternMs: number;
  singlePatternP95Ms: number;
}

/**
 * Scoring speed: whole scores (latent, reconstruction, errors, p-value, nearest phase) in batches
 * of 512, the best of `passes` passes over the patterns, against the inference roofline measured
 * before and after (the higher counts), as for training.
 */
export async function benchScore(options: { examplesDir: string; backend?: BackendPreference; patterns?: number; passes?: number }): Promise<ScoreBenchResult> {
  const backend = await initBackend(options.backend ?? 'wasm');
  const spec: ModelSpec = { ...PAPER_SPEC, points: 2048 };
  const count = options.patterns ?? 10000;
  const patterns = paperPatterns(options.examplesDir, count, spec.points);
  const models = buildVae(spec, 1);
  const scorer = untrainedScorer(spec, models);
  const rooflineBefore = matMulRoofline(spec, 512);
  const batch = 512;
  const scoreAll = (unexplainedPeaks: boolean) => {
    for (let start = 0; start < count; start += batch) scorer.score(patterns.subarray(start * spec.points), Math.min(batch, count - start), { unexplainedPeaks });
  };
  scorer.score(patterns, Math.min(1024, count)); // warm-up
  const bestPass = (unexplainedPeaks: boolean) => {
    let best = Infinity;
    for (let pass = 0; pass < (options.passes ?? 3); pass++) {
      const t0 = performance.now();
      scoreAll(unexplainedPeaks);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  // The model's work (latent, errors, p-value, nearest phase), against the roofline; then the
  // same with the search for unexplained peaks, which every score a person reads includes.
  const patternsPerSecond = count / (bestPass(false) / 1000);
  const patternsPerSecondWithUnexplainedPeaks = count / (bestPass(true) / 1000);
  // The same roofline method as training's, at the scoring batch: forward products only.
  const matMulGflops = Math.max(rooflineBefore, matMulRoofline(spec, 512));
  const flopsPerPattern = inferenceFlopsPerSample(spec);
  const rooflinePatternsPerSecond = (matMulGflops * 1e9) / flopsPerPattern;

  // A measured pattern on its own grid goes through the whole path a user's file takes.
  const { manifest } = scorer.model;
  const otherGrid = { min: 15, max: 95, points: 1000 };
  const twoTheta = Float64Array.from(gridValues(otherGrid));
  const source = patterns.subarray(0, spec.points);
  const intensity = Float64Array.from(twoTheta, (x) => 100 * source[Math.min(spec.points - 1, Math.max(0, Math.round(((x - 20) / 70) * (spec.points - 1))))]);
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const s = performance.now();
    const prepared = prepareForModel({ twoTheta, intensity }, manifest.grid);
    scorer.score(prepared.pattern, 1, { keepReconstructions: true });
    if (i >= 20) times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  models.encoder.dispose();
  models.decoder.dispose();
  return {
    backend: backend.name,
    patterns: count,
    batchSize: batch,
    patternsPerSecond,
    matMulGflops,
    flopsPerPattern,
    rooflinePatternsPerSecond,
    rooflineFraction: patternsPerSecond / rooflinePatternsPerSecond,
    patternsPerSecondWithUnexplainedPeaks,
    singlePatternMs: times[times.length >> 1],
    singlePatternP95Ms: times[Math.floor(times.length * 0.95)],
  };
}

/**
 * An untrained model (its weights do not change the time a score takes, except through the
 * nearest-neighbour search, which is fastest for patterns inside the reference cloud, as known
 * ones are) with a synthetic reference set and calibration: what the scoring benchmarks score with.
 */
export function untrainedScorer(spec: ModelSpec, members = buildVae(spec, 1)): Scorer {
  const cloud = new Random(5);
  const manifest: ModelManifest = {
    format: 'latent-xrd-model',
    formatVersion: 1,
    software: { name: 'latent-xrd', version: 'bench' },
    created: new Date().toISOString(),
    kind: 'vae',
    spec,
    grid: { min: 20, max: 90, points: spec.points },
    phases: ['Ni', 'Cr', 'Co'],
    // Where a trained VAE puts its training patterns, roughly: a standard normal cloud.
    reference: { latent: Array.from({ length: 3000 * spec.latent }, () => cloud.normal()), labels: Array.from({ length: 3000 }, (_, i) => i % 3) },
    calibration: { metric: 'bceExcess', errors: Array.from({ length: 1500 }, (_, i) => i / 1500), pThreshold: 0.01, errorThreshold: 0.99 },
    training: {},
    metrics: {},
    ensemble: [{ seed: 1, path: '.' }],
  };
  return new Scorer({ manifest, members: [members] });
}

/** `bench score --threads`: the measured-file path (prepare, score, unexplained peaks) on one thread and on many. */
export interface ThreadedScoreResult {
  threads: number;
  /** Measured patterns (on their own 1000-point grid, 15–95°) scored per run. */
  patterns: number;
  oneThreadPatternsPerSecond: number;
  allThreadPatternsPerSecond: number;
  speedupOverOneThread: number;
}

/**
 * Saves the untrained benchmark model (the paper's architecture) to `dir` and returns `count`
 * measured patterns of the paper's phases on a grid of their own, as a user's files are: what
 * the threaded scoring benchmark scores with worker threads.
 */
export async function scoreBenchWorkload(examplesDir: string, dir: string, count: number, backend: BackendPreference = 'wasm'): Promise<{ created: string; measured: { twoTheta: Float64Array; intensity: Float64Array }[] }> {
  await initBackend(backend);
  const spec: ModelSpec = { ...PAPER_SPEC, points: 2048 };
  const members = buildVae(spec, 1);
  const scorer = untrainedScorer(spec, members);
  await saveModel(dir, [members], scorer.model.manifest);
  members.encoder.dispose();
  members.decoder.dispose();
  const patterns = paperPatterns(examplesDir, count, spec.points);
  const otherGrid = { min: 15, max: 95, points: 1000 };
  const twoTheta = Float64Array.from(gridValues(otherGrid));
  const measured = Array.from({ length: count }, (_, n) => {
    const source = patterns.subarray(n * spec.points, (n + 1) * spec.points);
    return { twoTheta, intensity: Float64Array.from(twoTheta, (x) => 100 * source[Math.min(spec.points - 1, Math.max(0, Math.round(((x - 20) / 70) * (spec.points - 1))))]) };
  });
  return { created: scorer.model.manifest.created, measured };
}

/** Times scoring on one thread and on `threads` (warm, alternated, best of two each): the ratio is measured in the same run. */
export async function benchScoreThreads(
  patterns: number,
  threads: number,
  scoreWith: (threads: number) => { run: () => Promise<unknown>; close: () => void },
): Promise<ThreadedScoreResult> {
  // Both warm (each thread loads the model), then alternated, best of two each: on a machine
  // others use, the best pass is the least disturbed, and both rates see the same stretch of time.
  const single = scoreWith(1);
  const many = scoreWith(threads);
  let oneSeconds = Infinity;
  let allSeconds = Infinity;
  try {
    await single.run();
    await many.run();
    const time = async (scorer: { run: () => Promise<unknown> }) => {
      const t0 = performance.now();
      await scorer.run();
      return (performance.now() - t0) / 1000;
    };
    for (let pass = 0; pass < 2; pass++) {
      oneSeconds = Math.min(oneSeconds, await time(single));
      allSeconds = Math.min(allSeconds, await time(many));
    }
  } finally {
    single.close();
    many.close();
  }
  const one = patterns / oneSeconds;
  const all = patterns / allSeconds;
  return { threads, patterns, oneThreadPatternsPerSecond: one, allThreadPatternsPerSecond: all, speedupOverOneThread: all / one };
}
