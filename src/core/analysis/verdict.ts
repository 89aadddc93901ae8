// KNOWN / NOVEL has one definition, here: every face of the tool (score, score-collection, watch,
// the ranking, the editors, the library map) gets its verdict from `verdictFor`, at the threshold
// `thresholdInForce` decides, and words it with `verdictLabel`.
import { UserError } from '../diagnostics';
import { quantileSorted } from './metrics';
import type { KnownOrNovel, Verdict } from '../../shared/vocabulary';
import { agentsPValue, type AgentStatistic } from './novelty-statistic';

/** The verdict's words are declared with the other words every layer speaks (src/shared/vocabulary.ts); the decision is here. */
export type { KnownOrNovel, Verdict };

/**
 * Below half of the model's 2θ range measured, a pattern gets no KNOWN / NOVEL verdict. Half, because
 * the encoder then sees more fill than data: the latent position (and so the reconstruction of the
 * part that was measured) is decided more by what was not measured than by what was. The score is
 * still given, over the measured part, for what it is worth.
 */
export const MIN_COVERAGE_FOR_VERDICT = 0.5;

/** The numbers a verdict rests on: all of them must be finite for there to be one. */
export interface ScoreNumbers {
  latent: ArrayLike<number>;
  bce: number;
  bceExcess: number;
  mse: number;
  pValue: number;
  nearestDistance?: number;
  bceSpread?: number;
  /** Fraction of the model's 2θ range measured (absent: all of it, e.g. a simulated pattern). */
  coverage?: number;
}

/** The first number of a score that is not finite, as "name = value", or undefined when all are. */
export function nonFiniteScoreNumber(score: ScoreNumbers): string | undefined {
  for (let d = 0; d < score.latent.length; d++) {
    if (!Number.isFinite(score.latent[d])) return `latent coordinate ${d + 1} = ${score.latent[d]}`;
  }
  for (const key of ['bce', 'bceExcess', 'mse', 'pValue', 'nearestDistance', 'bceSpread', 'coverage'] as const) {
    const v = score[key];
    if (v !== undefined && !Number.isFinite(v)) return `${key} = ${v}`;
  }
  return undefined;
}

/** The p-value threshold a verdict is made at, and where it comes from. */
export interface ThresholdInForce {
  pThreshold: number;
  /** 'model': the threshold the model was calibrated with; 'override': a setting or flag replaced it. */
  source: 'model' | 'override';
  /** For people: "the model's" or the setting / flag that set it. */
  description: string;
}

/**
 * The one decision of which threshold is in force: the model's own (manifest.calibration.pThreshold),
 * unless `override` gives a number — the `latentXrd.noveltyPValueThreshold` setting, or a command's
 * `--threshold` — named by `overrideName` in messages. null or undefined: the model's. An override
 * outside (0, 1) is refused with its name (a p-value is never below 0, and every p-value is < 1).
 */
export function thresholdInForce(model: { calibration: { pThreshold: number } }, override?: number | null, overrideName = 'the threshold override'): ThresholdInForce {
  if (override === undefined || override === null) {
    const p = model.calibration.pThreshold;
    return { pThreshold: p, source: 'model', description: `p < ${p}, the model's threshold` };
  }
  if (typeof override !== 'number' || !(override > 0 && override < 1)) {
    throw new UserError(`${overrideName} must be a p-value between 0 and 1 (exclusive), or unset for the model's own; got ${String(override)}`);
  }
  return { pThreshold: override, source: 'override', description: `p < ${override}, set by ${overrideName} (the model's is ${model.calibration.pThreshold})` };
}

/**
 * The reconstruction error at the threshold in force, for people who read raw errors (the latent
 * map's legend): the model's recorded one, or the calibration errors' 1 − p quantile for an override.
 */
export function errorThresholdInForce(calibration: { errors: ArrayLike<number>; errorThreshold: number }, threshold: ThresholdInForce): number {
  return threshold.source === 'model' ? calibration.errorThreshold : quantileSorted(calibration.errors, 1 - threshold.pThreshold);
}

/**
 * Outside range when less than MIN_COVERAGE_FOR_VERDICT of the model's 2θ range was measured,
 * else novel when the p-value is below `pThreshold`, else known. A score with a non-finite number
 * has no verdict: NaN compares false with everything, so `p < threshold` would call it known. It is
 * refused instead (a UserError naming the number), and so is a threshold outside (0, 1].
 */
export function verdictFor(score: ScoreNumbers, threshold: number | ThresholdInForce): Verdict {
  const pThreshold = typeof threshold === 'number' ? threshold : threshold.pThreshold;
  if (!(pThreshold > 0 && pThreshold <= 1)) throw new UserError(`a p-value threshold must be in (0, 1]; got ${pThreshold}`);
  const bad = nonFiniteScoreNumber(score);
  if (bad) throw new UserError(`the model gave a non-finite score for this pattern (${bad}): no verdict`);
  if (score.coverage !== undefined && score.coverage < MIN_COVERAGE_FOR_VERDICT) return 'outside-range';
  return score.pValue < pThreshold ? 'novel' : 'known';
}

/**
 * How the verdict hears the two agents once a pattern has also been explained by the physical
 * decomposition: chosen on the measured benchmark's selection run by a rule fixed before it was
 * read (model/selection-statistics.ts): both agents by Bonferroni, on the run of 2026-12-02
 * (docs/measured-benchmark.md, "Hearing the decomposition").
 */
export const VERDICT_AGENTS: AgentStatistic = 'vaeOrResidual';

/**
 * The verdict of a pattern the VAE scored and the decomposition explained: verdictFor on the
 * p-value VERDICT_AGENTS reads from both (`residualPValue` undefined — a decomposition without a
 * calibration — leaves the VAE's alone). `heard` says which agents the p-value is from.
 */
export function verdictOfBothAgents(score: ScoreNumbers, residualPValue: number | undefined, threshold: number | ThresholdInForce): { verdict: Verdict; pValue: number; heard: AgentStatistic } {
  if (residualPValue !== undefined && !Number.isFinite(residualPValue)) throw new UserError(`the decomposition gave a non-finite residual p-value (${residualPValue}): no verdict`);
  const heard = residualPValue === undefined ? 'vae' : VERDICT_AGENTS;
  const pValue = residualPValue === undefined ? score.pValue : agentsPValue(heard, score.pValue, residualPValue);
  return { verdict: verdictFor({ ...score, pValue }, threshold), pValue, heard };
}

/**
 * The verdict as people read it: KNOWN, NOVEL or OUTSIDE THE MODEL'S RANGE, and "(unreliable
 * model)" after it when the model's own held-out checks fell short (model/reliability.ts), so
 * no view shows a confident KNOWN from a model that cannot back it.
 */
export function verdictLabel(verdict: Verdict, modelReliable?: boolean | null): string {
  const word = verdict === 'outside-range' ? "OUTSIDE THE MODEL'S RANGE" : verdict.toUpperCase();
  return modelReliable === false && verdict !== 'outside-range' ? `${word} (unreliable model)` : word;
}
