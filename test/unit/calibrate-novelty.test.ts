// latent-xrd calibrate-novelty: the user's measured patterns of known phases as the conformal
// calibration sample, written only when every file scores, reverted on request, and named
// wherever the verdict is shown.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { pValue } from '../../src/core/analysis/metrics';
import { unexplainedLineSum } from '../../src/core/analysis/novelty-statistic';
import { validateManifest } from '../../src/core/model/manifest';
import { calibrationInForce, modelRevision, withMeasuredCalibration } from '../../src/core/model/novelty-calibration';
import { testManifest } from './model-fixtures';

const examples = join(__dirname, '../../../examples/paper-demo');

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

describe('latent-xrd calibrate-novelty', function () {
  this.timeout(300_000);
  let dir: string;
  const files: string[] = [];
  const manifestText = () => readFileSync(join(dir, 'model', 'manifest.json'), 'utf8');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-calnov-'));
    for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif']) copyFileSync(join(examples, f), join(dir, f));
    writeFileSync(
      join(dir, 'latent-xrd.json'),
      JSON.stringify({
        phases: ['Ni', 'Cr', 'Co'].map((name) => ({ name, cif: `${name}-${{ Ni: 'fcc', Cr: 'bcc', Co: 'hcp' }[name]}.cif`, count: 120 })),
        grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
        seed: 3,
        output: 'data.h5',
        training: { epochs: 2, batchSize: 32, klWarmupEpochs: 1 },
      }),
    );
    const trained = await cli(dir, 'train');
    assert.equal(trained.code, 0, trained.stderr);
    // "Measured" known patterns: the simulator's, on another grid, with counting noise.
    for (let i = 0; i < 12; i++) {
      const cif = ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif'][i % 3];
      const out = `known-${i}.xy`;
      assert.equal((await cli(dir, 'simulate', cif, '--seed', String(100 + i), '--points', '900', '-o', out)).code, 0);
      files.push(out);
    }
  });

  it('refuses too few files for the threshold before any work, and writes nothing', async () => {
    const before = manifestText();
    const r = await cli(dir, 'calibrate-novelty', '--model', 'model', ...files.slice(0, 5));
    assert.equal(r.code, 2);
    // The p-value combines the error's and the lines' (Bonferroni): its smallest is 2/(n + 1).
    assert.match(r.stderr, /5 known patterns give p-values no smaller than 2\/6 = 0\.333, so no pattern could be called NOVEL at p < 0\.01: give at least 200/);
    assert.equal(manifestText(), before);
  });

  it('refuses the whole calibration when one file cannot be scored, naming it', async () => {
    writeFileSync(join(dir, 'broken.xy'), '20 1\n21 2\n22 oops\n');
    const before = manifestText();
    const r = await cli(dir, 'calibrate-novelty', '--model', 'model', '--p-threshold', '0.2', ...files, 'broken.xy');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /every file must be scored to calibrate; nothing was written\.\n {2}broken\.xy: .*broken\.xy:3:4/);
    assert.equal(manifestText(), before);
  });

  it('calibrates on the files, scores against them, says so, and reverts', async () => {
    const original = JSON.parse(manifestText());
    const r = await cli(dir, 'calibrate-novelty', '--model', 'model', '--p-threshold', '0.2', '--json', ...files);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(manifestText());
    validateManifest(manifest, 'manifest.json');
    assert.equal(manifest.calibration.source.kind, 'measured');
    assert.deepEqual(manifest.calibration.source.files, files.map((f) => join('..', f)));
    assert.equal(manifest.calibration.errors.length, 12);
    assert.equal(manifest.calibration.pThreshold, 0.2);
    assert.deepEqual(manifest.syntheticCalibration, original.calibration);
    assert.equal(manifest.created, original.created, 'the same model');
    assert.notEqual(modelRevision(manifest), modelRevision(original), 'but other verdicts: caches see a new revision');
    // The errors recorded are the files' own scores, and a new pattern's p-value is its rank among them.
    const reported = JSON.parse(r.stdout).files as { file: string; error: number }[];
    assert.deepEqual(manifest.calibration.errors, reported.map((f) => Math.round(f.error * 1e6) / 1e6).sort((a, b) => a - b));
    assert.equal((await cli(dir, 'simulate', 'Ni-fcc.cif', '--seed', '999', '-o', 'new.xy')).code, 0);
    const scored = await cli(dir, 'score', '--model', 'model', 'new.xy', '--json');
    const result = JSON.parse(scored.stdout);
    // Both halves against the files: the error's rank among theirs, the lines' among their line sums.
    const scoredNew = result.results[0];
    assert.equal(manifest.calibration.lineSums.length, 12);
    assert.equal(scoredNew.pValueError, pValue(manifest.calibration.errors, scoredNew.bceExcess));
    const lineSum = unexplainedLineSum(scoredNew.unexplainedPeaks);
    assert.equal(scoredNew.pValueLines, lineSum > 0 ? pValue(manifest.calibration.lineSums, lineSum) : 1);
    assert.equal(scoredNew.pValue, Math.min(1, 2 * Math.min(scoredNew.pValueError, scoredNew.pValueLines)));
    assert.match(result.calibration, /calibrated on 12 measured patterns declared known/);
    assert.equal(result.results[0].verdict, result.results[0].pValue < 0.2 ? 'novel' : 'known');

    const reverted = await cli(dir, 'calibrate-novelty', '--model', 'model', '--revert');
    assert.equal(reverted.code, 0, reverted.stderr);
    assert.match(reverted.stdout, /held-out synthetic patterns/);
    const back = JSON.parse(manifestText());
    assert.deepEqual(back.calibration, original.calibration);
    assert.equal(back.syntheticCalibration, undefined);
    const again = await cli(dir, 'calibrate-novelty', '--model', 'model', '--revert');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /nothing to revert/);
  });

  it('a damaged calibration source is refused by the manifest reader, at its key', () => {
    const spec = { points: 16, hidden: [8], latent: 2, compositionElements: [], beta: 1 };
    const good = withMeasuredCalibration(testManifest(spec), [0.1, 0.2, 0.3], ['a.xy', 'b.xy', 'c.xy'], 0.5, new Date(0));
    assert.match(calibrationInForce(good), /3 measured patterns declared known \(1970-01-01/);
    const bad = JSON.parse(JSON.stringify(good));
    bad.calibration.source.kind = 'guessed';
    assert.throws(() => validateManifest(bad, 'm.json'), /m\.json: calibration\.source\.kind: must be "synthetic" or "measured"; got "guessed"/);
    const noFiles = JSON.parse(JSON.stringify(good));
    noFiles.calibration.source.files = [];
    assert.throws(() => validateManifest(noFiles, 'm.json'), /calibration\.source\.files: 0 entries; must have at least 1/);
    assert.throws(() => withMeasuredCalibration(testManifest(spec), [0.1, NaN, 0.3], ['a.xy', 'b.xy', 'c.xy'], 0.5, new Date(0)), /b\.xy: the model gave a non-finite error/);
  });
});
