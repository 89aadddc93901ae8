// Everything the paper reports about a trained model, computed on held-out data: latent-space
// classification, novelty of unknown phases and of mixtures, and the same for the baselines.
import { auroc, averagePrecision, median, summarize, type DistributionSummary } from './metrics';
import { KnnClassifier, confusion } from './knn';
import { GaussianNaiveBayes } from './gnb';

/** A group of patterns with its per-pattern novelty scores. */
export interface ScoredGroup {
  count: number;
  /** Latent means (count × dims). */
  latent: Float32Array;
  /** Novelty score per pattern (higher = more novel). */
  score: ArrayLike<number>;
}

export interface NoveltyMeasures {
  aurocUnknown: number;
  averagePrecisionUnknown: number;
  aurocMixtures: number;
  averagePrecisionMixtures: number;
  medianScoreKnown: number;
  medianScoreUnknown: number;
  medianScoreMixtures: number;
}

export function noveltyMeasures(known: ArrayLike<number>, unknown: ArrayLike<number>, mixtures: ArrayLike<number>): NoveltyMeasures {
  return {
    aurocUnknown: auroc(unknown, known),
    averagePrecisionUnknown: averagePrecision(unknown, known),
    aurocMixtures: auroc(mixtures, known),
    averagePrecisionMixtures: averagePrecision(mixtures, known),
    medianScoreKnown: median(known),
    medianScoreUnknown: median(unknown),
    medianScoreMixtures: median(mixtures),
  };
}

export interface MixtureCurve {
  pair: [string, string];
  /** Fraction x of the first phase. */
  x: number[];
  medianError: number[];
  q1: number[];
  q3: number[];
  /**
   * x where the error curve peaks: the maximum of the per-fraction medians after Gaussian
   * kernel smoothing over x (σ = PEAK_SMOOTHING), because each median rests on ~20 patterns
   * and a single noisy fraction should not decide where a broad curve peaks.
   */
  peakX: number;
  /** x of the largest unsmoothed median (reported beside peakX). */
  peakXRaw: number;
  /** AUROC of this pair's mixtures against the pure patterns (when pure errors are given). */
  aurocAgainstPure?: number;
  /** The same for 0.2 ≤ x ≤ 0.8 only: away from the nearly-pure ends. */
  aurocAgainstPureCentral?: number;
}

/**
 * Error against mixing fraction for every binary pair present (fractions: count × phases), and,
 * given the pure patterns' errors, each pair's AUROC against them.
 */
/** Kernel width (in mixing fraction) for locating a mixture curve's peak. */
export const PEAK_SMOOTHING = 0.05;

/** Nadaraya–Watson smoothing of y(x) with a Gaussian kernel of width sigma. */
export function smoothOverX(xs: number[], ys: number[], sigma: number): number[] {
  return xs.map((x0) => {
    let num = 0;
    let den = 0;
    xs.forEach((x, k) => {
      const w = Math.exp(-0.5 * ((x - x0) / sigma) ** 2);
      num += w * ys[k];
      den += w;
    });
    return num / den;
  });
}

/**
 * The errors of the binary mixtures (rows of `fractions`, rows × phases, with exactly two phases
 * present; the others are skipped), grouped by pair (phase indices a < b, in order) and by the
 * fraction x of the first phase (rounded to 1e-4, so that one fraction is one group).
 */
export function errorsByBinaryPair(fractions: ArrayLike<number>, phases: number, errors: ArrayLike<number>): { a: number; b: number; byFraction: Map<number, number[]> }[] {
  const byPair = new Map<string, Map<number, number[]>>();
  for (let i = 0; i < errors.length; i++) {
    const present: number[] = [];
    for (let p = 0; p < phases; p++) if (fractions[i * phases + p] > 0) present.push(p);
    if (present.length !== 2) continue;
    const key = `${present[0]},${present[1]}`;
    const x = Math.round(fractions[i * phases + present[0]] * 1e4) / 1e4;
    let curve = byPair.get(key);
    if (!curve) byPair.set(key, (curve = new Map()));
    let list = curve.get(x);
    if (!list) curve.set(x, (list = []));
    list.push(errors[i]);
  }
  return [...byPair.entries()]
    .sort(([u], [v]) => (u < v ? -1 : 1))
    .map(([key, byFraction]) => {
      const [a, b] = key.split(',').map(Number);
      return { a, b, byFraction };
    });
}

