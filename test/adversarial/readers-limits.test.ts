// How much a reader reads (issue 11, Major 10, Minor): a pattern file is read with its size
// limit checked as the bytes arrive (a device has no size), holds at most MAX_PATTERN_POINTS
// points, and an .xrd collection or a .npy array is refused from the sizes it declares, before
// anything is allocated for them. Large inputs are generated here.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readPattern, readPatternFile, MAX_PATTERN_POINTS } from '../../src/core/formats';
import { MAX_COLLECTION_SAMPLES } from '../../src/core/formats/limits';
import { readNpy } from '../../src/core/library/npy';
import { UserError } from '../../src/core/diagnostics';
import { describeRun, runCliProcess, untrainedModel } from './helpers';
import { outcomeProblem, ReaderWorker } from './readers-harness';
import { makeRaw101, npyBytes, xrdmlText } from '../unit/instrument-files';

const bytes = (s: string) => new TextEncoder().encode(s);
const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-readers-limits-'));
function userError(run: () => unknown, message: RegExp) {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof UserError, `not a UserError: ${(e as Error)?.stack ?? e}`);
    assert.match(e.message, message);
    return true;
  });
}

describe('readers: a pattern file is read within a size limit', () => {
  it('`read /dev/zero` ends with a message (exit 2): the limit is checked while reading, a device states no size', async () => {
    const r = await runCliProcess(['read', '/dev/zero']);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /^latent-xrd read: \/dev\/zero: holds more than 128 MB, more than any pattern file \(1,000,000 points at most\); not read$/m, describeRun(r));
  });

  it('`score /dev/zero good.xy` reads /dev/zero within the limit too: its error is listed, the good file scored', async function () {
    this.timeout(120_000);
    const model = await untrainedModel(join(dir, 'model'));
    writeFileSync(join(dir, 'good.xy'), Array.from({ length: 200 }, (_, i) => `${20 + i * 0.35} ${100 + (i % 7)}`).join('\n'));
    const r = await runCliProcess(['score', '--model', model, '--json', '/dev/zero', join(dir, 'good.xy')]);
    assert.equal(r.hung, false, describeRun(r));
    const results = JSON.parse(r.stdout).results as { file: string; error?: string; verdict?: string }[];
    assert.match(results[0].error ?? '', /^\/dev\/zero: holds more than 128 MB/, describeRun(r));
    assert.ok(results[1].verdict, describeRun(r));
  });

  it('a file larger than the limit is refused from its size, before it is read', () => {
    const path = join(dir, 'large.xy');
    writeFileSync(path, '10 1\n11 2\n');
    truncateSync(path, 128_000_001); // sparse: no disk written
    userError(() => readPatternFile(path, 'large.xy'), /^large\.xy: 128000001 bytes: more than 128 MB, more than any pattern file/);
    userError(() => readPattern(new Uint8Array(128_000_001), 'large.xy'), /^large\.xy: 128000001 bytes: more than 128 MB/);
  });

  it('files that cannot be read say why (exit 2): missing, a folder', async () => {
    mkdirSync(join(dir, 'folder.xy'), { recursive: true });
    userError(() => readPatternFile(join(dir, 'missing.xy'), 'missing.xy'), /^missing\.xy: cannot be read: no such file$/);
    userError(() => readPatternFile(join(dir, 'folder.xy'), 'folder.xy'), /^folder\.xy: is a folder, not a file$/);
    const r = await runCliProcess(['read', join(dir, 'missing.xy')]);
    assert.equal(r.code, 2, describeRun(r));
  });

  it('`read --help` says what an unreadable file gives: exit code 2', async () => {
    const help = await runCliProcess(['read', '--help']);
    assert.match(help.stdout, /exit code 2/);
    assert.doesNotMatch(help.stdout, /exit code 1\b/);
    const bad = await runCliProcess(['read', 'test/fixtures/workspace/patterns/malformed.xy']);
    assert.equal(bad.code, 2, describeRun(bad));
  });
});

