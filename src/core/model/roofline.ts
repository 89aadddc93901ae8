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
 *
 * `beforeShape` runs before each shape is timed: threads measuring together meet there (a
 * barrier), so that every shape is timed while all of them multiply.
 */
export function matMulRoofline(spec: ModelSpec, batch: number, repeats = 20, beforeShape?: () => void): number {
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
  let flops = 0;
  let seconds = 0;
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
    beforeShape?.();
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      multiply();
      best = Math.min(best, performance.now() - t0);
    }
    seconds += best / 1000;
    flops += 2 * batch * k * n;
    a.dispose();
    b.dispose();
  }
  return flops / seconds / 1e9;
}