export function mixtureCurves(fractions: Float32Array, phases: number, phaseNames: string[], errors: ArrayLike<number>, pureErrors?: ArrayLike<number>): MixtureCurve[] {
  const curves: MixtureCurve[] = [];
  for (const { a, b, byFraction: curve } of errorsByBinaryPair(fractions, phases, errors)) {
    const xs = [...curve.keys()].sort((u, v) => u - v);
    const stats = xs.map((x) => summarize(curve.get(x)!, 0));
    let peak = 0;
    stats.forEach((s, k) => {
      if (s.median > stats[peak].median) peak = k;
    });
    const smoothed = smoothOverX(xs, stats.map((s) => s.median), PEAK_SMOOTHING);
    let smoothPeak = 0;
    smoothed.forEach((v, k) => {
      if (v > smoothed[smoothPeak]) smoothPeak = k;
    });
    const errorsWhere = (keep: (x: number) => boolean) => xs.filter(keep).flatMap((x) => curve.get(x)!);
    curves.push({
      pair: [phaseNames[a], phaseNames[b]],
      x: xs,
      medianError: stats.map((s) => s.median),
      q1: stats.map((s) => s.q1),
      q3: stats.map((s) => s.q3),
      peakX: xs[smoothPeak],
      peakXRaw: xs[peak],
      aurocAgainstPure: pureErrors ? auroc(errorsWhere(() => true), pureErrors) : undefined,
      aurocAgainstPureCentral: pureErrors ? auroc(errorsWhere((x) => x >= 0.2 && x <= 0.8), pureErrors) : undefined,
    });
  }
  return curves;
}

export interface LatentClassification {
  knnAccuracy: number;
  knnConfusion: number[][];
  gnbAccuracy: number;
  gnbConfusion: number[][];
}

/** Rows of several row-major blocks side by side: [a₀ b₀ …], [a₁ b₁ …], … */
export function concatenateColumns(blocks: Float32Array[], rows: number): { data: Float32Array; width: number } {
  const widths = blocks.map((b) => b.length / Math.max(1, rows));
  const width = widths.reduce((a, b) => a + b, 0);
  const data = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    let at = i * width;
    blocks.forEach((b, k) => {
      data.set(b.subarray(i * widths[k], (i + 1) * widths[k]), at);
      at += widths[k];
    });
  }
  return { data, width };
}

export interface LatentSet {
  /** Latent means of the (first) model, rows × dims. */
  latent: Float32Array;
  labels: Int32Array;
  compositions?: Float32Array;
  /** Latent means of the other ensemble members, for the naive Bayes classifier. */
  ensembleLatents?: Float32Array[];
}

/**
 * KNN (k = 5) on the latent plane of the first model, and Gaussian naive Bayes on the latents
 * of every ensemble member plus the composition (the paper's space-group classifier), trained
 * on the training patterns and tested on held-out ones.
 */
export function classifyLatent(train: LatentSet, test: LatentSet, dims: number, classes: number): LatentClassification {
  const knn = new KnnClassifier(train.latent, train.labels, dims, 5);
  const knnResult = confusion(test.labels, knn.predict(test.latent), classes);
  const features = (set: LatentSet) =>
    concatenateColumns([set.latent, ...(set.ensembleLatents ?? []), ...(set.compositions ? [set.compositions] : [])], set.labels.length);
  const trainFeatures = features(train);
  const testFeatures = features(test);
  const gnb = new GaussianNaiveBayes(trainFeatures.data, train.labels, trainFeatures.width, classes);
  const gnbResult = confusion(test.labels, gnb.predict(testFeatures.data), classes);
  return {
    knnAccuracy: knnResult.accuracy,
    knnConfusion: knnResult.matrix,
    gnbAccuracy: gnbResult.accuracy,
    gnbConfusion: gnbResult.matrix,
  };
}

export function violinStats(groups: Record<string, ArrayLike<number>>): Record<string, DistributionSummary> {
  return Object.fromEntries(Object.entries(groups).map(([name, values]) => [name, summarize(values)]));
}
