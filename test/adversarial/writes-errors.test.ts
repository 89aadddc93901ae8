// Write failures and damaged datasets are user errors with a message naming the path (issue
// 11, minor): EISDIR, EACCES, ENOSPC, `synth -o /sys/ds.h5` came out as "internal error" with a
// stack trace (exit 70), and a crafted 14 KB sparse .h5 asked for "allocation of 819200000000
// bytes". A dataset is now checked — its marks, shapes and sizes against the file and a limit,
// its values, its checksums — before anything is allocated for it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, runCliProcess } from './helpers';
import { writesWorkspace } from './writes-helpers';
import { loadH5wasm } from '../../src/core/util/h5';
import { readDataset } from '../../src/core/synth/dataset';
import { writeFailure } from '../../src/core/util/write-errors';
import { UserError } from '../../src/core/diagnostics';

function userError(r: Awaited<ReturnType<typeof runCliProcess>>, message: RegExp): void {
  assert.equal(r.hung, false, describeRun(r));
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, message, describeRun(r));
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at |HDF5-DIAG/, describeRun(r));
}

/** A small HDF5 file shaped by `build`, with Latent XRD's mark unless told otherwise. */
async function craftedH5(build: (file: InstanceType<Awaited<ReturnType<typeof loadH5wasm>>['File']>) => void, marked = true): Promise<string> {
  const h5 = await loadH5wasm();
  const path = join(mkdtempSync(join(tmpdir(), 'latent-xrd-h5-')), 'crafted.h5');
  const file = new h5.File(path, 'w');
  if (marked) file.create_attribute('software', 'latent-xrd');
  build(file);
  file.close();
  return path;
}

