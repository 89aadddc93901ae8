import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auroc, averagePrecision, pValue, quantileSorted, summarize } from '../../src/core/analysis/metrics';
import { KnnClassifier, confusion, decisionRegions } from '../../src/core/analysis/knn';
import { GaussianNaiveBayes } from '../../src/core/analysis/gnb';
import { mixtureCurves } from '../../src/core/analysis/evaluate';
import { Random } from '../../src/core/util/random';

describe('novelty metrics', () => {
  it('AUROC and average precision equal scikit-learn on its documented example', () => {
    // scikit-learn docs (roc_auc_score, average_precision_score): y_true = [0, 0, 1, 1],
    // scores = [0.1, 0.4, 0.35, 0.8] give 0.75 and 0.8333….
    assert.equal(auroc([0.35, 0.8], [0.1, 0.4]), 0.75);
    assert.ok(Math.abs(averagePrecision([0.35, 0.8], [0.1, 0.4]) - 0.8333333333) < 1e-9);
  });

  it('AUROC equals the pairwise definition, ties counting one half', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 30 }), (pos, neg) => {
        let wins = 0;
        for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
        assert.ok(Math.abs(auroc(pos, neg) - wins / (pos.length * neg.length)) < 1e-12);
      }),
    );
  });

  it('average precision is 1 for a perfect ranking and the positive rate for a constant score', () => {
    assert.equal(averagePrecision([5, 6, 7], [1, 2]), 1);
    assert.ok(Math.abs(averagePrecision([1, 1], [1, 1, 1]) - 0.4) < 1e-12);
  });

  it('quantiles interpolate as numpy.percentile does', () => {
    // numpy docs: np.percentile([[10, 7, 4], [3, 2, 1]], 50) == 3.5
    assert.equal(quantileSorted([1, 2, 3, 4, 7, 10], 0.5), 3.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
    const s = summarize([1, 2, 3, 4, 100]);
    assert.equal(s.median, 3);
    assert.equal(s.q1, 2);
    assert.equal(s.q3, 4);
    assert.equal(s.density.at.length, 64);
  });

  it('the p-value is the conformal fraction of calibration errors at least as large', () => {
    const calibration = [0.1, 0.2, 0.3, 0.4];
    assert.equal(pValue(calibration, 0.05), 1); // (1 + 4) / 5
    assert.equal(pValue(calibration, 0.3), 3 / 5); // 0.3 and 0.4 are ≥
    assert.equal(pValue(calibration, 9), 1 / 5);
  });
});

