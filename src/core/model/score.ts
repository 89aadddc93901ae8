// Scoring measured or simulated patterns against a saved model: latent position, reconstruction,
// errors, p-value against the calibration sample, verdict, nearest known phase.
import { checkGrid, type LoadedModel } from './store';
import { UserError } from '../diagnostics';
import type { Grid } from '../diffraction/render';
import { encodeAndReconstruct } from './vae';
import { noveltyPValues, unexplainedLineSum } from '../analysis/novelty-statistic';
import { KnnClassifier } from '../analysis/knn';
import { nonFiniteScoreNumber, thresholdInForce, verdictFor, type ThresholdInForce, type Verdict } from '../analysis/verdict';
import type { MeasuredPattern } from '../formats/pattern';
import { prepareForModel, type PreparedPattern, type PreprocessOptions } from '../preprocess/prepare';
import { scoringPreprocessOptions } from '../preprocess/model-preprocessing';
import { CU_KALPHA1 } from '../preprocess/options';
import { findUnexplainedPeaks } from '../analysis/unexplained-peaks';
import { reconstructionErrorsOverSpan } from '../analysis/errors';
import { spanCalibrationErrors, type SpanCalibration } from './span-calibration';
import type { ResolvedPreprocessOptions } from '../preprocess/options';
import type { PatternScore } from './score-result';

export type { PatternScore };

/**
 * Where a pattern on the model's grid was measured: grid points first..last, `coverage` of the
 * model's range, and the preprocessing it went through (preprocess/prepare.ts gives all three).
 * Outside the span the pattern holds a fill value, not data, so the reconstruction errors there
 * say nothing about the sample and are not counted: a partly measured pattern's errors are the
 * sum over the measured points divided by the number of points of the whole grid.
 *
 * How the p-value stays honest. Cutting a pattern changes more than which points count: the
 * scaling to [0, 1] is over what is left (a cut may remove the strongest line), and the encoder
 * sees fill where data was, so its latent position and its reconstruction of the measured part
 * move too. Measured on a demo model: known synthetic patterns cut to 48–90° (60 % of 20–90°,
 * the strongest lines gone) were 92 % "novel" against the whole patterns' calibration errors. So
 * a partly measured pattern is compared with the calibration patterns cut to the same span and
 * prepared alike (span-calibration.ts): if the pattern is known, its error and theirs come from
 * the same distribution, and p < α happens to α of known patterns, as for a whole pattern.
 * A model saved before it kept its calibration patterns has only the whole patterns' errors; its
 * partial p-values use them (every point's excess BCE is ≥ 0, a KL divergence, so the sum over
 * a span is at most the whole pattern's error — a bound that holds only while the cut leaves the
 * encoding as it was) and say so (`calibratedOver: 'whole-range'`). Below
 * MIN_COVERAGE_FOR_VERDICT there is no verdict at all.
 */
export interface MeasuredSpan {
  coverage: number;
  first: number;
  last: number;
  options?: ResolvedPreprocessOptions;
}

/** The measured span of a prepared pattern, in the form scoring takes it. */
export function measuredSpan(prepared: Pick<PreparedPattern, 'coverage' | 'covered' | 'options'>, points: number): MeasuredSpan {
  return { coverage: prepared.coverage, ...(prepared.covered ?? { first: 0, last: points - 1 }), ...(prepared.options ? { options: prepared.options } : {}) };
}

/** Span calibrations computed, most recent last (a watch folder's instrument scans one range: one entry). */
const SPAN_CALIBRATIONS_KEPT = 8;

export interface ScoreOptions {
  compositions?: Float32Array;
  keepReconstructions?: boolean;
  grid?: Grid;
  what?: string;
  spans?: readonly (MeasuredSpan | undefined)[];
  /**
   * Look for unexplained peaks (default: yes, every score a person reads lists them). Bulk
   * scoring of synthetic arrays may skip it: the search costs about as much as the model.
   */
  unexplainedPeaks?: boolean;
}

/** One item of a batched scoring: its score, or why it could not be prepared. */
export type BatchedScore = { score: PatternScore; error?: undefined } | { score?: undefined; error: Error };

export class Scorer {
  private readonly knn: KnnClassifier;
  private readonly spanCalibrations = new Map<string, SpanCalibration>();
  /** The threshold every verdict of this scorer is made at (default: the model's own). */
  readonly threshold: ThresholdInForce;

