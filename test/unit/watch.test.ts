import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeasurementWatcher, type MeasurementWatcherOptions, type ScoredFile, type FileFailure, type RemovedFile } from '../../src/core/watch';

// Timings here only make the tests quick; pass or fail never depends on them. Waits end on
// events, and the timeouts are hang guards.
const FAST = { debounceMs: 30, settleMs: 300, scanIntervalMs: 400 };
const HANG_GUARD_MS = 30_000;

/** "2θ intensity" lines; `points` of them, after a header. */
function xy(points: number, seed = 0): string {
  let text = '# 2theta intensity\n';
  for (let i = 0; i < points; i++) text += `${(20 + (70 * i) / (points - 1)).toFixed(4)} ${100 + ((i * 37 + seed * 11) % 500)}\n`;
  return text;
}

/** Pieces of `text` cut mid-line, as buffered writes land. */
function chunks(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size)).filter(Boolean);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > HANG_GUARD_MS) throw new Error(`hang guard: still waiting for ${what}`);
    await sleep(10);
  }
}

type Result = { points: number };

/** A watcher whose "score" is the point count, with every event recorded. */
function watcherOn(dir: string, options: Partial<MeasurementWatcherOptions<Result>> = {}) {
  const scored: ScoredFile<Result>[] = [];
  const failed: FileFailure[] = [];
  const retrying: FileFailure[] = [];
  const removed: RemovedFile[] = [];
  const watcher = new MeasurementWatcher<Result>({ directory: dir, score: (m) => ({ points: m.twoTheta.length }), ...FAST, ...options });
  watcher.on('scored', (e) => scored.push(e));
  watcher.on('failed', (e) => failed.push(e));
  watcher.on('retrying', (e) => retrying.push(e));
  watcher.on('removed', (e) => removed.push(e));
  const countsByName = () => {
    const counts = new Map<string, number>();
    for (const s of scored) counts.set(s.file.name, (counts.get(s.file.name) ?? 0) + 1);
    return counts;
  };
  /** Long enough for a duplicate to show: two settle intervals and two rescans. */
  const quietPeriod = () => sleep(2 * (options.settleMs ?? FAST.settleMs) + 2 * FAST.scanIntervalMs);
  return { watcher, scored, failed, retrying, removed, countsByName, quietPeriod };
}

