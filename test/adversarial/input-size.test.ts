// Files past what Latent XRD reads are refused by their size, without being read into memory:
// a CIF (or any file named on the command line) past MAX_INPUT_FILE_BYTES, and a pattern file
// that settles in a watched folder past MAX_PATTERN_BYTES. The files are sparse: they take no
// disk, but state their full size, as a runaway instrument export or a wrong file would.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_INPUT_FILE_BYTES, MAX_PATTERN_BYTES } from '../../src/core/formats/limits';
import { describeRun, runCliProcess } from './helpers';
import { recordingWatcher, until, xy } from './watch-helpers';

function sparseFile(path: string, bytes: number, start = ''): void {
  writeFileSync(path, start);
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

describe('adversarial: files larger than Latent XRD reads', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'latent-xrd-input-size-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a CIF past the input limit: refused by its size, exit 2, the limit named', async () => {
    sparseFile(join(dir, 'huge.cif'), MAX_INPUT_FILE_BYTES + 1, 'data_x\n');
    const r = await runCliProcess(['structure', join(dir, 'huge.cif')]);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /huge\.cif: \d+ bytes: more than 1073\.741824 MB/);
  });

  it('a pattern file past the pattern limit settling in a watched folder: reported once, not read; the next file is scored', async () => {
    const w = recordingWatcher(dir, { debounceMs: 30, scanIntervalMs: 400 });
    await w.watcher.start();
    try {
      // 4 GiB: refused by its size, not by a failed attempt to read it into memory.
      assert.ok(4 * 2 ** 30 > MAX_PATTERN_BYTES);
      sparseFile(join(dir, 'runaway.xy'), 4 * 2 ** 30, '20 1\n');
      writeFileSync(join(dir, 'next.xy'), xy(50));
      await until('both files', () => w.failed.length + w.scored.length >= 2);
      assert.deepEqual(w.scored.map((s) => s.file.name), ['next.xy']);
      assert.equal(w.failed.length, 1);
      assert.match(w.failed[0].message, /^runaway\.xy: \d+ bytes: more than 128 MB, more than any pattern file \(1,000,000 points at most\); not read$/);
    } finally {
      await w.watcher.stop();
    }
  });
});
