// Every terminating signal stops a writing command cleanly (issue 11, minor): SIGTERM and SIGHUP
// during `synth` left 150–180 MB `*.tmp-*` files (only SIGINT was handled); SIGKILL while a model
// was written left `model.tmp-*` / `model.old-*` folders. Now SIGINT, SIGTERM and SIGHUP stop at
// the next check and remove what is half-written (a second one at once), and the next write of
// an output clears what a killed run left beside it — only names of Latent XRD's own pattern
// whose process is gone. And what held up stays: an interrupted `train` writes nothing.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, runCliProcess, untrainedModel } from './helpers';
import { deadPid, leftovers, snapshot, startCli, waitUntil, writeConfig, writesWorkspace } from './writes-helpers';
import { generateDataset, planDataset } from '../../src/core/synth/dataset';
import { validateConfig } from '../../src/core/synth/config';
import { writeAtomically } from '../../src/core/util/atomic';
import { stoppableBySignals } from '../../src/cli/interrupt';

/** A config whose synth runs for many seconds: time to signal it mid-write. */
const LONG_SYNTH = { phases: [{ name: 'Ni', cif: 'Ni-fcc.cif', count: 30000 }, { name: 'Cr', cif: 'Cr-bcc.cif', count: 30000 }], chunkSize: 64 };

/** A workspace holding a small dataset written before, and a config that now asks for a long run. */
async function workspaceWithDataset(config: Record<string, unknown>): Promise<string> {
  const dir = writesWorkspace();
  const first = await runCliProcess(['synth', '-q'], { cwd: dir });
  assert.equal(first.code, 0, describeRun(first));
  writeConfig(dir, config);
  return dir;
}

const temporaryOf = (dir: string, name: string) => () => readdirSync(dir).some((f) => f.startsWith(`${name}.tmp-`));

describe('adversarial: signals and killed runs leave no half-written files', function () {
  this.timeout(120_000);

  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${signal} during synth removes the temporary file and keeps the old dataset`, async () => {
      const dir = await workspaceWithDataset(LONG_SYNTH);
      const before = snapshot(dir);
      const run = startCli(['synth'], dir);
      assert.ok(await waitUntil(temporaryOf(dir, 'dataset.h5')), `no temporary file appeared:\n${run.output().stderr}`);
      run.child.kill(signal);
      const r = await run.done;
      assert.equal(r.hung, false, describeRun(r));
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /cancelled; no file was written/, describeRun(r));
      assert.deepEqual(leftovers(dir), []);
      assert.deepEqual(snapshot(dir), before);
    });
  }

  it('a second signal ends the command at once, still removing what it was writing', async () => {
    // Node runs signal handlers between turns of the event loop, and every long step of synth
    // and train checks for the first signal at each turn: no real run is reliably slow enough to
    // see a second one. So this is the handler itself, with a writer that never checks and a
    // stand-in for process.exit (the real one would end mocha).
    const dir = writesWorkspace();
    const target = join(dir, 'stuck.h5');
    let temporary = '';
    const exits: number[] = [];
    const exit = process.exit;
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const earlier = new Map(signals.map((name) => [name, process.listeners(name)]));
    process.exit = ((code: number) => void exits.push(code)) as typeof process.exit;
    try {
      void stoppableBySignals({ out: () => {}, err: () => {}, cwd: dir }, () =>
        writeAtomically(target, (path) => {
          temporary = path;
          writeFileSync(path, 'half a dataset');
          return new Promise<void>(() => {});
        }, () => undefined),
      );
      assert.ok(await waitUntil(() => temporary !== '' && existsSync(temporary)));
      process.emit('SIGTERM', 'SIGTERM');
      assert.deepEqual(exits, [], 'the first signal only asks the work to stop');
      process.emit('SIGTERM', 'SIGTERM');
      assert.deepEqual(exits, [128 + 15]);
      assert.equal(existsSync(temporary), false);
      assert.equal(existsSync(target), false);
    } finally {
      process.exit = exit;
      // The work never ends: its handlers are taken off here, as its own `finally` would.
      for (const name of signals) for (const listener of process.listeners(name)) if (!earlier.get(name)!.includes(listener)) process.off(name, listener);
    }
  });

  it('after a SIGKILL during synth, the next run removes the temporary file it left', async () => {
    const dir = await workspaceWithDataset(LONG_SYNTH);
    const run = startCli(['synth'], dir);
    assert.ok(await waitUntil(temporaryOf(dir, 'dataset.h5')), `no temporary file appeared:\n${run.output().stderr}`);
    run.child.kill('SIGKILL');
    await run.done;
    assert.equal(leftovers(dir).length, 1, 'SIGKILL cannot be caught: the temporary file stays until the next run');
    writeConfig(dir);
    const next = await runCliProcess(['synth', '-q'], { cwd: dir });
    assert.equal(next.code, 0, describeRun(next));
    assert.deepEqual(leftovers(dir), []);
  });

  it('train clears model.tmp-* and model.old-* of killed runs, and nothing of a running process or another name', async () => {
    const dir = writesWorkspace();
    await untrainedModel(join(dir, 'model'));
    const dead = deadPid();
    mkdirSync(join(dir, `model.tmp-${dead}-k1`, 'encoder'), { recursive: true });
    writeFileSync(join(dir, `model.tmp-${dead}-k1`, 'encoder', 'weights.bin'), new Uint8Array(1000));
    cpSync(join(dir, 'model'), join(dir, `model.old-${dead}-k2`), { recursive: true });
    const running = `model.tmp-${process.pid}-k3`;
    mkdirSync(join(dir, running));
    mkdirSync(join(dir, 'model.tmp-mine'));
    const r = await runCliProcess(['train'], { cwd: dir });
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('model')).sort(), ['model', running, 'model.tmp-mine'].sort());
  });

  it('a dataset a killed run had moved aside is put back when the new one is not written', async () => {
    const dir = writesWorkspace();
    const config = validateConfig(readFileSync(join(dir, 'latent-xrd.json'), 'utf8')).config!;
    const plan = planDataset(config, dir).plan!;
    await generateDataset(plan);
    const before = readFileSync(plan.output);
    // Killed between its two renames: the old dataset set aside, the new one not yet in place.
    renameSync(plan.output, `${plan.output}.old-${deadPid()}-k4`);
    const cancelled = new AbortController();
    cancelled.abort();
    await assert.rejects(generateDataset(plan, { signal: cancelled.signal }), /cancelled/);
    assert.deepEqual(readFileSync(plan.output), before);
    assert.deepEqual(leftovers(dir), []);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during train stops it and writes nothing; the old model stays`, async () => {
      const dir = await workspaceWithDataset({ training: { epochs: 500, patience: 0 } });
      await untrainedModel(join(dir, 'model'));
      const before = snapshot(dir);
      const run = startCli(['train'], dir);
      assert.ok(await waitUntil(() => /epoch 1\//.test(run.output().stderr)), `training did not start:\n${run.output().stderr}`);
      run.child.kill(signal);
      const r = await run.done;
      assert.equal(r.hung, false, describeRun(r));
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /training cancelled; nothing was written/, describeRun(r));
      assert.deepEqual(snapshot(dir), before);
    });
  }
});
