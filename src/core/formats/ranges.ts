// Instruments write one scan as several ranges (stitched detector windows, multi-range
// programs, descending scans). Readers hand their ranges here; every point is kept, ordered
// by 2θ, and the pattern's meta says when ranges were stitched so an overlap is not a surprise.
import type { MeasuredPattern } from './pattern';
import { errorInFile } from './located';

export interface ScanRange {
  twoTheta: ArrayLike<number>;
  intensity: ArrayLike<number>;
  sigma?: ArrayLike<number>;
}

export type PatternHeader = Omit<MeasuredPattern, 'twoTheta' | 'intensity' | 'sigma'>;

export function assemblePattern(file: string, ranges: ScanRange[], header: PatternHeader): MeasuredPattern {
  const total = ranges.reduce((n, r) => n + r.twoTheta.length, 0);
  if (total < 2) throw errorInFile(file, `${total === 0 ? 'no' : 'only one'} data point; a pattern needs at least two`);
  const hasSigma = ranges.every((r) => r.sigma !== undefined);
  const twoTheta = new Float64Array(total);
  const intensity = new Float64Array(total);
  const sigma = hasSigma ? new Float64Array(total) : undefined;
  let at = 0;
  for (const r of ranges) {
    for (let i = 0; i < r.twoTheta.length; i++, at++) {
      twoTheta[at] = r.twoTheta[i];
      intensity[at] = r.intensity[i];
      if (sigma) sigma[at] = r.sigma![i];
    }
  }
  const meta = { ...(header.meta ?? {}) };
  const pattern: MeasuredPattern = { ...header, twoTheta, intensity, ...(sigma ? { sigma } : {}), meta };
  const runs = ranges.length > 1 ? ranges.length : countMonotonicRuns(twoTheta);
  if (runs > 1) {
    meta.stitched = true;
    meta.ranges = runs;
  }
  if (isNonDecreasing(twoTheta)) return pattern;
  if (runs === 1) meta.descending = true;
  // A stable sort keeps the order of equal angles as measured (overlaps of stitched ranges).
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => twoTheta[a] - twoTheta[b]);
  pattern.twoTheta = Float64Array.from(order, (i) => twoTheta[i]);
  pattern.intensity = Float64Array.from(order, (i) => intensity[i]);
  if (sigma) pattern.sigma = Float64Array.from(order, (i) => sigma[i]);
  return pattern;
}

function isNonDecreasing(x: Float64Array): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] < x[i - 1]) return false;
  return true;
}

/** Ranges in one column of angles: a new range starts wherever the scan direction turns. */
export function countMonotonicRuns(x: ArrayLike<number>): number {
  let runs = 1;
  let direction = 0;
  for (let i = 1; i < x.length; i++) {
    const step = Math.sign(x[i] - x[i - 1]);
    if (step === 0) continue;
    if (direction !== 0 && step !== direction) {
      runs++;
      direction = 0; // the next step sets the new range's direction
    } else direction = step;
  }
  return runs;
}

/** Evenly stepped angles: start + i·step. */
export function steppedAngles(start: number, step: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => start + i * step);
}
