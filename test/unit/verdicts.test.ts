// One definition of the verdict: which threshold is in force, partly measured patterns scored
// over what was measured (and no verdict below half the range), a weak model saying so, and the
// watch folder's single and batch paths preparing a pattern the same way.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_COVERAGE_FOR_VERDICT, thresholdInForce, verdictFor, verdictLabel } from '../../src/core/analysis/verdict';
import { assessReliability, binomialUpperTail, falsePositives, reliabilityState, RELIABILITY_BARS } from '../../src/core/model/reliability';
import { validateManifest } from '../../src/core/model/manifest';
import { initBackend } from '../../src/core/model/backend';
import { Scorer } from '../../src/core/model/score';
import { loadModel, saveModel } from '../../src/core/model/store';
import { buildVae } from '../../src/core/model/vae';
import { CALIBRATION_PATTERNS_FILE } from '../../src/core/model/manifest';
import { sortedCopy } from '../../src/core/analysis/metrics';
import { untrainedScorer } from '../../src/core/model/bench';
import { pValue } from '../../src/core/analysis/metrics';
import { gridValues } from '../../src/core/diffraction/render';
import { readPatternFile } from '../../src/core/formats';
import { modelScoring, type FileScore } from '../../src/core/watch/model-scoring';
import { UserError } from '../../src/core/diagnostics';
import { testManifest } from './model-fixtures';

const FIXTURES = join(__dirname, '../../../test/fixtures/instrument-formats');
const finite = { latent: [0, 0], bce: 0.1, bceExcess: 0.05, mse: 0.01, pValue: 0.005 };

