// An output path never deletes what Latent XRD did not write (issue 11, critical 2). Before the
// fix, `writeAtomically` moved any existing target aside and removed it recursively, with exit
// code 0: `synth -o victim/` replaced a folder of measurements with one HDF5 file, `"output": "."`
// the whole project, `"training": {"model": ".."}` the parent folder, and `train --model
// measurements` deleted measurements/run1.xy. Now only an earlier dataset (its own marks), model
// folder (its manifest.json and nothing else) or text output is replaced; anything else is
// refused with the reason (exit 2), and what a workspace config names stays inside its folder.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, runCliProcess, untrainedModel } from './helpers';
import { leftovers, snapshot, writeConfig, writesWorkspace } from './writes-helpers';

const REFUSED = /not replaced: .*Latent XRD replaces only what it wrote itself/;

function refused(r: Awaited<ReturnType<typeof runCliProcess>>, reason: RegExp): void {
  assert.equal(r.hung, false, describeRun(r));
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, reason, describeRun(r));
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, describeRun(r));
}

describe('adversarial: an output path replaces only what Latent XRD wrote', function () {
  this.timeout(120_000);

  it('synth -o victim/ leaves a folder of measurements as it was', async () => {
    const dir = writesWorkspace();
    mkdirSync(join(dir, 'victim'));
    writeFileSync(join(dir, 'victim', 'run1.xy'), '20 1\n21 2\n');
    const before = snapshot(dir);
    for (const output of ['victim/', 'victim']) {
      refused(await runCliProcess(['synth', '-o', output], { cwd: dir }), /victim: not replaced: it is a folder, not a dataset/);
    }
    assert.deepEqual(snapshot(dir), before);
  });

  it('synth -o over a file of another program refuses; over its own dataset it replaces', async () => {
    const dir = writesWorkspace();
    writeFileSync(join(dir, 'notes.h5'), 'my notes, not HDF5');
    refused(await runCliProcess(['synth', '-o', 'notes.h5'], { cwd: dir }), /notes\.h5: not replaced: it is not an HDF5 file/);
    assert.equal(readFileSync(join(dir, 'notes.h5'), 'utf8'), 'my notes, not HDF5');
    const first = await runCliProcess(['synth', '-q'], { cwd: dir });
    assert.equal(first.code, 0, describeRun(first));
    writeConfig(dir, { seed: 8 });
    const again = await runCliProcess(['synth', '-q'], { cwd: dir });
    assert.equal(again.code, 0, describeRun(again));
    assert.deepEqual(leftovers(dir), []);
  });

  it('"output": "." in a config is refused, and the project stays whole', async () => {
    const dir = writesWorkspace({ output: '.' });
    writeFileSync(join(dir, 'thesis.tex'), 'three years of work');
    const before = snapshot(dir);
    refused(await runCliProcess(['synth'], { cwd: dir }), /output: "\." is the config's folder itself/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('"training": {"model": ".."} is refused, and the parent folder stays whole', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'latent-xrd-parent-'));
    writeFileSync(join(parent, 'other-project.txt'), 'not yours');
    const dir = writesWorkspace({ training: { model: '..' } }, parent);
    const before = snapshot(parent);
    refused(await runCliProcess(['train'], { cwd: dir }), /training\.model: "\.\." leads to .*outside the config's folder/);
    assert.deepEqual(snapshot(parent), before);
  });

  it('train --model measurements keeps measurements/run1.xy (refused before any work)', async () => {
    const dir = writesWorkspace();
    mkdirSync(join(dir, 'measurements'));
    writeFileSync(join(dir, 'measurements', 'run1.xy'), '20 1\n21 2\n');
    const before = snapshot(dir);
    refused(await runCliProcess(['train', '--model', 'measurements'], { cwd: dir }), /measurements: not replaced: it is not a model folder written by Latent XRD/);
    assert.deepEqual(snapshot(dir), before, 'nothing written: not even the dataset');
  });

  it('a model folder holding anything more than a model is not replaced, and says what', async () => {
    const dir = writesWorkspace();
    await untrainedModel(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'my-notes.txt'), 'keep me');
    const before = snapshot(dir);
    refused(await runCliProcess(['train'], { cwd: dir }), /model: not replaced: it holds my-notes\.txt, which a model folder does not/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('a config cannot reach outside its folder: through "..", an absolute path or a symbolic link', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'latent-xrd-outside-'));
    writeFileSync(join(outside, 'secret.cif'), readFileSync(join(writesWorkspace(), 'Ni-fcc.cif')));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ output: '../elsewhere.h5' }, /output: "\.\.\/elsewhere\.h5" leads to .*outside the config's folder/],
      [{ output: join(outside, 'ds.h5') }, /output: ".*ds\.h5" leads to .*outside the config's folder/],
      [{ output: 'link/ds.h5' }, /output: "link\/ds\.h5" leads to .*outside the config's folder/],
      [{ phases: [{ cif: join(outside, 'secret.cif'), count: 5 }] }, /phases\.0\.cif: .* leads to .*secret\.cif, outside the config's folder/],
      [{ phases: [{ cif: 'link/*.cif', count: 5 }] }, /phases\.0\.cif: "link\/secret\.cif" leads to .*outside the config's folder/],
    ];
    for (const [config, message] of cases) {
      const dir = writesWorkspace(config);
      symlinkSync(outside, join(dir, 'link'));
      const before = snapshot(outside);
      refused(await runCliProcess(['synth'], { cwd: dir }), message);
      assert.deepEqual(snapshot(outside), before);
    }
  });

  it('a path given on the command line may lie outside the config\'s folder', async () => {
    const dir = writesWorkspace();
    const elsewhere = mkdtempSync(join(tmpdir(), 'latent-xrd-elsewhere-'));
    const r = await runCliProcess(['synth', '-q', '-o', join(elsewhere, 'ds.h5')], { cwd: dir });
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(existsSync(join(elsewhere, 'ds.h5')));
  });

  it('text outputs (simulate -o, read --out) replace their own earlier file, never another', async () => {
    const dir = writesWorkspace();
    writeFileSync(join(dir, 'measured.xy'), '20 1\n21 2\n22 3\n');
    const before = readFileSync(join(dir, 'measured.xy'), 'utf8');
    refused(await runCliProcess(['simulate', 'Ni-fcc.cif', '-o', 'measured.xy'], { cwd: dir }), /measured\.xy: not replaced: it is not a pattern written by Latent XRD/);
    refused(await runCliProcess(['read', 'measured.xy', '--out', 'measured.xy'], { cwd: dir }), /measured\.xy: not replaced/);
    refused(await runCliProcess(['simulate', 'Ni-fcc.cif', '-o', 'latent-xrd.json'], { cwd: dir }), /latent-xrd\.json: not replaced/);
    assert.equal(readFileSync(join(dir, 'measured.xy'), 'utf8'), before);
    for (let run = 0; run < 2; run++) {
      const r = await runCliProcess(['simulate', 'Ni-fcc.cif', '--points', '100', '-o', 'sim.xy'], { cwd: dir });
      assert.equal(r.code, 0, describeRun(r));
      const converted = await runCliProcess(['read', 'measured.xy', '--out', 'converted.xy'], { cwd: dir });
      assert.equal(converted.code, 0, describeRun(converted));
    }
    mkdirSync(join(dir, 'folder.xy'));
    refused(await runCliProcess(['simulate', 'Ni-fcc.cif', '-o', 'folder.xy'], { cwd: dir }), /folder\.xy: not replaced: it is a folder/);
    assert.deepEqual(leftovers(dir), []);
  });

  it('reproduce --out a folder that is not an earlier report is refused before any work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-report-'));
    writeFileSync(join(dir, 'metrics.json'), '{"mine": true}');
    const before = snapshot(dir);
    refused(await runCliProcess(['reproduce', '--quick', '--out', dir]), /not replaced: it is a folder that is neither empty nor a report of latent-xrd reproduce/);
    refused(await runCliProcess(['reproduce', '--quick', '--out', join(dir, 'metrics.json')]), /metrics\.json: not replaced: it is not a folder, so not a report folder/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('an earlier model folder is replaced whole by a new one', async () => {
    const dir = writesWorkspace();
    await untrainedModel(join(dir, 'model'));
    const first = JSON.parse(readFileSync(join(dir, 'model', 'manifest.json'), 'utf8'));
    const r = await runCliProcess(['train'], { cwd: dir });
    assert.equal(r.code, 0, describeRun(r));
    const second = JSON.parse(readFileSync(join(dir, 'model', 'manifest.json'), 'utf8'));
    assert.notEqual(second.created, first.created);
    assert.deepEqual(leftovers(dir), []);
    // The copy a user makes of a model is still a model folder, and replaceable.
    cpSync(join(dir, 'model'), join(dir, 'copy'), { recursive: true });
    const again = await runCliProcess(['train', '--model', 'copy'], { cwd: dir });
    assert.equal(again.code, 0, describeRun(again));
  });
});
