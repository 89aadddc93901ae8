// From a dataset file to a saved, evaluated model: split the known phases' patterns, train the
// ensemble, calibrate the novelty threshold on held-out known patterns, measure everything the
// paper reports (and the baselines) on held-out data, and write the model folder.
import { gatherRows } from '../util/rows';
import { initBackend, type BackendPreference } from './backend';
import { buildVae, encodeAndReconstruct, type Encoded, type VaeModels } from './vae';
import { trainVae, trainVaeOnWorkers, type TrainingProgress, type TrainingResult } from './train';
import type { StartGradientWorkers } from './data-parallel';
import { saveModel, MANIFEST_FORMAT, MANIFEST_VERSION, MODEL_LIMITS, type ModelManifest } from './store';
import { manifestNumber } from './manifest';
import { checkModelTarget } from './model-folder';
import { parameterCount, type ModelSpec } from './architecture';
import type { TrainingConfig } from './training-config';
import { readDataset, type Dataset } from '../synth/dataset';
import { Random } from '../util/random';
import { UserError } from '../diagnostics';
import { SOFTWARE_VERSION } from '../version';
import { classifyLatent, mixtureCurves, noveltyMeasures, violinStats, type LatentClassification, type MixtureCurve, type NoveltyMeasures } from '../analysis/evaluate';
import { Baselines, type BaselineSelection } from '../analysis/baselines';
import { noveltyTable, noveltyWinners, unknownPhaseTask, type MethodScores, type NoveltyTable, type TaskWinner } from '../analysis/novelty-tasks';
import { KnnClassifier } from '../analysis/knn';
import { auroc, quantileSorted, sortedCopy, median, type DistributionSummary } from '../analysis/metrics';
import { describePreprocessing, modelPreprocessing, preprocessGridPatterns } from '../preprocess/model-preprocessing';
import type { KAlpha2Lines } from '../preprocess/kalpha2';
import type { Grid } from '../diffraction/render';

export type PipelineEvent =
  | { kind: 'stage'; message: string }
  | ({ kind: 'epoch'; member: number; members: number } & TrainingProgress);

export interface PipelineHooks {
  onEvent?: (e: PipelineEvent) => void;
  shouldStop?: () => boolean;
  /** Starts data-parallel gradient workers (src/worker/training-pool.ts) when the request asks for more than one thread. */
  startGradientWorkers?: StartGradientWorkers;
}

export interface TrainRequest {
  datasetPath: string;
  modelDir: string;
  training: TrainingConfig;
  /** Per dataset row, over training.compositionElements (conditional models). */
  compositions?: Float32Array;
  backend?: BackendPreference;
  /** Also train and measure the baselines (PCA, PCA-KNN, softmax classifier). */
  baselines?: boolean;
  /** Recorded in the manifest: where the training config came from. */
  configPath?: string;
  /**
   * Threads computing each batch's gradients (data-parallel.ts: the same model as one thread,
   * to float rounding). Absent or 1: the training thread alone.
   */
  threads?: number;
}

import { modelReliability } from './reliability';
import { keepCalibrationPatterns } from './span-calibration';
import { calibrationLineSums } from './line-calibration';
import { errorThresholdOf } from './novelty-calibration';
import { CancelledError } from '../diagnostics';
export { CancelledError };

/** Row indices of the dataset, by role. */
export interface Split {
  /** Known patterns the model is fitted on (with a mixture-aware dataset, mixtures of known phases too). */
  train: Int32Array;
  /** Held out for early stopping: picks the epoch (with a mixture-aware dataset, mixtures too). */
  validation: Int32Array;
  /**
   * Held out to calibrate the p-value and nothing else, so that the calibration errors are those
   * of patterns no choice was made on (with a mixture-aware dataset, mixtures too).
   */
  calibration: Int32Array;
  /** Held-out pure patterns of known phases. */
  test: Int32Array;
  /** Unknown-phase patterns; with a mixture-aware dataset, also mixtures that contain an unknown phase. */
  unknown: Int32Array;
  /**
   * Mixtures of known phases scored after training: all of them in the paper's study (never
   * trained on, so they should look novel); the held-out test share with a mixture-aware
   * dataset (trained on, so they should look known).
   */
  mixtures: Int32Array;
  /** Dataset phase index → model label (−1 for phases the model is not trained on). */
  labelOf: Int32Array;
  /**
   * Per dataset row, the model label it is trained and classified as: its phase's, or for a
   * mixture its majority phase's (majorityPhase); −1 for a row with a phase the model is not
   * trained on.
   */
  rowLabel: Int32Array;
  knownPhases: string[];
  /** Mixtures of known phases are trained on (the dataset's mixture role is "known"). */
  mixtureAware: boolean;
}

