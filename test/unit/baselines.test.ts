import assert from 'node:assert/strict';
import { Baselines, Pca, SoftmaxClassifier, symmetricEigen } from '../../src/core/analysis/baselines';
import { noveltyTable, noveltyWinners, perUnknownPhase, unknownPhaseTask } from '../../src/core/analysis/novelty-tasks';
import { initBackend } from '../../src/core/model/backend';
import { buildVae } from '../../src/core/model/vae';
import { hardUnknownAurocs } from '../../src/core/model/hard-unknowns';
import { Random } from '../../src/core/util/random';

/** Gaussian peaks on a grid: a "phase" is a set of peak positions, each pattern jittered and noisy. */
function patternsOf(random: Random, peaks: number[], rows: number, points: number, jitter = 1.5): Float32Array {
  const out = new Float32Array(rows * points);
  for (let r = 0; r < rows; r++) {
    const shift = random.normal() * jitter;
    for (const p of peaks) {
      const height = 0.6 + 0.4 * random.float();
      for (let j = 0; j < points; j++) out[r * points + j] += height * Math.exp(-0.5 * ((j - p - shift) / 2) ** 2);
    }
    for (let j = 0; j < points; j++) out[r * points + j] = Math.min(1, Math.max(0, out[r * points + j] + 0.01 * random.normal()));
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('baselines', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('symmetricEigen recovers a known spectrum', () => {
    // [[2,1],[1,2]] has eigenvalues 1 and 3 with eigenvectors (1,−1)/√2 and (1,1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    const sorted = Array.from(values).sort((a, b) => a - b);
    assert.ok(Math.abs(sorted[0] - 1) < 1e-12 && Math.abs(sorted[1] - 3) < 1e-12);
    const big = values[0] > values[1] ? 0 : 1;
    assert.ok(Math.abs(Math.abs(vectors[0 * 2 + big]) - Math.SQRT1_2) < 1e-12);
    assert.ok(Math.abs(vectors[0 * 2 + big] - vectors[1 * 2 + big]) < 1e-12);
  });

  it('PCA components come out ordered by variance, and truncating equals fitting fewer', () => {
    // Independent coordinates with standard deviations 5, 3, 2, 1, 0.1: PCA must find the axes in that order.
    const random = new Random(3);
    const rows = 2000;
    const sd = [0.1, 3, 1, 5, 2];
    const x = new Float32Array(rows * 5);
    for (let i = 0; i < rows; i++) for (let j = 0; j < 5; j++) x[i * 5 + j] = sd[j] * random.normal();
    const pca = Pca.fit(x, rows, 5, 4, 11);
    assert.deepEqual(
      Array.from({ length: 4 }, (_, c) => {
        let best = 0;
        for (let j = 1; j < 5; j++) if (Math.abs(pca.components[c * 5 + j]) > Math.abs(pca.components[c * 5 + best])) best = j;
        return best;
      }),
      [3, 1, 4, 2],
    );
    for (let c = 1; c < 4; c++) assert.ok(pca.variances[c] <= pca.variances[c - 1]);
    assert.ok(Math.abs(pca.variances[0] - 25) / 25 < 0.1, `variance ${pca.variances[0]}`);
    const two = Pca.fit(x, rows, 5, 2, 5);
    const t = pca.truncate(2);
    // Same subspace: each truncated component lies in the 2-component fit's span.
    for (let c = 0; c < 2; c++) {
      let inSpan = 0;
      for (let d = 0; d < 2; d++) {
        let dot = 0;
        for (let j = 0; j < 5; j++) dot += t.components[c * 5 + j] * two.components[d * 5 + j];
        inSpan += dot * dot;
      }
      assert.ok(inSpan > 0.999, `component ${c}: ${inSpan}`);
    }
    assert.ok(Math.abs(t.explainedVariance() - 34 / (34 + 4 + 1 + 0.01)) < 0.03);
  });

  it('PCA with as many components as points explains all of the variance, never more', () => {
    // Many rows of pattern-like values (offset from zero, as intensities are): the total and the
    // components' variances must agree, or the report prints shares above 100 %.
    const random = new Random(5);
    const rows = 20000;
    const points = 24;
    const x = new Float32Array(rows * points);
    for (let i = 0; i < rows; i++) for (let j = 0; j < points; j++) x[i * points + j] = 0.5 + (0.3 / (1 + j)) * random.normal();
    const share = Pca.fit(x, rows, points, points, 3, 60).explainedVariance();
    assert.ok(share <= 1 + 1e-4 && share > 0.995, `explained ${share}`);
  });

  it('chooses its settings on the selection patterns, trains the classifier to convergence, and scores every method', function () {
    this.timeout(120000);
    const random = new Random(7);
    const points = 128;
    const phasePeaks = [[20, 60, 100], [30, 75], [45, 90, 110]];
    const make = (n: number) => {
      const parts = phasePeaks.map((p) => patternsOf(random, p, n, points));
      return { patterns: concat(parts), labels: Int32Array.from({ length: 3 * n }, (_, i) => Math.floor(i / n)) };
    };
    const train = make(150);
    const selection = make(40);
    const fitted = Baselines.fit(train, selection, points, 3, { seed: 1, componentCandidates: [1, 2, 4, 8], kCandidates: [1, 5], maxEpochs: 300, patience: 5 });
    try {
      const s = fitted.selection;
      for (const m of ['pcaReconstruction', 'pcaReconstructionBce', 'pcaReconstructionMse'] as const) {
        assert.ok([1, 2, 4, 8].includes(s.pca[m].components));
        const best = Math.max(...s.pca[m].candidates.map((c) => c.selectionAuroc));
        assert.equal(s.pca[m].candidates.find((c) => c.components === s.pca[m].components)!.selectionAuroc, best);
      }
      assert.ok([1, 5].includes(s.pcaKnnDistance.k));
      // The kept epoch is the one with the lowest selection loss.
      const curve = fitted.classifier.validationLoss;
      assert.equal(curve.length, s.softmaxConfidence.epochs);
      assert.equal(curve[s.softmaxConfidence.bestEpoch - 1], Math.min(...curve));
      assert.equal(s.softmaxConfidence.validationLoss, Math.min(...curve));
      const test = make(30);
      assert.ok(fitted.accuracy(test.patterns, test.labels) > 0.95);
      // A phase with peaks nowhere near the known ones: every baseline ranks it above the known test patterns.
      const novel = patternsOf(random, [10, 52, 120], 30, points);
      const known = fitted.score(test.patterns, test.labels.length);
      const scores = fitted.score(novel, 30);
      const table = noveltyTable(known, { [unknownPhaseTask('far')]: scores });
      for (const [m, a] of Object.entries(perUnknownPhase(table).far)) assert.ok(a > 0.9, `${m}: ${a}`);
    } finally {
      fitted.dispose();
    }
  });

  it('the classifier stops once the selection loss stops improving, and keeps its best epoch', function () {
    this.timeout(60000);
    // Labels unrelated to the patterns: it can only memorise, so the selection loss soon rises.
    const random = new Random(5);
    const points = 64;
    const x = new Float32Array(300 * points).map(() => random.float());
    const labels = Int32Array.from({ length: 300 }, () => random.int(3));
    const v = new Float32Array(100 * points).map(() => random.float());
    const vLabels = Int32Array.from({ length: 100 }, () => random.int(3));
    const c = SoftmaxClassifier.train(x, labels, points, 3, { maxEpochs: 500, patience: 5, batchSize: 32, seed: 2, validation: { patterns: v, labels: vLabels } });
    try {
      assert.ok(c.stoppedEarly && c.epochs < 500, `trained ${c.epochs} epochs`);
      assert.equal(c.epochs, c.bestEpoch + 5);
      // The weights kept are the best epoch's: evaluating again gives its loss.
      assert.ok(Math.abs(c.evaluate(v, vLabels).loss - c.validationLoss[c.bestEpoch - 1]) < 1e-5);
    } finally {
      c.dispose();
    }
  });

  it('hardUnknownAurocs: one row per unknown phase, every method; patterns equal to the known ones rank at exactly 0.5', function () {
    this.timeout(60000);
    const random = new Random(9);
    const points = 64;
    const models = buildVae({ points, hidden: [16], latent: 2, compositionElements: [], beta: 1 }, 3);
    const train = { patterns: concat([patternsOf(random, [10, 40], 60, points), patternsOf(random, [25, 50], 60, points)]), labels: Int32Array.from({ length: 120 }, (_, i) => (i < 60 ? 0 : 1)) };
    const selection = { patterns: concat([patternsOf(random, [10, 40], 20, points), patternsOf(random, [25, 50], 20, points)]), labels: Int32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1)) };
    const fitted = Baselines.fit(train, selection, points, 2, { seed: 4, componentCandidates: [1, 2, 4], kCandidates: [1, 3], maxEpochs: 20, patience: 3 });
    try {
      const known = patternsOf(random, [10, 40], 25, points);
      const report = hardUnknownAurocs(models, fitted, known, [
        { name: 'same', patterns: known },
        { name: 'other', patterns: patternsOf(random, [5, 58], 15, points) },
      ]);
      assert.deepEqual(Object.keys(report.auroc), ['same', 'other']);
      const methods = ['vae', 'vaeBce', 'vaeMse', 'pcaReconstruction', 'pcaReconstructionBce', 'pcaReconstructionMse', 'pcaKnnDistance', 'softmaxConfidence'];
      assert.deepEqual(Object.keys(report.auroc.same).sort(), methods.sort());
      for (const m of methods) assert.equal(report.auroc.same[m], 0.5, m);
      assert.equal(report.table.tasks['unknownPhase:other'].count, 15);
    } finally {
      fitted.dispose();
      models.encoder.dispose();
      models.decoder.dispose();
    }
  });

  it('says when a baseline beats the VAE, and when the VAE wins', () => {
    const known = { vae: [0.1, 0.2, 0.3], pca: [0.1, 0.2, 0.3] };
    const table = noveltyTable(known, {
      easy: { vae: [0.9, 0.8], pca: [0.25, 0.9] },
      hard: { vae: [0.15, 0.25], pca: [0.9, 0.8] },
    });
    const w = noveltyWinners(table, { vaeMethod: 'vae' });
    assert.deepEqual(w.easy.winners, ['vae']);
    assert.equal(w.easy.baselineBeatsVae, false);
    assert.deepEqual(w.hard.winners, ['pca']);
    assert.equal(w.hard.baselineBeatsVae, true);
    assert.match(w.hard.summary, /baseline beats the VAE/);
    assert.equal(table.tasks.hard.auroc.vae, auroc2([0.15, 0.25], [0.1, 0.2, 0.3]));
  });
});

/** AUROC by counting pairs (the definition), to check the table against. */
function auroc2(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
