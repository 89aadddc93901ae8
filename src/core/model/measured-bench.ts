// latent-xrd bench measured: how the product's default model does on measured spectra whose
// phases are known. A benchmark folder holds reference CIFs and measured spectra, and a
// measured-bench.json saying which phases each spectrum holds (test/fixtures/xrd-autoanalyzer
// is the XRD-AutoAnalyzer example). From it:
//   - one mixture-aware model of all the phases (pairs and triples trained on, as a user who
//     expects multi-phase samples would train): which spectra of known phases it calls NOVEL
//     (falsePositiveRateKnown), and whether the nearest known phase is one the spectrum holds
//     (phaseIdAccuracy); spectra of none of the phases should be NOVEL;
//   - one model per phase left out: does the score rank the spectra holding the left-out phase
//     above the others (aurocHeldOutPhase, the mean over the phases some spectrum holds).
// Every setting is the product's default (synthesis, augmentation, preprocessing, training):
// the spectra judge the defaults, they never choose them.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { UserError } from '../diagnostics';
import { auroc } from '../analysis/metrics';
import { readPatternFile } from '../formats';
import { combinedPValue, unexplainedLineSum } from '../analysis/novelty-statistic';
import { generateDataset, planWorkspaceConfig } from '../synth/dataset';
import { readDataset } from '../synth/dataset-file';
import { configAugmentation, type SynthConfig } from '../synth/config';
import { scoreGridRowsAsFiles } from './line-calibration';
import {
  AGENT_SAMPLE_PER_CLASS,
  AGENT_STATISTICS,
  SELECTION_STATISTICS,
  WIDENING,
  agentPValues,
  chosenByRule,
  evenClassSample,
  selectionPValues,
  statisticMeasures,
  widenedAugmentation,
  type AgentStatistic,
  type ScoredForSelection,
  type SelectionStatistic,
  type StatisticMeasures,
} from './selection-statistics';
import { gridValues } from '../diffraction/render';
import { CALIBRATION_SEED, DEFAULT_CALIBRATION_PATTERNS, calibrateResidual } from '../decomposition/calibration';
import type { Explainer, ResidualCalibration } from '../decomposition/explain';
import { writeFileAtomic } from '../util/atomic';
import { DEFAULT_TRAINING_CONFIG, QUICK_TRAINING, type TrainingConfig } from './training-config';
import { trainFromDataset, type Evaluation } from './pipeline';
import { Scorer, type PatternScore } from './score';
import { loadModel } from './store';
import type { BackendPreference } from './backend';
import { decomposeBenchSpectra, definitionExplainer, phaseSetAccuracy, type SpectrumDecomposition } from '../decomposition/bench-spectra';

export interface MeasuredBenchDefinition {
  radiation: string;
  grid: { twoThetaMin: number; twoThetaMax: number; points: number };
  /** Phase name → CIF, relative to the definition's folder. */
  phases: Record<string, string>;
  /** Spectrum file → the phases it holds (none: a sample of phases the CIFs do not describe). */
  spectra: Record<string, string[]>;
}

export interface SpectrumResult {
  file: string;
  phases: string[];
  verdict?: PatternScore['verdict'];
  pValue?: number;
  /** The p-value's parts (analysis/novelty-statistic.ts): the excess error's and the unexplained lines'. */
  pValueError?: number;
  pValueLines?: number;
  bceExcess?: number;
  nearestPhase?: string;
  error?: string;
}

export interface HeldOutPhaseResult {
  phase: string;
  /**
   * Spectra holding the phase, ranked against the other spectra of known phases by the verdict's
   * p-value (smaller first); undefined when none holds it.
   */
  auroc?: number;
  /** The same ranking by the excess error alone (the product's score before the lines were weighed). */
  aurocByError?: number;
  /** With `agents`: ranked by the decomposition's residual p-value alone, and by both agents' Bonferroni p. */
  aurocByResidual?: number;
  aurocAgents?: number;
  positives: number;
  negatives: number;
  /** Spectra holding the left-out phase called NOVEL. */
  novelHolding: number;
  /** Spectra without it called NOVEL. */
  novelWithout: number;
}

