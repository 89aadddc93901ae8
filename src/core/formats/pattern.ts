// The one shape every reader returns and every consumer (preprocessing, scoring, the editors,
// the watch folder, library import) takes. Readers fill what their file states; nothing is
// guessed here — preprocessing decides what an absent wavelength means.
//
// What a reader promises about the numbers, checked once more on every reader's output by
// `checkReadPattern`: every number finite; 2θ a scattering angle (|2θ| ≤ 180°) and strictly
// increasing; σ ≥ 0; wavelengths plausible (`implausibleWavelength`); the Kα2/Kα1 ratio in
// [0, 1]. Intensities are not bounded: counts, counts/s and normalised values all occur, and any
// finite scale is data — arithmetic that could overflow on them is preprocessing's to guard.
import { implausibleWavelength } from '../diffraction/wavelengths';
import { errorInFile } from './located';
import { MAX_PATTERN_POINTS, tooManyPoints } from './limits';

export interface MeasuredPattern {
  /**
   * Degrees, strictly increasing after reading: descending scans are reversed, stitched ranges
   * interleaved, and counts measured twice at one angle averaged into one point.
   */
  twoTheta: Float64Array;
  /** Counts or counts/s as the file gives them, aligned with twoTheta. */
  intensity: Float64Array;
  /** Standard uncertainty of each intensity, when the file has it (.xye, GSAS ESD). */
  sigma?: Float64Array;
  /** Kα1 (or the monochromatic) wavelength in Å, when the file states it. */
  wavelength?: number;
  /** Kα2 wavelength in Å, when the file states it. */
  wavelength2?: number;
  /** Kα2/Kα1 intensity ratio, when the file states it (0 when the beam is monochromatic). */
  kAlpha2Ratio?: number;
  /** Short name of the format that was read: "xy", "xrdml", "bruker-raw", … */
  format?: string;
  /** Header values worth showing to a user (instrument, sample, dates, scan axis, step, …). */
  meta?: Record<string, string | number | boolean>;
}

/** The largest |2θ|: a scattering angle is at most 180° either side of the beam. */
export const MAX_TWO_THETA = 180;

// Both run once a point: the usual answer comes first, from a comparison (NaN fails it too).

/** Why `v` is not a 2θ in degrees, or undefined when it is. */
export function twoThetaProblem(v: number): string | undefined {
  if (Math.abs(v) <= MAX_TWO_THETA) return undefined;
  if (!Number.isFinite(v)) return `2θ must be a finite number of degrees; got ${v}`;
  return `2θ = ${v}° is not a scattering angle (|2θ| ≤ ${MAX_TWO_THETA}°); is the column in other units?`;
}

/** Why `v` is not a standard uncertainty, or undefined when it is. */
export function sigmaProblem(v: number): string | undefined {
  if (v >= 0 && v < Infinity) return undefined;
  if (!Number.isFinite(v)) return `σ must be a finite number; got ${v}`;
  return `σ = ${v} is negative; a standard uncertainty is ≥ 0 (a column that is not σ belongs in a file read as two columns, .xy)`;
}

/** Why `r` is not a Kα2/Kα1 intensity ratio, or undefined when it is. */
export function implausibleKAlpha2Ratio(r: number): string | undefined {
  if (!Number.isFinite(r) || r < 0 || r > 1) return `a Kα2/Kα1 intensity ratio is between 0 and 1 (0.5 for every common tube); got ${r}`;
  return undefined;
}

/**
 * Every reader's output once more against the promises above, so that no reader (and no future
 * one) hands on a number that is not one: readers refuse what they can at its line or byte;
 * this names the point.
 */
export function checkReadPattern(p: MeasuredPattern, file: string): MeasuredPattern {
  const n = p.twoTheta.length;
  if (n < 2) throw errorInFile(file, `${n === 0 ? 'no' : 'only one'} data point; a pattern needs at least two`);
  if (n > MAX_PATTERN_POINTS) throw errorInFile(file, tooManyPoints(n));
  if (p.intensity.length !== n || (p.sigma && p.sigma.length !== n)) throw errorInFile(file, `${n} angles but ${p.intensity.length} intensities${p.sigma ? ` and ${p.sigma.length} σ` : ''}`);
  const at = (i: number) => `point ${i + 1} of ${n} (2θ = ${p.twoTheta[i]}°)`;
  for (let i = 0; i < n; i++) {
    const angle = twoThetaProblem(p.twoTheta[i]);
    if (angle) throw errorInFile(file, `${at(i)}: ${angle}`);
    if (i > 0 && !(p.twoTheta[i] > p.twoTheta[i - 1])) throw errorInFile(file, `${at(i)}: 2θ does not increase from point ${i} (${p.twoTheta[i - 1]}°)`);
    if (!Number.isFinite(p.intensity[i])) throw errorInFile(file, `${at(i)}: the intensity is not a finite number (${p.intensity[i]})`);
    const sigma = p.sigma && sigmaProblem(p.sigma[i]);
    if (sigma) throw errorInFile(file, `${at(i)}: ${sigma}`);
  }
  for (const [key, name] of [['wavelength', 'the Kα1 wavelength'], ['wavelength2', 'the Kα2 wavelength']] as const) {
    const problem = p[key] !== undefined && implausibleWavelength(p[key]!);
    if (problem) throw errorInFile(file, `${name}: ${problem}`);
  }
  const ratio = p.kAlpha2Ratio !== undefined && implausibleKAlpha2Ratio(p.kAlpha2Ratio);
  if (ratio) throw errorInFile(file, ratio);
  return p;
}
