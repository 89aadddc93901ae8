import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { reciprocalMetric } from '../../src/core/diffraction/lattice';
import { Random } from '../../src/core/util/random';
import { DEFAULT_AUGMENTATION, PHASE_PARAMETERS, Simulator, buildPhaseModel, radiationFor, type AugmentationConfig } from '../../src/core/synth';
import { symmetryTiedAxes } from '../../src/core/synth/phase';
import { gridValues, type Grid } from '../../src/core/diffraction/render';

const root = join(__dirname, '../../..');
const paperDemo = join(root, 'examples/paper-demo');
const autoAnalyzer = join(root, 'test/fixtures/xrd-autoanalyzer/cif');
const structureOf = (path: string) => readStructures(readFileSync(path, 'utf8')).structures[0];

const grid: Grid = { min: 20, max: 90, points: 2048 };
const x = gridValues(grid);

/** Row-major rotation applied to a reflection: reflections transform as h' = h·R. */
function rotateHkl(r: number[], [h, k, l]: number[]): [number, number, number] {
  return [h * r[0] + k * r[3] + l * r[6], h * r[1] + k * r[4] + l * r[7], h * r[2] + k * r[5] + l * r[8]];
}

describe('strain keeps the crystal\'s symmetry', () => {
  it('ties the axes each crystal system ties: cubic a; tetragonal and hexagonal a = b; orthorhombic and monoclinic none', () => {
    const tied = (path: string) => Array.from(symmetryTiedAxes(structureOf(path)));
    assert.deepEqual(tied(join(paperDemo, 'Ni-fcc.cif')), [0, 0, 0]);
    assert.deepEqual(tied(join(paperDemo, 'Cr-bcc.cif')), [0, 0, 0]);
    assert.deepEqual(tied(join(paperDemo, 'Co-hcp.cif')), [0, 0, 2]);
    assert.deepEqual(tied(join(paperDemo, 'FeCr-sigma.cif')), [0, 0, 2]);
    assert.deepEqual(tied(join(autoAnalyzer, 'LiMnO2_59.cif')), [0, 1, 2]);
    assert.deepEqual(tied(join(autoAnalyzer, 'Li2MnO3_12.cif')), [0, 1, 2]);
  });

  // Strain far above the default (±3 % instead of ±0.3 %) so that a split, if any, is resolved.
  const strained: AugmentationConfig = { ...DEFAULT_AUGMENTATION, anisotropicStrain: { dist: 'uniform', min: -0.03, max: 0.03 } };

  function drawPhase(path: string, augmentation: AugmentationConfig, seed: number) {
    const structure = structureOf(path);
    const radiation = radiationFor('CuKa1');
    const phase = buildPhaseModel(path, structure, { wavelength: radiation.kalpha1, twoThetaMax: 95, textureAxes: augmentation.textureAxes });
    const sim = new Simulator({ phases: [phase], grid, radiation, augmentation });
    const out = new Float32Array(grid.points);
    sim.draw([{ phase: 0, fraction: 1 }], new Random(seed), out);
    const q = (name: (typeof PHASE_PARAMETERS)[number]) => sim.phaseParameters[PHASE_PARAMETERS.indexOf(name)];
    const iso = q('isotropic_strain');
    const cell = structure.cell;
    const strainedCell = { ...cell, a: cell.a * (1 + iso) * (1 + q('strain_a')), b: cell.b * (1 + iso) * (1 + q('strain_b')), c: cell.c * (1 + iso) * (1 + q('strain_c')) };
    return { structure, strainedCell, out, q };
  }

  it('Ni (Fm-3m): every reflection equivalent to 200, 220 and 311 keeps one 2θ in every strained pattern', () => {
    const path = join(paperDemo, 'Ni-fcc.cif');
    for (let seed = 1; seed <= 40; seed++) {
      const { structure, strainedCell } = drawPhase(path, strained, seed);
      const m = reciprocalMetric(strainedCell);
      const inverseD2 = ([h, k, l]: number[]) => m[0] * h * h + m[1] * k * k + m[2] * l * l + 2 * (m[3] * h * k + m[4] * h * l + m[5] * k * l);
      for (const hkl of [[2, 0, 0], [2, 2, 0], [3, 1, 1], [1, 1, 1]]) {
        const values = structure.operations.map((op) => inverseD2(rotateHkl(op.rotation, hkl)));
        const spread = (Math.max(...values) - Math.min(...values)) / Math.min(...values);
        assert.ok(spread < 1e-12, `seed ${seed}, ${hkl}: equivalent reflections at 1/d² spread ${spread}`);
      }
    }
  });

  it('Ni 200 stays one line as wide as the unstrained one (a split would widen or double it)', () => {
    const path = join(paperDemo, 'Ni-fcc.cif');
    // Only strain varies; no background, noise or texture, one wavelength.
    const only: AugmentationConfig = {
      ...strained, sampleDisplacementMm: 0, zeroShiftDeg: 0, crystalliteSizeNm: 100, microstrainX: 0, cagliotiU: 0, cagliotiV: 0, cagliotiW: 0.003,
      textureProbability: 0, debyeWallerB: 0, backgroundConstant: 0, backgroundLinear: 0, backgroundQuadratic: 0, humpAmplitude: 0, peakCounts: 1e16, gaussianNoise: 0,
      axialAsymmetry: 0, airScatter: 0,
    };
    const halfWidth = (y: Float32Array, lo: number, hi: number) => {
      let best = -1;
      for (let i = 0; i < y.length; i++) if (x[i] >= lo && x[i] <= hi && (best < 0 || y[i] > y[best])) best = i;
      let n = 0;
      for (let i = best - 60; i <= best + 60; i++) if (y[i] >= y[best] / 2) n++;
      return n;
    };
    const reference = halfWidth(drawPhase(path, { ...only, anisotropicStrain: 0 }, 1).out, 48, 56);
    for (let seed = 1; seed <= 30; seed++) {
      const { out, q } = drawPhase(path, only, seed);
      assert.ok(Math.abs(q('strain_a')) > 0 || seed > 1);
      const width = halfWidth(out, 46, 58);
      assert.ok(Math.abs(width - reference) <= 1, `seed ${seed}: 200 is ${width} points wide at half maximum, unstrained ${reference}`);
    }
  });

  it('Co (P6₃/mmc): a = b in every pattern, while c/a varies', () => {
    const path = join(paperDemo, 'Co-hcp.cif');
    const ratios = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const { strainedCell } = drawPhase(path, strained, seed);
      assert.equal(strainedCell.a, strainedCell.b, `seed ${seed}`);
      assert.equal(strainedCell.gamma, 120);
      ratios.add((strainedCell.c / strainedCell.a).toFixed(4));
    }
    assert.ok(ratios.size > 10, `c/a took ${ratios.size} values in 20 patterns`);
  });
});
