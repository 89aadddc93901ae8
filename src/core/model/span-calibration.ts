// Calibrating a pattern measured over part of the model's 2θ range. Its error counts only the
// measured grid points (model/score.ts), and cutting a pattern changes more than which points
// count: the scaling to [0, 1] is over what is left (the strongest line may be gone), and the
// encoder sees fill where data was. So the calibration errors of whole patterns are not its
// reference. Its reference is the calibration patterns themselves (kept in the model folder),
// cut to the same span and prepared exactly as the measured pattern was, then scored the same
// way: under "this is a known pattern", the measured pattern's error and theirs are exchangeable,
// and the p-value means what it means for a whole pattern.
import { gridValues, type Grid } from '../diffraction/render';
import { prepareForModel, type PreparedPattern } from '../preprocess/prepare';
import type { ResolvedPreprocessOptions } from '../preprocess/options';
import { reconstructionErrorsOverSpan } from '../analysis/errors';
import { sortedCopy } from '../analysis/metrics';
import { findUnexplainedPeaks } from '../analysis/unexplained-peaks';
import { unexplainedLineSum } from '../analysis/novelty-statistic';
import { MODEL_LIMITS, type Calibration, type ModelManifest } from './manifest';
import { encodeAndReconstruct, type EncodingMember } from './vae';

/**
 * The calibration patterns a model keeps (dataset rows `rows` of `patterns`, every k-th when there
 * are more than MODEL_LIMITS.calibrationValues allows), and their count recorded in the manifest's
 * calibration. None for a conditional model: scoring them needs their compositions, which are not
 * kept (its partly measured patterns are compared with the whole patterns' errors, and say so).
 */
export function keepCalibrationPatterns(patterns: Float32Array, points: number, rows: Int32Array, manifest: Pick<ModelManifest, 'kind' | 'calibration'>): Float32Array | undefined {
  if (manifest.kind === 'cvae') return undefined;
  const { calibration } = manifest;
  const most = Math.floor(MODEL_LIMITS.calibrationValues / points);
  const stride = Math.max(1, Math.ceil(rows.length / most));
  const kept = Int32Array.from({ length: Math.ceil(rows.length / stride) }, (_, i) => rows[i * stride]);
  calibration.patterns = kept.length;
  const out = new Float32Array(kept.length * points);
  kept.forEach((row, i) => out.set(patterns.subarray(row * points, (row + 1) * points), i * points));
  return out;
}

/** Where on the model's grid a pattern was measured, and how it was prepared (model/score.ts MeasuredSpan). */
export interface SpanOfPattern {
  first: number;
  last: number;
  options?: ResolvedPreprocessOptions;
}

/**
 * The calibration errors for patterns measured over grid points first..last and prepared with
 * `options`: each calibration pattern cut to that span, prepared (preprocess/prepare.ts, as a
 * measured pattern at the model's wavelength), encoded by `model`, its `metric` summed over its
 * measured points as the scored pattern's is (and, given the model's wavelength, its unexplained-line
 * sum over the span); ascending. A cut that cannot be prepared (nothing
 * but a constant left) is left out, as a measured one would be refused.
 */
/** A span's reference sample: the calibration errors, and with a wavelength their unexplained-line sums; ascending. */
export interface SpanCalibration {
  errors: Float64Array;
  lineSums?: Float64Array;
}

export function spanCalibrationErrors(model: EncodingMember, grid: Grid, calibrationPatterns: Float32Array, span: SpanOfPattern, metric: Calibration['metric'], linesAtWavelength?: number): SpanCalibration {
  const points = grid.points;
  const rows = calibrationPatterns.length / points;
  const twoTheta = gridValues(grid).subarray(span.first, span.last + 1);
  const prepared: PreparedPattern[] = [];
  for (let r = 0; r < rows; r++) {
    const intensity = Float64Array.from(calibrationPatterns.subarray(r * points + span.first, r * points + span.last + 1));
    try {
      prepared.push(prepareForModel({ twoTheta, intensity }, grid, span.options ?? {}));
    } catch {
      // Left out: it would have no score either.
    }
  }
  const x = new Float32Array(prepared.length * points);
  prepared.forEach((p, i) => x.set(p.pattern, i * points));
  const { reconstructions } = encodeAndReconstruct(model, x, prepared.length, { keepReconstructions: true });
  const errors = new Float64Array(prepared.length);
  const lineSums = linesAtWavelength === undefined ? undefined : new Float64Array(prepared.length);
  prepared.forEach((p, i) => {
    const { first, last } = p.covered!;
    const pattern = x.subarray(i * points, (i + 1) * points);
    const reconstruction = reconstructions!.subarray(i * points, (i + 1) * points);
    errors[i] = reconstructionErrorsOverSpan(pattern, reconstruction, points, first, last)[metric];
    if (lineSums) lineSums[i] = unexplainedLineSum(findUnexplainedPeaks({ pattern, reconstruction, grid, covered: { first, last }, wavelength: linesAtWavelength! }).peaks);
  });
  return { errors: sortedCopy(errors), ...(lineSums ? { lineSums: sortedCopy(lineSums) } : {}) };
}