/**
 * The phase a mixture row holds most of, by weight fraction (by volume fraction in datasets
 * that predate weight fractions): the nearest-phase label of a mixture, as an analyst would
 * name the main phase of a sample. Equal shares go to the phase listed first.
 */
export function majorityPhase(dataset: Pick<Dataset, 'fractions' | 'weightFractions' | 'phaseNames'>, row: number): number {
  const amounts = dataset.weightFractions ?? dataset.fractions;
  const phases = dataset.phaseNames.length;
  let best = 0;
  for (let p = 1; p < phases; p++) if (amounts[row * phases + p] > amounts[row * phases + best]) best = p;
  return best;
}

/**
 * Stratified, seeded split. Known pure patterns are split by phase into training, validation
 * and test; unknown-phase patterns are kept aside. Mixtures of known phases are kept aside in
 * the paper's study; in a mixture-aware dataset they are split the same way, each combination
 * of phases its own stratum, and mixtures that contain an unknown phase join the unknowns.
 */
export function splitDataset(dataset: Dataset, training: Pick<TrainingConfig, 'seed' | 'validationFraction' | 'calibrationFraction' | 'testFraction'>): Split {
  const knownPhases: string[] = [];
  const phases = dataset.phaseNames.length;
  const labelOf = new Int32Array(phases).fill(-1);
  dataset.phaseNames.forEach((name, p) => {
    if (dataset.phaseRoles[p] !== 'unknown') {
      labelOf[p] = knownPhases.length;
      knownPhases.push(name);
    }
  });
  const mixtureAware = dataset.mixtureRole === 'known';
  const rowLabel = new Int32Array(dataset.count).fill(-1);
  const byClass: number[][] = knownPhases.map(() => []);
  const byMixture = new Map<string, number[]>();
  const unknown: number[] = [];
  const mixtures: number[] = [];
  for (let i = 0; i < dataset.count; i++) {
    const label = dataset.labels[i];
    if (label < 0) {
      // Mixtures of known phases only: a mixture with an unknown phase is not "two known things".
      let onlyKnown = true;
      const held: number[] = [];
      for (let p = 0; p < phases; p++) {
        if (dataset.fractions[i * phases + p] > 0) {
          held.push(p);
          if (labelOf[p] < 0) onlyKnown = false;
        }
      }
      if (onlyKnown) rowLabel[i] = labelOf[majorityPhase(dataset, i)];
      if (!mixtureAware) {
        if (onlyKnown) mixtures.push(i);
      } else if (!onlyKnown) unknown.push(i);
      else {
        const key = held.join('+');
        const stratum = byMixture.get(key);
        if (stratum) stratum.push(i);
        else byMixture.set(key, [i]);
      }
    } else if (labelOf[label] < 0) unknown.push(i);
    else {
      rowLabel[i] = labelOf[label];
      byClass[labelOf[label]].push(i);
    }
  }
  const random = new Random(training.seed + 104729);
  const train: number[] = [];
  const validation: number[] = [];
  const calibration: number[] = [];
  const test: number[] = [];
  const divide = (rows: number[], heldOut: number[]) => {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const nValidation = Math.round(rows.length * training.validationFraction);
    const nTest = Math.round(rows.length * training.testFraction);
    const nCalibration = Math.round(rows.length * training.calibrationFraction);
    validation.push(...rows.slice(0, nValidation));
    heldOut.push(...rows.slice(nValidation, nValidation + nTest));
    calibration.push(...rows.slice(nValidation + nTest, nValidation + nTest + nCalibration));
    train.push(...rows.slice(nValidation + nTest + nCalibration));
  };
  for (const rows of byClass) divide(rows, test);
  for (const rows of byMixture.values()) divide(rows, mixtures);
  if (train.length === 0) throw new UserError('the dataset has no patterns of known phases to train on');
  if (validation.length === 0 || calibration.length === 0 || test.length === 0) throw new UserError('too few known patterns to hold out validation, calibration and test sets; generate more');
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return {
    train: sorted(train),
    validation: sorted(validation),
    calibration: sorted(calibration),
    test: sorted(test),
    unknown: Int32Array.from(unknown),
    mixtures: mixtureAware ? sorted(mixtures) : Int32Array.from(mixtures),
    labelOf,
    rowLabel,
    knownPhases,
    mixtureAware,
  };
}

