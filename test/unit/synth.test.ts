import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { Random } from '../../src/core/util/random';
import { DEFAULT_AUGMENTATION, PHASE_PARAMETERS, Simulator, buildPhaseModel, radiationFor, type AugmentationConfig } from '../../src/core/synth';
import { gridValues, type Grid } from '../../src/core/diffraction/render';

const examples = join(__dirname, '../../../examples/paper-demo');
const structureOf = (file: string) => readStructures(readFileSync(join(examples, file), 'utf8')).structures[0];

const grid: Grid = { min: 20, max: 90, points: 2048 };
const x = gridValues(grid);

/** Nothing varies and nothing is added: only the physics under test. */
const still: AugmentationConfig = {
  ...DEFAULT_AUGMENTATION,
  isotropicStrain: 0, anisotropicStrain: 0, sampleDisplacementMm: 0, zeroShiftDeg: 0,
  crystalliteSizeNm: 100, microstrainX: 0, cagliotiU: 0, cagliotiV: 0, cagliotiW: 0.003,
  textureProbability: 0, debyeWallerB: 0,
  backgroundConstant: 0, backgroundLinear: 0, backgroundQuadratic: 0, humpAmplitude: 0,
  axialAsymmetry: 0, airScatter: 0,
  peakCounts: 1e16, gaussianNoise: 0, // Poisson noise at 1e-8 of the maximum: invisible
};

function draw(file: string, augmentation: AugmentationConfig, seed = 1, radiation = radiationFor('CuKa1')) {
  const s = structureOf(file);
  const phase = buildPhaseModel(file, s, { wavelength: radiation.kalpha1, twoThetaMax: 95, textureAxes: augmentation.textureAxes });
  const sim = new Simulator({ phases: [phase], grid, radiation, augmentation });
  const out = new Float32Array(grid.points);
  sim.draw([{ phase: 0, fraction: 1 }], new Random(seed), out);
  return { out, sim, phase };
}

/** Position of the highest point within [lo, hi], refined by a parabola through its neighbours. */
function peakNear(y: Float32Array, lo: number, hi: number): number {
  let best = -1;
  for (let i = 0; i < y.length; i++) if (x[i] >= lo && x[i] <= hi && (best < 0 || y[i] > y[best])) best = i;
  const [a, b, c] = [y[best - 1], y[best], y[best + 1]];
  const offset = (0.5 * (a - c)) / (a - 2 * b + c);
  return x[best] + offset * (x[1] - x[0]);
}

function heightNear(y: Float32Array, centre: number, within = 0.3): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) if (Math.abs(x[i] - centre) < within) m = Math.max(m, y[i]);
  return m;
}

