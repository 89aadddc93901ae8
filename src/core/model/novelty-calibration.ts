// Which calibration a model's p-values come from, and replacing it with the user's own measured
// patterns of known phases (latent-xrd calibrate-novelty). A model is calibrated on held-out
// synthetic patterns; a measured pattern of a known phase differs from them by what the
// simulation leaves out of the user's instrument, and so looks a little novel. Calibrating on
// measured patterns the user declares known makes the p-value conformal for their instrument:
// for a new pattern exchangeable with them, P(p ≤ α) ≤ α (Vovk, Gammerman & Shafer,
// "Algorithmic Learning in a Random World", 2005, ch. 2; Angelopoulos & Bates, arXiv:2107.07511).
import { join } from 'node:path';
import { UserError } from '../diagnostics';
import { quantileSorted, sortedCopy } from '../analysis/metrics';
import { writeFileAtomic } from '../util/atomic';
import { textFileStartingWith } from '../util/replaceable';
import { manifestNumber, validateManifest, type Calibration, type ModelManifest } from './manifest';

/**
 * The smallest p-value `n` calibration patterns can give: (1 + 0) / (n + 1), twice that when the
 * p-value combines the error's and the lines' (analysis/novelty-statistic.ts).
 */
export function smallestPValue(n: number, withLines = false): number {
  return Math.min(1, (withLines ? 2 : 1) / (n + 1));
}

/** Refuses `n` calibration patterns that could never give a p-value below `pThreshold`. */
export function requireEnoughCalibration(n: number, pThreshold: number, withLines = false): void {
  const smallest = smallestPValue(n, withLines);
  if (smallest < pThreshold) return;
  throw new UserError(
    `${n} known pattern${n === 1 ? '' : 's'} give p-values no smaller than ${withLines ? 2 : 1}/${n + 1} = ${smallest.toPrecision(3)}, so no pattern could be called NOVEL at p < ${pThreshold}: ` +
      `give at least ${Math.floor((withLines ? 2 : 1) / pThreshold)} measured patterns of known phases, or choose a larger threshold with --p-threshold (it is then the verdicts' threshold; it must be above ${smallest.toPrecision(3)})`,
  );
}

/**
 * The error above which a pattern is NOVEL on its error alone: the calibration quantile at the
 * threshold, or at half of it when the p-value is Bonferroni's combination with the lines'.
 */
export function errorThresholdOf(sortedErrors: ArrayLike<number>, pThreshold: number, withLines: boolean): number {
  return quantileSorted(sortedErrors, 1 - (withLines ? pThreshold / 2 : pThreshold));
}

/**
 * The manifest with a calibration on the errors of the user's measured known patterns (`errors`,
 * one per file of `files`, in the manifest's calibration metric). The synthetic calibration is
 * kept aside so that it can be restored. Refused when no pattern could ever be called novel: with
 * n patterns no p-value is below 1/(n+1).
 */
export function withMeasuredCalibration(manifest: ModelManifest, errors: readonly number[], files: readonly string[], pThreshold: number, calibrated: Date, lineSums?: readonly number[]): ModelManifest {
  if (errors.length !== files.length) throw new Error('one error per calibration file');
  // A model whose p-value weighs the unexplained lines is recalibrated on both.
  const withLines = (manifest.syntheticCalibration ?? manifest.calibration).lineSums !== undefined;
  if (withLines && lineSums?.length !== errors.length) throw new Error('this model\'s calibration needs the unexplained-line sum of every file');
  if (!(pThreshold > 0 && pThreshold < 1)) throw new UserError(`the p-value threshold must be in (0, 1); got ${pThreshold}`);
  errors.forEach((e, i) => {
    if (!Number.isFinite(e)) throw new UserError(`${files[i]}: the model gave a non-finite error (${e}); it cannot calibrate`);
  });
  requireEnoughCalibration(errors.length, pThreshold, withLines);
  const sorted = sortedCopy(Float32Array.from(errors));
  const calibration: Calibration = {
    metric: manifest.calibration.metric,
    errors: Array.from(sorted, manifestNumber),
    pThreshold,
    errorThreshold: errorThresholdOf(sorted, pThreshold, withLines),
    source: { kind: 'measured', files: [...files], calibrated: calibrated.toISOString() },
    ...(withLines ? { lineSums: Array.from(sortedCopy(Float64Array.from(lineSums!)), manifestNumber) } : {}),
  };
  return { ...manifest, calibration, syntheticCalibration: manifest.syntheticCalibration ?? manifest.calibration };
}

/** The manifest with its training calibration back in force. */
export function withSyntheticCalibration(manifest: ModelManifest): ModelManifest {
  if (!manifest.syntheticCalibration) throw new UserError('the model is calibrated on its own held-out synthetic patterns already: there is nothing to revert');
  const { syntheticCalibration, ...rest } = manifest;
  return { ...rest, calibration: syntheticCalibration };
}

/** One sentence for the model card, `score` and `train`: which calibration the p-values come from. */
export function calibrationInForce(manifest: Pick<ModelManifest, 'calibration'>): string {
  const { calibration } = manifest;
  const source = calibration.source;
  if (source?.kind === 'measured') {
    return `p-values calibrated on ${source.files.length} measured patterns declared known (${source.calibrated.slice(0, 10)}; conformal for that instrument)`;
  }
  if (source?.kind === 'synthetic') return `p-values calibrated on ${source.patterns} held-out synthetic patterns of the known phases`;
  return `p-values calibrated on ${calibration.errors.length} held-out synthetic patterns (the validation set: recorded before calibration had its own set)`;
}

/**
 * What identifies a model's verdicts: its training, and the calibration in force. A recalibrated
 * model keeps its `created` date but scores differently, so caches key on this.
 */
export function modelRevision(manifest: Pick<ModelManifest, 'created' | 'calibration'>): string {
  const source = manifest.calibration.source;
  return source?.kind === 'measured' ? `${manifest.created}|calibrated ${source.calibrated}` : manifest.created;
}

const recogniseManifest = textFileStartingWith(/^\{\s*"format":\s*"latent-xrd-model"/, 'a latent-xrd model manifest');

/** Replaces the model folder's manifest.json (only one Latent XRD wrote), checked as a reader would first. */
export function writeManifest(dir: string, manifest: ModelManifest): void {
  const path = join(dir, 'manifest.json');
  validateManifest(JSON.parse(JSON.stringify(manifest)), path);
  writeFileAtomic(path, JSON.stringify(manifest, null, 1), recogniseManifest);
}
