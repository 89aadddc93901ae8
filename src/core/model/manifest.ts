// The model folder's manifest.json: what a model is (grid, phases, calibration, metrics).
// Read without TensorFlow.js, so the extension can show a model card and choose a model
// before it loads the heavy part.
import { MAX_GRID_POINTS } from '../diffraction/grid-limits';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parameterCount, type ModelSpec } from './architecture';
import { UserError } from '../diagnostics';
import { implausibleWavelength } from '../diffraction/wavelengths';
import { quoteForMessage } from '../formats/located';
import type { Grid } from '../diffraction/render';
import { modelPreprocessing, type ModelPreprocessing } from '../preprocess/model-preprocessing';
import type { Reliability } from './reliability';

export const MANIFEST_FORMAT = 'latent-xrd-model';
export const MANIFEST_VERSION = 1;

export interface Calibration {
  /** Which per-pattern error the p-value is computed from. */
  metric: 'bceExcess' | 'bce' | 'mse';
  /** Held-out known patterns' errors, ascending (the p-value's reference sample). */
  errors: number[];
  /** p-value below which a pattern is called novel. */
  pThreshold: number;
  /** The error at that p-value, for people who want a raw number. */
  errorThreshold: number;
  /** Whose errors these are (absent in models saved before it was recorded: the validation patterns'). */
  source?: CalibrationSource;
  /**
   * Rows of CALIBRATION_PATTERNS_FILE in the model folder: the calibration patterns themselves
   * (those whose errors are `errors`, every k-th when there are more than
   * MODEL_LIMITS.calibrationValues allows), on the model's grid. A pattern measured over part of
   * the model's range is calibrated against these cut to the same part (model/score.ts). Absent
   * in models saved before they were kept.
   */
  patterns?: number;
  /**
   * The calibration patterns' unexplained-line sums (analysis/novelty-statistic.ts), ascending.
   * With them a p-value combines the error's and the lines'; without them (models saved before
   * they were kept, conditional models) it is the error's alone.
   */
  lineSums?: number[];
}

/** The calibration patterns of a model folder (float32, little-endian, `calibration.patterns` rows of the grid's points). */
export const CALIBRATION_PATTERNS_FILE = 'calibration-patterns.bin';

/**
 * Synthetic: held-out simulated patterns of the known phases, prepared as scored ones are.
 * Measured: the user's own measured files declared known (latent-xrd calibrate-novelty), so the
 * p-value is conformal for their instrument.
 */
export type CalibrationSource =
  | { kind: 'synthetic'; patterns: number }
  | { kind: 'measured'; files: string[]; calibrated: string };

/**
 * Whether mixtures of the known phases were trained on, which decides what NOVEL means for the
 * model (noveltyMeaning). Absent in models saved before it was recorded: those held mixtures out.
 */
export type MixtureTraining = { role: 'novel' } | { role: 'known'; minimumWeightFraction: number };

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  software: { name: 'latent-xrd'; version: string };
  created: string;
  kind: 'vae' | 'cvae';
  spec: ModelSpec;
  grid: Grid;
  wavelength?: number;
  /** Known phases in label order (label k = phases[k]). */
  phases: string[];
  /** Latent means of a subsample of training patterns with labels: nearest known phase. */
  reference: {
    latent: number[];
    labels: number[];
    /** Per reference point (absent in models saved before they were recorded). */
    twoThetaOfMax?: number[];
    errors?: number[];
  };
  calibration: Calibration;
  /** The calibration from training, kept when a measured calibration replaced it (calibrate-novelty --revert restores it). */
  syntheticCalibration?: Calibration;
  /**
   * What every training and calibration pattern went through, and so every scored pattern goes
   * through (preprocess/model-preprocessing.ts). Absent in models saved before it was recorded.
   */
  preprocessing?: ModelPreprocessing;
  mixtures?: MixtureTraining;
  /**
   * Whether the model's held-out checks back its verdicts (model/reliability.ts). Absent in models
   * saved before it was recorded: their reliability is unknown, and the views say so.
   */
  reliability?: Reliability;
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
  ensemble: { seed: number; path: string }[];
  /**
   * The members as ONNX files (relative to the model folder, one entry per member in ensemble
   * order), written by `latent-xrd export --onnx` or by another tool: when present, scoring runs
   * these (model/onnx/graph.ts) instead of the TensorFlow.js layers models.
   */
  onnx?: OnnxMemberPaths[];
}

