import type { Diagnostic } from '../diagnostics';
import { parseJsonWithLocations, JsonSyntaxError } from '../util/json-locations';
import { DEFAULT_AUGMENTATION, type AugmentationConfig } from './augmentation';
import { checkDistribution } from './distributions';
import { radiationProblem, type RadiationSpec } from './radiation';
import { gridPointsProblem, twoThetaProblem } from '../diffraction/grid-limits';
import { MAX_CHUNK_VALUES, MAX_PATTERNS } from './limits';
import { validateTrainingSection, type TrainingConfig } from '../model/training-config';
import { largestMinimumWeightFraction } from './mixture-fractions';
import type { KnownOrNovel } from '../analysis/verdict';
import { instrumentAugmentation, validateInstrumentSection, type InstrumentSection } from '../instrument/section';

/**
 * The workspace file `latent-xrd.json`: which structures to simulate, how many patterns, how
 * they vary, and where the dataset goes. Its JSON Schema is `schemas/latent-xrd.schema.json`
 * (the editor's completion and validation); `validateConfig` is the same rules with line and
 * column, for the CLI and the Problems panel. A test keeps the two in step.
 */
export interface PhaseConfig {
  /** Path or glob (`cifs/*.cif`) relative to the config file. */
  cif: string;
  /** Display name; default: the file name without extension (or the data block's name). */
  name?: string;
  /** Data block to use when a CIF holds several. */
  block?: string;
  /** Patterns to draw of this pure phase. */
  count: number;
  /** `unknown` phases are for testing novelty detection: never to be trained on. */
  role?: 'known' | 'unknown';
  /**
   * Where on the composition simplex this phase is stable (element → fraction, the centre of its
   * single-phase region): a conditional VAE is trained with compositions drawn around it, and a
   * simulated spread (synth/phase-map.ts) places the phase there.
   */
  composition?: Record<string, number>;
}

export interface MixtureConfig {
  /**
   * What mixtures are for. "novel" (the default, the paper's study): held out of training and
   * scored as novel, on a grid of fractions. "known": mixtures of known phases are trained on,
   * with weight fractions drawn per pattern, so that NOVEL means "contains something the CIFs
   * do not explain".
   */
  role?: MixtureRole;
  /** Pairs of phase names, or "known" for every pair of known phases. */
  pairs?: [string, string][] | 'known';
  /** Role "novel": number of volume fractions x in (0, 1) per pair: x = k/(n+1), k = 1…n. */
  fractions?: number;
  /** Role "novel": patterns per pair and fraction. */
  countPerFraction?: number;
  /** Role "known": patterns per pair, each with its own weight fractions. */
  pairCount?: number;
  /** Triples of phase names, or "known" for every triple of known phases. */
  ternaries?: [string, string, string][] | 'known';
  /** Patterns per triple. */
  ternaryCount?: number;
  /** Role "known": the smallest weight fraction of a phase in a mixture (synth/mixture-fractions.ts). */
  minimumWeightFraction?: number;
}

/** The verdict a mixture of known phases should get: held out and scored as novel, or trained on as known. */
export type MixtureRole = KnownOrNovel;

/** Role "novel", when the config does not say: volume fractions per pair, and patterns per fraction. */
export const DEFAULT_MIXTURE_FRACTIONS = 50;
export const DEFAULT_COUNT_PER_FRACTION = 20;
/** Patterns per pair of a mixture-aware dataset, when the config does not say: as many as a triple gets. */
export const DEFAULT_PAIR_COUNT = 100;
export const DEFAULT_TERNARY_COUNT = 100;

export interface GridConfig {
  twoThetaMin: number;
  twoThetaMax: number;
  points: number;
}

export interface SynthConfig {
  $schema?: string;
  phases: PhaseConfig[];
  mixtures?: MixtureConfig;
  grid?: Partial<GridConfig>;
  radiation?: RadiationSpec;
  augmentation?: Partial<AugmentationConfig>;
  /** A calibrated instrument (`latent-xrd calibrate`): the augmentation varies around it. */
  instrument?: InstrumentSection;
  seed?: number;
  output?: string;
  /** Patterns generated and written per chunk (memory is proportional to this, not to the total). */
  chunkSize?: number;
  /** The model to train on this dataset (`latent-xrd train`). */
  training?: Partial<TrainingConfig>;
}

