// The matMul roofline the training and scoring benchmarks measure speeds against: how fast this
// backend multiplies the model's own matrices, on one thread. Data-parallel training measures it
// on every worker at once (data-parallel.ts), for the all-core roofline.
import { tf } from './backend';
import type { ModelSpec } from './architecture';

/**
 * GFLOP/s of plain (untransposed) matMul on the forward products of every dense layer of the
 * model at this batch size: the fastest this backend multiplies these matrices. Each shape's
 * time is its best of `repeats` (warm, one product per timing), not their mean: a roofline is
 * what the machine can do, and on a machine shared with other work a mean counts the other
 * work's time slices against the matMul — it would lower the roofline and flatter the ratio.
 */
export function matMulRoofline(spec: ModelSpec, batch: number, repeats = 20): number {
  const timed = timeProducts(spec, batch, repeats);
  return rooflineGflops(timed, (times) => Math.min(...times));
}

export interface TimedProducts {
  /** FLOPs of one product of each shape. */
  flops: number[];
  /** Milliseconds of each timed product, by shape then repetition. */
  times: number[][];
}

/** GFLOP/s of one product of every shape, each shape's time chosen from its repetitions by `pick`. */
export function rooflineGflops(timed: TimedProducts, pick: (times: number[], shape: number) => number): number {
  const seconds = timed.times.reduce((sum, times, shape) => sum + pick(times, shape) / 1000, 0);
  return timed.flops.reduce((a, b) => a + b, 0) / seconds / 1e9;
}

/**
 * Times `repeats` products of each forward shape of the model (after three warm ones).
 * `beforeRepeat` runs before each timed product: threads measuring together meet there (a
 * barrier), so that every product is timed while all of them multiply.
 */
export function timeProducts(spec: ModelSpec, batch: number, repeats: number, beforeRepeat?: () => void): TimedProducts {
  const shapes: [number, number][] = [];
  let width = spec.points;
  for (const h of spec.hidden) {
    shapes.push([width, h]);
    width = h;
  }
  shapes.push([width, 2 * spec.latent]);
  width = spec.latent;
  for (const h of [...spec.hidden].reverse()) {
    shapes.push([width, h]);
    width = h;
  }
  shapes.push([width, spec.points]);
  const timed: TimedProducts = { flops: [], times: [] };
  for (const [k, n] of shapes) {
    const a = tf.randomNormal([batch, k]) as tf.Tensor2D;
    const b = tf.randomNormal([k, n]) as tf.Tensor2D;
    // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element.
    const multiply = () => {
      const product = tf.matMul(a, b);
      product.dataSync();
      product.dispose();
    };
    for (let i = 0; i < 3; i++) multiply();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      beforeRepeat?.();
      const t0 = performance.now();
      multiply();
      times.push(performance.now() - t0);
    }
    timed.flops.push(2 * batch * k * n);
    timed.times.push(times);
    a.dispose();
    b.dispose();
  }
  return timed;
}