export interface MeasuredBenchResult {
  benchmark: 'measured';
  scale: 'quick' | 'full';
  definition: string;
  /** Share of the spectra of known phases only that the all-phase model calls NOVEL (target 0). */
  falsePositiveRateKnown: number;
  /** Mean over left-out phases that some spectrum holds, ranked by the verdict's p-value (target ≥ 0.95). */
  aurocHeldOutPhase: number;
  /** The same ranked by the excess error alone. */
  aurocHeldOutPhaseByError: number;
  /**
   * With `agents` (selection-statistics.ts): the same ranked by the decomposition's residual
   * p-value alone and by both agents' Bonferroni p, and the share of the spectra of known phases
   * that both agents' p calls NOVEL.
   */
  aurocHeldOutPhaseByResidual?: number;
  aurocHeldOutPhaseAgents?: number;
  falsePositiveRateKnownAgents?: number;
  /** Share of the spectra of known phases whose nearest known phase is one they hold. */
  phaseIdAccuracy: number;
  /** Spectra of phases none of the CIFs describes called NOVEL (should be all of them). */
  foreignNovel: string;
  /**
   * Share of the spectra of known phases whose exact phase set the physical decomposition
   * (core/decomposition, all the definition's phases as candidates) names (target 1).
   */
  phaseSetAccuracy: number;
  /** Reading, preparing and scoring one spectrum, on average (one thread). */
  secondsPerSpectrum: number;
  /** Generating and training one model, on average. */
  secondsPerModel: number;
  patternsPerModel: number;
  spectra: SpectrumResult[];
  heldOut: HeldOutPhaseResult[];
  /** Each spectrum's decomposition: the phases found, and whether they are exactly the ones it holds. */
  decomposition: SpectrumDecomposition[];
  settings: Record<string, unknown>;
}

/** What a scale draws per model: enough for the product's default model, or a quick look for the tests. */
// With the agents, how many selection patterns each class sends to the decomposition and how many
// generator patterns calibrate its residual score: the product's at full scale, a few at quick.
const SCALES = {
  full: { count: 500, pairCount: 100, ternaryCount: 30, training: {} as Partial<TrainingConfig>, agentSamplePerClass: AGENT_SAMPLE_PER_CLASS, residualCalibration: DEFAULT_CALIBRATION_PATTERNS },
  quick: { count: 40, pairCount: 8, ternaryCount: 2, training: { ...QUICK_TRAINING, epochs: 2, batchSize: 64 } as Partial<TrainingConfig>, agentSamplePerClass: 3, residualCalibration: 9 },
};

/** The training settings every model of a run uses: the defaults, the scale's, the candidate's. */
function benchTraining(options: Pick<MeasuredBenchOptions, 'scale' | 'training'>): TrainingConfig {
  return { ...DEFAULT_TRAINING_CONFIG, ...SCALES[options.scale].training, ...options.training };
}