/** Where one member's ONNX encoder and decoder are, relative to the model folder. */
export interface OnnxMemberPaths {
  encoder: string;
  decoder: string;
}

/** A path inside the model folder: names of letters, digits, '_', '-' and '.', joined by '/', never '..' or absolute, ending in .onnx. */
const ONNX_MEMBER_PATH = /^(?:[\w-][\w.-]*\/)*[\w-][\w.-]*\.onnx$/;

/**
 * What a model folder may declare, so that a damaged or hostile manifest is refused before
 * anything is allocated from its numbers. Each is far above what training makes (the paper's
 * model: 2048 points, hidden [256, 128], latent 2, 1.1 million weights, 3000 reference points).
 */
export const MODEL_LIMITS = {
  /** Grid points: the most a simulated grid may have, so every grid the tool makes fits a model. */
  points: MAX_GRID_POINTS,
  /** Latent dimensions: a low-dimensional summary by design (the paper: 2, a map). */
  latent: 64,
  /** Hidden layers of the encoder (the decoder mirrors them). */
  hiddenLayers: 8,
  /** Weights of one encoder + decoder: 2²⁶ float32 is 256 MB. */
  parameters: 2 ** 26,
  /** Ensemble members, each a whole model in memory. */
  ensemble: 32,
  /** Composition inputs of a conditional model: one per element. */
  compositionElements: 118,
  /** Reference points (nearest known phase) and calibration errors: training stores thousands. */
  referencePoints: 1_000_000,
  calibrationErrors: 1_000_000,
  /** Values (patterns × grid points) of the calibration patterns kept: 2²² float32 is 16 MB. */
  calibrationValues: 2 ** 22,
  /** Bytes of manifest.json: the two lists above at full length fit several times over. */
  manifestBytes: 256 * 2 ** 20,
} as const;

/** A number as the manifest keeps it: six decimals, far below any difference a score or a map shows. */
export function manifestNumber(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

export function readManifest(dir: string): ModelManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new UserError(`${dir}: not a latent-xrd model folder (no manifest.json)`);
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MODEL_LIMITS.manifestBytes) throw new UserError(`${path}: ${size} bytes, larger than any model manifest (${MODEL_LIMITS.manifestBytes} bytes)`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: cannot be read (${(e as Error).message})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return validateManifest(manifest, path);
}

/**
 * A parsed manifest.json checked field by field: every field scoring and the editors read is
 * present, of its type, finite, within MODEL_LIMITS and consistent with the others (grid and
 * spec, reference lists and labels, calibration errors ascending as the p-value assumes). The
 * first problem is thrown as a UserError naming the file and the key.
 */
