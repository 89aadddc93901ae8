// One preprocessing for training, calibration and scoring (issue 12, item 2): a synthetic pattern
// scored as a measured file is prepared exactly as the model's training and calibration patterns
// were, so fresh patterns from the training generator get p-values that are what they say.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { readDataset } from '../../src/core/synth/dataset';
import { loadModel } from '../../src/core/model/store';
import { Scorer } from '../../src/core/model/score';
import { preprocessGridPatterns, scoringPreprocessOptions } from '../../src/core/preprocess/model-preprocessing';
import { readManifest } from '../../src/core/model/manifest';
import { initBackend } from '../../src/core/model/backend';
import { UserError } from '../../src/core/diagnostics';
import { KALPHA_DOUBLETS } from '../../src/core/diffraction/wavelengths';

const examples = join(__dirname, '../../../examples/paper-demo');

async function cli(cwd: string, ...argv: string[]) {
  let stderr = '';
  const code = await runCli(argv, { out: () => undefined, err: (t) => (stderr += t), cwd });
  return { code, stderr };
}

function workspace(seed: number, output: string, count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-prep-'));
  for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif']) copyFileSync(join(examples, f), join(dir, f));
  writeFileSync(
    join(dir, 'latent-xrd.json'),
    JSON.stringify({
      phases: [
        { name: 'Ni', cif: 'Ni-fcc.cif', count },
        { name: 'Cr', cif: 'Cr-bcc.cif', count },
        { name: 'Co', cif: 'Co-hcp.cif', count },
      ],
      grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
      seed,
      output,
      // A large calibration share: the test below reads p-values at 0.1, and a conformal p-value's
      // spread given its calibration sample shrinks as 1/√n.
      training: { epochs: 4, batchSize: 32, klWarmupEpochs: 1, calibrationFraction: 0.3 },
    }),
  );
  return dir;
}

