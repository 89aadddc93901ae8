// The watcher's scorer for a loaded model: the same per-file fields as `latent-xrd score`
// (latent, errors, p-value, verdict, nearest phase, coverage, preprocessing steps), one file at
// a time or — for a backlog — many patterns in one pass through the network. Both prepare each
// pattern with the scorer's own `prepare` (the model's grid and wavelength), so a file gets the
// same numbers whether it arrives alone or in a backlog.
import { measuredSpan, type Scorer, type PatternScore } from '../model/score';
import { thresholdInForce, verdictFor } from '../analysis/verdict';
import type { PreprocessOptions } from '../preprocess/prepare';
import type { MeasurementWatcherOptions } from './watcher';

export type FileScore = PatternScore & { coverage: number; steps: string[] };

/**
 * `score` and `scoreBatch` for a MeasurementWatcher. `pThreshold` overrides the model's own
 * novelty threshold (thresholdInForce decides; the p-value itself does not depend on it).
 */
export function modelScoring(scorer: Scorer, pThreshold?: number | null, preprocessing: PreprocessOptions = {}): Pick<MeasurementWatcherOptions<FileScore>, 'score' | 'scoreBatch'> {
  const threshold = thresholdInForce(scorer.model.manifest, pThreshold);
  const withVerdict = (score: PatternScore): PatternScore => ({ ...score, verdict: verdictFor(score, threshold) });
  const grid = scorer.model.manifest.grid;
  return {
    score(measured) {
      const { score, prepared } = scorer.scoreMeasured(measured, preprocessing);
      return { ...withVerdict(score), coverage: prepared.coverage, steps: prepared.steps };
    },
    scoreBatch(requests) {
      const prepared = requests.map((r) => scorer.prepare(r.measured, preprocessing));
      const patterns = new Float32Array(prepared.length * grid.points);
      prepared.forEach((p, i) => patterns.set(p.pattern, i * grid.points));
      const { scores } = scorer.score(patterns, prepared.length, { spans: prepared.map((p) => measuredSpan(p, grid.points)) });
      return scores.map((s, i) => ({ ...withVerdict(s), coverage: prepared[i].coverage, steps: prepared[i].steps }));
    },
  };
}