/** Rows of a row-major matrix, end to end; `shared`: in shared memory, for data-parallel training's workers to read. */
/** Rows of a dataset matrix, on shared memory when worker threads read them. */
export function gather(source: Float32Array, width: number, rows: Int32Array, shared = false): Float32Array {
  return gatherRows(source, width, rows, shared ? new Float32Array(new SharedArrayBuffer(4 * rows.length * width)) : undefined);
}

export interface EncodedGroup extends Encoded {
  /** Dataset rows. */
  rows: Int32Array;
  /** Dataset phase label per row (−1 for mixtures). */
  labels: Int32Array;
  /** 2θ of each pattern's maximum (the paper colours the latent map by it). */
  maxTwoTheta: Float32Array;
}

export interface Evaluation {
  classification: LatentClassification;
  /** VAE novelty from the excess BCE (the novelty score), from the raw training BCE, and from MSE. */
  vae: NoveltyMeasures;
  vaeBce: NoveltyMeasures;
  vaeMse: NoveltyMeasures;
  medianErrorRatioUnknownToKnown: number;
  /** The paper's error (Fig. 2: 0.017 known, 0.09 unknown): mean per-point BCE as trained, held-out known test patterns. */
  meanErrorKnown: number;
  /** The same mean per-point BCE over the unknown-phase patterns. */
  meanErrorUnknown: number;
  violins: Record<string, DistributionSummary>;
  mixtureCurves: MixtureCurve[];
  /** A mixture-aware model's held-out mixtures against its pure patterns and the unknowns. */
  mixtureAware?: MixtureAwareMeasures;
  baselines?: Record<string, NoveltyMeasures & { note: string }>;
  /** How the baselines' settings were chosen (on the validation patterns only), and the classifier's accuracy. */
  baselineSelection?: BaselineSelection & { softmaxTestAccuracy: number };
  /**
   * Every novelty score (the VAE's three errors and every baseline) on every novelty task: all
   * unknown patterns, each unknown phase's pure patterns, and (when novel) the mixtures.
   */
  noveltyTasks: NoveltyTable;
  /** Per task, which method wins, the VAE judged by its novelty score (excess BCE). */
  noveltyWinners: Record<string, TaskWinner>;
  /** Per group, for figures: latent means, errors. */
  groups: Record<'train' | 'validation' | 'calibration' | 'test' | 'unknown' | 'mixtures', EncodedGroup>;
}

/**
 * What a mixture-aware model is for, measured on held-out patterns: mixtures of known phases
 * should look as known as pure ones (AUROC against pure near 0.5, error ratio near 1) and
 * anything with an unknown phase should stand out from both.
 */
export interface MixtureAwareMeasures {
  /** Unknown-phase patterns ranked above every known test pattern, pure and mixture. */
  aurocUnknownAgainstKnown: number;
  /** Unknown-phase patterns ranked above the test mixtures. */
  aurocUnknownAgainstMixtures: number;
  medianErrorRatioMixturesToPure: number;
  medianErrorRatioUnknownToMixtures: number;
  /** The nearest known phase (5-NN over the training latents) is the mixture's majority phase. */
  knnAccuracyMixtures: number;
}

export interface TrainReport {
  manifest: ModelManifest;
  evaluation: Evaluation;
  dataset: Dataset;
  split: Split;
  members: VaeModels[];
  results: TrainingResult[];
  backend: string;
}

