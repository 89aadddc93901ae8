import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Ajv from 'ajv';
import { validateConfig, type SynthConfig } from '../../src/core/synth/config';
import { generateDataset, localDrawer, planDataset, readDataset, type PatternDrawer } from '../../src/core/synth/dataset';
import { poolDrawer } from '../../src/worker/synth-pool';
import { configSchema } from '../../src/core/synth/schema';
import { PATTERN_PARAMETERS, PHASE_PARAMETERS } from '../../src/core/synth';

const root = join(__dirname, '../../..');
const examples = join(root, 'examples/paper-demo');

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-test-'));
  for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) copyFileSync(join(examples, f), join(dir, f));
  return dir;
}

function smallConfig(extra: Partial<SynthConfig> = {}): SynthConfig {
  return {
    phases: [
      { name: 'Ni', cif: 'Ni-fcc.cif', count: 30 },
      { name: 'Co', cif: 'Co-hcp.cif', count: 25 },
      { name: 'sigma', cif: 'FeCr-sigma.cif', count: 5, role: 'unknown' },
    ],
    mixtures: { pairs: 'known', fractions: 4, countPerFraction: 2 },
    grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
    seed: 11,
    chunkSize: 16,
    output: 'small.h5',
    ...extra,
  };
}

describe('synthetic datasets (HDF5)', () => {
  it('writes every pattern with labels, fractions, parameters and attributes, and reads back', async () => {
    const dir = workspace();
    const { plan, diagnostics } = planDataset(smallConfig(), dir);
    assert.ok(plan, JSON.stringify(diagnostics));
    assert.equal(plan.total, 30 + 25 + 5 + 4 * 2);
    const progress: number[] = [];
    const result = await generateDataset(plan, { onProgress: (p) => progress.push(p.done) });
    assert.equal(result.patterns, 68);
    // streamed: written chunk by chunk, not all at the end
    assert.deepEqual(progress, [16, 32, 48, 64, 68]);
    const ds = await readDataset(join(dir, 'small.h5'));
    assert.equal(ds.count, 68);
    assert.equal(ds.points, 512);
    assert.equal(ds.patterns.length, 68 * 512);
    assert.ok(ds.patterns instanceof Float32Array);
    assert.deepEqual(ds.phaseNames, ['Ni', 'Co', 'sigma']);
    assert.deepEqual(ds.phaseRoles, ['known', 'known', 'unknown']);
    assert.equal(ds.twoTheta[0], 20);
    assert.ok(Math.abs(ds.twoTheta[511] - 90) < 1e-9);
    assert.deepEqual([...ds.labels.slice(0, 30)], new Array(30).fill(0));
    assert.deepEqual([...ds.labels.slice(55, 60)], new Array(5).fill(2));
    assert.deepEqual([...ds.labels.slice(60)], new Array(8).fill(-1));
    // the first mixture is Ni:Co at x = 1/5
    assert.ok(Math.abs(ds.fractions[60 * 3] - 0.2) < 1e-6 && Math.abs(ds.fractions[60 * 3 + 1] - 0.8) < 1e-6);
    for (const name of [...PATTERN_PARAMETERS, ...PHASE_PARAMETERS]) assert.ok(ds.parameters[name], name);
    assert.equal(ds.parameters.caglioti_w.length, 68);
    assert.equal(ds.parameters.isotropic_strain.length, 68 * 3);
    assert.ok(Number.isNaN(ds.parameters.isotropic_strain[1]), 'a phase absent from a pattern has NaN parameters');
    for (const v of ds.patterns) assert.ok(v >= 0 && v <= 1);
    assert.equal(ds.attributes.software, 'latent-xrd');
    assert.equal(JSON.parse(ds.attributes.config as string).seed, 11);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reproducible: the same config gives the same patterns', async () => {
    const dir = workspace();
    const a = planDataset(smallConfig({ output: 'a.h5' }), dir).plan!;
    const b = planDataset(smallConfig({ output: 'b.h5' }), dir).plan!;
    await generateDataset(a);
    await generateDataset(b);
    const da = await readDataset(join(dir, 'a.h5'));
    const db = await readDataset(join(dir, 'b.h5'));
    assert.deepEqual(da.patterns, db.patterns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the same dataset on 1, 2 or 3 threads and in any chunk size (pattern i has its own generator)', async () => {
    const dir = workspace();
    const runs = [
      { output: 'one.h5', threads: 1, chunkSize: 16 },
      { output: 'two.h5', threads: 2, chunkSize: 16 },
      { output: 'three.h5', threads: 3, chunkSize: 7 },
    ];
    const read = [];
    for (const run of runs) {
      const plan = planDataset(smallConfig({ output: run.output, chunkSize: run.chunkSize }), dir).plan!;
      await generateDataset(plan, { drawer: poolDrawer(run.threads) });
      read.push(await readDataset(join(dir, run.output)));
    }
    const [one, ...others] = read;
    assert.equal(one.count, 30 + 25 + 5 + 4 * 2);
    for (const other of others) {
      assert.deepEqual(other.patterns, one.patterns);
      assert.deepEqual(other.labels, one.labels);
      assert.deepEqual(other.fractions, one.fractions);
      assert.deepEqual(other.weightFractions, one.weightFractions);
      assert.deepEqual(other.parameters, one.parameters);
      assert.equal(other.attributes.sha256, one.attributes.sha256);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a drawer that fails leaves no file (the workers are closed, nothing half-written)', async () => {
    const dir = workspace();
    const plan = planDataset(smallConfig(), dir).plan!;
    let closed = false;
    let asked = 0;
    const failing = (p: typeof plan): PatternDrawer => {
      const local = localDrawer(p);
      return {
        concurrency: 2,
        draw: (first, count) => (++asked === 3 ? Promise.reject(new Error('worker died')) : local.draw(first, count)),
        close: async () => void (closed = true),
      };
    };
    await assert.rejects(generateDataset(plan, { drawer: failing }), /worker died/);
    assert.ok(closed);
    assert.equal(existsSync(join(dir, 'small.h5')), false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a synthesis worker that fails fails the pool: the range it drew and every later one reject, and close ends the workers', async () => {
    const dir = workspace();
    const plan = planDataset(smallConfig(), dir).plan!;
    const drawer = poolDrawer(2)(plan);
    const good = await drawer.draw(0, 5);
    assert.equal(good.count, 5);
    await assert.rejects(drawer.draw(plan.total - 1, 5), /not in the plan/);
    await assert.rejects(drawer.draw(0, 5), /not in the plan/);
    await drawer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cancelled run leaves no file and keeps an existing dataset intact', async () => {
    const dir = workspace();
    const target = join(dir, 'small.h5');
    // The dataset from before is a real one: anything else at the output is refused outright.
    await generateDataset(planDataset(smallConfig({ seed: 3 }), dir).plan!);
    const before = readFileSync(target);
    const controller = new AbortController();
    const plan = planDataset(smallConfig(), dir).plan!;
    await assert.rejects(
      generateDataset(plan, { signal: controller.signal, onProgress: () => controller.abort() }),
      /cancelled/,
    );
    assert.deepEqual(readFileSync(target), before);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a missing CIF or unknown mixture phase is a clear error', () => {
    const dir = workspace();
    const missing = planDataset(smallConfig({ phases: [{ cif: 'nope/*.cif', count: 3 }] }), dir);
    assert.equal(missing.plan, undefined);
    assert.match(missing.diagnostics[0].message, /no file matches "nope\/\*\.cif"/);
    const unknown = planDataset(smallConfig({ mixtures: { pairs: [['Ni', 'Xx']] } }), dir);
    assert.match(unknown.diagnostics.map((d) => d.message).join('\n'), /unknown phase "Xx"/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('latent-xrd.json: validator and published JSON Schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schemaOnDisk = JSON.parse(readFileSync(join(root, 'schemas/latent-xrd.schema.json'), 'utf8'));
  const validateWithSchema = ajv.compile(schemaOnDisk);

  it('the committed schema file is the one the engine generates', () => {
    assert.deepEqual(schemaOnDisk, JSON.parse(JSON.stringify(configSchema())));
  });

  it('the paper demo config is valid for both', () => {
    const text = readFileSync(join(examples, 'latent-xrd.json'), 'utf8');
    assert.ok(validateWithSchema(JSON.parse(text)), JSON.stringify(validateWithSchema.errors));
    const r = validateConfig(text);
    assert.ok(r.config, JSON.stringify(r.diagnostics));
  });

  const bad: [string, string, RegExp][] = [
    ['no phases', '{ "seed": 1 }', /phases/],
    ['count not an integer', '{ "phases": [{ "cif": "a.cif", "count": 2.5 }] }', /count/],
    ['unknown key', '{ "phases": [{ "cif": "a.cif", "count": 2 }], "colour": "red" }', /colour/],
    ['bad distribution', '{ "phases": [{ "cif": "a.cif", "count": 2 }], "augmentation": { "isotropicStrain": { "dist": "uniform", "min": 1 } } }', /isotropicStrain/],
    ['bad role', '{ "phases": [{ "cif": "a.cif", "count": 2, "role": "maybe" }] }', /role/],
    ['bad grid', '{ "phases": [{ "cif": "a.cif", "count": 2 }], "grid": { "points": 1 } }', /points/],
  ];
  for (const [what, text, where] of bad) {
    it(`rejects ${what} in both, with a location`, () => {
      assert.equal(validateWithSchema(JSON.parse(text)), false, 'schema accepted it');
      const r = validateConfig(text);
      assert.equal(r.config, undefined);
      assert.match(r.diagnostics.map((d) => d.message).join('\n'), where);
      assert.ok(r.diagnostics.every((d) => d.range && d.range.line >= 1));
    });
  }

  it('points at the line and column of a problem', () => {
    const text = '{\n  "phases": [\n    { "cif": "a.cif", "count": -3 }\n  ]\n}\n';
    const r = validateConfig(text);
    const d = r.diagnostics.find((x) => /count/.test(x.message))!;
    assert.equal(d.range!.line, 3);
    assert.equal(d.range!.column, 32);
  });

  it('reports a JSON syntax error with its position', () => {
    const r = validateConfig('{\n  "phases": [\n    { "cif": "a.cif", "count": 3 },\n  ]\n}');
    assert.equal(r.config, undefined);
    assert.equal(r.diagnostics[0].range!.line, 4);
    assert.match(r.diagnostics[0].message, /not valid JSON/);
  });
});

describe('ternary mixtures', () => {
  it('draw fractions on the simplex and record them', async () => {
    const dir = workspace();
    const { plan } = planDataset(
      smallConfig({
        phases: [
          { name: 'Ni', cif: 'Ni-fcc.cif', count: 0 },
          { name: 'Cr', cif: 'Cr-bcc.cif', count: 0 },
          { name: 'Co', cif: 'Co-hcp.cif', count: 0 },
        ],
        mixtures: { pairs: [], ternaries: [['Ni', 'Cr', 'Co']], ternaryCount: 40 },
        output: 'ternary.h5',
      }),
      dir,
    );
    assert.ok(plan);
    await generateDataset(plan);
    const ds = await readDataset(join(dir, 'ternary.h5'));
    assert.equal(ds.count, 40);
    for (let n = 0; n < 40; n++) {
      const f = [...ds.fractions.slice(n * 3, n * 3 + 3)];
      assert.ok(Math.abs(f[0] + f[1] + f[2] - 1) < 1e-6);
      assert.ok(f.every((x) => x > 0 && x < 1));
      assert.equal(ds.labels[n], -1);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
