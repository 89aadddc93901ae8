import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { computePeaks, dSpacing } from '../../src/core/diffraction';

const amcsd = join(__dirname, '../../../test/fixtures/cif/amcsd');
const structureOf = (file: string) => readStructures(readFileSync(join(amcsd, file), 'utf8')).structures[0];
const families = (peaks: ReturnType<typeof computePeaks>['peaks']) => peaks.map((p) => p.hkls.map((h) => h.hkl.map(Math.abs).sort().join('')).join('+'));

/**
 * Facts independent of any program: Bragg's law with the file's own lattice parameter, and
 * the extinction rules of the lattice and space group.
 */
describe('powder peaks obey Bragg\'s law and extinction rules (real AMCSD files)', () => {
  it('Si (diamond, Fd-3m): 111 at Bragg\'s 2θ for Cu Kα1; 200 and 222 absent', () => {
    const si = structureOf('Silicon.cif');
    const { peaks } = computePeaks(si, { wavelength: 'CuKa1' });
    const expected = (2 * Math.asin(1.54056 / (2 * (5.4307 / Math.sqrt(3)))) * 180) / Math.PI;
    assert.ok(Math.abs(peaks[0].twoTheta - expected) < 1e-9);
    assert.ok(Math.abs(peaks[0].twoTheta - 28.44) < 0.01); // the textbook Si 111 line
    const f = families(peaks);
    assert.deepEqual(f.slice(0, 5), ['111', '022', '113', '004', '133']);
    assert.ok(!f.includes('002') && !f.includes('222'), 'diamond glide extinctions');
  });

  it('Cu (fcc): only unmixed hkl', () => {
    const { peaks } = computePeaks(structureOf('Copper.cif'), { wavelength: 'CuKa1' });
    for (const p of peaks) {
      for (const { hkl } of p.hkls) assert.ok(hkl.every((v) => v % 2 === 0) || hkl.every((v) => Math.abs(v) % 2 === 1), `${hkl}`);
    }
    const bragg = (2 * Math.asin(1.54056 / (2 * (3.61496 / Math.sqrt(3)))) * 180) / Math.PI;
    assert.ok(Math.abs(peaks[0].twoTheta - bragg) < 1e-9);
    assert.ok(Math.abs(peaks[0].twoTheta - 43.32) < 0.01); // Cu 111, Cu Kα1
  });

  it('α-Fe (bcc): only h+k+l even, d = a/√(h²+k²+l²)', () => {
    const fe = structureOf('Iron.cif');
    const { peaks } = computePeaks(fe);
    for (const p of peaks) {
      const [h, k, l] = p.hkls[0].hkl;
      assert.equal((h + k + l) % 2, 0);
      assert.ok(Math.abs(p.d - dSpacing(fe.cell, h, k, l)) < 1e-12);
      assert.ok(Math.abs(p.d - 2.866 / Math.sqrt(h * h + k * k + l * l)) < 1e-9);
    }
    assert.deepEqual(families(peaks), ['011', '002', '112']);
  });

  it('hcp Co: 001 is absent (the 6₃ screw), 002 present, 4-index labels', () => {
    const { peaks } = computePeaks(structureOf('Cobalt.cif'));
    const labels = peaks.map((p) => p.hkls[0].hkl.join(' '));
    assert.ok(labels.includes('0 0 0 2'));
    assert.ok(!labels.includes('0 0 0 1'));
    assert.equal(peaks[0].hkls[0].hkl.length, 4);
  });

  it('a wavelength by name or in Å; an unknown name lists the known ones', () => {
    const co = structureOf('Cobalt.cif');
    assert.equal(computePeaks(co, { wavelength: 'MoKa' }).wavelength, 0.71073);
    assert.equal(computePeaks(co, { wavelength: 1.5 }).wavelength, 1.5);
    assert.throws(() => computePeaks(co, { wavelength: 'XyKa' }), /unknown wavelength "XyKa".*CuKa/);
  });
});
