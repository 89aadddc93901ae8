// What scoring says about a pattern, as types only: the score (score.ts computes it) and the
// model's recorded reliability (reliability.ts decides it). Kept apart from the machinery that
// computes them, with nothing but type imports of light modules, so that the messages to the
// webview (src/protocol/webview.ts) derive their payloads from these types and the webview's
// type check (DOM, no Node) can read them.
import type { Verdict } from '../../shared/vocabulary';
import type { UnexplainedPeak } from '../analysis/unexplained-peaks';

export interface PatternScore {
  latent: number[];
  /** Mean BCE per point, as in training. */
  bce: number;
  /** BCE above the pattern's own entropy: what the model got wrong (the novelty score). */
  bceExcess: number;
  mse: number;
  /** The p-value the verdict is read from (analysis/novelty-statistic.ts). */
  pValue: number;
  /** Its parts, for a model whose calibration has line sums: the excess error's and the unexplained lines'. */
  pValueError?: number;
  pValueLines?: number;
  verdict: Verdict;
  nearestPhase: string;
  /** Distance in the latent plane to the nearest training pattern of that phase. */
  nearestDistance: number;
  /** Ensemble spread of the excess BCE (standard deviation over members), when there are several. */
  bceSpread?: number;
  /** Fraction of the model's 2θ range measured; the errors count only that part (see MeasuredSpan). */
  coverage?: number;
  /**
   * For a partly measured pattern, what its p-value is against: 'same-span', the calibration
   * patterns cut to the same span and prepared alike (model/span-calibration.ts); 'whole-range',
   * the whole patterns' errors, for a model saved before it kept its calibration patterns — a bound
   * that holds only while the cut leaves the encoding as it was (MeasuredSpan).
   */
  calibratedOver?: 'same-span' | 'whole-range';
  /** Lines of the pattern the reconstruction does not account for, strongest first (analysis/unexplained-peaks.ts). */
  unexplainedPeaks?: UnexplainedPeak[];
}

/** What the manifest records. */
export interface Reliability {
  reliable: boolean;
  /** Why not, one sentence each with the measured number and the bar (empty when reliable). */
  reasons: string[];
}
