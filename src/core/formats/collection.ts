// The `.xrd` collection: many patterns in one JSON file, with optional sample positions on a
// wafer and compositions (a materials library) or a synthetic set. Its JSON Schema is
// schemas/xrd-collection.schema.json; `parseCollection` applies the same rules with line and
// column, so a broken file says where it is broken.
import type { Diagnostic } from '../diagnostics';
import { UserError } from '../diagnostics';
import { implausibleWavelength } from '../diffraction/wavelengths';
import { JsonSyntaxError, parseJsonWithLocations, type LocatedJson } from '../util/json-locations';
import { MAX_COLLECTION_SAMPLES, MAX_PATTERN_POINTS, tooManyPoints } from './limits';
import { quoteForMessage, quoteName } from './located';
import { twoThetaProblem, type MeasuredPattern } from './pattern';
import type { SampleIdentity } from '../../shared/vocabulary';

export const COLLECTION_FORMAT = 'latent-xrd-collection';
export const COLLECTION_VERSION = 1;

export interface CollectionSample extends SampleIdentity {
  /** On the collection's 2θ axis. */
  intensity: Float64Array;
  /** A user's mark (the editor toggles it). */
  flagged?: boolean;
  note?: string;
}

/**
 * Where an imported collection came from and what was done to its axis on the way in, so that
 * a reader can tell a stated wavelength from an assumed one.
 */
export interface CollectionSource {
  /** Files, publication, or the command that made it. */
  description?: string;
  /** The axis the source gives its intensities on ("2theta" or "q"); converted to 2θ when read. */
  axis?: '2theta' | 'q';
  /** Unit of that axis as the source gives it: "deg", "nm^-1" or "A^-1". */
  axisUnit?: 'deg' | 'nm^-1' | 'A^-1';
  /** Å used to convert a Q axis to 2θ (an assumption when the source does not state one). */
  conversionWavelength?: number;
  /** Whether the source states the wavelength it was measured with. */
  wavelengthStated?: boolean;
}

export interface Collection {
  title: string;
  kind: 'library' | 'synthetic';
  wavelength?: number;
  waferDiameter?: number;
  /** Free text shown with the collection: caveats of the data, how it was made. */
  note?: string;
  source?: CollectionSource;
  twoTheta: Float64Array;
  samples: CollectionSample[];
}

const SOURCE_KEYS = ['description', 'axis', 'axisUnit', 'conversionWavelength', 'wavelengthStated'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a collection; every problem is a diagnostic with line and column, thrown together.
 * Libraries are large (hundreds of samples × thousands of points), so the text is read with the
 * native JSON parser first, and the slower parse that records every value's position is run only
 * when there is a problem to point at.
 */
export function parseCollection(text: string, file = 'collection.xrd'): Collection {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    locatedJson(text, file);
    throw new UserError(`${file}: not valid JSON`, [], file);
  }
  const problems: { path: (string | number)[]; message: string }[] = [];
  const collection = validateCollection(root, file, (path, message) => problems.push({ path, message }));
  if (problems.length || !collection) {
    const located = locatedJson(text, file);
    const diagnostics: Diagnostic[] = problems.map(({ path, message }) => ({ severity: 'error', message: `${path.length ? path.join('.') + ': ' : ''}${message}`, range: located.locate(path), code: 'collection.invalid' }));
    throw collectionError(file, diagnostics);
  }
  return collection;
}

