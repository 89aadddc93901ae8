// Every loop over data in scoring ends, NaN or not, and a non-finite result never becomes a
// verdict. Each case that used to spin runs in a worker under the hang guard (scoring-guard.ts).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { KnnClassifier } from '../../src/core/analysis/knn';
import { auroc, averagePrecision, pValue } from '../../src/core/analysis/metrics';
import { verdictFor } from '../../src/core/analysis/verdict';
import { initBackend, tf } from '../../src/core/model/backend';
import { loadModel } from '../../src/core/model/store';
import { Scorer } from '../../src/core/model/score';
import { buildVae } from '../../src/core/model/vae';
import { gridValues } from '../../src/core/diffraction/render';
import { UserError } from '../../src/core/diagnostics';
import { testManifest } from '../unit/model-fixtures';
import { untrainedModel } from './helpers';
import { inWorker, serveProbe } from './scoring-guard';

/** 2θ 20–90° with two peaks, every intensity ±1e308 (the 20-byte file, with enough points to score). */
function extremePattern(points = 400) {
  const twoTheta = gridValues({ min: 20, max: 90, points });
  const intensity = Float64Array.from(twoTheta, (t, i) => (i % 2 ? 1e308 : -1e308) * (0.2 + 0.8 * Math.exp(-((t - 44) ** 2) / 0.5)));
  return { twoTheta, intensity };
}

function peakPattern(points = 400) {
  const twoTheta = gridValues({ min: 20, max: 90, points });
  return { twoTheta, intensity: Float64Array.from(twoTheta, (t) => 100 + 1000 * Math.exp(-((t - 44) ** 2) / 0.5)) };
}

const probes = {
  knnNaN: () => {
    const points = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    const knn = new KnnClassifier(points, Int32Array.from({ length: 50 }, (_, i) => i % 3), 2, 5);
    return knn.nearest([NaN, NaN]);
  },
  knnStoredNaN: () => {
    const points = Float32Array.from([0, 0, NaN, 1, 1, 1, 2, NaN, 3, 3]);
    const knn = new KnnClassifier(points, Int32Array.from([0, 1, 0, 1, 0]), 2, 2);
    return Array.from(knn.nearest([1.1, 1]).index);
  },
  rankingNaN: () => [auroc([NaN, 0.3, NaN], [0.1, NaN]), averagePrecision([NaN, 0.3, NaN], [0.1, NaN])].map(String),
  scoreExtreme: async ({ dir }: { dir: string }) => {
    await initBackend('wasm');
    const scorer = new Scorer(await loadModel(dir));
    const one = scorer.scoreMeasured(extremePattern());
    const many = scorer.scoreManyMeasured([peakPattern(), extremePattern(), { twoTheta: Float64Array.of(20, 50), intensity: Float64Array.of(-1e308, 1e308) }]);
    return { one: one.score, pattern: Array.from(one.prepared.pattern), steps: one.prepared.steps, many };
  },
  /** A model that overflows (finite weights of 3e38) on patterns whose first grid point is lit. */
  overflowingModel: async () => {
    await initBackend('wasm');
    const spec = { points: 64, hidden: [32, 16], latent: 2, compositionElements: [], beta: 1 };
    const member = buildVae(spec, 3);
    makeOverflowOnFirstPoint(member.encoder);
    const scorer = new Scorer({ manifest: testManifest(spec), members: [member] });
    const rows = [0, 1, 0].map((lit) => Float32Array.from({ length: 64 }, (_, i) => (i === 0 ? lit : 0.5 + 0.5 * Math.sin(i))));
    const results = scorer.scoreBatched(3, (i) => rows[i]);
    let thrown: string | undefined;
    try {
      scorer.score(rows[1], 1);
    } catch (e) {
      thrown = (e as Error).message;
    }
    return { results: results.map((r) => (r.error ? { error: r.error.message, user: r.error instanceof UserError } : { score: r.score })), thrown };
  },
};

/** Row 0 of the first kernel 3e38 and the second kernel all ones: h₂ = Σ h₁ overflows float32. */
function makeOverflowOnFirstPoint(encoder: import('@tensorflow/tfjs-layers').LayersModel): void {
  const first = encoder.getLayer('encoder_dense_1');
  const [kernel, bias] = first.getWeights();
  const values = kernel.arraySync() as number[][];
  values[0] = values[0].map(() => 3e38);
  first.setWeights([tf.tensor2d(values), bias]);
  const second = encoder.getLayer('encoder_dense_2');
  const [k2, b2] = second.getWeights();
  second.setWeights([tf.onesLike(k2), b2]);
}

