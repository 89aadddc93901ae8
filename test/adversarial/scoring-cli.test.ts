// `latent-xrd score` and score on collections with hostile files, each run as its own process
// under the hang guard: one bad file or sample costs only itself, never a hang, never rc 70,
// never a verdict on nothing.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { writeCollection } from '../../src/core/formats/collection';
import { gridValues } from '../../src/core/diffraction/render';
import { describeRun, root, runCliProcess, untrainedModel, type ProcessResult } from './helpers';

type Json = Record<string, any>;

/** Every number anywhere in a JSON value (null stands for a number JSON could not write). */
function numbersIn(v: unknown, path = '', out: [string, unknown][] = []): [string, unknown][] {
  if (v === null || typeof v === 'number') out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbersIn(x, `${path}[${i}]`, out));
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Json)) numbersIn(x, `${path}.${k}`, out);
  return out;
}

function assertFiniteScores(results: Json[], r: ProcessResult): void {
  for (const s of results) {
    if (s.error) {
      assert.equal(s.verdict, undefined, `no verdict beside an error: ${JSON.stringify(s).slice(0, 300)}`);
      continue;
    }
    for (const key of ['bce', 'bceExcess', 'mse', 'pValue', 'nearestDistance']) assert.ok(Number.isFinite(s[key]), `${key} = ${s[key]}\n${describeRun(r)}`);
    assert.ok(s.latent.every(Number.isFinite));
    assert.ok(['known', 'novel'].includes(s.verdict));
  }
  const bad = numbersIn(results).filter(([, v]) => !Number.isFinite(v as number));
  assert.deepEqual(bad, [], 'no null (non-finite) number in the output');
}

function xy(path: string, twoTheta: ArrayLike<number>, intensity: ArrayLike<number>, eol = '\n'): void {
  const lines: string[] = [];
  for (let i = 0; i < twoTheta.length; i++) lines.push(`${twoTheta[i]} ${intensity[i]}`);
  writeFileSync(path, lines.join(eol) + eol);
}

/** Row 0 of the first encoder kernel 3e38 and the second kernel all ones: finite weights whose h₂ overflows float32 on patterns that light the first grid point. */
function makeOverflowing(modelDir: string): void {
  const dir = join(modelDir, 'encoder');
  const weights = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights as { name: string; shape: number[] }[];
  const bytes = readFileSync(join(dir, 'weights.bin'));
  let offset = 0;
  for (const w of weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (w.name === 'encoder_dense_1/kernel') for (let j = 0; j < w.shape[1]; j++) bytes.writeFloatLE(3e38, offset + 4 * j);
    if (w.name === 'encoder_dense_2/kernel') for (let j = 0; j < size; j++) bytes.writeFloatLE(1, offset + 4 * j);
    offset += 4 * size;
  }
  writeFileSync(join(dir, 'weights.bin'), bytes);
}