export async function trainFromDataset(request: TrainRequest, hooks: PipelineHooks = {}): Promise<TrainReport> {
  const stage = (message: string) => hooks.onEvent?.({ kind: 'stage', message });
  // Refused before the work, not after it, when the folder is not a model Latent XRD wrote.
  checkModelTarget(request.modelDir);
  const backend = await initBackend(request.backend ?? 'auto');
  stage(`backend: ${backend.name}${backend.notes.length ? ` (${backend.notes.join('; ')})` : ''}`);
  const t = request.training;
  stage(`reading ${request.datasetPath}`);
  const dataset = await readDataset(request.datasetPath);
  const elements = t.compositionElements;
  if (elements.length > 0 && (!request.compositions || request.compositions.length !== dataset.count * elements.length)) {
    throw new UserError(`a conditional VAE over ${elements.join(', ')} needs a composition for every pattern of the dataset`);
  }
  const split = splitDataset(dataset, t);
  stage(describeSplit(split, dataset));
  // Every pattern is prepared as a measured one will be when scored, and the record goes into
  // the manifest for the scorers (preprocess/model-preprocessing.ts).
  const preprocessing = modelPreprocessing(t.preprocessing);
  // Kept as simulated: a partly measured pattern is calibrated against these cut to its span and
  // prepared as it was (span-calibration.ts), and preparing a cut is not cutting a prepared pattern.
  const rawCalibrationPatterns = gather(dataset.patterns, dataset.points, split.calibration);
  stage(`preprocessing ${dataset.count} patterns as scored ones will be: ${describePreprocessing(preprocessing)}`);
  preprocessGridPatterns(dataset.patterns, dataset.count, datasetGrid(dataset), preprocessing, datasetKAlpha2Lines(dataset), (row) => `${request.datasetPath}: pattern ${row + 1}`);
  const points = dataset.points;
  const spec: ModelSpec = { points, hidden: t.hidden, latent: t.latent, compositionElements: elements, beta: t.beta };
  // Refused before any weight is allocated, by the limit a saved model is loaded against.
  if (parameterCount(spec) > MODEL_LIMITS.parameters) {
    throw new UserError(`training.hidden: [${t.hidden.join(', ')}] on ${points} grid points makes ${parameterCount(spec)} weights; a model holds at most ${MODEL_LIMITS.parameters}`);
  }
  // tfjs-node multiplies on every core itself: data-parallel workers are for wasm and cpu. More
  // workers than rows in a batch would have nothing to do.
  const threads = backend.name === 'tensorflow' || !hooks.startGradientWorkers ? 1 : Math.max(1, Math.min(request.threads ?? 1, t.batchSize));
  if (backend.name === 'tensorflow' && (request.threads ?? 1) > 1) stage('training on one thread: the tensorflow backend multiplies on every core itself');
  const setOf = (rows: Int32Array, shared = false) => ({
    patterns: gather(dataset.patterns, points, rows, shared),
    count: rows.length,
    compositions: elements.length ? gather(request.compositions!, elements.length, rows, shared) : undefined,
  });
  const trainSet = setOf(split.train, threads > 1);
  const validationSet = setOf(split.validation);

  const members: VaeModels[] = [];
  const results: TrainingResult[] = [];
  if (threads > 1) stage(`training on ${threads} threads (each computes the gradients of its share of every batch)`);
  const workers = threads > 1 ? await hooks.startGradientWorkers!(spec, backend.name, threads, trainSet) : undefined;
  try {
    for (let k = 0; k < t.ensemble; k++) {
      const seed = t.seed + k;
      const models = buildVae(spec, seed * 1000 + 17);
      const options = { epochs: t.epochs, batchSize: t.batchSize, learningRate: t.learningRate, patience: t.patience, klWarmupEpochs: t.klWarmupEpochs, schedule: t.schedule, seed };
      const trainingHooks = {
        shouldStop: hooks.shouldStop,
        onEpoch: (p: TrainingProgress) => hooks.onEvent?.({ kind: 'epoch', member: k + 1, members: t.ensemble, ...p }),
      };
      const result = workers ? await trainVaeOnWorkers(models, trainSet, validationSet, options, trainingHooks, workers) : trainVae(models, trainSet, validationSet, options, trainingHooks);
      if (result.cancelled) {
        for (const m of [...members, models]) {
          m.encoder.dispose();
          m.decoder.dispose();
        }
        throw new CancelledError('training');
      }
      members.push(models);
      results.push(result);
    }
  } finally {
    await workers?.close();
  }

  stage('evaluating on held-out patterns');
  const evaluation = evaluateModel(members[0], dataset, split, trainSet, request, members.slice(1));
  // Calibrated on patterns held out from everything else: the validation patterns picked the
  // epoch, so their errors are a little optimistic for a pattern the model has never met.
  const calibrationErrors = sortedCopy(evaluation.groups.calibration.bceExcess);
  const errorThreshold = quantileSorted(calibrationErrors, 1 - t.pThreshold);
  // A subsample of training latents for "nearest known phase" when scoring (at most 3000).
  // With each point's 2θ of maximum and error, so the latent map can be coloured as the paper's.
  const reference = { latent: [] as number[], labels: [] as number[], twoThetaOfMax: [] as number[], errors: [] as number[] };
  const train = evaluation.groups.train;
  const stride = Math.max(1, Math.ceil(split.train.length / 3000));
  for (let i = 0; i < split.train.length; i += stride) {
    for (let d = 0; d < t.latent; d++) reference.latent.push(manifestNumber(train.mean[i * t.latent + d]));
    reference.labels.push(split.rowLabel[split.train[i]]);
    reference.twoThetaOfMax.push(manifestNumber(train.maxTwoTheta[i]));
    reference.errors.push(manifestNumber(train.bceExcess[i]));
  }
  const manifest: ModelManifest = {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    software: { name: 'latent-xrd', version: SOFTWARE_VERSION },
    created: new Date().toISOString(),
    kind: elements.length ? 'cvae' : 'vae',
    spec,
    grid: datasetGrid(dataset),
    wavelength: radiationWavelength(dataset),
    preprocessing,
    phases: split.knownPhases,
    reference,
    calibration: {
      metric: 'bceExcess',
      errors: Array.from(calibrationErrors, manifestNumber),
      pThreshold: t.pThreshold,
      errorThreshold,
      source: { kind: 'synthetic', patterns: split.calibration.length },
    },
    mixtures: split.mixtureAware ? { role: 'known', minimumWeightFraction: dataset.minimumWeightFraction! } : { role: 'novel' },
    training: {
      config: t,
      configPath: request.configPath,
      dataset: request.datasetPath,
      datasetSeed: dataset.attributes.seed,
      backend: backend.name,
      counts: {
        train: split.train.length,
        validation: split.validation.length,
        calibration: split.calibration.length,
        test: split.test.length,
        unknown: split.unknown.length,
        mixtures: split.mixtures.length,
        ...(split.mixtureAware
          ? { trainMixtures: countMixtures(dataset, split.train), validationMixtures: countMixtures(dataset, split.validation), calibrationMixtures: countMixtures(dataset, split.calibration) }
          : {}),
      },
      members: results.map((r, k) => ({
        seed: t.seed + k,
        bestEpoch: r.bestEpoch,
        stoppedEarly: r.stoppedEarly,
        seconds: r.seconds,
        history: r.history,
      })),
    },
    metrics: summaryMetrics(evaluation),
    ensemble: members.map((_, k) => ({ seed: t.seed + k, path: k === 0 ? '.' : `ensemble/${k}` })),
  };
  // Whether the held-out checks back the verdicts, against the calibration just recorded.
  manifest.reliability = modelReliability(evaluation, manifest.calibration);
  // The calibration patterns themselves (the rows whose errors calibrate), for partly measured patterns (span-calibration.ts).
  const calibrationPatterns = keepCalibrationPatterns(rawCalibrationPatterns, points, Int32Array.from(split.calibration, (_, i) => i), manifest);
  // With them, the line half of the calibration (analysis/novelty-statistic.ts); the error
  // threshold is then the error's at half the p threshold (Bonferroni).
  if (calibrationPatterns) {
    stage('calibrating the unexplained lines');
    manifest.calibration.lineSums = calibrationLineSums({ manifest, members, calibrationPatterns });
    manifest.calibration.errorThreshold = errorThresholdOf(calibrationErrors, t.pThreshold, true);
  }
  // A stop asked for during the evaluation still means nothing is written.
  if (hooks.shouldStop?.()) throw new CancelledError('training');
  stage(`writing ${request.modelDir}`);
  await saveModel(request.modelDir, members, manifest, calibrationPatterns);
  return { manifest, evaluation, dataset, split, members, results, backend: backend.name };
}

