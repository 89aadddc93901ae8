// The `.xrd` collection: many patterns in one JSON file, with optional sample positions on a
// wafer and compositions (a materials library) or a synthetic set. Its JSON Schema is
// schemas/xrd-collection.schema.json; `parseCollection` applies the same rules with line and
// column, so a broken file says where it is broken.
import type { Diagnostic } from '../diagnostics';
import { UserError } from '../diagnostics';
import { JsonSyntaxError, parseJsonWithLocations } from '../util/json-locations';
import type { MeasuredPattern } from './xy';

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

export interface Collection {
  title: string;
  kind: 'library' | 'synthetic';
  wavelength?: number;
  waferDiameter?: number;
  twoTheta: Float64Array;
  samples: CollectionSample[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads a collection; every problem is a diagnostic with line and column, thrown together. */
export function parseCollection(text: string, file = 'collection.xrd'): Collection {
  let located;
  try {
    located = parseJsonWithLocations(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new UserError(`${file}:${e.range.line}:${e.range.column}: not valid JSON: ${e.message}`, [{ severity: 'error', message: `not valid JSON: ${e.message}`, range: e.range }], file);
    throw e;
  }
  const diagnostics: Diagnostic[] = [];
  const problem = (path: (string | number)[], message: string) => diagnostics.push({ severity: 'error', message: `${path.length ? path.join('.') + ': ' : ''}${message}`, range: located.locate(path), code: 'collection.invalid' });
  const root = located.value;
  if (!isObject(root)) {
    problem([], 'a collection is a JSON object');
    throw collectionError(file, diagnostics);
  }
  const unknownKeys = (obj: Record<string, unknown>, allowed: string[], path: (string | number)[]) => {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) problem([...path, k], `unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  };
  unknownKeys(root, ['$schema', 'format', 'version', 'title', 'kind', 'wavelength', 'waferDiameter', 'twoTheta', 'grid', 'samples'], []);
  if (root.format !== COLLECTION_FORMAT) problem(['format'], `expected "format": "${COLLECTION_FORMAT}"`);
  if (typeof root.version === 'number' && root.version > COLLECTION_VERSION) problem(['version'], `written by a newer latent-xrd (version ${root.version}); update to read it`);
  let twoTheta: Float64Array | undefined;
  if (Array.isArray(root.twoTheta)) {
    if (!root.twoTheta.every(isFiniteNumber) || root.twoTheta.length < 2) problem(['twoTheta'], 'expected at least two finite numbers (degrees)');
    else twoTheta = Float64Array.from(root.twoTheta as number[]);
  } else if (isObject(root.grid)) {
    const { min, max, points } = root.grid;
    if (!isFiniteNumber(min) || !isFiniteNumber(max) || !Number.isInteger(points) || (points as number) < 2 || max <= min) problem(['grid'], 'expected {"min", "max", "points"} with max > min and points ≥ 2');
    else twoTheta = Float64Array.from({ length: points as number }, (_, i) => min + (i * (max - min)) / ((points as number) - 1));
  } else problem([], 'give the 2θ axis as "twoTheta": [...] or "grid": {"min", "max", "points"}');
  const samples: CollectionSample[] = [];
  if (!Array.isArray(root.samples) || root.samples.length === 0) problem(['samples'], 'expected a non-empty array of samples');
  else {
    const ids = new Set<string>();
    root.samples.forEach((s, i) => {
      const at = ['samples', i];
      if (!isObject(s)) return problem(at, 'a sample is an object');
      unknownKeys(s, ['id', 'x', 'y', 'composition', 'intensity', 'flagged', 'note'], at);
      const id = typeof s.id === 'string' ? s.id : String(i + 1);
      if (ids.has(id)) problem([...at, 'id'], `duplicate sample id "${id}"`);
      ids.add(id);
      if (!Array.isArray(s.intensity)) return problem([...at, 'intensity'], 'expected an array of intensities');
      const bad = s.intensity.findIndex((v) => !isFiniteNumber(v));
      if (bad >= 0) return problem([...at, 'intensity', bad], `not a finite number (sample ${id}, point ${bad + 1})`);
      if (twoTheta && s.intensity.length !== twoTheta.length) return problem([...at, 'intensity'], `has ${s.intensity.length} points but the 2θ axis has ${twoTheta.length}`);
      const sample: CollectionSample = { id, intensity: Float64Array.from(s.intensity as number[]) };
      for (const k of ['x', 'y'] as const) {
        if (s[k] === undefined) continue;
        if (isFiniteNumber(s[k])) sample[k] = s[k] as number;
        else problem([...at, k], 'expected a number (mm)');
      }
      if (s.composition !== undefined) {
        if (!isObject(s.composition) || !Object.values(s.composition).every((v) => isFiniteNumber(v) && v >= 0)) problem([...at, 'composition'], 'expected {"element": fraction ≥ 0, …}');
        else {
          const total = Object.values(s.composition as Record<string, number>).reduce((a, b) => a + b, 0);
          if (total <= 0) problem([...at, 'composition'], 'fractions sum to zero');
          else sample.composition = Object.fromEntries(Object.entries(s.composition as Record<string, number>).map(([e, v]) => [e, v / total]));
        }
      }
      if (s.flagged === true) sample.flagged = true;
      if (typeof s.note === 'string') sample.note = s.note;
      samples.push(sample);
    });
  }
  if (diagnostics.length || !twoTheta) throw collectionError(file, diagnostics);
  const kind = root.kind === 'synthetic' ? 'synthetic' : 'library';
  return {
    title: typeof root.title === 'string' ? root.title : file,
    kind,
    wavelength: isFiniteNumber(root.wavelength) ? root.wavelength : undefined,
    waferDiameter: isFiniteNumber(root.waferDiameter) ? root.waferDiameter : undefined,
    twoTheta,
    samples,
  };
}

function collectionError(file: string, diagnostics: Diagnostic[]): UserError {
  const first = diagnostics[0];
  const where = first?.range ? `:${first.range.line}:${first.range.column}` : '';
  return new UserError(`${file}${where}: ${first?.message ?? 'not a collection'}${diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problems)` : ''}`, diagnostics, file);
}

/** One sample as a measured pattern (what scoring reads). */
export function samplePattern(collection: Collection, index: number): MeasuredPattern {
  return { twoTheta: collection.twoTheta, intensity: collection.samples[index].intensity };
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
    out.intensity = Array.from(s.intensity, (v) => round(v, 5));
    return '    ' + JSON.stringify(out);
  });
  const header: Record<string, unknown> = { format: COLLECTION_FORMAT, version: COLLECTION_VERSION, title: c.title, kind: c.kind };
  if (c.wavelength) header.wavelength = c.wavelength;
  if (c.waferDiameter) header.waferDiameter = c.waferDiameter;
  header.twoTheta = Array.from(c.twoTheta, (v) => round(v, 7));
  const head = JSON.stringify(header, null, 2);
  return `${head.slice(0, -2)},\n  "samples": [\n${samples.join(',\n')}\n  ]\n}\n`;
}
