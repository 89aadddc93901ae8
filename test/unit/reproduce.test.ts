import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';

const root = join(__dirname, '../../..');

describe('latent-xrd reproduce --quick', function () {
  // The whole study at small scale with two seeds (the default is five; two keep the test to a
  // few minutes on two cores): the paper's dataset with the hard unknowns, both models' VAE and
  // Co–Ni–Cr–Re cVAE ensemble per seed, baselines on every task, figures.
  this.timeout(1_200_000);

  it('writes metrics, the data behind every figure and the figures, and prints the metrics', async () => {
    const out = mkdtempSync(join(tmpdir(), 'latent-xrd-repro-'));
    let stdout = '';
    let stderr = '';
    const code = await runCli(['reproduce', '--quick', '--seeds', '2', '--out', out, '--json'], { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: root });
    assert.equal(code, 0, stderr);
    const metrics = JSON.parse(stdout);
    assert.deepEqual(metrics.seeds, [1, 2]);
    const interval = (m: { mean: number; ci95: [number, number]; n: number }, key: string) => {
      assert.ok(Number.isFinite(m.mean), key);
      assert.equal(m.n, 2, key);
      assert.ok(m.ci95[0] <= m.mean && m.mean <= m.ci95[1], key);
    };
    const keys = ['knnAccuracy', 'medianErrorRatioUnknownToKnown', 'aurocUnknown', 'aurocMixtures', 'aurocCompositionMismatch', 'meanErrorKnown', 'meanErrorUnknown', 'meanErrorRatioUnknownToKnown'];
    for (const model of [metrics, metrics.asPublished]) {
      for (const key of keys) interval(model[key], key);
      const methods = ['vae', 'vaeBce', 'pcaReconstruction', 'pcaReconstructionBce', 'pcaReconstructionMse', 'pcaKnnDistance', 'softmaxConfidence'];
      for (const task of ['unknownPhase', 'mixtures']) {
        for (const method of methods) interval(model.baselines[task][method], `${task} ${method}`);
        assert.ok(model.noveltyWinners[task].winners.length >= 1, task);
      }
      // The hard unknowns, every method on each, with a winner; aurocUnknown stays σ-FeCr's.
      assert.deepEqual(Object.keys(model.hardUnknowns), metrics.unknownPhases.hard.map((u: { name: string }) => u.name));
      assert.equal(Object.keys(model.hardUnknowns).length, 4);
      for (const [phase, byMethod] of Object.entries(model.hardUnknowns as Record<string, Record<string, { mean: number; ci95: [number, number]; n: number }>>)) {
        for (const method of methods) interval(byMethod[method], `${phase} ${method}`);
        assert.ok(model.noveltyWinners[`unknownPhase:${phase}`].winners.length >= 1, phase);
      }
      assert.equal(model.aurocUnknown.mean, model.baselines.unknownPhase.vae.mean);
      // The composition experiment: an ensemble of 5 cVAEs on 21 structures, GNB three ways.
      assert.equal(model.composition.members, 5);
      assert.equal(model.composition.structures, 21);
      for (const key of ['gnbAccuracyLatent', 'gnbAccuracyLatentAndComposition', 'gnbAccuracyCompositionOnly']) interval(model.composition[key], key);
      assert.equal(model.mixturePeaks.length, 3);
      for (const p of model.mixturePeaks) assert.equal(p.peakXBySeed.length, 2);
    }
    // The paper's error is the plain BCE the model trains on; the ratio is of those means.
    assert.ok(Math.abs(metrics.meanErrorRatioUnknownToKnown.mean - (metrics.perSeed.defaults[0].meanErrorUnknown / metrics.perSeed.defaults[0].meanErrorKnown + metrics.perSeed.defaults[1].meanErrorUnknown / metrics.perSeed.defaults[1].meanErrorKnown) / 2) < 1e-9);
    assert.equal(metrics.asPublished.training.latent, 2);
    assert.equal(metrics.asPublished.training.beta, 1);
    assert.equal(metrics.asPublished.training.klWarmupEpochs, 0);
    assert.deepEqual(metrics.targets.map((t: { key: string }) => t.key), ['knnAccuracy', 'meanErrorKnown', 'meanErrorUnknown', 'meanErrorRatioUnknownToKnown', 'medianErrorRatioUnknownToKnown', 'aurocUnknown', 'aurocMixtures', 'mixturePeakX', 'aurocCompositionMismatch']);
    assert.ok(Array.isArray(metrics.shortfalls));
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')), metrics);
    for (const prefix of ['', 'as-published-']) {
      for (const file of ['latent.csv', 'knn-regions.json', 'violins.json', 'mixture-curves.csv', 'latent-by-phase.svg', 'latent-by-two-theta-of-max.svg', 'latent-error-knn.svg', 'violin-errors.svg', 'mixture-error.svg']) {
        assert.ok(existsSync(join(out, prefix + file)), prefix + file);
      }
      for (const svg of ['latent-by-phase.svg', 'violin-errors.svg', 'mixture-error.svg']) {
        const text = readFileSync(join(out, prefix + svg), 'utf8');
        assert.match(text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.ok(!/NaN/.test(text), `${prefix + svg} has no NaN coordinates`);
      }
    }
    assert.equal(readFileSync(join(out, 'mixture-curves.csv'), 'utf8').split('\n')[0], 'phase_a,phase_b,x,count,mean_bce,median_bce,q1_bce,q3_bce');
    const latent = readFileSync(join(out, 'latent.csv'), 'utf8').trim().split('\n');
    const dims = JSON.parse(readFileSync(join(out, 'model', 'manifest.json'), 'utf8')).spec.latent as number;
    assert.equal(latent[0], `set,dataset_row,phase,${Array.from({ length: dims }, (_, d) => `z${d + 1}`).join(',')},two_theta_of_max,bce_excess,bce,mse`);
    assert.equal(metrics.counts.unknown, 5 * 300, 'σ-FeCr and the 4 hard unknowns, 300 patterns each at quick scale');
    assert.equal(latent.length - 1, metrics.counts.train + metrics.counts.validation + metrics.counts.calibration + metrics.counts.test + metrics.counts.unknown + metrics.counts.mixtures);
    for (const folder of ['model', 'as-published-model']) assert.ok(existsSync(join(out, folder, 'manifest.json')), folder);
    assert.equal(JSON.parse(readFileSync(join(out, 'as-published-model', 'manifest.json'), 'utf8')).spec.latent, 2);
  });
});