/** How many of the rows are mixtures. */
function countMixtures(dataset: Dataset, rows: Int32Array): number {
  let n = 0;
  for (const r of rows) if (dataset.labels[r] < 0) n++;
  return n;
}

/** The split in a line, as training reports it. */
function describeSplit(split: Split, dataset: Dataset): string {
  const phases = split.knownPhases.join(', ');
  if (!split.mixtureAware) {
    return `split: ${split.train.length} training, ${split.validation.length} validation, ${split.calibration.length} calibration, ${split.test.length} test patterns of ${phases}; ${split.unknown.length} unknown-phase and ${split.mixtures.length} mixture patterns held out`;
  }
  const mixturesIn = (rows: Int32Array) => countMixtures(dataset, rows);
  return (
    `split (mixtures of known phases trained on): ${split.train.length} training (${mixturesIn(split.train)} mixtures), ${split.validation.length} validation (${mixturesIn(split.validation)} mixtures), ` +
    `${split.calibration.length} calibration (${mixturesIn(split.calibration)} mixtures), ` +
    `${split.test.length} pure and ${split.mixtures.length} mixture test patterns of ${phases}; ${split.unknown.length} patterns with an unknown phase held out`
  );
}

/** The radiation the dataset was simulated with (its `radiation` attribute), as far as it says. */
function datasetRadiation(dataset: Dataset): { kalpha1?: number; kalpha2?: number; ratio?: number } {
  try {
    const r = JSON.parse(String(dataset.attributes.radiation));
    return typeof r === 'object' && r !== null ? r : {};
  } catch {
    return {};
  }
}

