// The paper's Fig. 3b: reconstruction error against mixing fraction for each binary pair, with
// each fraction's mean, median and quartiles, and the fraction where the error is largest.
import { summarize } from '../analysis/metrics';
import { errorsByBinaryPair } from '../analysis/evaluate';

export interface PaperMixtureCurve {
  pair: [string, string];
  /** Fraction x of the first phase, ascending. */
  x: number[];
  count: number[];
  mean: number[];
  median: number[];
  q1: number[];
  q3: number[];
  /**
   * x of the largest per-fraction mean: the raw argmax, no smoothing and nothing to tune (a
   * smoothing width would be a choice; this study makes none it could make while looking at
   * mixtures). Ties go to the smaller x.
   */
  peakX: number;
}

/**
 * Per binary pair, the error statistics at each mixing fraction. `fractions` is rows × phases
 * (a row with exactly two phases present is a binary mixture; others are skipped).
 */
export function paperMixtureCurves(fractions: ArrayLike<number>, phases: number, phaseNames: string[], errors: ArrayLike<number>): PaperMixtureCurve[] {
  return errorsByBinaryPair(fractions, phases, errors).map(({ a, b, byFraction: curve }) => {
    const x = [...curve.keys()].sort((u, v) => u - v);
    const stats = x.map((v) => summarize(curve.get(v)!, 0));
    let peak = 0;
    stats.forEach((s, k) => {
      if (s.mean > stats[peak].mean) peak = k;
    });
    return {
      pair: [phaseNames[a], phaseNames[b]] as [string, string],
      x,
      count: stats.map((s) => s.count),
      mean: stats.map((s) => s.mean),
      median: stats.map((s) => s.median),
      q1: stats.map((s) => s.q1),
      q3: stats.map((s) => s.q3),
      peakX: x[peak],
    };
  });
}
