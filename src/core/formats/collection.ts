// The `.xrd` collection: many patterns in one JSON file, with optional sample positions on a
// wafer and compositions (a materials library) or a synthetic set. Its JSON Schema is
// schemas/xrd-collection.schema.json; `parseCollection` applies the same rules with line and
// column, so a broken file says where it is broken.
import type { Diagnostic } from '../diagnostics';
import { UserError } from '../diagnostics';
import { JsonSyntaxError, parseJsonWithLocations } from '../util/json-locations';
import type { MeasuredPattern } from './pattern';

export const COLLECTION_FORMAT = 'latent-xrd-collection';
export const COLLECTION_VERSION = 1;

export interface CollectionSample {
  id: string;
  /** Position on the wafer (mm from its centre). */
  x?: number;
  y?: number;
  /** Element → fraction (normalised to sum 1 when read). */
  composition?: Record<string, number>;
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
    try {
      parseJsonWithLocations(text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) throw new UserError(`${file}:${e.range.line}:${e.range.column}: not valid JSON: ${e.message}`, [{ severity: 'error', message: `not valid JSON: ${e.message}`, range: e.range }], file);
      throw e;
    }
    throw new UserError(`${file}: not valid JSON`, [], file);
  }
  const problems: { path: (string | number)[]; message: string }[] = [];
  const collection = validateCollection(root, file, (path, message) => problems.push({ path, message }));
  if (problems.length || !collection) {
    const located = parseJsonWithLocations(text);
    const diagnostics: Diagnostic[] = problems.map(({ path, message }) => ({ severity: 'error', message: `${path.length ? path.join('.') + ': ' : ''}${message}`, range: located.locate(path), code: 'collection.invalid' }));
    throw collectionError(file, diagnostics);
  }
  return collection;
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
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail([...path, k], `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
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
      if (s.conversionWavelength !== undefined && !(isFiniteNumber(s.conversionWavelength) && s.conversionWavelength > 0)) fail(['source', 'conversionWavelength'], 'expected a wavelength > 0 (Å)');
      if (s.wavelengthStated !== undefined && typeof s.wavelengthStated !== 'boolean') fail(['source', 'wavelengthStated'], 'expected true or false');
      source = s as CollectionSource;
    }
  }
  let twoTheta: Float64Array | undefined;
  if (Array.isArray(root.twoTheta)) {
    if (!root.twoTheta.every(isFiniteNumber) || root.twoTheta.length < 2) fail(['twoTheta'], 'expected at least two finite numbers (degrees)');
    else twoTheta = Float64Array.from(root.twoTheta as number[]);
  } else if (isObject(root.grid)) {
    const { min, max, points } = root.grid;
    if (!isFiniteNumber(min) || !isFiniteNumber(max) || !Number.isInteger(points) || (points as number) < 2 || max <= min) fail(['grid'], 'expected {"min", "max", "points"} with max > min and points ≥ 2');
    else twoTheta = Float64Array.from({ length: points as number }, (_, i) => min + (i * (max - min)) / ((points as number) - 1));
  } else fail([], 'give the 2θ axis as "twoTheta": [...] or "grid": {"min", "max", "points"}');
  const samples: CollectionSample[] = [];
  if (!Array.isArray(root.samples) || root.samples.length === 0) fail(['samples'], 'expected a non-empty array of samples');
  else {
    const ids = new Set<string>();
    root.samples.forEach((s, i) => {
      const at = ['samples', i];
      if (!isObject(s)) return fail(at, 'a sample is an object');
      unknownKeys(s, ['id', 'x', 'y', 'composition', 'intensity', 'flagged', 'note'], at);
      const id = typeof s.id === 'string' ? s.id : String(i + 1);
      if (ids.has(id)) fail([...at, 'id'], `duplicate sample id "${id}"`);
      ids.add(id);
      if (!Array.isArray(s.intensity)) return fail([...at, 'intensity'], 'expected an array of intensities');
      const intensity = new Float64Array(s.intensity.length);
      for (let k = 0; k < intensity.length; k++) {
        const v = s.intensity[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) return fail([...at, 'intensity', k], `not a finite number (sample ${id}, point ${k + 1})`);
        intensity[k] = v;
      }
      if (twoTheta && intensity.length !== twoTheta.length) return fail([...at, 'intensity'], `has ${intensity.length} points but the 2θ axis has ${twoTheta.length}`);
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
          if (total <= 0) fail([...at, 'composition'], 'fractions sum to zero');
          else sample.composition = Object.fromEntries(Object.entries(s.composition as Record<string, number>).map(([e, v]) => [e, v / total]));
        }
      }
      if (s.flagged === true) sample.flagged = true;
      if (typeof s.note === 'string') sample.note = s.note;
      samples.push(sample);
    });
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