  constructor(readonly model: LoadedModel, options: { threshold?: ThresholdInForce } = {}) {
    this.threshold = options.threshold ?? thresholdInForce(model.manifest);
    const { reference, spec } = model.manifest;
    this.knn = new KnnClassifier(Float32Array.from(reference.latent), Int32Array.from(reference.labels), spec.latent, 5);
  }

  /**
   * Scores `count` patterns on the model's grid (rows of `patterns`). Given the grid they are on
   * (`options.grid`, named `options.what`), a different grid is refused with both grids named:
   * resample first (preprocess/prepare.ts does). A pattern the model gives a non-finite number
   * for has no score: this throws its error (scoreEach keeps the others).
   */
  score(
    patterns: Float32Array,
    count: number,
    options: ScoreOptions = {},
  ): { scores: PatternScore[]; reconstructions?: Float32Array } {
    const { results, reconstructions } = this.scoreEach(patterns, count, options);
    const scores = results.map((r, i) => {
      if (r.error) throw count > 1 ? new UserError(`pattern ${i + 1} of ${count}: ${r.error.message}`) : r.error;
      return r.score;
    });
    return { scores, reconstructions };
  }

  /**
   * As `score`, with each pattern's score or its own error: one pattern's failure is never
   * another's. `options.spans[i]`, when given, is where row i was measured: its errors count only
   * there (MeasuredSpan says how, and why the p-value stays honest) and its coverage decides
   * whether it gets a KNOWN / NOVEL verdict at all (analysis/verdict.ts).
   */
  scoreEach(
    patterns: Float32Array,
    count: number,
    options: ScoreOptions = {},
  ): { results: BatchedScore[]; reconstructions?: Float32Array } {
    const { manifest, members } = this.model;
    if (options.grid) checkGrid(manifest, options.grid, options.what ?? 'these patterns');
    const points = manifest.grid.points;
    if (patterns.length < count * points) throw new Error(`expected ${count} patterns of ${points} points`);
    const latentDims = manifest.spec.latent;
    const partial = (i: number) => {
      const span = options.spans?.[i];
      return span && (span.first > 0 || span.last < points - 1) ? span : undefined;
    };
    const anyPartial = Array.from({ length: count }, (_, i) => partial(i)).some(Boolean);
    // The unexplained peaks are read from the reconstruction too; a model whose p-value weighs
    // them always looks for them, whatever is shown.
    const linesInPValue = manifest.calibration.lineSums !== undefined;
    const showPeaks = options.unexplainedPeaks !== false;
    const lookForPeaks = showPeaks || linesInPValue;
    const first = encodeAndReconstruct(members[0], patterns, count, { ...options, keepReconstructions: options.keepReconstructions || anyPartial || lookForPeaks });
    const others = members.slice(1).map((m) => encodeAndReconstruct(m, patterns, count, { compositions: options.compositions, keepReconstructions: anyPartial }));
    // A partly measured row's errors again, over its measured span only (every member's, for the spread).
    for (let i = 0; anyPartial && i < count; i++) {
      const span = partial(i);
      if (!span) continue;
      const row = patterns.subarray(i * points, (i + 1) * points);
      for (const encoded of [first, ...others]) {
        const errors = reconstructionErrorsOverSpan(row, encoded.reconstructions!.subarray(i * points, (i + 1) * points), points, span.first, span.last);
        encoded.bce[i] = errors.bce;
        encoded.bceExcess[i] = errors.bceExcess;
        encoded.mse[i] = errors.mse;
      }
    }
    const calibration = manifest.calibration.errors;
    const results: BatchedScore[] = [];
    for (let i = 0; i < count; i++) {
      const latent = Array.from(first.mean.subarray(i * latentDims, (i + 1) * latentDims));
      const error = first[manifest.calibration.metric][i];
      const coverage = options.spans?.[i]?.coverage;
      const span = partial(i);
      const measured = options.spans?.[i];
      const unexplainedPeaks = lookForPeaks
        ? findUnexplainedPeaks({
            pattern: patterns.subarray(i * points, (i + 1) * points),
            reconstruction: first.reconstructions!.subarray(i * points, (i + 1) * points),
            grid: manifest.grid,
            covered: measured && { first: measured.first, last: measured.last },
            wavelength: manifest.wavelength ?? CU_KALPHA1,
          }).peaks
        : undefined;
      const reference = span ? this.calibrationOver(span) : { errors: calibration, lineSums: manifest.calibration.lineSums, basis: undefined };
      const pValues = noveltyPValues(reference, error, linesInPValue ? unexplainedLineSum(unexplainedPeaks) : undefined);
      const numbers = { latent, bce: first.bce[i], bceExcess: first.bceExcess[i], mse: first.mse[i], ...pValues, ...(coverage === undefined ? {} : { coverage }) };
      // The nearest phase is searched for only from a finite latent position.
      const bad = nonFiniteScoreNumber(numbers);
      if (bad) {
        results.push({ error: new UserError(`the model gave a non-finite score for this pattern (${bad}): no verdict`) });
        continue;
      }
      const { index, distance2 } = this.knn.nearest(latent, 0, 1);
      const score: Omit<PatternScore, 'verdict'> & { verdict?: Verdict } = {
        ...numbers,
        nearestPhase: manifest.phases[this.knn.labelAt(index[0])] ?? 'none',
        nearestDistance: Math.sqrt(distance2[0]),
      };
      if (others.length) {
        const all = [first.bceExcess[i], ...others.map((o) => o.bceExcess[i])];
        const mean = all.reduce((s, v) => s + v, 0) / all.length;
        score.bceSpread = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / (all.length - 1));
      }
      try {
        score.verdict = verdictFor(score, this.threshold);
      } catch (e) {
        results.push({ error: e as Error });
        continue;
      }
      // Fields in the order people read them (and --json prints them).
      const { verdict, nearestPhase, nearestDistance, bceSpread } = score;
      results.push({
        score: {
          latent,
          bce: numbers.bce,
          bceExcess: numbers.bceExcess,
          mse: numbers.mse,
          pValue: numbers.pValue,
          ...(numbers.pValueError === undefined ? {} : { pValueError: numbers.pValueError, pValueLines: numbers.pValueLines }),
          verdict,
          nearestPhase,
          nearestDistance,
          ...(bceSpread === undefined ? {} : { bceSpread }),
          ...(coverage === undefined ? {} : { coverage }),
          ...(reference.basis ? { calibratedOver: reference.basis } : {}),
          ...(unexplainedPeaks && showPeaks ? { unexplainedPeaks } : {}),
        },
      });
    }
    return { results, reconstructions: options.keepReconstructions ? first.reconstructions : undefined };
  }

  /** The calibration errors a pattern measured over `span` is compared with (MeasuredSpan), computed once per span and preparation. */
  calibrationOver(span: MeasuredSpan): { errors: ArrayLike<number>; lineSums?: ArrayLike<number>; basis: 'same-span' | 'whole-range' } {
    const { manifest, members, calibrationPatterns } = this.model;
    if (!calibrationPatterns || manifest.kind === 'cvae') return { errors: manifest.calibration.errors, lineSums: manifest.calibration.lineSums, basis: 'whole-range' };
    const key = `${span.first}:${span.last}:${JSON.stringify(span.options ?? {})}`;
    let reference = this.spanCalibrations.get(key);
    if (!reference) {
      const withLines = manifest.calibration.lineSums !== undefined;
      reference = spanCalibrationErrors(members[0], manifest.grid, calibrationPatterns, span, manifest.calibration.metric, withLines ? manifest.wavelength ?? CU_KALPHA1 : undefined);
      if (this.spanCalibrations.size >= SPAN_CALIBRATIONS_KEPT) this.spanCalibrations.delete(this.spanCalibrations.keys().next().value!);
    } else this.spanCalibrations.delete(key);
    this.spanCalibrations.set(key, reference);
    return { ...reference, basis: 'same-span' };
  }

  /**
   * One measured pattern, the way every face of the tool scores a file: preprocessed onto the
   * model's grid (preprocess/prepare.ts, steps recorded; the model's wavelength unless
   * `options` names another), then scored, with the reconstruction kept for plots.
   */
  scoreMeasured(measured: MeasuredPattern, options: PreprocessOptions = {}): { score: PatternScore; prepared: PreparedPattern; reconstruction: Float32Array } {
    this.refuseConditional();
    const prepared = this.prepare(measured, options);
    const { scores, reconstructions } = this.score(prepared.pattern, 1, { keepReconstructions: true, spans: [measuredSpan(prepared, this.model.manifest.grid.points)] });
    return { score: scores[0], prepared, reconstruction: reconstructions! };
  }

  /**
   * A measured pattern on the model's grid (preprocess/prepare.ts), at the model's wavelength unless
   * `options` names another: the one preparation every scorer uses (single files, batches, the
   * watch folder's backlog), so a pattern gets the same numbers however it arrives.
   */
  prepare(measured: MeasuredPattern, options: PreprocessOptions = {}): PreparedPattern {
    return prepareForModel(measured, this.model.manifest.grid, this.preprocessOptions(options));
  }

  /**
   * The options every pattern scored by this model is prepared with: its recorded preprocessing
   * (model-preprocessing.ts); an option in `options` that would prepare a pattern otherwise than the
   * model's training and calibration patterns is refused with the reason, naming `where`.
   */
  preprocessOptions(options: PreprocessOptions = {}, where?: string): PreprocessOptions {
    const { manifest } = this.model;
    const { modelWavelength, ...requested } = options;
    return scoringPreprocessOptions(manifest.preprocessing, requested, modelWavelength ?? manifest.wavelength, where);
  }

  private refuseConditional(): void {
    if (this.model.manifest.kind === 'cvae') throw new UserError('a conditional model needs a composition for each pattern; score single files against a plain VAE');
  }

  /**
   * Many measured patterns, each preprocessed as `scoreMeasured` does, scored in batches (several
   * times faster than one by one). A pattern whose preprocessing or scoring fails gets the
   * message instead of a score: one bad file does not sink its batch.
   */
  scoreManyMeasured(patterns: readonly MeasuredPattern[], options: PreprocessOptions = {}, batchSize = 256): { score?: PatternScore; error?: string }[] {
    this.refuseConditional();
    return this.scoreBatched(patterns.length, (i) => this.prepare(patterns[i], options), { batchSize }).map((r) => (r.error ? { error: r.error.message } : { score: r.score }));
  }

  /**
   * The batching under every many-pattern score: item `i`'s pattern on the model's grid comes from
   * `prepare(i)` into the next row of one reused buffer, and each full buffer is scored at once.
   * An item whose `prepare` throws keeps its error and takes no row; an item the model gives a
   * non-finite number for keeps that error; if the model fails on a whole batch, each of its
   * items keeps that error and the next batches are still scored. `compositions` (a conditional
   * model's input) has one row per item. A prepared pattern (rather than bare numbers on the grid)
   * is scored over the part that was measured (MeasuredSpan).
   */
  scoreBatched(count: number, prepare: (i: number) => Float32Array | Pick<PreparedPattern, 'pattern' | 'coverage' | 'covered'>, options: { batchSize?: number; compositions?: Float32Array } = {}): BatchedScore[] {
    const points = this.model.manifest.grid.points;
    const spans: (MeasuredSpan | undefined)[] = [];
    const { compositions } = options;
    const width = compositions && count ? compositions.length / count : 0;
    const size = Math.max(1, Math.min(options.batchSize ?? 256, count));
    const batch = new Float32Array(size * points);
    const batchCompositions = compositions && new Float32Array(size * width);
    const results: BatchedScore[] = new Array(count);
    let rows: number[] = []; // the item in each filled row of the batch
    const scoreRows = () => {
      if (!rows.length) return;
      try {
        const scored = this.scoreEach(batch, rows.length, { compositions: batchCompositions?.subarray(0, rows.length * width), spans }).results;
        rows.forEach((item, row) => (results[item] = scored[row]));
      } catch (e) {
        const error = asError(e);
        for (const item of rows) results[item] = { error };
      }
      rows = [];
      spans.length = 0;
    };
    for (let i = 0; i < count; i++) {
      try {
        const prepared = prepare(i);
        const pattern = prepared instanceof Float32Array ? prepared : prepared.pattern;
        if (pattern.length !== points) throw new Error(`a prepared pattern has ${pattern.length} points; the model's grid has ${points}`);
        batch.set(pattern, rows.length * points);
        spans[rows.length] = prepared instanceof Float32Array ? undefined : measuredSpan(prepared, points);
      } catch (e) {
        results[i] = { error: asError(e) };
        continue;
      }
      batchCompositions?.set(compositions!.subarray(i * width, (i + 1) * width), rows.length * width);
      rows.push(i);
      if (rows.length === size) scoreRows();
    }
    scoreRows();
    return results;
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
