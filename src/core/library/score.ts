// Scoring every sample of a collection against a model, in batches: each sample prepared as a
// measured pattern is (background, wavelength, resampling onto the model's grid, scaling), and — for a conditional model —
// its composition fed in over the model's elements.
import { UserError } from '../diagnostics';
import { samplePattern, type Collection, type CollectionSample } from '../formats/collection';
import type { MeasuredPattern } from '../formats/pattern';
import type { PreparedPattern } from '../preprocess/prepare';
import { measuredSpan, type PatternScore, type Scorer } from '../model/score';
import type { PreprocessOptions } from '../preprocess/options';
import { quoteForMessage } from '../formats/located';
import type { SampleIdentity } from '../../shared/vocabulary';

export interface SampleScore extends PatternScore, SampleIdentity {
  /** Fraction of the model's 2θ range the sample's axis covers. */
  coverage: number;
}

/** A sample that could not be scored, with why (its id and position kept for lists and maps). */
export interface SampleFailure extends SampleIdentity {
  error: string;
}

export type SampleResult = SampleScore | SampleFailure;

export interface CollectionScores {
  samples: SampleScore[];
  /** The preparation steps of the first sample (every sample shares the collection's axis). */
  steps: string[];
  /** The composition elements fed to a conditional model, in its order. */
  compositionElements?: string[];
}

export interface CollectionResults extends Omit<CollectionScores, 'samples'> {
  /** In the collection's order: each sample's score, or its error. */
  samples: SampleResult[];
}

/** Share of a sample's composition a model may not know about before its score means nothing. */
const FOREIGN_TOLERANCE = 0.01;

/**
 * A conditional model's composition input for each sample, over the model's elements, and for
 * each sample that cannot have one why not: no composition, or more than a trace of an element
 * the model was not trained on.
 */
function compositionRows(samples: readonly Pick<CollectionSample, 'id' | 'composition'>[], elements: string[]): { rows: Float32Array; missing: boolean[]; foreign: (string | undefined)[] } {
  const rows = new Float32Array(samples.length * elements.length);
  const missing = samples.map((s) => !s.composition);
  const foreign: (string | undefined)[] = samples.map(() => undefined);
  samples.forEach((s, i) => {
    if (!s.composition) return;
    let known = 0;
    for (const e of elements) known += s.composition[e] ?? 0;
    const other = Object.entries(s.composition).filter(([e, v]) => !elements.includes(e) && v > FOREIGN_TOLERANCE);
    if (other.length || known <= 0) return (foreign[i] = other.map(([e, v]) => `${e} ${v.toFixed(3)}`).join(', ') || 'none of ' + elements.join(', '));
    elements.forEach((e, k) => (rows[i * elements.length + k] = (s.composition![e] ?? 0) / known));
  });
  return { rows, missing, foreign };
}

/**
 * A conditional model's composition input for every sample, over the model's elements. A sample
 * without a composition, or with more than a trace of an element the model was not trained on,
 * cannot be scored: the error lists the samples.
 */
export function compositionsFor(samples: readonly Pick<CollectionSample, 'id' | 'composition'>[], elements: string[]): Float32Array {
  const { rows, missing, foreign } = compositionRows(samples, elements);
  const list = (ids: string[]) => ids.slice(0, 8).join(', ') + (ids.length > 8 ? `, … (${ids.length} in all)` : '');
  const missingIds = samples.filter((_, i) => missing[i]).map((s) => s.id);
  const foreignIds = samples.flatMap((s, i) => (foreign[i] ? [`${s.id} (${foreign[i]})`] : []));
  if (missingIds.length) throw new UserError(`a conditional model over ${elements.join(', ')} needs every sample's composition; these have none: ${list(missingIds)}`);
  if (foreignIds.length) throw new UserError(`a conditional model over ${elements.join(', ')} cannot score samples made mostly of other elements: ${list(foreignIds)}`);
  return rows;
}

