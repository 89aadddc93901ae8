// Scoring every sample of a collection against a model, in batches: each sample prepared as a
// measured pattern is (background, wavelength, resampling onto the model's grid, scaling), and — for a conditional model —
// its composition fed in over the model's elements.
import { UserError } from '../diagnostics';
import { samplePattern, type Collection, type CollectionSample } from '../formats/collection';
import type { MeasuredPattern } from '../formats/pattern';
import type { PreparedPattern } from '../preprocess/prepare';
import type { PatternScore, Scorer } from '../model/score';
import type { PreprocessOptions } from '../preprocess/options';

export interface SampleScore extends PatternScore {
  id: string;
  x?: number;
  y?: number;
  composition?: Record<string, number>;
  /** Fraction of the model's 2θ range the sample's axis covers. */
  coverage: number;
}

export interface CollectionScores {
  samples: SampleScore[];
  /** The preparation steps of the first sample (every sample shares the collection's axis). */
  steps: string[];
  /** The composition elements fed to a conditional model, in its order. */
  compositionElements?: string[];
}

/** Share of a sample's composition a model may not know about before its score means nothing. */
const FOREIGN_TOLERANCE = 0.01;

/**
 * A conditional model's composition input for every sample, over the model's elements. A sample
 * without a composition, or with more than a trace of an element the model was not trained on,
 * cannot be scored: the error lists the samples.
 */
export function compositionsFor(samples: readonly Pick<CollectionSample, 'id' | 'composition'>[], elements: string[]): Float32Array {
  const out = new Float32Array(samples.length * elements.length);
  const missing: string[] = [];
  const foreign: string[] = [];
  samples.forEach((s, i) => {
    if (!s.composition) return missing.push(s.id);
    let known = 0;
    for (const e of elements) known += s.composition[e] ?? 0;
    const other = Object.entries(s.composition).filter(([e, v]) => !elements.includes(e) && v > FOREIGN_TOLERANCE);
    if (other.length || known <= 0) return foreign.push(`${s.id} (${other.map(([e, v]) => `${e} ${v.toFixed(3)}`).join(', ') || 'none of ' + elements.join(', ')})`);
    elements.forEach((e, k) => (out[i * elements.length + k] = (s.composition![e] ?? 0) / known));
  });
  const list = (ids: string[]) => ids.slice(0, 8).join(', ') + (ids.length > 8 ? `, … (${ids.length} in all)` : '');
  if (missing.length) throw new UserError(`a conditional model over ${elements.join(', ')} needs every sample's composition; these have none: ${list(missing)}`);
  if (foreign.length) throw new UserError(`a conditional model over ${elements.join(', ')} cannot score samples made mostly of other elements: ${list(foreign)}`);
  return out;
}

export function scoreCollection(scorer: Scorer, collection: Collection, options: PreprocessOptions = {}, batchSize = 512): CollectionScores {
  const { manifest } = scorer.model;
  const elements = manifest.kind === 'cvae' ? manifest.spec.compositionElements : [];
  const compositions = elements.length ? compositionsFor(collection.samples, elements) : undefined;
  const coverage = new Float64Array(collection.samples.length);
  let steps: string[] = [];
  const results = scorer.scoreBatched(
    collection.samples.length,
    (i) => {
      const prepared = scorer.prepare(samplePattern(collection, i), options);
      if (i === 0) steps = prepared.steps;
      coverage[i] = prepared.coverage;
      return prepared.pattern;
    },
    { batchSize, compositions },
  );
  const samples = results.map((r, i): SampleScore => {
    // A collection is scored whole or not at all: its samples share one axis, so one failing says the collection is wrong.
    if (r.error) throw r.error;
    const s = collection.samples[i];
    const out: SampleScore = { id: s.id, ...r.score, coverage: coverage[i] };
    if (s.x !== undefined) out.x = s.x;
    if (s.y !== undefined) out.y = s.y;
    if (s.composition) out.composition = s.composition;
    return out;
  });
  return { samples, steps, compositionElements: elements.length ? elements : undefined };
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
  const { scores, reconstructions } = scorer.score(prepared.pattern, 1, { compositions, keepReconstructions: true });
  return { score: scores[0], prepared, reconstruction: reconstructions! };
}