describe('one preprocessing for training, calibration and scoring', function () {
  this.timeout(300_000);
  let dir: string;

  before(async () => {
    await initBackend('auto');
    dir = workspace(11, 'train.h5', 400);
    const trained = await cli(dir, 'train');
    assert.equal(trained.code, 0, trained.stderr);
  });

  it('a dataset pattern scored as a measured file is prepared exactly as the model trained on it', async () => {
    const dataset = await readDataset(join(dir, 'train.h5'));
    const model = await loadModel(join(dir, 'model'));
    const scorer = new Scorer(model);
    const { grid, preprocessing } = model.manifest;
    assert.ok(preprocessing, 'the manifest records the preprocessing');
    const rows = [0, 1, 400, 900, 1199];
    const asTrained = new Float32Array(rows.length * dataset.points);
    rows.forEach((r, k) => asTrained.set(dataset.patterns.subarray(r * dataset.points, (r + 1) * dataset.points), k * dataset.points));
    preprocessGridPatterns(asTrained, rows.length, grid, preprocessing!, undefined);
    rows.forEach((r, k) => {
      const intensity = Float64Array.from(dataset.patterns.subarray(r * dataset.points, (r + 1) * dataset.points));
      const scored = scorer.prepare({ twoTheta: dataset.twoTheta, intensity });
      let largest = 0;
      for (let i = 0; i < dataset.points; i++) largest = Math.max(largest, Math.abs(scored.pattern[i] - asTrained[k * dataset.points + i]));
      assert.ok(largest < 1e-5, `row ${r}: the scored pattern differs from the trained one by up to ${largest}`);
      assert.deepEqual(scored.operations!.map((o) => o.step), ['wavelength', 'resample', 'background', 'normalise']);
    });
  });

  it('fresh patterns of the known phases, scored as measured files, are called novel at about the nominal rate', async () => {
    // Drawn from the training generator with another seed: the question a user's measured
    // pattern of a known phase asks, without the instrument's own differences.
    const fresh = workspace(12, 'fresh.h5', 150);
    const made = await cli(fresh, 'synth', '--config', 'latent-xrd.json', '--quiet');
    assert.equal(made.code, 0, made.stderr);
    const dataset = await readDataset(join(fresh, 'fresh.h5'));
    const scorer = new Scorer(await loadModel(join(dir, 'model')));
    const patterns = Array.from({ length: dataset.count }, (_, r) => ({
      twoTheta: dataset.twoTheta,
      intensity: Float64Array.from(dataset.patterns.subarray(r * dataset.points, (r + 1) * dataset.points)),
    }));
    const scores = scorer.scoreManyMeasured(patterns).map((s) => s.score!.pValue);
    const calibration = readManifest(join(dir, 'model')).calibration.errors.length;
    // A conformal p-value of an exchangeable pattern: P(p ≤ α) ≈ α. Given one calibration sample of
    // n the share below α varies by √(α(1−α)/n) (≈ 0.016 for n = 360), and the share among m
    // fresh patterns by √(α(1−α)/m) (≈ 0.014 for m = 450): 4 standard deviations of both is 0.085.
    const alpha = 0.1;
    const share = scores.filter((p) => p <= alpha).length / scores.length;
    const spread = Math.sqrt(alpha * (1 - alpha) * (1 / calibration + 1 / scores.length));
    assert.ok(Math.abs(share - alpha) <= 4 * spread, `share of fresh known patterns with p ≤ ${alpha}: ${share.toFixed(3)} (calibration ${calibration}, fresh ${scores.length})`);
  });

  it('refuses scoring options that contradict the record, naming each; repeats of it pass', () => {
    const recorded = { background: 'als' as const, als: { lambda: 1e6, p: 0.01, iterations: 10 }, rollingBall: { halfWidthDeg: 2, smoothHalfWidthDeg: 1 }, polynomial: { degree: 4, iterations: 100 }, stripKAlpha2: false };
    assert.deepEqual(scoringPreprocessOptions(recorded, { background: 'als', stripKAlpha2: false }, 1.54), { ...recorded, modelWavelength: 1.54 });
    assert.throws(() => scoringPreprocessOptions(recorded, { als: { lambda: 1e5 } }, 1.54, 'the settings'), (e: Error) => e instanceof UserError && /^the settings ask for als\.lambda 100000 \(the model's training patterns: 1000000\)/.test(e.message));
    assert.throws(() => scoringPreprocessOptions(recorded, { background: 'polynomial', stripKAlpha2: true }, 1.54), /background polynomial .*; Kα2 stripped \(the model's training patterns: kept\)/);
    // A model saved before the record takes what it is given.
    assert.deepEqual(scoringPreprocessOptions(undefined, { background: 'none' }, 1.54), { modelWavelength: 1.54, background: 'none' });
  });

  it('strips Kα2 from training patterns with the dataset\'s doublet, and refuses to strip a single line', () => {
    const grid = { min: 20, max: 90, points: 7001 };
    const step = (grid.max - grid.min) / (grid.points - 1);
    const cu = KALPHA_DOUBLETS.Cu;
    // One line at 44° and its Kα2 copy, half as strong, where Bragg's law puts it.
    const at = (x: number, centre: number) => Math.exp(-0.5 * ((x - centre) / 0.05) ** 2);
    const centre2 = (2 * Math.asin((cu.kalpha2 / cu.kalpha1) * Math.sin((44 * Math.PI) / 360)) * 180) / Math.PI;
    const pattern = Float32Array.from({ length: grid.points }, (_, i) => at(grid.min + i * step, 44) + 0.5 * at(grid.min + i * step, centre2));
    const recorded = { background: 'none' as const, als: { lambda: 1e6, p: 0.01, iterations: 10 }, rollingBall: { halfWidthDeg: 2, smoothHalfWidthDeg: 1 }, polynomial: { degree: 4, iterations: 100 }, stripKAlpha2: true };
    const stripped = Float32Array.from(pattern);
    preprocessGridPatterns(stripped, 1, grid, recorded, { kalpha1: cu.kalpha1, kalpha2: cu.kalpha2, ratio: 0.5, source: 'test' });
    const index = Math.round((centre2 - grid.min) / step);
    // What is left there is the Kα1 line's own tail.
    const tail = at(grid.min + index * step, 44);
    assert.ok(pattern[index] - tail > 0.4 && Math.abs(stripped[index] - tail) < 0.02, `at the Kα2 line: ${pattern[index]} before, ${stripped[index]} after, Kα1 alone ${tail}`);
    assert.throws(() => preprocessGridPatterns(Float32Array.from(pattern), 1, grid, recorded, undefined), /single line \(no Kα2\)/);
  });
});
