import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { initBackend } from '../../src/core/model/backend';
import { buildVae } from '../../src/core/model/vae';
import { saveModel } from '../../src/core/model/store';
import type { ModelSpec } from '../../src/core/model/architecture';
import { testManifest } from './model-fixtures';

const root = join(__dirname, '../../..');
const HANG_GUARD_MS = 30_000;
const spec: ModelSpec = { points: 64, hidden: [24, 12], latent: 2, compositionElements: [], beta: 1 };

/** An untrained 64-point model: scoring's shape and speed do not depend on training. */
async function tinyModel(dir: string): Promise<string> {
  await initBackend('wasm');
  const manifest = testManifest(spec);
  const target = join(dir, 'model');
  await saveModel(target, [buildVae(spec, 3)], manifest);
  return target;
}

function xy(points: number): string {
  let text = '# 2theta intensity\n';
  for (let i = 0; i < points; i++) text += `${(15 + (80 * i) / (points - 1)).toFixed(3)} ${100 + ((i * 53) % 700)}\n`;
  return text;
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > HANG_GUARD_MS) throw new Error(`hang guard: still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('latent-xrd watch', function () {
  this.timeout(60_000);
  let dir: string;
  let model: string;
  let incoming: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-watch-cli-'));
    model = await tinyModel(dir);
  });
  beforeEach(() => {
    incoming = mkdtempSync(join(dir, 'incoming-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line per file (score, or error with line and column) until stopped', async () => {
    writeFileSync(join(incoming, 'present.xy'), xy(300));
    let stdout = '';
    let stderr = '';
    const stop = new AbortController();
    const running = runCli(['watch', incoming, '--model', model, '--existing', '--threshold', '0.5'], {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      cwd: dir,
      signal: stop.signal,
    });
    await until('the file present at start', () => jsonLines(stdout).length === 1);
    writeFileSync(join(incoming, 'new.xy'), xy(500));
    writeFileSync(join(incoming, 'broken.xy'), '# 2theta intensity\n20 1\n21 2\n22 oops\n');
    await until('three lines', () => jsonLines(stdout).length === 3);
    stop.abort();
    assert.equal(await running, 0, stderr);
    assert.match(stderr, /watching .*incoming-.*; novel at p < 0\.5, set by --threshold \(the model's is 0\.01\); Ctrl-C to stop/);
    assert.match(stderr, /reliability unknown/);

    const lines = jsonLines(stdout);
    const byFile = new Map(lines.map((l) => [l.file.replace(/^.*\//, ''), l]));
    for (const name of ['present.xy', 'new.xy']) {
      const s = byFile.get(name);
      assert.equal(s.event, 'scored');
      assert.ok(s.file.startsWith('incoming-'), 'named relative to the working folder');
      assert.ok(!Number.isNaN(Date.parse(s.time)));
      assert.equal(s.latent.length, 2);
      for (const key of ['bce', 'bceExcess', 'mse', 'pValue', 'nearestDistance', 'coverage']) assert.equal(typeof s[key], 'number', key);
      assert.equal(s.verdict, s.pValue < 0.5 ? 'novel' : 'known', '--threshold sets the verdict');
      assert.equal(s.verdictLabel, s.verdict.toUpperCase());
      assert.equal(s.modelReliable, null, 'a model without recorded checks: reliability unknown');
      assert.ok(['A', 'B'].includes(s.nearestPhase));
      assert.ok(Array.isArray(s.unexplainedPeaks) && s.unexplainedPeaks.every((p: { twoTheta: number; d: number }) => p.twoTheta >= 20 && p.twoTheta <= 90 && p.d > 0), JSON.stringify(s.unexplainedPeaks));
      assert.ok(s.steps.some((step: string) => /resampled \d+ points .* onto 64 points/.test(step)), s.steps.join('; '));
    }
    const broken = byFile.get('broken.xy');
    assert.equal(broken.event, 'unreadable');
    assert.match(broken.error, /broken\.xy:4:4: not a finite number: "oops"/);
    assert.equal(broken.line, 4);
    assert.equal(broken.column, 4);
  });

  it('refuses a missing folder and a missing model with exit code 2', async () => {
    const run = async (...argv: string[]) => {
      let stderr = '';
      const code = await runCli(argv, { out: () => {}, err: (t) => (stderr += t), cwd: dir });
      return { code, stderr };
    };
    let r = await run('watch', 'nowhere', '--model', model);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nowhere: no such folder/);
    r = await run('watch', incoming);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--model/);
    r = await run('watch', incoming, '--model', model, '--threshold', '2');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--threshold expects a p-value/);
  });

  it('as a process: flushes each line as it is scored, and exits 0 on SIGTERM', async () => {
    mkdirSync(join(incoming, 'sub'));
    const child = spawn(process.execPath, [join(root, 'bin/latent-xrd.js'), 'watch', incoming, '--model', model, '--recursive', '--backend', 'wasm'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await until('the watcher to start', () => /watching/.test(stderr));
    writeFileSync(join(incoming, 'sub', 'one.xy'), xy(200));
    await until('its line', () => jsonLines(stdout).length === 1);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const [line] = jsonLines(stdout);
    assert.equal(line.event, 'scored');
    assert.match(line.file, /sub\/one\.xy$/);
  });
});