describe('scoring adversarial: latent-xrd score', function () {
  this.timeout(240_000);
  let dir: string;
  let model: string;
  const twoTheta = gridValues({ min: 20, max: 90, points: 701 });
  const peaks = Float64Array.from(twoTheta, (t) => 100 + 1000 * Math.exp(-((t - 44) ** 2) / 0.1) + 500 * Math.exp(-((t - 51) ** 2) / 0.1));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-score-'));
    model = await untrainedModel(join(dir, 'model'));
    copyFileSync(join(root, 'test/fixtures/patterns/MnO.xy'), join(dir, 'good.xy'));
    xy(join(dir, 'crlf.xy'), twoTheta, peaks, '\r\n');
  });

  const score = (...args: string[]) => runCliProcess(['score', '--model', model, ...args], { cwd: dir });

  it('the 20-byte file of ±1e308 is refused for its two points, without spinning', async () => {
    writeFileSync(join(dir, 'p.xy'), '20 -1e308\n50 1e308\n');
    const r = await score('p.xy');
    assert.equal(r.hung, false, `score never ended on the 20-byte file\n${describeRun(r)}`);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stdout, /^p\.xy: not scored — too little data to score: measured points fall on 2 of the model's grid points/);
  });

  it('a long pattern of ±1e308 is scored with finite numbers', async () => {
    xy(join(dir, 'huge.xy'), twoTheta, Array.from(peaks, (v, i) => (i % 2 ? 1e308 : -1e308) * (v / 1100)));
    const r = await score('huge.xy', 'good.xy', '--json');
    assert.equal(r.hung, false, describeRun(r));
    assert.equal(r.code, 0, describeRun(r));
    assertFiniteScores(JSON.parse(r.stdout).results, r);
  });

  it('score good.xy deep.xrdml crlf.xy: the bad file gets its error and the good ones their scores', async () => {
    // 140 KB of nested elements overflowed the XML reader's stack (a RangeError, rc 70, all lost).
    writeFileSync(join(dir, 'deep.xrdml'), '<?xml version="1.0"?><xrdMeasurements>' + '<a>'.repeat(23_000) + '</a>'.repeat(23_000) + '</xrdMeasurements>');
    const r = await score('good.xy', 'deep.xrdml', 'crlf.xy', '--json');
    assert.equal(r.hung, false, describeRun(r));
    assert.equal(r.code, 1, `some failed: exit code 1\n${describeRun(r)}`);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/, 'no internal error, no stack trace');
    const results = JSON.parse(r.stdout).results as Json[];
    assert.deepEqual(results.map((x) => x.file), ['good.xy', 'deep.xrdml', 'crlf.xy']);
    assert.ok(results[0].verdict && results[2].verdict, 'the good files are scored');
    assert.match(results[1].error, /\S/);
    assertFiniteScores(results, r);
  });

  it('an XRDML with ratioKAlpha2KAlpha1 50 under --strip-kalpha2 is refused; the other file is scored', async () => {
    const text = readFileSync(join(root, 'test/fixtures/a-lab-xrdml/CoO-WO3_900C_60min.xrdml'), 'utf8');
    writeFileSync(join(dir, 'ratio50.xrdml'), text.replace('<ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1>', '<ratioKAlpha2KAlpha1>50</ratioKAlpha2KAlpha1>'));
    const r = await score('ratio50.xrdml', 'good.xy', '--strip-kalpha2', '--json');
    assert.equal(r.hung, false, describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    const results = JSON.parse(r.stdout).results as Json[];
    assert.match(results[0].error, /ratio.*50/);
    assert.ok(results[1].verdict);
    assertFiniteScores(results, r);
  });

  it('a stated wavelength of 0, −1.5 or 1e-300 Å gets no verdict', async () => {
    const text = readFileSync(join(root, 'test/fixtures/a-lab-xrdml/CoO-WO3_900C_60min.xrdml'), 'utf8');
    const files = ['0', '-1.5', '1e-300'].map((w, i) => {
      const name = `wavelength-${i}.xrdml`;
      writeFileSync(join(dir, name), text.replace(/<kAlpha1 unit="Angstrom">[^<]*<\/kAlpha1>/, `<kAlpha1 unit="Angstrom">${w}</kAlpha1>`));
      return name;
    });
    const r = await score(...files, '--json');
    assert.equal(r.code, 1, describeRun(r));
    const results = JSON.parse(r.stdout).results as Json[];
    for (const x of results) assert.match(x.error ?? '', /wavelength/, JSON.stringify(x).slice(0, 300));
  });

  it('a collection scores sample by sample: a flat sample gets its error, a broken file its location', async () => {
    const samples = [peaks, new Float64Array(701).fill(5), peaks.map((v) => v * 2), peaks.map((v, i) => v + (i % 7))].map((intensity, i) => ({ id: `s${i + 1}`, intensity }));
    writeFileSync(join(dir, 'lib.xrd'), writeCollection({ title: 'lib', kind: 'library', twoTheta, samples }));
    writeFileSync(join(dir, 'broken.xrd'), '{"format": "latent-xrd-collection",\n  "samples": [');
    const r = await score('lib.xrd', 'broken.xrd', '--json');
    assert.equal(r.hung, false, describeRun(r));
    assert.equal(r.code, 1, describeRun(r));
    const [lib, broken] = JSON.parse(r.stdout).collections as Json[];
    assert.deepEqual(lib.samples.map((s: Json) => s.id), ['s1', 's2', 's3', 's4']);
    assert.match(lib.samples[1].error, /^sample 2 of 4: the intensity is the same at every measured point/);
    for (const i of [0, 2, 3]) assert.ok(lib.samples[i].verdict, `sample ${i + 1} scored`);
    assertFiniteScores(lib.samples, r);
    assert.match(broken.error, /broken\.xrd:\d+:\d+: /);
    const text = await score('lib.xrd');
    assert.match(text.stdout, /lib\.xrd: lib — 4 samples, \d novel, 1 not scored/);
    assert.match(text.stdout, /\n {2}s2: not scored — sample 2 of 4: /);
  });

  it('on 2 worker threads, files and a 300-sample collection score as on this thread, in the order given, a bad one costing only itself', async () => {
    const files = Array.from({ length: 20 }, (_, i) => {
      const name = `many-${i}.xy`;
      if (i === 5) writeFileSync(join(dir, name), 'not a pattern\n');
      else xy(join(dir, name), twoTheta, peaks.map((v, k) => v * (1 + i / 10) + (k % (i + 2))));
      return name;
    });
    const samples = Array.from({ length: 300 }, (_, i) => ({ id: `s${i + 1}`, intensity: i === 150 ? new Float64Array(701).fill(5) : peaks.map((v, k) => v * (1 + (i % 9) / 5) + (k % ((i % 5) + 2))) }));
    writeFileSync(join(dir, 'big.xrd'), writeCollection({ title: 'big', kind: 'library', twoTheta, samples }));
    for (const inputs of [files, ['big.xrd']]) {
      const [one, two] = await Promise.all([score(...inputs, '--json', '--threads', '1'), score(...inputs, '--json', '--threads', '2')]);
      assert.equal(one.code, 1, describeRun(one));
      assert.equal(two.code, 1, describeRun(two));
      assert.deepEqual(JSON.parse(two.stdout), JSON.parse(one.stdout));
    }
    const listed = JSON.parse((await score(...files, '--json', '--threads', '2')).stdout).results as Json[];
    assert.deepEqual(listed.map((r) => r.file), files);
    assert.ok(listed[5].error && listed.filter((r) => r.error).length === 1, JSON.stringify(listed[5]));
  });

  it('batched scoring never prints "bce": null with a verdict: a non-finite result is that sample\'s error', async () => {
    const overflowing = await untrainedModel(join(dir, 'overflowing'));
    makeOverflowing(overflowing);
    // With --background none the first grid point of the scaled pattern is (y₀ − min)/(max − min).
    const lit = Float64Array.from(peaks, (v, i) => (i === 0 ? 5000 : v));
    const dark = Float64Array.from(peaks, (v, i) => (i === 0 ? 0 : v));
    const samples = [dark, lit, dark].map((intensity, i) => ({ id: `s${i + 1}`, intensity }));
    writeFileSync(join(dir, 'overflow.xrd'), writeCollection({ title: 'o', kind: 'library', twoTheta, samples }));
    const r = await runCliProcess(['score', '--model', overflowing, 'overflow.xrd', '--background', 'none', '--json'], { cwd: dir });
    assert.equal(r.hung, false, `a NaN latent stalled the nearest-phase search\n${describeRun(r)}`);
    assert.equal(r.code, 1, describeRun(r));
    const [c] = JSON.parse(r.stdout).collections as Json[];
    assert.match(c.samples[1].error, /^sample 2 of 3: the model gave a non-finite score for this pattern \(latent coordinate \d = NaN\): no verdict/);
    assert.ok(c.samples[0].verdict && c.samples[2].verdict);
    assertFiniteScores(c.samples, r);
  });
});
