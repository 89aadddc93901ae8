// `latent-xrd watch` scores through the scoring worker (src/worker/scoring-host.ts): a file that
// hangs the scorer gets its own "unreadable" line after the time limit, the others are scored, and
// the main thread answers SIGTERM at once, even while the worker is stuck. The stuck file is the
// worker's test-only fault injection (LATENT_XRD_TEST_STALL_FILE, src/protocol/scoring.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_STALL_FILE_VARIABLE } from '../../src/protocol/scoring';
import { cliScript, untrainedModel } from './helpers';
import { HOSTILE_XY, xy } from './extension-fixtures';

describe('`latent-xrd watch` under hostile files', function () {
  this.timeout(120_000);
  let dir: string;
  let model: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-watch-hostile-'));
    model = await untrainedModel(join(dir, 'model'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `latent-xrd watch` on a folder, as its own process, with the test-only stall file named. */
  function watchProcess(incoming: string, timeLimit: number) {
    const child = spawn(process.execPath, [cliScript, 'watch', incoming, '--model', model, '--existing', '--time-limit', String(timeLimit), '--backend', 'wasm'], {
      cwd: dir,
      env: { ...process.env, [TEST_STALL_FILE_VARIABLE]: 'stall.xy' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    return {
      child,
      stderr: () => stderr,
      lines: () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; file: string; error?: string }),
      /** The exit code, or 'hung' past the guard. */
      exit: (guardMs: number) => Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), guardMs))]),
      until: async (what: string, check: () => boolean, guardMs = 60_000) => {
        const started = Date.now();
        while (!check()) {
          if (Date.now() - started > guardMs) assert.fail(`hang guard: still waiting for ${what}\nstdout: ${stdout}\nstderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
    };
  }

  it('`latent-xrd watch`: the 20-byte file and a file that never finishes get their lines, the good file its score', async () => {
    const incoming = join(dir, 'incoming');
    mkdirSync(incoming);
    writeFileSync(join(incoming, 'good.xy'), xy(300));
    writeFileSync(join(incoming, 'p.xy'), HOSTILE_XY);
    writeFileSync(join(incoming, 'stall.xy'), xy(300, 7));
    const watch = watchProcess(incoming, 3);
    try {
      await watch.until('a line for each file', () => watch.lines().length === 3);
      const byFile = new Map(watch.lines().map((l) => [l.file.replace(/^.*\//, ''), l]));
      assert.equal(byFile.get('good.xy')?.event, 'scored');
      assert.equal(byFile.get('p.xy')?.event, 'unreadable');
      assert.match(byFile.get('p.xy')!.error!, /^incoming\/p\.xy: /);
      assert.equal(byFile.get('stall.xy')?.event, 'unreadable');
      // The watcher parses in the worker too (to know the file is complete): the stall is met there.
      assert.match(byFile.get('stall.xy')!.error!, /^incoming\/stall\.xy: reading and scoring it took longer than the time limit of 3 s, so it was stopped/);
      watch.child.kill('SIGTERM');
      assert.equal(await watch.exit(30_000), 0, watch.stderr());
    } finally {
      watch.child.kill('SIGKILL');
    }
  });

  it('`latent-xrd watch` answers SIGTERM while the worker is stuck on a file (not after its time limit)', async () => {
    const incoming = join(dir, 'incoming-stuck');
    mkdirSync(incoming);
    writeFileSync(join(incoming, 'good.xy'), xy(300));
    // The limit is far longer than the hang guard: waiting for it would fail the test.
    const watch = watchProcess(incoming, 3600);
    try {
      await watch.until('the good file scored', () => watch.lines().length === 1);
      writeFileSync(join(incoming, 'stall.xy'), xy(300, 7));
      // Settled (250 ms), read, and handed to the worker, which sleeps on it.
      await new Promise((r) => setTimeout(r, 1500));
      watch.child.kill('SIGTERM');
      assert.equal(await watch.exit(30_000), 0, watch.stderr());
      assert.equal(watch.lines().length, 1, 'the file cut short is not reported as unreadable');
    } finally {
      watch.child.kill('SIGKILL');
    }
  });
});
