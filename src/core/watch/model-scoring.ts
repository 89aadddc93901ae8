// The watcher's scorer for a loaded model: the same per-file fields as `latent-xrd score`
// (latent, errors, p-value, verdict, nearest phase, coverage, preprocessing steps), one file at
// a time or — for a backlog — many patterns in one pass through the network.
import type { Scorer, PatternScore } from '../model/score';
import { verdictFor } from '../analysis/verdict';
import { prepareForModel } from '../preprocess/prepare';
import type { MeasurementWatcherOptions } from './watcher';

export type FileScore = PatternScore & { coverage: number; steps: string[] };

/**
 * `score` and `scoreBatch` for a MeasurementWatcher. `pThreshold` overrides the model's own
 * novelty threshold (the p-value itself does not depend on it).
 */
export function modelScoring(scorer: Scorer, pThreshold?: number): Pick<MeasurementWatcherOptions<FileScore>, 'score' | 'scoreBatch'> {
  const threshold = pThreshold ?? scorer.model.manifest.calibration.pThreshold;
  const withVerdict = (score: PatternScore): PatternScore => ({ ...score, verdict: verdictFor(score, threshold) });
  const grid = scorer.model.manifest.grid;
  return {
    score(measured) {
      const { score, prepared } = scorer.scoreMeasured(measured);
      return { ...withVerdict(score), coverage: prepared.coverage, steps: prepared.steps };
    },
    scoreBatch(requests) {
      const prepared = requests.map((r) => prepareForModel(r.measured, grid));
      const patterns = new Float32Array(prepared.length * grid.points);
      prepared.forEach((p, i) => patterns.set(p.pattern, i * grid.points));
      const { scores } = scorer.score(patterns, prepared.length, { covered: prepared.map((p) => p.covered) });
      return scores.map((s, i) => ({ ...withVerdict(s), coverage: prepared[i].coverage, steps: prepared[i].steps }));
    },
  };
}
