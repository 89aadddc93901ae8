// The RPC over Node worker threads (src/worker/worker-rpc.ts): a worker that throws or exits fails
// every call it held, with a message saying so, instead of leaving them pending; the next call
// gets a fresh worker, or (a one-shot worker, a pool's) the reason it stopped. The workers here
// are small scripts that answer in the envelope's shape and then crash on cue; every wait ends on
// an event (a reply, a worker's exit), none on a clock.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { CancelledError, UserError } from '../../src/core/diagnostics';
import { WorkerChannel, rpcErrorOf } from '../../src/worker/worker-rpc';
import { PreviewWorker } from '../../src/worker/host';

interface Methods {
  echo: { params: { text: string }; result: string };
  crash: { params: { how: 'throw' | 'exit' }; result: never };
  hold: { params: object; result: never };
  userError: { params: object; result: never };
  cancelled: { params: object; result: never };
}

/**
 * A worker in plain JavaScript: `echo` answers, `hold` never does, `crash` throws out of the
 * message handler or calls process.exit(3), and the two error methods answer with error messages.
 */
const SCRIPT = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  const reply = (body) => parentPort.postMessage({ type: 'reply', inReplyTo: m.messageId, method: m.method, ...body });
  if (m.method === 'echo') reply({ result: m.params.text });
  else if (m.method === 'crash' && m.params.how === 'exit') process.exit(3);
  else if (m.method === 'crash') throw new Error('boom');
  else if (m.method === 'userError') reply({ error: { message: 'cell.cif:3:1: a bad cell', kind: 'user', diagnostics: [{ severity: 'error', message: 'a bad cell' }] } });
  else if (m.method === 'cancelled') reply({ error: { message: 'whatever the worker said', kind: 'cancelled' } });
});`;

function counting(script = SCRIPT) {
  const started: Worker[] = [];
  return { started, start: () => (started.push(new Worker(script, { eval: true })), started.at(-1)!) };
}

describe('RPC over worker threads (src/worker/worker-rpc)', () => {
  it('a worker that throws fails every call it held with the error, and the next call starts a fresh one', async () => {
    const { started, start } = counting();
    const channel = new WorkerChannel<Methods>({ what: 'test', start, restart: true });
    try {
      assert.equal(await channel.call('echo', { text: 'hello' }), 'hello');
      const held = assert.rejects(channel.call('hold', {}), /the test worker stopped \(boom\)/);
      await assert.rejects(channel.call('crash', { how: 'throw' }), /^Error: the test worker stopped \(boom\)$/);
      await held;
      assert.equal(channel.pending, 0);
      assert.equal(await channel.call('echo', { text: 'again' }), 'again');
      assert.equal(started.length, 2);
    } finally {
      await channel.dispose();
    }
  });

  it('a worker that calls process.exit fails every call it held with its exit code', async () => {
    const { start } = counting();
    const channel = new WorkerChannel<Methods>({ what: 'test', start, restart: true });
    try {
      const held = [channel.call('hold', {}), channel.call('hold', {})].map((call) => assert.rejects(call, /it exited with code 3/));
      await assert.rejects(channel.call('crash', { how: 'exit' }), /the test worker stopped \(it exited with code 3\)/);
      await Promise.all(held);
    } finally {
      await channel.dispose();
    }
  });

  it('without restart, a crash is reported once and every later call rejects with it, no new worker started', async () => {
    const { started, start } = counting();
    const reported: string[] = [];
    const channel = new WorkerChannel<Methods>({ what: 'one-shot', start, restart: false, onStopped: (e, why) => reported.push(`${e.message} | ${why}`) });
    try {
      await assert.rejects(channel.call('crash', { how: 'exit' }), /the one-shot worker stopped \(it exited with code 3\)/);
      await assert.rejects(channel.call('echo', { text: 'x' }), /the one-shot worker stopped \(it exited with code 3\)/);
      assert.deepEqual(reported, ['the one-shot worker stopped (it exited with code 3) | it exited with code 3']);
      assert.equal(started.length, 1);
    } finally {
      await channel.dispose();
    }
  });

  it('stop fails what the worker held with the asker\'s reason, and is not reported as a crash', async () => {
    const { started, start } = counting();
    const reported: string[] = [];
    const channel = new WorkerChannel<Methods>({ what: 'test', start, restart: true, onStopped: (e) => reported.push(e.message) });
    try {
      const held = assert.rejects(channel.call('hold', {}), /^Error: took longer than the limit$/);
      const exited = new Promise((resolve) => started[0].once('exit', resolve));
      await channel.stop(new Error('took longer than the limit'));
      await held;
      await exited;
      assert.deepEqual(reported, []);
      assert.equal(await channel.call('echo', { text: 'fresh' }), 'fresh');
    } finally {
      await channel.dispose();
    }
    await assert.rejects(channel.call('echo', { text: 'x' }), /the test worker was stopped/);
  });

  it('error messages come back as the errors they were: a UserError with its diagnostics, a cancellation', async () => {
    const { start } = counting();
    const channel = new WorkerChannel<Methods>({ what: 'training', start, restart: true });
    try {
      const user = await channel.call('userError', {}).catch((e: unknown) => e);
      assert.ok(user instanceof UserError);
      assert.equal(user.message, 'cell.cif:3:1: a bad cell');
      assert.deepEqual(user.diagnostics, [{ severity: 'error', message: 'a bad cell' }]);
      const cancelled = await channel.call('cancelled', {}).catch((e: unknown) => e);
      assert.ok(cancelled instanceof CancelledError);
      assert.equal(cancelled.message, 'training cancelled; nothing was written');
    } finally {
      await channel.dispose();
    }
  });

  it('the worker side says what the asker must tell apart', () => {
    assert.deepEqual(rpcErrorOf(new CancelledError('training')), { message: 'training cancelled; nothing was written', kind: 'cancelled' });
    assert.deepEqual(rpcErrorOf(new UserError('bad', [{ severity: 'error', message: 'bad' }], 'a.cif')), { message: 'bad', kind: 'user', diagnostics: [{ severity: 'error', message: 'bad' }], file: 'a.cif' });
    const bug = rpcErrorOf(new TypeError('x is undefined'));
    assert.equal(bug.message, 'x is undefined');
    assert.match(bug.stack ?? '', /TypeError: x is undefined/);
    assert.deepEqual(rpcErrorOf('a string'), { message: 'a string' });
  });
});

describe('a crashing CIF preview worker', () => {
  for (const [how, code, why] of [
    ['throws', "throw new Error('out of memory, say')", /out of memory, say/],
    ['calls process.exit', 'process.exit(9)', /it exited with code 9/],
  ] as const) {
    it(`that ${how} rejects its pending request instead of hanging, and the next request gets a fresh worker`, async () => {
      // The first worker crashes on the first request it reads; the second is the real preview worker's stand-in, answering.
      const started: Worker[] = [];
      const crashing = `require('node:worker_threads').parentPort.on('message', () => { ${code}; });`;
      const answering = `const { parentPort } = require('node:worker_threads');
        parentPort.on('message', (m) => parentPort.postMessage({ type: 'reply', inReplyTo: m.messageId, method: m.method, result: [] }));`;
      const preview = new PreviewWorker(undefined, () => (started.push(new Worker(started.length === 0 ? crashing : answering, { eval: true })), started.at(-1)!));
      try {
        const asked = preview.diagnose('data_x\n_cell_length_a 3\n');
        await assert.rejects(asked, (e: Error) => /^the CIF preview worker stopped/.test(e.message) && why.test(e.message));
        assert.deepEqual(await preview.diagnose('data_x\n'), []);
        assert.equal(started.length, 2);
      } finally {
        preview.dispose();
      }
    });
  }
});