describe('verdicts: one threshold', () => {
  const model = { calibration: { pThreshold: 0.01 } };

  it("is the model's unless a setting or flag overrides it, and says which", () => {
    for (const unset of [undefined, null]) {
      const t = thresholdInForce(model, unset, 'latentXrd.noveltyPValueThreshold');
      assert.deepEqual([t.pThreshold, t.source], [0.01, 'model']);
      assert.match(t.description, /the model's threshold/);
    }
    const t = thresholdInForce({ calibration: { pThreshold: 0.05 } }, 0.001, 'latentXrd.noveltyPValueThreshold');
    assert.deepEqual([t.pThreshold, t.source], [0.001, 'override']);
    assert.match(t.description, /latentXrd\.noveltyPValueThreshold.*model's is 0\.05/);
    // The same p-value is novel at one and known at the other.
    assert.equal(verdictFor(finite, thresholdInForce(model, null)), 'novel');
    assert.equal(verdictFor(finite, thresholdInForce(model, 0.001)), 'known');
  });

  it('refuses an override that is not a p-value, naming where it came from', () => {
    for (const bad of [0, 1, -0.1, 2, NaN]) {
      assert.throws(() => thresholdInForce(model, bad, '--threshold'), (e: Error) => e instanceof UserError && /--threshold must be a p-value/.test(e.message), String(bad));
    }
  });

  it('gives no KNOWN or NOVEL below half coverage, and words the verdict with the model\'s reliability', () => {
    assert.equal(MIN_COVERAGE_FOR_VERDICT, 0.5);
    assert.equal(verdictFor({ ...finite, coverage: 0.4 }, 0.01), 'outside-range');
    assert.equal(verdictFor({ ...finite, pValue: 0.5, coverage: 0.4 }, 0.01), 'outside-range');
    assert.equal(verdictFor({ ...finite, coverage: 0.6 }, 0.01), 'novel');
    assert.equal(verdictFor({ ...finite, pValue: 0.5, coverage: 0.5 }, 0.01), 'known');
    assert.throws(() => verdictFor({ ...finite, coverage: NaN }, 0.01), /non-finite score.*coverage/);
    assert.equal(verdictLabel('known', false), 'KNOWN (unreliable model)');
    assert.equal(verdictLabel('novel', false), 'NOVEL (unreliable model)');
    assert.equal(verdictLabel('known', true), 'KNOWN');
    assert.equal(verdictLabel('known', null), 'KNOWN');
    assert.equal(verdictLabel('outside-range', false), "OUTSIDE THE MODEL'S RANGE");
  });
});

describe('verdicts: a weak model says so', () => {
  const calibrated = { falsePositives: 1, patterns: 300, pThreshold: 0.01, calibrationErrors: 1500 };

  it('binomial tail equals scipy.stats.binom.sf', () => {
    // python3 -c "from scipy.stats import binom; print(binom.sf(k-1, n, p))" (scipy 1.17.1)
    const reference: [number, number, number, number][] = [
      [4, 60, 0.02, 0.032194170546080064],
      [1, 50, 0.02, 0.635830319912883],
      [30, 1000, 0.02, 0.02069651867323949],
      [3, 10, 0.5, 0.9453125],
      [0, 5, 0.1, 1],
      [120, 10000, 0.02, 0.9999999997147787],
      [5, 200, 0.02, 0.3711564198711834],
    ];
    for (const [k, n, p, sf] of reference) assert.ok(Math.abs(binomialUpperTail(k, n, p) - sf) <= 1e-12 + 1e-9 * sf, `${k} ${n} ${p}: ${binomialUpperTail(k, n, p)} vs ${sf}`);
  });

  it("flags the end-to-end demo model's checks (KNN 0.858, unknown-phase AUROC 0.867), with both reasons", () => {
    const r = assessReliability({ knnAccuracy: 0.858, aurocUnknown: 0.867, aurocMixtures: 0.95, calibration: calibrated });
    assert.equal(r.reliable, false);
    assert.equal(r.reasons.length, 2, r.reasons.join('\n'));
    assert.match(r.reasons[0], /known phases not separated.*85\.8 %.*≥ 90\.0 %/);
    assert.match(r.reasons[1], /unknown phases.*AUROC 0\.867.*≥ 0\.9/);
  });

  it('passes a model that meets every bar; an unmeasured check is not held against it', () => {
    const good = { knnAccuracy: 0.99, aurocUnknown: 0.97, aurocMixtures: 0.93, calibration: calibrated };
    assert.deepEqual(assessReliability(good), { reliable: true, reasons: [] });
    assert.deepEqual(assessReliability({ ...good, aurocUnknown: NaN, aurocMixtures: undefined }), { reliable: true, reasons: [] });
    const mixtures = assessReliability({ ...good, aurocMixtures: 0.7 });
    assert.match(mixtures.reasons.join(), /mixtures not told from pure.*0\.700/);
  });

  it('flags calibration off by more than the factor only on evidence, and a calibration set too small to say p < α', () => {
    // 1 of 50 at α = 0.01 is 2 %: no evidence. 12 of 300 (4 %) against 2 × 1 %: P(X ≥ 12 | 300, 0.02) < 0.05.
    assert.equal(assessReliability({ knnAccuracy: 1, aurocUnknown: 1, calibration: { ...calibrated, falsePositives: 1, patterns: 50 } }).reliable, true);
    assert.ok(binomialUpperTail(12, 300, 2 * 0.01) < RELIABILITY_BARS.calibrationSignificance);
    const off = assessReliability({ knnAccuracy: 1, aurocUnknown: 1, calibration: { ...calibrated, falsePositives: 12 } });
    assert.match(off.reasons.join(), /not calibrated: 12 of 300.*4\.0 %/);
    const small = assessReliability({ knnAccuracy: 1, aurocUnknown: 1, calibration: { ...calibrated, calibrationErrors: 99 } });
    assert.match(small.reasons.join(), /calibration too small: 99 held-out errors/);
    // Counted as a measured pattern is scored: p-value against the calibration errors.
    assert.equal(falsePositives([0.05, 0.5, 2, 3], Array.from({ length: 199 }, (_, i) => i / 100), 0.01), 2);
  });

  it('is validated in the manifest; a model without it still loads and reads as unknown', () => {
    const spec = { points: 64, hidden: [8], latent: 2, compositionElements: [], beta: 1 };
    const old = validateManifest(JSON.parse(JSON.stringify(testManifest(spec))), 'old/manifest.json');
    assert.equal(reliabilityState(old).reliable, null);
    assert.match(reliabilityState(old).summary, /unknown.*saved before/);
    const reasons = ['known phases not separated: …'];
    const weak = validateManifest(JSON.parse(JSON.stringify(testManifest(spec, { reliability: { reliable: false, reasons } }))), 'm/manifest.json');
    assert.deepEqual(reliabilityState(weak), { reliable: false, summary: reliabilityState(weak).summary, reasons });
    assert.match(reliabilityState(weak).summary, /UNRELIABLE/);
    const damaged: [unknown, RegExp][] = [
      [{ reliable: 'yes', reasons: [] }, /reliability\.reliable: must be true or false/],
      [{ reliable: false, reasons: [] }, /reliability\.reasons: an unreliable model must say why/],
      [{ reliable: true, reasons: ['x'] }, /reliability\.reasons: a reliable model has no reasons/],
      [{ reliable: false, reasons: [3] }, /reliability\.reasons\[0\]: must be a sentence/],
      [{ reliable: false }, /reliability\.reasons: missing/],
      ['reliable', /reliability: must be an object/],
    ];
    for (const [reliability, message] of damaged) {
      const m = JSON.parse(JSON.stringify(testManifest(spec))) as Record<string, unknown>;
      m.reliability = reliability;
      assert.throws(() => validateManifest(m, 'm/manifest.json'), (e: Error) => e instanceof UserError && message.test(e.message) && e.message.startsWith('m/manifest.json: '), JSON.stringify(reliability));
    }
  });
});

describe('verdicts: only what was measured counts', function () {
  this.timeout(60_000);
  before(() => initBackend('wasm'));

  const spec = { points: 256, hidden: [32], latent: 2, compositionElements: [], beta: 1 };
  /** Lines over 20–90° on a sloping background, measured from `from` to `to` on a 0.02° step. */
  const measured = (from: number, to: number) => {
    const twoTheta = gridValues({ min: from, max: to, points: Math.round((to - from) / 0.02) + 1 });
    const lines = [27, 33, 44, 51, 58, 65, 76, 84];
    return { twoTheta, intensity: Float64Array.from(twoTheta, (t) => 50 + t + lines.reduce((s, c, k) => s + (1000 / (k + 1)) * Math.exp(-(((t - c) / 0.3) ** 2)), 0)) };
  };
  /** Σ over grid points first..last of KL(Bernoulli(y) ‖ Bernoulli(q)), q clipped as Keras does, over all `points`: written out here as the reference. */
  const klOverSpan = (y: Float32Array, p: Float32Array, first: number, last: number) => {
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      const yi = y[i];
      sum += (yi > 0 ? yi * Math.log(yi / q) : 0) + (yi < 1 ? (1 - yi) * Math.log((1 - yi) / (1 - q)) : 0);
    }
    return sum / y.length;
  };

  it('scores a pattern cut to 60 % coverage over the covered part only, with a verdict; at 40 % it is outside the range', () => {
    const scorer = untrainedScorer(spec);
    const sixty = scorer.scoreMeasured(measured(20, 62));
    assert.ok(Math.abs(sixty.score.coverage! - 0.6) < 0.01, String(sixty.score.coverage));
    const { first, last } = sixty.prepared.covered!;
    assert.ok(first === 0 && last < 0.61 * 256 && last > 0.59 * 256, `${first}–${last}`);
    const reference = klOverSpan(sixty.prepared.pattern, sixty.reconstruction, first, last);
    assert.ok(Math.abs(sixty.score.bceExcess - reference) < 1e-5 * reference, `${sixty.score.bceExcess} vs ${reference}`);
    // The whole grid (fill included) would count more: the fill is not data.
    const whole = klOverSpan(sixty.prepared.pattern, sixty.reconstruction, 0, 255);
    assert.ok(whole > sixty.score.bceExcess, `${whole} vs ${sixty.score.bceExcess}`);
    // A model without its calibration patterns: against the whole patterns' errors, and it says so.
    assert.equal(sixty.score.pValue, pValue(scorer.model.manifest.calibration.errors, sixty.score.bceExcess));
    assert.equal(sixty.score.calibratedOver, 'whole-range');
    assert.match(sixty.score.verdict, /^(known|novel)$/);
    const forty = scorer.scoreMeasured(measured(20, 48));
    assert.ok(Math.abs(forty.score.coverage! - 0.4) < 0.01);
    assert.equal(forty.score.verdict, 'outside-range');
    // A full pattern has coverage 1 and its errors over the whole grid.
    const full = scorer.scoreMeasured(measured(20, 90));
    assert.equal(full.score.coverage, 1);
    assert.equal(full.score.calibratedOver, undefined, 'a whole pattern is calibrated as always');
    assert.ok(Math.abs(full.score.bceExcess - klOverSpan(full.prepared.pattern, full.reconstruction, 0, 255)) < 1e-5 * full.score.bceExcess);
  });

  it('calibrates a partly measured pattern against the calibration patterns cut to the same span and prepared alike', () => {
    const base = untrainedScorer(spec);
    // 40 calibration patterns on the grid: the same lines, shifted and weighted differently, in [0, 1].
    const grid = base.model.manifest.grid;
    const twoTheta = gridValues(grid);
    const calibrationPatterns = new Float32Array(40 * spec.points);
    for (let r = 0; r < 40; r++) {
      const row = twoTheta.map((t) => 0.05 + [27, 44, 51, 65, 76].reduce((s, c, k) => s + Math.exp(-(((t - c - 0.02 * r) / 0.4) ** 2)) / (1 + ((k + r) % 3)), 0));
      const top = Math.max(...row);
      calibrationPatterns.set(row.map((v) => v / top), r * spec.points);
    }
    const manifest = { ...base.model.manifest, calibration: { ...base.model.manifest.calibration, patterns: 40 } };
    const scorer = new Scorer({ ...base.model, manifest, calibrationPatterns });
    const cut = measured(48, 90);
    const { score, prepared } = scorer.scoreMeasured(cut);
    assert.equal(score.calibratedOver, 'same-span');
    // The reference, by hand: each calibration pattern as a file measured over the same 2θ, scored as the pattern was.
    const { first, last } = prepared.covered!;
    const asFile = (r: number) => ({ twoTheta: twoTheta.subarray(first, last + 1), intensity: Float64Array.from(calibrationPatterns.subarray(r * spec.points + first, r * spec.points + last + 1)) });
    const reference = sortedCopy(Array.from({ length: 40 }, (_, r) => scorer.scoreMeasured(asFile(r)).score.bceExcess));
    assert.equal(score.pValue, pValue(reference, score.bceExcess));
    // A conditional model keeps no calibration patterns (their compositions are not kept): the bound, said so.
    const conditional = { ...spec, compositionElements: ['Ni', 'Cr'] };
    const cvae = new Scorer({ manifest: testManifest(conditional, { grid, calibration: manifest.calibration }), members: [buildVae(conditional, 2)], calibrationPatterns });
    assert.equal(cvae.calibrationOver({ first: 0, last: 100, coverage: 0.4 }).basis, 'whole-range');
    // Computed once per span: a second pattern over the same span finds it.
    assert.equal(scorer.calibrationOver({ ...prepared.covered!, coverage: prepared.coverage, options: prepared.options }).errors, scorer.calibrationOver({ ...prepared.covered!, coverage: prepared.coverage, options: prepared.options }).errors);
  });

  it('keeps the calibration patterns in the model folder, checked when loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-calibration-'));
    try {
      const small = { points: 64, hidden: [8], latent: 2, compositionElements: [], beta: 1 };
      const patterns = Float32Array.from({ length: 2 * 64 }, (_, i) => (i % 64) / 63);
      const target = join(dir, 'model');
      await saveModel(target, [buildVae(small, 1)], testManifest(small, { calibration: { metric: 'bceExcess', errors: [0.1, 0.2], pThreshold: 0.01, errorThreshold: 0.2, patterns: 2 } }), patterns);
      const loaded = await loadModel(target);
      assert.deepEqual(Array.from(loaded.calibrationPatterns!), Array.from(patterns));
      // A model folder with the file is still Latent XRD's own: it may be replaced.
      await saveModel(target, [buildVae(small, 1)], testManifest(small), undefined);
      assert.equal((await loadModel(target)).calibrationPatterns, undefined);
      await saveModel(target, [buildVae(small, 1)], testManifest(small, { calibration: { metric: 'bceExcess', errors: [0.1, 0.2], pThreshold: 0.01, errorThreshold: 0.2, patterns: 2 } }), patterns);
      const file = join(target, CALIBRATION_PATTERNS_FILE);
      const nan = Buffer.alloc(2 * 64 * 4);
      nan.writeFloatLE(NaN, 4 * 70);
      writeFileSync(file, nan);
      await assert.rejects(loadModel(target), (e: Error) => e instanceof UserError && e.message.includes(CALIBRATION_PATTERNS_FILE) && /value 71 \(pattern 2\) is NaN/.test(e.message));
      truncateSync(file, 100);
      await assert.rejects(loadModel(target), (e: Error) => e instanceof UserError && /100 bytes; 2 patterns of 64 float32 values are 512/.test(e.message));
      rmSync(file);
      await assert.rejects(loadModel(target), (e: Error) => e instanceof UserError && /missing; the manifest says the model keeps 2 calibration patterns/.test(e.message));
      const m = JSON.parse(JSON.stringify(testManifest(small, { calibration: { metric: 'bceExcess', errors: [0.1, 0.2], pThreshold: 0.01, errorThreshold: 0.2, patterns: 3 } })));
      assert.throws(() => validateManifest(m, 'x/manifest.json'), /calibration\.patterns: 3 patterns kept, but only 2 calibrated the model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same numbers one by one and in a batch, partly measured or not', () => {
    const scorer = untrainedScorer(spec);
    const patterns = [measured(20, 62), measured(20, 90), measured(20, 48), measured(40, 90)];
    const alone = patterns.map((p) => scorer.scoreMeasured(p).score);
    const batched = scorer.scoreManyMeasured(patterns).map((r) => r.score!);
    for (let i = 0; i < patterns.length; i++) {
      for (const key of ['bceExcess', 'bce', 'mse', 'pValue', 'coverage'] as const) assert.ok(Math.abs(alone[i][key]! - batched[i][key]!) <= 1e-6 * Math.abs(alone[i][key]!), `${i} ${key}`);
      assert.equal(alone[i].verdict, batched[i].verdict);
    }
  });
});

