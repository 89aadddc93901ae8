// The line half of a model's calibration (analysis/novelty-statistic.ts): the unexplained-line
// sums of its held-out calibration patterns, each scored exactly as a measured file of that
// pattern would be — prepared as recorded, encoded, its residual searched for lines.
import { gridValues } from '../diffraction/render';
import type { MeasuredPattern } from '../formats/pattern';
import { sortedCopy } from '../analysis/metrics';
import { unexplainedLineSum } from '../analysis/novelty-statistic';
import { manifestNumber } from './manifest';
import { Scorer, type PatternScore } from './score';
import type { LoadedModel } from './store';

/** Rows of `patterns` on the model's grid, each scored as the measured file holding it would be. */
export function scoreGridRowsAsFiles(scorer: Scorer, patterns: Float32Array): { score?: PatternScore; error?: string }[] {
  const { grid } = scorer.model.manifest;
  const twoTheta = Float64Array.from(gridValues(grid));
  const rows = patterns.length / grid.points;
  const measured: MeasuredPattern[] = Array.from({ length: rows }, (_, r) => ({ twoTheta, intensity: Float64Array.from(patterns.subarray(r * grid.points, (r + 1) * grid.points)) }));
  return scorer.scoreManyMeasured(measured);
}

/**
 * The calibration patterns' unexplained-line sums, ascending. A pattern that cannot be prepared
 * (nothing but a constant) is left out, as a measured one would be refused.
 */
export function calibrationLineSums(model: Required<Pick<LoadedModel, 'calibrationPatterns'>> & LoadedModel): number[] {
  const { lineSums: _, ...errorOnly } = model.manifest.calibration;
  const scorer = new Scorer({ ...model, manifest: { ...model.manifest, calibration: errorOnly } });
  const sums = scoreGridRowsAsFiles(scorer, model.calibrationPatterns).flatMap((r) => (r.score ? [unexplainedLineSum(r.score.unexplainedPeaks)] : []));
  return Array.from(sortedCopy(Float64Array.from(sums)), manifestNumber);
}
