import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generateDataset, planDataset, readDataset, type Dataset } from '../../src/core/synth/dataset';
import type { SynthConfig } from '../../src/core/synth/config';
import { gather, majorityPhase, splitDataset, trainFromDataset, type TrainReport } from '../../src/core/model/pipeline';
import { readManifest, validateManifest, type ModelManifest } from '../../src/core/model/store';
import { encodeAndReconstruct } from '../../src/core/model/vae';
import { noveltyMeaning } from '../../src/core/model/manifest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../src/core/model/training-config';
import { auroc, median, pValue } from '../../src/core/analysis/metrics';

const paperDemo = join(__dirname, '../../../examples/paper-demo');

/** The paper's phases: fcc Ni, bcc Cr, hcp Co known; the σ phase unknown. */
function config(mixtures: SynthConfig['mixtures'], output: string, perPhase = 200): SynthConfig {
  return {
    phases: [
      { name: 'Ni', cif: 'Ni-fcc.cif', count: perPhase },
      { name: 'Cr', cif: 'Cr-bcc.cif', count: perPhase },
      { name: 'Co', cif: 'Co-hcp.cif', count: perPhase },
      { name: 'sigma', cif: 'FeCr-sigma.cif', count: 80, role: 'unknown' },
    ],
    mixtures,
    grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
    seed: 21,
    output,
  };
}

async function dataset(dir: string, mixtures: SynthConfig['mixtures'], output: string, perPhase?: number): Promise<Dataset> {
  const { plan, diagnostics } = planDataset(config(mixtures, output, perPhase), dir);
  assert.ok(plan, JSON.stringify(diagnostics));
  await generateDataset(plan);
  return readDataset(join(dir, output));
}

/**
 * Enough training for the VAE to have learnt the pure phases (on 1000 patterns per phase it
 * classifies the held-out pure patterns' latents with KNN accuracy ≥ 0.99; on 200, 0.74): a
 * comparison of what mixtures do to a model means little before that.
 */
const training: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, epochs: 60, batchSize: 64, klWarmupEpochs: 2, patience: 0, latent: 8, beta: 0.05, seed: 3 };

/** Share of the errors whose p-value against the calibration errors is below the model's threshold. */
function novelShare(errors: ArrayLike<number>, manifest: ModelManifest): number {
  let novel = 0;
  for (let i = 0; i < errors.length; i++) if (pValue(manifest.calibration.errors, errors[i]) < manifest.calibration.pThreshold) novel++;
  return novel / errors.length;
}

function dispose(report: TrainReport): void {
  for (const m of report.members) {
    m.encoder.dispose();
    m.decoder.dispose();
  }
}

