// The number a verdict is read from: how surprising a pattern is to the model, as a p-value.
//
// Two kinds of evidence, each calibrated on the model's held-out known patterns prepared as
// scored ones are (conformal: p = (1 + #{calibration ≥ x}) / (n + 1)):
//   - the excess reconstruction error, which counts every misfit of shape, width or background;
//   - the unexplained lines (analysis/unexplained-peaks.ts), summed relative heights: a line the
//     model cannot draw, which is how a phase it never saw usually shows.
// A pattern with no unexplained line has no line evidence (p_lines = 1). The two are combined by
// Bonferroni, p = min(1, 2·min(p_error, p_lines)): for a known pattern P(p ≤ α) ≤ α whatever the
// dependence between them, so the threshold keeps its meaning.
//
// Why both: chosen on the measured benchmark's selection run (synthetic patterns of left-out
// phases, never the measured spectra; model/selection-statistics.ts, docs/measured-benchmark.md),
// where the pair ranked the left-out phases best both on patterns drawn as trained and on
// patterns from a generator twice as wide as the trained one — measured data are wider than any
// generator, and an error that sums every misfit loses most there.
import { pValue } from './metrics';
import type { UnexplainedPeak } from './unexplained-peaks';

/** The line statistic: the summed heights of the unexplained peaks relative to the strongest line (none: 0). */
export function unexplainedLineSum(peaks: readonly UnexplainedPeak[] | undefined): number {
  return (peaks ?? []).reduce((sum, p) => sum + p.relativeHeight, 0);
}

/** The line p-value against the calibration patterns' sorted line sums: 1 without a line (no evidence). */
export function linesPValue(sortedLineSums: ArrayLike<number>, lineSum: number): number {
  if (Number.isNaN(lineSum)) return NaN;
  return lineSum > 0 ? pValue(sortedLineSums, lineSum) : 1;
}

/** Bonferroni's combination of the error's and the lines' p-values. */
export function combinedPValue(pError: number, pLines: number): number {
  return Math.min(1, 2 * Math.min(pError, pLines));
}

export interface NoveltyPValues {
  /** The p-value the verdict is read from. */
  pValue: number;
  /** Its parts, when the calibration has line sums: the error's and the lines'. */
  pValueError?: number;
  pValueLines?: number;
}

/**
 * A pattern's p-values against a calibration: the error's alone when the calibration has no line
 * sums (a model saved before they were kept, or a conditional model), else both and their
 * combination.
 */
export function noveltyPValues(calibration: { errors: ArrayLike<number>; lineSums?: ArrayLike<number> }, error: number, lineSum: number | undefined): NoveltyPValues {
  const pError = pValue(calibration.errors, error);
  if (!calibration.lineSums) return { pValue: pError };
  if (lineSum === undefined) throw new Error('this model\'s p-value needs the pattern\'s unexplained lines');
  const pLines = linesPValue(calibration.lineSums, lineSum);
  return { pValue: combinedPValue(pError, pLines), pValueError: pError, pValueLines: pLines };
}

/**
 * The ways a verdict can hear the two agents once a pattern has also been explained by the
 * physical decomposition (core/decomposition): the VAE's p-value alone, the decomposition's
 * residual p-value alone, or both by Bonferroni. Compared on the measured benchmark's selection
 * run (model/selection-statistics.ts), never on measured spectra.
 */
export const AGENT_STATISTICS = ['vae', 'residual', 'vaeOrResidual'] as const;
export type AgentStatistic = (typeof AGENT_STATISTICS)[number];

/** The p-value a verdict reads under `statistic`, from the VAE's p and the decomposition's residual p. */
export function agentsPValue(statistic: AgentStatistic, pVae: number, pResidual: number): number {
  if (statistic === 'vae') return pVae;
  if (statistic === 'residual') return pResidual;
  return combinedPValue(pVae, pResidual);
}
