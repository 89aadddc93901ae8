// A library published as NumPy arrays: intensities (samples × points), the axis they are on (Q
// or 2θ) and compositions (samples × elements), as the Bi–Cu–V–O library of the DRNets work
// (Chen et al., Nat. Mach. Intell. 3, 812 (2021)) is. A Q axis becomes 2θ at a stated
// wavelength, recorded in the collection with the axis and unit it came from.
import { basename } from 'node:path';
import { UserError } from '../diagnostics';
import { isElement } from '../crystal/elements';
import type { Collection, CollectionSample } from '../formats/collection';
import { CU_KALPHA1, qAxisToTwoTheta, resolveQUnit, type QUnit } from './axis';
import type { ImportResult } from './folder';
import { matrixShape, type NpyArray } from './npy';
import { MAX_COLLECTION_SAMPLES, MAX_PATTERN_POINTS, tooManyPoints } from '../formats/limits';
import { quoteForMessage } from '../formats/located';

export interface NpyImportInput {
  intensities: { array: NpyArray; file: string };
  /** The axis: a Q axis (`q`) or a 2θ axis (`twoTheta`), one value per column of intensities. */
  q?: { array: NpyArray; file: string; unit?: QUnit };
  twoTheta?: { array: NpyArray; file: string };
  composition?: { array: NpyArray; file: string };
  /** One per composition column; default: E1, E2, … (unnamed). */
  elements?: string[];
  /** Å for converting Q to 2θ; default Cu Kα1. */
  wavelength?: number;
  title?: string;
}

export function importNpy(input: NpyImportInput): ImportResult {
  const notes: string[] = [];
  const { intensities } = input;
  const shape = matrixShape(intensities.array, intensities.file, 'intensities (samples × points)');
  if (shape.columns > MAX_PATTERN_POINTS) throw new UserError(`${intensities.file}: ${tooManyPoints(shape.columns)}`, [], intensities.file);
  if (shape.rows > MAX_COLLECTION_SAMPLES) throw new UserError(`${intensities.file}: ${shape.rows} samples is more than a collection may have (${MAX_COLLECTION_SAMPLES.toLocaleString('en-US')})`, [], intensities.file);
  if ((input.q ? 1 : 0) + (input.twoTheta ? 1 : 0) !== 1) throw new UserError('give the axis of the intensities: a Q axis or a 2θ axis (one of them)');
  const axisInput = (input.q ?? input.twoTheta)!;
  if (axisInput.array.data.length !== shape.columns) {
    throw new UserError(`${axisInput.file}: ${axisInput.array.data.length} axis values, but ${intensities.file} has ${shape.columns} points per sample`);
  }
  const wavelength = input.wavelength ?? CU_KALPHA1;
  let twoTheta: Float64Array;
  let source: Collection['source'];
  if (input.q) {
    const { unit, guessed } = resolveQUnit(input.q.array.data, wavelength, input.q.unit);
    if (guessed) notes.push(`${input.q.file}: Q unit not given; read as ${unit} (${unit === 'nm^-1' ? `Q reaches ${largest(input.q.array.data).toPrecision(4)}, past 4π/λ = ${((4 * Math.PI) / wavelength).toPrecision(4)} Å⁻¹` : 'every value is below 4π/λ in Å⁻¹'}); say --q-unit to be sure`);
    twoTheta = qAxisToTwoTheta(input.q.array.data, unit, wavelength, input.q.file);
    notes.push(`Q (${unit}) converted to 2θ for λ = ${wavelength} Å${input.wavelength === undefined ? ' (Cu Kα1, assumed)' : ''}: ${twoTheta[0].toFixed(3)}–${twoTheta[twoTheta.length - 1].toFixed(3)}°`);
    source = { description: `${basename(input.intensities.file)} on the Q axis of ${basename(input.q.file)}`, axis: 'q', axisUnit: unit, conversionWavelength: wavelength };
  } else {
    twoTheta = Float64Array.from(input.twoTheta!.array.data);
    source = { description: `${basename(input.intensities.file)} on the 2θ axis of ${basename(input.twoTheta!.file)}`, axis: '2theta', axisUnit: 'deg' };
  }
  for (let i = 1; i < twoTheta.length; i++) if (!(twoTheta[i] > twoTheta[i - 1])) throw new UserError(`${axisInput.file}: the axis must increase (value ${i + 1} does not)`);
  let compositions: NpyArray | undefined;
  let elements: string[] = [];
  if (input.composition) {
    compositions = input.composition.array;
    const c = matrixShape(compositions, input.composition.file, 'compositions (samples × elements)');
    if (c.rows !== shape.rows) throw new UserError(`${input.composition.file}: ${c.rows} compositions for ${shape.rows} patterns in ${intensities.file}`);
    elements = input.elements ?? Array.from({ length: c.columns }, (_, k) => `E${k + 1}`);
    if (elements.length !== c.columns) throw new UserError(`${input.composition.file}: ${c.columns} composition columns but ${elements.length} element names (${elements.join(', ')})`);
    const bad = elements.find((e) => input.elements && !isElement(e));
    if (bad) throw new UserError(`--elements: ${quoteForMessage(bad)} is not an element symbol`);
    if (!input.elements) notes.push(`composition columns unnamed: called ${elements.join(', ')}; name them with --elements`);
  }
  const samples: CollectionSample[] = [];
  for (let i = 0; i < shape.rows; i++) {
    const sample: CollectionSample = { id: String(i + 1), intensity: intensities.array.data.slice(i * shape.columns, (i + 1) * shape.columns) };
    if (compositions) {
      const row = compositions.data.subarray(i * elements.length, (i + 1) * elements.length);
      const total = row.reduce((a, b) => a + b, 0);
      if (!(total > 0) || row.some((v) => !(v >= 0))) throw new UserError(`${input.composition!.file}: row ${i + 1} is not a composition (${quoteForMessage(Array.from(row).join(', '))})`);
      sample.composition = Object.fromEntries(elements.map((e, k) => [e, row[k] / total]));
    }
    samples.push(sample);
  }
  const collection: Collection = {
    title: input.title ?? `${elements.length ? elements.join('–') + ' ' : ''}library (${samples.length} samples)`,
    kind: 'library',
    twoTheta,
    samples,
    source,
  };
  if (input.q) {
    // The 2θ axis was made with this wavelength, so d-spacings read from it give back the source's Q exactly.
    collection.wavelength = wavelength;
    collection.note = `Intensities published on a Q axis (${source!.axisUnit}); converted to 2θ with λ = ${wavelength} Å${input.wavelength === undefined ? ' (Cu Kα1, an assumption of the import, not a statement of the source)' : ''}. The arrays give no wafer positions; sample ids are row numbers.`;
  }
  return { collection, notes };
}

function largest(values: Float64Array): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}
