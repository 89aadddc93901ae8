import assert from 'node:assert/strict';
import { DEFAULT_AUGMENTATION } from '../../src/core/synth/augmentation';
import { agentPValues, chosenByRule, evenClassSample, selectionPValues, statisticMeasures, widenedAugmentation } from '../../src/core/model/selection-statistics';
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

  it('combines the two agents by Bonferroni and keeps the guarantee for known patterns', () => {
    const random = new Random(5);
    // Known patterns: each agent's p uniform (a calibrated p-value), the two strongly dependent.
    const n = 20_000;
    const vae = new Float64Array(n);
    const residual = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      vae[i] = random.float();
      residual[i] = random.float() < 0.5 ? vae[i] : random.float();
    }
    const p = agentPValues(vae, residual);
    assert.deepEqual(Array.from(p.vae.subarray(0, 5)), Array.from(vae.subarray(0, 5)));
    assert.equal(p.vaeOrResidual[0], Math.min(1, 2 * Math.min(vae[0], residual[0])));
    for (const alpha of [0.01, 0.05, 0.2]) {
      const rate = p.vaeOrResidual.filter((x) => x < alpha).length / n;
      assert.ok(rate <= alpha * 1.1, `α ${alpha}: rate ${rate}`);
    }
    assert.throws(() => agentPValues([0.5], [0.5, 0.2]), /1 VAE p-values against 2 residual ones/);
  });

  it('samples each class evenly, in row order, all of a class smaller than asked', () => {
    const positive = Array.from({ length: 100 }, (_, i) => i % 10 === 0); // 10 positives, 90 negatives
    const sample = evenClassSample(positive, 4);
    assert.equal(sample.length, 8);
    const pos = Array.from(sample).filter((r) => positive[r]);
    const neg = Array.from(sample).filter((r) => !positive[r]);
    assert.deepEqual(pos, [10, 30, 60, 80]);
    assert.equal(neg.length, 4);
    assert.ok(neg[0] < 25 && neg[3] > 75, `spread through the class: ${neg}`);
    assert.deepEqual(Array.from(sample), [...sample].sort((a, b) => a - b));
    // Fewer members than asked: all of them, once.
    assert.deepEqual(Array.from(evenClassSample([true, false, true], 5)), [0, 1, 2]);
  });

  it('chooses by the rule: best widened AUROC among those within 0.01 of the best as trained, ties to the first listed', () => {
    const m = (auroc: number) => ({ auroc, falsePositiveRate: 0, truePositiveRate: 0 });
    const pick = (asTrained: number[], widened: number[]) =>
      chosenByRule(
        { asTrained: { a: m(asTrained[0]), b: m(asTrained[1]), c: m(asTrained[2]) }, widened: { a: m(widened[0]), b: m(widened[1]), c: m(widened[2]) } },
        ['a', 'b', 'c'] as const,
      );
    assert.equal(pick([0.99, 0.99, 0.99], [0.8, 0.85, 0.83]), 'b');
    // c is best widened but more than 0.01 behind as trained.
    assert.equal(pick([0.99, 0.985, 0.975], [0.8, 0.82, 0.9]), 'b');
    assert.equal(pick([0.99, 0.99, 0.99], [0.8, 0.8, 0.8]), 'a');
  });

  it('measures any set of statistics and refuses p-values that do not match the patterns', () => {
    const m = statisticMeasures({ x: Float64Array.of(0.001, 0.5, 0.002, 0.9) }, [true, false, true, false], 0.01);
    assert.deepEqual(m.x, { auroc: 1, falsePositiveRate: 0, truePositiveRate: 1 });
    assert.throws(() => statisticMeasures({ x: Float64Array.of(0.5) }, [true, false], 0.01), /x: 1 p-values for 2 patterns/);
  });
});
