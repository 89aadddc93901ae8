// The datasets `latent-xrd synth` writes, read by h5py as a PyTorch or TensorFlow user reads them:
// test/python/check_dataset.py checks the documented layout (docs/dataset-format.md) on its own
// and reports what it read, which must be what Latent XRD's own reader says the file holds.
// Without Python, h5py and numpy this test FAILS, saying what to install: the hand-off to
// Python is a promise, and a skipped check would not keep it. CI (.ci/run) installs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { readDataset } from '../../src/core/synth/dataset';
import { PATTERN_PARAMETERS, PHASE_PARAMETERS } from '../../src/core/synth';

const root = join(__dirname, '../../..');
const CHECKER = join(root, 'test/python/check_dataset.py');

/** The first Python that imports h5py and numpy: $LATENT_XRD_PYTHON, else python3 on the PATH, else Debian's. */
function pythonWithH5py(): { python?: string; tried: string[] } {
  const candidates = [process.env.LATENT_XRD_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => !!c);
  const tried: string[] = [];
  for (const python of [...new Set(candidates)]) {
    const probe = spawnSync(python, ['-c', 'import h5py, numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, tried };
    const why = probe.error ? (probe.error as NodeJS.ErrnoException).code : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
    tried.push(`${python}: ${why}`);
  }
  return { tried };
}

describe('datasets read by h5py', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-h5py-'));
    for (const f of ['Ni-fcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) copyFileSync(join(root, 'examples/paper-demo', f), join(dir, f));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('h5py reads the shapes, dtypes, labels, parameters, phase names and config attributes the dataset holds', async () => {
    const { python, tried } = pythonWithH5py();
    if (!python) {
      assert.fail(
        'this test needs Python 3 with h5py and numpy, to check that the datasets open in h5py. Install them ' +
          '(Debian/Ubuntu: `apt-get install python3-h5py python3-numpy`, as .ci/run does; elsewhere `pip install h5py numpy`), ' +
          `or point LATENT_XRD_PYTHON at a Python that has them. Tried: ${tried.join('; ')}`,
      );
    }
    const config = {
      phases: [
        { name: 'Ni', cif: 'Ni-fcc.cif', count: 30 },
        { name: 'Co', cif: 'Co-hcp.cif', count: 25 },
        { name: 'sigma', cif: 'FeCr-sigma.cif', count: 5, role: 'unknown' },
      ],
      mixtures: { role: 'known', pairs: 'known', pairCount: 12 },
      grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
      seed: 11,
      chunkSize: 16,
      output: 'small.h5',
    };
    writeFileSync(join(dir, 'latent-xrd.json'), JSON.stringify(config, null, 2));
    let err = '';
    const code = await runCli(['synth', '--config', join(dir, 'latent-xrd.json'), '--quiet'], { out: () => undefined, err: (t) => (err += t), cwd: dir });
    assert.equal(code, 0, err);
    const path = join(dir, 'small.h5');

    const run = spawnSync(python, [CHECKER, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, `${python} ${CHECKER}: ${run.stderr || run.error}`);
    const report = JSON.parse(run.stdout);
    const ds = await readDataset(path);

    assert.equal(report.count, ds.count);
    assert.equal(report.count, 30 + 25 + 5 + 12);
    assert.equal(report.points, 512);
    assert.deepEqual(report.dtypes, { patterns: 'float32', two_theta: 'float64', labels: 'int32', fractions: 'float32', weight_fractions: 'float32', phase_densities: 'float64' });
    assert.deepEqual(report.phase_names, ['Ni', 'Co', 'sigma']);
    assert.deepEqual(report.phase_names, ds.phaseNames);
    assert.deepEqual(report.phase_roles, ds.phaseRoles);
    assert.deepEqual(report.phase_files, ['Ni-fcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']);
    assert.deepEqual(report.labels, Array.from(ds.labels));
    assert.deepEqual(report.two_theta, [ds.twoTheta[0], ds.twoTheta[ds.points - 1]]);
    const sum = (values: Float32Array) => values.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(report.pattern_sum - sum(ds.patterns)) < 1e-6 * report.pattern_sum);

    // Every parameter, of its shape, holding what Latent XRD reads from it.
    assert.deepEqual(Object.keys(report.parameters).sort(), [...PATTERN_PARAMETERS, ...PHASE_PARAMETERS].sort());
    for (const [name, read] of Object.entries(report.parameters as Record<string, { shape: number[]; sum: number; nan: number }>)) {
      const perPhase = (PHASE_PARAMETERS as readonly string[]).includes(name);
      assert.deepEqual(read.shape, perPhase ? [ds.count, 3] : [ds.count], name);
      // Per-phase parameters are NaN where the phase is absent (the checker checks where).
      const values = ds.parameters[name];
      const ours = values.reduce((s, v) => (Number.isNaN(v) ? s : s + v), 0);
      assert.equal(read.nan, values.filter(Number.isNaN).length, name);
      assert.ok(perPhase || read.nan === 0, name);
      assert.ok(Math.abs(read.sum - ours) <= 1e-6 * Math.max(1, Math.abs(ours)), `${name}: h5py ${read.sum}, latent-xrd ${ours}`);
    }
    // Every array written with a checksum was checked by h5py's reading of it.
    assert.ok(report.checksums_verified.includes('patterns') && report.checksums_verified.includes('labels') && report.checksums_verified.length >= 4 + PATTERN_PARAMETERS.length + PHASE_PARAMETERS.length);

    // The attributes: what wrote it, and the config, radiation and augmentation it was made with.
    const attributes = report.attributes;
    assert.equal(attributes.software, 'latent-xrd');
    assert.equal(attributes.version, ds.attributes.version);
    assert.equal(attributes.seed, 11);
    assert.equal(attributes.mixture_role, 'known');
    assert.equal(attributes.minimum_weight_fraction, ds.minimumWeightFraction);
    assert.deepEqual(attributes.parameters_per_phase.split(','), [...PHASE_PARAMETERS]);
    const writtenConfig = JSON.parse(attributes.config);
    assert.deepEqual(writtenConfig.phases.map((p: { name: string; cif: string; count: number }) => [p.name, p.cif, p.count]), config.phases.map((p) => [p.name, p.cif, p.count]));
    assert.equal(writtenConfig.seed, 11);
    assert.deepEqual(writtenConfig.grid, config.grid);
    for (const name of ['config', 'radiation', 'augmentation']) assert.deepEqual(JSON.parse(attributes[name]), JSON.parse(ds.attributes[name] as string), name);
  });

  it("runs docs/examples/torch_dataset.py (the docs' PyTorch Dataset) on the dataset", () => {
    const { python } = pythonWithH5py();
    if (!python) assert.fail('needs Python 3 with h5py and numpy: see the first test for what to install');
    // PyTorch itself is not installed here: a stand-in with the two names the example uses
    // (torch.from_numpy, torch.utils.data.Dataset) runs it, unless the real one is there.
    const stub = join(dir, 'stub');
    mkdirSync(join(stub, 'torch', 'utils'), { recursive: true });
    writeFileSync(join(stub, 'torch', '__init__.py'), 'import numpy\ndef from_numpy(a):\n    assert isinstance(a, numpy.ndarray)\n    return a\n');
    writeFileSync(join(stub, 'torch', 'utils', '__init__.py'), '');
    writeFileSync(join(stub, 'torch', 'utils', 'data.py'), 'class Dataset:\n    pass\n');
    const script = [
      'import importlib.util, sys',
      'try:',
      '    import torch',
      'except ImportError:',
      `    sys.path.insert(0, ${JSON.stringify(stub)})`,
      `spec = importlib.util.spec_from_file_location("example", ${JSON.stringify(join(root, 'docs/examples/torch_dataset.py'))})`,
      'example = importlib.util.module_from_spec(spec); spec.loader.exec_module(example)',
      'ds = example.LatentXrdPatterns(sys.argv[1])',
      'pattern, label = ds[0]',
      'print(len(ds), tuple(pattern.shape), label, sorted(set(int(ds[i][1]) for i in range(len(ds)))))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, join(dir, 'small.h5')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    // 72 patterns less the 5 of the unknown phase; labels 0, 1 and −1 (mixtures), never 2.
    assert.equal(run.stdout.trim(), '67 (512,) 0 [-1, 0, 1]');
  });

  it('the h5py checker refuses a dataset whose arrays differ from their recorded checksums', async () => {
    const { python } = pythonWithH5py();
    if (!python) assert.fail('needs Python 3 with h5py and numpy: see the test above for what to install');
    // The checker is a real check: a file whose patterns changed after writing is caught.
    const script = [
      'import h5py, sys',
      'with h5py.File(sys.argv[1], "r+") as f:',
      '    f["patterns"][0, 0] = 0.5 if f["patterns"][0, 0] != 0.5 else 0.25',
    ].join('\n');
    const path = join(dir, 'small.h5');
    const edit = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(edit.status, 0, edit.stderr);
    const run = spawnSync(python, [CHECKER, path], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /patterns: its SHA-256 is not the one recorded/);
  });
});
