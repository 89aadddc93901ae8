// Data-parallel training (core/model/data-parallel.ts, src/worker/training-pool.ts): the model
// trained with gradients from 2 and 3 worker threads is the model trained on one thread, to
// float rounding, for the same seed; and a worker that fails stops training with its error.
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/model/backend';
import { buildVae } from '../../src/core/model/vae';
import { modelVariables, trainVae, trainVaeOnWorkers, type PatternSet, type TrainingOptions, type TrainingResult } from '../../src/core/model/train';
import { startGradientWorkers } from '../../src/worker/training-pool';
import type { ModelSpec } from '../../src/core/model/architecture';
import { Random } from '../../src/core/util/random';

const spec: ModelSpec = { points: 128, hidden: [32, 16], latent: 2, compositionElements: [], beta: 1 };

/** Two families of peaked patterns, in [0, 1]. */
function patterns(count: number, seed: number): PatternSet {
  const random = new Random(seed);
  const data = new Float32Array(count * spec.points);
  for (let i = 0; i < count; i++) {
    const centre = (i % 2 ? 80 : 40) + random.uniform(-4, 4);
    for (let j = 0; j < spec.points; j++) data[i * spec.points + j] = Math.exp(-0.5 * ((j - centre) / 3) ** 2) * 0.95 + 0.02 * random.float();
  }
  return { patterns: data, count };
}

/**
 * The largest difference between weights trained on one thread and on several, allowed: float
 * rounding of the batch sums (added in another order), carried through 14 Adam steps of 1e-3.
 * A weight moves by up to 1e-3 a step (Adam's step is about the learning rate), so a sign of
 * the gradient read differently would show as ~1e-3; rounding alone stayed near 3e-8 (measured:
 * see the report of the change that added this test).
 */
const WEIGHT_TOLERANCE = 1e-6;
/** Relative difference allowed between the epoch losses of the two runs. */
const LOSS_TOLERANCE = 1e-6;

describe('data-parallel training', function () {
  this.timeout(120000);
  // 193 rows in batches of 32: six full batches and one of a single row (fewer rows than workers).
  const train = patterns(193, 1);
  const validation = patterns(40, 2);
  const options: TrainingOptions = { epochs: 2, batchSize: 32, learningRate: 1e-3, patience: 0, seed: 7, klWarmupEpochs: 1 };

  before(async () => {
    await initBackend('wasm');
  });

  const weightsOf = (models: ReturnType<typeof buildVae>) => modelVariables(models).map((v) => Float32Array.from(v.dataSync() as Float32Array));

  function compare(one: Float32Array[], many: Float32Array[]): number {
    let worst = 0;
    one.forEach((w, k) => w.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - many[k][i])))));
    return worst;
  }

  function compareLosses(a: TrainingResult, b: TrainingResult): number {
    assert.equal(a.history.length, b.history.length);
    let worst = 0;
    a.history.forEach((h, e) => {
      for (const record of ['train', 'validation'] as const) {
        for (const term of ['total', 'reconstruction', 'kl'] as const) {
          const x = h[record][term];
          const y = b.history[e][record][term];
          worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-12, Math.abs(x)));
        }
      }
    });
    return worst;
  }

  for (const threads of [2, 3]) {
    it(`${threads} threads train the model one thread trains (weights within ${WEIGHT_TOLERANCE}, losses within ${LOSS_TOLERANCE} relative)`, async () => {
      const initial = weightsOf(buildVae(spec, 5));
      const single = buildVae(spec, 5);
      const oneResult = trainVae(single, train, validation, options);
      const parallel = buildVae(spec, 5);
      const workers = await startGradientWorkers(spec, 'wasm', threads, train);
      let manyResult: TrainingResult;
      try {
        manyResult = await trainVaeOnWorkers(parallel, train, validation, options, {}, workers);
      } finally {
        await workers.close();
      }
      const one = weightsOf(single);
      const many = weightsOf(parallel);
      const weightDifference = compare(one, many);
      const lossDifference = compareLosses(oneResult, manyResult);
      // Not vacuous: training moved the weights far more than the tolerance.
      const moved = compare(initial, one);
      console.log(`      ${threads} threads: max |Δweight| ${weightDifference.toExponential(2)} (training moved weights by up to ${moved.toExponential(2)}), max relative Δloss ${lossDifference.toExponential(2)}`);
      assert.ok(moved > 100 * WEIGHT_TOLERANCE, `training moved the weights by only ${moved}`);
      assert.ok(weightDifference <= WEIGHT_TOLERANCE, `weights differ by ${weightDifference}`);
      assert.ok(lossDifference <= LOSS_TOLERANCE, `losses differ by ${lossDifference} (relative)`);
      assert.equal(manyResult.bestEpoch, oneResult.bestEpoch);
      single.dispose();
      parallel.dispose();
    });
  }

  it('a worker that fails stops the step with its error, and the pool with it', async () => {
    const models = buildVae(spec, 5);
    const workers = await startGradientWorkers(spec, 'wasm', 2, train);
    try {
      workers.begin(modelVariables(models));
      // ε for the first worker's rows only: the second cannot shape its share and fails while
      // the first waits for it at the barrier.
      const rows = Uint32Array.of(0, 1, 2, 3, 4, 5, 6, 7);
      await assert.rejects(workers.step({ rows, epsilon: new Float32Array(4 * spec.latent), beta: 1, learningRate: 1e-3 }), /training worker 2:/);
      await assert.rejects(workers.step({ rows, epsilon: new Float32Array(8 * spec.latent), beta: 1, learningRate: 1e-3 }), /training worker 2:/);
    } finally {
      await workers.close();
      models.dispose();
    }
  });

  it('the all-core roofline: every worker times the same products together, and the rate counts all of them', async () => {
    const workers = await startGradientWorkers(spec, 'wasm', 2, train);
    try {
      const gflops = await workers.roofline(32, 3);
      assert.ok(Number.isFinite(gflops) && gflops > 0, `${gflops}`);
    } finally {
      await workers.close();
    }
  });

  it('workers that cannot start their backend refuse at once', async () => {
    await assert.rejects(startGradientWorkers(spec, 'tensorflow', 2, train), /could not start/);
  });

  it('the shared weights come back into the model as they went (begin, then copy back)', async () => {
    const source = buildVae(spec, 3);
    const target = buildVae(spec, 4);
    const workers = await startGradientWorkers(spec, 'wasm', 2, train);
    try {
      workers.begin(modelVariables(source));
      workers.copyWeightsInto(modelVariables(target));
      assert.equal(compare(weightsOf(source), weightsOf(target)), 0);
    } finally {
      await workers.close();
      source.dispose();
      target.dispose();
    }
  });
});
