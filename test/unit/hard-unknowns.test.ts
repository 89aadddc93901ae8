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
});
