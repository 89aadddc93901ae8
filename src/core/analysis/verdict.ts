// KNOWN / NOVEL has one definition, here: every face of the tool (score, score-collection, watch,
// the editors) gets its verdict from `verdictFor`, whatever threshold it uses.
import { UserError } from '../diagnostics';

export type Verdict = 'known' | 'novel';

/** The numbers a verdict rests on: all of them must be finite for there to be one. */
export interface ScoreNumbers {
  latent: ArrayLike<number>;
  bce: number;
  bceExcess: number;
  mse: number;
  pValue: number;
  nearestDistance?: number;
  bceSpread?: number;
}

/** The first number of a score that is not finite, as "name = value", or undefined when all are. */
export function nonFiniteScoreNumber(score: ScoreNumbers): string | undefined {
  for (let d = 0; d < score.latent.length; d++) {
    if (!Number.isFinite(score.latent[d])) return `latent coordinate ${d + 1} = ${score.latent[d]}`;
  }
  for (const key of ['bce', 'bceExcess', 'mse', 'pValue', 'nearestDistance', 'bceSpread'] as const) {
    const v = score[key];
    if (v !== undefined && !Number.isFinite(v)) return `${key} = ${v}`;
  }
  return undefined;
}

/**
 * Novel when the p-value is below `pThreshold`, else known. A score with a non-finite number has
 * no verdict: NaN compares false with everything, so `p < threshold` would call it known. It is
 * refused instead (a UserError naming the number), and so is a threshold outside (0, 1].
 */
export function verdictFor(score: ScoreNumbers, pThreshold: number): Verdict {
  if (!(pThreshold > 0 && pThreshold <= 1)) throw new UserError(`a p-value threshold must be in (0, 1]; got ${pThreshold}`);
  const bad = nonFiniteScoreNumber(score);
  if (bad) throw new UserError(`the model gave a non-finite score for this pattern (${bad}): no verdict`);
  return score.pValue < pThreshold ? 'novel' : 'known';
}
