// Candidate novelty statistics, compared on the measured benchmark's selection run (never on the
// measured spectra): which number should rank and decide a pattern's novelty.
//
// Measured spectra come from instruments and samples the generator only approximates, so a
// known measured pattern misses its reconstruction in shape and background more than a synthetic
// one does, and a statistic that sums every misfit (the excess BCE) may rank a known measured
// pattern above one holding a weak line of a phase the model never saw. The selection run asks
// which statistic keeps its ranking when the patterns come from a wider world than the one
// trained on: it scores synthetic patterns drawn as trained and drawn from a widened generator
// (every varied range of the augmentation WIDENING times as wide about its centre), both through
// the path a measured file takes.
//
// The candidates, fixed before any selection run was read:
//   - bceExcess: the excess BCE (the product's score until now), by its conformal p-value;
//   - unexplainedLines: the summed relative heights of the unexplained peaks (a line-shaped
//     residual a known phase cannot draw), by its conformal p-value (1 when there is none);
//   - bceOrLines: both, combined by Bonferroni (analysis/novelty-statistic.ts), which keeps the
//     calibration guarantee (P(p ≤ α) ≤ α for known patterns) whatever the dependence.
// The selection run of 2026-12-02 chose bceOrLines, now the product's (analysis/novelty-statistic.ts).
import type { AugmentationConfig } from '../synth/augmentation';
import type { Distribution } from '../synth/distributions';
import { auroc, pValue, sortedCopy } from '../analysis/metrics';
import { combinedPValue, linesPValue } from '../analysis/novelty-statistic';

/** How much wider than the trained ranges the widened selection generator draws (fixed a priori: twice). */
export const WIDENING = 2;

export const SELECTION_STATISTICS = ['bceExcess', 'unexplainedLines', 'bceOrLines'] as const;
export type SelectionStatistic = (typeof SELECTION_STATISTICS)[number];

/** A range `factor` times as wide about its centre (by ratio when it is strictly positive), never crossing zero where it did not. */
function widen(d: Distribution, factor: number): Distribution {
  if (typeof d === 'number' || d.dist === 'constant' || d.dist === 'normal') return d;
  // A strictly positive range (a size, a width, a count, a centre) widens by ratio, so that it
  // stays positive and a width never shrinks to nothing; a range about zero widens by length.
  if (d.min > 0) {
    const centre = Math.sqrt(d.min * d.max);
    const ratio = Math.sqrt(d.max / d.min) ** factor;
    return { dist: d.dist, min: centre / ratio, max: centre * ratio };
  }
  const centre = (d.min + d.max) / 2;
  const half = ((d.max - d.min) / 2) * factor;
  return { dist: 'uniform', min: d.min >= 0 ? Math.max(0, centre - half) : centre - half, max: d.max <= 0 ? Math.min(0, centre + half) : centre + half };
}

/** The augmentation with every varied range widened (WIDENING). */
export function widenedAugmentation(augmentation: AugmentationConfig, factor = WIDENING): AugmentationConfig {
  const out = { ...augmentation } as Record<string, unknown>;
  for (const [key, value] of Object.entries(augmentation)) {
    if (typeof value === 'object' && value !== null && 'dist' in value) out[key] = widen(value as Distribution, factor);
  }
  return out as unknown as AugmentationConfig;
}

export interface ScoredForSelection {
  bceExcess: number;
  lines: number;
}

/** Each statistic's p-value for every pattern, against the calibration patterns' own. */
export function selectionPValues(calibration: readonly ScoredForSelection[], scored: readonly ScoredForSelection[]): Record<SelectionStatistic, Float64Array> {
  const bce = sortedCopy(Float64Array.from(calibration, (c) => c.bceExcess));
  const lines = sortedCopy(Float64Array.from(calibration, (c) => c.lines));
  const pBce = Float64Array.from(scored, (s) => pValue(bce, s.bceExcess));
  const pLines = Float64Array.from(scored, (s) => linesPValue(lines, s.lines));
  return {
    bceExcess: pBce,
    unexplainedLines: pLines,
    bceOrLines: pBce.map((p, i) => combinedPValue(p, pLines[i])),
  };
}

export interface StatisticMeasures {
  /** Patterns holding the left-out phase ranked above the known ones, by −log p (ties count half). */
  auroc: number;
  /** Known patterns with p below the threshold. */
  falsePositiveRate: number;
  /** Patterns holding the left-out phase with p below the threshold. */
  truePositiveRate: number;
}

/** AUROC and the rates at `threshold` of each statistic, positives against negatives (indices into `pValues`). */
export function statisticMeasures(pValues: Record<SelectionStatistic, Float64Array>, positive: ArrayLike<boolean>, threshold: number): Record<SelectionStatistic, StatisticMeasures> {
  const out = {} as Record<SelectionStatistic, StatisticMeasures>;
  for (const statistic of SELECTION_STATISTICS) {
    const p = pValues[statistic];
    const pos: number[] = [];
    const neg: number[] = [];
    p.forEach((v, i) => (positive[i] ? pos : neg).push(-Math.log(v)));
    const rate = (xs: number[]) => xs.filter((x) => x > -Math.log(threshold)).length / Math.max(1, xs.length);
    out[statistic] = { auroc: auroc(pos, neg), falsePositiveRate: rate(neg), truePositiveRate: rate(pos) };
  }
  return out;
}
