// One training run for `latent-xrd train` and the extension's Train Model (core/model/training-run.ts,
// worker/run-training.ts): the same config gives the same plan from either way in, a cVAE config
// included, and running it generates the dataset when missing and trains the model the config asks for.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { parseBackend } from '../../src/cli/args';
import { loadWorkspaceConfig } from '../../src/cli/io';
import { planWorkspaceConfig } from '../../src/core/synth/dataset';
import { generateDataset } from '../../src/core/synth/dataset';
import { planTrainingRun, trainingSettings } from '../../src/core/model/training-run';
import { DEFAULT_TRAINING_CONFIG, QUICK_TRAINING } from '../../src/core/model/training-config';
import { UserError } from '../../src/core/diagnostics';
import { runTraining } from '../../src/worker/run-training';

const root = join(__dirname, '../../..');
const examples = join(root, 'examples/paper-demo');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The paper's four phases on a 512-point grid, each with the centre of its region (examples/materials-library's). */
const PHASES = [
  { name: 'Co', cif: 'Co-hcp.cif', count: 120, composition: { Co: 0.65, Ni: 0.09, Cr: 0.03, Re: 0.23 } },
  { name: 'Ni', cif: 'Ni-fcc.cif', count: 120, composition: { Co: 0.14, Ni: 0.69, Cr: 0.14, Re: 0.03 } },
  { name: 'Cr', cif: 'Cr-bcc.cif', count: 120, composition: { Co: 0.03, Ni: 0.19, Cr: 0.68, Re: 0.1 } },
  { name: 'sigma', cif: 'FeCr-sigma.cif', count: 40, role: 'unknown', composition: { Co: 0.05, Ni: 0.05, Cr: 0.45, Re: 0.45 } },
];

function workspace(training: Record<string, unknown>, phases: object[] = PHASES): string {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-run-'));
  for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) copyFileSync(join(examples, f), join(dir, f));
  const config = {
    phases,
    mixtures: { pairs: 'known', fractions: 4, countPerFraction: 3 },
    grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
    seed: 3,
    output: 'data.h5',
    training: { epochs: 2, batchSize: 32, klWarmupEpochs: 1, ...training },
  };
  writeFileSync(join(dir, 'latent-xrd.json'), JSON.stringify(config, null, 2));
  return dir;
}

const silent = { out: () => {}, err: () => {} };

/** The config as the CLI reads it (cli/io.ts) and as the extension does (commands/workspace-config.ts loadConfig). */
function loadBothWays(dir: string) {
  const path = join(dir, 'latent-xrd.json');
  return {
    cli: loadWorkspaceConfig({ ...silent, cwd: dir }, 'latent-xrd.json'),
    extension: planWorkspaceConfig(readFileSync(path, 'utf8'), path, 'latent-xrd.json'),
  };
}

describe('run-training: one plan for the CLI and the extension', () => {
  const CVAE = { compositionElements: ['Co', 'Ni', 'Cr', 'Re'], beta: 1 };

  it('plans the same run from either way in when no flag and no setting is given, a cVAE config included', () => {
    for (const training of [{}, CVAE]) {
      const dir = workspace(training);
      const { cli, extension } = loadBothWays(dir);
      const common = { configPath: join(dir, 'latent-xrd.json'), shownPath: 'latent-xrd.json' };
      // The CLI without --backend; the extension with the latentXrd.backend setting at its declared default.
      const fromCli = planTrainingRun(cli, { ...common, backend: parseBackend(undefined) });
      const fromExtension = planTrainingRun(extension, { ...common, backend: packageJson.contributes.configuration.properties['latentXrd.backend'].default });
      assert.deepEqual(fromExtension, fromCli);
      assert.equal(fromCli.conditional, training === CVAE);
      assert.equal(fromCli.generate, 'missing');
      assert.equal(fromCli.modelDir, join(dir, 'model'));
      assert.deepEqual(fromCli.training, { ...DEFAULT_TRAINING_CONFIG, epochs: 2, batchSize: 32, klWarmupEpochs: 1, ...training });
    }
  });

  it('applies --quick and --epochs over the config, in that order, and --regenerate', () => {
    const dir = workspace({ epochs: 40, patience: 5 });
    const loaded = loadBothWays(dir).cli;
    const common = { configPath: join(dir, 'latent-xrd.json'), shownPath: 'latent-xrd.json' };
    assert.deepEqual(planTrainingRun(loaded, { ...common, quick: true }).training, { ...DEFAULT_TRAINING_CONFIG, epochs: 40, patience: 5, batchSize: 32, klWarmupEpochs: 1, ...QUICK_TRAINING });
    assert.equal(planTrainingRun(loaded, { ...common, quick: true, epochs: 9 }).training.epochs, 9);
    assert.equal(planTrainingRun(loaded, { ...common, regenerate: true }).generate, 'regenerate');
    assert.deepEqual(trainingSettings(undefined), DEFAULT_TRAINING_CONFIG);
  });

  it('refuses a cVAE whose phases do not all have a composition, naming them, before anything is generated', () => {
    const dir = workspace(CVAE, PHASES.map((p) => (p.name === 'Ni' || p.name === 'sigma' ? { ...p, composition: undefined } : p)));
    const loaded = loadBothWays(dir).extension;
    assert.throws(
      () => planTrainingRun(loaded, { configPath: join(dir, 'latent-xrd.json'), shownPath: 'lab/latent-xrd.json' }),
      (e: unknown) => e instanceof UserError && /^lab\/latent-xrd\.json: training\.compositionElements asks for a conditional VAE, .*missing for Ni, sigma$/.test(e.message),
    );
    assert.equal(existsSync(join(dir, 'data.h5')), false);
  });
});