export function readMeasuredBenchDefinition(path: string): MeasuredBenchDefinition {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: cannot be read as JSON (${(e as Error).message})`);
  }
  const d = value as Partial<MeasuredBenchDefinition>;
  if (typeof d !== 'object' || d === null || typeof d.phases !== 'object' || typeof d.spectra !== 'object' || typeof d.grid !== 'object' || typeof d.radiation !== 'string') {
    throw new UserError(`${path}: needs "radiation", "grid", "phases" (name → CIF) and "spectra" (file → phases)`);
  }
  const names = Object.keys(d.phases!);
  if (names.length < 3) throw new UserError(`${path}: phases: at least three, so that a model with one left out still has mixtures`);
  const folder = dirname(path);
  for (const [name, cif] of Object.entries(d.phases!)) {
    if (typeof cif !== 'string' || !existsSync(join(folder, cif))) throw new UserError(`${path}: phases.${name}: no CIF at ${JSON.stringify(cif)}`);
  }
  for (const [file, phases] of Object.entries(d.spectra!)) {
    if (!existsSync(join(folder, file))) throw new UserError(`${path}: spectra: no file ${JSON.stringify(file)}`);
    if (!Array.isArray(phases) || phases.some((p) => !names.includes(p))) throw new UserError(`${path}: spectra.${file}: must list phases named in "phases"`);
  }
  return d as MeasuredBenchDefinition;
}

export interface MeasuredBenchOptions {
  definitionPath: string;
  scale: 'quick' | 'full';
  /** Training settings instead of the defaults (a candidate to compare on the selection run). */
  training?: Partial<TrainingConfig>;
  backend?: BackendPreference;
  /** Keeps the datasets and models here (default: a temporary folder, removed at the end). */
  workDir?: string;
  /**
   * Also hear the second agent, the physical decomposition (selection-statistics.ts): each fold's
   * phases fitted to an even sample of each selection set, its residual p-value calibrated as
   * `explain` calibrates it. Slow: seconds a pattern.
   */
  agents?: boolean;
  onStage?: (message: string) => void;
}

/** Trains the benchmark's models under one working folder (removed by `dispose` unless the caller named it). */
function measuredBenchTrainer(options: MeasuredBenchOptions, definition: MeasuredBenchDefinition) {
  const folder = dirname(resolve(options.definitionPath));
  const scale = SCALES[options.scale];
  const stage = options.onStage ?? (() => undefined);
  const work = options.workDir ? resolve(options.workDir) : mkdtempSync(join(tmpdir(), 'latent-xrd-bench-measured-'));
  const phases = Object.keys(definition.phases);
  const totals = { seconds: 0, models: 0, patternsPerModel: 0 };

  /**
   * A mixture-aware model of `included` phases, written under work/name; its scorer and its
   * held-out evaluation. With `unknown`, that phase is simulated too, never trained on, and the
   * evaluation ranks its patterns (pure and in mixtures) against the known test patterns.
   */
  const model = async (name: string, included: string[], unknown?: string): Promise<{ scorer: Scorer; evaluation: Evaluation; dir: string; config: Record<string, unknown> }> => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const cifs = [...included, ...(unknown ? [unknown] : [])].map((phase) => {
      const file = `${phases.indexOf(phase)}-${basename(definition.phases[phase])}`;
      copyFileSync(join(folder, definition.phases[phase]), join(dir, file));
      return phase === unknown ? { name: phase, cif: file, count: Math.round(scale.count / 5), role: 'unknown' } : { name: phase, cif: file, count: scale.count };
    });
    const config = {
      phases: cifs,
      mixtures: { role: 'known', pairs: 'known', pairCount: scale.pairCount, ternaries: 'known', ternaryCount: scale.ternaryCount },
      grid: definition.grid,
      radiation: definition.radiation,
      seed: 12,
      output: 'dataset.h5',
      training: benchTraining(options),
    };
    const configPath = join(dir, 'latent-xrd.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const started = performance.now();
    const { plan } = planWorkspaceConfig(readFileSync(configPath, 'utf8'), configPath, configPath);
    stage(`${name}: generating ${plan.total} patterns of ${cifs.length} phases`);
    await generateDataset(plan);
    const training = benchTraining(options);
    stage(`${name}: training (${training.epochs} epochs at most)`);
    const { members, evaluation } = await trainFromDataset(
      { datasetPath: plan.output, modelDir: join(dir, 'model'), training, backend: options.backend ?? 'wasm', baselines: false },
      { onEvent: (e) => e.kind === 'epoch' && e.epoch % 10 === 0 && stage(`${name}: epoch ${e.epoch}/${e.epochs}`) },
    );
    for (const m of members) {
      m.encoder.dispose();
      m.decoder.dispose();
    }
    totals.seconds += (performance.now() - started) / 1000;
    totals.models++;
    totals.patternsPerModel = Math.max(totals.patternsPerModel, plan.total);
    return { scorer: new Scorer(await loadModel(join(dir, 'model'))), evaluation, dir, config };
  };
  const dispose = () => {
    if (!options.workDir) rmSync(work, { recursive: true, force: true });
  };
  return { model, dispose, totals };
}

export async function benchMeasured(options: MeasuredBenchOptions): Promise<MeasuredBenchResult> {
  const definitionPath = resolve(options.definitionPath);
  const definition = readMeasuredBenchDefinition(definitionPath);
  const folder = dirname(definitionPath);
  const phases = Object.keys(definition.phases);
  const spectra = Object.entries(definition.spectra);
  // The decomposition needs no model: done first, its thresholds fixed beforehand (decomposition/presence.ts).
  // With the agents, each explainer's residual score is calibrated as `explain` calibrates it.
  const explainerOf = (included: string[]) =>
    options.agents
      ? calibratedExplainer(definition, folder, included, SCALES[options.scale].residualCalibration, options.workDir && resolve(options.workDir), options.onStage ?? (() => undefined))
      : definitionExplainer(definition, folder, included);
  const decomposition = decomposeBenchSpectra(explainerOf(phases), definition, folder);
  options.onStage?.('decomposed the spectra against all phases');
  const residualOf = (rows: readonly SpectrumDecomposition[]) => new Map(rows.map((r) => [r.file, r.residualScore]));
  const agentsP = (r: SpectrumResult, residual: Map<string, number | undefined>) => {
    const p = residual.get(r.file);
    return p === undefined || r.pValue === undefined ? undefined : combinedPValue(r.pValue, p);
  };
  const train = measuredBenchTrainer({ ...options, definitionPath }, definition);
  const trainModel = train.model;

  const scoreAll = (scorer: Scorer): SpectrumResult[] =>
    spectra.map(([file, held]) => {
      try {
        const { score } = scorer.scoreMeasured(readPatternFile(join(folder, file), file));
        return { file, phases: held, verdict: score.verdict, pValue: score.pValue, pValueError: score.pValueError, pValueLines: score.pValueLines, bceExcess: score.bceExcess, nearestPhase: score.nearestPhase };
      } catch (e) {
        return { file, phases: held, error: (e as Error).message };
      }
    });

  try {
    const all = (await trainModel('all-phases', phases)).scorer;
    // Timed on a second pass: the first warms the kernels, as a watch folder's steady state would be.
    scoreAll(all);
    const t0 = performance.now();
    const results = scoreAll(all);
    const secondsPerSpectrum = (performance.now() - t0) / 1000 / spectra.length;
    const scoredKnown = results.filter((r) => r.phases.length > 0);
    const falsePositiveRateKnown = scoredKnown.filter((r) => r.verdict === 'novel').length / scoredKnown.length;
    const phaseIdAccuracy = scoredKnown.filter((r) => r.nearestPhase !== undefined && r.phases.includes(r.nearestPhase)).length / scoredKnown.length;
    const foreign = results.filter((r) => r.phases.length === 0);
    const allResiduals = residualOf(decomposition);
    const novelByAgents = (r: SpectrumResult) => (agentsP(r, allResiduals) ?? 1) < all.model.manifest.calibration.pThreshold;

    const heldOut: HeldOutPhaseResult[] = [];
    for (const phase of phases) {
      const included = phases.filter((p) => p !== phase);
      const { scorer } = await trainModel(`without-${phases.indexOf(phase)}`, included);
      const scored = scoreAll(scorer).filter((r) => r.phases.length > 0 && r.bceExcess !== undefined);
      const holding = scored.filter((r) => r.phases.includes(phase));
      const without = scored.filter((r) => !r.phases.includes(phase));
      const ranked = (by: (r: SpectrumResult) => number) => (holding.length && without.length ? auroc(holding.map(by), without.map(by)) : undefined);
      // The second agent only where it is asked for and there is something to rank.
      const residuals = options.agents && holding.length && without.length ? residualOf(decomposeBenchSpectra(explainerOf(included), definition, folder)) : undefined;
      heldOut.push({
        phase,
        auroc: ranked((r) => -Math.log(r.pValue!)),
        aurocByError: ranked((r) => r.bceExcess!),
        ...(residuals
          ? {
              aurocByResidual: ranked((r) => -Math.log(residuals.get(r.file) ?? NaN)),
              aurocAgents: ranked((r) => -Math.log(agentsP(r, residuals) ?? NaN)),
            }
          : {}),
        positives: holding.length,
        negatives: without.length,
        novelHolding: holding.filter((r) => r.verdict === 'novel').length,
        novelWithout: without.filter((r) => r.verdict === 'novel').length,
      });
    }
    const measured = heldOut.filter((h) => h.auroc !== undefined);
    return {
      benchmark: 'measured',
      scale: options.scale,
      definition: definitionPath,
      falsePositiveRateKnown,
      aurocHeldOutPhase: measured.reduce((s, h) => s + h.auroc!, 0) / measured.length,
      aurocHeldOutPhaseByError: measured.reduce((s, h) => s + h.aurocByError!, 0) / measured.length,
      ...(options.agents
        ? {
            aurocHeldOutPhaseByResidual: measured.reduce((s, h) => s + h.aurocByResidual!, 0) / measured.length,
            aurocHeldOutPhaseAgents: measured.reduce((s, h) => s + h.aurocAgents!, 0) / measured.length,
            falsePositiveRateKnownAgents: scoredKnown.filter(novelByAgents).length / scoredKnown.length,
          }
        : {}),
      phaseIdAccuracy,
      phaseSetAccuracy: phaseSetAccuracy(decomposition).accuracy,
      foreignNovel: `${foreign.filter((r) => r.verdict === 'novel').length}/${foreign.length}`,
      secondsPerSpectrum,
      secondsPerModel: train.totals.seconds / train.totals.models,
      patternsPerModel: train.totals.patternsPerModel,
      spectra: results,
      heldOut,
      decomposition,
      settings: { ...SCALES[options.scale], radiation: definition.radiation, grid: definition.grid, training: benchTraining(options) },
    };
  } finally {
    train.dispose();
  }
}

export interface SelectionBenchResult {
  benchmark: 'measured-selection';
  scale: 'quick' | 'full';
  definition: string;
  /** Mean over the left-out phases of the synthetic AUROC below (the figure settings are chosen on). */
  syntheticAurocHeldOutPhase: number;
  folds: {
    phase: string;
    auroc: number;
    knnAccuracy: number;
    statistics: Record<SelectionSet, Record<SelectionStatistic, StatisticMeasures>>;
    agents?: Record<SelectionSet, Record<AgentStatistic, StatisticMeasures> & { patterns: number }>;
  }[];
  /**
   * Each candidate novelty statistic (selection-statistics.ts), mean over the folds, on patterns
   * drawn as trained and from the widened generator, scored as measured files are.
   */
  statistics: Record<SelectionSet, Record<SelectionStatistic, StatisticMeasures>>;
  /** With `agents`: the agent statistics, mean over the folds, and the one the rule picks. */
  agents?: Record<SelectionSet, Record<AgentStatistic, StatisticMeasures>> & { chosen: AgentStatistic };
  settings: Record<string, unknown>;
}

type SelectionSet = 'asTrained' | 'widened';

/** The verdict threshold the selection run's rates are read at (the product's default). */
const SELECTION_THRESHOLD = 0.01;

/** Every row on the model's grid scored the way a measured file is (prepared as recorded, unexplained peaks looked for). */
function scoreRowsAsFiles(scorer: Scorer, patterns: Float32Array): ScoredForSelection[] {
  return scoreGridRowsAsFiles(scorer, patterns).map((r, row, all) => {
    if (!r.score) throw new Error(`selection pattern ${row + 1} of ${all.length} could not be scored: ${r.error}`);
    return { bceExcess: r.score.bceExcess, lines: unexplainedLineSum(r.score.unexplainedPeaks) };
  });
}

/**
 * The selection run: the same models as the measured run's left-out folds, judged on synthetic
 * patterns only — each left-out phase simulated (pure and in mixtures) and ranked against the
 * known held-out test patterns, pure and mixtures. No measured spectrum is read, so settings
 * chosen on this figure are not chosen on the spectra that judge them.
 *
 * Besides, each fold draws two selection sets of its phases with the left-out one (a fifth of
 * the training counts, another seed): one as trained, one from the widened generator, and
 * compares the candidate novelty statistics on both (selection-statistics.ts), every pattern
 * scored as a measured file would be and calibrated on the model's own calibration patterns.
 */
export async function benchMeasuredSelection(options: MeasuredBenchOptions): Promise<SelectionBenchResult> {
  const definitionPath = resolve(options.definitionPath);
  const definition = readMeasuredBenchDefinition(definitionPath);
  const phases = Object.keys(definition.phases);
  const folds: SelectionBenchResult['folds'] = [];
  const train = measuredBenchTrainer({ ...options, definitionPath }, definition);
  const stage = options.onStage ?? (() => undefined);
  try {
    for (const phase of phases) {
      const name = `selection-without-${phases.indexOf(phase)}`;
      const { evaluation, scorer, dir, config } = await train.model(name, phases.filter((p) => p !== phase), phase);
      const { grid } = scorer.model.manifest;
      const calibrationPatterns = scorer.model.calibrationPatterns;
      if (!calibrationPatterns) throw new Error(`${name}: the model kept no calibration patterns`);
      const calibration = scoreRowsAsFiles(scorer, calibrationPatterns);
      const statistics = {} as Record<SelectionSet, Record<SelectionStatistic, StatisticMeasures>>;
      let explainer: Explainer | undefined;
      if (options.agents) {
        const included = phases.filter((p) => p !== phase);
        explainer = calibratedExplainer(definition, dirname(definitionPath), included, SCALES[options.scale].residualCalibration, options.workDir && resolve(options.workDir), stage);
      }
      const agents = {} as NonNullable<SelectionBenchResult['folds'][number]['agents']>;
      for (const set of ['asTrained', 'widened'] as const) {
        stage(`${name}: selection set ${set}`);
        const dataset = await selectionDataset(dir, config, set, phases.indexOf(phase));
        const unknownColumn = dataset.phaseNames.indexOf(phase);
        if (dataset.points !== grid.points) throw new Error(`${name}: the selection set is not on the model's grid`);
        const scored = scoreRowsAsFiles(scorer, dataset.patterns);
        const positive = Array.from({ length: dataset.count }, (_, r) => dataset.fractions[r * dataset.phaseNames.length + unknownColumn] > 0);
        const pValues = selectionPValues(calibration, scored);
        statistics[set] = statisticMeasures(pValues, positive, SELECTION_THRESHOLD);
        if (explainer) {
          const sample = evenClassSample(positive, SCALES[options.scale].agentSamplePerClass);
          stage(`${name}: decomposing ${sample.length} patterns of selection set ${set}`);
          const residual = residualPValues(explainer, dataset.patterns, grid, sample);
          const measures = statisticMeasures(agentPValues(Array.from(sample, (r) => pValues.bceOrLines[r]), residual), Array.from(sample, (r) => positive[r]), SELECTION_THRESHOLD);
          agents[set] = { ...measures, patterns: sample.length };
        }
      }
      folds.push({
        phase,
        auroc: evaluation.mixtureAware?.aurocUnknownAgainstKnown ?? evaluation.vae.aurocUnknown,
        knnAccuracy: evaluation.classification.knnAccuracy,
        statistics,
        ...(explainer ? { agents } : {}),
      });
    }
  } finally {
    train.dispose();
  }
  const meanOver = <S extends string>(candidates: readonly S[], of: (fold: SelectionBenchResult['folds'][number]) => Record<S, StatisticMeasures>) =>
    Object.fromEntries(
      candidates.map((s) => {
        const mean = (key: keyof StatisticMeasures) => folds.reduce((sum, f) => sum + of(f)[s][key], 0) / folds.length;
        return [s, { auroc: mean('auroc'), falsePositiveRate: mean('falsePositiveRate'), truePositiveRate: mean('truePositiveRate') }];
      }),
    ) as Record<S, StatisticMeasures>;
  const statisticsOf = (set: SelectionSet) => meanOver(SELECTION_STATISTICS, (f) => f.statistics[set]);
  const agentsOf = (set: SelectionSet) => meanOver(AGENT_STATISTICS, (f) => f.agents![set]);
  const agentMeans = options.agents ? { asTrained: agentsOf('asTrained'), widened: agentsOf('widened') } : undefined;
  return {
    benchmark: 'measured-selection',
    scale: options.scale,
    definition: definitionPath,
    syntheticAurocHeldOutPhase: folds.reduce((sum, f) => sum + f.auroc, 0) / folds.length,
    folds,
    statistics: { asTrained: statisticsOf('asTrained'), widened: statisticsOf('widened') },
    ...(agentMeans ? { agents: { ...agentMeans, chosen: chosenByRule(agentMeans, AGENT_STATISTICS) } } : {}),
    settings: {
      ...SCALES[options.scale],
      training: benchTraining(options),
      widening: WIDENING,
      threshold: SELECTION_THRESHOLD,
    },
  };
}

