import assert from 'node:assert/strict';
import { kAlpha2LinesFor, stripKAlpha2 } from '../../src/core/preprocess/kalpha2';
import { prepareForModel } from '../../src/core/preprocess/prepare';
import { gridValues, type Grid } from '../../src/core/diffraction/render';
import { KALPHA_DOUBLETS } from '../../src/core/diffraction/wavelengths';
import { radiationFor } from '../../src/core/synth';
import { braggTwoTheta, peakNear, readFixture, simulate, STILL } from './preprocess-helpers';

const grid: Grid = { min: 20, max: 100, points: 8001 }; // 0.01°: the doublet is resolved above ~40°

function normalised(y: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < y.length; i++) { lo = Math.min(lo, y[i]); hi = Math.max(hi, y[i]); }
  return Float64Array.from(y as ArrayLike<number>, (v) => (v - lo) / (hi - lo));
}

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('preprocessing: Kα2 stripping (Rachinger)', () => {
  it('stripping a simulated Kα1+Kα2 pattern approaches the Kα1-only pattern', () => {
    const x = gridValues(grid);
    // Narrow lines, so the doublets are resolved: the hard case for stripping.
    const sharp = { ...STILL, crystalliteSizeNm: 200 };
    for (const cif of ['Ni-fcc.cif', 'Co-hcp.cif']) {
      const doublet = simulate(cif, grid, radiationFor('CuKa'), sharp);
      const single = normalised(simulate(cif, grid, radiationFor('CuKa1'), sharp));
      const lines = kAlpha2LinesFor(undefined, undefined, undefined)!;
      assert.deepEqual(lines, { kalpha1: KALPHA_DOUBLETS.Cu.kalpha1, kalpha2: KALPHA_DOUBLETS.Cu.kalpha2, ratio: 0.5, source: 'Cu Kα2, ratio 0.5' });
      const stripped = normalised(stripKAlpha2(x, Float64Array.from(doublet), lines));
      const before = largestDifference(normalised(doublet), single);
      const after = largestDifference(stripped, single);
      // Residual ≈ 0.15–0.2 % of the strongest peak (measured), from ≈ 46 % before.
      assert.ok(after < 0.005, `${cif}: residual ${after} (before stripping ${before})`);
      assert.ok(after < before / 10, `${cif}: ${after} vs ${before}`);
    }
  });

  it('through prepareForModel: optional, recorded, and refused for a monochromatic file', () => {
    const x = gridValues(grid);
    const doublet = Float64Array.from(simulate('Ni-fcc.cif', grid, radiationFor('CuKa')));
    const stripped = prepareForModel({ twoTheta: x, intensity: doublet }, grid, { stripKAlpha2: true, background: 'none' });
    assert.equal(stripped.operations![0].step, 'kalpha2');
    assert.match(stripped.steps[0], /^Kα2 stripped \(Rachinger\): Kα1 1\.540562 Å, Kα2 1\.54439 Å, ratio 0\.5 \(Cu Kα2, ratio 0\.5\)$/);
    const kept = prepareForModel({ twoTheta: x, intensity: doublet }, grid, { background: 'none' });
    assert.ok(!kept.operations!.some((o) => o.step === 'kalpha2'), 'off by default');
    const fromFile = prepareForModel({ twoTheta: x, intensity: doublet, wavelength: 1.540562, wavelength2: 1.5444, kAlpha2Ratio: 0.48 }, grid, { stripKAlpha2: true });
    assert.match(fromFile.steps[0], /Kα2 1\.5444 Å, ratio 0\.48 \(Kα2 from the file, ratio from the file\)/);
    const mono = prepareForModel({ twoTheta: x, intensity: doublet, wavelength: 1.540562, kAlpha2Ratio: 0 }, grid, { stripKAlpha2: true });
    assert.match(mono.steps[0], /not stripped: the file says the beam is monochromatic/);
  });

  it('on the measured LaB6 standard the Kα2 shoulders go and the Kα1 peaks stay', () => {
    const lab6 = readFixture('LaB6_d500_si_psd.xye.gz');
    const lines = kAlpha2LinesFor(KALPHA_DOUBLETS.Cu.kalpha1, undefined, undefined)!;
    const stripped = stripKAlpha2(lab6.twoTheta, lab6.intensity, lines);
    for (const hkl of [[2, 1, 0], [2, 1, 1], [3, 1, 0]] as [number, number, number][]) {
      const k1 = braggTwoTheta(4.15689, hkl, lines.kalpha1);
      const k2 = braggTwoTheta(4.15689, hkl, lines.kalpha2);
      const height = (y: ArrayLike<number>, at: number) => {
        let m = 0;
        for (let i = 0; i < lab6.twoTheta.length; i++) if (Math.abs(lab6.twoTheta[i] - at) < 0.02) m = Math.max(m, y[i]);
        return m;
      };
      const backgroundLevel = height(lab6.intensity, k1 - 1.0);
      const shoulderBefore = (height(lab6.intensity, k2) - backgroundLevel) / (height(lab6.intensity, k1) - backgroundLevel);
      const shoulderAfter = (height(stripped, k2) - backgroundLevel / 1.5) / (height(stripped, k1) - backgroundLevel / 1.5);
      assert.ok(shoulderBefore > 0.4, `${hkl}: Kα2 shoulder before ${shoulderBefore}`);
      assert.ok(shoulderAfter < 0.15, `${hkl}: Kα2 shoulder after ${shoulderAfter}`);
      assert.ok(Math.abs(peakNear(lab6.twoTheta, stripped, k1 - 0.1, k1 + 0.1) - k1) < 0.015, `${hkl}: Kα1 peak stays`);
    }
  });
});
