import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { computePeaks } from '../../src/core/diffraction';
import type { CrystalStructure } from '../../src/core/crystal/types';

const oracles = join(__dirname, '../../../test/fixtures/oracles');

function structureOf(path: string): CrystalStructure {
  const { structures, diagnostics } = readStructures(readFileSync(path, 'utf8'));
  assert.equal(structures.length, 1, `${path}: ${JSON.stringify(diagnostics)}`);
  return structures[0];
}

interface Expected {
  x: number[];
  y: number[];
  hkls: { hkl: number[]; multiplicity: number }[][];
  d_hkls: number[];
}

function familyKey(f: { hkl: number[]; multiplicity: number }) {
  return `${f.hkl.join(',')}×${f.multiplicity}`;
}

describe('powder peaks against pymatgen XRDCalculator (defaults: CuKa 1.54184 Å, 2θ 0–90°, no DW)', () => {
  const dir = join(oracles, 'pymatgen-patterns');
  const cases = readdirSync(dir).filter((f) => f.endsWith('.expected.json'));
  it('has the oracle cases', () => assert.ok(cases.length >= 5));
  for (const file of cases) {
    const name = file.replace('.expected.json', '');
    it(`${name}: same peaks, 2θ within 1e-6°, intensity within 1e-3, same hkl families`, () => {
      const expected: Expected = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const { peaks, wavelength } = computePeaks(structureOf(join(dir, `${name}.cif`)));
      assert.equal(wavelength, 1.54184);
      assert.equal(peaks.length, expected.x.length, 'number of peaks');
      peaks.forEach((p, i) => {
        assert.ok(Math.abs(p.twoTheta - expected.x[i]) < 1e-6, `peak ${i}: 2θ ${p.twoTheta} vs ${expected.x[i]}`);
        assert.ok(Math.abs(p.intensity - expected.y[i]) < 1e-3, `peak ${i}: I ${p.intensity} vs ${expected.y[i]}`);
        assert.ok(Math.abs(p.d - expected.d_hkls[i]) < 1e-8, `peak ${i}: d ${p.d} vs ${expected.d_hkls[i]}`);
        assert.deepEqual(p.hkls.map(familyKey).sort(), expected.hkls[i].map(familyKey).sort(), `peak ${i} families`);
      });
    });
  }
});

describe("pymatgen's own XRD unit-test values", () => {
  const dir = join(oracles, 'pymatgen-tests');
  it('CsCl: first two peaks, hkl and multiplicity', () => {
    const { peaks } = computePeaks(structureOf(join(dir, 'CsCl.cif')));
    assert.ok(Math.abs(peaks[0].twoTheta - 21.107738329639844) < 1e-6);
    assert.ok(Math.abs(peaks[0].intensity - 36.483184003748946) < 1e-3);
    assert.deepEqual(peaks[0].hkls, [{ hkl: [1, 0, 0], multiplicity: 6 }]);
    assert.ok(Math.abs(peaks[0].d - 4.209) < 1e-3);
    assert.ok(Math.abs(peaks[1].twoTheta - 30.024695921112777) < 1e-6);
    assert.ok(Math.abs(peaks[1].intensity - 100) < 1e-9);
    assert.deepEqual(peaks[1].hkls, [{ hkl: [1, 1, 0], multiplicity: 12 }]);
    assert.ok(Math.abs(peaks[1].d - 2.976212442014178) < 1e-8);
  });
  it('W bcc: unscaled intensity, with and without a Debye–Waller factor', () => {
    const w = structureOf(join(dir, 'W-bcc.cif'));
    const plain = computePeaks(w, { scaled: false });
    assert.ok(Math.abs(plain.peaks[0].twoTheta - 40.294828554672264) < 1e-6);
    assert.ok(Math.abs(plain.peaks[0].d - 2.2382050944897789) < 1e-8);
    assert.ok(Math.abs(plain.peaks[0].intensity / 2414237.5633093244 - 1) < 1e-9, `${plain.peaks[0].intensity}`);
    const dw = computePeaks(w, { scaled: false, debyeWaller: { W: 0.1526 } });
    assert.ok(Math.abs(dw.peaks[0].intensity / 2377745.2296686019 - 1) < 1e-9, `${dw.peaks[0].intensity}`);
  });
  it('SiRuPr tetragonal: first peak and peak counts in 0–90° and 0–60°', () => {
    const s = structureOf(join(dir, 'SiRuPr-tetragonal.cif'));
    const full = computePeaks(s);
    assert.ok(Math.abs(full.peaks[0].twoTheta - 12.86727341476735) < 1e-6);
    assert.ok(Math.abs(full.peaks[0].intensity - 31.448239816769796) < 1e-3);
    assert.ok(Math.abs(full.peaks[0].d - 6.88) < 1e-2);
    assert.equal(full.peaks.length, 42);
    assert.equal(computePeaks(s, { twoThetaRange: [0, 60] }).peaks.length, 18);
  });
  it('Graphite: hexagonal 4-index label (0,0,0,2) with multiplicity 2', () => {
    const { peaks } = computePeaks(structureOf(join(dir, 'Graphite.cif')));
    assert.ok(Math.abs(peaks[0].twoTheta - 26.21057350859598) < 1e-6);
    assert.ok(Math.abs(peaks[0].intensity - 100) < 1e-9);
    assert.deepEqual(peaks[0].hkls, [{ hkl: [0, 0, 0, 2], multiplicity: 2 }]);
  });
});
