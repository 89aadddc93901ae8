// A damaged or hostile model folder is refused on loading with the file and the key, before
// anything is allocated from its numbers: manifest.json field by field, and the weights files
// against the manifest's spec.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadModel } from '../../src/core/model/store';
import { UserError } from '../../src/core/diagnostics';
import { describeRun, runCliProcess, untrainedModel } from './helpers';

type Json = Record<string, any>;

describe('scoring adversarial: model folders', function () {
  this.timeout(120_000);
  let work: string;
  let good: string;
  let copies = 0;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'latent-xrd-model-'));
    good = await untrainedModel(join(work, 'good'));
    const twoTheta = Array.from({ length: 701 }, (_, i) => 20 + i * 0.1);
    writeFileSync(join(work, 'p.xy'), twoTheta.map((t) => `${t.toFixed(2)} ${(100 + 1000 * Math.exp(-((t - 44) ** 2) / 0.1)).toFixed(1)}`).join('\n') + '\n');
  });

  /** A copy of the good model with `change` applied to its manifest (or its files). */
  function variant(change: (manifest: Json, dir: string) => void): string {
    const dir = join(work, `variant-${++copies}`);
    cpSync(good, dir, { recursive: true });
    const path = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    change(manifest, dir);
    writeFileSync(path, JSON.stringify(manifest));
    return dir;
  }

  async function refused(dir: string, message: RegExp): Promise<void> {
    await assert.rejects(loadModel(dir), (e: Error) => {
      assert.ok(e instanceof UserError, `a UserError, not ${e.name}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  }

  it('the good model loads (the checks accept what training writes)', async () => {
    const { manifest, members } = await loadModel(good);
    assert.equal(manifest.spec.points, 128);
    assert.equal(members.length, 1);
  });

  it('spec.latent: 100000 is refused on reading, naming the key (it hung or exploded)', async () => {
    await refused(variant((m) => (m.spec.latent = 100000)), /manifest\.json: spec\.latent: 100000 is larger than 64, the most latent dimensions a model can have/);
    const r = await runCliProcess(['score', '--model', variant((m) => (m.spec.latent = 100000)), join(work, 'p.xy')]);
    assert.equal(r.hung, false, describeRun(r));
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /spec\.latent: 100000 is larger than 64/);
  });

  it('a manifest without reference or calibration is a located error, not a TypeError', async () => {
    await refused(variant((m) => delete m.reference), /manifest\.json: reference: missing/);
    await refused(variant((m) => delete m.calibration), /manifest\.json: calibration: missing/);
    for (const key of ['reference', 'calibration']) {
      const r = await runCliProcess(['score', '--model', variant((m) => delete m[key]), join(work, 'p.xy')]);
      assert.equal(r.code, 2, describeRun(r));
      assert.doesNotMatch(r.stderr, /internal error|TypeError/);
      assert.match(r.stderr, new RegExp(`${key}: missing`));
    }
  });

  it('every field scoring reads is checked: type, finiteness, bounds, consistency', async () => {
    const cases: [(m: Json) => void, RegExp][] = [
      [(m) => (m.spec.points = 1e9), /spec\.points: 1000000000 is larger than 65536/],
      [(m) => (m.spec.hidden = [1e9]), /spec\.hidden\[0\]: 1000000000 is larger than/],
      [(m) => (m.spec.hidden = [8192, 8192, 8192, 8192]), /spec: \d+ weights, more than the 67108864 a model can have/],
      [(m) => (m.spec.latent = 2.5), /spec\.latent: must be a whole number; got 2\.5/],
      [(m) => (m.spec.latent = '2'), /spec\.latent: must be a whole number; got "2"/],
      [(m) => delete m.spec.hidden, /spec\.hidden: missing/],
      [(m) => (m.kind = 'cvae'), /spec\.compositionElements: a conditional model \(kind "cvae"\) needs its composition elements/],
      [(m) => (m.grid.points = 64), /grid\.points: 64 differs from spec\.points \(128\)/],
      [(m) => (m.grid.max = 10), /grid\.max: 10 must be above grid\.min \(20\)/],
      [(m) => (m.grid.min = -1e308), /grid\.min: -1e\+308 is outside 0–180/],
      [(m) => (m.wavelength = 0), /wavelength: a wavelength of 0 Å is outside 0\.05–10 Å/],
      [(m) => (m.phases = []), /phases: 0 entries; must have at least 1/],
      [(m) => (m.reference.latent = [0, 0, 1]), /reference\.latent: 3 numbers, but 2 reference points of 2 latent dimensions need 4/],
      [(m) => (m.reference.latent = [0, 0, null, 1]), /reference\.latent\[2\]: must be a finite number; got null/],
      [(m) => (m.reference.labels = [0, 7]), /reference\.labels\[1\]: 7 is larger than 1/],
      [(m) => (m.reference.errors = [0.1]), /reference\.errors: 1 entries; must have 2/],
      [(m) => (m.calibration.errors = [0.3, 0.1, 0.2]), /calibration\.errors\[1\]: 0\.1 is below the value before it \(0\.3\); the list must be ascending/],
      [(m) => (m.calibration.lineSums = [0, Number.NaN]), /calibration\.lineSums\[1\]: must be a finite number; got null/],
      [(m) => (m.calibration.lineSums = [-0.1, 0.2]), /calibration\.lineSums\[0\]: -0\.1 is outside 0–/],
      [(m) => (m.calibration.lineSums = [0.2, 0.1]), /calibration\.lineSums\[1\]: 0\.1 is below the value before it/],
      [(m) => (m.calibration.errors = [0.1, null]), /calibration\.errors\[1\]: must be a finite number; got null/],
      [(m) => (m.calibration.errors = []), /calibration\.errors: 0 entries/],
      [(m) => (m.calibration.pThreshold = 0), /calibration\.pThreshold: must be above 0/],
      [(m) => (m.calibration.pThreshold = 2), /calibration\.pThreshold: 2 is outside 0–1/],
      [(m) => (m.calibration.metric = 'x'.repeat(10000)), /calibration\.metric: must be "bceExcess", "bce" or "mse"; got "x{40}"… \(10000 characters\)/],
      [(m) => (m.ensemble = Array.from({ length: 1000 }, (_, k) => ({ seed: k, path: `ensemble/${k}` }))), /ensemble: 1000 entries, more than the 32 a model can have/],
      [(m) => (m.formatVersion = 99), /written by a newer latent-xrd \(format 99\)/],
    ];
    for (const [change, message] of cases) await refused(variant(change), message);
  });

  it('weights files that disagree with the spec, are truncated or hold NaN are refused by file and weight', async () => {
    const editModelJson = (dir: string, edit: (j: Json) => void) => {
      const path = join(dir, 'encoder', 'model.json');
      const json = JSON.parse(readFileSync(path, 'utf8'));
      edit(json);
      writeFileSync(path, JSON.stringify(json));
    };
    await refused(
      variant((_, dir) => editModelJson(dir, (j) => (j.weightsManifest[0].weights[0].shape = [128, 31]))),
      /encoder[/\\]model\.json: weightsManifest\[0\]\.weights\[0\]: encoder_dense_1\/kernel has shape \[128, 31\], but the manifest's spec makes it \[128, 32\]/,
    );
    await refused(
      variant((m) => (m.spec.hidden = [16, 16])),
      /encoder_dense_1\/kernel has shape \[128, 32\], but the manifest's spec makes it \[128, 16\]/,
    );
    await refused(variant((_, dir) => truncateSync(join(dir, 'encoder', 'weights.bin'), 100)), /weights\.bin: 100 bytes, but the weights listed in .*model\.json take 18896/);
    await refused(variant((_, dir) => editModelJson(dir, (j) => (j.weightsManifest[0].paths = ['../../p.xy']))), /paths\[0\]: must be a file name in the model folder; got "\.\.\/\.\.\/p\.xy"/);
    await refused(variant((_, dir) => editModelJson(dir, (j) => (j.weightsManifest[0].weights[0].dtype = 'int32'))), /encoder_dense_1\/kernel is "int32"; latent-xrd models hold float32/);
    await refused(variant((_, dir) => editModelJson(dir, (j) => j.weightsManifest[0].weights.pop())), /weights\.bin: 18896 bytes, but the weights listed in .* take 18888/);
    const withNaN = variant((_, dir) => {
      const path = join(dir, 'decoder', 'weights.bin');
      const bytes = readFileSync(path);
      bytes.writeFloatLE(NaN, 400);
      writeFileSync(path, bytes);
    });
    await refused(withNaN, /decoder[/\\]weights\.bin: byte 400: weight decoder_dense_2\/kernel holds NaN; a model's weights are finite numbers/);
    await refused(variant((_, dir) => writeFileSync(join(dir, 'decoder', 'model.json'), '{')), /decoder[/\\]model\.json: cannot be read as JSON/);
  });

  it('a model.json declaring a layer of a billion units is not built: the spec says what the model is', async () => {
    const dir = variant((_, d) => {
      const path = join(d, 'encoder', 'model.json');
      const json = JSON.parse(readFileSync(path, 'utf8'));
      const layer = json.modelTopology.config.layers.find((l: Json) => l.config.name === 'encoder_dense_1');
      layer.config.units = 1e9;
      writeFileSync(path, JSON.stringify(json));
    });
    const r = await runCliProcess(['score', '--model', dir, join(work, 'p.xy'), '--json']);
    assert.equal(r.hung, false, describeRun(r));
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(['known', 'novel'].includes(JSON.parse(r.stdout).results[0].verdict));
  });
});