export const DEFAULT_GRID: GridConfig = { twoThetaMin: 20, twoThetaMax: 90, points: 2048 };
/** The seed of every draw, and the dataset file, when the config names none. */
export const DEFAULT_SEED = 1;
export const DEFAULT_OUTPUT = 'dataset.h5';

export const CONFIG_KEYS = ['$schema', 'phases', 'mixtures', 'grid', 'radiation', 'augmentation', 'instrument', 'seed', 'output', 'chunkSize', 'training'] as const;
export const PHASE_KEYS = ['cif', 'name', 'block', 'count', 'role', 'composition'] as const;
export const MIXTURE_KEYS = ['role', 'pairs', 'fractions', 'countPerFraction', 'pairCount', 'ternaries', 'ternaryCount', 'minimumWeightFraction'] as const;
export const GRID_KEYS = ['twoThetaMin', 'twoThetaMax', 'points'] as const;
export const RADIATION_KEYS = ['kalpha1', 'kalpha2', 'ratio'] as const;

/**
 * The variation a config's patterns are drawn with: the defaults, recentred on a calibrated
 * instrument (latent-xrd calibrate), with the config's own entries winning. One place for the
 * dataset and the CIF preview alike.
 */
export function configAugmentation(config: Pick<SynthConfig, 'augmentation' | 'instrument'>): AugmentationConfig {
  return { ...DEFAULT_AUGMENTATION, ...instrumentAugmentation(config.instrument), ...(config.augmentation ?? {}) };
}

/** The 2θ grid a config's patterns are drawn on. */
export function configGrid(config: Pick<SynthConfig, 'grid'>): { min: number; max: number; points: number } {
  return {
    min: config.grid?.twoThetaMin ?? DEFAULT_GRID.twoThetaMin,
    max: config.grid?.twoThetaMax ?? DEFAULT_GRID.twoThetaMax,
    points: config.grid?.points ?? DEFAULT_GRID.points,
  };
}

export interface ConfigResult {
  config?: SynthConfig;
  diagnostics: Diagnostic[];
}