/** The text parsed again with every value's position; what that parser refuses is an error at its place. */
function locatedJson(text: string, file: string): LocatedJson {
  try {
    return parseJsonWithLocations(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const message = e.message.includes('nested more than') ? e.message : `not valid JSON: ${e.message}`;
    throw new UserError(`${file}:${e.range.line}:${e.range.column}: ${message}`, [{ severity: 'error', message, range: e.range }], file);
  }
}

type Problem = (path: (string | number)[], message: string) => void;

function validateCollection(root: unknown, file: string, problem: Problem): Collection | undefined {
  if (!isObject(root)) {
    problem([], 'a collection is a JSON object');
    return undefined;
  }
  let failed = false;
  const fail: Problem = (path, message) => {
    failed = true;
    problem(path, message);
  };
  const unknownKeys = (obj: Record<string, unknown>, allowed: string[], path: (string | number)[]) => {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail([...path, k], `unknown key ${quoteForMessage(k)} (allowed: ${allowed.join(', ')})`);
  };
  unknownKeys(root, ['$schema', 'format', 'version', 'title', 'kind', 'wavelength', 'waferDiameter', 'note', 'source', 'twoTheta', 'grid', 'samples'], []);
  if (root.format !== COLLECTION_FORMAT) fail(['format'], `expected "format": "${COLLECTION_FORMAT}"`);
  if (typeof root.version === 'number' && root.version > COLLECTION_VERSION) fail(['version'], `written by a newer latent-xrd (version ${root.version}); update to read it`);
  if (root.note !== undefined && typeof root.note !== 'string') fail(['note'], 'expected a string');
  let source: CollectionSource | undefined;
  if (root.source !== undefined) {
    const s = root.source;
    if (!isObject(s)) fail(['source'], 'expected an object');
    else {
      unknownKeys(s, SOURCE_KEYS, ['source']);
      if (s.description !== undefined && typeof s.description !== 'string') fail(['source', 'description'], 'expected a string');
      if (s.axis !== undefined && s.axis !== '2theta' && s.axis !== 'q') fail(['source', 'axis'], 'expected "2theta" or "q"');
      if (s.axisUnit !== undefined && s.axisUnit !== 'deg' && s.axisUnit !== 'nm^-1' && s.axisUnit !== 'A^-1') fail(['source', 'axisUnit'], 'expected "deg", "nm^-1" or "A^-1"');
      if (s.conversionWavelength !== undefined) {
        const problem = isFiniteNumber(s.conversionWavelength) ? implausibleWavelength(s.conversionWavelength) : 'expected a wavelength (Å)';
        if (problem) fail(['source', 'conversionWavelength'], problem);
      }
      if (s.wavelengthStated !== undefined && typeof s.wavelengthStated !== 'boolean') fail(['source', 'wavelengthStated'], 'expected true or false');
      source = s as CollectionSource;
    }
  }
  for (const key of ['wavelength', 'waferDiameter'] as const) {
    const v = root[key];
    if (v === undefined) continue;
    const problem = !isFiniteNumber(v) ? 'expected a number' : key === 'wavelength' ? implausibleWavelength(v) : v > 0 ? undefined : 'expected a diameter > 0 (mm)';
    if (problem) fail([key], problem);
  }
  const twoTheta = readAxis(root, fail);
  const samples: CollectionSample[] = [];
  if (!Array.isArray(root.samples) || root.samples.length === 0) fail(['samples'], 'expected a non-empty array of samples');
  else if (root.samples.length > MAX_COLLECTION_SAMPLES) fail(['samples'], `${root.samples.length} samples is more than a collection may have (${MAX_COLLECTION_SAMPLES.toLocaleString('en-US')})`);
  else {
    const ids = new Set<string>();
    for (let i = 0; i < root.samples.length; i++) {
      const s: unknown = root.samples[i];
      const at = ['samples', i];
      if (!isObject(s)) {
        fail(at, 'a sample is an object');
        continue;
      }
      unknownKeys(s, ['id', 'x', 'y', 'composition', 'intensity', 'flagged', 'note'], at);
      const id = typeof s.id === 'string' ? s.id : String(i + 1);
      if (ids.has(id)) fail([...at, 'id'], `duplicate sample id ${quoteForMessage(id)}`);
      ids.add(id);
      if (!Array.isArray(s.intensity)) {
        fail([...at, 'intensity'], 'expected an array of intensities');
        continue;
      }
      // Sizes first, so that nothing is allocated for a sample that cannot be used.
      if (twoTheta && s.intensity.length !== twoTheta.length) {
        fail([...at, 'intensity'], `has ${s.intensity.length} points but the 2θ axis has ${twoTheta.length}`);
        continue;
      }
      const intensity = readIntensities(s.intensity, id, at, fail);
      if (!intensity) continue;
      const sample: CollectionSample = { id, intensity };
      for (const k of ['x', 'y'] as const) {
        if (s[k] === undefined) continue;
        if (isFiniteNumber(s[k])) sample[k] = s[k] as number;
        else fail([...at, k], 'expected a number (mm)');
      }
      if (s.composition !== undefined) {
        if (!isObject(s.composition) || !Object.values(s.composition).every((v) => isFiniteNumber(v) && v >= 0)) fail([...at, 'composition'], 'expected {"element": fraction ≥ 0, …}');
        else {
          const total = Object.values(s.composition as Record<string, number>).reduce((a, b) => a + b, 0);
          if (!(total > 0) || !Number.isFinite(total)) fail([...at, 'composition'], total > 0 ? 'the fractions sum past the range of a double' : 'fractions sum to zero');
          else sample.composition = Object.fromEntries(Object.entries(s.composition as Record<string, number>).map(([e, v]) => [e, v / total]));
        }
      }
      if (s.flagged === true) sample.flagged = true;
      if (typeof s.note === 'string') sample.note = s.note;
      samples.push(sample);
    }
  }
  if (failed || !twoTheta) return undefined;
  const kind = root.kind === 'synthetic' ? 'synthetic' : 'library';
  const collection: Collection = {
    title: typeof root.title === 'string' ? root.title : file,
    kind,
    wavelength: isFiniteNumber(root.wavelength) ? root.wavelength : undefined,
    waferDiameter: isFiniteNumber(root.waferDiameter) ? root.waferDiameter : undefined,
    twoTheta,
    samples,
  };
  if (typeof root.note === 'string') collection.note = root.note;
  if (source) collection.source = source;
  return collection;
}

/**
 * The 2θ axis, as a list or as an even grid, checked for size before anything is allocated and
 * then as every pattern's axis is: angles (|2θ| ≤ 180°) that strictly increase.
 */
function readAxis(root: Record<string, unknown>, fail: Problem): Float64Array | undefined {
  let axis: Float64Array;
  let path: string[];
  if (Array.isArray(root.twoTheta)) {
    path = ['twoTheta'];
    if (root.twoTheta.length > MAX_PATTERN_POINTS) return void fail(path, tooManyPoints(root.twoTheta.length));
    if (root.twoTheta.length < 2 || !root.twoTheta.every(isFiniteNumber)) return void fail(path, 'expected at least two finite numbers (degrees)');
    axis = Float64Array.from(root.twoTheta as number[]);
  } else if (isObject(root.grid)) {
    path = ['grid'];
    const { min, max, points } = root.grid;
    if (!isFiniteNumber(min) || !isFiniteNumber(max) || !Number.isInteger(points) || (points as number) < 2 || max <= min) return void fail(path, 'expected {"min", "max", "points"} with max > min and points ≥ 2');
    if ((points as number) > MAX_PATTERN_POINTS) return void fail([...path, 'points'], tooManyPoints(points as number));
    for (const [key, v] of [['min', min], ['max', max]] as const) {
      const problem = twoThetaProblem(v);
      if (problem) return void fail([...path, key], problem);
    }
    const n = points as number;
    axis = new Float64Array(n);
    for (let i = 0; i < n; i++) axis[i] = min + (i * (max - min)) / (n - 1);
  } else return void fail([], 'give the 2θ axis as "twoTheta": [...] or "grid": {"min", "max", "points"}');
  for (let i = 0; i < axis.length; i++) {
    const problem = twoThetaProblem(axis[i]) ?? (i > 0 && !(axis[i] > axis[i - 1]) ? `2θ does not increase at point ${i + 1} (${axis[i - 1]}°, then ${axis[i]}°)` : undefined);
    if (problem) return void fail(path, `point ${i + 1}: ${problem}`);
  }
  return axis;
}

/** One sample's intensities as a typed array, or undefined (with the problem said) when one is not a finite number. */
function readIntensities(values: unknown[], id: string, at: (string | number)[], fail: Problem): Float64Array | undefined {
  const intensity = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return void fail([...at, 'intensity', k], `not a finite number (sample ${quoteName(id)}, point ${k + 1})`);
    intensity[k] = v;
  }
  return intensity;
}

