// The one request/reply helper (src/shared/rpc/): replies matched to calls whatever their order,
// errors carried as messages, progress, a closed channel failing every call waiting, cancellation,
// and the webview protocol's checks on the envelope (src/protocol/webview.ts). The transport here
// is a pair of in-memory ports whose messages are delivered when the test says, so every ordering
// is chosen, not timed.
import assert from 'node:assert/strict';
import { RpcClient } from '../../src/shared/rpc/client';
import { serveRpc, type RpcHandlers } from '../../src/shared/rpc/server';
import type { RpcTransport } from '../../src/shared/rpc/envelope';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol/webview';

interface Methods {
  add: { params: { a: number; b: number }; result: number };
  wait: { params: { name: string }; result: string };
  fail: { params: { kind?: 'user' }; result: never };
  count: { params: { to: number }; result: number; progress: number };
}

/** Two ends of a channel; what one posts waits in the other's inbox until delivered. */
function channel() {
  const make = () => {
    const inbox: unknown[] = [];
    const listeners: ((m: unknown) => void)[] = [];
    return { inbox, listeners };
  };
  const a = make();
  const b = make();
  const end = (self: typeof a, other: typeof a): RpcTransport & { posted: unknown[] } => ({
    posted: [],
    post(message) {
      // A structured clone, as a real port makes: nothing is shared by reference.
      const copy = structuredClone(message);
      this.posted.push(copy);
      other.inbox.push(copy);
    },
    onMessage: (listener) => void self.listeners.push(listener),
  });
  const deliver = (to: typeof a) => {
    let n = 0;
    while (to.inbox.length) {
      const m = to.inbox.shift();
      to.listeners.forEach((l) => l(m));
      n++;
    }
    return n;
  };
  return { client: end(a, b), server: end(b, a), toServer: () => deliver(b), toClient: () => deliver(a) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets promise callbacks run (a handler's answer is posted from one). */
const settle = () => new Promise<void>((r) => setImmediate(r));

function served(handlers: Partial<RpcHandlers<Methods>> = {}) {
  const c = channel();
  const waits = new Map<string, ReturnType<typeof deferred<string>>>();
  const all: RpcHandlers<Methods> = {
    add: ({ a, b }) => a + b,
    wait: ({ name }) => {
      const d = deferred<string>();
      waits.set(name, d);
      return d.promise;
    },
    fail: ({ kind }) => {
      throw kind === 'user' ? Object.assign(new Error('bad input at line 3'), { user: true }) : new Error('a bug');
    },
    count: ({ to }, { progress }) => {
      for (let i = 1; i <= to; i++) progress(i);
      return to;
    },
    ...handlers,
  };
  serveRpc<Methods>(c.server, all, { toRpcError: (e) => ({ message: (e as Error).message, ...((e as { user?: boolean }).user ? { kind: 'user' as const } : {}) }) });
  const client = new RpcClient<Methods>(c.client);
  return { ...c, rpc: client, waits };
}

describe('the RPC helper (src/shared/rpc)', () => {
  it('numbers each request and matches the reply to it', async () => {
    const { rpc, client, toServer, toClient } = served();
    const sum = rpc.call('add', { a: 2, b: 3 });
    assert.deepEqual(client.posted, [{ type: 'request', messageId: 1, method: 'add', params: { a: 2, b: 3 } }]);
    toServer();
    toClient();
    assert.equal(await sum, 5);
    assert.equal(rpc.pending, 0);
  });

  it('answers replies that come back in another order than asked to the right calls', async () => {
    const { rpc, toServer, toClient, waits } = served();
    const first = rpc.call('wait', { name: 'first' });
    const second = rpc.call('wait', { name: 'second' });
    const third = rpc.call('wait', { name: 'third' });
    toServer();
    waits.get('third')!.resolve('C');
    waits.get('first')!.resolve('A');
    await settle();
    toClient();
    assert.equal(await third, 'C');
    assert.equal(await first, 'A');
    assert.equal(rpc.pending, 1);
    waits.get('second')!.resolve('B');
    await settle();
    toClient();
    assert.equal(await second, 'B');
  });

  it('carries a thrown error back as a message, and the call rejects with it; the channel goes on', async () => {
    const { rpc, server, toServer, toClient } = served();
    const bug = rpc.call('fail', {});
    const user = rpc.call('fail', { kind: 'user' });
    toServer();
    assert.deepEqual(server.posted[0], { type: 'reply', inReplyTo: 1, method: 'fail', error: { message: 'a bug' } });
    assert.deepEqual(server.posted[1], { type: 'reply', inReplyTo: 2, method: 'fail', error: { message: 'bad input at line 3', kind: 'user' } });
    toClient();
    await assert.rejects(bug, /^Error: a bug$/);
    await assert.rejects(user, /bad input at line 3/);
    const after = rpc.call('add', { a: 1, b: 1 });
    toServer();
    toClient();
    assert.equal(await after, 2);
  });

  it('an asynchronous handler that rejects is an error reply too, and an unknown method is refused by name', async () => {
    const { rpc, toServer, toClient, waits } = served();
    const failing = rpc.call('wait', { name: 'x' });
    const unknown = (rpc as unknown as RpcClient<{ nope: { params: object; result: never } }>).call('nope', {});
    toServer();
    waits.get('x')!.reject(new Error('disk full'));
    await settle();
    toClient();
    await assert.rejects(failing, /disk full/);
    await assert.rejects(unknown, /unknown request "nope"/);
  });

  it('delivers progress to its own call before the result', async () => {
    const { rpc, toServer, toClient } = served();
    const seen: number[] = [];
    const other: number[] = [];
    const counted = rpc.call('count', { to: 3 }, { onProgress: (p) => seen.push(p) });
    const alone = rpc.call('count', { to: 2 }, { onProgress: (p) => other.push(p) });
    toServer();
    toClient();
    assert.equal(await counted, 3);
    assert.equal(await alone, 2);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(other, [1, 2]);
  });

  it('closing the channel rejects every call waiting, and every later one, with the reason', async () => {
    const { rpc, toServer, toClient, waits } = served();
    const calls = [rpc.call('wait', { name: 'a' }), rpc.call('wait', { name: 'b' })];
    toServer();
    rpc.close(new Error('the worker stopped (it exited with code 7)'));
    for (const call of calls) await assert.rejects(call, /it exited with code 7/);
    assert.equal(rpc.pending, 0);
    await assert.rejects(rpc.call('add', { a: 1, b: 2 }), /it exited with code 7/);
    // A reply that still arrives after the close answers nothing.
    waits.get('a')!.resolve('late');
    await settle();
    assert.equal(toClient(), 1);
    assert.equal(rpc.pending, 0);
  });

  it('an aborted call rejects with the reason at once; its late reply is dropped and the others are answered', async () => {
    const { rpc, toServer, toClient, waits } = served();
    const controller = new AbortController();
    const abandoned = rpc.call('wait', { name: 'slow' }, { signal: controller.signal });
    const kept = rpc.call('wait', { name: 'kept' });
    toServer();
    controller.abort(new Error('took longer than 20 s'));
    await assert.rejects(abandoned, /took longer than 20 s/);
    waits.get('slow')!.resolve('late');
    waits.get('kept')!.resolve('on time');
    await settle();
    toClient();
    assert.equal(await kept, 'on time');
    assert.equal(rpc.pending, 0);
    const already = new AbortController();
    already.abort(new Error('cancelled before asking'));
    await assert.rejects(rpc.call('add', { a: 1, b: 2 }, { signal: already.signal }), /cancelled before asking/);
  });

  it('ignores what is not an answer to a call of its own: malformed, unknown ids, another method', async () => {
    const { rpc, toServer, toClient } = served();
    const sum = rpc.call('add', { a: 1, b: 2 });
    for (const stray of [null, 'reply', { type: 'reply', inReplyTo: 99, method: 'add', result: 1 }, { type: 'reply', inReplyTo: 1, method: 'wait', result: 'x' }, { type: 'reply', inReplyTo: 1, method: 'add' }, { type: 'reply', inReplyTo: 1, method: 'add', result: 1, error: { message: 'both' } }]) {
      assert.equal(rpc.receive(stray), false, JSON.stringify(stray));
    }
    assert.equal(rpc.pending, 1);
    toServer();
    toClient();
    assert.equal(await sum, 3);
  });

  it('a post that throws (a closed port) rejects that call', async () => {
    const rpc = new RpcClient<Methods>({
      post: () => {
        throw new Error('port closed');
      },
      onMessage: () => {},
    });
    await assert.rejects(rpc.call('add', { a: 1, b: 2 }), /port closed/);
    assert.equal(rpc.pending, 0);
  });

  it('a result the client was told to check is refused when it is not of its shape', async () => {
    const c = channel();
    serveRpc<Methods>(c.server, { add: () => 'five' as unknown as number, wait: () => '', fail: () => undefined as never, count: () => 0 });
    const rpc = new RpcClient<Methods>(c.client, { checkResult: { add: (r) => typeof r === 'number' } });
    const sum = rpc.call('add', { a: 2, b: 3 });
    c.toServer();
    c.toClient();
    await assert.rejects(sum, /the answer to add is not of the expected shape/);
  });
});

describe('the webview protocol\'s envelope checks', () => {
  it('the page takes a request of a known method with params of its shape', () => {
    assert.ok(parseHostMessage({ type: 'request', messageId: 4, method: 'rasterize', params: { svg: '<svg/>', scale: 2 } }));
    assert.equal(parseHostMessage({ type: 'request', messageId: 4, method: 'rasterize', params: { svg: '<svg/>' } }), undefined);
    assert.equal(parseHostMessage({ type: 'request', messageId: 4, method: 'toString', params: {} }), undefined);
    assert.equal(parseHostMessage({ type: 'request', messageId: 0, method: 'rasterize', params: { svg: '<svg/>', scale: 2 } }), undefined);
  });

  it('the host takes a reply carrying an error, or a result of its method\'s shape, and nothing else', () => {
    assert.ok(parseWebviewMessage({ type: 'reply', inReplyTo: 3, method: 'rasterize', error: { message: 'the SVG could not be drawn' } }));
    assert.equal(parseWebviewMessage({ type: 'reply', inReplyTo: 3, method: 'rasterize', result: {} }), undefined);
    assert.equal(parseWebviewMessage({ type: 'reply', inReplyTo: 3, method: 'rasterize', result: { png: 7 } }), undefined);
    assert.equal(parseWebviewMessage({ type: 'reply', inReplyTo: 3, method: 'rasterize', error: 'no' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'reply', inReplyTo: 3, method: 'constructor', result: { png: 'x' } }), undefined);
    assert.equal(parseWebviewMessage({ type: 'reply', inReplyTo: -1, method: 'rasterize', result: { png: 'x' } }), undefined);
  });

  it('a page answering through the helper: a checked request in, a checked reply out, matched to its call', async () => {
    const c = channel();
    // Each side runs its protocol's check on what arrives, as the host and the page do.
    const checked = (end: RpcTransport, parse: (m: unknown) => unknown): RpcTransport => ({
      post: (m) => end.post(m),
      onMessage: (listener) => end.onMessage((m) => parse(m) !== undefined && listener(m)),
    });
    serveRpc<import('../../src/protocol/webview').PageMethods>(checked(c.server, parseHostMessage), { rasterize: ({ svg, scale }) => ({ png: `${scale}:${svg.length}` }) });
    const host = new RpcClient<import('../../src/protocol/webview').PageMethods>(checked(c.client, parseWebviewMessage));
    const png = host.call('rasterize', { svg: '<svg/>', scale: 2 });
    c.toServer();
    c.toClient();
    assert.deepEqual(await png, { png: '2:6' });
  });
});
