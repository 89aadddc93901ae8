import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { startTraining } from '../../src/worker/host';
import { CancelledError } from '../../src/core/model/pipeline';
import { DEFAULT_TRAINING_CONFIG } from '../../src/core/model/training-config';

const root = join(__dirname, '../../..');
const examples = join(root, 'examples/paper-demo');

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

/** A small workspace: the paper's four phases on a 512-point grid, a few hundred patterns. */
function workspace(training: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-train-'));
  for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) copyFileSync(join(examples, f), join(dir, f));
  writeFileSync(
    join(dir, 'latent-xrd.json'),
    JSON.stringify(
      {
        phases: [
          { name: 'Ni', cif: 'Ni-fcc.cif', count: 150 },
          { name: 'Cr', cif: 'Cr-bcc.cif', count: 150 },
          { name: 'Co', cif: 'Co-hcp.cif', count: 150 },
          { name: 'sigma', cif: 'FeCr-sigma.cif', count: 40, role: 'unknown' },
        ],
        mixtures: { pairs: 'known', fractions: 5, countPerFraction: 3 },
        grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
        seed: 5,
        output: 'data.h5',
        training: { epochs: 3, batchSize: 32, klWarmupEpochs: 1, ...training },
      },
      null,
      2,
    ),
  );
  return dir;
}