function radiationWavelength(dataset: Dataset): number | undefined {
  return datasetRadiation(dataset).kalpha1;
}

/** The Kα doublet the dataset was simulated with, for Kα2 stripping; undefined for a single line. */
function datasetKAlpha2Lines(dataset: Dataset): KAlpha2Lines | undefined {
  const r = datasetRadiation(dataset);
  if (typeof r.kalpha1 !== 'number' || typeof r.kalpha2 !== 'number' || !(r.kalpha2 > r.kalpha1) || !(typeof r.ratio === 'number' && r.ratio > 0)) return undefined;
  return { kalpha1: r.kalpha1, kalpha2: r.kalpha2, ratio: r.ratio, source: 'the dataset\'s radiation' };
}

function datasetGrid(dataset: Dataset): Grid {
  return { min: dataset.twoTheta[0], max: dataset.twoTheta[dataset.twoTheta.length - 1], points: dataset.points };
}

/** The headline numbers of one model, as its manifest and the model card show them (`reproduce` reports its own, over seeds: core/reproduction). */
export function summaryMetrics(e: Evaluation): Record<string, unknown> {
  return {
    knnAccuracy: e.classification.knnAccuracy,
    gnbAccuracy: e.classification.gnbAccuracy,
    knnConfusion: e.classification.knnConfusion,
    medianErrorRatioUnknownToKnown: e.medianErrorRatioUnknownToKnown,
    meanErrorKnown: e.meanErrorKnown,
    meanErrorUnknown: e.meanErrorUnknown,
    aurocUnknown: e.vae.aurocUnknown,
    averagePrecisionUnknown: e.vae.averagePrecisionUnknown,
    aurocMixtures: e.vae.aurocMixtures,
    averagePrecisionMixtures: e.vae.averagePrecisionMixtures,
    ...(e.mixtureAware ? { mixtureAware: e.mixtureAware } : {}),
    errorMeasure: 'bceExcess (the ratio and AUROCs): mean BCE per point above the pattern\'s own entropy (0 = perfect reconstruction); meanErrorKnown/Unknown: plain mean BCE per point, the paper\'s error',
    rawBce: { aurocUnknown: e.vaeBce.aurocUnknown, aurocMixtures: e.vaeBce.aurocMixtures, medianErrorRatioUnknownToKnown: e.vaeBce.medianScoreUnknown / e.vaeBce.medianScoreKnown },
    mse: { aurocUnknown: e.vaeMse.aurocUnknown, aurocMixtures: e.vaeMse.aurocMixtures, medianErrorRatioUnknownToKnown: e.vaeMse.medianScoreUnknown / e.vaeMse.medianScoreKnown },
    mixturePeaks: e.mixtureCurves.map((c) => ({
      pair: c.pair,
      peakX: c.peakX,
      peakXRaw: c.peakXRaw,
      peakBetween03And07: c.peakX >= 0.3 && c.peakX <= 0.7,
      aurocAgainstPure: c.aurocAgainstPure,
      aurocAgainstPureFor02To08: c.aurocAgainstPureCentral,
    })),
    baselines: Object.fromEntries(
      Object.entries(e.baselines ?? {}).map(([name, b]) => [
        name,
        { aurocUnknown: b.aurocUnknown, aurocMixtures: b.aurocMixtures, averagePrecisionUnknown: b.averagePrecisionUnknown, medianScoreRatioUnknownToKnown: b.medianScoreUnknown / b.medianScoreKnown, note: b.note },
      ]),
    ),
    ...(e.baselineSelection
      ? {
          baselineSelection: {
            rule: e.baselineSelection.rule,
            pcaComponents: Object.fromEntries(Object.entries(e.baselineSelection.pca).map(([m, c]) => [m, c.components])),
            pcaKnn: { components: e.baselineSelection.pcaKnnDistance.components, k: e.baselineSelection.pcaKnnDistance.k },
            softmax: { ...e.baselineSelection.softmaxConfidence, testAccuracy: e.baselineSelection.softmaxTestAccuracy },
          },
        }
      : {}),
    noveltyByTask: Object.fromEntries(Object.entries(e.noveltyTasks.tasks).map(([task, r]) => [task, { count: r.count, auroc: r.auroc }])),
    noveltyWinners: e.noveltyWinners,
  };
}