if (!serveProbe(probes)) {
  describe('scoring adversarial: every loop ends, and NaN never becomes a verdict', function () {
    this.timeout(120_000);
    let modelDir: string;
    before(async () => {
      modelDir = await untrainedModel(join(mkdtempSync(join(tmpdir(), 'latent-xrd-loops-')), 'model'));
    });

    it('KnnClassifier.nearest refuses a NaN query instead of spinning on its NaN gap', async () => {
      const r = await inWorker(__filename, 'knnNaN');
      assert.equal(r.hung, false, 'nearest() of a NaN query never returned');
      assert.match(r.error ?? '', /RangeError: nearest neighbours of a point whose coordinate 1 is NaN/);
    });

    it('KnnClassifier ends on stored points with a NaN coordinate, and never returns them', async () => {
      const r = await inWorker(__filename, 'knnStoredNaN');
      assert.equal(r.hung, false);
      assert.deepEqual(r.result, [2, 0], "(1, 1) then (0, 0); the points with NaN never");
    });

    it('AUROC and average precision end on NaN scores (their tie loops advanced by equality)', async () => {
      const r = await inWorker(__filename, 'rankingNaN');
      assert.equal(r.hung, false, 'a tie loop never ended on NaN');
      assert.equal((r.result as string[]).length, 2);
    });

    it('a NaN error has a NaN p-value (it read as p = 1, "known"), and no verdict', () => {
      assert.ok(Number.isNaN(pValue([0.1, 0.2, 0.3], NaN)));
      assert.equal(pValue([0.1, 0.2, 0.3], 0.25), 0.5);
      const finite = { latent: [0, 1], bce: 0.1, bceExcess: 0.01, mse: 0.01, pValue: 0.5 };
      assert.equal(verdictFor(finite, 0.01), 'known');
      for (const bad of [{ pValue: NaN }, { bceExcess: NaN }, { bce: Infinity }, { latent: [0, NaN] }, { mse: -Infinity }]) {
        assert.throws(() => verdictFor({ ...finite, ...bad }, 0.01), (e: Error) => e instanceof UserError && /non-finite score.*no verdict/.test(e.message), JSON.stringify(bad));
      }
      assert.throws(() => verdictFor(finite, NaN), /threshold must be in \(0, 1\]/);
    });

    it('a pattern of ±1e308 is scored with finite numbers, alone and in a batch (it froze every scoring path)', async () => {
      const r = await inWorker(__filename, 'scoreExtreme', { dir: modelDir });
      assert.equal(r.hung, false, 'scoring a ±1e308 pattern never returned');
      assert.equal(r.error, undefined, r.error);
      const { one, pattern, steps, many } = r.result as { one: Record<string, unknown>; pattern: number[]; steps: string[]; many: { score?: Record<string, unknown>; error?: string }[] };
      for (const key of ['bce', 'bceExcess', 'mse', 'pValue', 'nearestDistance']) assert.ok(Number.isFinite(one[key]), `${key} = ${one[key]}`);
      assert.ok((one.latent as number[]).every(Number.isFinite));
      assert.ok(['known', 'novel'].includes(one.verdict as string));
      assert.ok(pattern.every((v) => v >= 0 && v <= 1), 'the prepared pattern lies in [0, 1]');
      assert.ok(!steps.some((s) => /flat pattern/.test(s)), `the steps say what was done: ${steps.join(' | ')}`);
      assert.ok(many[0].score && many[1].score, 'both usable patterns of the batch are scored');
      assert.match(many[2].error ?? '', /too little data to score: measured points fall on 2 of the model's grid points/);
    });

    it('a model that overflows on one pattern gives that pattern an error and scores the others', async () => {
      const r = await inWorker(__filename, 'overflowingModel');
      assert.equal(r.hung, false, 'scoring a NaN latent never returned');
      assert.equal(r.error, undefined, r.error);
      const { results, thrown } = r.result as { results: { score?: Record<string, unknown>; error?: string; user?: boolean }[]; thrown?: string };
      assert.ok(results[0].score && results[2].score, JSON.stringify(results));
      assert.match(results[1].error ?? '', /the model gave a non-finite score for this pattern \(latent coordinate 1 = NaN\): no verdict/);
      assert.equal(results[1].user, true);
      assert.match(thrown ?? '', /non-finite score/, 'Scorer.score of that pattern alone throws its error');
    });
  });
}