describe("verdicts: the watch folder's batch path prepares as the single one", function () {
  this.timeout(60_000);
  before(() => initBackend('wasm'));

  it("keeps a Mo Kα file at the Mo model's wavelength in a backlog batch as when scored alone", () => {
    // A real diffractometer file (BT86.raw, Cu) declared as measured with Mo Kα1, scored by a model
    // trained at Mo Kα1: neither path may convert its 2θ.
    const MO = 0.70932;
    const file = { ...readPatternFile(join(FIXTURES, 'BT86.raw')), wavelength: MO, wavelength2: 0.71359 };
    const base = untrainedScorer({ points: 512, hidden: [32], latent: 2, compositionElements: [], beta: 1 });
    const scorer = new Scorer({ ...base.model, manifest: { ...base.model.manifest, wavelength: MO } });
    const scoring = modelScoring(scorer);
    const request = { measured: file, file: { path: 'mo.raw', name: 'mo.raw', version: { size: 0, mtimeMs: 0, ino: 0 } } };
    const alone = scoring.score(file, request.file) as FileScore;
    const [inBatch] = scoring.scoreBatch!([request, request]) as FileScore[];
    assert.match(alone.steps.find((s) => /0\.70932 Å/.test(s)) ?? '', /the model's wavelength.*2θ kept/);
    assert.deepEqual(inBatch.steps, alone.steps);
    for (const key of ['bceExcess', 'bce', 'mse', 'pValue', 'coverage'] as const) assert.ok(Math.abs(alone[key] - inBatch[key]) <= 1e-6 * Math.abs(alone[key]), key);
    assert.deepEqual(inBatch.latent.map((v) => v.toFixed(5)), alone.latent.map((v) => v.toFixed(5)));
  });
});