describe(`readers: at most ${MAX_PATTERN_POINTS.toLocaleString('en-US')} points`, () => {
  it('an .xy of one point more is refused at the line that passes the limit', () => {
    const lines: string[] = [];
    for (let i = 0; i <= MAX_PATTERN_POINTS; i++) lines.push(`${(10 + i * 1e-4).toFixed(4)} 1`);
    userError(() => readPattern(bytes(lines.join('\n')), 'long.xy'), /^long\.xy:1000001:1: more than 1,000,000 points, the most a pattern may have \(real scans have up to ~100,000\)$/);
    // At the limit it reads.
    assert.equal(readPattern(bytes(lines.slice(0, MAX_PATTERN_POINTS).join('\n')), 'limit.xy').twoTheta.length, MAX_PATTERN_POINTS);
  });

  it('an XRDML list and a Bruker RAW step count past the limit are refused at their element and byte', () => {
    const counts = new Array<string>(MAX_PATTERN_POINTS + 1).fill('1');
    const xml = xrdmlText({ start: '10', end: '90', counts });
    userError(() => readPattern(bytes(xml), 'long.xrdml'), /^long\.xrdml:\d+:1: <intensities>: more than 1,000,000 points, the most a pattern may have/);
    const raw = makeRaw101([{ start: 10, step: 1e-5, counts: new Array<number>(MAX_PATTERN_POINTS + 1).fill(1), supplementary: 0, recordSize: 4 }]);
    userError(() => readPattern(raw, 'long.raw'), /^long\.raw: byte 716: the step count: 1000001 points is more than a pattern may have/);
  });
});

describe('readers: an .xrd collection is refused from its sizes before anything is allocated', () => {
  const worker = new ReaderWorker();
  after(() => worker.close());
  const located = /$^/; // every refusal here names its line and column

  it('a 170-byte .xrd with "grid": {"points": 400000000} is refused at "points" (in a worker, under the hang guard)', async () => {
    const text = '{"format": "latent-xrd-collection", "version": 1, "title": "big",\n"grid": {"min": 20, "max": 90, "points": 400000000},\n"samples": [{"id": "a", "intensity": [1, 2]}]}';
    assert.ok(text.length < 200);
    const c = { kind: 'collection' as const, name: 'big.xrd', bytes: bytes(text) };
    const r = await worker.read(c);
    assert.equal(outcomeProblem(c, r, located), undefined);
    assert.ok(r.outcome === 'error' && /^big\.xrd:2:\d+: grid\.points: 400000000 points is more than a pattern may have/.test(r.message), JSON.stringify(r));
  });

  it('a 2θ list longer than a pattern may be, and more samples than a collection may have', async () => {
    const axis = Array.from({ length: MAX_PATTERN_POINTS + 1 }, (_, i) => (10 + i * 1e-4).toFixed(4)).join(',');
    const long = { kind: 'collection' as const, name: 'axis.xrd', bytes: bytes(`{"format": "latent-xrd-collection",\n"twoTheta": [${axis}], "samples": [{"intensity": [1]}]}`) };
    const r1 = await worker.read(long);
    assert.ok(r1.outcome === 'error' && /^axis\.xrd:2:\d+: twoTheta: 1000001 points is more than a pattern may have/.test(r1.message), JSON.stringify(r1).slice(0, 500));
    const samples = new Array<string>(MAX_COLLECTION_SAMPLES + 1).fill('{"intensity": [1, 2]}').join(',');
    const many = { kind: 'collection' as const, name: 'many.xrd', bytes: bytes(`{"format": "latent-xrd-collection", "twoTheta": [10, 11],\n"samples": [${samples}]}`) };
    const r2 = await worker.read(many);
    assert.ok(r2.outcome === 'error' && /^many\.xrd:2:\d+: samples: 100001 samples is more than a collection may have \(100,000\)/.test(r2.message), JSON.stringify(r2).slice(0, 500));
  });

  it('a problem is located in any JSON that JSON.parse takes: 100,000 levels of nesting, a number of 400 digits', async () => {
    const deep = { kind: 'collection' as const, name: 'deep.xrd', bytes: bytes(`{"format": "latent-xrd-collection", "twoTheta": [10, 11], "samples": [{"intensity": [1, 2]}],\n"note": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`) };
    const r1 = await worker.read(deep);
    assert.ok(r1.outcome === 'error' && /^deep\.xrd:2:509: values nested more than 500 deep$/.test(r1.message), JSON.stringify(r1).slice(0, 500));
    const long = { kind: 'collection' as const, name: 'long.xrd', bytes: bytes(`{"format": "latent-xrd-collection", "twoTheta": [10, 11], "samples": [{"intensity": [1, ${'9'.repeat(400)}]}],\n"extra": 1}`) };
    const r2 = await worker.read(long);
    assert.ok(r2.outcome === 'error' && /^long\.xrd:2:10: extra: unknown key "extra" .*\(and 1 more problems\)$/.test(r2.message), JSON.stringify(r2).slice(0, 500));
  });

  it('a sample of another length than the axis is refused before it is read; a 2θ list that does not increase too', async () => {
    const c = { kind: 'collection' as const, name: 'len.xrd', bytes: bytes('{"format": "latent-xrd-collection", "twoTheta": [10, 11, 12],\n"samples": [{"intensity": [1, 2]}]}') };
    const r = await worker.read(c);
    assert.ok(r.outcome === 'error' && /^len\.xrd:2:\d+: samples\.0\.intensity: has 2 points but the 2θ axis has 3/.test(r.message), JSON.stringify(r));
    const down = { kind: 'collection' as const, name: 'down.xrd', bytes: bytes('{"format": "latent-xrd-collection",\n"twoTheta": [10, 12, 11], "samples": [{"intensity": [1, 2, 3]}]}') };
    const r2 = await worker.read(down);
    assert.ok(r2.outcome === 'error' && /^down\.xrd:2:\d+: twoTheta: point 3: 2θ does not increase at point 3 \(12°, then 11°\)/.test(r2.message), JSON.stringify(r2));
  });
});

