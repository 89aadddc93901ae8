// The paper's Fig. 3b: reconstruction error against mixing fraction for each binary pair, with
// each fraction's mean, median and quartiles, and the fraction where the error is largest.
import { summarize } from '../analysis/metrics';

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
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, curve]) => {
      const [a, b] = key.split(',').map(Number);
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
