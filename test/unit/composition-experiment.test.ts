import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readStructureFile } from '../../src/core/crystal/structure';
import { computePeaks } from '../../src/core/diffraction';
import { initBackend } from '../../src/core/model/backend';
import { Random } from '../../src/core/util/random';
import {
  CO_NI_CR_RE_ELEMENTS,
  CO_NI_CR_RE_STRUCTURES,
  compositionsForStructures,
  drawInRegion,
  inRegion,
  mismatchedCompositions,
  regionOf,
  runCompositionExperiment,
} from '../../src/core/analysis/composition-experiment';

const DIR = join(__dirname, '..', '..', '..', 'examples', 'co-ni-cr-re');
const regions = CO_NI_CR_RE_STRUCTURES.map((s) => regionOf(s));
const width = CO_NI_CR_RE_ELEMENTS.length;

describe('Co–Ni–Cr–Re composition regions', () => {
  it('has at least the paper\'s 21 structures, over three space groups', () => {
    assert.ok(CO_NI_CR_RE_STRUCTURES.length >= 21);
    assert.deepEqual([...new Set(CO_NI_CR_RE_STRUCTURES.map((s) => s.spaceGroup))].sort(), ['Fm-3m', 'Im-3m', 'P6_3/mmc']);
  });

  it('every draw lies in its region and on the simplex', () => {
    const random = new Random(3);
    const c = new Float64Array(width);
    regions.forEach((region) => {
      for (let n = 0; n < 200; n++) {
        drawInRegion(region, random, c, 0);
        assert.ok(inRegion(region, c));
        assert.ok(Math.abs(c.reduce((a, b) => a + b, 0) - 1) < 1e-9);
        assert.ok(c.every((x) => x >= -1e-12));
      }
    });
  });

  it('regions overlap: a composition plausible for structures of different space groups exists', () => {
    // Co-rich: hcp Co and fcc Co are both plausible (the allotropes), as are Co-rich hcp Co–Ni and fcc Co–Ni.
    const random = new Random(4);
    const c = new Float64Array(width);
    let crossGroup = 0;
    for (let k = 0; k < regions.length; k++) {
      for (let n = 0; n < 200; n++) {
        drawInRegion(regions[k], random, c, 0);
        const groups = new Set(CO_NI_CR_RE_STRUCTURES.filter((_, j) => inRegion(regions[j], c)).map((s) => s.spaceGroup));
        if (groups.size > 1) crossGroup++;
      }
    }
    assert.ok(crossGroup > 0.1 * regions.length * 200, `only ${crossGroup} draws plausible for two space groups`);
    // Every structure but the equiatomic CoCrNi (its box, ±0.15, meets no other's) shares part of
    // its region with another structure.
    const isolated = CO_NI_CR_RE_STRUCTURES.filter((_, k) =>
      !regions.some((q, j) => j !== k && regions[k].lo.every((lo, e) => Math.max(lo, q.lo[e]) <= Math.min(regions[k].hi[e], q.hi[e])))).map((s) => s.name);
    assert.deepEqual(isolated, ['Co34Ni33Cr33-fcc']);
  });

  it('matched compositions are in the own region; mismatched ones in another structure\'s and not in the own', () => {
    const labels = Int32Array.from({ length: 21 * 30 }, (_, i) => i % 21);
    const matched = compositionsForStructures(labels, regions, 5);
    const wrong = mismatchedCompositions(labels, regions, 6);
    for (let i = 0; i < labels.length; i++) {
      assert.ok(inRegion(regions[labels[i]], matched, i * width));
      assert.ok(!inRegion(regions[labels[i]], wrong, i * width));
      assert.ok(regions.some((r, j) => j !== labels[i] && inRegion(r, wrong, i * width)));
    }
  });
});