describe('MeasurementWatcher', function () {
  this.timeout(60_000);
  let dir: string;
  let stopAll: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-watch-'));
    stopAll = [];
  });
  afterEach(async () => {
    for (const stop of stopAll) await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function started(options: Partial<MeasurementWatcherOptions<Result>> = {}) {
    const w = watcherOn(dir, options);
    stopAll.push(() => w.watcher.stop());
    return w;
  }

  it('scores each of 80 files written at once, in chunks, exactly once and complete', async () => {
    const w = started();
    await w.watcher.start();
    const files = Array.from({ length: 80 }, (_, i) => ({ name: `scan-${String(i).padStart(3, '0')}.xy`, points: 200 + i }));
    // All files grow at the same time, chunk by chunk, interleaved with the watcher's work.
    await Promise.all(
      files.map(async (f, i) => {
        const path = join(dir, f.name);
        await writeFile(path, '');
        for (const piece of chunks(xy(f.points, i), 3)) await appendFile(path, piece);
      }),
    );
    await until('80 scores', () => w.countsByName().size === 80);
    await w.quietPeriod();
    const counts = w.countsByName();
    for (const f of files) assert.equal(counts.get(f.name), 1, `${f.name} scored once`);
    for (const s of w.scored) assert.equal(s.result.points, files.find((f) => f.name === s.file.name)!.points, `${s.file.name} read whole`);
    assert.equal(w.scored.length, 80);
    assert.deepEqual(w.failed, []);
  });

  it('hands a backlog to scoreBatch, and every file still gets its own result', async () => {
    const batches: number[] = [];
    const w = started({
      scoreBatch: (requests) => {
        batches.push(requests.length);
        return requests.map((r) => ({ points: r.measured.twoTheta.length }));
      },
    });
    await w.watcher.start();
    for (let i = 0; i < 60; i++) writeFileSync(join(dir, `b${i}.xy`), xy(100 + i));
    await until('60 scores', () => w.countsByName().size === 60);
    await w.quietPeriod();
    assert.equal(w.scored.length, 60);
    for (const s of w.scored) assert.equal(s.result.points, 100 + Number(/b(\d+)/.exec(s.file.name)![1]));
    assert.ok(batches.length > 0 && batches.some((n) => n > 1), `batches ${batches}`);
  });

  it('waits for a file written slowly (pauses longer than the debounce) and scores it once, whole', async () => {
    const w = started({ settleMs: 1500 });
    await w.watcher.start();
    const path = join(dir, 'slow.xy');
    const pieces = chunks(xy(500), 6);
    let lastWrite = 0;
    for (const piece of pieces) {
      appendFileSync(path, piece);
      lastWrite = performance.timeOrigin + performance.now();
      await sleep(4 * FAST.debounceMs);
    }
    await until('a score', () => w.scored.length === 1);
    await w.quietPeriod();
    assert.equal(w.scored.length, 1);
    assert.equal(w.scored[0].result.points, 500);
    assert.ok(w.scored[0].scoredAt > lastWrite);
    assert.deepEqual(w.failed, []);
  });

  it('retries a file that fails to parse while still being written, rather than reporting it', async () => {
    const w = started();
    await w.watcher.start();
    const path = join(dir, 'half.xy');
    const text = xy(300);
    const cut = text.lastIndexOf('\n', text.length / 2) + 6; // ends in half a line: "2θ" without its intensity
    // The rest is written the moment the watcher has seen the half line, well before it looks again.
    w.watcher.once('retrying', () => appendFileSync(path, text.slice(cut)));
    writeFileSync(path, text.slice(0, cut));
    await until('the first failed read', () => w.retrying.length === 1);
    assert.match(w.retrying[0].message, /half\.xy:\d+:\d+: expected two numbers/);
    await until('a score', () => w.scored.length === 1);
    await w.quietPeriod();
    assert.equal(w.scored.length, 1);
    assert.equal(w.scored[0].result.points, 300);
    assert.deepEqual(w.failed, []);
  });

  it('reports a malformed file once, with its line and column, and never scores it', async () => {
    const w = started();
    await w.watcher.start();
    writeFileSync(join(dir, 'bad.xy'), '# 2theta intensity\n20 1\n21 2\n22 oops\n23 4\n');
    await until('a failure', () => w.failed.length === 1);
    await w.quietPeriod();
    assert.equal(w.failed.length, 1);
    assert.equal(w.scored.length, 0);
    assert.match(w.failed[0].message, /^bad\.xy:4:4: not a finite number: "oops"$/);
    assert.deepEqual(w.failed[0].diagnostics[0].range, { line: 4, column: 4, endLine: 4, endColumn: 5 });
    // Fixing it is a new version: scored.
    writeFileSync(join(dir, 'bad.xy'), xy(50));
    await until('a score', () => w.scored.length === 1);
    assert.equal(w.scored[0].result.points, 50);
  });

  it('reports a scorer\'s failure on the file and goes on with the next', async () => {
    const w = started({
      score: (m, file) => {
        if (file.name === 'refused.xy') throw new Error('grid mismatch');
        return { points: m.twoTheta.length };
      },
    });
    await w.watcher.start();
    writeFileSync(join(dir, 'refused.xy'), xy(10));
    writeFileSync(join(dir, 'fine.xy'), xy(20));
    await until('both reported', () => w.failed.length + w.scored.length === 2);
    assert.equal(w.failed[0].stage, 'score');
    assert.match(w.failed[0].message, /refused\.xy: grid mismatch/);
    assert.equal(w.scored[0].file.name, 'fine.xy');
  });

  it('rescores a rewritten file and reports a deleted one', async () => {
    const w = started();
    await w.watcher.start();
    const path = join(dir, 'again.xy');
    writeFileSync(path, xy(100));
    await until('the first score', () => w.scored.length === 1);
    writeFileSync(path, xy(140, 3));
    await until('the second score', () => w.scored.length === 2);
    assert.deepEqual(w.scored.map((s) => s.result.points), [100, 140]);
    unlinkSync(path);
    await until('the removal', () => w.removed.length === 1);
    assert.equal(w.removed[0].name, 'again.xy');
    await w.quietPeriod();
    assert.equal(w.scored.length, 2);
    assert.equal(w.removed.length, 1);
  });

  it('scores the files already there only with includeExisting; without, only once they change', async () => {
    writeFileSync(join(dir, 'old-a.xy'), xy(30));
    writeFileSync(join(dir, 'old-b.xy'), xy(40));
    writeFileSync(join(dir, 'notes.md'), 'not a pattern');
    const withExisting = started({ includeExisting: true });
    await withExisting.watcher.start();
    await until('two scores', () => withExisting.scored.length === 2);
    assert.deepEqual(withExisting.scored.map((s) => s.file.name).sort(), ['old-a.xy', 'old-b.xy']);

    const newOnly = started();
    await newOnly.watcher.start();
    await newOnly.quietPeriod();
    assert.equal(newOnly.scored.length, 0, 'files present at start are left alone');
    writeFileSync(join(dir, 'old-a.xy'), xy(35));
    await until('the changed file scored', () => newOnly.scored.length === 1);
    assert.equal(newOnly.scored[0].file.name, 'old-a.xy');
    assert.equal(newOnly.scored[0].result.points, 35);
  });

  it('with recursive, scores files in subfolders, including ones created after start', async () => {
    mkdirSync(join(dir, 'day1'));
    const w = started({ recursive: true });
    await w.watcher.start();
    writeFileSync(join(dir, 'day1', 'a.xy'), xy(25));
    mkdirSync(join(dir, 'day2', 'sample7'), { recursive: true });
    writeFileSync(join(dir, 'day2', 'sample7', 'b.xy'), xy(26));
    await until('two scores', () => w.scored.length === 2);
    await w.quietPeriod();
    assert.deepEqual(w.scored.map((s) => s.file.name).sort(), ['day1/a.xy', 'day2/sample7/b.xy']);
  });

  it('refuses a folder that does not exist, and stops cleanly', async () => {
    const w = watcherOn(join(dir, 'missing'));
    await assert.rejects(w.watcher.start(), /missing: no such folder/);
    await w.watcher.stop();
  });
});