describe('latent-xrd train and score', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = workspace();
    const r = await cli(dir, 'train', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.model, join(dir, 'model'));
    // A 3-epoch model: whatever its checks found is printed with them.
    assert.equal(typeof out.reliability.reliable, 'boolean');
    assert.match(r.stderr, /epoch 3\/3: loss/);
  });

  it('generates the dataset, trains in a worker and writes a complete model folder', () => {
    assert.ok(existsSync(join(dir, 'data.h5')));
    assert.deepEqual(readdirSync(join(dir, 'model')).sort(), ['calibration-patterns.bin', 'decoder', 'encoder', 'manifest.json']);
    const manifest = JSON.parse(readFileSync(join(dir, 'model', 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.phases, ['Ni', 'Cr', 'Co']);
    assert.deepEqual(manifest.grid, { min: 20, max: 90, points: 512 });
    assert.equal(manifest.training.members[0].history.length, 3);
    assert.equal(manifest.calibration.errors.length, manifest.training.counts.calibration);
    assert.deepEqual(manifest.calibration.source, { kind: 'synthetic', patterns: manifest.training.counts.calibration });
    // The calibration patterns are kept (every one, at 512 points), and the held-out checks recorded.
    assert.equal(manifest.calibration.patterns, manifest.calibration.errors.length);
    assert.equal(statSync(join(dir, 'model', 'calibration-patterns.bin')).size, manifest.calibration.patterns * 512 * 4);
    assert.equal(manifest.reliability.reliable, manifest.reliability.reasons.length === 0);
    for (const key of ['knnAccuracy', 'aurocUnknown', 'aurocMixtures', 'medianErrorRatioUnknownToKnown']) assert.equal(typeof manifest.metrics[key], 'number', key);
    assert.deepEqual(Object.keys(manifest.metrics.baselines).sort(), ['pcaKnnDistance', 'pcaReconstruction', 'pcaReconstructionBce', 'pcaReconstructionMse', 'softmaxConfidence']);
    // Every score on every novelty task: all unknowns, each unknown phase, and the (novel) mixtures.
    const methods = ['vae', 'vaeBce', 'vaeMse', 'pcaReconstruction', 'pcaReconstructionBce', 'pcaReconstructionMse', 'pcaKnnDistance', 'softmaxConfidence'];
    assert.deepEqual(Object.keys(manifest.metrics.noveltyByTask).sort(), ['mixtures', 'unknown', 'unknownPhase:sigma']);
    assert.equal(manifest.metrics.noveltyByTask['unknownPhase:sigma'].count, 40);
    for (const task of Object.values(manifest.metrics.noveltyByTask) as { auroc: Record<string, number> }[]) assert.deepEqual(Object.keys(task.auroc).sort(), methods.sort());
    assert.equal(typeof manifest.metrics.noveltyWinners.unknown.baselineBeatsVae, 'boolean');
    assert.ok(manifest.metrics.baselineSelection.softmax.testAccuracy >= 0 && manifest.metrics.baselineSelection.softmax.testAccuracy <= 1);
  });

  it('scores files on other grids, and lists an unreadable one with its line and column', async () => {
    assert.equal((await cli(dir, 'simulate', 'Ni-fcc.cif', '--points', '700', '--two-theta', '15:95', '-o', 'ni.xy')).code, 0);
    assert.equal((await cli(dir, 'simulate', 'FeCr-sigma.cif', '-o', 'sigma.xy')).code, 0);
    writeFileSync(join(dir, 'broken.xy'), '# 2theta intensity\n20 1\n21 2\n22 oops\n');
    const r = await cli(dir, 'score', '--model', 'model', 'ni.xy', 'sigma.xy', 'broken.xy', '--json');
    assert.equal(r.code, 1, 'an unreadable file makes the exit code 1');
    const { results, phases } = JSON.parse(r.stdout);
    assert.equal(results.length, 3);
    for (const s of results.slice(0, 2)) {
      assert.equal(s.latent.length, DEFAULT_TRAINING_CONFIG.latent);
      assert.ok(s.pValue > 0 && s.pValue <= 1);
      assert.ok(['known', 'novel'].includes(s.verdict));
      assert.ok(phases.includes(s.nearestPhase));
      assert.ok(s.bce > 0 && s.mse > 0);
      // Where it differs: each unexplained peak inside the grid, with d from Bragg's law at the model's λ.
      assert.ok(Array.isArray(s.unexplainedPeaks));
      for (const p of s.unexplainedPeaks) {
        assert.ok(p.twoTheta >= 20 && p.twoTheta <= 90 && p.relativeHeight > 0, JSON.stringify(p));
        assert.ok(Math.abs(p.d - 1.540562 / (2 * Math.sin((p.twoTheta * Math.PI) / 360))) < 1e-9, JSON.stringify(p));
      }
    }
    // No wavelength in the file: the model's is assumed (said first), then resampling, background, scaling.
    assert.deepEqual(results[0].operations.map((o: { step: string }) => o.step), ['wavelength', 'resample', 'background', 'normalise']);
    assert.match(results[0].steps[0], /no wavelength in the file: assumed the model's \(1\.540562 Å\)/);
    assert.match(results[0].steps[1], /resampled 700 points .* onto 512 points/);
    assert.match(results[2].error, /broken\.xy:4:4: not a finite number: "oops"/);
  });

  it('the model records its preprocessing and score applies it; a flag that contradicts it is refused with the reason', async () => {
    assert.equal((await cli(dir, 'simulate', 'Ni-fcc.cif', '--seed', '3', '-o', 'ni.xy')).code, 0);
    const manifest = JSON.parse(readFileSync(join(dir, 'model', 'manifest.json'), 'utf8'));
    assert.equal(manifest.preprocessing.background, 'als');
    assert.equal(manifest.preprocessing.stripKAlpha2, false);
    // Repeating the model's choice is allowed.
    const same = await cli(dir, 'score', '--model', 'model', 'ni.xy', '--background', 'als');
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /\n  - background subtracted by asymmetric least squares/);
    for (const flags of [['--background', 'rolling-ball'], ['--strip-kalpha2'], ['--background', 'none']]) {
      const refused = await cli(dir, 'score', '--model', 'model', 'ni.xy', ...flags);
      assert.equal(refused.code, 2, flags.join(' '));
      assert.equal(refused.stdout, '', 'nothing is scored');
      assert.match(refused.stderr, /no meaningful p-value\. The model was trained with background: als .*Kα2 kept/);
    }
    // The unexplained peaks under the score line, or for NOVEL without one, that it is no line.
    const scored = JSON.parse((await cli(dir, 'score', '--model', 'model', 'ni.xy', '--json')).stdout).results[0];
    if (scored.unexplainedPeaks.length) assert.match(same.stdout, /\n  unexplained peaks?: 2θ \d+\.\d\d° \(d \d\.\d{4} Å, \d+\.\d % of the strongest line\)/);
    else if (scored.verdict === 'novel') assert.match(same.stdout, /\n  no unexplained peak: the difference is in the shape of the lines or the background, not in a line\n/);
    else assert.doesNotMatch(same.stdout, /unexplained/);
    const bad = await cli(dir, 'score', '--model', 'model', 'ni.xy', '--background', 'spline');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--background must be one of als, rolling-ball, polynomial, none; got "spline"/);
  });

  it('a model trained with another preprocessing applies it to every scored file, steps listed', async () => {
    const other = workspace({ epochs: 1, preprocessing: { background: 'rolling-ball', stripKAlpha2: true } });
    const trained = await cli(other, 'train');
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /preprocessing \d+ patterns as scored ones will be: background: rolling-ball .*Kα2 stripped/);
    assert.equal((await cli(other, 'simulate', 'Ni-fcc.cif', '--seed', '3', '-o', 'ni.xy')).code, 0);
    const r = await cli(other, 'score', '--model', 'model', 'ni.xy');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n  - Kα2 stripped \(Rachinger\)/);
    assert.match(r.stdout, /\n  - background subtracted by a rolling ball/);
    const refused = await cli(other, 'score', '--model', 'model', 'ni.xy', '--background', 'als');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /background als \(the model's training patterns: rolling-ball\)/);
  });

  it('a training section with a bad preprocessing is refused at its key', async () => {
    const bad = workspace({ preprocessing: { background: 'als', als: { lambda: -1 } } });
    const r = await cli(bad, 'train');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /training\.preprocessing\.als\.lambda.*-1 is not a number between 0 and 1000000000000/);
  });

  it('an ensemble is saved member by member, and scoring reports the members\' spread', async () => {
    const ensemble = workspace({ ensemble: 2, epochs: 2 });
    const trained = await cli(ensemble, 'train', '--json');
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /model 2\/2 epoch 2\/2/);
    const manifest = JSON.parse(readFileSync(join(ensemble, 'model', 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.ensemble, [{ seed: 1, path: '.' }, { seed: 2, path: 'ensemble/1' }]);
    assert.ok(existsSync(join(ensemble, 'model', 'ensemble', '1', 'encoder', 'model.json')));
    assert.equal((await cli(ensemble, 'simulate', 'Co-hcp.cif', '-o', 'co.xy')).code, 0);
    const scored = JSON.parse((await cli(ensemble, 'score', '--model', 'model', 'co.xy', '--json')).stdout);
    assert.ok(scored.results[0].bceSpread > 0, 'two differently seeded models disagree a little');
  });

  it('--threads 2 trains the model --threads 1 trains, to float rounding (the gradients of each batch shared out)', async function () {
    this.timeout(300_000); // two more trainings, each with its evaluation
    const runs = [];
    for (const threads of ['1', '2']) {
      const r = await cli(dir, 'train', '--threads', threads, '--epochs', '2', '--model', `model-${threads}`, '--json');
      assert.equal(r.code, 0, r.stderr);
      if (threads === '2') assert.match(r.stderr, /training on 2 threads/);
      else assert.doesNotMatch(r.stderr, /training on \d+ threads/);
      runs.push(JSON.parse(readFileSync(join(dir, `model-${threads}`, 'manifest.json'), 'utf8')));
    }
    const [one, two] = runs;
    const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(a);
    const histories = [one, two].map((m) => m.training.members[0].history as { train: { total: number }; validation: { total: number } }[]);
    assert.equal(histories[1].length, histories[0].length);
    histories[0].forEach((h, e) => {
      assert.ok(relative(h.train.total, histories[1][e].train.total) < 1e-5, `epoch ${e + 1} training loss ${h.train.total} vs ${histories[1][e].train.total}`);
      assert.ok(relative(h.validation.total, histories[1][e].validation.total) < 1e-5, `epoch ${e + 1} validation loss`);
    });
    assert.ok(relative(one.calibration.errorThreshold, two.calibration.errorThreshold) < 1e-4, 'the calibrated threshold');
  });

  it('refuses a bad training section with the line and column', async () => {
    const bad = workspace({ epochs: 0 });
    const r = await cli(bad, 'train');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /latent-xrd\.json:\d+:\d+: error: training\.epochs: must be an integer ≥ 1/);
  });

  it('a cancelled training stops within a batch and writes no model', async () => {
    const events: string[] = [];
    const run = startTraining(
      { datasetPath: join(dir, 'data.h5'), modelDir: join(dir, 'cancelled-model'), training: { ...DEFAULT_TRAINING_CONFIG, epochs: 50, batchSize: 16 } },
      (e) => {
        events.push(e.kind === 'epoch' ? `epoch ${e.epoch}` : e.message);
        if (e.kind === 'epoch' && e.epoch === 1) run.cancel();
      },
    );
    await assert.rejects(run.result, CancelledError);
    assert.deepEqual(events.filter((e) => e.startsWith('epoch')), ['epoch 1']);
    assert.equal(existsSync(join(dir, 'cancelled-model')), false);
  });
});
