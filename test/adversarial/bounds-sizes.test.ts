// Sizes with no upper bound: a grid of a billion points, a wafer 100 m across, a 2θ range past
// 180°, a config asking for a billion patterns or jobs. Each is refused before anything is
// allocated, by a message that names the option or the config key (with its line and column).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, type SynthConfig } from '../../src/core/synth/config';
import { planDataset } from '../../src/core/synth/dataset';
import { describeRun, root, runCliProcess } from './helpers';

const demo = join(root, 'examples/paper-demo');

describe('adversarial: command-line sizes are bounded, naming the option', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lxrd-bounds-sizes-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string[], RegExp][] = [
    ['simulate --points 1000000000', ['simulate', 'examples/paper-demo/Ni-fcc.cif', '--points', '1000000000'], /--points: a grid has at most 65536 points; got 1000000000/],
    ['simulate --two-theta 0:400', ['simulate', 'examples/paper-demo/Ni-fcc.cif', '--two-theta', '0:400'], /--two-theta: 2θ must lie in \[0°, 180°\); got 400/],
    ['peaks --two-theta 0:400', ['peaks', 'examples/paper-demo/Ni-fcc.cif', '--two-theta', '0:400'], /--two-theta: 2θ must lie in \[0°, 180°\); got 400/],
    ['peaks --two-theta -10:90', ['peaks', 'examples/paper-demo/Ni-fcc.cif', '--two-theta=-10:90'], /--two-theta: 2θ must lie in \[0°, 180°\); got -10/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what} exits 2 with the option named`, async () => {
      const r = await runCliProcess(args);
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, message);
    });
  }

  it('wafer --diameter 100000 exits 2 naming --diameter (it listed ~78 million samples before)', async () => {
    const r = await runCliProcess(['wafer', '--config', join(demo, 'latent-xrd.json'), '--diameter', '100000', '-o', join(dir, 'w.xrd')]);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /--diameter: a wafer is at most 450 mm across; got 100000 mm/);
  });

  it('wafer --diameter 450 --pitch 1 exits 2 naming --pitch: 159,000 samples × 2048 points is too many values', async () => {
    const r = await runCliProcess(['wafer', '--config', join(demo, 'latent-xrd.json'), '--diameter', '450', '--pitch', '1', '-o', join(dir, 'w.xrd')]);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /--pitch: \d+ samples × 2048 points is more than/);
  });

  it('wafer --pitch wider than the wafer exits 2: no sample fits', async () => {
    const r = await runCliProcess(['wafer', '--config', join(demo, 'latent-xrd.json'), '--diameter', '10', '--pitch', '50', '-o', join(dir, 'w.xrd')]);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /--pitch: a pitch of 50 mm leaves no sample on a 10 mm wafer/);
  });
});

describe('adversarial: latent-xrd.json sizes are bounded, located at their key', () => {
  const config = (extra: Record<string, unknown>, phase: Record<string, unknown> = {}) =>
    JSON.stringify({ phases: [{ cif: 'Ni-fcc.cif', count: 10, ...phase }], ...extra }, null, 2);
  const locate = (text: string, key: string) => {
    const lines = text.split('\n');
    return lines.findIndex((l) => l.includes(`"${key}"`)) + 1;
  };

  const cases: [string, string, string, RegExp][] = [
    ['grid.points 400000000', config({ grid: { points: 400_000_000 } }), 'points', /grid\.points: a grid has at most 65536 points/],
    ['a phase count of 1e9', config({}, { count: 1e9 }), 'count', /phases\.0\.count: must be at most 1000000/],
    ['mixtures.fractions 1e9', config({ mixtures: { fractions: 1e9 } }), 'fractions', /mixtures\.fractions: must be at most 1000000/],
    ['mixtures.ternaryCount 1e9', config({ mixtures: { ternaryCount: 1e9 } }), 'ternaryCount', /mixtures\.ternaryCount: must be at most/],
    ['grid.twoThetaMax 400', config({ grid: { twoThetaMax: 400 } }), 'twoThetaMax', /grid\.twoThetaMax: 2θ must lie in \[0°, 180°\)/],
    ['chunkSize 100000 on 2048 points', config({ chunkSize: 100_000 }), 'chunkSize', /chunkSize: 100000 patterns × 2048 points is more than/],
    ['radiation 0.005', config({ radiation: 0.005 }), 'radiation', /radiation: a wavelength of 0\.005 Å is outside/],
    ['radiation.kalpha2 0', config({ radiation: { kalpha1: 1.54, kalpha2: 0 } }), 'kalpha2', /radiation\.kalpha2: a wavelength of 0 Å/],
    ['radiation.ratio 50', config({ radiation: { kalpha1: 1.54, kalpha2: 1.544, ratio: 50 } }), 'ratio', /radiation\.ratio: the Kα2\/Kα1 intensity ratio must lie in \[0, 1\]/],
    ['an unknown tube', config({ radiation: 'XxKa' }), 'radiation', /radiation: unknown wavelength "XxKa"/],
  ];
  for (const [what, text, key, message] of cases) {
    it(`${what} is an error at its line`, () => {
      const r = validateConfig(text);
      assert.equal(r.config, undefined, `accepted ${what}`);
      const d = r.diagnostics.find((x) => message.test(x.message));
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.equal(d.range!.line, locate(text, key));
    });
  }

  it('a plan whose mixtures multiply past the limit is refused before its jobs are listed', () => {
    const cfg: SynthConfig = {
      phases: ['Ni-fcc', 'Cr-bcc', 'Co-hcp'].map((name) => ({ cif: `${name}.cif`, count: 1 })),
      mixtures: { pairs: 'known', fractions: 1_000_000, countPerFraction: 1_000_000 },
    };
    const r = planDataset(cfg, demo);
    assert.equal(r.plan, undefined);
    assert.match(r.diagnostics.map((d) => d.message).join('\n'), /asks for \d+ patterns .*at most 1000000/);
  });

  it('the paper\'s grid keeps its 1024-pattern chunks', () => {
    const { plan, diagnostics } = planDataset(validateConfig(config({}, { count: 5000 })).config!, demo);
    assert.ok(plan, JSON.stringify(diagnostics));
    assert.equal(plan.chunkSize, 1024);
  });

  it('a very fine grid gets smaller default chunks, so a chunk stays within memory', () => {
    const { plan } = planDataset(validateConfig(config({ grid: { points: 65_536 } })).config!, demo);
    assert.ok(plan);
    assert.ok(plan.chunkSize * 65_536 <= 2 ** 25);
  });
});

describe('adversarial: the synth command refuses an oversized grid before allocating it', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lxrd-bounds-synth-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('"grid": { "points": 400000000 } exits 2 at the key (it allocated 3.2 GB before)', async () => {
    const file = join(dir, 'latent-xrd.json');
    writeFileSync(file, JSON.stringify({ phases: [{ cif: join(demo, 'Ni-fcc.cif'), count: 2 }], grid: { points: 400_000_000 }, output: join(dir, 'ds.h5') }, null, 2));
    const r = await runCliProcess(['synth', '--config', file, '--quiet']);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /latent-xrd\.json:\d+:\d+: error: grid\.points: a grid has at most 65536 points/);
  });
});