export function validateManifest(value: unknown, path: string): ModelManifest {
  const fail = (key: string, message: string): never => {
    throw new UserError(`${path}: ${key}: ${message}`);
  };
  const root = objectAt(value, '', path);
  if (root.format !== MANIFEST_FORMAT) throw new UserError(`${path}: not a latent-xrd model manifest`);
  const version = integerAt(root, 'formatVersion', fail, 1, Number.MAX_SAFE_INTEGER);
  if (version > MANIFEST_VERSION) throw new UserError(`${path}: written by a newer latent-xrd (format ${version}); update latent-xrd to read it`);
  const kind = root.kind;
  if (kind !== 'vae' && kind !== 'cvae') fail('kind', `must be "vae" or "cvae"; got ${shown(kind)}`);
  objectField(root, 'software', fail);
  if (typeof root.created !== 'string') fail('created', `must be a date as text; got ${shown(root.created)}`);
  objectField(root, 'training', fail);
  objectField(root, 'metrics', fail);

  const spec = objectField(root, 'spec', fail);
  const points = integerAt(spec, 'spec.points', fail, 2, MODEL_LIMITS.points, 'grid points');
  const hidden = arrayField(spec, 'spec.hidden', fail, 1, MODEL_LIMITS.hiddenLayers);
  hidden.forEach((_, i) => integerAt(hidden, `spec.hidden[${i}]`, fail, 1, MODEL_LIMITS.parameters, 'units'));
  const latent = integerAt(spec, 'spec.latent', fail, 1, MODEL_LIMITS.latent, 'latent dimensions');
  const elements = arrayField(spec, 'spec.compositionElements', fail, 0, MODEL_LIMITS.compositionElements);
  elements.forEach((e, i) => typeof e === 'string' && e.length > 0 && e.length <= 3 ? undefined : fail(`spec.compositionElements[${i}]`, `must be an element symbol; got ${shown(e)}`));
  if ((kind === 'cvae') !== elements.length > 0) fail('spec.compositionElements', kind === 'cvae' ? 'a conditional model (kind "cvae") needs its composition elements' : 'a plain VAE (kind "vae") has no composition elements');
  finiteAt(spec, 'spec.beta', fail, 0, Number.MAX_VALUE);
  const parameters = parameterCount(spec as unknown as ModelSpec);
  if (parameters > MODEL_LIMITS.parameters) fail('spec', `${parameters} weights, more than the ${MODEL_LIMITS.parameters} a model can have`);

  const grid = objectField(root, 'grid', fail);
  const min = finiteAt(grid, 'grid.min', fail, 0, 180);
  const max = finiteAt(grid, 'grid.max', fail, 0, 180);
  if (!(max > min)) fail('grid.max', `${max} must be above grid.min (${min})`);
  const gridPoints = integerAt(grid, 'grid.points', fail, 2, MODEL_LIMITS.points, 'grid points');
  if (gridPoints !== points) fail('grid.points', `${gridPoints} differs from spec.points (${points}), the width of the model's input`);
  if (root.wavelength !== undefined) {
    const problem = typeof root.wavelength === 'number' ? implausibleWavelength(root.wavelength) : `must be a number of Å; got ${shown(root.wavelength)}`;
    if (problem) fail('wavelength', problem);
  }

  const phases = arrayField(root, 'phases', fail, 1, MODEL_LIMITS.referencePoints);
  phases.forEach((p, i) => (typeof p === 'string' ? undefined : fail(`phases[${i}]`, `must be a phase name; got ${shown(p)}`)));
  const reference = objectField(root, 'reference', fail);
  const labels = arrayField(reference, 'reference.labels', fail, 1, MODEL_LIMITS.referencePoints);
  labels.forEach((_, i) => integerAt(labels, `reference.labels[${i}]`, fail, 0, phases.length - 1, 'phase index'));
  const referenceLatent = arrayField(reference, 'reference.latent', fail, 0, MODEL_LIMITS.referencePoints * MODEL_LIMITS.latent);
  if (referenceLatent.length !== labels.length * latent) {
    fail('reference.latent', `${referenceLatent.length} numbers, but ${labels.length} reference points of ${latent} latent dimensions need ${labels.length * latent}`);
  }
  referenceLatent.forEach((_, i) => finiteAt(referenceLatent, `reference.latent[${i}]`, fail));
  for (const key of ['twoThetaOfMax', 'errors']) {
    if (reference[key] === undefined) continue;
    const list = arrayField(reference, `reference.${key}`, fail, labels.length, labels.length);
    list.forEach((_, i) => finiteAt(list, `reference.${key}[${i}]`, fail));
  }

  validateCalibration(root, 'calibration', fail, points);
  if (root.syntheticCalibration !== undefined) validateCalibration(root, 'syntheticCalibration', fail, points);
  if (root.preprocessing !== undefined) {
    const recorded = objectField(root, 'preprocessing', fail);
    try {
      const resolved = modelPreprocessing(recorded as ModelPreprocessing);
      // Complete as written: a scorer applies the record, so nothing may be left to a default
      // that a later version could change.
      for (const key of Object.keys(resolved) as (keyof ModelPreprocessing)[]) {
        if (recorded[key] === undefined) fail(`preprocessing.${key}`, 'missing');
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      fail('preprocessing', e.message);
    }
  }

  if (root.mixtures !== undefined) {
    const mixtures = objectField(root, 'mixtures', fail);
    if (mixtures.role === 'known') finiteAt(mixtures, 'mixtures.minimumWeightFraction', fail, Number.MIN_VALUE, 0.5);
    else if (mixtures.role !== 'novel') fail('mixtures.role', `must be "known" or "novel"; got ${shown(mixtures.role)}`);
  }

  if (root.reliability !== undefined) {
    const reliability = objectField(root, 'reliability', fail);
    if (typeof reliability.reliable !== 'boolean') fail('reliability.reliable', `must be true or false; got ${shown(reliability.reliable)}`);
    const reasons = arrayField(reliability, 'reliability.reasons', fail, 0, 64);
    reasons.forEach((r, i) => (typeof r === 'string' && r.length <= 1000 ? undefined : fail(`reliability.reasons[${i}]`, `must be a sentence (at most 1000 characters); got ${shown(r)}`)));
    if (reliability.reliable === false && reasons.length === 0) fail('reliability.reasons', 'an unreliable model must say why');
    if (reliability.reliable === true && reasons.length > 0) fail('reliability.reasons', 'a reliable model has no reasons against it');
  }

  const ensemble = arrayField(root, 'ensemble', fail, 0, MODEL_LIMITS.ensemble);
  ensemble.forEach((m, i) => {
    const member = objectAt(m, `ensemble[${i}]`, path);
    if (typeof member.path !== 'string') fail(`ensemble[${i}].path`, `must be a folder name; got ${shown(member.path)}`);
  });
  if (root.onnx !== undefined) {
    const members = Math.max(1, ensemble.length);
    const onnx = arrayField(root, 'onnx', fail, members, members);
    onnx.forEach((m, i) => {
      const paths = objectAt(m, `onnx[${i}]`, path);
      for (const half of ['encoder', 'decoder']) {
        const p = paths[half];
        if (typeof p !== 'string' || !ONNX_MEMBER_PATH.test(p)) fail(`onnx[${i}].${half}`, `must be the path of an .onnx file inside the model folder (like "${half}.onnx"); got ${shown(p)}`);
      }
    });
  }
  return root as unknown as ModelManifest;
}

function validateCalibration(root: Record<string, unknown>, key: 'calibration' | 'syntheticCalibration', fail: Fail, points: number): void {
  const calibration = objectField(root, key, fail);
  if (!['bceExcess', 'bce', 'mse'].includes(calibration.metric as string)) fail(`${key}.metric`, `must be "bceExcess", "bce" or "mse"; got ${shown(calibration.metric)}`);
  const ascending = (name: string, min?: number) => {
    const values = arrayField(calibration, `${key}.${name}`, fail, 1, MODEL_LIMITS.calibrationErrors);
    values.forEach((_, i) => {
      const v = finiteAt(values, `${key}.${name}[${i}]`, fail, min);
      if (i > 0 && v < (values[i - 1] as number)) fail(`${key}.${name}[${i}]`, `${v} is below the value before it (${values[i - 1]}); the list must be ascending`);
    });
    return values;
  };
  const errors = ascending('errors');
  if (calibration.lineSums !== undefined) ascending('lineSums', 0);
  const p = finiteAt(calibration, `${key}.pThreshold`, fail, 0, 1);
  if (p === 0) fail(`${key}.pThreshold`, 'must be above 0 (no p-value is below 0)');
  finiteAt(calibration, `${key}.errorThreshold`, fail);
  if (calibration.patterns !== undefined) {
    const kept = integerAt(calibration, `${key}.patterns`, fail, 1, Math.floor(MODEL_LIMITS.calibrationValues / points), 'calibration patterns of this grid');
    if (kept > errors.length) fail(`${key}.patterns`, `${kept} patterns kept, but only ${errors.length} calibrated the model`);
  }
  if (calibration.source !== undefined) {
    const source = objectField(calibration, `${key}.source`, fail);
    if (source.kind === 'synthetic') integerAt(source, `${key}.source.patterns`, fail, 1, MODEL_LIMITS.calibrationErrors, 'calibration patterns');
    else if (source.kind === 'measured') {
      const files = arrayField(source, `${key}.source.files`, fail, 1, MODEL_LIMITS.calibrationErrors);
      files.forEach((f, i) => (typeof f === 'string' ? undefined : fail(`${key}.source.files[${i}]`, `must be a file name; got ${shown(f)}`)));
      if (typeof source.calibrated !== 'string') fail(`${key}.source.calibrated`, `must be a date as text; got ${shown(source.calibrated)}`);
    } else fail(`${key}.source.kind`, `must be "synthetic" or "measured"; got ${shown(source.kind)}`);
  }
}

type Fail = (key: string, message: string) => never;
type Fields = Record<string, unknown> | unknown[];

/** A value as a message quotes it: numbers as they are, text quoted and cut short, kinds by name. */
function shown(v: unknown): string {
  if (typeof v === 'string') return quoteForMessage(v);
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function lastKey(key: string): string | number {
  const index = /\[(\d+)\]$/.exec(key);
  return index ? Number(index[1]) : key.slice(key.lastIndexOf('.') + 1);
}

function get(fields: Fields, key: string): unknown {
  return (fields as Record<string | number, unknown>)[lastKey(key)];
}

function objectAt(v: unknown, key: string, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${path}: ${key ? `${key}: ` : ''}must be a JSON object; got ${shown(v)}`);
  return v as Record<string, unknown>;
}

function objectField(fields: Fields, key: string, fail: Fail): Record<string, unknown> {
  const v = get(fields, key);
  if (v === undefined) fail(key, 'missing');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(key, `must be an object; got ${shown(v)}`);
  return v as Record<string, unknown>;
}

function arrayField(fields: Fields, key: string, fail: Fail, least: number, most: number): unknown[] {
  const v = get(fields, key);
  if (v === undefined) fail(key, 'missing');
  if (!Array.isArray(v)) fail(key, `must be a list; got ${shown(v)}`);
  const list = v as unknown[];
  if (list.length < least) fail(key, least === most ? `${list.length} entries; must have ${least}` : `${list.length} entries; must have at least ${least}`);
  if (list.length > most) fail(key, least === most ? `${list.length} entries; must have ${most}` : `${list.length} entries, more than the ${most} a model can have`);
  return list;
}

function finiteAt(fields: Fields, key: string, fail: Fail, least = -Number.MAX_VALUE, most = Number.MAX_VALUE): number {
  const v = get(fields, key);
  if (v === undefined) fail(key, 'missing');
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(key, `must be a finite number; got ${shown(v)}`);
  const n = v as number;
  if (n < least || n > most) fail(key, `${n} is outside ${least}–${most}`);
  return n;
}

function integerAt(fields: Fields, key: string, fail: Fail, least: number, most: number, what = 'a count'): number {
  const v = get(fields, key);
  if (v === undefined) fail(key, 'missing');
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(key, `must be a whole number; got ${shown(v)}`);
  const n = v as number;
  if (n > most) fail(key, `${n} is larger than ${most}, the most ${what} a model can have`);
  if (n < least) fail(key, `${n} is below ${least}`);
  return n;
}

/** What a NOVEL verdict of this model says about a pattern, in a sentence for the model card and `score`. */
export function noveltyMeaning(manifest: Pick<ModelManifest, 'mixtures'>): string {
  const mixtures = manifest.mixtures;
  if (mixtures?.role === 'known') {
    return `NOVEL means the pattern holds something the known phases do not explain: mixtures of known phases (each down to ${Math.round(mixtures.minimumWeightFraction * 1000) / 10} wt %) were trained on as known`;
  }
  return 'NOVEL means the pattern is not a pure known phase: mixtures of known phases were not trained on, so they count as novel too';
}

/** Refuses a pattern whose grid is not the model's, with both grids named. */
export function checkGrid(manifest: ModelManifest, grid: Grid, what: string): void {
  const g = manifest.grid;
  const same = g.points === grid.points && Math.abs(g.min - grid.min) < 1e-6 && Math.abs(g.max - grid.max) < 1e-6;
  if (!same) {
    throw new UserError(
      `${what}: its 2θ grid (${grid.points} points, ${grid.min}–${grid.max}°) is not the model's (${g.points} points, ${g.min}–${g.max}°); resample it first (latent-xrd score does)`,
    );
  }
}
