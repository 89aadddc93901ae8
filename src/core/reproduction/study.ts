// `latent-xrd reproduce` as a study: the paper's data (with the hard unknowns) generated once, the
// two models of protocol.ts trained over every seed (each with the Co–Ni–Cr–Re composition
// experiment, an ensemble of cVAEs), and every measurement gathered per run; summary.ts turns the
// runs into the report. The caller (the CLI) supplies how
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
import { gather, type Evaluation, type TrainRequest } from '../model/pipeline';
import type { ModelManifest } from '../model/manifest';
import { median } from '../analysis/metrics';
import { violinStats } from '../analysis/evaluate';
import { unknownPhaseTask } from '../analysis/novelty-tasks';
import { runCompositionExperiment } from '../analysis/composition-experiment';
import { REPORT_DATA, REPORT_DATASETS, reportModelFolders } from '../report/paper-report';
import { STUDY_MODELS, HARD_UNKNOWNS, assertDisjoint, asPublishedLossWeight, studyScale, studySeeds, type ModelKey, type StudyScale } from './protocol';
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
  /** examples/co-ni-cr-re: the composition experiment's 21 structures. */
  compositionStructures: string;
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
  /** Of σ-FeCr, the paper's unknown (as the two ratios and aurocUnknown; the hard unknowns are in hardUnknowns). */
  meanErrorUnknown: number;
  meanErrorMixtures: number;
  meanErrorRatioUnknownToKnown: number;
  medianErrorRatioUnknownToKnown: number;
  aurocUnknown: number;
  aurocMixtures: number;
  /** The same AUROCs scored by the plain BCE (the paper's error) instead of the excess BCE. */
  aurocUnknownPlainBce: number;
  aurocMixturesPlainBce: number;
  /** The Co–Ni–Cr–Re composition experiment's mismatch AUROC (ensemble-mean BCE). */
  aurocCompositionMismatch: number;
  /** The rest of the composition experiment (runCompositionExperiment). */
  composition: {
    gnbAccuracyLatent: number;
    gnbAccuracyLatentAndComposition: number;
    gnbAccuracyCompositionOnly: number;
    meanErrorMatched: number;
    meanErrorMismatched: number;
    members: number;
    structures: number;
    spaceGroups: number;
    counts: { train: number; selection: number; test: number };
    epochsRun: number[];
    seconds: number;
  };
  mixtureCurves: PaperMixtureCurve[];
  /** The same curves of the excess BCE (the novelty score): where its maximum lies, beside the paper's measure's. */
  mixtureCurvesExcess: PaperMixtureCurve[];
  /** Per task (NOVELTY_TASKS), per method (the VAE's errors and every baseline the pipeline measured): AUROC. */
  novelty: Record<string, Record<string, number>>;
  /** Per hard unknown phase, per method: AUROC of its pure patterns against the known test patterns. */
  hardUnknowns: Record<string, Record<string, number>>;
  baselineNotes: Record<string, string>;
  /** What the baselines' selection chose in this run (on the selection set). */
  baselineChoice?: { pcaComponents: Record<string, number>; pcaKnn: { components: number; k: number }; softmaxValidationAccuracy: number; softmaxTestAccuracy: number };
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
  /** The paper's unknown phase (σ-FeCr, the demo config's unknown) and the hard unknowns. */
  paperUnknown: string;
  hardUnknowns: string[];
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
  const [paperFile] = REPORT_DATASETS;
  const demoUnknowns = base.phases.filter((p) => p.role === 'unknown');
  if (demoUnknowns.length !== 1 || !demoUnknowns[0].name) throw new Error("the paper demo's config names one unknown phase (σ-FeCr)");
  const paperUnknown = demoUnknowns[0].name;

  // The paper's data with the hard unknowns, generated once: every seed and both models see the
  // same patterns (a seed changes the split, the initial weights and every draw of training).
  const paperPlan = plan(
    {
      ...base,
      phases: [
        ...base.phases.map((p) => ({ ...p, count: p.role === 'unknown' ? scale.unknown : scale.perPhase })),
        ...HARD_UNKNOWNS.map((u) => ({ name: u.name, cif: u.cif, count: scale.unknown, role: 'unknown' as const })),
      ],
      mixtures: { pairs: 'known', fractions: scale.fractions, countPerFraction: scale.perFraction },
    },
    options.examples,
    join(dataDir, paperFile),
  );
  asPublishedLossWeight(paperPlan.grid.points);
  deps.log(`generating the paper's dataset with the hard unknowns: ${paperPlan.total} patterns`);
  await deps.generate(paperPlan);
  const paperData = await readDataset(paperPlan.output);
  const phases = paperData.phaseNames.length;
  const sigmaLabel = paperData.phaseNames.indexOf(paperUnknown);
  const hardUnknowns = HARD_UNKNOWNS.map((u) => u.name);
  for (const name of [paperUnknown, ...hardUnknowns]) if (!paperData.phaseNames.includes(name)) throw new Error(`the study's dataset has no phase ${name}`);

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
        const training: TrainingConfig = { ...model.training(demoTraining), epochs: scale.epochs, seed, model: vaeDir };
        trainingOf[model.key] ??= training;
        deps.log(`${model.title}, seed ${seed} of ${seeds.length}: training the VAE (${training.epochs} epochs at most, latent ${training.latent}, β ${training.beta}, KL warm-up ${training.klWarmupEpochs})`);
        const vae = await deps.train({ datasetPath: paperPlan.output, modelDir: vaeDir, training, backend: options.backend, baselines: true });
        backend = vae.backend;
        knownPhases = vae.manifest.phases;
        const e = vae.evaluation;
        const g = e.groups;
        assertDisjoint({ train: g.train.rows, selection: g.validation.rows, calibration: g.calibration.rows, test: g.test.rows, unknown: g.unknown.rows, mixtures: g.mixtures.rows });

        // The paper's composition experiment (Co–Ni–Cr–Re, 21 structures, an ensemble of cVAEs)
        // with this model's encoder and decoder sizes. β = 1 for the cVAEs whatever the VAE's: the
        // composition input already says where in the system the pattern is, and a full KL price on
        // z is what moves that knowledge out of z into the composition channel.
        deps.log(`${model.title}, seed ${seed}: the Co–Ni–Cr–Re composition experiment (${scale.compositionMembers} cVAEs)`);
        await initBackend(options.backend);
        const c = await runCompositionExperiment({
          structuresDir: options.compositionStructures,
          perStructure: scale.compositionPerStructure,
          members: scale.compositionMembers,
          epochs: scale.compositionEpochs,
          seed: (base.seed ?? 2021) + seed,
          latent: training.latent,
          hidden: training.hidden,
          beta: 1,
          batchSize: training.batchSize,
          learningRate: training.learningRate,
          patience: training.patience,
          points: paperPlan.grid.points,
          onProgress: (m) => deps.log(`  ${m}`),
        });

        // Every method on every task, from the pipeline's novelty table: σ-FeCr alone (the
        // paper's unknown), the mixtures, and each hard unknown.
        const table = e.noveltyTasks.tasks;
        const aurocs = (task: string) => {
          if (!table[task]) throw new Error(`the pipeline scored no task ${task}`);
          return { ...table[task].auroc };
        };
        const novelty: Record<string, Record<string, number>> = { unknownPhase: aurocs(unknownPhaseTask(paperUnknown)), mixtures: aurocs('mixtures') };
        const hard = Object.fromEntries(hardUnknowns.map((name) => [name, aurocs(unknownPhaseTask(name))]));
        // σ-FeCr's rows of the unknown group: the paper's unknown, for its error measures.
        const sigma = (a: Float32Array) => Float32Array.from(a.filter((_, i) => paperData.labels[g.unknown.rows[i]] === sigmaLabel));
        const sigmaBce = sigma(g.unknown.bce);
        const sigmaExcess = sigma(g.unknown.bceExcess);

        const members = vae.manifest.training.members as { seconds: number; bestEpoch: number; history: unknown[] }[];
        const mixtureFractions = gather(paperData.fractions, phases, g.mixtures.rows);
        // The paper's error: the mean per-point BCE as trained (pipeline's evaluation), σ-FeCr's.
        const meanErrorKnown = e.meanErrorKnown;
        const meanErrorUnknown = mean(sigmaBce);
        runs[model.key].push({
          seed,
          knnAccuracy: e.classification.knnAccuracy,
          gnbAccuracy: e.classification.gnbAccuracy,
          knnConfusion: e.classification.knnConfusion,
          meanErrorKnown,
          meanErrorUnknown,
          meanErrorMixtures: mean(g.mixtures.bce),
          meanErrorRatioUnknownToKnown: meanErrorUnknown / meanErrorKnown,
          medianErrorRatioUnknownToKnown: median(sigmaExcess) / median(g.test.bceExcess),
          aurocUnknown: novelty.unknownPhase.vae,
          aurocMixtures: novelty.mixtures.vae,
          aurocUnknownPlainBce: novelty.unknownPhase.vaeBce,
          aurocMixturesPlainBce: novelty.mixtures.vaeBce,
          aurocCompositionMismatch: c.aurocCompositionMismatch,
          composition: {
            gnbAccuracyLatent: c.gnbAccuracyLatent,
            gnbAccuracyLatentAndComposition: c.gnbAccuracyLatentAndComposition,
            gnbAccuracyCompositionOnly: c.gnbAccuracyCompositionOnly,
            meanErrorMatched: c.meanErrorMatched,
            meanErrorMismatched: c.meanErrorMismatched,
            members: c.members,
            structures: c.structures.length,
            spaceGroups: c.spaceGroups.length,
            counts: c.counts,
            epochsRun: c.epochsRun,
            seconds: c.seconds,
          },
          mixtureCurves: paperMixtureCurves(mixtureFractions, phases, paperData.phaseNames, g.mixtures.bce),
          mixtureCurvesExcess: paperMixtureCurves(mixtureFractions, phases, paperData.phaseNames, g.mixtures.bceExcess),
          novelty,
          hardUnknowns: hard,
          baselineNotes: Object.fromEntries(Object.entries(e.baselines ?? {}).map(([name, b]) => [name, b.note])),
          ...(e.baselineSelection
            ? {
                baselineChoice: {
                  pcaComponents: Object.fromEntries(Object.entries(e.baselineSelection.pca).map(([m, v]) => [m, v.components])),
                  pcaKnn: { components: e.baselineSelection.pcaKnnDistance.components, k: e.baselineSelection.pcaKnnDistance.k },
                  softmaxValidationAccuracy: e.baselineSelection.softmaxConfidence.validationAccuracy,
                  softmaxTestAccuracy: e.baselineSelection.softmaxTestAccuracy,
                },
              }
            : {}),
          epochsRun: members[0].history.length,
          bestEpoch: members[0].bestEpoch,
          trainingSeconds: members.reduce((a, m) => a + m.seconds, 0),
          counts: vae.manifest.training.counts as Record<string, number>,
        });
        // The figures' violins show σ-FeCr as "unknown", the paper's Fig. 3a (the hard unknowns
        // are in the latent maps, each under its name).
        if (first) figures[model.key] = { ...e, violins: violinStats({ pure: g.test.bceExcess, mixtures: g.mixtures.bceExcess, unknown: sigmaExcess }) };
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { scale, seeds, backend, phaseNames: paperData.phaseNames, knownPhases, paperUnknown, hardUnknowns, plan: paperPlan, runs, figures, training: trainingOf };
}