describe('synthetic patterns', () => {
  it('the same seed gives identical patterns; another seed a different one', () => {
    const a = draw('Co-hcp.cif', DEFAULT_AUGMENTATION, 5).out;
    const b = draw('Co-hcp.cif', DEFAULT_AUGMENTATION, 5).out;
    const c = draw('Co-hcp.cif', DEFAULT_AUGMENTATION, 6).out;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('draws a narrow amorphous hump far from the grid\'s start where it is, and nothing else goes non-finite', () => {
    // A 0.05°-wide hump at 70°: its recurrence started at 20° would underflow to 0 and overflow
    // to ∞, and 0·∞ once made the whole pattern NaN, normalised to zeros without a word.
    const { out } = draw('Ni-fcc.cif', { ...still, humpAmplitude: 5, humpCentreDeg: 70, humpFwhmDeg: 0.05 });
    assert.ok(out.every(Number.isFinite));
    assert.ok(Math.max(...out) === 1);
    assert.ok(Math.abs(peakNear(out, 69, 71) - 70) < 0.05, `hump drawn at ${peakNear(out, 69, 71)}°`);
  });

  it('is normalised to [0, 1]', () => {
    for (let seed = 1; seed < 20; seed++) {
      const { out } = draw('Ni-fcc.cif', DEFAULT_AUGMENTATION, seed);
      let min = Infinity;
      let max = -Infinity;
      for (const v of out) { min = Math.min(min, v); max = Math.max(max, v); }
      assert.equal(min, 0);
      assert.equal(max, 1);
    }
  });

  it('an unstrained Ni 111 peak sits where Bragg puts it (Cu Kα1)', () => {
    const { out } = draw('Ni-fcc.cif', still);
    const d111 = 3.5238 / Math.sqrt(3);
    const expected = (2 * Math.asin(1.540562 / (2 * d111)) * 180) / Math.PI;
    assert.ok(Math.abs(peakNear(out, 43, 46) - expected) < 0.003, `${peakNear(out, 43, 46)} vs ${expected}`);
  });

  it('+1 % isotropic strain moves the peak to the 2θ Bragg\'s law predicts', () => {
    const { out } = draw('Ni-fcc.cif', { ...still, isotropicStrain: 0.01 });
    const d111 = (3.5238 * 1.01) / Math.sqrt(3);
    const expected = (2 * Math.asin(1.540562 / (2 * d111)) * 180) / Math.PI;
    assert.ok(Math.abs(peakNear(out, 42, 46) - expected) < 0.003);
  });

  it('a zero shift moves every peak by exactly that much', () => {
    const a = draw('Ni-fcc.cif', still).out;
    const b = draw('Ni-fcc.cif', { ...still, zeroShiftDeg: 0.1 }).out;
    assert.ok(Math.abs(peakNear(b, 43, 46) - peakNear(a, 43, 46) - 0.1) < 0.003);
    assert.ok(Math.abs(peakNear(b, 75, 78) - peakNear(a, 75, 78) - 0.1) < 0.003);
  });

  it('the Kα2 line appears at λ(Kα2)/λ(Kα1) with half the area', () => {
    const { out } = draw('Ni-fcc.cif', { ...still, crystalliteSizeNm: 1000, cagliotiW: 0.0004 }, 1, radiationFor('CuKa'));
    const d = 3.5238 / Math.sqrt(8); // 220 at 76.4°, where the doublet is well separated
    const t1 = (2 * Math.asin(1.540562 / (2 * d)) * 180) / Math.PI;
    const t2 = (2 * Math.asin(1.54439 / (2 * d)) * 180) / Math.PI;
    const ratio = heightNear(out, t2, 0.05) / heightNear(out, t1, 0.05);
    assert.ok(t2 - t1 > 0.2);
    assert.ok(Math.abs(peakNear(out, t2 - 0.08, t2 + 0.08) - t2) < 0.01);
    assert.ok(ratio > 0.4 && ratio < 0.6, `ratio ${ratio}`);
  });

  it('March–Dollase: r = 1 changes nothing; r ≠ 1 scales hcp 002 against 100 as the formula says', () => {
    const axisC: AugmentationConfig = { ...still, textureProbability: 1, textureAxes: [[0, 0, 1]] };
    const plain = draw('Co-hcp.cif', still).out;
    const r1 = draw('Co-hcp.cif', { ...axisC, marchDollaseR: 1 }).out;
    for (let i = 0; i < plain.length; i++) assert.ok(Math.abs(plain[i] - r1[i]) < 1e-6);
    const r = 0.8;
    const textured = draw('Co-hcp.cif', { ...axisC, marchDollaseR: r }).out;
    // 002 ∥ axis (α = 0): weight r⁻³; 100 ⊥ axis (α = 90°): weight r^(3/2).
    const expected = Math.pow(r, -3) / Math.pow(r, 1.5);
    const t100 = 41.55; // Co 100 with Cu Kα1, d = 2.1714 Å
    const t002 = 44.48; // Co 002, d = 2.0350 Å
    const measured = heightNear(textured, t002) / heightNear(textured, t100) / (heightNear(plain, t002) / heightNear(plain, t100));
    assert.ok(Math.abs(measured / expected - 1) < 0.02, `${measured} vs ${expected}`);
  });

  it('records the parameters that made each pattern, within their ranges', () => {
    const { sim } = draw('Co-hcp.cif', DEFAULT_AUGMENTATION, 3);
    const strain = sim.phaseParameters[PHASE_PARAMETERS.indexOf('isotropic_strain')];
    const size = sim.phaseParameters[PHASE_PARAMETERS.indexOf('crystallite_size_nm')];
    assert.ok(Math.abs(strain) <= 0.01 && strain !== 0);
    assert.ok(size >= 10 && size <= 200);
    assert.ok(sim.patternParameters.every((v) => Number.isFinite(v)));
  });

  it('a mixture at x = 1 is the pure phase; fractions weight by volume/V²', () => {
    const radiation = radiationFor('CuKa1');
    const models = ['Ni-fcc.cif', 'Co-hcp.cif'].map((f) =>
      buildPhaseModel(f, structureOf(f), { wavelength: radiation.kalpha1, twoThetaMax: 95, textureAxes: still.textureAxes }),
    );
    const sim = new Simulator({ phases: models, grid, radiation, augmentation: still });
    const pure = new Float32Array(grid.points);
    const mixed = new Float32Array(grid.points);
    sim.draw([{ phase: 0, fraction: 1 }], new Random(1), pure);
    sim.draw([{ phase: 0, fraction: 1 }, { phase: 1, fraction: 0 }], new Random(1), mixed);
    for (let i = 0; i < pure.length; i++) assert.ok(Math.abs(pure[i] - mixed[i]) < 1e-6);
    const half = new Float32Array(grid.points);
    sim.draw([{ phase: 0, fraction: 0.5 }, { phase: 1, fraction: 0.5 }], new Random(1), half);
    assert.ok(heightNear(half, 41.55) > 0.05, 'Co 100 present in the 50:50 mixture');
    assert.ok(heightNear(half, 51.85) > 0.05, 'Ni 200 present in the 50:50 mixture');
  });

  it('the ideal pattern of the σ phase has its many reflections and no noise', () => {
    const s = structureOf('FeCr-sigma.cif');
    const phase = buildPhaseModel('sigma', s, { wavelength: 1.540562, twoThetaMax: 95, textureAxes: still.textureAxes });
    assert.ok(phase.familyCount > 40, `${phase.familyCount} families`);
    const sim = new Simulator({ phases: [phase], grid, radiation: radiationFor('CuKa'), augmentation: DEFAULT_AUGMENTATION, ideal: true });
    const a = new Float32Array(grid.points);
    const b = new Float32Array(grid.points);
    sim.draw([{ phase: 0, fraction: 1 }], new Random(1), a);
    sim.draw([{ phase: 0, fraction: 1 }], new Random(2), b);
    assert.deepEqual(a, b, 'an ideal pattern draws nothing at random');
  });
});