export function validateConfig(text: string): ConfigResult {
  let located;
  try {
    located = parseJsonWithLocations(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      return { diagnostics: [{ severity: 'error', message: `not valid JSON: ${e.message}`, range: e.range, code: 'config.json' }] };
    }
    throw e;
  }
  const diagnostics: Diagnostic[] = [];
  const problem = (path: (string | number)[], message: string, severity: Diagnostic['severity'] = 'error') =>
    diagnostics.push({ severity, message: `${path.length ? path.join('.') + ': ' : ''}${message}`, range: located.locate(path), code: 'config.invalid' });
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const unknownKeys = (obj: Record<string, unknown>, allowed: readonly string[], path: (string | number)[]) => {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) problem([...path, k], `unknown setting "${k}" (known: ${allowed.join(', ')})`);
    }
  };
  const positiveInteger = (v: unknown, path: (string | number)[], min = 1) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) problem(path, `must be an integer ≥ ${min}`);
  };
  const patternCount = (v: unknown, path: (string | number)[], min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) problem(path, `must be an integer ≥ ${min}`);
    else if (v > MAX_PATTERNS) problem(path, `must be at most ${MAX_PATTERNS} (the most patterns one dataset may hold)`);
  };

  const root = located.value;
  if (!isObject(root)) {
    problem([], 'the config must be a JSON object');
    return { diagnostics };
  }
  unknownKeys(root, CONFIG_KEYS, []);
  const names = new Set<string>();
  if (!Array.isArray(root.phases) || root.phases.length === 0) {
    problem(['phases'], 'list at least one phase: { "cif": "file.cif", "count": 1000 }');
  } else {
    root.phases.forEach((p, n) => {
      const path = ['phases', n];
      if (!isObject(p)) return problem(path, 'each phase is an object with "cif" and "count"');
      unknownKeys(p, PHASE_KEYS, path);
      if (typeof p.cif !== 'string' || !p.cif) problem([...path, 'cif'], 'must name a CIF file (path or glob)');
      if (p.name !== undefined && typeof p.name !== 'string') problem([...path, 'name'], 'must be a string');
      if (typeof p.name === 'string') {
        if (names.has(p.name)) problem([...path, 'name'], `the name "${p.name}" is used twice`);
        names.add(p.name);
      }
      if (p.block !== undefined && typeof p.block !== 'string') problem([...path, 'block'], 'must be a string');
      patternCount(p.count, [...path, 'count'], 0);
      if (p.role !== undefined && p.role !== 'known' && p.role !== 'unknown') problem([...path, 'role'], 'must be "known" or "unknown"');
      if (p.composition !== undefined) {
        const c = p.composition;
        if (!isObject(c) || Object.keys(c).length === 0 || !Object.entries(c).every(([e, v]) => /^[A-Z][a-z]?$/.test(e) && typeof v === 'number' && v >= 0)) problem([...path, 'composition'], 'must map element symbols to fractions ≥ 0, e.g. {"Ni": 0.7, "Co": 0.3}');
        else if (Object.values(c as Record<string, number>).reduce((a, b) => a + b, 0) <= 0) problem([...path, 'composition'], 'fractions sum to zero');
      }
    });
  }
  if (root.mixtures !== undefined) {
    const m = root.mixtures;
    if (!isObject(m)) problem(['mixtures'], 'must be an object');
    else {
      unknownKeys(m, MIXTURE_KEYS, ['mixtures']);
      if (m.role !== undefined && m.role !== 'known' && m.role !== 'novel') problem(['mixtures', 'role'], 'must be "novel" (held out and scored as novel, the paper\'s study) or "known" (trained on)');
      const known = m.role === 'known';
      if (m.pairs !== undefined && m.pairs !== 'known') {
        if (!Array.isArray(m.pairs)) problem(['mixtures', 'pairs'], 'must be "known" or a list of [name, name] pairs');
        else m.pairs.forEach((pair, n) => {
          if (!Array.isArray(pair) || pair.length !== 2 || pair.some((x) => typeof x !== 'string')) problem(['mixtures', 'pairs', n], 'must be a pair of phase names');
        });
      }
      for (const key of ['fractions', 'countPerFraction'] as const) {
        if (m[key] === undefined) continue;
        if (known) problem(['mixtures', key], `sets the grid of held-out mixtures of role "novel"; with role "known" every pattern draws its own weight fractions: use "pairCount"`);
        else patternCount(m[key], ['mixtures', key], 1);
      }
      for (const key of ['pairCount', 'minimumWeightFraction'] as const) {
        if (m[key] !== undefined && !known) problem(['mixtures', key], 'applies to mixtures trained on: set "role": "known"');
      }
      if (m.pairCount !== undefined && known) patternCount(m.pairCount, ['mixtures', 'pairCount'], 0);
      if (m.minimumWeightFraction !== undefined && known) {
        const most = largestMinimumWeightFraction(2);
        if (typeof m.minimumWeightFraction !== 'number' || !(m.minimumWeightFraction > 0 && m.minimumWeightFraction <= most)) problem(['mixtures', 'minimumWeightFraction'], `must be a weight fraction above 0 and at most ${most}`);
      }
      if (m.ternaries !== undefined && m.ternaries !== 'known') {
        if (!Array.isArray(m.ternaries)) problem(['mixtures', 'ternaries'], 'must be "known" or a list of [name, name, name] triples');
        else m.ternaries.forEach((t, n) => {
          if (!Array.isArray(t) || t.length !== 3 || t.some((x) => typeof x !== 'string')) problem(['mixtures', 'ternaries', n], 'must be three phase names');
        });
      }
      if (m.ternaryCount !== undefined) patternCount(m.ternaryCount, ['mixtures', 'ternaryCount'], 0);
    }
  }
  if (root.grid !== undefined) {
    const g = root.grid;
    if (!isObject(g)) problem(['grid'], 'must be an object');
    else {
      unknownKeys(g, GRID_KEYS, ['grid']);
      for (const k of ['twoThetaMin', 'twoThetaMax'] as const) {
        if (g[k] === undefined) continue;
        const why = typeof g[k] === 'number' ? twoThetaProblem(g[k] as number) : 'must be a number of degrees';
        if (why) problem(['grid', k], why);
      }
      const lo = (g.twoThetaMin as number | undefined) ?? DEFAULT_GRID.twoThetaMin;
      const hi = (g.twoThetaMax as number | undefined) ?? DEFAULT_GRID.twoThetaMax;
      if (typeof lo === 'number' && typeof hi === 'number' && !(hi > lo)) problem(['grid'], 'twoThetaMax must exceed twoThetaMin');
      if (g.points !== undefined) {
        const why = typeof g.points === 'number' ? gridPointsProblem(g.points) : 'must be an integer number of points';
        if (why) problem(['grid', 'points'], why);
      }
    }
  }
  if (root.radiation !== undefined) {
    const r = root.radiation;
    const shaped = typeof r === 'string' || typeof r === 'number' || (isObject(r) && Object.keys(r).every((k) => RADIATION_KEYS.includes(k as never)));
    if (!shaped) problem(['radiation'], 'must be a tube name ("CuKa", "CuKa1", "MoKa"…), a wavelength in Å, or { "kalpha1", "kalpha2", "ratio" }');
    else {
      const why = radiationProblem(r as RadiationSpec);
      if (why) problem(why.entry ? ['radiation', why.entry] : ['radiation'], why.message);
    }
  }
  if (root.augmentation !== undefined) {
    const a = root.augmentation;
    if (!isObject(a)) problem(['augmentation'], 'must be an object');
    else {
      const known = Object.keys(DEFAULT_AUGMENTATION);
      unknownKeys(a, known, ['augmentation']);
      for (const [k, v] of Object.entries(a)) {
        if (!known.includes(k)) continue;
        const path = ['augmentation', k];
        if (k === 'textureAxes') {
          if (!Array.isArray(v) || v.length === 0 || v.some((axis) => !Array.isArray(axis) || axis.length !== 3 || axis.some((x) => !Number.isInteger(x)) || axis.every((x) => x === 0))) {
            problem(path, 'must be a list of [h, k, l] integer axes, none [0, 0, 0]');
          }
        } else if (k === 'textureProbability') {
          if (typeof v !== 'number' || v < 0 || v > 1) problem(path, 'must be a probability in [0, 1]');
        } else if (k === 'goniometerRadiusMm' || k === 'scherrerK') {
          if (typeof v !== 'number' || !(v > 0)) problem(path, 'must be a positive number');
        } else {
          const why = checkDistribution(v);
          if (why) problem(path, why);
        }
      }
    }
  }
  if (root.instrument !== undefined) {
    const g = isObject(root.grid) ? root.grid : {};
    const lo = typeof g.twoThetaMin === 'number' ? g.twoThetaMin : DEFAULT_GRID.twoThetaMin;
    const hi = typeof g.twoThetaMax === 'number' ? g.twoThetaMax : DEFAULT_GRID.twoThetaMax;
    validateInstrumentSection(root.instrument, problem, [lo, hi]);
  }
  if (root.seed !== undefined) positiveInteger(root.seed, ['seed'], 0);
  if (root.output !== undefined && (typeof root.output !== 'string' || !root.output)) problem(['output'], 'must be a file name');
  if (root.chunkSize !== undefined) {
    positiveInteger(root.chunkSize, ['chunkSize']);
    const points = isObject(root.grid) && typeof root.grid.points === 'number' ? root.grid.points : DEFAULT_GRID.points;
    if (typeof root.chunkSize === 'number' && root.chunkSize * points > MAX_CHUNK_VALUES) {
      problem(['chunkSize'], `${root.chunkSize} patterns × ${points} points is more than the ${MAX_CHUNK_VALUES} values a chunk may hold in memory; at most ${Math.max(1, Math.floor(MAX_CHUNK_VALUES / points))} patterns a chunk on this grid`);
    }
  }
  if (root.training !== undefined) {
    const gridPoints = isObject(root.grid) && typeof root.grid.points === 'number' ? root.grid.points : DEFAULT_GRID.points;
    validateTrainingSection(root.training, problem, gridPoints);
  }

  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { config: root as unknown as SynthConfig, diagnostics };
}
