// Rolling-ball baseline, as pybaselines' `rolling_ball` and most diffraction software do it in
// 1-D: a morphological opening (running minimum, then running maximum, over a window wider
// than any peak) traces the lowest envelope a flat ball can touch from below; a moving average
// then rounds off the ball's flat steps. Each pass is O(n) with a monotonic deque.
import type { RollingBallOptions } from '../options';

export function rollingBallBaseline(y: Float64Array, first: number, last: number, options: RollingBallOptions, step: number, out: Float64Array): { halfWindow: number; smoothHalfWindow: number } {
  const n = last - first + 1;
  const halfWindow = Math.max(1, Math.round(options.halfWidthDeg / step));
  const smoothHalfWindow = Math.max(0, Math.round(options.smoothHalfWidthDeg / step));
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  runningExtreme(y.subarray(first, last + 1), halfWindow, a, true);
  runningExtreme(a, halfWindow, b, false);
  movingAverage(b, smoothHalfWindow, a);
  out.set(a, first);
  return { halfWindow, smoothHalfWindow };
}

/** Minimum (or maximum) over [i − h, i + h] ∩ [0, n) for every i. */
function runningExtreme(y: Float64Array, h: number, out: Float64Array, minimum: boolean): void {
  const n = y.length;
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const better = minimum ? (u: number, v: number) => u <= v : (u: number, v: number) => u >= v;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const right = Math.min(n - 1, i + h);
    for (; next <= right; next++) {
      while (tail > head && better(y[next], y[deque[tail - 1]])) tail--;
      deque[tail++] = next;
    }
    while (deque[head] < i - h) head++;
    out[i] = y[deque[head]];
  }
}

/** Mean over [i − h, i + h] ∩ [0, n), by a running sum. */
function movingAverage(y: Float64Array, h: number, out: Float64Array): void {
  const n = y.length;
  if (h === 0) {
    out.set(y);
    return;
  }
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const wantHi = Math.min(n - 1, i + h);
    while (hi < wantHi) sum += y[++hi];
    while (lo < i - h) sum -= y[lo++];
    out[i] = sum / (hi - lo + 1);
  }
}