describe('adversarial: write failures and damaged datasets are user errors', function () {
  this.timeout(120_000);

  it('an output where nothing can be written: exit 2 naming the path, no stack trace', async () => {
    const dir = writesWorkspace();
    userError(await runCliProcess(['synth', '-o', '/sys/ds.h5'], { cwd: dir }), /\/sys\/ds\.h5: cannot write: permission denied/);
    userError(await runCliProcess(['simulate', 'Ni-fcc.cif', '-o', '/sys/x.xy'], { cwd: dir }), /\/sys\/x\.xy: cannot write: permission denied \(EACCES\)/);
    writeFileSync(join(dir, 'measured.xy'), '20 1\n21 2\n22 3\n');
    userError(await runCliProcess(['read', 'measured.xy', '--out', '/sys/x.xy'], { cwd: dir }), /\/sys\/x\.xy: cannot write: permission denied \(EACCES\)/);
    userError(await runCliProcess(['simulate', 'Ni-fcc.cif', '-o', 'Ni-fcc.cif/x.xy'], { cwd: dir }), /Ni-fcc\.cif: cannot write: a part of the path is not a folder/);
    userError(await runCliProcess(['synth', '-o', 'Ni-fcc.cif/ds.h5'], { cwd: dir }), /Ni-fcc\.cif: cannot write: a part of the path is not a folder/);
  });

  it('every operating-system write failure reads as words, with its code', () => {
    const failure = (code: string) => writeFailure('/data/out.h5', Object.assign(new Error(`${code}: raw`), { code }));
    assert.match(failure('ENOSPC')!.message, /^\/data\/out\.h5: cannot write: no space left on the device \(ENOSPC\)$/);
    assert.match(failure('EROFS')!.message, /the file system is read-only \(EROFS\)/);
    assert.match(failure('EISDIR')!.message, /it is a folder \(EISDIR\)/);
    assert.match(failure('EDQUOT')!.message, /quota/);
    assert.ok(failure('EWHATEVER') instanceof UserError, 'an unlisted code is still a user error');
    assert.equal(writeFailure('/x', new TypeError('a bug')), undefined, 'a bug stays a bug');
  });

  it('a crafted sparse .h5 claiming 800 GB is refused before anything is allocated', async () => {
    const dir = writesWorkspace({ output: 'dataset.h5' });
    const h5 = await loadH5wasm();
    const file = new h5.File(join(dir, 'dataset.h5'), 'w');
    file.create_attribute('software', 'latent-xrd');
    const patterns = file.create_dataset({ name: 'patterns', data: new Float32Array(0), shape: [0, 2048], maxshape: [null, 2048], chunks: [1, 2048], dtype: '<f4' });
    patterns.resize([100_000_000, 2048]);
    file.close();
    userError(await runCliProcess(['train'], { cwd: dir }), /dataset\.h5: "patterns" claims 100000000 × 2048 values \(762\.9 GiB\); a dataset holds at most 1 GiB/);
  });

  it('damaged or foreign datasets: a located message each, never a crash', async () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['not HDF5', async () => {
        const path = join(mkdtempSync(join(tmpdir(), 'latent-xrd-h5-')), 'text.h5');
        writeFileSync(path, 'just text');
        return path;
      }, /text\.h5: not a dataset Latent XRD can read: not an HDF5 file/],
      ['another program\'s HDF5', () => craftedH5((f) => f.create_dataset({ name: 'patterns', data: new Float32Array(8), shape: [2, 4] }), false), /not a latent-xrd dataset/],
      ['patterns larger than the file', () => craftedH5((f) => {
        const d = f.create_dataset({ name: 'patterns', data: new Float32Array(0), shape: [0, 512], maxshape: [null, 512], chunks: [1, 512], dtype: '<f4' });
        d.resize([1000, 512]);
      }), /"patterns" claims 2048000 bytes of values, but the file has \d+: damaged, or not written by Latent XRD/],
      ['a non-finite value', () => craftedH5((f) => {
        f.create_dataset({ name: 'patterns', data: Float32Array.from([0, 1, NaN, 0.5]), shape: [2, 2], dtype: '<f4' });
        f.create_dataset({ name: 'phase_names', data: ['A'] });
        f.create_dataset({ name: 'phase_roles', data: ['known'] });
        f.create_dataset({ name: 'labels', data: Int32Array.from([0, 0]), dtype: '<i4' });
        f.create_dataset({ name: 'fractions', data: Float32Array.from([1, 1]), shape: [2, 1], dtype: '<f4' });
        f.create_dataset({ name: 'two_theta', data: Float32Array.from([20, 90]), dtype: '<f4' });
      }), /pattern 1, point 0: not a finite number \(NaN\)/],
      ['a label naming no phase', () => craftedH5((f) => {
        f.create_dataset({ name: 'patterns', data: Float32Array.from([0, 1, 0, 0.5]), shape: [2, 2], dtype: '<f4' });
        f.create_dataset({ name: 'phase_names', data: ['A'] });
        f.create_dataset({ name: 'phase_roles', data: ['known'] });
        f.create_dataset({ name: 'labels', data: Int32Array.from([0, 7]), dtype: '<i4' });
        f.create_dataset({ name: 'fractions', data: Float32Array.from([1, 1]), shape: [2, 1], dtype: '<f4' });
        f.create_dataset({ name: 'two_theta', data: Float32Array.from([20, 90]), dtype: '<f4' });
      }), /pattern 1: label 7 names no phase/],
      ['a shape that does not fit its patterns', () => craftedH5((f) => {
        f.create_dataset({ name: 'patterns', data: Float32Array.from([0, 1, 0, 0.5]), shape: [2, 2], dtype: '<f4' });
        f.create_dataset({ name: 'phase_names', data: ['A'] });
        f.create_dataset({ name: 'phase_roles', data: ['known'] });
        f.create_dataset({ name: 'labels', data: Int32Array.from([0, 0, 0]), dtype: '<i4' });
        f.create_dataset({ name: 'fractions', data: Float32Array.from([1, 1]), shape: [2, 1], dtype: '<f4' });
        f.create_dataset({ name: 'two_theta', data: Float32Array.from([20, 90]), dtype: '<f4' });
      }), /"labels" is int32 of shape \[3\], not the int32 of shape \[2\]/],
    ];
    for (const [what, make, message] of cases) {
      const path = await make();
      await assert.rejects(readDataset(path), (e: unknown) => {
        assert.ok(e instanceof UserError, `${what}: ${(e as Error).stack}`);
        assert.match(e.message, message, what);
        return true;
      });
    }
  });

  it('a dataset whose values no longer match the checksums written with them is refused', async () => {
    const dir = writesWorkspace();
    const r = await runCliProcess(['synth', '-q'], { cwd: dir });
    assert.equal(r.code, 0, describeRun(r));
    const h5 = await loadH5wasm();
    const file = new h5.File(join(dir, 'dataset.h5'), 'a');
    (file.get('patterns') as InstanceType<typeof h5.Dataset>).write_slice([[3, 4], [0, 4]], Float32Array.from([0.5, 0.5, 0.5, 0.5]));
    file.close();
    await assert.rejects(readDataset(join(dir, 'dataset.h5')), /dataset\.h5: damaged: patterns do not match the checksums written with them/);
  });
});
