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
  /** Patterns of each unknown phase (σ-FeCr and each hard unknown alike). */
  unknown: number;
  fractions: number;
  perFraction: number;
  epochs: number;
  /** The Co–Ni–Cr–Re composition experiment: patterns per structure, cVAEs in the ensemble, epochs. */
  compositionPerStructure: number;
  compositionMembers: number;
  compositionEpochs: number;
}

/**
 * Fixed before any run (not tuned). The composition experiment's quick sizes keep 2 models ×
 * 5 seeds × 5 cVAEs affordable on two cores; its ensemble is 5 at both scales (the issue's ≥ 5).
 */
export function studyScale(quick: boolean, configuredEpochs: number): StudyScale {
  return quick
    ? { name: 'quick', perPhase: 1200, unknown: 300, fractions: 25, perFraction: 6, epochs: 40, compositionPerStructure: 100, compositionMembers: 5, compositionEpochs: 20 }
    : { name: 'paper', perPhase: 5000, unknown: 1000, fractions: 50, perFraction: 20, epochs: configuredEpochs, compositionPerStructure: 1000, compositionMembers: 5, compositionEpochs: 80 };
}

/** Seeds 1…n: each run's training seed (its split, initial weights and every draw). */
export function studySeeds(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k + 1);
}

/**
 * The hard unknowns: phases close to the known ones, generated beside σ-FeCr (role unknown, as
 * many patterns as σ), never trained on. CIFs in examples/paper-demo/unknowns (sources there).
 */
export const HARD_UNKNOWNS: readonly { name: string; cif: string; why: string }[] = [
  { name: 'W (Im-3m)', cif: 'unknowns/W-bcc.cif', why: 'bcc like Cr, a = 3.165 Å instead of 2.88 Å' },
  { name: 'Zn (P6_3/mmc)', cif: 'unknowns/Zn-hcp.cif', why: 'hcp like Co, c/a 1.856 instead of 1.62' },
  { name: 'Cu3Au L1_2 (Pm-3m)', cif: 'unknowns/Cu3Au-L12.cif', why: 'ordered fcc: the fcc lines plus weak superlattice lines' },
  { name: 'CuAu L1_0 (P4/mmm)', cif: 'unknowns/CuAu-L10.cif', why: 'tetragonally distorted ordered fcc: split fcc lines' },
];

/**
 * A novelty task of the study: held-out known test patterns (negatives) against patterns the
 * model never saw (positives), as the pipeline's novelty table (Evaluation.noveltyTasks) names
 * them: the paper's unknown phase σ-FeCr alone (its pure patterns, not the hard unknowns), the
 * binary mixtures, and each hard unknown (hardUnknowns in the report).
 */
export interface NoveltyTask {
  key: string;
  title: string;
}

export const NOVELTY_TASKS: readonly NoveltyTask[] = [
  { key: 'unknownPhase', title: 'known vs unknown phase (σ-FeCr)' },
  { key: 'mixtures', title: 'pure vs binary mixture' },
];

/**
 * The methods scored on every task: the VAE's novelty score (excess BCE), its other errors (the
 * plain BCE, the paper's, and MSE: listed, not contenders), and every baseline the pipeline
 * measures (whatever its novelty table holds: a new baseline there is a new method here).
 */
export const VAE_METHOD = 'vae';
export const VAE_OTHER_ERRORS = ['vaeBce', 'vaeMse'];

/**
 * AUROC differences below this tie when the winner of a task is named (fixed a priori: the
 * report prints AUROCs to three digits, so methods that print the same tie).
 */
export const WINNER_TOLERANCE = 1e-3;

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
