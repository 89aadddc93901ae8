// `latent-xrd reproduce` as a study: the paper's data generated once, the two models of
// protocol.ts trained over every seed (each with its conditional VAE), and every measurement
// gathered per run; summary.ts turns the runs into the report. The caller (the CLI) supplies how
// a dataset is generated and a model trained (worker threads, progress), and prints the result.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { UserError } from '../diagnostics';
import { validateConfig, type SynthConfig } from '../synth/config';
import { planDataset, readDataset, type DatasetPlan } from '../synth/dataset';
import type { TrainingConfig } from '../model/training-config';
import type { BackendPreference } from '../model/backend';
import { initBackend } from '../model/backend';
import { loadModel } from '../model/store';
import { encodeAndReconstruct } from '../model/vae';
import { gather, type Evaluation, type TrainRequest } from '../model/pipeline';
import type { ModelManifest } from '../model/manifest';
import { auroc } from '../analysis/metrics';
import { COMPOSITION_ELEMENTS, compositionsForLabels, mismatchedCompositions } from '../analysis/composition-task';
import { REPORT_DATA, REPORT_DATASETS, reportModelFolders } from '../report/paper-report';
import { STUDY_MODELS, NOVELTY_TASKS, VAE_METHOD, assertDisjoint, asPublishedLossWeight, studyScale, studySeeds, type ModelKey, type StudyScale } from './protocol';
import { paperMixtureCurves, type PaperMixtureCurve } from './mixture-curves';

export interface StudyDeps {
  /** Writes the dataset a plan describes. */
  generate(plan: DatasetPlan): Promise<void>;
  /** Trains and evaluates a model (the pipeline, e.g. in a worker) and writes its folder. */
  train(request: TrainRequest): Promise<{ manifest: ModelManifest; evaluation: Evaluation; backend: string }>;
  /** A progress line. */
  log(message: string): void;
}

export interface StudyOptions {
  /** The report folder (already claimed). */
  out: string;
  /** examples/paper-demo. */
  examples: string;
  quick: boolean;
  seeds: number;
  backend: BackendPreference;
}

/** Everything one run (one model, one seed) measured. */
export interface RunMeasures {
  seed: number;
  knnAccuracy: number;
  gnbAccuracy: number;
  knnConfusion: number[][];
  meanErrorKnown: number;
  meanErrorUnknown: number;
  meanErrorMixtures: number;
  meanErrorRatioUnknownToKnown: number;
  medianErrorRatioUnknownToKnown: number;
  aurocUnknown: number;
  aurocMixtures: number;
  /** The same AUROCs scored by the plain BCE (the paper's error) instead of the excess BCE. */
  aurocUnknownPlainBce: number;
  aurocMixturesPlainBce: number;
  aurocCompositionMismatch: number;
  mixtureCurves: PaperMixtureCurve[];
  /** The same curves of the excess BCE (the novelty score): where its maximum lies, beside the paper's measure's. */
  mixtureCurvesExcess: PaperMixtureCurve[];
  /** Per task, per method (the VAE and every baseline the pipeline measured): AUROC. */
  novelty: Record<string, Record<string, number>>;
  baselineNotes: Record<string, string>;
  epochsRun: number;
  bestEpoch: number;
  trainingSeconds: number;
  counts: Record<string, number>;
}

export interface StudyRuns {
  scale: StudyScale;
  seeds: number[];
  backend: string;
  phaseNames: string[];
  knownPhases: string[];
  plan: DatasetPlan;
  runs: Record<ModelKey, RunMeasures[]>;
  /** The first seed's evaluation of each model: its figures. */
  figures: Record<ModelKey, Evaluation>;
  training: Record<ModelKey, TrainingConfig>;
}

export function readDemoConfig(path: string): SynthConfig {
  if (!existsSync(path)) throw new UserError(`${path}: the paper demo's config is missing from this installation`);
  const validated = validateConfig(readFileSync(path, 'utf8'));
  if (!validated.config) throw new UserError(`${path}: the paper demo's config has errors`, validated.diagnostics, path);
  return validated.config;
}

function plan(config: SynthConfig, dir: string, output: string): DatasetPlan {
  const { plan, diagnostics } = planDataset(config, dir, output);
  if (!plan) throw new UserError('cannot plan the dataset', diagnostics);
  return plan;
}

const mean = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
};

