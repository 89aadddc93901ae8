// The dataset file (HDF5) as Latent XRD writes and reads it: the marks that say a file is one
// of its datasets, the checksums that say it is whole, and a reader that checks the file's
// shapes and sizes before it allocates anything — a crafted 14 KB file cannot ask for 800 GB.
import { createHash, type Hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { UserError } from '../diagnostics';
import { hdf5Reason, loadH5wasm } from '../util/h5';
import { notAFile, type Recogniser } from '../util/replaceable';
import type { MixtureRole } from './config';

type H5 = Awaited<ReturnType<typeof loadH5wasm>>;
type H5File = InstanceType<H5['File']>;
type H5Dataset = InstanceType<H5['Dataset']>;

/** The root attribute every dataset carries: what wrote it. */
export const DATASET_SOFTWARE = 'latent-xrd';
/** The root attribute saying whether the dataset's mixtures are to be trained on ("known") or held out ("novel"). */
export const MIXTURE_ROLE_ATTRIBUTE = 'mixture_role';
/** The root attribute of a dataset of role "known": the smallest weight fraction a phase has in its mixtures. */
export const MINIMUM_WEIGHT_FRACTION_ATTRIBUTE = 'minimum_weight_fraction';
/** The root attribute holding the SHA-256 of every array, as JSON {name: hex}. */
export const CHECKSUM_ATTRIBUTE = 'sha256';

/**
 * The largest pattern array a dataset may hold (1 GiB of float32): training holds the whole
 * dataset in memory, next to the models, and the WebAssembly heaps of HDF5 and TensorFlow.js
 * are at most 2–4 GiB. `planDataset` refuses a config that would write more.
 */
export const MAX_DATASET_BYTES = 2 ** 30;

/** Bytes a dataset of `count` patterns of `points` points takes in its largest array. */
export function patternBytes(count: number, points: number): number {
  return count * points * Float32Array.BYTES_PER_ELEMENT;
}

/** Rows read or checked at a time: a few MiB, whatever the dataset's size. */
function rowsPerSlice(rowValues: number): number {
  return Math.max(1, Math.floor((8 << 20) / (4 * Math.max(1, rowValues))));
}

/** A scalar root attribute's value, when it has one (a crafted file's arrays are not read). */
function scalarAttribute(file: H5File, name: string): unknown {
  const attrs = file.attrs;
  if (!Object.hasOwn(attrs, name)) return undefined;
  const attribute = attrs[name];
  return attribute.metadata.total_size === 1 ? attribute.value : undefined;
}

function writtenByLatentXrd(file: H5File): boolean {
  return scalarAttribute(file, 'software') === DATASET_SOFTWARE && file.get('patterns') !== null;
}

/** Recognises a dataset Latent XRD wrote (so `synth` may replace it); anything else is refused. */
export function datasetRecogniser(h5: H5): Recogniser {
  return (path) => {
    const why = notAFile(path, 'a dataset');
    if (why) return why;
    let file: H5File;
    try {
      file = new h5.File(path, 'r');
    } catch {
      return 'it is not an HDF5 file, so not a dataset written by Latent XRD';
    }
    try {
      return writtenByLatentXrd(file) ? undefined : 'it is an HDF5 file, but not a dataset written by Latent XRD';
    } catch {
      return 'it is an HDF5 file Latent XRD cannot read, so not one of its datasets';
    } finally {
      file.close();
    }
  };
}

/** SHA-256 of arrays as they are written, one per dataset name, for the checksum attribute. */
export class ArrayChecksums {
  private readonly hashes = new Map<string, Hash>();

  add(name: string, values: ArrayBufferView): void {
    let hash = this.hashes.get(name);
    if (!hash) this.hashes.set(name, (hash = createHash('sha256')));
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  digests(): Record<string, string> {
    return Object.fromEntries([...this.hashes].map(([name, hash]) => [name, hash.copy().digest('hex')]));
  }
}

/** Reads a row-major dataset a slice of rows at a time (the wasm heap holds one slice, never the whole). */
function readRows(dataset: H5Dataset, rows: number, rowValues: number, onSlice: (values: Float32Array | Int32Array, firstRow: number) => void): void {
  const step = rowsPerSlice(rowValues);
  for (let first = 0; first < rows; first += step) {
    const last = Math.min(rows, first + step);
    onSlice(dataset.slice([[first, last]]) as Float32Array | Int32Array, first);
  }
}

/**
 * Reads back a dataset just written and compares every array with what was written (shape and
 * SHA-256): a file the disk cut short or the library failed to finish is caught before it
 * replaces the previous dataset.
 */
export async function verifyWrittenDataset(path: string, shown: string, expected: { count: number; checksums: Record<string, string> }): Promise<void> {
  const h5 = await loadH5wasm();
  const damaged = (why: string) => new UserError(`${shown}: the dataset read back is not what was written (${why}); the previous one, if any, is kept`);
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (e) {
    throw damaged(hdf5Reason((e as Error).message) ?? String(e));
  }
  try {
    if (!writtenByLatentXrd(file)) throw damaged('its marks are missing');
    for (const [name, digest] of Object.entries(expected.checksums)) {
      const dataset = file.get(name);
      if (!(dataset instanceof h5.Dataset)) throw damaged(`no "${name}"`);
      const shape = dataset.shape ?? [];
      if (shape[0] !== expected.count) throw damaged(`"${name}" has ${shape[0]} rows, not ${expected.count}`);
      const rowValues = shape.slice(1).reduce((a, b) => a * b, 1);
      const hash = new ArrayChecksums();
      readRows(dataset, expected.count, rowValues, (values) => hash.add(name, values));
      if ((hash.digests()[name] ?? createHash('sha256').digest('hex')) !== digest) throw damaged(`"${name}" differs`);
    }
  } catch (e) {
    throw e instanceof UserError ? e : damaged(hdf5Reason((e as Error).message) ?? String(e));
  } finally {
    try {
      file.close();
    } catch {
      // the verdict above stands
    }
  }
}

export interface Dataset {
  patterns: Float32Array;
  count: number;
  points: number;
  twoTheta: Float64Array;
  labels: Int32Array;
  /** Volume fraction of every phase in every pattern (count × phases; 0 where absent). */
  fractions: Float32Array;
  /**
   * Weight fraction of every phase in every pattern (count × phases; 0 where absent, each row
   * summing to 1), as quantitative phase analysis reports it. Absent from datasets written
   * before it was recorded.
   */
  weightFractions?: Float32Array;
  /** X-ray density of every phase, g/cm³ (absent from datasets written before it was recorded). */
  phaseDensities?: Float64Array;
  /** "known": the dataset's mixtures of known phases are trained on; "novel": held out (the paper's study, and every older dataset). */
  mixtureRole: MixtureRole;
  /** Role "known": the smallest weight fraction a phase has in the dataset's mixtures. */
  minimumWeightFraction?: number;
  phaseNames: string[];
  phaseRoles: string[];
  parameters: Record<string, Float32Array>;
  attributes: Record<string, unknown>;
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

/** Reads a whole dataset written by `generateDataset` (for tests, training and inspection). */
export async function readDataset(path: string): Promise<Dataset> {
  const h5 = await loadH5wasm();
  const bad = (why: string) => new UserError(`${path}: ${why}`);
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw bad('not a file, so not a dataset');
    size = stats.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw bad('no such dataset');
  }
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (e) {
    throw bad(`not a dataset Latent XRD can read: ${hdf5Reason((e as Error).message) ?? String(e)}`);
  }
  try {
    return readOpenDataset(h5, file, size, bad);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const reason = hdf5Reason((e as Error).message);
    if (reason) throw bad(`damaged: ${reason}`);
    throw e;
  } finally {
    try {
      file.close();
    } catch {
      // nothing more to learn from a file that would not close
    }
  }
}

function readOpenDataset(h5: H5, file: H5File, fileSize: number, bad: (why: string) => UserError): Dataset {
  if (scalarAttribute(file, 'software') !== DATASET_SOFTWARE) throw bad('not a latent-xrd dataset (its "software" attribute does not say latent-xrd)');
  const get = (name: string) => {
    const d = file.get(name);
    if (!(d instanceof h5.Dataset)) throw bad(`not a latent-xrd dataset (no "${name}")`);
    return d;
  };
  const expect = (name: string, d: H5Dataset, type: number, bytes: number, shape: number[]) => {
    const m = d.metadata;
    const actual = m.shape ?? [];
    const kind = (t: number, size: number) => `${t === H5T_FLOAT ? 'float' : t === H5T_INTEGER ? 'int' : 'non-numeric '}${size * 8}`;
    if (m.type !== type || m.size !== bytes || actual.length !== shape.length || actual.some((n, i) => n !== shape[i])) {
      throw bad(`"${name}" is ${kind(m.type, m.size)} of shape [${actual.join(', ')}], not the ${kind(type, bytes)} of shape [${shape.join(', ')}] its patterns call for`);
    }
  };
  const patterns = get('patterns');
  const shape = patterns.metadata.shape ?? [];
  if (shape.length !== 2) throw bad(`"patterns" has shape [${shape.join(', ')}], not [patterns, points]`);
  const [count, points] = shape;
  if (!(points >= 2)) throw bad(`"patterns" has ${points} points per pattern`);
  const bytes = patternBytes(count, points);
  if (bytes > MAX_DATASET_BYTES) {
    throw bad(`"patterns" claims ${count} × ${points} values (${(bytes / 2 ** 30).toFixed(1)} GiB); a dataset holds at most ${MAX_DATASET_BYTES / 2 ** 30} GiB`);
  }
  // Latent XRD writes its arrays uncompressed: a file smaller than its patterns is damaged or crafted.
  if (bytes > fileSize) throw bad(`"patterns" claims ${bytes} bytes of values, but the file has ${fileSize}: damaged, or not written by Latent XRD`);
  expect('patterns', patterns, H5T_FLOAT, 4, [count, points]);
  const phaseNamesSet = get('phase_names');
  const phases = phaseNamesSet.metadata.shape?.[0] ?? 0;
  // Each name takes at least a 16-byte heap reference in the file: more phases than that is crafted.
  if (phaseNamesSet.metadata.shape?.length !== 1 || phases < 1 || phases * 16 > fileSize) throw bad(`"phase_names" lists ${phases} phases`);
  const labelsSet = get('labels');
  const fractionsSet = get('fractions');
  const twoThetaSet = get('two_theta');
  const rolesSet = get('phase_roles');
  expect('labels', labelsSet, H5T_INTEGER, 4, [count]);
  expect('fractions', fractionsSet, H5T_FLOAT, 4, [count, phases]);
  // float64 (datasets written by earlier versions hold float32, h5wasm having read '<f8' as '<f'): either is read.
  expect('two_theta', twoThetaSet, H5T_FLOAT, twoThetaSet.metadata.size === 8 ? 8 : 4, [points]);
  if (rolesSet.metadata.shape?.[0] !== phases) throw bad(`"phase_roles" does not list the ${phases} phases of "phase_names"`);

  const checksums = new ArrayChecksums();
  const readAll = <T extends Float32Array | Int32Array>(name: string, d: H5Dataset, into: T, rowValues: number): T => {
    readRows(d, count, rowValues, (values, first) => {
      into.set(values, first * rowValues);
      checksums.add(name, values);
    });
    return into;
  };
  const patternValues = readAll('patterns', patterns, new Float32Array(count * points), points);
  const labels = readAll('labels', labelsSet, new Int32Array(count), 1);
  const fractions = readAll('fractions', fractionsSet, new Float32Array(count * phases), phases);
  const weightsSet = file.get('weight_fractions');
  let weightFractions: Float32Array | undefined;
  if (weightsSet !== null) {
    if (!(weightsSet instanceof h5.Dataset)) throw bad('"weight_fractions" is not an array');
    expect('weight_fractions', weightsSet, H5T_FLOAT, 4, [count, phases]);
    weightFractions = readAll('weight_fractions', weightsSet, new Float32Array(count * phases), phases);
  }
  const densitiesSet = file.get('phase_densities');
  let phaseDensities: Float64Array | undefined;
  if (densitiesSet !== null) {
    if (!(densitiesSet instanceof h5.Dataset)) throw bad('"phase_densities" is not an array');
    expect('phase_densities', densitiesSet, H5T_FLOAT, densitiesSet.metadata.size === 8 ? 8 : 4, [phases]);
    phaseDensities = Float64Array.from(densitiesSet.value as Float32Array | Float64Array);
    phaseDensities.forEach((rho, p) => {
      if (!(rho > 0 && Number.isFinite(rho))) throw bad(`phase_densities, phase ${p}: not a density (${rho})`);
    });
  }
  const role = scalarAttribute(file, MIXTURE_ROLE_ATTRIBUTE);
  if (role !== undefined && role !== 'known' && role !== 'novel') throw bad(`its "${MIXTURE_ROLE_ATTRIBUTE}" attribute is neither "known" nor "novel"`);
  const minimum = scalarAttribute(file, MINIMUM_WEIGHT_FRACTION_ATTRIBUTE);
  if (role === 'known' && !(typeof minimum === 'number' && minimum > 0 && minimum <= 0.5)) throw bad(`its mixtures are to be trained on, but its "${MINIMUM_WEIGHT_FRACTION_ATTRIBUTE}" attribute is not a weight fraction in (0, 0.5]`);
  const parameters: Record<string, Float32Array> = {};
  const group = file.get('parameters');
  if (group instanceof h5.Group) {
    for (const name of group.keys()) {
      const d = group.get(name);
      if (!(d instanceof h5.Dataset)) continue;
      const perPhase = (d.metadata.shape?.length ?? 0) === 2;
      expect(`parameters/${name}`, d, H5T_FLOAT, 4, perPhase ? [count, phases] : [count]);
      parameters[name] = readAll(`parameters/${name}`, d, new Float32Array(count * (perPhase ? phases : 1)), perPhase ? phases : 1);
    }
  }
  const twoTheta = Float64Array.from(twoThetaSet.value as Float32Array | Float64Array);
  const phaseNames = (phaseNamesSet.value as string[]).map(String);
  const phaseRoles = (rolesSet.value as string[]).map(String);

  const recorded = scalarAttribute(file, CHECKSUM_ATTRIBUTE);
  if (typeof recorded === 'string') {
    const digests = checksums.digests();
    let expected: Record<string, string>;
    try {
      expected = JSON.parse(recorded);
    } catch {
      throw bad(`its "${CHECKSUM_ATTRIBUTE}" attribute is not JSON`);
    }
    const differing = Object.keys(expected).filter((name) => digests[name] !== expected[name]);
    if (differing.length) throw bad(`damaged: ${differing.join(', ')} do not match the checksums written with them`);
  }
  for (let i = 0; i < patternValues.length; i++) {
    if (!Number.isFinite(patternValues[i])) throw bad(`pattern ${Math.floor(i / points)}, point ${i % points}: not a finite number (${patternValues[i]})`);
  }
  for (const [name, values] of [['fractions', fractions], ['weight_fractions', weightFractions]] as const) {
    if (!values) continue;
    for (let i = 0; i < values.length; i++) {
      if (!(values[i] >= 0 && values[i] <= 1)) throw bad(`${name} of pattern ${Math.floor(i / phases)}: not a fraction in [0, 1] (${values[i]})`);
    }
  }
  for (let i = 0; i < count; i++) {
    if (labels[i] < -1 || labels[i] >= phases) throw bad(`pattern ${i}: label ${labels[i]} names no phase (${phases} phases; −1 for mixtures)`);
  }
  for (let i = 0; i < points; i++) {
    if (!Number.isFinite(twoTheta[i])) throw bad(`two_theta, point ${i}: not a finite number`);
  }
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(file.attrs)) attributes[name] = scalarAttribute(file, name);
  return { patterns: patternValues, count, points, twoTheta, labels, fractions, weightFractions, phaseDensities, mixtureRole: role === 'known' ? 'known' : 'novel', minimumWeightFraction: role === 'known' ? (minimum as number) : undefined, phaseNames, phaseRoles, parameters, attributes };
}