describe('latent classifiers', () => {
  function blobs(n: number, seed: number) {
    const random = new Random(seed);
    const centres = [[0, 0], [4, 0], [0, 4]];
    const points = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      labels[i] = c;
      points[2 * i] = centres[c][0] + 0.5 * random.normal();
      points[2 * i + 1] = centres[c][1] + 0.5 * random.normal();
    }
    return { points, labels };
  }

  it('KNN and Gaussian naive Bayes separate well-separated clusters; confusion counts add up', () => {
    const train = blobs(300, 1);
    const test = blobs(150, 2);
    const knn = new KnnClassifier(train.points, train.labels, 2, 5);
    const c = confusion(test.labels, knn.predict(test.points), 3);
    assert.ok(c.accuracy > 0.97, `KNN accuracy ${c.accuracy}`);
    assert.equal(c.matrix.flat().reduce((a, b) => a + b, 0), 150);
    const gnb = new GaussianNaiveBayes(train.points, train.labels, 2, 3);
    assert.ok(confusion(test.labels, gnb.predict(test.points), 3).accuracy > 0.97);
    const p = gnb.probabilities(Float32Array.from([4, 0]), 0);
    assert.ok(p[1] > 0.99 && Math.abs(p[0] + p[1] + p[2] - 1) < 1e-12);
  });

  it('KNN nearest neighbours are the brute-force ones, ties to the lower index (any dimension, duplicates, far queries)', () => {
    const { points, labels } = blobs(60, 3);
    const knn = new KnnClassifier(points, labels, 2, 4);
    const q = [1, 1];
    const brute = Array.from({ length: 60 }, (_, i) => ({ i, d: (points[2 * i] - 1) ** 2 + (points[2 * i + 1] - 1) ** 2 })).sort((a, b) => a.d - b.d);
    assert.deepEqual(Array.from(knn.nearest(q).index), brute.slice(0, 4).map((b) => b.i));
    // Coordinates on a coarse grid make exact ties and duplicate points common.
    const coordinate = fc.integer({ min: -4, max: 4 }).map((v) => v / 2);
    const problem = fc.integer({ min: 1, max: 8 }).chain((dims) =>
      fc.record({
        dims: fc.constant(dims),
        points: fc.array(fc.array(coordinate, { minLength: dims, maxLength: dims }), { minLength: 1, maxLength: 40 }),
        query: fc.array(fc.oneof(coordinate, fc.double({ min: -50, max: 50, noNaN: true })), { minLength: dims, maxLength: dims }),
        k: fc.integer({ min: 1, max: 6 }),
      }),
    );
    fc.assert(
      fc.property(problem, ({ dims, points: rows, query, k }) => {
        const knn = new KnnClassifier(Float32Array.from(rows.flat()), new Int32Array(rows.length), dims, k);
        const distance = (row: number[]) => row.reduce((sum, v, j) => sum + (v - query[j]) ** 2, 0);
        const brute = rows.map((row, i) => ({ i, d: distance(row) })).sort((a, b) => a.d - b.d || a.i - b.i).slice(0, k);
        const { index, distance2 } = knn.nearest(query);
        assert.deepEqual(Array.from(index).filter((i) => i >= 0), brute.map((b) => b.i));
        brute.forEach((b, n) => assert.ok(Math.abs(distance2[n] - b.d) <= 1e-9 * (1 + b.d)));
      }),
    );
  });

  it('decision regions cover the points and label each cluster centre with its class', () => {
    const { points, labels } = blobs(300, 4);
    const knn = new KnnClassifier(points, labels, 2, 5);
    const r = decisionRegions(knn, points, 40);
    assert.equal(r.labels.length, 40 * 40);
    const at = (x: number, y: number) => {
      const c = Math.floor(((x - r.xMin) / (r.xMax - r.xMin)) * r.columns);
      const row = Math.floor(((y - r.yMin) / (r.yMax - r.yMin)) * r.rows);
      return r.labels[row * r.columns + c];
    };
    assert.equal(at(0, 0), 0);
    assert.equal(at(4, 0), 1);
    assert.equal(at(0, 4), 2);
  });
});

describe('mixture curves', () => {
  it('groups binary mixtures by pair and fraction and finds the peak', () => {
    // Two phases; error = x(1−x) peaks at x = 0.5.
    const xs = [0.1, 0.3, 0.5, 0.7, 0.9];
    const fractions = new Float32Array(xs.length * 2 * 2);
    const errors: number[] = [];
    xs.forEach((x, k) => {
      for (let r = 0; r < 2; r++) {
        const i = 2 * k + r;
        fractions[2 * i] = x;
        fractions[2 * i + 1] = 1 - x;
        errors.push(x * (1 - x) + r * 1e-3);
      }
    });
    const [curve] = mixtureCurves(fractions, 2, ['A', 'B'], errors, [0.0, 0.01, 0.2]);
    assert.deepEqual(curve.pair, ['A', 'B']);
    assert.deepEqual(curve.x, xs);
    assert.equal(curve.peakX, 0.5);
    // AUROC against the pure errors [0, 0.01, 0.2], by the pairwise definition:
    let wins = 0;
    for (const e of errors) for (const p of [0.0, 0.01, 0.2]) wins += e > p ? 1 : e === p ? 0.5 : 0;
    assert.equal(curve.aurocAgainstPure, wins / (errors.length * 3));
    assert.equal(curve.aurocAgainstPureCentral, 1, 'x = 0.3, 0.5, 0.7 have errors ≥ 0.21 > 0.2');
  });
});
