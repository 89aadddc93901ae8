// Files written in place with pauses longer than the settle interval, as a slow instrument or a
// buffered export does: each pause used to look like the end, so one file was scored once per
// partial version (8 events for one file) and a cut inside a number scored the truncated value.
// The file's own end decides now; a quiet interval only after it.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileEnding } from '../../src/core/watch/file-ending';
import { readPattern } from '../../src/core/formats';
import { finalIntensity, sleep, until, watchSandbox, xy } from './watch-helpers';
import { root } from './helpers';

const fixture = (name: string) => {
  const bytes = readFileSync(join(root, 'test/fixtures/instrument-formats', name));
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
};

/** The pauses the report used: 400–700 ms, longer than the 250 ms settle interval. */
const PAUSES_MS = [400, 550, 700, 450, 600, 500, 650];

/** `bytes` in PAUSES_MS.length + 1 pieces, each cut (but the last) where `cutAt` moves a rough cut. */
function pieces(bytes: Uint8Array, cutAt: (rough: number) => number = (x) => x): Uint8Array[] {
  const count = PAUSES_MS.length + 1;
  const cuts = [0];
  for (let k = 1; k < count; k++) cuts.push(cutAt(Math.round((k * bytes.length) / count)));
  cuts.push(bytes.length);
  return cuts.slice(1).map((end, k) => bytes.subarray(cuts[k], end));
}

/** Appends the pieces with the pauses between them, as an instrument streams a file. */
async function writeSlowly(path: string, parts: Uint8Array[]): Promise<void> {
  writeFileSync(path, parts[0]);
  for (let k = 1; k < parts.length; k++) {
    await sleep(PAUSES_MS[k - 1]);
    appendFileSync(path, parts[k]);
  }
}

/** A cut inside a number: moved forward to a position between two digits. */
function insideANumber(text: string): (rough: number) => number {
  return (rough) => {
    let at = rough;
    while (!(/\d/.test(text[at - 1]) && /\d/.test(text[at]))) at++;
    return at;
  };
}

describe('adversarial: watch — a file written in place with long pauses', function () {
  this.timeout(120_000);
  const box = watchSandbox();

  it('.xy cut inside numbers, 400–700 ms pauses: scored once, whole, with its true last value', async () => {
    const w = box.watch();
    await w.watcher.start();
    const text = xy(600);
    await writeSlowly(join(box.dir, 'slow.xy'), pieces(Buffer.from(text), insideANumber(text)));
    await until('a score', () => w.scored.length >= 1);
    await sleep(2500); // two settle intervals and more: a second score, if any, shows
    assert.deepEqual(
      w.scored.map((s) => s.result),
      [{ points: 600, last: finalIntensity(600) }],
    );
    assert.deepEqual(w.failed, []);
    assert.equal(w.scored[0].note, undefined, 'it ended properly: no note');
  });

  const pieceByPiece = [
    ['PANalytical-powder-xrd-3-70deg.xrdml', '.xrdml (its root closes last)'],
    ['BT86.raw', 'Bruker .raw (binary: judged by its parse)'],
  ] as const;
  for (const [name, what] of pieceByPiece) {
    it(`${what} in pieces with pauses: never reported unreadable half-way, scored once`, async () => {
      const w = box.watch();
      await w.watcher.start();
      const bytes = fixture(name);
      const whole = readPattern(bytes, name);
      await writeSlowly(join(box.dir, `scan-${name}`), pieces(bytes));
      await until('a score', () => w.scored.length >= 1);
      await sleep(2500);
      assert.deepEqual(w.failed.map((f) => f.message), []);
      assert.deepEqual(w.scored.map((s) => s.result.points), [whole.twoTheta.length]);
    });
  }

  it('.ras stopped between *RAS_INT_END and *RAS_DATA_END (a whole range, not the file): waits for the end marker', async () => {
    const w = box.watch();
    await w.watcher.start();
    const text = fixture('MB120718Si3.ras.gz').toString('latin1');
    const split = text.indexOf('*RAS_DATA_END');
    assert.ok(split > 0);
    const path = join(box.dir, 'range.ras');
    writeFileSync(path, text.slice(0, split), 'latin1');
    await sleep(1500); // the range alone parses; before, it was scored here
    appendFileSync(path, text.slice(split), 'latin1');
    await until('a score', () => w.scored.length >= 1);
    await sleep(1500);
    assert.equal(w.scored.length, 1, w.log.join('\n'));
    assert.deepEqual(w.failed, []);
  });

  it('a file that stays unfinished is settled in the end: scored with a note, or reported once — and then left alone', async () => {
    const w = box.watch({ unfinishedMs: 800 });
    await w.watcher.start();
    const body = xy(50);
    writeFileSync(join(box.dir, 'no-newline.xy'), body.slice(0, -1)); // parses; no final line break
    writeFileSync(join(box.dir, 'half-line.xy'), body + '90.5'); // a line cut after its 2θ
    writeFileSync(join(box.dir, 'empty.xy'), '');
    await until('three outcomes', () => w.scored.length + w.failed.length >= 3);
    await sleep(2000);
    assert.deepEqual(w.log.sort(), ['failed empty.xy', 'failed half-line.xy', 'scored no-newline.xy']);
    assert.match(w.scored[0].note ?? '', /its last line has no line break; read after 0\.8 s without a change/);
    assert.match(w.failed.find((f) => f.file.name === 'half-line.xy')!.message, /half-line\.xy:52:\d+: expected two numbers/);
    // Each was announced as not taken yet exactly once, not once per look.
    assert.deepEqual(w.retrying.map((r) => r.file.name).sort(), ['empty.xy', 'half-line.xy', 'no-newline.xy']);
  });
});

