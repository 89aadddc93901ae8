import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { computePeaks, type Peak } from '../../src/core/diffraction/peaks';

// The hard unknowns of examples/paper-demo/unknowns, checked against facts that do not come from
// this engine: extinction rules of their structure types, d-spacings from the cell, and pymatgen.
const unknowns = join(__dirname, '../../../examples/paper-demo/unknowns');

function peaksOf(file: string): Peak[] {
  const { structures, diagnostics } = readStructures(readFileSync(join(unknowns, file), 'utf8'));
  assert.equal(structures.length, 1, JSON.stringify(diagnostics));
  return computePeaks(structures[0]).peaks;
}

/** Miller indices (h, k, l), from the four-index (h, k, i, l) label hexagonal peaks carry. */
const three = (hkl: number[]) => (hkl.length === 4 ? [hkl[0], hkl[1], hkl[3]] : hkl);
const has = (p: Peak, hkl: number[]) => p.hkls.some((f) => three(f.hkl).join(',') === hkl.join(','));
const peakOf = (peaks: Peak[], hkl: number[]) => peaks.find((p) => has(p, hkl));

describe('hard unknowns: simulated reflections', () => {
  it('W (bcc, a = 3.1653 Å): only h + k + l even, (110) at d = a/√2, as pymatgen computes it', () => {
    const a = 3.1653;
    const peaks = peaksOf('W-bcc.cif');
    for (const p of peaks) for (const f of p.hkls) assert.equal((f.hkl[0] + f.hkl[1] + f.hkl[2]) % 2, 0, `body-centring forbids ${f.hkl}`);
    assert.ok(has(peaks[0], [1, 1, 0]));
    assert.ok(Math.abs(peaks[0].d - a / Math.SQRT2) < 1e-9);
    // pymatgen's test_xrd.py on this W structure: first peak 2θ 40.294828554672264°, d 2.2382050944897789 Å.
    assert.ok(Math.abs(peaks[0].twoTheta - 40.294828554672264) < 1e-6);
    assert.ok(Math.abs(peaks[0].d - 2.2382050944897789) < 1e-9);
    // Cubic d-spacings: (200) at a/2, (211) at a/√6.
    assert.ok(Math.abs(peakOf(peaks, [2, 0, 0])!.d - a / 2) < 1e-9);
    assert.ok(Math.abs(peakOf(peaks, [2, 1, 1])!.d - a / Math.sqrt(6)) < 1e-9);
  });

  it('Zn (hcp, c/a = 1.856): (002) before (100), d from the hexagonal cell, (001) extinct', () => {
    const [a, c] = [2.6648, 4.947];
    const peaks = peaksOf('Zn-hcp.cif');
    const dHex = (h: number, k: number, l: number) => 1 / Math.sqrt((4 / 3) * ((h * h + h * k + k * k) / (a * a)) + (l * l) / (c * c));
    const p002 = peakOf(peaks, [0, 0, 2])!;
    const p100 = peakOf(peaks, [1, 0, 0])!;
    const p101 = peakOf(peaks, [1, 0, 1])!;
    assert.ok(Math.abs(p002.d - c / 2) < 1e-9);
    assert.ok(Math.abs(p100.d - dHex(1, 0, 0)) < 1e-9);
    assert.ok(Math.abs(p101.d - dHex(1, 0, 1)) < 1e-9);
    // c/a above √3 puts the basal (002) line at lower angle than (100); for ideal hcp (and Co) it is the other way.
    assert.ok(c / a > Math.sqrt(3));
    assert.ok(p002.twoTheta < p100.twoTheta);
    // On the 2c site, h − k ≡ 0 (mod 3) with l odd is extinct: no (001), (003).
    for (const p of peaks) {
      for (const f of p.hkls) {
        const [h, k, l] = three(f.hkl);
        assert.ok(!((h - k) % 3 === 0 && l % 2 !== 0), `2c forbids ${f.hkl}`);
      }
    }
    // The strongest line of zinc is (101), as in every zinc powder pattern.
    assert.ok(has(peaks.reduce((x, y) => (y.intensity > x.intensity ? y : x)), [1, 0, 1]));
  });

  // |F|² of one reflection, recovered from a peak: intensity over multiplicity and the
  // Lorentz-polarisation factor (1 + cos²2θ)/(sin²θ·cosθ) that pymatgen's XRDCalculator applies.
  const f2 = (p: Peak, hkl: number[]) => {
    const fam = p.hkls.find((f) => three(f.hkl).join(',') === hkl.join(','))!;
    const t = (p.twoTheta * Math.PI) / 360;
    const lp = (1 + Math.cos(2 * t) ** 2) / (Math.sin(t) ** 2 * Math.cos(t));
    return p.intensity / (p.hkls.reduce((m, f) => m + f.multiplicity, 0) * lp) * (fam ? 1 : NaN);
  };

  it('Cu3Au (L1_2, a = 3.7402 Å): fcc lines at the fcc d-spacings plus weaker superlattice lines', () => {
    const a = 3.7402;
    const peaks = peaksOf('Cu3Au-L12.cif');
    const dCubic = (h: number, k: number, l: number) => a / Math.sqrt(h * h + k * k + l * l);
    // Pm-3m with Au on 1a and Cu on 3c: every (hkl) reflects. Unmixed indices (all even or all odd)
    // are the fcc fundamentals, F = f(Au) + 3f(Cu); mixed ones are superlattice lines,
    // F = f(Au) − f(Cu), absent from a disordered fcc pattern.
    const fundamentals = [[1, 1, 1], [2, 0, 0], [2, 2, 0], [3, 1, 1]];
    const superlattice = [[1, 0, 0], [1, 1, 0], [2, 1, 0], [2, 1, 1]];
    for (const hkl of [...fundamentals, ...superlattice]) {
      const p = peakOf(peaks, hkl);
      assert.ok(p, `(${hkl}) missing`);
      assert.ok(Math.abs(p!.d - dCubic(hkl[0], hkl[1], hkl[2])) < 1e-9);
    }
    // The strongest line is the fcc (111).
    assert.ok(has(peaks.reduce((x, y) => (y.intensity > x.intensity ? y : x)), [1, 1, 1]));
    // Per reflection the superlattice lines are weak: at s → 0 the ratio |F_sup|²/|F_fund|² is
    // ((Z_Au − Z_Cu)/(Z_Au + 3 Z_Cu))² = (50/166)² ≈ 0.091. (100) against (111) stays near it.
    const zRatio = ((79 - 29) / (79 + 3 * 29)) ** 2;
    const r = f2(peakOf(peaks, [1, 0, 0])!, [1, 0, 0]) / f2(peakOf(peaks, [1, 1, 1])!, [1, 1, 1]);
    assert.ok(r > 0.5 * zRatio && r < 1.5 * zRatio, `|F(100)|²/|F(111)|² = ${r}`);
    // Each superlattice line against its neighbouring fundamentals (similar sinθ/λ, so similar f).
    const neighbours: Array<[number[], number[][]]> = [
      [[1, 0, 0], [[1, 1, 1]]],
      [[1, 1, 0], [[1, 1, 1], [2, 0, 0]]],
      [[2, 1, 0], [[2, 0, 0], [2, 2, 0]]],
      [[2, 1, 1], [[2, 2, 0]]],
    ];
    for (const [s, fs] of neighbours) {
      for (const f of fs) {
        assert.ok(f2(peakOf(peaks, s)!, s) < 0.2 * f2(peakOf(peaks, f)!, f), `(${s}) not weak against (${f})`);
      }
    }
  });

  it('CuAu (L1_0, tP2 a = 2.8 Å, c = 3.67 Å): the fcc (200) and (220) lines split, superlattice lines present', () => {
    const [a, c] = [2.8, 3.67];
    const peaks = peaksOf('CuAu-L10.cif');
    const dTet = (h: number, k: number, l: number) => 1 / Math.sqrt((h * h + k * k) / (a * a) + (l * l) / (c * c));
    // Indices of the primitive tP2 cell; fcc-setting (HKL) of the face-centred cell a' = a√2:
    // fcc (111) = tP2 (101), fcc (200) = tP2 (110) + (002), fcc (220) = tP2 (200) + (112).
    for (const hkl of [[0, 0, 1], [1, 0, 0], [1, 0, 1], [1, 1, 0], [0, 0, 2], [1, 1, 1], [2, 0, 0], [1, 1, 2]]) {
      const p = peakOf(peaks, hkl);
      assert.ok(p, `(${hkl}) missing`);
      assert.ok(Math.abs(p!.d - dTet(hkl[0], hkl[1], hkl[2])) < 1e-9);
    }
    // c/a' < 1: the split partners are separate peaks, the c-axis one at higher angle.
    assert.ok(c / (a * Math.SQRT2) < 1);
    const p110 = peakOf(peaks, [1, 1, 0])!;
    const p002 = peakOf(peaks, [0, 0, 2])!;
    assert.notEqual(p110, p002);
    assert.ok(p002.twoTheta - p110.twoTheta > 3, `split ${p002.twoTheta - p110.twoTheta}°`);
    assert.ok(peakOf(peaks, [1, 1, 2])!.twoTheta > peakOf(peaks, [2, 0, 0])!.twoTheta);
    // Same |F|² = (f_Au + f_Cu)² for the partners; the (110) line, four-fold against two-fold, is stronger.
    assert.ok(p110.intensity > p002.intensity);
    // h + k + l odd is a superlattice line, F = f_Au − f_Cu, weaker per reflection than the fundamentals.
    for (const s of [[0, 0, 1], [1, 0, 0], [1, 1, 1]]) {
      assert.ok(f2(peakOf(peaks, s)!, s) < 0.5 * f2(peakOf(peaks, [1, 0, 1])!, [1, 0, 1]));
    }
    // The strongest line is the fcc (111) = tP2 (101).
    assert.ok(has(peaks.reduce((x, y) => (y.intensity > x.intensity ? y : x)), [1, 0, 1]));
  });

  it('sigma-FeCr (the paper-demo unknown, P4_2/mnm): strongest lines at 40-50° 2θ (Cu Kα), glide and screw absences', () => {
    // examples/paper-demo/FeCr-sigma.cif: Bergman & Shoemaker (1954), a = 8.799 Å, c = 4.544 Å.
    // Cross-check of that file against the AFLOW prototype sigma_tP30_136_bf2ij (sigma-CrFe) read
    // in AFLOW's aflow_anrl.cpp, "--params=8.7966,0.518177477662,0.39864,0.13122,0.46349,0.06609,
    // 0.73933,0.18267,0.25202": the 4f, two 8i and 8j parameters agree within 0.002 once the 8i
    // (x, y) pairs are matched; AFLOW's label puts the single site on 2b where the file has 2a,
    // a setting difference not resolved in this work.
    const [a, c] = [8.799, 4.544];
    const { structures } = readStructures(readFileSync(join(unknowns, '..', 'FeCr-sigma.cif'), 'utf8'));
    const peaks = computePeaks(structures[0]).peaks;
    const dTet = (h: number, k: number, l: number) => 1 / Math.sqrt((h * h + k * k) / (a * a) + (l * l) / (c * c));
    // P4_2/mnm: 0kl (and h0l) only k + l even, which covers 00l only l even and h00 only h even.
    const forbidden = (h: number, k: number, l: number) => (h === 0 && (k + l) % 2 !== 0) || (k === 0 && (h + l) % 2 !== 0);
    for (const p of peaks) {
      for (const f of p.hkls) assert.ok(Math.abs(p.d - dTet(f.hkl[0], f.hkl[1], f.hkl[2])) < 1e-9);
      // A peak may list an extinct family that shares its d (e.g. (500) with (430)); never only those.
      assert.ok(p.hkls.some((f) => !forbidden(f.hkl[0], f.hkl[1], f.hkl[2])), `only extinct families at ${p.twoTheta}°`);
    }
    for (const hkl of [[1, 0, 0], [0, 0, 1], [3, 0, 0], [0, 0, 3], [1, 0, 2], [2, 0, 1]]) {
      assert.equal(peakOf(peaks, hkl), undefined, `(${hkl}) should be extinct`);
    }
    // The sigma phase's strong lines crowd the 40-50° region for Cu Kα (the fcc (111)/(200) and
    // bcc (110) region): the five strongest all lie there.
    const top = [...peaks].sort((x, y) => y.intensity - x.intensity).slice(0, 5);
    for (const p of top) assert.ok(p.twoTheta > 40 && p.twoTheta < 50, `strong line at ${p.twoTheta}°`);
    assert.ok(has(top[0], [4, 1, 1]) || has(top[0], [4, 1, 0]));
  });
});
