// `latent-xrd export --onnx`: the exported encoder and decoder run in ONNX Runtime (onnxruntime-web,
// in Node) to the TensorFlow.js model's numbers on 1,000 patterns, and the exported folder scores
// (`score --model`) to the same numbers as the model it came from.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as ort from 'onnxruntime-web';
import { initBackend } from '../../src/core/model/backend';
import { buildVae, encodeAndReconstruct, type VaeModels } from '../../src/core/model/vae';
import { trainVae } from '../../src/core/model/train';
import { loadModel, saveModel } from '../../src/core/model/store';
import { Scorer } from '../../src/core/model/score';
import { PAPER_SPEC, type ModelSpec } from '../../src/core/model/architecture';
import { Random } from '../../src/core/util/random';
import { runCli } from '../../src/cli/main';
import { decodeOnnxModel, encodeOnnxModel } from '../../src/core/model/onnx/schema';
import { testManifest } from './model-fixtures';

const TOLERANCE = 1e-5;

/** Peaked patterns in [0, 1] on `points` points: a few lines at drawn positions over a small background. */
function patterns(count: number, points: number, seed: number): Float32Array {
  const random = new Random(seed);
  const data = new Float32Array(count * points);
  for (let i = 0; i < count; i++) {
    const row = data.subarray(i * points, (i + 1) * points);
    const lines = 2 + (i % 4);
    for (let l = 0; l < lines; l++) {
      const centre = random.uniform(0.05, 0.95) * points;
      const width = random.uniform(0.002, 0.01) * points;
      const height = random.uniform(0.2, 1);
      for (let j = 0; j < points; j++) row[j] += height * Math.exp(-0.5 * ((j - centre) / width) ** 2);
    }
    let max = 0;
    for (let j = 0; j < points; j++) max = Math.max(max, (row[j] += 0.02 * random.float()));
    for (let j = 0; j < points; j++) row[j] /= max;
  }
  return data;
}

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return runCli(args, { out: (t) => (out += t), err: (t) => (err += t), cwd: process.cwd() }).then((code) => ({ code, out, err }));
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function session(path: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(new Uint8Array(readFileSync(path)), { executionProviders: ['wasm'] });
}

