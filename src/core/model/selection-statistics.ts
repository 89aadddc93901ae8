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
//
// A second question, asked the same way: should the verdict also hear the physical decomposition
// (core/decomposition), the second agent, whose residual p-value is calibrated like the VAE's?
// The candidates, fixed before any selection run with them was read (AGENT_STATISTICS):
//   - vae: the VAE's p-value as the product reads it (bceOrLines);
//   - residual: the decomposition's residual p-value alone (its Rwp and unexplained lines, by
//     Bonferroni, decomposition/explain.ts);
//   - vaeOrResidual: both agents by Bonferroni, p = min(1, 2·min(p_vae, p_residual)), which keeps
//     the guarantee for known patterns whatever the dependence between the agents.
// The decomposition takes seconds a pattern where the VAE takes milliseconds, so the agents are
// compared on an evenly spaced sample of each selection set, AGENT_SAMPLE_PER_CLASS patterns
// holding the left-out phase and as many without (fixed a priori), all candidates on the same
// patterns. The rule, fixed a priori and the same as the first question's: the highest mean
// AUROC on the widened set, provided its as-trained AUROC is within 0.01 of the best; on a tie,
// the one that needs less (vae, then residual).
import type { AugmentationConfig } from '../synth/augmentation';
import type { Distribution } from '../synth/distributions';
import { auroc, pValue, sortedCopy } from '../analysis/metrics';
import { AGENT_STATISTICS, agentsPValue, combinedPValue, linesPValue, type AgentStatistic } from '../analysis/novelty-statistic';

/** How much wider than the trained ranges the widened selection generator draws (fixed a priori: twice). */
export const WIDENING = 2;

export const SELECTION_STATISTICS = ['bceExcess', 'unexplainedLines', 'bceOrLines'] as const;
export type SelectionStatistic = (typeof SELECTION_STATISTICS)[number];

export { AGENT_STATISTICS, type AgentStatistic };

/** Patterns holding the left-out phase, and as many without, that each agent comparison decomposes per selection set. */
export const AGENT_SAMPLE_PER_CLASS = 24;

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

/** Each agent statistic's p-value from the VAE's p-values (as the product reads them) and the decomposition's residual ones. */
export function agentPValues(vae: ArrayLike<number>, residual: ArrayLike<number>): Record<AgentStatistic, Float64Array> {
  if (vae.length !== residual.length) throw new Error(`agent p-values: ${vae.length} VAE p-values against ${residual.length} residual ones`);
  const pVae = Float64Array.from(vae);
  const pResidual = Float64Array.from(residual);
  return Object.fromEntries(AGENT_STATISTICS.map((s) => [s, pVae.map((p, i) => agentsPValue(s, p, pResidual[i]))])) as Record<AgentStatistic, Float64Array>;
}

/**
 * Up to `perClass` rows holding the left-out phase and `perClass` without, each evenly spaced
 * through its class in row order (deterministic, and spread over the dataset's pure patterns,
 * pairs and triples, which it writes in that order), ascending.
 */
export function evenClassSample(positive: ArrayLike<boolean>, perClass: number): Int32Array {
  const rows: number[] = [];
  for (const wanted of [true, false]) {
    const members: number[] = [];
    for (let i = 0; i < positive.length; i++) if (positive[i] === wanted) members.push(i);
    const take = Math.min(perClass, members.length);
    for (let k = 0; k < take; k++) rows.push(members[Math.floor(((k + 0.5) * members.length) / take)]);
  }
  return Int32Array.from(rows).sort();
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
export function statisticMeasures<S extends string>(pValues: Record<S, Float64Array>, positive: ArrayLike<boolean>, threshold: number): Record<S, StatisticMeasures> {
  const out = {} as Record<S, StatisticMeasures>;
  for (const statistic of Object.keys(pValues) as S[]) {
    const p = pValues[statistic];
    if (p.length !== positive.length) throw new Error(`${statistic}: ${p.length} p-values for ${positive.length} patterns`);
    const pos: number[] = [];
    const neg: number[] = [];
    p.forEach((v, i) => (positive[i] ? pos : neg).push(-Math.log(v)));
    const rate = (xs: number[]) => xs.filter((x) => x > -Math.log(threshold)).length / Math.max(1, xs.length);
    out[statistic] = { auroc: auroc(pos, neg), falsePositiveRate: rate(neg), truePositiveRate: rate(pos) };
  }
  return out;
}

/**
 * The rule both questions were decided by, fixed before their runs were read: the candidate with
 * the highest mean AUROC on the widened set whose as-trained AUROC is within `margin` of the
 * best; on a tie, the one listed first (`candidates` lists the simpler first).
 */
export function chosenByRule<S extends string>(measures: { asTrained: Record<S, StatisticMeasures>; widened: Record<S, StatisticMeasures> }, candidates: readonly S[], margin = 0.01): S {
  const bestAsTrained = Math.max(...candidates.map((c) => measures.asTrained[c].auroc));
  const eligible = candidates.filter((c) => measures.asTrained[c].auroc >= bestAsTrained - margin);
  return eligible.reduce((best, c) => (measures.widened[c].auroc > measures.widened[best].auroc ? c : best));
}
