import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Ajv from 'ajv';
import { validateConfig, type SynthConfig } from '../../src/core/synth/config';
import { buildPhaseModels, generateDataset, planDataset, readDataset, type DatasetPlan } from '../../src/core/synth/dataset';
import { Simulator, type AugmentationConfig } from '../../src/core/synth';
import { Random } from '../../src/core/util/random';
import { computePeaks } from '../../src/core/diffraction/peaks';
import { readStructures } from '../../src/core/crystal/structure';
import { loadH5wasm } from '../../src/core/util/h5';
import { UserError } from '../../src/core/diagnostics';

const root = join(__dirname, '../../..');
const paperDemo = join(root, 'examples/paper-demo');
const autoAnalyzer = join(root, 'test/fixtures/xrd-autoanalyzer/cif');

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-mixtures-'));
  for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) copyFileSync(join(paperDemo, f), join(dir, f));
  for (const f of ['LiF_225.cif', 'MnO_225.cif', 'TiO2_136.cif']) copyFileSync(join(autoAnalyzer, f), join(dir, f));
  return dir;
}

function plan(dir: string, config: SynthConfig): DatasetPlan {
  const { plan, diagnostics } = planDataset(config, dir);
  assert.ok(plan, JSON.stringify(diagnostics));
  return plan;
}

/** The paper's phases with these counts: fcc Ni, bcc Cr, hcp Co known, the σ phase unknown. */
function paperPhases(ni: number, cr: number, co: number, sigma: number): SynthConfig['phases'] {
  return [
    { name: 'Ni', cif: 'Ni-fcc.cif', count: ni },
    { name: 'Cr', cif: 'Cr-bcc.cif', count: cr },
    { name: 'Co', cif: 'Co-hcp.cif', count: co },
    { name: 'sigma', cif: 'FeCr-sigma.cif', count: sigma, role: 'unknown' },
  ];
}

/** Which phases a row holds, by their indices. */
function present(values: Float32Array, row: number, phases: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < phases; p++) if (values[row * phases + p] > 0) out.push(p);
  return out;
}

