// The study `latent-xrd reproduce` runs: which models, on which data, at which scale, over which
// seeds, and the protocol that keeps the held-out sets held out.
//
// Protocol. The pipeline splits the known phases' pure patterns, per phase, into training (60 %),
// selection (the pipeline's "validation" set, 10 %: it picks the epoch whose weights are kept,
// the only choice a run makes), calibration (10 %: the novelty threshold, nothing else) and test
// (20 %). The unknown-phase patterns and the mixtures are never trained on and never used for a
// choice. The study itself tunes nothing: the models' settings are fixed below before it runs
// (the paper's, and Latent XRD's defaults as they stand), the mixture curve's maximum is the raw
// argmax of its per-fraction means (no smoothing width to pick), and every novelty metric is an
// AUROC (no threshold). The test, unknown and mixture measurements are read once, after all
// seeds are trained, to make the report. `assertDisjoint` checks every run's sets.
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../model/training-config';
import { PAPER_SPEC } from '../model/architecture';

export type ModelKey = 'asPublished' | 'defaults';

export interface StudyModel {
  key: ModelKey;
  title: string;
  /** What it is, in a sentence for the report. */
  description: string;
  /** Prefix of its figure files in the report folder ('' for the defaults, as before). */
  filePrefix: string;
  /** Its training settings, from the demo config's training section. */
  training(demo: Partial<TrainingConfig>): TrainingConfig;
}

/**
 * The paper's model: 2048 → 256 → 128 → 2-D latent, loss 2048·BCE + KL (β = 1, no KL
 * warm-up). Our loss is points × mean BCE + β·KL (vae.ts), so it is 2048·BCE + KL on the paper's
 * 2048-point grid (asPublishedLossWeight checks the grid). The paper gives no optimiser settings:
 * epochs, step size, schedule and patience are the demo config's, as for the defaults, so that
 * the two models differ only in the model and its loss.
 */
export const AS_PUBLISHED: StudyModel = {
  key: 'asPublished',
  title: 'as published',
  description: "the paper's model: 2-D latent, layers 256/128, loss 2048·BCE + KL (β = 1), no KL warm-up",
  filePrefix: 'as-published-',
  training: (demo) => ({
    ...DEFAULT_TRAINING_CONFIG,
    ...demo,
    latent: PAPER_SPEC.latent,
    hidden: [...PAPER_SPEC.hidden],
    beta: PAPER_SPEC.beta,
    klWarmupEpochs: 0,
    compositionElements: [],
  }),
};

/** Latent XRD's defaults: DEFAULT_TRAINING_CONFIG with examples/paper-demo's training section. */
export const DEFAULTS: StudyModel = {
  key: 'defaults',
  title: "Latent XRD's defaults",
  description: 'DEFAULT_TRAINING_CONFIG with the training section of examples/paper-demo/latent-xrd.json',
  filePrefix: '',
  training: (demo) => ({ ...DEFAULT_TRAINING_CONFIG, ...demo, compositionElements: [] }),
};

export const STUDY_MODELS: readonly StudyModel[] = [DEFAULTS, AS_PUBLISHED];

/** The weight of the BCE in the paper's loss. */
export const PAPER_BCE_WEIGHT = 2048;

/**
 * The as-published loss is 2048·BCE + KL only on a 2048-point grid (ours weighs the mean BCE by
 * the grid's points): refused on any other.
 */
export function asPublishedLossWeight(points: number): number {
  if (points !== PAPER_BCE_WEIGHT) throw new Error(`the as-published model needs the paper's ${PAPER_BCE_WEIGHT}-point grid (its loss weighs the BCE by the grid's points); this dataset has ${points}`);
  return points;
}

export const DEFAULT_SEEDS = 5;

/** Sizes of the study: the paper's, or a small one for a quick look (its numbers are not the paper-scale ones). */
export interface StudyScale {
  name: 'quick' | 'paper';
  perPhase: number;
  unknown: number;
  fractions: number;
  perFraction: number;
  epochs: number;
  compositionPerPhase: number;
  compositionEpochs: number;
}

export function studyScale(quick: boolean, configuredEpochs: number): StudyScale {
  return quick
    ? { name: 'quick', perPhase: 1200, unknown: 300, fractions: 25, perFraction: 6, epochs: 40, compositionPerPhase: 800, compositionEpochs: 40 }
    : { name: 'paper', perPhase: 5000, unknown: 1000, fractions: 50, perFraction: 20, epochs: configuredEpochs, compositionPerPhase: 3000, compositionEpochs: 80 };
}

/** Seeds 1…n: each run's training seed (its split, initial weights and every draw). */
export function studySeeds(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k + 1);
}

/**
 * A novelty task: held-out known test patterns (negatives) against a group of patterns the
 * model never saw (positives). More unknown phases are more tasks: one per phase, each taking
 * the unknown group's rows of that phase (a phase filter to add here when there is more than
 * one), and every method is scored on each; the summary needs no change.
 */
export interface NoveltyTask {
  key: string;
  title: string;
  /** The evaluation group holding the positives. */
  group: 'unknown' | 'mixtures';
  /** The key of the AUROC in a method's NoveltyMeasures. */
  aurocKey: 'aurocUnknown' | 'aurocMixtures';
}

export const NOVELTY_TASKS: readonly NoveltyTask[] = [
  { key: 'unknownPhase', title: 'known vs unknown phase (σ-FeCr)', group: 'unknown', aurocKey: 'aurocUnknown' },
  { key: 'mixtures', title: 'pure vs binary mixture', group: 'mixtures', aurocKey: 'aurocMixtures' },
];

/**
 * The methods scored on every task: the VAE's novelty score, and every baseline the pipeline
 * measures (whatever `Evaluation.baselines` holds: a new baseline there is a new method here).
 */
export const VAE_METHOD = 'vae';

/**
 * Checks that no dataset row is in two of the named sets (train, selection, calibration, test,
 * unknown, mixtures); throws naming the first overlap.
 */
export function assertDisjoint(sets: Record<string, ArrayLike<number>>): void {
  const owner = new Map<number, string>();
  for (const [name, rows] of Object.entries(sets)) {
    for (let i = 0; i < rows.length; i++) {
      const other = owner.get(rows[i]);
      if (other !== undefined) throw new Error(`protocol broken: dataset row ${rows[i]} is in both the ${other} and the ${name} set`);
      owner.set(rows[i], name);
    }
  }
}