describe('readers: .npy arrays whose header, shape, dtype and size disagree are errors at their byte', () => {
  /** A .npy with the given header dictionary and data bytes (version 1.0, header padded as NumPy does). */
  function npy(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
    const padded = header + ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
    const out = new Uint8Array(10 + padded.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(out.buffer).setUint16(8, padded.length, true);
    out.set(bytes(padded), 10);
    out.set(data, 10 + padded.length);
    return out;
  }
  const f8 = (values: number[]) => new Uint8Array(Float64Array.from(values).buffer);

  it('a negative shape, a shape that is not lengths, and a shape too large for a library', () => {
    userError(() => readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-3, 2), }"), 'neg.npy'), /^neg\.npy: byte \d+: the shape \("-3, 2"\) has "-3", not a length \(an integer ≥ 0\)$/);
    userError(() => readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2.5,), }"), 'frac.npy'), /^frac\.npy: byte \d+: the shape .* has "2\.5", not a length/);
    userError(() => readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }"), 'huge.npy'), /^huge\.npy: byte \d+: the shape \(100000, 100000\) holds more values than a library may \(50,000,000\)$/);
  });

  it('data shorter or longer than shape × dtype, a header longer than the file, an unsupported dtype', () => {
    userError(() => readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", f8([1, 2])), 'short.npy'), /^short\.npy: byte \d+: the header's shape \(3\) and dtype <f8 make 24 bytes of data; the file holds 16 \(it is cut off\)$/);
    userError(() => readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8([1, 2, 3])), 'long.npy'), /^long\.npy: byte \d+: the header's shape \(2\) and dtype <f8 make 16 bytes of data; the file holds 24$/);
    const cut = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }").subarray(0, 40);
    userError(() => readNpy(cut, 'cut.npy'), /^cut\.npy: byte 8: the header declares \d+ bytes; the file ends after 30 \(it is cut off\)$/);
    userError(() => readNpy(npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16)), 'complex.npy'), /^complex\.npy: byte 10: dtype "<c16" is not numeric/);
    userError(() => readNpy(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(2)), 'half.npy'), /^half\.npy: byte 10: dtype "<f2" is not supported$/);
  });

  it('a value that is not a finite number is refused at its byte, row and column', () => {
    const data = npyBytes([2, 3], [1, 2, 3, 4, Number.NaN, 6]);
    userError(() => readNpy(data, 'nan.npy'), /^nan\.npy: byte \d+: row 2, column 2 is not a finite number \(NaN\)$/);
    userError(() => readNpy(npyBytes([2], [1, Infinity]), 'inf.npy'), /^inf\.npy: byte \d+: value 2 is not a finite number \(Infinity\)$/);
    assert.deepEqual(Array.from(readNpy(npyBytes([2, 2], [1, 2, 3, 4]), 'ok.npy').data), [1, 2, 3, 4]);
  });
});