describe('run-training: a cVAE config trained by the shared run and by `latent-xrd train`', function () {
  this.timeout(300_000);

  it('generates the missing dataset through the caller, gives every row a composition, and trains the same cVAE the CLI trains', async () => {
    const dir = workspace({ compositionElements: ['Co', 'Ni', 'Cr', 'Re'], beta: 1 });
    const run = planTrainingRun(loadBothWays(dir).extension, { configPath: join(dir, 'latent-xrd.json'), shownPath: 'latent-xrd.json', modelDir: join(dir, 'shared-model') });
    const calls: string[] = [];
    const trained = await runTraining(
      run,
      {
        generate: async (plan, signal) => {
          calls.push(`generate ${plan.total}`);
          await generateDataset(plan, { signal });
        },
        log: (message) => calls.push(message),
        trainingStarts: () => calls.push('training starts'),
        onEvent: (event) => event.kind === 'epoch' && calls.push(`epoch ${event.epoch}`),
      },
      new AbortController().signal,
    );
    assert.deepEqual(calls, [`dataset ${join(dir, 'data.h5')} not found: generating it (${run.dataset.total} patterns)`, `generate ${run.dataset.total}`, 'training starts', 'epoch 1', 'epoch 2']);
    const shared = JSON.parse(readFileSync(join(dir, 'shared-model', 'manifest.json'), 'utf8'));
    assert.equal(trained.manifest.kind, 'cvae');
    assert.equal(shared.kind, 'cvae');
    assert.deepEqual(shared.spec.compositionElements, ['Co', 'Ni', 'Cr', 'Re']);

    // The CLI on the same config (the dataset now exists: not generated again) trains the same model.
    let stderr = '';
    const code = await runCli(['train', '--json', '--model', 'cli-model'], { out: () => {}, err: (t) => (stderr += t), cwd: dir });
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /generating it/);
    const fromCli = JSON.parse(readFileSync(join(dir, 'cli-model', 'manifest.json'), 'utf8'));
    assert.equal(fromCli.kind, 'cvae');
    assert.deepEqual(fromCli.spec, shared.spec);
    assert.deepEqual(fromCli.training.config, shared.training.config);
    assert.deepEqual(fromCli.training.counts, shared.training.counts);
    // Training is seeded (split, weights, shuffles, ε, the compositions drawn for the rows) and
    // both ran on this process's backend: the same request gives the same model, error for error.
    assert.deepEqual(fromCli.calibration.errors, shared.calibration.errors);
    assert.deepEqual(fromCli.metrics, shared.metrics);
  });

  it('a cancelled run stops during generation and trains nothing', async () => {
    const dir = workspace({ compositionElements: ['Co', 'Ni', 'Cr', 'Re'], beta: 1 });
    const run = planTrainingRun(loadBothWays(dir).cli, { configPath: join(dir, 'latent-xrd.json'), shownPath: 'latent-xrd.json' });
    const controller = new AbortController();
    let started = false;
    await assert.rejects(
      runTraining(run, { generate: async () => controller.abort(), log: () => {}, trainingStarts: () => (started = true), onEvent: () => {} }, controller.signal),
      /training cancelled; nothing was written/,
    );
    assert.equal(started, false);
    assert.equal(existsSync(join(dir, 'model')), false);
  });
});