export async function runStudy(deps: StudyDeps, options: StudyOptions): Promise<StudyRuns> {
  const base = readDemoConfig(join(options.examples, 'latent-xrd.json'));
  const demoTraining = base.training ?? {};
  const scale = studyScale(options.quick, STUDY_MODELS[0].training(demoTraining).epochs);
  const seeds = studySeeds(options.seeds);
  const dataDir = join(options.out, REPORT_DATA);
  const [paperFile, compositionFile] = REPORT_DATASETS;

  // The paper's data, generated once: every seed and both models see the same patterns (a seed
  // changes the split, the initial weights and every draw of training).
  const paperPlan = plan(
    {
      ...base,
      phases: base.phases.map((p) => ({ ...p, count: p.role === 'unknown' ? scale.unknown : scale.perPhase })),
      mixtures: { pairs: 'known', fractions: scale.fractions, countPerFraction: scale.perFraction },
    },
    options.examples,
    join(dataDir, paperFile),
  );
  asPublishedLossWeight(paperPlan.grid.points);
  deps.log(`generating the paper's dataset: ${paperPlan.total} patterns`);
  await deps.generate(paperPlan);
  const compositionPlan = plan(
    {
      ...base,
      phases: base.phases.filter((p) => p.role !== 'unknown').map((p) => ({ ...p, count: scale.compositionPerPhase })),
      mixtures: undefined,
      seed: (base.seed ?? 1) + 1,
    },
    options.examples,
    join(dataDir, compositionFile),
  );
  deps.log(`generating the composition-spread dataset: ${compositionPlan.total} patterns`);
  await deps.generate(compositionPlan);
  const paperData = await readDataset(paperPlan.output);
  const phases = paperData.phaseNames.length;
  const compositionData = await readDataset(compositionPlan.output);

  const scratch = mkdtempSync(join(tmpdir(), 'latent-xrd-study-'));
  const runs = { asPublished: [], defaults: [] } as Record<ModelKey, RunMeasures[]>;
  const figures = {} as Record<ModelKey, Evaluation>;
  const trainingOf = {} as Record<ModelKey, TrainingConfig>;
  let backend = '';
  let knownPhases: string[] = [];
  try {
    for (const model of STUDY_MODELS) {
      const folders = reportModelFolders(model.filePrefix);
      for (const seed of seeds) {
        const first = seed === seeds[0];
        const vaeDir = first ? join(options.out, folders.vae) : join(scratch, `${model.key}-${seed}-vae`);
        const cvaeDir = first ? join(options.out, folders.cvae) : join(scratch, `${model.key}-${seed}-cvae`);
        const training: TrainingConfig = { ...model.training(demoTraining), epochs: scale.epochs, seed, model: vaeDir };
        trainingOf[model.key] ??= training;
        deps.log(`${model.title}, seed ${seed} of ${seeds.length}: training the VAE (${training.epochs} epochs at most, latent ${training.latent}, β ${training.beta}, KL warm-up ${training.klWarmupEpochs})`);
        const vae = await deps.train({ datasetPath: paperPlan.output, modelDir: vaeDir, training, backend: options.backend, baselines: true });
        backend = vae.backend;
        knownPhases = vae.manifest.phases;
        const e = vae.evaluation;
        const g = e.groups;
        assertDisjoint({ train: g.train.rows, selection: g.validation.rows, calibration: g.calibration.rows, test: g.test.rows, unknown: g.unknown.rows, mixtures: g.mixtures.rows });

        // The conditional VAE on the composition-spread task. β = 1 for the cVAE whatever the
        // VAE's: the composition input already says which phase it is, and a full KL price on z
        // is what moves that knowledge out of z into the composition channel.
        deps.log(`${model.title}, seed ${seed}: the conditional VAE on the composition-spread task`);
        const compositions = compositionsForLabels(compositionData.labels, 77 + 1000 * (seed - 1));
        const cvaeTraining: TrainingConfig = { ...training, beta: 1, epochs: scale.compositionEpochs, compositionElements: COMPOSITION_ELEMENTS, model: cvaeDir };
        const cvae = await deps.train({ datasetPath: compositionPlan.output, modelDir: cvaeDir, training: cvaeTraining, compositions, backend: options.backend, baselines: false });
        await initBackend(options.backend);
        const cvaeModel = await loadModel(cvaeDir);
        const testRows = cvae.evaluation.groups.test.rows;
        const testLabels = Int32Array.from(testRows, (r) => compositionData.labels[r]);
        const mismatched = encodeAndReconstruct(cvaeModel.members[0], gather(compositionData.patterns, compositionData.points, testRows), testRows.length, {
          compositions: mismatchedCompositions(testLabels, 78 + 1000 * (seed - 1)),
        }).bceExcess;
        for (const m of cvaeModel.members) m.dispose();

        const members = vae.manifest.training.members as { seconds: number; bestEpoch: number; history: unknown[] }[];
        const novelty: Record<string, Record<string, number>> = {};
        for (const task of NOVELTY_TASKS) {
          novelty[task.key] = { [VAE_METHOD]: e.vae[task.aurocKey] };
          for (const [name, b] of Object.entries(e.baselines ?? {})) novelty[task.key][name] = b[task.aurocKey];
        }
        const mixtureFractions = gather(paperData.fractions, phases, g.mixtures.rows);
        // The paper's error: the mean per-point BCE as trained (pipeline's evaluation).
        const { meanErrorKnown, meanErrorUnknown } = e;
        runs[model.key].push({
          seed,
          knnAccuracy: e.classification.knnAccuracy,
          gnbAccuracy: e.classification.gnbAccuracy,
          knnConfusion: e.classification.knnConfusion,
          meanErrorKnown,
          meanErrorUnknown,
          meanErrorMixtures: mean(g.mixtures.bce),
          meanErrorRatioUnknownToKnown: meanErrorUnknown / meanErrorKnown,
          medianErrorRatioUnknownToKnown: e.medianErrorRatioUnknownToKnown,
          aurocUnknown: e.vae.aurocUnknown,
          aurocMixtures: e.vae.aurocMixtures,
          aurocUnknownPlainBce: e.vaeBce.aurocUnknown,
          aurocMixturesPlainBce: e.vaeBce.aurocMixtures,
          aurocCompositionMismatch: auroc(mismatched, cvae.evaluation.groups.test.bceExcess),
          mixtureCurves: paperMixtureCurves(mixtureFractions, phases, paperData.phaseNames, g.mixtures.bce),
          mixtureCurvesExcess: paperMixtureCurves(mixtureFractions, phases, paperData.phaseNames, g.mixtures.bceExcess),
          novelty,
          baselineNotes: Object.fromEntries(Object.entries(e.baselines ?? {}).map(([name, b]) => [name, b.note])),
          epochsRun: members[0].history.length,
          bestEpoch: members[0].bestEpoch,
          trainingSeconds: members.reduce((a, m) => a + m.seconds, 0),
          counts: vae.manifest.training.counts as Record<string, number>,
        });
        if (first) figures[model.key] = e;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { scale, seeds, backend, phaseNames: paperData.phaseNames, knownPhases, plan: paperPlan, runs, figures, training: trainingOf };
}