function collectionError(file: string, diagnostics: Diagnostic[]): UserError {
  const first = diagnostics[0];
  const where = first?.range ? `:${first.range.line}:${first.range.column}` : '';
  return new UserError(`${file}${where}: ${first?.message ?? 'not a collection'}${diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problems)` : ''}`, diagnostics, file);
}

/** One sample as a measured pattern (what scoring reads). */
export function samplePattern(collection: Collection, index: number): MeasuredPattern {
  return { twoTheta: collection.twoTheta, intensity: collection.samples[index].intensity, wavelength: collection.wavelength };
}

/**
 * `v` to `digits` significant digits, as the shortest text that reads back as that value.
 * (Number(v.toPrecision(d)) does the same, ~5× slower: a library's million values are the
 * whole cost of writing it.)
 */
export function formatSignificant(v: number, digits: number): string {
  if (v === 0 || !Number.isFinite(v)) return v === 0 ? '0' : String(v);
  const decimals = digits - 1 - Math.floor(Math.log10(Math.abs(v)));
  if (decimals > 15 || decimals < -15) return String(Number(v.toPrecision(digits)));
  if (decimals >= 0) {
    // Integer digits and a decimal point placed by hand: integer-to-text is much cheaper than
    // the shortest-round-trip conversion of a fraction.
    const n = Math.round(Math.abs(v) * 10 ** decimals);
    if (n === 0) return '0';
    let text = String(n);
    if (decimals > 0) {
      if (text.length <= decimals) text = '0'.repeat(decimals - text.length + 1) + text;
      let end = text.length;
      while (end > text.length - decimals && text.charCodeAt(end - 1) === 48) end--;
      const point = text.length - decimals;
      text = end > point ? `${text.slice(0, point)}.${text.slice(point, end)}` : text.slice(0, point);
    }
    return v < 0 ? '-' + text : text;
  }
  const scale = 10 ** -decimals;
  return String(Math.round(v / scale) * scale);
}

function numberList(values: ArrayLike<number>, digits: number): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = formatSignificant(values[i], digits);
  return '[' + parts.join(',') + ']';
}

/** A collection as text, numbers rounded to what a diffractometer resolves. */
export function writeCollection(c: Collection): string {
  const round = (v: number, digits: number) => Number(v.toPrecision(digits));
  const samples = c.samples.map((s) => {
    const out: Record<string, unknown> = { id: s.id };
    if (s.x !== undefined) out.x = round(s.x, 6);
    if (s.y !== undefined) out.y = round(s.y, 6);
    if (s.composition) out.composition = Object.fromEntries(Object.entries(s.composition).map(([e, v]) => [e, round(v, 5)]));
    if (s.flagged) out.flagged = true;
    if (s.note) out.note = s.note;
    const head = JSON.stringify(out);
    return `    ${head.slice(0, -1)},"intensity":${numberList(s.intensity, 5)}}`;
  });
  const header: Record<string, unknown> = { format: COLLECTION_FORMAT, version: COLLECTION_VERSION, title: c.title, kind: c.kind };
  if (c.wavelength) header.wavelength = c.wavelength;
  if (c.waferDiameter) header.waferDiameter = c.waferDiameter;
  if (c.note) header.note = c.note;
  if (c.source) header.source = c.source;
  header.twoTheta = Array.from(c.twoTheta, (v) => round(v, 7));
  const head = JSON.stringify(header, null, 2);
  return `${head.slice(0, -2)},\n  "samples": [\n${samples.join(',\n')}\n  ]\n}\n`;
}