describe('Co–Ni–Cr–Re CIFs', () => {
  const wavelength = 1.5406;
  const load = (file: string) => {
    const read = readStructureFile(join(DIR, file));
    assert.ok(read.structures[0], `${file}: ${read.diagnostics.map((d) => d.message).join('; ')}`);
    return read.structures[0];
  };

  it('every structure opens, keeps its composition and gives peaks in 20–90°', () => {
    for (const s of CO_NI_CR_RE_STRUCTURES) {
      const structure = load(s.file);
      const peaks = computePeaks(structure, { wavelength, twoThetaRange: [20, 90] }).peaks;
      assert.ok(peaks.length >= 2, `${s.file}: ${peaks.length} peaks`);
    }
  });

  it('fcc lines are the all-odd/all-even hkl at d = a/√(h²+k²+l²); bcc lines have h+k+l even', () => {
    const check = (file: string, allowed: (h: number, k: number, l: number) => boolean, expected: string[]) => {
      const structure = load(file);
      const a = structure.cell.a;
      const peaks = computePeaks(structure, { wavelength, twoThetaRange: [20, 90] }).peaks;
      const seen = peaks.map((p) => {
        const [h, k, l] = p.hkls[0].hkl.map(Math.abs);
        assert.ok(allowed(h, k, l), `${file}: ${h}${k}${l} should be absent`);
        assert.ok(Math.abs(p.d - a / Math.hypot(h, k, l)) < 1e-6, `${file}: d(${h}${k}${l})`);
        assert.ok(Math.abs(p.twoTheta - (360 / Math.PI) * Math.asin(wavelength / (2 * p.d))) < 1e-6);
        return [h, k, l].sort((x, y) => y - x).join('');
      });
      assert.deepEqual(seen, expected);
    };
    const fcc = (h: number, k: number, l: number) => (h % 2 === k % 2 && k % 2 === l % 2);
    const bcc = (h: number, k: number, l: number) => (h + k + l) % 2 === 0;
    // Ni a = 3.5238 Å, Cu Kα1: 111, 200, 220 below 90° (311 at 92.9°).
    check('Ni-fcc.cif', fcc, ['111', '200', '220']);
    check('Ni80Cr20-fcc.cif', fcc, ['111', '200', '220']);
    // Cr a = 2.8839 Å: 110, 200, 211 below 90°.
    check('Cr-bcc.cif', bcc, ['110', '200', '211']);
    check('Cr70Re30-bcc.cif', bcc, ['110', '200', '211']);
  });

  it('hcp: 001 is absent (63 screw), 002 present at d = c/2; Co 101 near 47.4° (the paper\'s P6_3/mmc(101) = 47.36°)', () => {
    for (const file of ['Co-hcp.cif', 'Re-hcp.cif', 'Co50Re50-hcp.cif']) {
      const structure = load(file);
      const peaks = computePeaks(structure, { wavelength, twoThetaRange: [5, 90] }).peaks;
      const has = (h: number, k: number, l: number) => peaks.some((p) => p.hkls.some((x) => x.hkl[0] === h && x.hkl[1] === k && x.hkl[x.hkl.length - 1] === l));
      assert.ok(!has(0, 0, 1), `${file}: 001`);
      const p002 = peaks.find((p) => p.hkls.some((x) => x.hkl[0] === 0 && x.hkl[1] === 0 && x.hkl[x.hkl.length - 1] === 2));
      assert.ok(p002 && Math.abs(p002.d - structure.cell.c / 2) < 1e-6, `${file}: 002`);
    }
    const co = computePeaks(load('Co-hcp.cif'), { wavelength, twoThetaRange: [46, 48.5] }).peaks;
    assert.equal(co.length, 1);
    assert.ok(Math.abs(co[0].twoTheta - 47.36) < 0.15, `Co 101 at ${co[0].twoTheta}`);
  });

  it('solid-solution cells lie between their elements\' (Zen\'s law)', () => {
    const a = (f: string) => load(f).cell.a;
    assert.ok(a('Ni-fcc.cif') < a('Ni50Co50-fcc.cif') && a('Ni50Co50-fcc.cif') < a('Co-fcc.cif') + 0.01);
    assert.ok(a('Co-hcp.cif') < a('Co50Re50-hcp.cif') && a('Co50Re50-hcp.cif') < a('Re-hcp.cif'));
    assert.ok(a('Cr-bcc.cif') < a('Cr70Re30-bcc.cif'));
  });
});

describe('composition experiment, end to end (tiny)', function () {
  this.timeout(300_000);
  it('trains an ensemble and reports GNB accuracies with and without composition and the mismatch AUROC', async () => {
    await initBackend('wasm');
    const r = await runCompositionExperiment({ structuresDir: DIR, perStructure: 12, members: 2, epochs: 2, points: 512, seed: 9 });
    assert.equal(r.members, 2);
    assert.equal(r.memberGnbAccuracyLatent.length, 2);
    assert.equal(r.counts.train + r.counts.selection + r.counts.test, 21 * 12);
    for (const x of [r.gnbAccuracyLatent, r.gnbAccuracyLatentAndComposition, r.gnbAccuracyCompositionOnly, r.aurocCompositionMismatch]) {
      assert.ok(x >= 0 && x <= 1);
    }
    assert.deepEqual(r.spaceGroups.length, 3);
  });
});