describe('ONNX export', function () {
  this.timeout(600_000);
  const spec: ModelSpec = { ...PAPER_SPEC, points: 2048 };
  const count = 1000;
  let dir: string;
  let modelDir: string;
  let onnxDir: string;
  let data: Float32Array;
  let models: VaeModels;

  before(async () => {
    ort.env.wasm.numThreads = 1;
    await initBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-onnx-'));
    modelDir = join(dir, 'model');
    onnxDir = join(dir, 'model-onnx');
    data = patterns(count, spec.points, 7);
    // A briefly trained paper-sized model: weights away from their initialisation, outputs away from ½.
    models = buildVae(spec, 11);
    trainVae(models, { patterns: data.subarray(0, 800 * spec.points), count: 800 }, { patterns: data.subarray(800 * spec.points), count: 200 }, { epochs: 2, batchSize: 100, learningRate: 1e-3, patience: 0, seed: 3 });
    await saveModel(modelDir, [models, buildVae(spec, 12)], testManifest(spec, { ensemble: [{ seed: 11, path: '.' }, { seed: 12, path: 'ensemble/1' }] }));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the encoder and decoder of every member, the manifest naming them, and nothing half-written', async () => {
    const result = await run(['export', '--onnx', '--model', modelDir, '--out', onnxDir]);
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(readdirSync(onnxDir).sort(), ['decoder.onnx', 'encoder.onnx', 'ensemble', 'manifest.json']);
    assert.deepEqual(readdirSync(join(onnxDir, 'ensemble', '1')).sort(), ['decoder.onnx', 'encoder.onnx']);
    const manifest = JSON.parse(readFileSync(join(onnxDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.onnx, [
      { encoder: 'encoder.onnx', decoder: 'decoder.onnx' },
      { encoder: 'ensemble/1/encoder.onnx', decoder: 'ensemble/1/decoder.onnx' },
    ]);
    assert.deepEqual(readdirSync(dir).sort(), ['model', 'model-onnx']);
    const encoder = decodeOnnxModel(readFileSync(join(onnxDir, 'encoder.onnx')));
    assert.equal(encoder.producer_name, 'latent-xrd');
    assert.deepEqual(encoder.graph!.node!.map((n) => n.op_type), ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Gemm']);
  });

  it('runs in ONNX Runtime to the TensorFlow.js model on 1,000 patterns, to 1e-5', async () => {
    const encoder = await session(join(onnxDir, 'encoder.onnx'));
    const decoder = await session(join(onnxDir, 'decoder.onnx'));
    assert.deepEqual(encoder.inputNames, ['pattern']);
    assert.deepEqual(encoder.outputNames, ['z_mean', 'z_log_var']);
    assert.deepEqual(decoder.inputNames, ['z']);
    assert.deepEqual(decoder.outputNames, ['reconstruction']);
    const expected = encodeAndReconstruct(models, data, count, { keepReconstructions: true });
    const encoded = await encoder.run({ pattern: new ort.Tensor('float32', data, [count, spec.points]) });
    const mean = encoded.z_mean.data as Float32Array;
    assert.deepEqual(encoded.z_mean.dims, [count, spec.latent]);
    const decoded = await decoder.run({ z: new ort.Tensor('float32', mean, [count, spec.latent]) });
    assert.deepEqual(decoded.reconstruction.dims, [count, spec.points]);
    const differences = {
      mean: maxDifference(mean, expected.mean),
      logVar: maxDifference(encoded.z_log_var.data as Float32Array, expected.logVar),
      reconstruction: maxDifference(decoded.reconstruction.data as Float32Array, expected.reconstructions!),
    };
    for (const [what, d] of Object.entries(differences)) assert.ok(d <= TOLERANCE, `${what}: ONNX Runtime differs from tfjs by ${d}`);
    // Not a trivial agreement: the reconstructions are patterns, not a constant.
    const r = expected.reconstructions!;
    assert.ok(Math.max(...r.subarray(0, spec.points)) - Math.min(...r.subarray(0, spec.points)) > 0.05);
    await encoder.release();
    await decoder.release();
  });

  it('scores the same patterns to the same numbers as the TensorFlow.js model (score --model on the export)', async () => {
    const original = await loadModel(modelDir);
    const exported = await loadModel(onnxDir);
    const a = new Scorer(original).score(data, count, { unexplainedPeaks: false }).scores;
    const b = new Scorer(exported).score(data, count, { unexplainedPeaks: false }).scores;
    for (let i = 0; i < count; i++) {
      for (const key of ['bce', 'bceExcess', 'mse', 'pValue', 'nearestDistance', 'bceSpread'] as const) {
        assert.ok(Math.abs(a[i][key]! - b[i][key]!) <= TOLERANCE, `pattern ${i}: ${key} ${a[i][key]} vs ${b[i][key]}`);
      }
      assert.ok(maxDifference(a[i].latent, b[i].latent) <= TOLERANCE);
      assert.equal(a[i].verdict, b[i].verdict);
      assert.equal(a[i].nearestPhase, b[i].nearestPhase);
    }
    for (const m of [...original.members, ...exported.members]) m.dispose();
  });

  it('scores pattern files through the CLI alike, and exports an exported folder again', async () => {
    const file = join(dir, 'pattern.xy');
    const row = data.subarray(0, spec.points);
    writeFileSync(file, Array.from(row, (v, j) => `${(20 + (70 * j) / (spec.points - 1)).toFixed(6)} ${(1000 * v + 10).toFixed(4)}`).join('\n') + '\n');
    const fromTfjs = JSON.parse((await run(['score', '--model', modelDir, '--json', file])).out).results[0];
    const fromOnnx = JSON.parse((await run(['score', '--model', onnxDir, '--json', file])).out).results[0];
    for (const key of ['bce', 'bceExcess', 'mse', 'pValue']) assert.ok(Math.abs(fromTfjs[key] - fromOnnx[key]) <= TOLERANCE, key);
    const again = await run(['export', '--onnx', '--model', onnxDir, '--out', join(dir, 'again')]);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(readFileSync(join(dir, 'again', 'encoder.onnx')), readFileSync(join(onnxDir, 'encoder.onnx')));
  });

  it('refuses to write over the model itself or over a folder it did not write', async () => {
    const self = await run(['export', '--onnx', '--model', modelDir, '--out', modelDir]);
    assert.equal(self.code, 2);
    assert.match(self.err, /is the model being exported/);
    const foreign = join(dir, 'notes');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const refused = await run(['export', '--onnx', '--model', modelDir, '--out', foreign]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /not replaced/);
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
    const noFormat = await run(['export', '--model', modelDir, '--out', join(dir, 'x')]);
    assert.match(noFormat.err, /--onnx/);
    assert.equal(existsSync(join(dir, 'x')), false);
  });
});

describe('ONNX models from elsewhere', function () {
  this.timeout(120_000);
  const spec: ModelSpec = { points: 64, hidden: [16, 8], latent: 2, compositionElements: [], beta: 1 };
  let dir: string;

  before(async () => {
    await initBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-onnx-elsewhere-'));
    await saveModel(join(dir, 'model'), [buildVae(spec, 5)], testManifest(spec));
    const result = await run(['export', '--onnx', '--model', join(dir, 'model'), '--out', join(dir, 'onnx')]);
    assert.equal(result.code, 0, result.err);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The exported folder copied with its encoder rewritten by `edit`. */
  function withEncoder(name: string, edit: (model: ReturnType<typeof decodeOnnxModel>) => void): string {
    const target = join(dir, name);
    mkdirSync(target);
    for (const f of ['manifest.json', 'decoder.onnx']) writeFileSync(join(target, f), readFileSync(join(dir, 'onnx', f)));
    const model = decodeOnnxModel(readFileSync(join(dir, 'onnx', 'encoder.onnx')));
    edit(model);
    writeFileSync(join(target, 'encoder.onnx'), encodeOnnxModel(model));
    return target;
  }

  it('scores a graph written as MatMul + Add (as PyTorch exports a Linear layer) to the same numbers', async () => {
    const target = withEncoder('matmul', (model) => {
      const graph = model.graph!;
      const nodes = [];
      for (const node of graph.node!) {
        if (node.op_type !== 'Gemm') nodes.push(node);
        else {
          const [x, w, b] = node.input!;
          nodes.push({ name: `${node.name}/matmul`, op_type: 'MatMul', input: [x, w], output: [`${node.output![0]}/product`] });
          nodes.push({ name: `${node.name}/add`, op_type: 'Add', input: [`${node.output![0]}/product`, b], output: node.output });
        }
      }
      graph.node = nodes;
    });
    const data = patterns(50, spec.points, 3);
    const a = encodeAndReconstruct((await loadModel(join(dir, 'model'))).members[0], data, 50);
    const b = encodeAndReconstruct((await loadModel(target)).members[0], data, 50);
    assert.ok(maxDifference(a.mean, b.mean) <= TOLERANCE);
    assert.ok(maxDifference(a.bceExcess, b.bceExcess) <= TOLERANCE);
  });

  it('exports a conditional VAE with its composition input, and ONNX Runtime agrees with it', async () => {
    const cspec: ModelSpec = { points: 96, hidden: [24, 12], latent: 3, compositionElements: ['Co', 'Ni', 'Cr'], beta: 1 };
    const cvae = buildVae(cspec, 9);
    const folder = join(dir, 'cvae');
    await saveModel(folder, [cvae], testManifest(cspec, { reference: { latent: [0, 0, 0, 1, 1, 1], labels: [0, 1] } }));
    const result = await run(['export', '--onnx', '--model', folder, '--out', join(dir, 'cvae-onnx')]);
    assert.equal(result.code, 0, result.err);
    const rows = 40;
    const x = patterns(rows, cspec.points, 5);
    const random = new Random(4);
    const c = Float32Array.from({ length: rows * 3 }, () => random.float());
    const expected = encodeAndReconstruct(cvae, x, rows, { compositions: c, keepReconstructions: true });
    ort.env.wasm.numThreads = 1;
    const encoder = await session(join(dir, 'cvae-onnx', 'encoder.onnx'));
    const decoder = await session(join(dir, 'cvae-onnx', 'decoder.onnx'));
    assert.deepEqual(encoder.inputNames, ['pattern', 'composition']);
    assert.deepEqual(decoder.inputNames, ['z', 'composition']);
    const composition = new ort.Tensor('float32', c, [rows, 3]);
    const encoded = await encoder.run({ pattern: new ort.Tensor('float32', x, [rows, cspec.points]), composition });
    const decoded = await decoder.run({ z: encoded.z_mean, composition });
    assert.ok(maxDifference(encoded.z_mean.data as Float32Array, expected.mean) <= TOLERANCE);
    assert.ok(maxDifference(encoded.z_log_var.data as Float32Array, expected.logVar) <= TOLERANCE);
    assert.ok(maxDifference(decoded.reconstruction.data as Float32Array, expected.reconstructions!) <= TOLERANCE);
    const loaded = await loadModel(join(dir, 'cvae-onnx'));
    const again = encodeAndReconstruct(loaded.members[0], x, rows, { compositions: c });
    assert.ok(maxDifference(again.bceExcess, expected.bceExcess) <= TOLERANCE);
    await encoder.release();
    await decoder.release();
  });

  it('refuses an operator it does not run, a graph of the wrong width and a path out of the folder, naming the file', async () => {
    const conv = withEncoder('conv', (model) => {
      model.graph!.node![1].op_type = 'Conv';
    });
    await assert.rejects(loadModel(conv), (e: Error) => /encoder\.onnx: node 2 \(encoder_dense_1\/relu\): operator Conv is not one Latent XRD runs/.test(e.message));
    const wide = withEncoder('wide', (model) => {
      model.graph!.input![0].type!.tensor_type!.shape!.dim![1].dim_value = 128;
    });
    await assert.rejects(loadModel(wide), (e: Error) => /encoder\.onnx: input "pattern" \(pattern\) has width 128; the manifest's spec makes it 64/.test(e.message));
    const garbage = withEncoder('garbage', () => undefined);
    writeFileSync(join(garbage, 'encoder.onnx'), 'not a model at all');
    await assert.rejects(loadModel(garbage), (e: Error) => /encoder\.onnx: not an ONNX model/.test(e.message));
    const outside = withEncoder('outside', () => undefined);
    const manifest = JSON.parse(readFileSync(join(outside, 'manifest.json'), 'utf8'));
    manifest.onnx[0].encoder = '../onnx/encoder.onnx';
    writeFileSync(join(outside, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(loadModel(outside), (e: Error) => /manifest\.json: onnx\[0\]\.encoder: must be the path of an \.onnx file inside the model folder/.test(e.message));
  });
});
