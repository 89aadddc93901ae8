import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, tf, wasmHeap } from '../../src/core/model/backend';
import { errorSumsKernel, gemmKernel, transposeKernel, webAssembly } from '../../src/core/model/wasm-kernels';
import { buildVae, encodeAndReconstruct, bceFromLogitsPerSample, reconstructionFromLogits, vaeLoss, type VaeModels } from '../../src/core/model/vae';
import { stepLayers, vaeStep } from '../../src/core/model/step';
import { allocateErrors, reconstructionErrorsInJs, reconstructionErrorsInto } from '../../src/core/analysis/errors';
import { trainVae, evaluateLoss, learningRateAt, type PatternSet } from '../../src/core/model/train';
import { FusedAdam } from '../../src/core/model/adam';
import { saveModel, loadModel, checkGrid, type ModelManifest } from '../../src/core/model/store';
import { trainingFlopsPerSample, PAPER_SPEC, type ModelSpec } from '../../src/core/model/architecture';
import { Random } from '../../src/core/util/random';
import { Scorer } from '../../src/core/model/score';
import type { MeasuredPattern } from '../../src/core/formats/pattern';
import { testManifest } from './model-fixtures';

const spec: ModelSpec = { points: 64, hidden: [24, 12], latent: 2, compositionElements: [], beta: 1 };

/** Two families of peaked patterns on 64 points, in [0, 1]. */
function patterns(count: number, seed: number): PatternSet & { labels: Int32Array } {
  const random = new Random(seed);
  const data = new Float32Array(count * spec.points);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const family = i % 2;
    labels[i] = family;
    const centre = (family ? 40 : 20) + random.uniform(-2, 2);
    for (let j = 0; j < spec.points; j++) data[i * spec.points + j] = Math.exp(-0.5 * ((j - centre) / 2) ** 2) * 0.95 + 0.02 * random.float();
  }
  return { patterns: data, count, labels };
}

const manifestFor = (s: ModelSpec): ModelManifest => testManifest(s);