export function evaluateModel(
  models: VaeModels,
  dataset: Dataset,
  split: Split,
  trainSet: { patterns: Float32Array; compositions?: Float32Array },
  request: TrainRequest,
  otherMembers: VaeModels[] = [],
): Evaluation {
  const points = dataset.points;
  const elements = request.training.compositionElements.length;
  const compositionsOf = (rows: Int32Array) => (elements ? gather(request.compositions!, elements, rows) : undefined);
  const encode = (rows: Int32Array, patterns?: Float32Array): EncodedGroup => {
    const x = patterns ?? gather(dataset.patterns, points, rows);
    const maxTwoTheta = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      let best = 0;
      for (let j = 1; j < points; j++) if (x[i * points + j] > x[i * points + best]) best = j;
      maxTwoTheta[i] = dataset.twoTheta[best];
    }
    return {
      rows,
      labels: Int32Array.from(rows, (r) => dataset.labels[r]),
      maxTwoTheta,
      ...encodeAndReconstruct(models, x, rows.length, { compositions: compositionsOf(rows) }),
    };
  };
  const groups = {
    train: encode(split.train, trainSet.patterns),
    validation: encode(split.validation),
    calibration: encode(split.calibration),
    test: encode(split.test),
    unknown: encode(split.unknown),
    mixtures: encode(split.mixtures),
  };
  const labelsOf = (rows: Int32Array) => Int32Array.from(rows, (r) => split.rowLabel[r]);
  const latent = models.spec.latent;
  const latentsOfOthers = (rows: Int32Array, patterns?: Float32Array) =>
    otherMembers.map(
      (m) =>
        encodeAndReconstruct(m, patterns ?? gather(dataset.patterns, points, rows), rows.length, { compositions: compositionsOf(rows) }).mean,
    );
  const classification = classifyLatent(
    {
      latent: groups.train.mean,
      labels: labelsOf(split.train),
      compositions: compositionsOf(split.train),
      ensembleLatents: latentsOfOthers(split.train, trainSet.patterns),
    },
    {
      latent: groups.test.mean,
      labels: labelsOf(split.test),
      compositions: compositionsOf(split.test),
      ensembleLatents: latentsOfOthers(split.test),
    },
    latent,
    split.knownPhases.length,
  );
  const vae = noveltyMeasures(groups.test.bceExcess, groups.unknown.bceExcess, groups.mixtures.bceExcess);
  const vaeBce = noveltyMeasures(groups.test.bce, groups.unknown.bce, groups.mixtures.bce);
  const vaeMse = noveltyMeasures(groups.test.mse, groups.unknown.mse, groups.mixtures.mse);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
  const evaluation: Evaluation = {
    classification,
    vae,
    vaeBce,
    vaeMse,
    medianErrorRatioUnknownToKnown: median(groups.unknown.bceExcess) / median(groups.test.bceExcess),
    meanErrorKnown: mean(groups.test.bce),
    meanErrorUnknown: mean(groups.unknown.bce),
    violins: violinStats({ pure: groups.test.bceExcess, mixtures: groups.mixtures.bceExcess, unknown: groups.unknown.bceExcess }),
    // The paper's error-against-fraction curve needs its grid of held-out fractions.
    mixtureCurves: split.mixtureAware ? [] : mixtureCurves(gather(dataset.fractions, dataset.phaseNames.length, split.mixtures), dataset.phaseNames.length, dataset.phaseNames, groups.mixtures.bceExcess, groups.test.bceExcess),
    groups,
    noveltyTasks: { knownCount: 0, methods: [], tasks: {} },
    noveltyWinners: {},
  };
  if (split.mixtureAware) evaluation.mixtureAware = mixtureAwareMeasures(groups, labelsOf(split.train), labelsOf(split.mixtures), latent);
  // Every score on every task: the VAE's three errors, and the baselines' scores when asked for.
  const vaeScores = (g: EncodedGroup, rows?: number[]): MethodScores => {
    const pick = (a: Float32Array) => (rows ? Float32Array.from(rows, (i) => a[i]) : a);
    return { vae: pick(g.bceExcess), vaeBce: pick(g.bce), vaeMse: pick(g.mse) };
  };
  const tasks = noveltyTaskRows(dataset, split);
  const known: MethodScores = vaeScores(groups.test);
  const taskScores: Record<string, MethodScores> = {};
  for (const [task, { group, rows }] of Object.entries(tasks)) taskScores[task] = vaeScores(groups[group], rows);
  if (request.baselines !== false) {
    const fitted = fitPipelineBaselines(dataset, split, trainSet.patterns, request.training.seed);
    try {
      const scored = (rows: Int32Array) => fitted.score(gather(dataset.patterns, points, rows), rows.length);
      const [bTest, bUnknown, bMixtures] = [split.test, split.unknown, split.mixtures].map(scored);
      const notes = fitted.notes();
      evaluation.baselines = Object.fromEntries(
        Object.keys(bTest).map((m) => {
          const k = m as keyof typeof bTest;
          return [m, { ...noveltyMeasures(bTest[k], bUnknown[k], bMixtures[k]), note: notes[k] }];
        }),
      );
      evaluation.baselineSelection = { ...fitted.selection, softmaxTestAccuracy: fitted.accuracy(gather(dataset.patterns, points, split.test), labelsOf(split.test)) };
      Object.assign(known, bTest);
      for (const [task, { group, rows }] of Object.entries(tasks)) {
        const all = group === 'unknown' ? bUnknown : bMixtures;
        for (const [m, v] of Object.entries(all)) taskScores[task][m] = rows ? Float64Array.from(rows, (i) => v[i]) : v;
      }
    } finally {
      fitted.dispose();
    }
  }
  evaluation.noveltyTasks = noveltyTable(known, taskScores);
  evaluation.noveltyWinners = noveltyWinners(evaluation.noveltyTasks, { vaeMethod: 'vae', vaeMethods: ['vaeBce', 'vaeMse'] });
  return evaluation;
}

