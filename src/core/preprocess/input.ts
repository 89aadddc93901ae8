// What preprocessing takes from a reader, and the least a measurement must hold to be scored.
// Readers refuse non-finite numbers too; this is the engine's own door, so a pattern that comes
// from anywhere else (a collection, the editor, an API caller) meets the same rules.
import { UserError } from '../diagnostics';
import { implausibleWavelength } from '../diffraction/wavelengths';
import { gridStep, type Grid } from '../diffraction/render';
import type { MeasuredPattern } from '../formats/pattern';
import { range } from './steps';

/** 2θ is a diffraction angle: from the direct beam (0°) to straight back (180°). */
export const TWO_THETA_LIMITS = { min: 0, max: 180 } as const;

/**
 * The least a measurement must put on the model's grid to be scored: five grid points that hold
 * a measured point. That is the smallest stretch of the grid on which a feature can be told from
 * a background: a peak needs a rise, a top and a fall (three points), and the background a point
 * on either side (the second difference the ALS background is built on spans five). Below it the
 * model would be shown an interpolation between a few readings, and its verdict would be on
 * nothing. Counted in grid points, not in coverage: a 37–48° library (a sixth of a 20–90° grid,
 * 300-odd points of 2048) is usable.
 */
export const MIN_MEASURED_GRID_POINTS = 5;

/** Refuses a pattern with a non-finite, impossible or out-of-order number, naming the point. */
export function checkMeasured(measured: MeasuredPattern): void {
  const { twoTheta, intensity } = measured;
  if (twoTheta.length !== intensity.length) {
    throw new UserError(`the pattern has ${twoTheta.length} 2θ values but ${intensity.length} intensities`);
  }
  for (let i = 0; i < twoTheta.length; i++) {
    const x = twoTheta[i];
    const y = intensity[i];
    const where = `point ${i + 1} of ${twoTheta.length}`;
    if (!(x >= TWO_THETA_LIMITS.min && x <= TWO_THETA_LIMITS.max)) {
      throw new UserError(`${where}: 2θ = ${x}° is not a diffraction angle (${TWO_THETA_LIMITS.min}–${TWO_THETA_LIMITS.max}°)`);
    }
    if (!Number.isFinite(y)) throw new UserError(`${where} (2θ = ${x}°): the intensity is ${y}; a measured intensity is a finite number`);
    if (i > 0 && x < twoTheta[i - 1]) throw new UserError(`${where}: 2θ = ${x}° is below the point before it (${twoTheta[i - 1]}°); 2θ must increase`);
  }
  if (measured.wavelength !== undefined) {
    const problem = implausibleWavelength(measured.wavelength);
    if (problem) throw new UserError(`the wavelength the file states: ${problem}`);
  }
}

/**
 * The power of two that brings the largest |intensity| into [½, 1) (0 for an all-zero pattern).
 * Preprocessing works in these units: every later step is linear in the intensity or compares
 * intensities (Kα2 stripping, resampling, the background fits, scaling to [0, 1]), so the result
 * does not change, and none of their sums can overflow, even on a pattern of ±1e308. A power of
 * two is exact, so an ordinary pattern gives the same numbers to the last bit.
 */
export function intensityExponent(intensity: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < intensity.length; i++) largest = Math.max(largest, Math.abs(intensity[i]));
  if (largest === 0) return 0;
  // frexp: largest = m·2^e with m in [½, 1); log2 can be off by one at a power of two, so check.
  let e = Math.ceil(Math.log2(largest));
  if (timesPowerOfTwo(largest, -e) >= 1) e++;
  else if (timesPowerOfTwo(largest, -e) < 0.5) e--;
  return e;
}

/** v·2^e, exactly, also where 2^e alone is not a double (|e| > 1023, e.g. for denormal patterns). */
export function timesPowerOfTwo(v: number, e: number): number {
  if (Math.abs(e) <= 1000) return v * 2 ** e;
  const half = Math.trunc(e / 2);
  return v * 2 ** half * 2 ** (e - half);
}

/**
 * Refuses a measurement that puts too little on the model's grid to be scored (see
 * MIN_MEASURED_GRID_POINTS), or that is the same intensity everywhere there. `twoTheta` is at the
 * model's wavelength already; `converted` says so in the message.
 */
export function requireUsableData(twoTheta: Float64Array, intensity: Float64Array, grid: Grid, converted: boolean): void {
  const step = gridStep(grid);
  const n = twoTheta.length;
  const at = converted ? ' at the model\'s wavelength' : '';
  const spans = n === 0 ? 'has no points' : twoTheta[0] === twoTheta[n - 1] ? `has every point at 2θ = ${twoTheta[0]}°` : `spans ${range(twoTheta[0], twoTheta[n - 1])}`;
  let gridPoints = 0;
  let lastIndex = -1;
  let lowest = Infinity;
  let highest = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = Math.round((twoTheta[i] - grid.min) / step);
    if (!(k >= 0 && k < grid.points)) continue;
    if (k !== lastIndex) gridPoints++;
    lastIndex = k;
    lowest = Math.min(lowest, intensity[i]);
    highest = Math.max(highest, intensity[i]);
  }
  if (gridPoints === 0) throw new UserError(`no measured point lies in the model's 2θ range (${range(grid.min, grid.max)}): the measurement${at} ${spans}`);
  if (gridPoints < MIN_MEASURED_GRID_POINTS) {
    throw new UserError(
      `too little data to score: measured points fall on ${gridPoints} of the model's grid points (${range(grid.min, grid.max)}, step ${step.toPrecision(3)}°) and scoring needs ${MIN_MEASURED_GRID_POINTS}; the measurement${at} ${spans}`,
    );
  }
  if (!(highest > lowest)) throw new UserError(`the intensity is the same at every measured point in the model's 2θ range (${range(grid.min, grid.max)}): there is no pattern to score`);
}