describe('mixtures of the paper\'s study (role absent or "novel")', () => {
  it('give exactly the dataset drawn before mixtures could be trained on: every array bit for bit', async () => {
    // The generator as it was: pure patterns, then each pair at x = k/(n+1) (volume fraction of
    // the first phase), then each triple with Dirichlet(1, 1, 1) volume fractions; pattern i
    // draws from its own generator, Random.forIndex(seed, i) (since synthesis on every core).
    const dir = workspace();
    const config: SynthConfig = {
      phases: paperPhases(12, 10, 11, 4),
      mixtures: { pairs: 'known', fractions: 3, countPerFraction: 2, ternaries: [['Ni', 'Cr', 'Co']], ternaryCount: 5 },
      grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
      seed: 17,
      chunkSize: 7,
      output: 'absent.h5',
    };
    for (const [name, mixtures] of [['absent.h5', config.mixtures!], ['novel.h5', { ...config.mixtures!, role: 'novel' as const }]] as const) {
      const p = plan(dir, { ...config, mixtures, output: name });
      await generateDataset(p);
      const ds = await readDataset(join(dir, name));
      assert.equal(ds.mixtureRole, 'novel');

      const simulator = new Simulator({ phases: buildPhaseModels(p), grid: p.grid, radiation: p.radiation, augmentation: p.augmentation });
      const expected: { shares: { phase: number; fraction: number }[]; label: number }[] = [];
      [12, 10, 11, 4].forEach((count, phase) => {
        for (let n = 0; n < count; n++) expected.push({ shares: [{ phase, fraction: 1 }], label: phase });
      });
      for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
        for (let k = 1; k <= 3; k++) for (let n = 0; n < 2; n++) expected.push({ shares: [{ phase: a, fraction: k / 4 }, { phase: b, fraction: 1 - k / 4 }], label: -1 });
      }
      const out = new Float32Array(512);
      const points = ds.points;
      let row = 0;
      const check = (shares: { phase: number; fraction: number }[], label: number, random = Random.forIndex(17, row)) => {
        simulator.draw(shares, random, out);
        assert.deepEqual(ds.patterns.subarray(row * points, (row + 1) * points), out, `pattern ${row}`);
        assert.equal(ds.labels[row], label);
        const fractions = new Float32Array(4);
        for (const s of shares) fractions[s.phase] = s.fraction;
        assert.deepEqual(ds.fractions.subarray(row * 4, row * 4 + 4), fractions, `fractions of ${row}`);
        row++;
      };
      for (const e of expected) check(e.shares, e.label);
      for (let n = 0; n < 5; n++) {
        const random = Random.forIndex(17, row);
        const e = [0, 1, 2].map(() => -Math.log(1 - random.float()));
        const sum = e[0] + e[1] + e[2];
        check([0, 1, 2].map((phase) => ({ phase, fraction: e[phase] / sum })), -1, random);
      }
      assert.equal(row, ds.count);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('record the weight fractions their volume fractions are, with the phases\' densities', async () => {
    const dir = workspace();
    const p = plan(dir, {
      phases: [
        { name: 'LiF', cif: 'LiF_225.cif', count: 2 },
        { name: 'MnO', cif: 'MnO_225.cif', count: 2 },
      ],
      mixtures: { fractions: 1, countPerFraction: 1 },
      grid: { points: 256 },
      output: 'novel.h5',
    });
    await generateDataset(p);
    const ds = await readDataset(join(dir, 'novel.h5'));
    const [rhoLiF, rhoMnO] = ds.phaseDensities!;
    // Rock salt, 4 formula units: 4·M / (N_A·V), IUPAC weights and each file's _cell_volume.
    assert.ok(Math.abs(rhoLiF - (4 * 25.938) / (0.602214076 * 67.27016876)) < 1e-3);
    assert.ok(Math.abs(rhoMnO - (4 * 70.937) / (0.602214076 * 87.76516038)) < 1e-3);
    assert.deepEqual([...ds.weightFractions!.subarray(0, 8)], [1, 0, 1, 0, 0, 1, 0, 1]);
    // The 50:50 mixture by volume is 2.64 : 5.37 by weight.
    const w = ds.weightFractions!.subarray(8, 10);
    assert.ok(Math.abs(w[0] - rhoLiF / (rhoLiF + rhoMnO)) < 1e-6 && Math.abs(w[0] + w[1] - 1) < 1e-6, `${w[0]}, ${w[1]}`);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('mixtures trained on (role "known")', () => {
  it('hold every pair and, with "ternaries": "known", every triple of known phases, with weight fractions log-uniform from the minimum, summing to 1', async () => {
    const dir = workspace();
    const p = plan(dir, {
      phases: paperPhases(3, 3, 3, 3),
      mixtures: { role: 'known', pairs: 'known', pairCount: 200, ternaries: 'known', ternaryCount: 150 },
      grid: { points: 128 },
      seed: 4,
      output: 'known.h5',
    });
    assert.equal(p.total, 12 + 3 * 200 + 150);
    await generateDataset(p);
    const ds = await readDataset(join(dir, 'known.h5'));
    assert.equal(ds.mixtureRole, 'known');
    const phases = 4;
    const combinations = new Map<string, number>();
    const minors: number[] = [];
    const smallest: number[] = [];
    for (let row = 12; row < ds.count; row++) {
      assert.equal(ds.labels[row], -1);
      const held = present(ds.weightFractions!, row, phases);
      assert.deepEqual(present(ds.fractions, row, phases), held);
      assert.ok(!held.includes(3), 'the unknown phase is in no mixture of "known"');
      combinations.set(held.join('+'), (combinations.get(held.join('+')) ?? 0) + 1);
      const w = held.map((q) => ds.weightFractions![row * phases + q]);
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-6, `row ${row}: weights sum to ${w.reduce((a, b) => a + b, 0)}`);
      assert.ok(Math.min(...w) >= 0.02 * (1 - 1e-6), `row ${row}: a phase at ${Math.min(...w)}`);
      // The simulator's volume fractions are the same amounts: v ∝ w/ρ.
      const v = w.map((x, i) => x / ds.phaseDensities![held[i]]);
      const total = v.reduce((a, b) => a + b, 0);
      held.forEach((q, i) => assert.ok(Math.abs(ds.fractions[row * phases + q] - v[i] / total) < 1e-6));
      if (held.length === 2) minors.push(Math.min(...w));
      else smallest.push(Math.min(...w));
    }
    assert.deepEqual(Object.fromEntries(combinations), { '0+1': 200, '0+2': 200, '1+2': 200, '0+1+2': 150 });
    assert.ok(Math.max(...minors) <= 0.5 && Math.max(...smallest) <= 1 / 3 + 1e-6);
    // Log-uniform on [0.02, 0.5]: P(minor < x) = ln(x/0.02)/ln(25). With 600 draws the empirical
    // distribution lies within 0.07 of it everywhere (Kolmogorov–Smirnov, 1 % level: 1.63/√600).
    const sorted = minors.sort((a, b) => a - b);
    let ks = 0;
    sorted.forEach((x, i) => {
      const cdf = Math.log(x / 0.02) / Math.log(25);
      ks = Math.max(ks, Math.abs(cdf - i / sorted.length), Math.abs(cdf - (i + 1) / sorted.length));
    });
    assert.ok(ks < 1.63 / Math.sqrt(sorted.length), `KS distance ${ks.toFixed(3)}`);
    // Either phase is the minor one, about equally often.
    const nickelMinor = Array.from({ length: 200 }, (_, n) => 12 + n).filter((row) => ds.weightFractions![row * phases] < 0.5).length;
    assert.ok(nickelMinor > 70 && nickelMinor < 130, `Ni minor in ${nickelMinor} of 200`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a phase\'s share of the pattern is its weight fraction as quantitative Rietveld analysis recovers it (Hill & Howard 1987), to 0.002', async () => {
    // Monochromatic, ideal patterns of LiF + MnO (densities 2.64 and 5.37 g/cm³, so weight and
    // volume fractions differ by a factor of two): from isolated lines, S_p = (measured area) /
    // (|F|²·LP per unit scale, from the stick pattern), and W_p = S_p·(ZMV)_p / Σ S_i·(ZMV)_i
    // with ZM from the formula (IUPAC weights) and V from each file's _cell_volume.
    const dir = workspace();
    const still: Partial<AugmentationConfig> = {
      isotropicStrain: 0, anisotropicStrain: 0, sampleDisplacementMm: 0, zeroShiftDeg: 0,
      crystalliteSizeNm: 100, microstrainX: 0, cagliotiU: 0, cagliotiV: 0, cagliotiW: 0.003,
      textureProbability: 0, debyeWallerB: 0,
      backgroundConstant: 0, backgroundLinear: 0, backgroundQuadratic: 0, humpAmplitude: 0,
      axialAsymmetry: 0, airScatter: 0,
      peakCounts: 1e16, gaussianNoise: 0,
    };
    const p = plan(dir, {
      phases: [
        { name: 'LiF', cif: 'LiF_225.cif', count: 0 },
        { name: 'MnO', cif: 'MnO_225.cif', count: 0 },
      ],
      mixtures: { role: 'known', pairCount: 12 },
      grid: { twoThetaMin: 25, twoThetaMax: 85, points: 6001 },
      radiation: 'CuKa1',
      augmentation: still,
      seed: 8,
      output: 'hill-howard.h5',
    });
    await generateDataset(p);
    const ds = await readDataset(join(dir, 'hill-howard.h5'));
    const files = ['LiF_225.cif', 'MnO_225.cif'];
    const zmv = [4 * 25.938 * 67.27016876, 4 * 70.937 * 87.76516038];
    const sticks = files.map((f) => computePeaks(readStructures(readFileSync(join(autoAnalyzer, f), 'utf8')).structures[0], { wavelength: 'CuKa1', twoThetaRange: [26, 84], scaled: false }).peaks);
    const half = 0.8;
    // Lines with no line of the other phase within 2 windows: each window holds one phase only.
    const isolated = sticks.map((own, k) => own.filter((peak) => sticks[1 - k].every((other) => Math.abs(other.twoTheta - peak.twoTheta) > 4 * half) && own.every((o) => o === peak || Math.abs(o.twoTheta - peak.twoTheta) > 2 * half)));
    assert.ok(isolated.every((lines) => lines.length >= 3), `${isolated.map((l) => l.length)} isolated lines`);
    const step = ds.twoTheta[1] - ds.twoTheta[0];
    const area = (row: number, centre: number) => {
      const from = Math.round((centre - half - ds.twoTheta[0]) / step);
      const to = Math.round((centre + half - ds.twoTheta[0]) / step);
      const y = (i: number) => ds.patterns[row * ds.points + i];
      let sum = 0;
      for (let i = from; i <= to; i++) sum += y(i) - (y(from) + ((y(to) - y(from)) * (i - from)) / (to - from));
      return sum * step;
    };
    let worst = 0;
    for (let row = 0; row < ds.count; row++) {
      const scale = isolated.map((lines) => lines.reduce((s, l) => s + area(row, l.twoTheta), 0) / lines.reduce((s, l) => s + l.intensity, 0));
      const recovered = (scale[0] * zmv[0]) / (scale[0] * zmv[0] + scale[1] * zmv[1]);
      worst = Math.max(worst, Math.abs(recovered - ds.weightFractions![row * 2]));
    }
    assert.ok(worst < 0.002, `weight fraction of LiF recovered within ${worst.toFixed(4)}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the triples of "known" are every three known phases; unknown phases join only mixtures named for them', () => {
    const dir = workspace();
    const p = plan(dir, {
      phases: [
        { name: 'Ni', cif: 'Ni-fcc.cif', count: 1 },
        { name: 'Cr', cif: 'Cr-bcc.cif', count: 1 },
        { name: 'Co', cif: 'Co-hcp.cif', count: 1 },
        { name: 'LiF', cif: 'LiF_225.cif', count: 1 },
        { name: 'sigma', cif: 'FeCr-sigma.cif', count: 1, role: 'unknown' },
      ],
      mixtures: { role: 'known', pairs: [['Ni', 'sigma']], pairCount: 2, ternaries: 'known', ternaryCount: 3 },
    });
    const mixtures = p.jobs.filter((j) => j.kind === 'mixture').map((j) => (j.kind === 'mixture' ? `${j.phases.join('+')}×${j.count}` : ''));
    assert.deepEqual(mixtures, ['0+4×2', '0+1+2×3', '0+1+3×3', '0+2+3×3', '1+2+3×3']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('latent-xrd.json: the mixtures section', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validateWithSchema = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas/latent-xrd.schema.json'), 'utf8')));
  const phases = '"phases": [{ "cif": "a.cif", "count": 2 }]';

  for (const good of [
    '{ "role": "known", "pairs": "known", "pairCount": 50, "ternaries": "known", "ternaryCount": 20, "minimumWeightFraction": 0.03 }',
    '{ "role": "novel", "fractions": 9, "countPerFraction": 2, "ternaries": "known" }',
  ]) {
    it(`accepts ${good} in both`, () => {
      const text = `{ ${phases}, "mixtures": ${good} }`;
      assert.ok(validateWithSchema(JSON.parse(text)), JSON.stringify(validateWithSchema.errors));
      assert.ok(validateConfig(text).config, JSON.stringify(validateConfig(text).diagnostics));
    });
  }

  const bad: [string, string, RegExp][] = [
    ['an unknown role', '{ "role": "maybe" }', /mixtures\.role: must be "novel".* or "known"/],
    ['the grid of held-out fractions with role "known"', '{ "role": "known", "fractions": 10 }', /mixtures\.fractions: .*use "pairCount"/],
    ['pairCount without role "known"', '{ "pairCount": 10 }', /mixtures\.pairCount: applies to mixtures trained on/],
    ['minimumWeightFraction without role "known"', '{ "role": "novel", "minimumWeightFraction": 0.05 }', /mixtures\.minimumWeightFraction: applies to mixtures trained on/],
    ['a minimum weight fraction of 0', '{ "role": "known", "minimumWeightFraction": 0 }', /minimumWeightFraction: must be a weight fraction above 0 and at most 0\.5/],
    ['a minimum weight fraction above 1/2', '{ "role": "known", "minimumWeightFraction": 0.6 }', /minimumWeightFraction/],
    ['ternaries neither "known" nor triples', '{ "ternaries": "all" }', /mixtures\.ternaries: must be "known" or a list/],
  ];
  for (const [what, mixtures, where] of bad) {
    it(`rejects ${what} in both, with a location`, () => {
      const text = `{ ${phases}, "mixtures": ${mixtures} }`;
      assert.equal(validateWithSchema(JSON.parse(text)), false, 'schema accepted it');
      const r = validateConfig(text);
      assert.equal(r.config, undefined);
      assert.match(r.diagnostics.map((d) => d.message).join('\n'), where);
      assert.ok(r.diagnostics.every((d) => d.range && d.range.line >= 1));
    });
  }

  it('every triple of 2000 phases is counted, not listed, before it is refused', function () {
    this.timeout(120_000);
    // C(2000, 3) = 1.3 × 10⁹ triples: listed one by one they would exhaust the memory first.
    const dir = workspace();
    const text = readFileSync(join(dir, 'Ni-fcc.cif'), 'utf8');
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 2000; i++) writeFileSync(join(dir, 'many', `Ni${i}.cif`), text);
    const started = process.hrtime.bigint();
    const r = planDataset({ phases: [{ cif: 'many/*.cif', count: 0 }], mixtures: { role: 'known', pairCount: 0, ternaries: 'known', ternaryCount: 1 } }, dir);
    assert.equal(r.plan, undefined);
    assert.match(r.diagnostics.map((d) => d.message).join('\n'), /asks for 1331334000 patterns .*a dataset holds at most 1000000/);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 100, 'a hang guard, not a speed target');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a minimum weight fraction three phases cannot each hold, or a phase named twice, is refused when planned', () => {
    const dir = workspace();
    const base = { phases: [{ name: 'Ni', cif: 'Ni-fcc.cif', count: 1 }, { name: 'Cr', cif: 'Cr-bcc.cif', count: 1 }, { name: 'Co', cif: 'Co-hcp.cif', count: 1 }] };
    const tooLarge = planDataset({ ...base, mixtures: { role: 'known', ternaries: 'known', minimumWeightFraction: 0.4 } }, dir);
    assert.equal(tooLarge.plan, undefined);
    assert.match(tooLarge.diagnostics.map((d) => d.message).join('\n'), /minimumWeightFraction 0\.4 leaves no room for three phases/);
    const twice = planDataset({ ...base, mixtures: { role: 'known', pairs: [['Ni', 'Ni']] } }, dir);
    assert.match(twice.diagnostics.map((d) => d.message).join('\n'), /names the phase "Ni" twice/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('weight fractions and the mixture role read back from a dataset', () => {
  type H5File = InstanceType<Awaited<ReturnType<typeof loadH5wasm>>['File']>;
  /** A two-pattern, one-phase dataset with Latent XRD's marks, changed by `change`. */
  async function crafted(change: (file: H5File) => void): Promise<string> {
    const h5 = await loadH5wasm();
    const path = join(mkdtempSync(join(tmpdir(), 'latent-xrd-h5-')), 'crafted.h5');
    const file = new h5.File(path, 'w');
    file.create_attribute('software', 'latent-xrd');
    file.create_dataset({ name: 'patterns', data: Float32Array.from([0, 1, 0, 0.5]), shape: [2, 2], dtype: '<f4' });
    file.create_dataset({ name: 'phase_names', data: ['A'] });
    file.create_dataset({ name: 'phase_roles', data: ['known'] });
    file.create_dataset({ name: 'labels', data: Int32Array.from([0, 0]), dtype: '<i4' });
    file.create_dataset({ name: 'fractions', data: Float32Array.from([1, 1]), shape: [2, 1], dtype: '<f4' });
    file.create_dataset({ name: 'two_theta', data: Float32Array.from([20, 90]), dtype: '<f4' });
    change(file);
    file.close();
    return path;
  }

  it('a dataset written before weight fractions were recorded reads as one of the paper\'s study', async () => {
    const ds = await readDataset(await crafted(() => {}));
    assert.equal(ds.weightFractions, undefined);
    assert.equal(ds.mixtureRole, 'novel');
  });

  const cases: [string, (file: H5File) => void, RegExp][] = [
    ['a weight fraction above 1', (f) => f.create_dataset({ name: 'weight_fractions', data: Float32Array.from([1, 1.5]), shape: [2, 1], dtype: '<f4' }), /weight_fractions of pattern 1: not a fraction in \[0, 1\] \(1\.5\)/],
    ['a NaN weight fraction', (f) => f.create_dataset({ name: 'weight_fractions', data: Float32Array.from([NaN, 1]), shape: [2, 1], dtype: '<f4' }), /weight_fractions of pattern 0: not a fraction/],
    ['weight fractions of another shape', (f) => f.create_dataset({ name: 'weight_fractions', data: Float32Array.from([1, 1, 1]), shape: [3, 1], dtype: '<f4' }), /"weight_fractions" is float32 of shape \[3, 1\], not the float32 of shape \[2, 1\]/],
    ['a negative density', (f) => f.create_dataset({ name: 'phase_densities', data: Float64Array.from([-2]), dtype: '<f8' }), /phase_densities, phase 0: not a density \(-2\)/],
    ['a mixture role it does not know', (f) => f.create_attribute('mixture_role', 'sometimes'), /"mixture_role" attribute is neither "known" nor "novel"/],
    ['mixtures to train on without their minimum weight fraction', (f) => f.create_attribute('mixture_role', 'known'), /"minimum_weight_fraction" attribute is not a weight fraction in \(0, 0\.5\]/],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}, naming it`, async () => {
      const path = await crafted(change);
      await assert.rejects(readDataset(path), (e: unknown) => {
        assert.ok(e instanceof UserError, (e as Error).stack);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});
