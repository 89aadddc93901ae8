import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';

const root = join(__dirname, '../../..');

describe('latent-xrd reproduce --quick', function () {
  // The whole study at small scale: two datasets, a VAE, a cVAE, baselines, figures (~1 min).
  this.timeout(900_000);

  it('writes metrics, the data behind every figure and the figures, and prints the metrics', async () => {
    const out = mkdtempSync(join(tmpdir(), 'latent-xrd-repro-'));
    let stdout = '';
    let stderr = '';
    const code = await runCli(['reproduce', '--quick', '--out', out, '--json'], { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: root });
    assert.equal(code, 0, stderr);
    const metrics = JSON.parse(stdout);
    for (const key of ['knnAccuracy', 'medianErrorRatioUnknownToKnown', 'aurocUnknown', 'aurocMixtures', 'aurocCompositionMismatch']) {
      assert.equal(typeof metrics[key], 'number', key);
      assert.ok(Number.isFinite(metrics[key]), key);
    }
    for (const baseline of ['pcaReconstruction', 'pcaKnnDistance', 'softmaxConfidence']) {
      assert.equal(typeof metrics.baselines[baseline].aurocUnknown, 'number');
      assert.equal(typeof metrics.baselines[baseline].aurocMixtures, 'number');
    }
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')), metrics);
    for (const file of ['latent.csv', 'knn-regions.json', 'violins.json', 'mixture-curves.csv', 'latent-by-phase.svg', 'latent-by-two-theta-of-max.svg', 'latent-error-knn.svg', 'violin-errors.svg', 'mixture-error.svg']) {
      assert.ok(existsSync(join(out, file)), file);
    }
    for (const svg of ['latent-by-phase.svg', 'violin-errors.svg', 'mixture-error.svg']) {
      const text = readFileSync(join(out, svg), 'utf8');
      assert.match(text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.ok(!/NaN/.test(text), `${svg} has no NaN coordinates`);
    }
    const latent = readFileSync(join(out, 'latent.csv'), 'utf8').trim().split('\n');
    const dims = JSON.parse(readFileSync(join(out, 'model', 'manifest.json'), 'utf8')).spec.latent as number;
    assert.equal(latent[0], `set,dataset_row,phase,${Array.from({ length: dims }, (_, d) => `z${d + 1}`).join(',')},two_theta_of_max,bce_excess,bce,mse`);
    assert.equal(latent.length - 1, metrics.counts.train + metrics.counts.validation + metrics.counts.calibration + metrics.counts.test + metrics.counts.unknown + metrics.counts.mixtures);
    assert.equal(metrics.mixturePeaks.length, 3);
    assert.ok(existsSync(join(out, 'model', 'manifest.json')) && existsSync(join(out, 'cvae', 'manifest.json')));
  });
});