/**
 * The novelty tasks of a split, as positions in the unknown or mixture group: "unknown" (every
 * unknown row), one task per unknown phase (its pure patterns only), and "mixtures" when mixtures
 * of known phases are novel to the model (not trained on).
 */
export function noveltyTaskRows(dataset: Pick<Dataset, 'labels' | 'phaseNames'>, split: Split): Record<string, { group: 'unknown' | 'mixtures'; rows?: number[] }> {
  const tasks: Record<string, { group: 'unknown' | 'mixtures'; rows?: number[] }> = {};
  if (split.unknown.length) tasks.unknown = { group: 'unknown' };
  dataset.phaseNames.forEach((name, p) => {
    if (split.labelOf[p] >= 0) return;
    const rows: number[] = [];
    split.unknown.forEach((r, i) => {
      if (dataset.labels[r] === p) rows.push(i);
    });
    if (rows.length) tasks[unknownPhaseTask(name)] = { group: 'unknown', rows };
  });
  if (!split.mixtureAware && split.mixtures.length) tasks.mixtures = { group: 'mixtures' };
  return tasks;
}

/**
 * The baselines fitted on the training rows, their settings chosen on the validation rows (the
 * selection set: known patterns held out from training, never the test, unknown or mixture rows).
 */
export function fitPipelineBaselines(dataset: Dataset, split: Split, trainPatterns: Float32Array, seed: number): Baselines {
  const points = dataset.points;
  const labelled = (rows: Int32Array, patterns?: Float32Array) => ({
    patterns: patterns ?? gather(dataset.patterns, points, rows),
    labels: Int32Array.from(rows, (r) => split.rowLabel[r]),
    pure: Uint8Array.from(rows, (r) => (dataset.labels[r] >= 0 ? 1 : 0)),
  });
  return Baselines.fit(labelled(split.train, trainPatterns), labelled(split.validation), points, split.knownPhases.length, { seed });
}

function mixtureAwareMeasures(groups: Evaluation['groups'], trainLabels: Int32Array, mixtureLabels: Int32Array, dims: number): MixtureAwareMeasures {
  const knownErrors = Float32Array.from([...groups.test.bceExcess, ...groups.mixtures.bceExcess]);
  const predicted = new KnnClassifier(groups.train.mean, trainLabels, dims, 5).predict(groups.mixtures.mean);
  let right = 0;
  predicted.forEach((label, i) => (right += label === mixtureLabels[i] ? 1 : 0));
  return {
    aurocUnknownAgainstKnown: auroc(groups.unknown.bceExcess, knownErrors),
    aurocUnknownAgainstMixtures: auroc(groups.unknown.bceExcess, groups.mixtures.bceExcess),
    medianErrorRatioMixturesToPure: median(groups.mixtures.bceExcess) / median(groups.test.bceExcess),
    medianErrorRatioUnknownToMixtures: median(groups.unknown.bceExcess) / median(groups.mixtures.bceExcess),
    knnAccuracyMixtures: predicted.length ? right / predicted.length : NaN,
  };
}