describe('mixture-aware models (mixtures.role "known")', function () {
  this.timeout(300_000);
  let dir: string;
  let known: Dataset;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-mixture-model-'));
    for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) copyFileSync(join(paperDemo, f), join(dir, f));
    known = await dataset(dir, { role: 'known', pairs: [['Ni', 'Cr'], ['Ni', 'Co'], ['Cr', 'Co'], ['Co', 'sigma']], pairCount: 100, ternaries: 'known', ternaryCount: 100 }, 'known.h5');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('split: mixtures of known phases join training, validation and the held-out test by combination; nothing with the unknown phase is trained on', () => {
    const split = splitDataset(known, training);
    assert.equal(split.mixtureAware, true);
    const phases = known.phaseNames.length;
    const holds = (row: number, p: number) => known.fractions[row * phases + p] > 0;
    const isMixture = (row: number) => known.labels[row] < 0;
    for (const rows of [split.train, split.validation, split.calibration]) {
      assert.ok([...rows].every((r) => !holds(r, 3)), 'no pattern with the σ phase is trained on or calibrates');
      assert.ok([...rows].some(isMixture), 'mixtures are trained on and calibrate');
    }
    assert.ok([...split.test].every((r) => !isMixture(r)), 'the test set proper is pure');
    assert.ok(split.mixtures.length > 0 && [...split.mixtures].every((r) => isMixture(r) && !holds(r, 3)));
    // 10 % validation, 10 % calibration and 20 % test of each combination's 100 patterns.
    const combination = (rows: Int32Array, a: number, b: number) => [...rows].filter((r) => holds(r, a) && holds(r, b) && !holds(r, 3) && [0, 1, 2].filter((p) => holds(r, p)).length === 2).length;
    assert.deepEqual(
      [combination(split.train, 0, 1), combination(split.validation, 0, 1), combination(split.calibration, 0, 1), combination(split.mixtures, 0, 1)],
      [60, 10, 10, 20],
    );
    assert.equal([...split.unknown].filter((r) => isMixture(r)).length, 100, 'the Co + σ mixtures are scored with the unknown phase');
    const all = [...split.train, ...split.validation, ...split.calibration, ...split.mixtures, ...split.test, ...split.unknown];
    assert.equal(new Set(all).size, known.count, 'every row in one set');
    assert.equal(all.length, known.count, 'and in no more than one');
    // A mixture is labelled with the phase it holds most of, by weight.
    for (const r of split.train) {
      if (!isMixture(r)) continue;
      const w = [0, 1, 2].map((p) => known.weightFractions![r * phases + p]);
      assert.equal(split.rowLabel[r], w.indexOf(Math.max(...w)));
      assert.equal(majorityPhase(known, r), w.indexOf(Math.max(...w)));
    }
  });

  it('held-out mixtures of known phases are KNOWN and the unknown phase NOVEL, where a model of pure phases calls many mixtures NOVEL', async () => {
    // Two models on the same pure patterns (pure jobs come first from one seed, and the split
    // of pure rows is the same): one also trains and calibrates on mixtures of the known
    // phases, the other does not. Both score the first one's held-out mixtures.
    const mixtures = { role: 'known' as const, pairs: 'known' as const, pairCount: 200, ternaries: 'known' as const, ternaryCount: 200 };
    const withMixtures = await dataset(dir, mixtures, 'aware.h5', 1000);
    await dataset(dir, undefined, 'pure.h5', 1000);
    const aware = await trainFromDataset({ datasetPath: join(dir, 'aware.h5'), modelDir: join(dir, 'aware'), training, backend: 'wasm', baselines: false });
    const pure = await trainFromDataset({ datasetPath: join(dir, 'pure.h5'), modelDir: join(dir, 'pure'), training, backend: 'wasm', baselines: false });
    try {
      assert.deepEqual([...pure.split.train], [...aware.split.train].filter((r) => withMixtures.labels[r] >= 0), 'the same pure training patterns');
      const g = aware.evaluation.groups;
      assert.equal(g.mixtures.rows.length, 160);
      const heldOut = g.mixtures.bceExcess;
      const byPureModel = encodeAndReconstruct(pure.members[0], gather(withMixtures.patterns, withMixtures.points, aware.split.mixtures), aware.split.mixtures.length).bceExcess;

      // The mixture-aware model: the held-out mixtures' errors well below the σ phase's — its
      // median error at least 3× theirs and AUROC ≥ 0.9 (were the 80 σ and 160 mixture errors
      // one distribution, the AUROC's standard deviation would be √(241/(12·80·160)) ≈ 0.04,
      // and 0.9 ten of them above 0.5) — and at its own threshold (p < 0.01) at most 5 % of the
      // mixtures NOVEL, every σ pattern NOVEL but for a tenth.
      const ratio = median(g.unknown.bceExcess) / median(heldOut);
      assert.ok(ratio >= 3, `median error σ ÷ held-out mixtures ${ratio.toFixed(2)}`);
      assert.ok(auroc(g.unknown.bceExcess, heldOut) >= 0.9, `AUROC σ vs held-out mixtures ${auroc(g.unknown.bceExcess, heldOut).toFixed(3)}`);
      const mixturesNovel = novelShare(heldOut, aware.manifest);
      assert.ok(mixturesNovel <= 0.05, `${(100 * mixturesNovel).toFixed(1)} % of held-out known mixtures NOVEL`);
      assert.ok(novelShare(g.unknown.bceExcess, aware.manifest) >= 0.9);
      // The same mixtures to the model of pure phases: NOVEL at least 10 points more often. Were
      // the rates equal (about 10 % pooled), a difference of 0.1 between two shares of 160 would
      // be 3 standard deviations (√(2·0.1·0.9/160) ≈ 0.034): a chance of about 1 in 1000.
      const pureModelNovel = novelShare(byPureModel, pure.manifest);
      assert.ok(pureModelNovel - mixturesNovel >= 0.1, `held-out mixtures NOVEL: ${(100 * mixturesNovel).toFixed(1)} % mixture-aware, ${(100 * pureModelNovel).toFixed(1)} % pure-only`);

      const manifest = readManifest(join(dir, 'aware'));
      assert.deepEqual(manifest.mixtures, { role: 'known', minimumWeightFraction: 0.02 });
      assert.deepEqual(readManifest(join(dir, 'pure')).mixtures, { role: 'novel' });
      assert.match(noveltyMeaning(manifest), /holds something the known phases do not explain.*2 wt %/);
      const counts = (manifest.training as { counts: Record<string, number> }).counts;
      assert.deepEqual([counts.trainMixtures, counts.validationMixtures, counts.calibrationMixtures, counts.mixtures], [480, 80, 80, 160]);
      const measures = (manifest.metrics as { mixtureAware?: Record<string, number> }).mixtureAware!;
      assert.ok(measures.aurocUnknownAgainstKnown >= 0.9 && measures.knnAccuracyMixtures > 0.5, JSON.stringify(measures));
      // Mixture reference points carry their majority phase.
      const references = manifest.reference.labels;
      assert.equal(references.length, aware.split.train.length);
      aware.split.train.forEach((r, i) => assert.equal(references[i], withMixtures.labels[r] >= 0 ? withMixtures.labels[r] : majorityPhase(withMixtures, r)));
    } finally {
      dispose(aware);
      dispose(pure);
    }
  });

  it('a model of the paper\'s study says mixtures count as novel; a manifest without the field is one', () => {
    const base = readManifest(join(dir, 'aware'));
    const paper = validateManifest({ ...base, mixtures: { role: 'novel' } }, 'm.json');
    const older = validateManifest({ ...base, mixtures: undefined }, 'm.json');
    for (const m of [paper, older]) assert.match(noveltyMeaning(m), /not a pure known phase: mixtures of known phases were not trained on/);
    assert.throws(() => validateManifest({ ...base, mixtures: { role: 'sometimes' } }, 'm.json'), /m\.json: mixtures\.role: must be "known" or "novel"/);
    assert.throws(() => validateManifest({ ...base, mixtures: { role: 'known', minimumWeightFraction: 'two' } }, 'm.json'), /mixtures\.minimumWeightFraction/);
  });

  it('the paper\'s study keeps every mixture out of training, as before', async () => {
    const paper = await dataset(dir, { pairs: 'known', fractions: 4, countPerFraction: 5 }, 'paper.h5');
    const split = splitDataset(paper, training);
    assert.equal(split.mixtureAware, false);
    assert.deepEqual([...split.mixtures], Array.from({ length: 60 }, (_, i) => 680 + i));
    for (const rows of [split.train, split.validation, split.test]) assert.ok([...rows].every((r) => paper.labels[r] >= 0));
  });
});
