// The latent-xrd.json that Create Workspace Config writes, and the phase Add Structure to
// Training Set adds: the workspace's CIFs as known phases, every other value the default a
// config gets when it leaves the key out (DEFAULT_GRID, DEFAULT_TRAINING_CONFIG, …), written
// out so that the user sees what there is to change.
import { DEFAULT_GRID, DEFAULT_OUTPUT, DEFAULT_SEED, type PhaseConfig, type SynthConfig } from './config';
import { DEFAULT_RADIATION } from './radiation';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../model/training-config';

/** Patterns per phase in a new config: enough for a first model in a few minutes. */
export const STARTER_PHASE_COUNT = 2000;

/**
 * Mixtures held out as novel, fewer than a config gets by default (50 fractions × 20): a first
 * run checks that mixtures stand out without drawing 1,000 patterns per pair.
 */
const STARTER_MIXTURES = { pairs: 'known', fractions: 20, countPerFraction: 10 } as const;

/** The training keys a new config shows: the ones a user tunes first. */
const STARTER_TRAINING_KEYS = ['model', 'epochs', 'beta', 'learningRate', 'klWarmupEpochs', 'seed'] as const;

/** A known phase from a CIF (path relative to the config), named after the file and its space group. */
export function starterPhase(cif: string, fileStem: string, spaceGroup?: string): PhaseConfig {
  const symbol = spaceGroup?.replace(/\s+/g, '');
  return { name: `${fileStem}${symbol ? ` (${symbol})` : ''}`, cif, count: STARTER_PHASE_COUNT };
}

export function starterConfig(phases: PhaseConfig[]): SynthConfig {
  const training = Object.fromEntries(STARTER_TRAINING_KEYS.map((k) => [k, DEFAULT_TRAINING_CONFIG[k]])) as Partial<TrainingConfig>;
  return {
    phases,
    mixtures: { ...STARTER_MIXTURES },
    grid: { ...DEFAULT_GRID },
    radiation: DEFAULT_RADIATION,
    seed: DEFAULT_SEED,
    output: DEFAULT_OUTPUT,
    training,
  };
}