describe('adversarial: watch — how a file ends (file-ending.ts)', () => {
  const text = (s: string) => Buffer.from(s, 'latin1');

  it('the real instrument files end complete, or are opaque (binary, compressed)', () => {
    const expected: Record<string, string> = {
      'PANalytical-powder-xrd-3-70deg.xrdml': 'complete',
      'MB120718Si3.ras.gz': 'complete',
      '2Theta.asc.gz': 'complete',
      'BT86-siemens.uxd.gz': 'complete',
      'FAP-laboratory.gsas.gz': 'complete',
      'MnO.xy': 'complete',
      'BT86.raw': 'opaque',
      'YBCO-A1-HG-600C-950C.brml': 'opaque',
    };
    for (const [name, state] of Object.entries(expected)) {
      const bytes = fixture(name);
      const format = readPattern(bytes, name.replace(/\.gz$/, '')).format;
      assert.equal(fileEnding(bytes, format).state, state, name);
    }
    const raw = readFileSync(join(root, 'test/fixtures/instrument-formats/aimat-powder-xrd-30-110deg.xy.gz'));
    assert.equal(fileEnding(raw).state, 'opaque', 'compressed: the gzip reader decides');
  });

  it('every cut of an XRDML, RAS or ASC file before its end marker is unfinished', () => {
    for (const name of ['PANalytical-powder-xrd-3-70deg.xrdml', 'MB120718Si3.ras.gz', '2Theta.asc.gz']) {
      const bytes = fixture(name);
      const format = readPattern(bytes, name.replace(/\.gz$/, '')).format;
      const end = bytes.toString('latin1').trimEnd().length;
      for (let k = 1; k < 40; k++) {
        const cut = Math.floor((k * end) / 40);
        assert.equal(fileEnding(bytes.subarray(0, cut), format).state, 'unfinished', `${name} cut at ${cut}`);
      }
    }
  });

  it('text: a final line break (\\n, \\r\\n or \\r) or nothing; XML: its root closed, a BOM and prolog allowed', () => {
    assert.equal(fileEnding(text('20 1\n21 2\n')).state, 'complete');
    assert.equal(fileEnding(text('20 1\r\n21 2\r\n')).state, 'complete');
    assert.equal(fileEnding(text('20 1\r21 2\r')).state, 'complete');
    assert.deepEqual(fileEnding(text('20 1\n21 2')), { state: 'unfinished', reason: 'its last line has no line break' });
    assert.deepEqual(fileEnding(text('')), { state: 'unfinished', reason: 'it is empty' });
    const xml = '\uFEFF<?xml version="1.0"?>\n<!-- a -->\n<x:xrdMeasurements a="1"><b/></x:xrdMeasurements>';
    assert.equal(fileEnding(Buffer.from(xml)).state, 'complete');
    assert.deepEqual(fileEnding(Buffer.from(xml.replace('</x:xrdMeasurements>', '</b>'))), { state: 'unfinished', reason: 'it ends before the closing </x:xrdMeasurements>' });
  });
});
