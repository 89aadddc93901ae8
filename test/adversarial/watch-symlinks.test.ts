// Symbolic links in a watched folder: `watch` used to read a link to a file anywhere on the
// disk as if it were a measurement in the folder. Only what is inside the folder is read now;
// a link out is skipped with a note, linked subfolders are not entered (a link to "." would make
// the recursive scan endless), and the scan ends.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, spawnWatch, until, watchSandbox, xy } from './watch-helpers';
import { untrainedModel } from './helpers';

describe('adversarial: watch — symbolic links', function () {
  this.timeout(120_000);
  const box = watchSandbox();
  let outside: string;
  beforeEach(() => {
    outside = mkdtempSync(join(tmpdir(), 'latent-xrd-adv-outside-'));
    writeFileSync(join(outside, 'secret.xy'), xy(77));
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it('a link to a file outside is not read (a note says so); a link inside and real files are', async () => {
    writeFileSync(join(box.dir, 'real.xy'), xy(30));
    symlinkSync(join(box.dir, 'real.xy'), join(box.dir, 'inner-link.xy'));
    symlinkSync(join(outside, 'secret.xy'), join(box.dir, 'out-link.xy'));
    const w = box.watch({ includeExisting: true });
    await w.watcher.start();
    await until('the two files inside', () => w.scored.length >= 2);
    // Made after start: found by fs.watch or the scan, skipped the same way.
    symlinkSync(join(outside, 'secret.xy'), join(box.dir, 'late-link.xy'));
    await until('both links noted', () => w.skipped.length >= 2);
    await sleep(1500); // several rescans: no second note, no score
    assert.deepEqual(w.scored.map((s) => s.file.name).sort(), ['inner-link.xy', 'real.xy']);
    assert.deepEqual(w.skipped.map((s) => s.name).sort(), ['late-link.xy', 'out-link.xy']);
    for (const s of w.skipped) assert.equal(s.reason, 'a symbolic link to a file outside the watched folder; not read');
    assert.deepEqual(w.failed, []);
  });

  it('recursive: links to "." and out of the folder are not entered; the scan ends and goes idle', async () => {
    mkdirSync(join(box.dir, 'day1'));
    writeFileSync(join(box.dir, 'day1', 'a.xy'), xy(40));
    symlinkSync('.', join(box.dir, 'loop'));
    symlinkSync('..', join(box.dir, 'day1', 'up'));
    symlinkSync(outside, join(box.dir, 'away'));
    const w = box.watch({ includeExisting: true, recursive: true });
    let idle = 0;
    w.watcher.on('idle', () => idle++);
    await w.watcher.start();
    await until('a.xy scored and idle', () => w.scored.length >= 1 && idle > 0);
    writeFileSync(join(outside, 'new-outside.xy'), xy(41));
    await sleep(1500);
    assert.deepEqual(w.scored.map((s) => s.file.name), ['day1/a.xy']);
    assert.deepEqual(w.skipped.map((s) => s.name).sort(), ['away', 'day1/up', 'loop']);
    for (const s of w.skipped) assert.equal(s.reason, 'a symbolic link to a folder; linked folders are not watched');
  });

  it('a watched folder named through a link is watched where it really is', async () => {
    const real = join(box.dir, 'incoming');
    mkdirSync(real);
    symlinkSync(real, join(box.dir, 'alias'));
    const w = box.watch({ directory: join(box.dir, 'alias') });
    await w.watcher.start();
    writeFileSync(join(real, 'x.xy'), xy(20));
    await until('x.xy', () => w.scored.length === 1);
    assert.deepEqual(w.skipped, []);
  });

  it('latent-xrd watch: the note goes to stderr, stdout gets no line for the link', async () => {
    const model = await untrainedModel(join(box.dir, 'model'));
    const incoming = join(box.dir, 'incoming');
    mkdirSync(incoming);
    writeFileSync(join(incoming, 'mine.xy'), xy(60));
    symlinkSync(join(outside, 'secret.xy'), join(incoming, 'theirs.xy'));
    const watch = spawnWatch(['incoming', '--model', model, '--existing', '--backend', 'wasm'], box.dir);
    await until('the note and the score', () => /note: incoming\/theirs\.xy/.test(watch.output.stderr) && watch.lines().length >= 1);
    await sleep(1000);
    watch.child.kill('SIGTERM');
    const exit = await watch.exited;
    assert.equal(watch.output.hung, false);
    assert.equal(exit.code, 0, watch.output.stderr);
    assert.deepEqual(watch.lines().map((l) => [l.event, l.file]), [['scored', 'incoming/mine.xy']]);
    assert.match(watch.output.stderr, /latent-xrd watch: note: incoming\/theirs\.xy: a symbolic link to a file outside the watched folder; not read\n/);
  });
});
