// What training from a latent-xrd.json is, before any thread starts: the training section with
// its defaults and the caller's overrides, the model folder checked, a conditional VAE's phases
// checked for compositions — and, once the dataset exists, a cVAE's composition for every row.
// `latent-xrd train` and the extension's Train Model both plan here and run the plan with
// src/worker/run-training.ts, so the same config is trained the same way from either.
import { existsSync } from 'node:fs';
import { UserError } from '../diagnostics';
import { DEFAULT_TRAINING_CONFIG, QUICK_TRAINING, type TrainingConfig } from './training-config';
import { DEFAULT_BACKEND, type BackendPreference } from './backend-preference';
import { checkModelTarget } from './model-folder';
import type { TrainRequest } from './pipeline';
import type { SynthConfig } from '../synth/config';
import { pathInConfigFolder } from '../synth/config-paths';
import { readDataset, type DatasetPlan } from '../synth/dataset';
import { compositionsForRows, phaseMapFromPlan } from '../synth/phase-map';
import { Random } from '../util/random';

/** A validated and planned latent-xrd.json (planWorkspaceConfig's result). */
export interface LoadedConfig {
  config: SynthConfig;
  plan: DatasetPlan;
  configDir: string;
}

/** What a caller may change of the config's training section, and how it runs. */
export interface TrainingRunOptions {
  /** The config file's full path (recorded in the model's manifest). */
  configPath: string;
  /** The config as the user knows it (their path, the workspace-relative one): errors name it. */
  shownPath: string;
  /** `--quick`: QUICK_TRAINING over the config's section. */
  quick?: boolean;
  /** `--epochs`, the command's argument: replaces training.epochs. */
  epochs?: number;
  /** A model folder the user named (on the command line): used as given, not kept inside the config's folder. */
  modelDir?: string;
  /** Generate the dataset even when it exists (`--regenerate`). */
  regenerate?: boolean;
  backend?: BackendPreference;
  /**
   * Threads that share each batch's gradients (data-parallel.ts); absent: one. Not every core by
   * default: two threads have not yet been measured faster than one on a 2-core machine.
   */
  threads?: number;
}

/** A training run, planned: everything the worker is given, and whether the dataset is drawn first. */
export interface TrainingRunPlan {
  dataset: DatasetPlan;
  training: TrainingConfig;
  modelDir: string;
  backend: BackendPreference;
  configPath: string;
  shownPath: string;
  /** The dataset is (re)generated before training: asked for, or missing. */
  generate: 'regenerate' | 'missing' | false;
  /** training.compositionElements is set: a conditional VAE, each dataset row given a composition. */
  conditional: boolean;
  threads?: number;
}

/** The config's training section over the defaults, with `--quick` and `--epochs` on top. */
export function trainingSettings(section: Partial<TrainingConfig> | undefined, options: Pick<TrainingRunOptions, 'quick' | 'epochs'> = {}): TrainingConfig {
  const training: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, ...section, ...(options.quick ? QUICK_TRAINING : {}) };
  if (options.epochs) training.epochs = options.epochs;
  return training;
}

/**
 * Plans a run; refuses at once (not after an hour of training) a model folder Latent XRD did not
 * write, and a cVAE whose phases do not all say where they lie on the composition simplex.
 */
export function planTrainingRun(loaded: LoadedConfig, options: TrainingRunOptions): TrainingRunPlan {
  const { config, plan, configDir } = loaded;
  const training = trainingSettings(config.training, options);
  const modelDir = checkModelTarget(options.modelDir ?? pathInConfigFolder(configDir, training.model, 'training.model'));
  const conditional = training.compositionElements.length > 0;
  if (conditional) {
    const without = plan.phases.filter((p) => !p.composition).map((p) => p.name);
    if (without.length) throw new UserError(`${options.shownPath}: training.compositionElements asks for a conditional VAE, so every phase needs a "composition" (the centre of its region); missing for ${without.join(', ')}`);
  }
  return {
    dataset: plan,
    training,
    modelDir,
    backend: options.backend ?? DEFAULT_BACKEND,
    configPath: options.configPath,
    shownPath: options.shownPath,
    generate: options.regenerate ? 'regenerate' : existsSync(plan.output) ? false : 'missing',
    conditional,
    ...(options.threads ? { threads: options.threads } : {}),
  };
}

/** What the training worker is asked, once the dataset exists (a cVAE's compositions read from it). */
export async function trainingRequest(run: TrainingRunPlan): Promise<TrainRequest> {
  const compositions = run.conditional ? await datasetCompositions(run.dataset, run.training) : undefined;
  return { datasetPath: run.dataset.output, modelDir: run.modelDir, training: run.training, backend: run.backend, configPath: run.configPath, ...(run.threads ? { threads: run.threads } : {}), ...(compositions ? { compositions } : {}) };
}

/** A cVAE's composition input for every dataset row, from the config's phase map (synth/phase-map.ts). */
export async function datasetCompositions(plan: DatasetPlan, training: TrainingConfig): Promise<Float32Array> {
  const dataset = await readDataset(plan.output);
  if (dataset.phaseNames.join('\n') !== plan.phases.map((p) => p.name).join('\n')) {
    throw new UserError(`${plan.output}: made from other phases (${dataset.phaseNames.join(', ')}) than the config names; delete it to have it generated again (or run latent-xrd train --regenerate)`);
  }
  const map = phaseMapFromPlan(plan.phases, training.compositionElements);
  return compositionsForRows(map, dataset.fractions, dataset.phaseNames.length, new Random(training.seed + 7919));
}
