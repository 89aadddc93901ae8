// Scoring measured or simulated patterns against a saved model: latent position, reconstruction,
// errors, p-value against the calibration sample, verdict, nearest known phase.
import { checkGrid, type LoadedModel } from './store';
import { UserError } from '../diagnostics';
import type { Grid } from '../diffraction/render';
import { encodeAndReconstruct } from './vae';
import { pValue } from '../analysis/metrics';
import { KnnClassifier } from '../analysis/knn';
import { nonFiniteScoreNumber, verdictFor, type Verdict } from '../analysis/verdict';
import type { MeasuredPattern } from '../formats/pattern';
import { prepareForModel, type PreparedPattern, type PreprocessOptions } from '../preprocess/prepare';
import { scoringPreprocessOptions } from '../preprocess/model-preprocessing';
import { CU_KALPHA1 } from '../preprocess/options';
import { findUnexplainedPeaks, type UnexplainedPeak } from '../analysis/unexplained-peaks';

export interface PatternScore {
  latent: number[];
  /** Mean BCE per point, as in training. */
  bce: number;
  /** BCE above the pattern's own entropy: what the model got wrong (the novelty score). */
  bceExcess: number;
  mse: number;
  pValue: number;
  verdict: Verdict;
  nearestPhase: string;
  /** Distance in the latent plane to the nearest training pattern of that phase. */
  nearestDistance: number;
  /** Ensemble spread of the excess BCE (standard deviation over members), when there are several. */
  bceSpread?: number;
  /** Lines of the pattern the reconstruction does not account for, strongest first (analysis/unexplained-peaks.ts). */
  unexplainedPeaks?: UnexplainedPeak[];
}

export interface ScoreOptions {
  compositions?: Float32Array;
  keepReconstructions?: boolean;
  grid?: Grid;
  what?: string;
  covered?: readonly ({ first: number; last: number } | undefined)[];
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

  constructor(readonly model: LoadedModel) {
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

  /** As `score`, with each pattern's score or its own error: one pattern's failure is never another's. */
  scoreEach(
    patterns: Float32Array,
    count: number,
    options: ScoreOptions = {},
  ): { results: BatchedScore[]; reconstructions?: Float32Array } {
    const { manifest, members } = this.model;
    if (options.grid) checkGrid(manifest, options.grid, options.what ?? 'these patterns');
    if (patterns.length < count * manifest.grid.points) throw new Error(`expected ${count} patterns of ${manifest.grid.points} points`);
    const latentDims = manifest.spec.latent;
    // The unexplained peaks are read from the reconstruction.
    const lookForPeaks = options.unexplainedPeaks !== false;
    const first = encodeAndReconstruct(members[0], patterns, count, { ...options, keepReconstructions: lookForPeaks || options.keepReconstructions });
    const points = manifest.grid.points;
    const wavelength = manifest.wavelength ?? CU_KALPHA1;
    const others = members.slice(1).map((m) => encodeAndReconstruct(m, patterns, count, { compositions: options.compositions }));
    const calibration = manifest.calibration.errors;
    const results: BatchedScore[] = [];
    for (let i = 0; i < count; i++) {
      const latent = Array.from(first.mean.subarray(i * latentDims, (i + 1) * latentDims));
      const error = first[manifest.calibration.metric][i];
      const numbers = { latent, bce: first.bce[i], bceExcess: first.bceExcess[i], mse: first.mse[i], pValue: pValue(calibration, error) };
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
        score.verdict = verdictFor(score, manifest.calibration.pThreshold);
      } catch (e) {
        results.push({ error: e as Error });
        continue;
      }
      // Fields in the order people read them (and --json prints them).
      const { verdict, nearestPhase, nearestDistance, bceSpread } = score;
      const unexplainedPeaks = lookForPeaks
        ? findUnexplainedPeaks({
            pattern: patterns.subarray(i * points, (i + 1) * points),
            reconstruction: first.reconstructions!.subarray(i * points, (i + 1) * points),
            grid: manifest.grid,
            covered: options.covered?.[i],
            wavelength,
          }).peaks
        : undefined;
      results.push({
        score: { latent, bce: numbers.bce, bceExcess: numbers.bceExcess, mse: numbers.mse, pValue: numbers.pValue, verdict, nearestPhase, nearestDistance, ...(bceSpread === undefined ? {} : { bceSpread }), ...(unexplainedPeaks ? { unexplainedPeaks } : {}) },
      });
    }
    return { results, reconstructions: options.keepReconstructions ? first.reconstructions : undefined };
  }

  /**
   * One measured pattern, the way every face of the tool scores a file: preprocessed onto the
   * model's grid (preprocess/prepare.ts, steps recorded; the model's wavelength unless
   * `options` names another), then scored, with the reconstruction kept for plots.
   */
  scoreMeasured(measured: MeasuredPattern, options: PreprocessOptions = {}): { score: PatternScore; prepared: PreparedPattern; reconstruction: Float32Array } {
    this.refuseConditional();
    const prepared = this.prepare(measured, options);
    const { scores, reconstructions } = this.score(prepared.pattern, 1, { keepReconstructions: true, covered: [prepared.covered] });
    return { score: scores[0], prepared, reconstruction: reconstructions! };
  }

  /**
   * A measured pattern on the model's grid (preprocess/prepare.ts), prepared as the model's
   * training and calibration patterns were (its recorded preprocessing): an option in `options`
   * that would prepare it otherwise is refused with the reason (model-preprocessing.ts).
   */
  prepare(measured: MeasuredPattern, options: PreprocessOptions = {}): PreparedPattern {
    return prepareForModel(measured, this.model.manifest.grid, this.preprocessOptions(options));
  }

  /** The options every pattern scored by this model is prepared with (see `prepare`); checked once per call. */
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
   * model's input) has one row per item.
   */
  scoreBatched(
    count: number,
    prepare: (i: number) => Float32Array | Pick<PreparedPattern, 'pattern' | 'covered'>,
    options: { batchSize?: number; compositions?: Float32Array } = {},
  ): BatchedScore[] {
    const points = this.model.manifest.grid.points;
    const { compositions } = options;
    const width = compositions && count ? compositions.length / count : 0;
    const size = Math.max(1, Math.min(options.batchSize ?? 256, count));
    const batch = new Float32Array(size * points);
    const batchCompositions = compositions && new Float32Array(size * width);
    const results: BatchedScore[] = new Array(count);
    let rows: number[] = []; // the item in each filled row of the batch
    let covered: (PreparedPattern['covered'] | undefined)[] = []; // the measured span of each row
    const scoreRows = () => {
      if (!rows.length) return;
      try {
        const scored = this.scoreEach(batch, rows.length, { compositions: batchCompositions?.subarray(0, rows.length * width), covered }).results;
        rows.forEach((item, row) => (results[item] = scored[row]));
      } catch (e) {
        const error = asError(e);
        for (const item of rows) results[item] = { error };
      }
      rows = [];
      covered = [];
    };
    for (let i = 0; i < count; i++) {
      try {
        const prepared = prepare(i);
        const pattern = prepared instanceof Float32Array ? prepared : prepared.pattern;
        if (pattern.length !== points) throw new Error(`a prepared pattern has ${pattern.length} points; the model's grid has ${points}`);
        batch.set(pattern, rows.length * points);
        covered[rows.length] = prepared instanceof Float32Array ? undefined : prepared.covered;
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
