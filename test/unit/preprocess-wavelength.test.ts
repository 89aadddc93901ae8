import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convertTwoTheta, convertWavelength, qToTwoTheta, twoThetaToQ } from '../../src/core/preprocess/wavelength';
import { prepareForModel } from '../../src/core/preprocess/prepare';
import { gridValues, type Grid } from '../../src/core/diffraction/render';
import { KALPHA_DOUBLETS } from '../../src/core/diffraction/wavelengths';
import { radiationFor } from '../../src/core/synth';
import { braggTwoTheta, peakNear, readFixture, simulate } from './preprocess-helpers';

const CU = KALPHA_DOUBLETS.Cu.kalpha1;
const CO = KALPHA_DOUBLETS.Co.kalpha1;
const MO = KALPHA_DOUBLETS.Mo.kalpha1;
/** NIST SRM 660 LaB6 lattice parameter (Å). */
const LAB6_A = 4.15689;
const LAB6_REFLECTIONS: [number, number, number][] = [[1, 0, 0], [1, 1, 0], [1, 1, 1], [2, 0, 0], [2, 1, 0], [2, 1, 1]];

describe('preprocessing: wavelength conversion', () => {
  it('round-trips and keeps Q (and d) for any pair of wavelengths', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.3, max: 2.5, noNaN: true }), fc.double({ min: 0.3, max: 2.5, noNaN: true }), fc.double({ min: 1, max: 170, noNaN: true }), (from, to, twoTheta) => {
        const there = convertTwoTheta(twoTheta, from, to);
        if (Number.isNaN(there)) {
          assert.ok((to / from) * Math.sin((twoTheta * Math.PI) / 360) > 1, 'dropped only past 180°');
          return;
        }
        assert.ok(Math.abs(twoThetaToQ(there, to) - twoThetaToQ(twoTheta, from)) < 1e-9);
        assert.ok(Math.abs(qToTwoTheta(twoThetaToQ(twoTheta, from), to) - there) < 1e-9);
        const back = convertTwoTheta(there, to, from);
        // asin loses digits near 90° (2θ near 180°): allow for it there.
        assert.ok(Math.abs(back - twoTheta) < (there > 179 ? 1e-4 : 1e-7), `${twoTheta} → ${there} → ${back}`);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('drops what would lie beyond 180° and says so', () => {
    const x = gridValues({ min: 10, max: 150, points: 1401 });
    const converted = convertWavelength(x, Float64Array.from(x), CU, CO);
    const limit = (2 * Math.asin(CU / CO) * 180) / Math.PI; // 118.9°
    assert.equal(converted.dropped, x.filter((t) => t > limit).length);
    assert.ok(converted.twoTheta[converted.twoTheta.length - 1] < 180);
    const p = prepareForModel({ twoTheta: x, intensity: Float64Array.from(x, (t) => 10 + Math.sin(t)), wavelength: CU }, { min: 10, max: 170, points: 1600 }, { modelWavelength: CO });
    const step = p.operations!.find((o) => o.step === 'wavelength')!;
    assert.match(step.detail, new RegExp(`${converted.dropped} points above 118\\.\\d+° \\(d < 0\\.8945 Å\\) would lie beyond 2θ = 180° and were dropped`));
    assert.equal(step.parameters.droppedPoints, converted.dropped);
  });

  it('an absent wavelength is taken to be the model\'s, and the steps say so', () => {
    const x = gridValues({ min: 20, max: 90, points: 300 });
    const p = prepareForModel({ twoTheta: x, intensity: Float64Array.from(x, Math.sin) }, { min: 20, max: 90, points: 256 });
    assert.equal(p.steps[0], `no wavelength in the file: assumed the model's (${CU} Å), 2θ kept`);
    assert.deepEqual(p.operations![0].parameters, { assumed: true, wavelength: CU, modelWavelength: CU });
    const same = prepareForModel({ twoTheta: x, intensity: Float64Array.from(x, Math.sin), wavelength: CU }, { min: 20, max: 90, points: 256 });
    assert.match(same.steps[0], /measured at 1\.540562 Å, the model's wavelength .*: 2θ kept/);
    // A rounded Cu Kα1 still moves 2θ (by 0.003° at 90°), and the step says by how much.
    const rounded = prepareForModel({ twoTheta: x, intensity: Float64Array.from(x, Math.sin), wavelength: 1.5406 }, { min: 20, max: 90, points: 2048 });
    assert.match(rounded.steps[0], /2θ converted from 1\.5406 Å to the model's 1\.540562 Å .*shifts up to 0\.003°/);
  });

  it('LaB6 (SRM 660) measured with Cu Kα, moved to Co and Mo Kα1: its reflections sit where the Bragg law puts them', () => {
    const lab6 = { ...readFixture('LaB6_d500_si_psd.xye.gz'), wavelength: CU };
    // The measurement itself: Cu Kα1 positions within the instrument's small zero offset.
    for (const hkl of LAB6_REFLECTIONS) {
      const expected = braggTwoTheta(LAB6_A, hkl, CU);
      assert.ok(Math.abs(peakNear(lab6.twoTheta, lab6.intensity, expected - 0.2, expected + 0.2) - expected) < 0.015, `Cu ${hkl}`);
    }
    for (const [name, target] of [['Co', CO], ['Mo', MO]] as const) {
      const grid: Grid = { min: 5, max: 80, points: 7501 }; // 0.01° steps
      const p = prepareForModel(lab6, grid, { modelWavelength: target });
      assert.match(p.steps[0], new RegExp(`2θ converted from ${CU} Å to the model's ${target} Å`));
      const x = gridValues(grid);
      for (const hkl of LAB6_REFLECTIONS) {
        const expected = braggTwoTheta(LAB6_A, hkl, target);
        if (expected > 78) continue;
        const found = peakNear(x, p.pattern, expected - 0.3, expected + 0.3);
        // The measurement's own offset (≤ 0.012° at Cu) scaled by the change of dispersion.
        assert.ok(Math.abs(found - expected) < 0.03, `${name} ${hkl}: ${found.toFixed(3)}° vs Bragg ${expected.toFixed(3)}°`);
      }
    }
  });

  it('Ni simulated at Mo Kα1 and converted to Cu Kα1 has the peaks of Ni simulated at Cu Kα1', () => {
    const molybdenum = { min: 8, max: 45, points: 3701 };
    const atMo = simulate('Ni-fcc.cif', molybdenum, radiationFor('MoKa1'));
    const grid: Grid = { min: 20, max: 100, points: 8001 };
    const p = prepareForModel({ twoTheta: gridValues(molybdenum), intensity: Float64Array.from(atMo), wavelength: MO }, grid, { background: 'none' });
    const atCu = simulate('Ni-fcc.cif', grid, radiationFor('CuKa1'));
    const x = gridValues(grid);
    const a = 3.5238; // the CIF's cell
    for (const hkl of [[1, 1, 1], [2, 0, 0], [2, 2, 0], [3, 1, 1], [2, 2, 2]] as [number, number, number][]) {
      const expected = braggTwoTheta(a, hkl, CU);
      const converted = peakNear(x, p.pattern, expected - 0.4, expected + 0.4);
      const direct = peakNear(x, atCu, expected - 0.4, expected + 0.4);
      assert.ok(Math.abs(direct - expected) < 0.01, `simulated at Cu ${hkl}`);
      assert.ok(Math.abs(converted - expected) < 0.01, `converted ${hkl}: ${converted} vs ${expected}`);
    }
  });
});
