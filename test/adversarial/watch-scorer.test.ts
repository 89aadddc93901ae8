// One file's scoring must never stop the next files: a score that never comes back, one that
// throws something that is not an Error, a listener that throws. And the watcher's own timers
// must end: a quiet interval longer than a timer can hold used to fire every millisecond.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasuredPattern } from '../../src/core/formats';
import type { WatchedFile } from '../../src/core/watch';
import { sleep, until, watchSandbox, xy, type Read } from './watch-helpers';
import { runCliProcess } from './helpers';

const read = (m: MeasuredPattern): Read => ({ points: m.twoTheta.length, last: m.intensity[m.intensity.length - 1] });

describe('adversarial: watch — a scorer that hangs, is slow or throws', function () {
  this.timeout(120_000);
  const box = watchSandbox();

  it('a score that never comes back is given up after the time limit; the files after it are scored', async () => {
    const w = box.watch({
      scoreTimeoutMs: 1000,
      score: (m, file) => (file.name === 'stuck.xy' ? new Promise<Read>(() => {}) : read(m)),
    });
    await w.watcher.start();
    writeFileSync(join(box.dir, 'stuck.xy'), xy(10));
    await sleep(400); // stuck.xy is being scored
    for (let i = 0; i < 5; i++) writeFileSync(join(box.dir, `next-${i}.xy`), xy(20 + i));
    await until('the five later files', () => w.scored.length === 5);
    assert.deepEqual(w.failed.map((f) => [f.file.name, f.stage]), [['stuck.xy', 'score']]);
    assert.match(w.failed[0].message, /^stuck\.xy: not scored within 1 s; given up \(the next files go on\)$/);
  });

  it('stop() returns while a score is still running, and its late answer is never reported', async () => {
    let release: (r: Read) => void = () => {};
    let started = false;
    const w = box.watch({
      score: () => {
        started = true;
        return new Promise<Read>((done) => (release = done));
      },
    });
    await w.watcher.start();
    writeFileSync(join(box.dir, 'slow.xy'), xy(10));
    await until('the score to start', () => started);
    const stopped = await Promise.race([w.watcher.stop().then(() => 'stopped'), sleep(10_000).then(() => 'still waiting')]);
    assert.equal(stopped, 'stopped');
    release({ points: -1, last: -1 });
    await sleep(100);
    assert.deepEqual(w.scored, []);
  });

  it('a slow score (2 s) delays but never drops the files that arrive meanwhile', async () => {
    const w = box.watch({
      score: async (m, file) => {
        if (file.name === 'slow.xy') await sleep(2000);
        return read(m);
      },
    });
    await w.watcher.start();
    writeFileSync(join(box.dir, 'slow.xy'), xy(10));
    await sleep(400);
    for (let i = 0; i < 20; i++) writeFileSync(join(box.dir, `during-${i}.xy`), xy(30 + i));
    await until('21 scores', () => w.scored.length === 21);
    await sleep(1000);
    assert.equal(w.scored.length, 21);
    assert.deepEqual(w.failed, []);
  });

  it('a scorer that throws a non-Error, and a batch scorer that answers short: each failure lands on its file only', async () => {
    const batches: number[] = [];
    const w = box.watch({
      score: (m: MeasuredPattern, file: WatchedFile) => {
        if (file.name === 'bad.xy') throw 'no model for this'; // eslint-disable-line no-throw-literal
        return read(m);
      },
      scoreBatch: (requests) => {
        batches.push(requests.length);
        return requests.slice(1).map((r) => read(r.measured));
      },
    });
    await w.watcher.start();
    writeFileSync(join(box.dir, 'bad.xy'), xy(10));
    for (let i = 0; i < 8; i++) writeFileSync(join(box.dir, `ok-${i}.xy`), xy(40 + i));
    await until('nine outcomes', () => w.scored.length + w.failed.length === 9);
    await sleep(1000);
    assert.ok(batches.some((n) => n > 1), `a batch was asked for (${batches})`);
    assert.deepEqual(w.failed.map((f) => f.message), ['bad.xy: no model for this']);
    for (const s of w.scored) assert.equal(s.result.points, 40 + Number(/ok-(\d)/.exec(s.file.name)![1]), 'every result is its own file\'s');
  });

  it('a listener that throws costs that event only: later files are still scored, and it is reported as a watchError', async () => {
    const w = box.watch();
    let thrown = 0;
    w.watcher.on('scored', (e) => {
      if (e.file.name === 'first.xy') {
        thrown++;
        throw new Error('listener broke');
      }
    });
    await w.watcher.start();
    writeFileSync(join(box.dir, 'first.xy'), xy(10));
    await until('the first score', () => thrown === 1);
    writeFileSync(join(box.dir, 'second.xy'), xy(11));
    await until('the second score', () => w.scored.some((s) => s.file.name === 'second.xy'));
    assert.deepEqual(w.watchErrors.map((e) => e.message), ['listener broke']);
  });
});

describe('adversarial: watch — the watcher\'s own timers end', function () {
  this.timeout(60_000);
  const box = watchSandbox();

  it('a settle interval longer than a timer holds does not turn into a 1 ms poll', async () => {
    const overflows: string[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const w = box.watch({ settleMs: 1e12, unfinishedMs: 1e300, scanIntervalMs: 1e15, scoreTimeoutMs: Infinity });
      await w.watcher.start();
      writeFileSync(join(box.dir, 'waits.xy'), '20 1\n');
      await sleep(1000);
      assert.deepEqual(w.scored, []);
      assert.deepEqual(overflows, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('latent-xrd watch refuses a --settle or --unfinished no timer can hold, with exit code 2', async () => {
    for (const flag of ['--settle', '--unfinished']) {
      const run = await runCliProcess(['watch', box.dir, '--model', 'nowhere', flag, '1e300']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`${flag} expects milliseconds from 0 to 2147483647 \\(about 24 days\\); got "1e300"`));
    }
  });
});
