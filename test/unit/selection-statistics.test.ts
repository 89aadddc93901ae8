import assert from 'node:assert/strict';
import { DEFAULT_AUGMENTATION } from '../../src/core/synth/augmentation';
import { selectionPValues, statisticMeasures, widenedAugmentation } from '../../src/core/model/selection-statistics';
import { unexplainedLineSum } from '../../src/core/analysis/novelty-statistic';
import { Random } from '../../src/core/util/random';

describe('selection statistics (the measured benchmark\'s candidates)', () => {
  it('widens every varied range about its centre, keeps positive ranges positive and signs where they were', () => {
    const wide = widenedAugmentation(DEFAULT_AUGMENTATION, 2);
    const near = (d: unknown, min: number, max: number) => {
      const r = d as { dist: string; min: number; max: number };
      assert.ok(r.dist === 'uniform' && Math.abs(r.min - min) < 1e-12 && Math.abs(r.max - max) < 1e-12, JSON.stringify(d));
    };
    near(wide.isotropicStrain, -0.02, 0.02);
    // [0, 0.05] touches zero: twice as long about its centre, not below zero.
    near(wide.microstrainX, 0, 0.075);
    // [−0.005, 0] stays ≤ 0.
    const v = wide.cagliotiV as { min: number; max: number };
    assert.ok(Math.abs(v.min + 0.0075) < 1e-12 && v.max === 0);
    // Strictly positive ranges widen by ratio: a hump 5–15° wide becomes 15/√3·… never near zero.
    const w = wide.humpFwhmDeg as { min: number; max: number };
    assert.ok(Math.abs(w.min * w.max - 75) < 1e-9 && Math.abs(w.max / w.min - 9) < 1e-9);
    const counts = wide.peakCounts as { dist: string; min: number; max: number };
    assert.equal(counts.dist, 'logUniform');
    assert.ok(Math.abs(counts.max / counts.min - 1e4) < 1e-6);
    // Constants stay.
    assert.equal(wide.goniometerRadiusMm, DEFAULT_AUGMENTATION.goniometerRadiusMm);
    assert.equal(wide.textureProbability, DEFAULT_AUGMENTATION.textureProbability);
  });

  it('sums the unexplained lines\' relative heights (none: 0)', () => {
    assert.equal(unexplainedLineSum(undefined), 0);
    assert.equal(unexplainedLineSum([{ twoTheta: 30, d: 3, relativeHeight: 0.25, sigmas: 9 }, { twoTheta: 40, d: 2.2, relativeHeight: 0.5, sigmas: 20 }]), 0.75);
  });

  it('keeps each statistic\'s calibration: known patterns exchangeable with the calibration ones fall below α at most α of the time', () => {
    const random = new Random(3);
    // Known: excess BCE from one law, an unexplained line in 5 % of patterns; the left-out phase
    // adds a line in every pattern and more error.
    const known = (n: number) => Array.from({ length: n }, () => ({ bceExcess: Math.exp(random.normal()), lines: random.float() < 0.05 ? random.float() * 0.1 : 0 }));
    const calibration = known(2000);
    const scored = [...known(4000), ...Array.from({ length: 1000 }, () => ({ bceExcess: Math.exp(random.normal() + 0.5), lines: 0.05 + random.float() * 0.3 }))];
    const positive = scored.map((_, i) => i >= 4000);
    const p = selectionPValues(calibration, scored);
    const m = statisticMeasures(p, positive, 0.05);
    for (const statistic of ['bceExcess', 'unexplainedLines', 'bceOrLines'] as const) {
      assert.ok(m[statistic].falsePositiveRate <= 0.05 + 0.01, `${statistic}: false-positive rate ${m[statistic].falsePositiveRate}`);
    }
    // The line shows the left-out phase better than the error does, and the Bonferroni pair keeps most of that.
    assert.ok(m.unexplainedLines.auroc > m.bceExcess.auroc + 0.1, JSON.stringify(m));
    assert.ok(m.bceOrLines.auroc > m.bceExcess.auroc, JSON.stringify(m));
    // No line is no evidence.
    assert.ok(scored.every((s, i) => s.lines > 0 || p.unexplainedLines[i] === 1));
  });
});
