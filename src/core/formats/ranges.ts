// Instruments write one scan as several ranges (stitched detector windows, multi-range
// programs, descending scans). Readers hand their ranges here; every point is kept, ordered
// by 2θ (counts measured twice at one angle are averaged into one point, so that 2θ strictly
// increases), and the pattern's meta says when ranges were stitched so an overlap is not a
// surprise.
import type { MeasuredPattern } from './pattern';
import { twoThetaProblem } from './pattern';
import { errorInFile } from './located';
import { MAX_PATTERN_POINTS, tooManyPoints } from './limits';

export interface ScanRange {
  twoTheta: ArrayLike<number>;
  intensity: ArrayLike<number>;
  sigma?: ArrayLike<number>;
}

export type PatternHeader = Omit<MeasuredPattern, 'twoTheta' | 'intensity' | 'sigma'>;

/** Builds a located error from a message: each reader knows where it is (line, byte, element). */
export type Fail = (message: string) => Error;

/**
 * A column of numbers read one at a time, held unboxed in a growing Float64Array and refused
 * past MAX_PATTERN_POINTS (with the reader's location), so memory follows the points read.
 */
export class NumberColumn {
  private data = new Float64Array(256);
  length = 0;
  constructor(private readonly full: Fail) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      if (this.length >= MAX_PATTERN_POINTS) throw this.full(tooManyPoints());
      const grown = new Float64Array(Math.min(this.length * 2, MAX_PATTERN_POINTS));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * The ranges of one file, refused (with the reader's location) as soon as they hold more points
 * together than one pattern may: a file of many ranges stops after the one that passes the limit.
 */
export class ScanRanges {
  readonly list: ScanRange[] = [];
  private points = 0;
  add(range: ScanRange, fail: Fail): void {
    this.points += range.twoTheta.length;
    if (this.points > MAX_PATTERN_POINTS) throw fail(tooManyPoints(this.points));
    this.list.push(range);
  }
}

export function assemblePattern(file: string, ranges: ScanRange[], header: PatternHeader): MeasuredPattern {
  const total = ranges.reduce((n, r) => n + r.twoTheta.length, 0);
  if (total < 2) throw errorInFile(file, `${total === 0 ? 'no' : 'only one'} data point; a pattern needs at least two`);
  if (total > MAX_PATTERN_POINTS) throw errorInFile(file, tooManyPoints(total));
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
  // Readers refuse bad angles where they read them; this guards the sort below, which needs
  // numbers that compare.
  for (let i = 0; i < total; i++) {
    const problem = twoThetaProblem(twoTheta[i]);
    if (problem) throw errorInFile(file, `point ${i + 1} of ${total}: ${problem}`);
  }
  const meta = { ...(header.meta ?? {}) };
  const pattern: MeasuredPattern = { ...header, twoTheta, intensity, ...(sigma ? { sigma } : {}), meta };
  const runs = ranges.length > 1 ? ranges.length : countMonotonicRuns(twoTheta);
  if (runs > 1) {
    meta.stitched = true;
    meta.ranges = runs;
  }
  if (!isNonDecreasing(twoTheta)) {
    if (runs === 1) meta.descending = true;
    const order = new Uint32Array(total);
    for (let i = 0; i < total; i++) order[i] = i;
    order.sort((a, b) => twoTheta[a] - twoTheta[b]);
    pattern.twoTheta = twoTheta.map((_, k) => twoTheta[order[k]]);
    pattern.intensity = intensity.map((_, k) => intensity[order[k]]);
    if (sigma) pattern.sigma = sigma.map((_, k) => sigma[order[k]]);
  }
  mergeRepeatedAngles(pattern, file);
  return pattern;
}

function isNonDecreasing(x: Float64Array): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] < x[i - 1]) return false;
  return true;
}

/**
 * Counts measured more than once at one angle (where stitched ranges meet, or a scan that
 * repeats a step) become one point, their mean, σ that of the mean (√Σσ² / n): the pattern's 2θ
 * then strictly increases, as every consumer may assume. The meta says how many points merged.
 */
function mergeRepeatedAngles(p: MeasuredPattern, file: string): void {
  const { twoTheta: x, intensity: y, sigma: s } = p;
  let repeated = false;
  for (let i = 1; i < x.length && !repeated; i++) repeated = x[i] === x[i - 1];
  if (!repeated) return;
  let out = 0;
  for (let i = 0; i < x.length; out++) {
    let j = i + 1;
    while (j < x.length && x[j] === x[i]) j++;
    x[out] = x[i];
    y[out] = j - i === 1 ? y[i] : meanOf(y, i, j);
    if (s) s[out] = j - i === 1 ? s[i] : rootSumOfSquares(s, i, j) / (j - i);
    i = j;
  }
  if (out < 2) throw errorInFile(file, `every point is at 2θ = ${x[0]}°; a pattern needs at least two angles`);
  p.twoTheta = x.slice(0, out);
  p.intensity = y.slice(0, out);
  if (s) p.sigma = s.slice(0, out);
  p.meta = { ...p.meta, repeatedAngles: x.length - out };
}

// Both without overflow for any finite values: the sum of finite counts may overflow, their
// mean cannot; squares are taken of values scaled by the largest.
function meanOf(y: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let k = from; k < to; k++) sum += y[k];
  if (Number.isFinite(sum)) return sum / (to - from);
  let mean = 0;
  for (let k = from; k < to; k++) mean += y[k] / (to - from);
  return mean;
}

function rootSumOfSquares(s: Float64Array, from: number, to: number): number {
  let largest = 0;
  for (let k = from; k < to; k++) largest = Math.max(largest, Math.abs(s[k]));
  if (!(largest > 0) || !Number.isFinite(largest)) return largest;
  let sum = 0;
  for (let k = from; k < to; k++) sum += (s[k] / largest) ** 2;
  return largest * Math.sqrt(sum);
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

/**
 * Evenly stepped angles start + i·step, refused through `fail` (which knows where the start and
 * step were read) when they are not a 2θ axis: too many points, a step of 0 or one too small to
 * change the angle, or angles past a scattering angle.
 */
export function steppedAngles(start: number, step: number, count: number, fail: Fail): Float64Array {
  if (count > MAX_PATTERN_POINTS) throw fail(tooManyPoints(count));
  const startProblem = twoThetaProblem(start);
  if (startProblem) throw fail(`the start angle: ${startProblem}`);
  if (!Number.isFinite(step)) throw fail(`the 2θ step must be a finite number of degrees; got ${step}`);
  if (step === 0 && count > 1) throw fail(`the 2θ step is 0: all ${count} points would be at ${start}°`);
  const angles = new Float64Array(count);
  for (let i = 0; i < count; i++) angles[i] = start + i * step;
  const end = angles[count - 1];
  if (count > 1 && twoThetaProblem(end)) throw fail(`${count} steps of ${step}° from ${start}° end at ${end}°: ${twoThetaProblem(end)}`);
  for (let i = 1; i < count; i++) {
    if (angles[i] === angles[i - 1]) throw fail(`a step of ${step}° is too small to change 2θ at ${angles[i]}° (point ${i + 1})`);
  }
  return angles;
}