/**
 * Every sample of a collection scored in batches, each with its score or its own error (reading
 * its pattern, preparing it, its composition for a conditional model, or a non-finite result
 * from the model): one sample's failure never costs the others their scores.
 */
export function scoreCollectionSamples(
  scorer: Scorer,
  collection: Collection,
  options: PreprocessOptions = {},
  batchSize = 512,
  /** When `collection` holds a slice of a larger one (scored on several threads): where it starts and how many the whole has, for the messages. */
  numbering: { first: number; total: number } = { first: 0, total: collection.samples.length },
): CollectionResults {
  const { manifest } = scorer.model;
  const elements = manifest.kind === 'cvae' ? manifest.spec.compositionElements : [];
  const compositions = elements.length ? compositionRows(collection.samples, elements) : undefined;
  const count = collection.samples.length;
  const coverage = new Float64Array(count);
  let steps: string[] | undefined;
  const results = scorer.scoreBatched(
    count,
    (i) => {
      if (compositions?.missing[i]) throw new UserError(`a conditional model over ${elements.join(', ')} needs the sample's composition; it has none`);
      if (compositions?.foreign[i]) throw new UserError(`a conditional model over ${elements.join(', ')} cannot score a sample made mostly of other elements (${compositions.foreign[i]})`);
      const prepared = scorer.prepare(samplePattern(collection, i), options);
      steps ??= prepared.steps;
      coverage[i] = prepared.coverage;
      return prepared;
    },
    { batchSize, compositions: compositions?.rows },
  );
  const samples = results.map((r, i): SampleResult => {
    const s = collection.samples[i];
    const where: Pick<SampleScore, 'x' | 'y' | 'composition'> = {};
    if (s.x !== undefined) where.x = s.x;
    if (s.y !== undefined) where.y = s.y;
    if (s.composition) where.composition = s.composition;
    if (r.error) return { id: s.id, ...where, error: `sample ${numbering.first + i + 1} of ${numbering.total}: ${r.error.message}` };
    return { id: s.id, ...r.score, coverage: coverage[i], ...where };
  });
  return { samples, steps: steps ?? [], compositionElements: elements.length ? elements : undefined };
}

/** The failed samples of a scored collection. */
export function sampleFailures(results: CollectionResults): SampleFailure[] {
  return results.samples.filter((s): s is SampleFailure => 'error' in s);
}

/**
 * Every sample scored, or the first failure thrown: for a face that cannot yet show a sample's
 * own error (scoreCollectionSamples keeps each).
 */
export function scoreCollection(scorer: Scorer, collection: Collection, options: PreprocessOptions = {}, batchSize = 512): CollectionScores {
  const results = scoreCollectionSamples(scorer, collection, options, batchSize);
  const failed = sampleFailures(results)[0];
  if (failed) throw new UserError(`${quoteForMessage(failed.id)}, ${failed.error}`);
  return { ...results, samples: results.samples as SampleScore[] };
}

/**
 * One pattern with its composition: a plain VAE ignores the composition; a conditional model is
 * fed it over its elements (the same rules as for a whole collection).
 */
export function scoreWithComposition(
  scorer: Scorer,
  measured: MeasuredPattern,
  composition: Record<string, number> | undefined,
  options: PreprocessOptions = {},
  what = 'this pattern',
): { score: PatternScore; prepared: PreparedPattern; reconstruction: Float32Array } {
  const { manifest } = scorer.model;
  if (manifest.kind !== 'cvae') return scorer.scoreMeasured(measured, options);
  const compositions = compositionsFor([{ id: what, composition }], manifest.spec.compositionElements);
  const prepared = scorer.prepare(measured, options);
  const { scores, reconstructions } = scorer.score(prepared.pattern, 1, { compositions, keepReconstructions: true, spans: [measuredSpan(prepared, manifest.grid.points)] });
  return { score: scores[0], prepared, reconstruction: reconstructions! };
}
