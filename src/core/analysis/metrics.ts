// Ranking metrics and summary statistics for novelty scores (higher score = more novel).

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half (the Mann–Whitney U statistic, via one sort).
 */
export function auroc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const n1 = positives.length;
  const n0 = negatives.length;
  if (n1 === 0 || n0 === 0) return NaN;
  const all: { v: number; p: boolean }[] = [];
  for (let i = 0; i < n1; i++) all.push({ v: positives[i], p: true });
  for (let i = 0; i < n0; i++) all.push({ v: negatives[i], p: false });
  all.sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    // j starts past i: a NaN score equals nothing, not even itself, and must still move on.
    let j = i + 1;
    while (j < all.length && all[j].v === all[i].v) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let k = i; k < j; k++) if (all[k].p) rankSum += midRank;
    i = j;
  }
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/** Average precision (area under precision–recall, step-wise as scikit-learn computes it). */
export function averagePrecision(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const all: { v: number; p: boolean }[] = [];
  for (let i = 0; i < positives.length; i++) all.push({ v: positives[i], p: true });
  for (let i = 0; i < negatives.length; i++) all.push({ v: negatives[i], p: false });
  if (positives.length === 0) return NaN;
  all.sort((a, b) => b.v - a.v);
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    // Tied scores form one threshold (a NaN, equal to nothing, is a threshold of its own).
    do {
      if (all[j].p) tp++;
      else fp++;
      j++;
    } while (j < all.length && all[j].v === all[i].v);
    const recall = tp / positives.length;
    ap += (recall - lastRecall) * (tp / (tp + fp));
    lastRecall = recall;
    i = j;
  }
  return ap;
}

/** Linear-interpolated quantile (numpy's default) of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>).sort();
}

export function median(values: ArrayLike<number>): number {
  return quantileSorted(sortedCopy(values), 0.5);
}

export interface DistributionSummary {
  count: number;
  mean: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Kernel density over `grid` (for violin plots), Gaussian kernel, Silverman's bandwidth. */
  density: { at: number[]; value: number[] };
}

export function summarize(values: ArrayLike<number>, densityPoints = 64): DistributionSummary {
  const s = sortedCopy(values);
  const n = s.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += s[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (s[i] - mean) ** 2 / Math.max(1, n - 1);
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const spread = Math.min(Math.sqrt(variance), (q3 - q1) / 1.34 || Math.sqrt(variance));
  const bandwidth = Math.max(0.9 * spread * n ** -0.2, 1e-12);
  const lo = s[0];
  const hi = s[n - 1];
  const at: number[] = [];
  const value: number[] = [];
  for (let k = 0; k < densityPoints && n > 0; k++) {
    const x = lo + ((hi - lo) * k) / Math.max(1, densityPoints - 1);
    let d = 0;
    for (let i = 0; i < n; i++) d += Math.exp(-0.5 * ((x - s[i]) / bandwidth) ** 2);
    at.push(x);
    value.push(d / (n * bandwidth * Math.sqrt(2 * Math.PI)));
  }
  return { count: n, mean, min: lo, q1, median: quantileSorted(s, 0.5), q3, max: hi, density: { at, value } };
}

/**
 * The p-value of a score against a calibration sample of known patterns' scores: the fraction
 * of calibration scores at least as large, with the +1 correction so it is never 0
 * ((1 + #{c ≥ s}) / (1 + n)), the conformal p-value. NaN for a NaN score.
 */
export function pValue(sortedCalibration: ArrayLike<number>, score: number): number {
  // NaN is at least as large as nothing: without this it would read as p = 1, "known".
  if (Number.isNaN(score)) return NaN;
  const n = sortedCalibration.length;
  // First index whose value is ≥ score.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedCalibration[mid] < score) lo = mid + 1;
    else hi = mid;
  }
  return (1 + (n - lo)) / (1 + n);
}

/** Two-sided 95 % quantiles of Student's t (t₀.₉₇₅) for 1–30 degrees of freedom (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t₀.₉₇₅ with `df` degrees of freedom: the table up to 30, beyond it the Cornish–Fisher
 * expansion about z = 1.95996 (within 1e-3 of the table at 30, exact as df → ∞).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return NaN;
  if (df <= 30) return T975[Math.floor(df) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/** A mean over runs (seeds) and its 95 % t-interval; `ci95` is null with fewer than two runs. */
export interface MeanInterval {
  mean: number;
  ci95: [number, number] | null;
  n: number;
}

/**
 * Mean and 95 % confidence interval of the mean, mean ± t₀.₉₇₅(n − 1)·s/√n, s the sample
 * standard deviation: the interval a study with n seeds reports for each metric. A NaN value
 * (a metric that could not be measured in one run) makes the mean NaN: it is not dropped.
 */
export function meanInterval95(values: ArrayLike<number>): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: NaN, ci95: null, n };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  if (n < 2 || Number.isNaN(mean)) return { mean, ci95: null, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const half = (tQuantile975(n - 1) * Math.sqrt(ss / (n - 1))) / Math.sqrt(n);
  return { mean, ci95: [mean - half, mean + half], n };
}
