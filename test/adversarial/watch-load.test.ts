// What held up when the watch folder was attacked, kept: a burst of 1,000 files written at once,
// a churn of 600 files created, rewritten and deleted while the watcher works, and a `watch`
// interrupted (SIGINT, SIGTERM) in the middle of a backlog exits 0 at once with whole lines.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalIntensity, sleep, spawnWatch, until, watchSandbox, xy, type Read } from './watch-helpers';
import { untrainedModel } from './helpers';

describe('adversarial: watch — load', function () {
  this.timeout(180_000);
  const box = watchSandbox();

  it('a burst of 1,000 files, each written in 3 pieces cut mid-line: every one scored exactly once, whole', async () => {
    const batches: number[] = [];
    const w = box.watch({
      scoreBatch: (requests) => {
        batches.push(requests.length);
        return requests.map((r): Read => ({ points: r.measured.twoTheta.length, last: r.measured.intensity[r.measured.intensity.length - 1] }));
      },
    });
    await w.watcher.start();
    const pointsOf = (i: number) => 50 + (i % 37);
    for (let i = 0; i < 1000; i++) {
      const text = xy(pointsOf(i), i);
      const path = join(box.dir, `burst-${String(i).padStart(4, '0')}.xy`);
      const third = Math.floor(text.length / 3);
      writeFileSync(path, text.slice(0, third));
      appendFileSync(path, text.slice(third, 2 * third));
      appendFileSync(path, text.slice(2 * third));
    }
    await until('1,000 files scored', () => w.scored.length >= 1000, 120_000);
    await sleep(1500); // rescans and settle intervals: a duplicate, if any, shows
    const byName = new Map<string, Read[]>();
    for (const s of w.scored) byName.set(s.file.name, [...(byName.get(s.file.name) ?? []), s.result]);
    assert.equal(byName.size, 1000);
    for (const [name, results] of byName) {
      const i = Number(/burst-(\d+)/.exec(name)![1]);
      assert.deepEqual(results, [{ points: pointsOf(i), last: finalIntensity(pointsOf(i), i) }], name);
    }
    assert.deepEqual(w.failed, []);
    assert.ok(batches.some((n) => n > 1), 'the backlog went through scoreBatch');
  });

  it('a churn of 600 files (written, half rewritten, a third deleted, in random order): the survivors end scored in their last version, nothing is lost or left busy', async () => {
    const w = box.watch({ recursive: true });
    let idle = 0;
    w.watcher.on('idle', () => idle++);
    await w.watcher.start();
    mkdirSync(join(box.dir, 'sub'));
    const names = Array.from({ length: 600 }, (_, i) => (i % 5 === 0 ? `sub/c${i}.xy` : `c${i}.xy`));
    // Each file's steps in order (write; rewrite for every 2nd; delete for every 3rd), the files
    // interleaved by a fixed shuffle: the k-th time a name comes up, its k-th step is done.
    const stepsOf = new Map(names.map((n, i) => [n, ['write', ...(i % 2 === 0 ? ['rewrite'] : []), ...(i % 3 === 0 ? ['delete'] : [])]]));
    const turns = [...stepsOf].flatMap(([n, steps]) => steps.map(() => n));
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    for (let i = turns.length - 1; i > 0; i--) {
      const j = random() % (i + 1);
      [turns[i], turns[j]] = [turns[j], turns[i]];
    }
    const final = new Map<string, number>();
    const taken = new Map<string, number>();
    for (const [t, name] of turns.entries()) {
      const k = taken.get(name) ?? 0;
      taken.set(name, k + 1);
      const step = stepsOf.get(name)![k];
      const path = join(box.dir, name);
      if (step === 'delete') {
        unlinkSync(path);
        final.delete(name);
      } else {
        const points = step === 'write' ? 60 : 90;
        writeFileSync(path, xy(points, 1));
        final.set(name, points);
      }
      if (t % 50 === 0) await sleep(1); // let the watcher in now and then, as a real writer would
    }
    await until('every survivor scored in its last version', () => [...final].every(([name, points]) => w.scoresOf(name).at(-1)?.result.points === points), 120_000);
    await until('idle', () => w.watcher.isIdle());
    await sleep(1500);
    assert.ok(w.watcher.isIdle(), 'nothing left waiting');
    assert.deepEqual(w.failed, []);
    for (const [name, points] of final) assert.equal(w.scoresOf(name).at(-1)!.result.points, points, name);
    // A deleted file that had been scored is reported removed, and never scored after that.
    for (const name of names.filter((n) => !final.has(n))) {
      const lastScore = w.log.lastIndexOf(`scored ${name}`);
      if (lastScore >= 0) assert.ok(w.log.lastIndexOf(`removed ${name}`) > lastScore, `${name} removed after its score`);
    }
    assert.ok(idle > 0);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`latent-xrd watch stopped by ${signal} in the middle of a backlog of 400 files: exit 0 at once, every line whole`, async () => {
      const model = await untrainedModel(join(box.dir, 'model'));
      const incoming = join(box.dir, 'incoming');
      mkdirSync(incoming);
      const watch = spawnWatch(['incoming', '--model', model, '--backend', 'wasm'], box.dir);
      await until('the watcher to start', () => /watching incoming/.test(watch.output.stderr));
      for (let i = 0; i < 400; i++) writeFileSync(join(incoming, `b${i}.xy`), xy(300, i));
      await until('the first lines', () => watch.lines().length >= 1);
      watch.child.kill(signal);
      const exit = await watch.exited;
      assert.equal(watch.output.hung, false, 'the signal was heeded');
      assert.deepEqual(exit, { code: 0, signal: null }, watch.output.stderr);
      assert.ok(watch.output.stdout.endsWith('\n'), 'no line cut short');
      for (const line of watch.lines()) assert.equal(line.event, 'scored');
    });
  }
});