describe('tfjs backend', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('runs on wasm, and its matMul wrapper agrees with the cpu backend for every transpose and batch shape', async () => {
    assert.equal(tf.getBackend(), 'wasm');
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 7], [7, 3], false, false], [[7, 5], [7, 3], true, false], [[5, 7], [3, 7], false, true], [[7, 5], [3, 7], true, true],
      [[300, 7], [300, 3], true, false], [[5, 300], [3, 300], false, true], [[1, 5, 7], [1, 3, 7], false, true],
      [[4, 5, 7], [7, 3], false, false], [[4, 5, 7], [1, 3, 7], false, true], [[2, 7, 5], [2, 3, 7], true, true],
      // Sides that are multiples of 4: the transposes go through the SIMD kernel.
      [[128, 64], [128, 32], true, false], [[16, 64], [32, 64], false, true], [[1, 8, 12], [1, 4, 12], false, true], [[8, 12], [4, 8], true, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const random = new Random(sa.length * 31 + sb[0]);
      const a = Float32Array.from({ length: sa.reduce((p, q) => p * q) }, () => random.normal());
      const b = Float32Array.from({ length: sb.reduce((p, q) => p * q) }, () => random.normal());
      const got = tf.tidy(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb).dataSync());
      await tf.setBackend('cpu');
      const want = tf.tidy(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb).dataSync());
      await tf.setBackend('wasm');
      assert.equal(got.length, want.length);
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4 * (1 + Math.abs(want[i])), `${sa}×${sb} ${ta} ${tb} [${i}]`);
    }
  });

  it('the SIMD GEMM kernel computes each product exactly as a float32 loop over k from the bias, at any 8-byte alignment', () => {
    const heap = wasmHeap()!;
    const kernel = gemmKernel(heap.memory);
    assert.ok(kernel, 'the kernel is available');
    const random = new Random(37);
    for (const [m, k, n, flags] of [[4, 1, 8, 0], [1, 7, 8, 1], [8, 5, 16, 1], [7, 9, 8, 3], [12, 33, 24, 2], [130, 64, 256, 3]]) {
      // Float32 storage at an offset of 8 (mod 16), as tfjs hands it out, and a 16-byte aligned panel.
      const words = 2 + m * k + k * n + n + m * n + 8 * k + 4;
      const view = new Float32Array(words);
      const [a, b, bias, c] = [2, 2 + m * k, 2 + m * k + k * n, 2 + m * k + k * n + n];
      for (let i = a; i < c; i++) view[i] = random.normal();
      const bytes = new Uint8Array(heap.memory.buffer);
      const base = heap.offset(tf.keep(tf.zeros([words + 4])))!;
      const at = base + ((16 - (base % 16)) % 16) + 8;
      bytes.set(new Uint8Array(view.buffer), at);
      const panel = at + 4 * (c + m * n) + 8;
      kernel(at + 4 * a, at + 4 * b, at + 4 * c, at + 4 * bias, m, k, n, flags, panel);
      const got = new Float32Array(heap.memory.buffer, at + 4 * c, m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let sum = flags & 1 ? view[bias + j] : 0;
          for (let q = 0; q < k; q++) sum = Math.fround(sum + Math.fround(view[a + i * k + q] * view[b + q * n + j]));
          if (flags & 2) sum = Math.max(sum, 0);
          assert.ok(Object.is(got[i * n + j], sum) || (sum === 0 && got[i * n + j] === 0), `${m}×${k}×${n} flags ${flags} [${i}, ${j}]: ${got[i * n + j]} vs ${sum}`);
        }
    }
  });

  it('products the GEMM kernel takes (plain and fused with bias and ReLU) agree with the cpu backend', async () => {
    // Also transposed operands and k > 48: the backend's own fused kernel gets those wrong (bias and
    // ReLU applied per block of 48 along k); the wrapper transposes first.
    const cases: [number[], number[], boolean, boolean][] = [[[128, 64], [64, 256], false, false], [[1, 7, 12], [1, 12, 16], false, false], [[1, 128], [128, 64], false, false], [[64, 128], [64, 32], true, false], [[16, 100], [8, 100], false, true], [[5, 60], [60, 3], false, false], [[60, 5], [3, 60], true, true]];
    for (const [sa, sb, ta, tb] of cases) {
      const random = new Random(sa[0] + sb[1]);
      const a = Float32Array.from({ length: sa.reduce((p, q) => p * q) }, () => random.normal());
      const b = Float32Array.from({ length: sb.reduce((p, q) => p * q) }, () => random.normal());
      const n = tb ? sb[sb.length - 2] : sb[sb.length - 1];
      const bias = Float32Array.from({ length: n }, () => random.normal());
      const run = () =>
        tf.tidy(() => {
          const [x, y] = [tf.tensor(a, sa), tf.tensor(b, sb)].map((t) => t as tf.Tensor2D);
          return [tf.matMul(x, y, ta, tb), tf.fused.matMul({ a: x, b: y, transposeA: ta, transposeB: tb, bias: tf.tensor1d(bias), activation: 'relu' })].map((t) => t.dataSync());
        });
      const got = run();
      await tf.setBackend('cpu');
      const want = run();
      await tf.setBackend('wasm');
      for (const [g, w] of got.map((g, i) => [g, want[i]] as const)) {
        assert.equal(g.length, w.length);
        for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - w[i]) < 1e-4 * (1 + Math.abs(w[i])), `${sa}×${sb} [${i}] ${g[i]} vs ${w[i]}`);
      }
    }
  });

  it('the SIMD transpose the matMul wrapper uses moves every element exactly where tf.transpose does', () => {
    assert.ok(transposeKernel(wasmHeap()!.memory), 'the kernel is available');
    const random = new Random(23);
    for (const shape of [[4, 4], [12, 20], [128, 2048], [1, 8, 36]]) {
      const values = Float32Array.from({ length: shape.reduce((p, q) => p * q) }, () => random.normal());
      const x = tf.tensor(values, shape);
      // Aᵀ·I through the wrapper transposes A with the kernel; tf.transpose uses the backend's.
      const rank = shape.length;
      const perm = shape.map((_, i) => i);
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      const want = tf.tidy(() => tf.transpose(x, perm).dataSync());
      const rows = shape[rank - 2];
      const got = tf.tidy(() => tf.matMul(x, tf.reshape(tf.eye(rows), rank === 3 ? [1, rows, rows] : [rows, rows]), true, false).dataSync());
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${shape} [${i}]: ${got[i]} vs ${want[i]}`);
      x.dispose();
    }
  });

  it('fused Adam takes the same steps as tfjs Adam', () => {
    const target = tf.tensor2d([[1, -2, 3], [0.5, 4, -1]]);
    const a = tf.variable(tf.zeros([2, 3]), true, 'adam_test_a');
    const b = tf.variable(tf.zeros([2, 3]), true, 'adam_test_b');
    const fused = new FusedAdam([a], { learningRate: 0.05 });
    const reference = tf.train.adam(0.05);
    for (let step = 0; step < 20; step++) {
      fused.apply(tf.variableGrads(() => tf.sum(tf.square(tf.sub(a, target))) as tf.Scalar, [a]).grads);
      reference.applyGradients(tf.variableGrads(() => tf.sum(tf.square(tf.sub(b, target))) as tf.Scalar, [b]).grads as unknown as tf.Variable[] as never);
    }
    const x = a.dataSync();
    const y = b.dataSync();
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) < 1e-4, `${x[i]} vs ${y[i]}`);
    assert.ok(Math.abs(x[0] - 0) > 0.5, 'the variables moved');
  });

  it('fused Adam in the wasm backend\'s memory (SIMD kernel) is bit-identical to its JavaScript loop, and frees what it holds', () => {
    // Sizes with every remainder mod 4 (the kernel takes multiples of 4, JavaScript the rest).
    const shapes = [[37, 5], [3], [2], [8, 4], [1], [129, 3]];
    const random = new Random(17);
    const initial = shapes.map((shape) => Float32Array.from({ length: shape.reduce((p, q) => p * q) }, () => random.normal()));
    const make = (tag: string) => shapes.map((shape, k) => tf.variable(tf.tensor(initial[k], shape), true, `adam_wasm_${tag}_${k}`));
    const inWasm = make('wasm');
    const inJs = make('js');
    const before = tf.memory().numTensors;
    const fast = new FusedAdam(inWasm, { learningRate: 0.01 });
    const reference = new FusedAdam(inJs, { learningRate: 0.01, inWasm: false });
    assert.ok(fast.inWasm && !reference.inWasm);
    for (let step = 0; step < 12; step++) {
      if (step === 6) fast.learningRate = reference.learningRate = 0.003;
      const gradients = shapes.map((shape) => Float32Array.from({ length: shape.reduce((p, q) => p * q) }, () => (step % 5 === 4 ? 0 : random.normal() * 10 ** random.int(4))));
      tf.tidy(() => {
        fast.apply(Object.fromEntries(inWasm.map((v, k) => [v.name, tf.tensor(gradients[k], shapes[k])])));
        reference.apply(Object.fromEntries(inJs.map((v, k) => [v.name, tf.tensor(gradients[k], shapes[k])])));
      });
    }
    for (let k = 0; k < shapes.length; k++) {
      const got = inWasm[k].dataSync();
      const want = inJs[k].dataSync();
      for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `variable ${k} [${i}]: ${got[i]} vs ${want[i]}`);
      assert.notDeepEqual(Array.from(want), Array.from(initial[k]), 'the variables moved');
    }
    fast.dispose();
    reference.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    tf.dispose([...inWasm, ...inJs]);
  });
});

describe('VAE', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('has the paper\'s layer widths and FLOP count', () => {
    const models = buildVae({ ...PAPER_SPEC, points: 2048 }, 1);
    const dense = (m: typeof models.encoder) => m.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units);
    assert.deepEqual(dense(models.encoder), [256, 128, 2, 2]);
    assert.deepEqual(dense(models.decoder), [128, 256, 2048]);
    // forward + weight gradient + input gradient, all but the first layer's input gradient
    const macs = 2048 * 256 + 256 * 128 + 2 * 128 * 2 + 2 * 128 + 128 * 256 + 256 * 2048;
    assert.equal(trainingFlopsPerSample({ ...PAPER_SPEC, points: 2048 }), 6 * macs - 2 * 2048 * 256);
    models.encoder.dispose();
    models.decoder.dispose();
  });

  it('computes the same BCE from logits in training as from probabilities when scoring', () => {
    const y = Float32Array.from([0, 0.5, 1, 0.2]);
    const l = Float32Array.from([-3, 0.1, 2, -0.5]);
    const fromLogits = tf.tidy(() => bceFromLogitsPerSample(tf.tensor2d(y, [1, 4]), tf.tensor2d(l, [1, 4])).dataSync()[0]);
    const errors = allocateErrors(1);
    reconstructionErrorsInto(y, Float32Array.from(l, (v) => 1 / (1 + Math.exp(-v))), 4, errors);
    assert.ok(Math.abs(fromLogits - errors.bce[0]) < 1e-5, `${fromLogits} vs ${errors.bce[0]}`);
    // The excess is the BCE less the target's entropy (y = 0.5: ln 2; y = 0.2: H(0.2)).
    const entropy = (Math.LN2 - (0.2 * Math.log(0.2) + 0.8 * Math.log(0.8))) / 4;
    assert.ok(Math.abs(errors.bce[0] - errors.bceExcess[0] - entropy) < 1e-6);
  });

  it('the SIMD error kernel gives the JavaScript loop\'s errors (to 1e-6), clipped and saturated points included', () => {
    assert.ok(errorSumsKernel(new webAssembly!.Memory({ initial: 1 }), 1e-7), 'the kernel is available');
    const random = new Random(29);
    const rows = 37;
    const points = 2048;
    const y = Float32Array.from({ length: rows * points }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 1 : i % 29 === 0 ? 1e-9 : random.float() ** 3));
    const p = Float32Array.from({ length: rows * points }, (_, i) => (i % 13 === 0 ? 0 : i % 17 === 0 ? 1 : i % 19 === 0 ? 1 - 2 ** -24 : i % 23 === 0 ? 1e-12 : random.float()));
    const simd = allocateErrors(rows);
    const js = allocateErrors(rows);
    reconstructionErrorsInto(y, p, points, simd);
    reconstructionErrorsInJs(y, p, points, js);
    for (let r = 0; r < rows; r++) {
      assert.ok(Math.abs(simd.bce[r] - js.bce[r]) <= 1e-6 * js.bce[r], `bce ${simd.bce[r]} vs ${js.bce[r]}`);
      assert.ok(Math.abs(simd.bceExcess[r] - js.bceExcess[r]) <= 1e-6 * js.bce[r], `excess ${simd.bceExcess[r]} vs ${js.bceExcess[r]}`);
      assert.ok(Math.abs(simd.mse[r] - js.mse[r]) <= 1e-6 * js.mse[r], `mse ${simd.mse[r]} vs ${js.mse[r]}`);
    }
  });

  it('scoring computes the errors where the backend holds the reconstructions: the same as the JavaScript loop on the copies', () => {
    assert.ok(wasmHeap(), 'runs on the wasm backend, where that path is taken');
    const models = buildVae(spec, 4);
    const data = patterns(37, 5);
    const scored = encodeAndReconstruct(models, data.patterns, data.count, { keepReconstructions: true, batchSize: 16 });
    const js = allocateErrors(data.count);
    reconstructionErrorsInJs(data.patterns, scored.reconstructions!, spec.points, js);
    for (let r = 0; r < data.count; r++) {
      assert.ok(Math.abs(scored.bce[r] - js.bce[r]) <= 1e-6 * js.bce[r], `bce ${scored.bce[r]} vs ${js.bce[r]}`);
      assert.ok(Math.abs(scored.bceExcess[r] - js.bceExcess[r]) <= 1e-6 * js.bce[r], `excess ${scored.bceExcess[r]} vs ${js.bceExcess[r]}`);
      assert.ok(Math.abs(scored.mse[r] - js.mse[r]) <= 1e-6 * js.mse[r], `mse ${scored.mse[r]} vs ${js.mse[r]}`);
    }
    models.encoder.dispose();
    models.decoder.dispose();
  });

  it('the fused training BCE (one JavaScript pass, manual gradient) equals points × the tfjs BCE, value and gradient', () => {
    const rows = 3;
    const points = 300; // more than one block of 64 factors, and a partial last block
    const random = new Random(11);
    const y = Float32Array.from({ length: rows * points }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 1 : random.float()));
    // Saturated logits too: the product form must neither underflow nor lose the linear part.
    const l = Float32Array.from({ length: rows * points }, (_, i) => (i % 13 === 0 ? 100 : i % 17 === 0 ? -100 : i % 19 === 0 ? 18 : 6 * random.normal()));
    const target = tf.tensor2d(y, [rows, points]);
    const logits = tf.tensor2d(l, [rows, points]);
    const weights = tf.tensor1d([1, -2, 0.5]);
    const grad = (f: (t: tf.Tensor2D, x: tf.Tensor2D) => tf.Tensor1D) =>
      tf.tidy(() => {
        const value = f(target, logits).dataSync();
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(target, x as tf.Tensor2D), weights)))(logits).dataSync();
        return { value, g };
      });
    const fused = grad(reconstructionFromLogits);
    const reference = grad((t, x) => tf.mul(points, bceFromLogitsPerSample(t, x)) as tf.Tensor1D);
    for (let r = 0; r < rows; r++) assert.ok(Math.abs(fused.value[r] - reference.value[r]) < 1e-5 * Math.abs(reference.value[r]), `${fused.value[r]} vs ${reference.value[r]}`);
    for (let i = 0; i < fused.g.length; i++) assert.ok(Math.abs(fused.g[i] - reference.g[i]) < 1e-5, `gradient [${i}] ${fused.g[i]} vs ${reference.g[i]}`);
    tf.dispose([target, logits, weights]);
  });

  it('the hand-written training step has vaeLoss\'s value and tfjs autodiff\'s gradients (VAE and cVAE)', () => {
    for (const s of [{ ...spec, beta: 0.7 }, { ...spec, compositionElements: ['Co', 'Ni', 'Cr'] }]) {
      const models = buildVae(s, 3);
      const set = patterns(16, 4);
      const random = new Random(5);
      const elements = s.compositionElements.length;
      const compositions = elements ? Float32Array.from({ length: 16 * elements }, () => random.float()) : undefined;
      const variables = [...models.encoder.trainableWeights, ...models.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
      tf.tidy(() => {
        const batch = { patterns: tf.tensor2d(set.patterns, [16, s.points]), compositions: compositions ? tf.tensor2d(compositions, [16, elements]) : undefined };
        const epsilon = tf.tensor2d(Float32Array.from({ length: 16 * s.latent }, () => random.normal()), [16, s.latent]);
        let terms: Float32Array | undefined;
        const reference = tf.variableGrads(() => {
          const t = vaeLoss(models, batch, epsilon, true, s.beta);
          terms = tf.stack([t.reconstruction, t.kl]).dataSync() as Float32Array;
          return t.total;
        }, variables);
        const mine = vaeStep(models, stepLayers(models), batch, epsilon, s.beta);
        for (let k = 0; k < 2; k++) assert.ok(Math.abs(mine.terms[k] - terms![k]) < 1e-4 * (1 + Math.abs(terms![k])), `term ${k}: ${mine.terms[k]} vs ${terms![k]}`);
        assert.deepEqual(Object.keys(mine.grads).sort(), Object.keys(reference.grads).sort());
        for (const name of Object.keys(reference.grads)) {
          const want = reference.grads[name].dataSync() as Float32Array;
          const got = mine.grads[name].dataSync();
          assert.deepEqual(mine.grads[name].shape, reference.grads[name].shape, name);
          const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + scale), `${name}[${i}] ${got[i]} vs ${want[i]}`);
        }
      });
      models.encoder.dispose();
      models.decoder.dispose();
    }
  });

  it('trains: the validation loss falls, and the same seed gives the same model', () => {
    const train = patterns(256, 1);
    const validation = patterns(64, 2);
    const run = () => {
      const models = buildVae(spec, 5);
      const before = evaluateLoss(models, validation, 3).total;
      const result = trainVae(models, train, validation, { epochs: 4, batchSize: 32, learningRate: 3e-3, patience: 0, seed: 9 });
      const weights = models.decoder.getWeights()[0].dataSync().slice(0, 20);
      return { before, after: result.history[result.history.length - 1].validation.total, weights, result, models };
    };
    const first = run();
    const second = run();
    assert.ok(first.after < 0.8 * first.before, `validation loss ${first.before} → ${first.after}`);
    assert.deepEqual(Array.from(first.weights), Array.from(second.weights));
    assert.equal(first.result.history.length, 4);
    assert.equal(first.result.cancelled, false);
    const n = tf.memory().numTensors;
    encodeAndReconstruct(first.models, validation.patterns, validation.count);
    assert.equal(tf.memory().numTensors, n, 'scoring leaks no tensors');
  });

  it('the cosine schedule holds the step size through the KL warm-up, then falls to 5 %', () => {
    const o = { epochs: 30, batchSize: 8, learningRate: 2e-3, patience: 0, seed: 1, klWarmupEpochs: 10, schedule: 'cosine' as const };
    assert.equal(learningRateAt(o, 1), 2e-3);
    assert.equal(learningRateAt(o, 11), 2e-3);
    assert.ok(Math.abs(learningRateAt(o, 30) - 1e-4) < 1e-12);
    assert.ok(learningRateAt(o, 20) < learningRateAt(o, 15));
    assert.equal(learningRateAt({ ...o, schedule: 'constant' }, 30), 2e-3);
  });

  it('stops within one batch when asked, and early-stops on a flat validation loss', () => {
    const train = patterns(256, 1);
    const validation = patterns(64, 2);
    let batches = 0;
    const models = buildVae(spec, 5);
    const result = trainVae(models, train, validation, { epochs: 10, batchSize: 32, learningRate: 1e-3, patience: 0, seed: 1 }, { shouldStop: () => ++batches > 3 });
    assert.equal(result.cancelled, true);
    assert.equal(batches, 4, 'checked before every batch, stopped at the first "yes"');
    assert.equal(result.history.length, 0);
    const stalled = trainVae(buildVae(spec, 6), train, validation, { epochs: 50, batchSize: 32, learningRate: 1e-9, patience: 2, seed: 1 });
    assert.equal(stalled.stoppedEarly, true);
    assert.ok(stalled.history.length < 50);
  });

  it('saves a folder in TensorFlow.js layers format and loads it back to identical outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-model-'));
    const target = join(dir, 'model');
    const models = buildVae(spec, 3);
    const data = patterns(10, 4);
    const before = encodeAndReconstruct(models, data.patterns, data.count);
    await saveModel(target, [models], manifestFor(spec));
    assert.deepEqual(readdirSync(target).sort(), ['decoder', 'encoder', 'manifest.json']);
    const modelJson = JSON.parse(readFileSync(join(target, 'encoder', 'model.json'), 'utf8'));
    assert.equal(modelJson.format, 'layers-model');
    assert.equal(modelJson.modelTopology.class_name, 'Model');
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    const loaded = await loadModel(target);
    const after = encodeAndReconstruct(loaded.members[0], data.patterns, data.count);
    assert.deepEqual(Array.from(after.mean), Array.from(before.mean));
    assert.deepEqual(Array.from(after.bce), Array.from(before.bce));
    // The loaded model's logits view is the decoder without its sigmoid (training can resume).
    tf.tidy(() => {
      const z = tf.tensor2d([[0.3, -0.2]]);
      const member = loaded.members[0] as VaeModels;
      const p = (member.decoder.apply(z) as tf.Tensor).dataSync();
      const l = (member.decoderLogits.apply(z) as tf.Tensor).dataSync();
      for (let i = 0; i < p.length; i += 7) assert.ok(Math.abs(p[i] - 1 / (1 + Math.exp(-l[i]))) < 1e-6);
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failed save leaves the previous model whole and no temporary folder behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-model-'));
    const target = join(dir, 'model');
    await saveModel(target, [buildVae(spec, 3)], manifestFor(spec));
    const manifestBefore = readFileSync(join(target, 'manifest.json'), 'utf8');
    const broken = buildVae(spec, 4);
    // A manifest that cannot be serialised makes the save fail after the weights are written.
    const bad = manifestFor(spec) as unknown as Record<string, unknown>;
    bad.training = { self: bad };
    await assert.rejects(saveModel(target, [broken], bad as unknown as ModelManifest));
    assert.equal(readFileSync(join(target, 'manifest.json'), 'utf8'), manifestBefore);
    assert.deepEqual(readdirSync(dir), ['model']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a pattern on another grid, naming both grids', () => {
    assert.throws(() => checkGrid(manifestFor(spec), { min: 10, max: 90, points: 64 }, 'x.xy'), /10–90°.*not the model's \(64 points, 20–90°\)/);
    assert.doesNotThrow(() => checkGrid(manifestFor(spec), { min: 20, max: 90, points: 64 }, 'x.xy'));
    const scorer = new Scorer({ manifest: manifestFor(spec), members: [buildVae(spec, 2)] });
    const data = patterns(2, 8);
    assert.throws(() => scorer.score(data.patterns, 2, { grid: { min: 20, max: 80, points: 64 }, what: 'scan.xy' }), /scan\.xy: its 2θ grid \(64 points, 20–80°\) is not the model's/);
    const { scores } = scorer.score(data.patterns, 2, { grid: { min: 20, max: 90, points: 64 } });
    assert.equal(scores.length, 2);
    assert.ok(scores.every((s) => s.bceExcess >= 0 && s.bce >= s.bceExcess && s.pValue > 0 && s.pValue <= 1));
  });

  it('scores many measured patterns in batches exactly as one by one; a bad one gets its error, the others their scores', () => {
    const scorer = new Scorer({ manifest: manifestFor(spec), members: [buildVae(spec, 2)] });
    // Measured patterns on their own axes (121 points, 20–80°), with peaks, so preprocessing resamples and fills.
    const random = new Random(3);
    const measured: MeasuredPattern[] = Array.from({ length: 11 }, () => {
      const twoTheta = Float64Array.from({ length: 121 }, (_, k) => 20 + k * 0.5);
      const centre = random.uniform(25, 75);
      return { twoTheta, intensity: twoTheta.map((t) => 50 + 1000 * Math.exp(-0.5 * ((t - centre) / 0.6) ** 2) + 5 * random.float()) };
    });
    // Preprocessing copes with any well-formed pattern; one a reader got wrong (no 2θ axis) makes it throw.
    const bad = { ...measured[0], twoTheta: undefined } as unknown as MeasuredPattern;
    const items = [...measured.slice(0, 5), bad, ...measured.slice(5)];
    const batched = scorer.scoreManyMeasured(items, {}, 4); // batches of 4: the bad item and a part batch at the end
    assert.equal(batched.length, items.length);
    assert.ok(batched[5].error && !batched[5].score, JSON.stringify(batched[5]));
    items.forEach((m, i) => {
      if (i === 5) return;
      const one = scorer.scoreMeasured(m).score;
      const many = batched[i].score!;
      assert.equal(batched[i].error, undefined);
      assert.ok(Math.abs(many.bce - one.bce) < 1e-6 && Math.abs(many.bceExcess - one.bceExcess) < 1e-6, `item ${i}: ${many.bce} vs ${one.bce}`);
      many.latent.forEach((z, k) => assert.ok(Math.abs(z - one.latent[k]) < 1e-5));
      assert.equal(many.nearestPhase, one.nearestPhase);
    });
  });

  it('a model folder without a manifest is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-model-'));
    await assert.rejects(loadModel(dir), /not a latent-xrd model folder \(no manifest.json\)/);
    writeFileSync(join(dir, 'manifest.json'), '{"format": "something-else"}');
    await assert.rejects(loadModel(dir), /not a latent-xrd model manifest/);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(existsSync(dir), false);
  });
});
