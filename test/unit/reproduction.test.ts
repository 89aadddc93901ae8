import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, tf } from '../../src/core/model/backend';
import { buildVae } from '../../src/core/model/vae';
import { stepLayers, vaeStep } from '../../src/core/model/step';
import { PAPER_SPEC } from '../../src/core/model/architecture';
import { DEFAULT_TRAINING_CONFIG } from '../../src/core/model/training-config';
import { splitDataset } from '../../src/core/model/pipeline';
import type { Dataset } from '../../src/core/synth/dataset';
import { planDataset } from '../../src/core/synth/dataset';
import { Random } from '../../src/core/util/random';
import { meanInterval95, tQuantile975 } from '../../src/core/analysis/metrics';
import { TARGETS, goalText, meetsGoal, targetsMarkdown } from '../../src/core/reproduction/targets';
import { AS_PUBLISHED, DEFAULTS, assertDisjoint, asPublishedLossWeight, studySeeds } from '../../src/core/reproduction/protocol';
import { paperMixtureCurves } from '../../src/core/reproduction/mixture-curves';
import { readDemoConfig } from '../../src/core/reproduction/study';
import { strongestLineOverlaps, summariseModel } from '../../src/core/reproduction/summary';

const root = join(__dirname, '../../..');

describe('reproduction study', () => {
  describe('mean and 95 % interval over seeds', () => {
    it('is mean ± t(0.975, n−1)·s/√n, as computed by hand for 1…5', () => {
      // s² = (4 + 1 + 0 + 1 + 4)/4 = 2.5; s/√5 = 0.707107; t(0.975, 4) = 2.776 (table); half-width 1.962929.
      const m = meanInterval95([1, 2, 3, 4, 5]);
      assert.equal(m.mean, 3);
      assert.equal(m.n, 5);
      assert.ok(Math.abs(m.ci95![0] - 1.037071) < 1e-5 && Math.abs(m.ci95![1] - 4.962929) < 1e-5, JSON.stringify(m));
    });

    it('has no interval for one run, and a zero-width one for identical runs', () => {
      assert.deepEqual(meanInterval95([0.7]), { mean: 0.7, ci95: null, n: 1 });
      assert.deepEqual(meanInterval95([2, 2, 2]).ci95, [2, 2]);
      assert.ok(Number.isNaN(meanInterval95([1, NaN]).mean), 'a failed run is not dropped');
    });

    it('takes t from the table to 30 degrees of freedom and a close expansion beyond', () => {
      assert.equal(tQuantile975(1), 12.706);
      assert.equal(tQuantile975(4), 2.776);
      assert.ok(Math.abs(tQuantile975(40) - 2.021) < 1e-3, String(tQuantile975(40)));
      assert.ok(Math.abs(tQuantile975(120) - 1.98) < 1e-3, String(tQuantile975(120)));
      assert.ok(Math.abs(tQuantile975(1e9) - 1.96) < 1e-3);
      assert.ok(Number.isNaN(tQuantile975(0)));
    });
  });

  describe('targets table', () => {
    it('names each metric once, with a paper value or a dash and a measure', () => {
      assert.equal(new Set(TARGETS.map((t) => t.key)).size, TARGETS.length);
      for (const t of TARGETS) {
        assert.ok(t.paper.length > 0 && t.measure.length > 0, t.key);
        assert.ok(t.paperMeasure === true || t.paperMeasure.length > 0, t.key);
      }
      // The paper's numbers (Fig. 2 caption): 0.017 known, 0.09 unknown, 99.16 % KNN.
      assert.equal(TARGETS.find((t) => t.key === 'meanErrorKnown')!.paperValue, 0.017);
      assert.equal(TARGETS.find((t) => t.key === 'meanErrorUnknown')!.paperValue, 0.09);
      assert.equal(TARGETS.find((t) => t.key === 'knnAccuracy')!.paperValue, 0.9916);
    });

    it('judges values against goals', () => {
      assert.equal(meetsGoal({ atLeast: 0.99 }, 0.99), true);
      assert.equal(meetsGoal({ atLeast: 0.99 }, 0.989), false);
      assert.equal(meetsGoal({ between: [0.3, 0.7] }, 0.29), false);
      assert.equal(meetsGoal({ between: [0.3, 0.7] }, 0.5), true);
      assert.equal(meetsGoal(null, 0.5), undefined);
      assert.equal(meetsGoal({ atLeast: 0.9 }, NaN), undefined);
      assert.equal(goalText({ atLeast: 5 }), '≥ 5');
    });

    it('is the table docs/reproduction.md shows', () => {
      const page = readFileSync(join(root, 'docs/reproduction.md'), 'utf8');
      assert.ok(page.includes(targetsMarkdown()), 'docs/reproduction.md holds targetsMarkdown() verbatim: regenerate its table from src/core/reproduction/targets.ts');
    });

    it('is not called "the paper\'s exact model" anywhere in the README or docs/', () => {
      const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
      const calling = pages.filter((page) => /paper's exact model/.test(readFileSync(join(root, page), 'utf8')));
      assert.deepEqual(calling, [], 'a 2-D latent alone is not the paper\'s model (β and the warm-up differ): say "as published"');
    });
  });

  describe('protocol', () => {
    it('refuses a row in two sets, naming both', () => {
      assertDisjoint({ train: [1, 2], selection: [3], test: [4, 5] });
      assert.throws(() => assertDisjoint({ train: [1, 2], selection: [3], test: [4, 2] }), /row 2 is in both the train and the test set/);
    });

    it('the pipeline\'s split of known, unknown and mixture rows is disjoint for every seed', () => {
      // 3 known phases × 50, an unknown phase × 20, 30 binary mixtures.
      const phases = 4;
      const count = 150 + 20 + 30;
      const labels = new Int32Array(count);
      const fractions = new Float32Array(count * phases);
      for (let i = 0; i < count; i++) {
        if (i < 150) labels[i] = i % 3;
        else if (i < 170) labels[i] = 3;
        else labels[i] = -1;
        if (labels[i] >= 0) fractions[i * phases + labels[i]] = 1;
        else {
          fractions[i * phases] = 0.3;
          fractions[i * phases + 1] = 0.7;
        }
      }
      const dataset = { count, labels, fractions, phaseNames: ['A', 'B', 'C', 'U'], phaseRoles: ['known', 'known', 'known', 'unknown'], mixtureRole: 'novel' } as unknown as Dataset;
      for (const seed of studySeeds(5)) {
        const s = splitDataset(dataset, { ...DEFAULT_TRAINING_CONFIG, seed });
        assertDisjoint({ train: s.train, selection: s.validation, calibration: s.calibration, test: s.test, unknown: s.unknown, mixtures: s.mixtures });
        assert.equal(s.train.length + s.validation.length + s.calibration.length + s.test.length + s.unknown.length + s.mixtures.length, count);
        assert.equal(s.validation.length, 15);
        assert.equal(s.test.length, 30);
      }
      assert.deepEqual(studySeeds(5), [1, 2, 3, 4, 5]);
    });

    it('the as-published model is the paper\'s: 2-D latent, layers 256/128, β = 1, no KL warm-up, on 2048 points only', () => {
      const demo = readDemoConfig(join(root, 'examples/paper-demo/latent-xrd.json')).training ?? {};
      const t = AS_PUBLISHED.training(demo);
      assert.equal(t.latent, 2);
      assert.deepEqual(t.hidden, [256, 128]);
      assert.equal(t.beta, 1);
      assert.equal(t.klWarmupEpochs, 0);
      assert.equal(t.epochs, demo.epochs, 'optimiser settings as the defaults\'');
      const d = DEFAULTS.training(demo);
      assert.equal(d.latent, demo.latent ?? DEFAULT_TRAINING_CONFIG.latent);
      assert.equal(d.beta, demo.beta ?? DEFAULT_TRAINING_CONFIG.beta);
      assert.equal(asPublishedLossWeight(2048), 2048);
      assert.throws(() => asPublishedLossWeight(1024), /2048-point grid/);
    });

    it('the as-published training step\'s loss is 2048·BCE + KL, BCE and KL computed here by hand', async () => {
      await initBackend('wasm');
      const t = AS_PUBLISHED.training({});
      const spec = { points: 2048, hidden: t.hidden, latent: t.latent, compositionElements: [], beta: t.beta };
      assert.deepEqual({ ...spec, points: undefined }, { ...PAPER_SPEC, points: undefined });
      const models = buildVae(spec, 11);
      const n = 4;
      const random = new Random(3);
      const y = Float32Array.from({ length: n * 2048 }, () => 0.02 + 0.9 * random.float() ** 4);
      const eps = Float32Array.from({ length: n * 2 }, () => random.normal());
      const [mean, logVar] = (models.encoder.predict(tf.tensor2d(y, [n, 2048])) as tf.Tensor2D[]).map((x) => x.dataSync() as Float32Array);
      const z = Float32Array.from(eps, (e, i) => mean[i] + Math.exp(0.5 * logVar[i]) * e);
      const p = (models.decoder.predict(tf.tensor2d(z, [n, 2])) as tf.Tensor2D).dataSync();
      let bce = 0;
      for (let i = 0; i < n * 2048; i++) bce -= (y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i])) / (n * 2048);
      let kl = 0;
      for (let i = 0; i < n * 2; i++) kl += (-0.5 * (1 + logVar[i] - mean[i] ** 2 - Math.exp(logVar[i]))) / n;
      const terms = tf.tidy(() => vaeStep(models, stepLayers(models), { patterns: tf.tensor2d(y, [n, 2048]) }, tf.tensor2d(eps, [n, 2]), t.beta).terms);
      const loss = terms[0] + t.beta * terms[1];
      const expected = 2048 * bce + kl;
      assert.ok(Math.abs(loss - expected) < 1e-4 * expected, `${loss} vs 2048·BCE + KL = ${expected}`);
      models.encoder.dispose();
      models.decoder.dispose();
    });
  });

  describe('mixture curves the paper\'s way', () => {
    it('gives each fraction\'s mean, median and quartiles, and the raw argmax of the means', () => {
      // Pair (0, 1) at x = 0.2 (errors 1, 1, 10: mean 4, median 1) and x = 0.5 (3, 3, 3): the mean
      // peaks at 0.2, the median at 0.5. A ternary row and a pure row are not binary mixtures.
      const rows: [number[], number][] = [
        [[0.2, 0.8, 0], 1], [[0.2, 0.8, 0], 1], [[0.2, 0.8, 0], 10],
        [[0.5, 0.5, 0], 3], [[0.5, 0.5, 0], 3], [[0.5, 0.5, 0], 3],
        [[0.3, 0.3, 0.4], 100], [[1, 0, 0], 100],
        [[0, 0.6, 0.4], 2],
      ];
      const curves = paperMixtureCurves(rows.flatMap((r) => r[0]), 3, ['A', 'B', 'C'], rows.map((r) => r[1]));
      assert.equal(curves.length, 2);
      const ab = curves[0];
      assert.deepEqual(ab.pair, ['A', 'B']);
      assert.deepEqual(ab.x, [0.2, 0.5]);
      assert.deepEqual(ab.count, [3, 3]);
      assert.deepEqual(ab.mean, [4, 3]);
      assert.deepEqual(ab.median, [1, 3]);
      assert.deepEqual(ab.q1, [1, 3]);
      assert.deepEqual(ab.q3, [5.5, 3]);
      assert.equal(ab.peakX, 0.2);
      assert.deepEqual(curves[1].pair, ['B', 'C']);
    });
  });

  describe('summary', () => {
    it('reports the mean and interval of every run\'s numbers, and the winner per task, hard unknowns included', () => {
      const composition = { gnbAccuracyLatent: 0.6, gnbAccuracyLatentAndComposition: 0.9, gnbAccuracyCompositionOnly: 0.8, meanErrorMatched: 0.1, meanErrorMismatched: 0.2, members: 5, structures: 21, spaceGroups: 3, counts: { train: 1, selection: 1, test: 1 }, epochsRun: [1], seconds: 1 };
      const run = (seed: number, knn: number, vaeMix: number) => ({
        seed, knnAccuracy: knn, gnbAccuracy: 1, knnConfusion: [[1]], meanErrorKnown: 0.02, meanErrorUnknown: 0.1, meanErrorMixtures: 0.05,
        meanErrorRatioUnknownToKnown: 5, medianErrorRatioUnknownToKnown: 10, aurocUnknown: 1, aurocMixtures: vaeMix, aurocUnknownPlainBce: 1, aurocMixturesPlainBce: 0.6,
        aurocCompositionMismatch: 0.9, mixtureCurves: [], mixtureCurvesExcess: [],
        composition: { ...composition, gnbAccuracyLatent: 0.5 + seed / 10 },
        novelty: { unknownPhase: { vae: 1, vaeBce: 0.5, pca: 0.9 }, mixtures: { vae: vaeMix, vaeBce: 0.99, pca: 0.8 } },
        hardUnknowns: { W: { vae: 0.7, vaeBce: 0.99, pca: 0.7 + seed / 1e4 }, Zn: { vae: 0.95, vaeBce: 0.5, pca: 0.6 } },
        baselineNotes: {}, epochsRun: 3, bestEpoch: 3, trainingSeconds: 1, counts: {},
      });
      const s = summariseModel([run(1, 0.9, 0.7), run(2, 0.8, 0.75)], {}, 'test');
      assert.ok(Math.abs(s.knnAccuracy.mean - 0.85) < 1e-12);
      assert.deepEqual(s.noveltyWinners.unknownPhase.winners, ['vae']);
      assert.equal(s.noveltyWinners.mixtures.baselineBeatsVae, true, 'a baseline that beats the VAE is named');
      assert.equal(s.noveltyWinners.mixtures.bestBaseline, 'pca');
      assert.ok(!s.noveltyWinners.mixtures.winners.includes('vaeBce'), "the VAE's other errors are listed, not contenders");
      assert.ok(Math.abs(s.baselines.mixtures.vae.mean - 0.725) < 1e-12);
      assert.ok(Math.abs(s.hardUnknowns.W.pca.mean - 0.70015) < 1e-12);
      assert.deepEqual(s.noveltyWinners['unknownPhase:W'].winners, ['vae', 'pca'], 'AUROCs within the tolerance tie');
      assert.equal(s.noveltyWinners['unknownPhase:Zn'].winners[0], 'vae');
      assert.ok(Math.abs(s.composition.gnbAccuracyLatent.mean - 0.65) < 1e-12);
      assert.equal(s.composition.members, 5);
    });

    it('explains the Ni/Cr confusion from the demo\'s structures and strain range', () => {
      const dir = join(root, 'examples/paper-demo');
      const { plan } = planDataset(readDemoConfig(join(dir, 'latent-xrd.json')), dir, join(dir, 'unused.h5'));
      const lines = strongestLineOverlaps(plan!);
      assert.ok(lines.some((l) => /^Ni 111 at 44\.\d\d° and Cr 110 at 44\.\d\d°/.test(l)), lines.join('\n'));
      const narrow = strongestLineOverlaps({ ...plan!, augmentation: { ...plan!.augmentation, isotropicStrain: { dist: 'uniform', min: -0.001, max: 0.001 } } });
      assert.equal(narrow.length, 0, 'with ±0.1 % strain the lines stay apart');
    });
  });
});