/**
 * The explainer of `included` with its residual score calibrated on `count` generator patterns.
 * In a kept work folder the calibration is stored by its candidates, grid, count and seed, so that
 * the selection run and the measured run, which fit the same left-out folds' phases, fit its
 * ~100 patterns once between them: the same candidates and seed draw and fit the same patterns.
 */
function calibratedExplainer(definition: MeasuredBenchDefinition, folder: string, included: string[], count: number, workDir: string | undefined, stage: (m: string) => void): Explainer {
  const explainer = definitionExplainer(definition, folder, included);
  const key = JSON.stringify({ phases: included.map((p) => [p, definition.phases[p]]), grid: definition.grid, radiation: definition.radiation, count, seed: CALIBRATION_SEED });
  const stored = workDir && join(workDir, 'residual-calibrations', `${included.map((p) => Object.keys(definition.phases).indexOf(p)).join('-')}-${count}.json`);
  if (stored && existsSync(stored)) {
    const kept = JSON.parse(readFileSync(stored, 'utf8')) as { key: string; calibration: ResidualCalibration };
    if (kept.key === key) {
      explainer.calibration = kept.calibration;
      return explainer;
    }
  }
  stage(`calibrating the decomposition's residual score for ${included.length} phases on ${count} generator patterns`);
  explainer.calibration = calibrateResidual(explainer, count);
  if (stored) writeFileAtomic(stored, JSON.stringify({ key, calibration: explainer.calibration }), (path) => (/^\{"key":/.test(readFileSync(path, 'utf8').slice(0, 8)) ? undefined : 'it is not a stored residual calibration'));
  return explainer;
}

/** The decomposition's residual p-value of the chosen rows, each explained as the measured file holding it would be. */
function residualPValues(explainer: Explainer, patterns: Float32Array, grid: { min: number; max: number; points: number }, rows: Int32Array): Float64Array {
  const twoTheta = Float64Array.from(gridValues(grid));
  return Float64Array.from(rows, (row) => {
    const intensity = Float64Array.from(patterns.subarray(row * grid.points, (row + 1) * grid.points));
    const { residualScore } = explainer.explainMeasured({ twoTheta, intensity });
    if (residualScore === undefined || !Number.isFinite(residualScore)) throw new Error(`selection pattern ${row + 1}: the decomposition gave no residual p-value (${residualScore})`);
    return residualScore;
  });
}

/** A fold's selection set: its phases and the left-out one at a fifth of the training counts, another seed, as trained or widened. */
async function selectionDataset(dir: string, config: Record<string, unknown>, set: SelectionSet, seedOffset: number) {
  const fifth = (n: number) => Math.max(2, Math.round(n / 5));
  const phasesOf = config.phases as { count: number }[];
  const mixtures = config.mixtures as { pairCount: number; ternaryCount: number };
  const selection = {
    ...config,
    phases: phasesOf.map((p) => ({ ...p, count: fifth(p.count) })),
    mixtures: { ...mixtures, pairCount: fifth(mixtures.pairCount), ternaryCount: fifth(mixtures.ternaryCount) },
    seed: 1000 + seedOffset,
    output: `selection-${set}.h5`,
    ...(set === 'widened' ? { augmentation: widenedAugmentation(configAugmentation(config as Pick<SynthConfig, 'augmentation' | 'instrument'>)) } : {}),
  };
  const path = join(dir, `selection-${set}.json`);
  writeFileSync(path, JSON.stringify(selection, null, 2));
  const { plan } = planWorkspaceConfig(readFileSync(path, 'utf8'), path, path);
  await generateDataset(plan);
  return readDataset(plan.output);
}
