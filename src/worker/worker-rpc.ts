// The shared RPC (src/shared/rpc/) over Node worker threads: the host side starts a worker and
// calls it, and watches its `error` and `exit` events, so a worker that throws, runs out of
// memory or exits fails every call it held with a message saying so, never leaving one pending;
// the next call then starts a fresh worker, or (for one-shot workers and pools, whose caller
// must know) rejects with why it stopped. The worker side answers its parent port. Errors cross
// as messages that keep what the asker tells apart: a UserError (with its diagnostics) and a
// cancellation.
import { parentPort, type Worker } from 'node:worker_threads';
import { CancelledError, UserError } from '../core/diagnostics';
import { RpcClient, type CallOptions } from '../shared/rpc/client';
import { serveRpc, type RpcHandlers, type RpcServerOptions } from '../shared/rpc/server';
import type { MethodName, Params, Progress, Result, RpcError } from '../shared/rpc/envelope';

/** A thrown value as an error message, keeping a UserError's diagnostics and a cancellation. */
export function rpcErrorOf(e: unknown): RpcError {
  if (!(e instanceof Error)) return { message: String(e) };
  if (e instanceof CancelledError) return { message: e.message, kind: 'cancelled' };
  if (e instanceof UserError) return { message: e.message, kind: 'user', diagnostics: e.diagnostics, ...(e.file !== undefined ? { file: e.file } : {}) };
  return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

/** An error message as the error it was; a cancellation says what was cancelled (`what`). */
function errorOfRpc(error: RpcError, what: string): Error {
  if (error.kind === 'cancelled') return new CancelledError(what);
  if (error.kind === 'user') return new UserError(error.message, error.diagnostics ?? [], error.file);
  const e = new Error(error.message);
  if (error.stack) e.stack = error.stack;
  return e;
}

/** In a worker: answers the parent's requests with `handlers`. */
export function serveParent<M>(handlers: RpcHandlers<M>, options: Omit<RpcServerOptions<M>, 'toRpcError'> = {}): void {
  const port = parentPort;
  if (!port) throw new Error('serveParent runs in a worker thread');
  serveRpc<M>({ post: (message, transfer) => port.postMessage(message, transfer), onMessage: (listener) => port.on('message', listener) }, handlers, { ...options, toRpcError: rpcErrorOf });
}

export interface WorkerChannelOptions {
  /** What the worker does, for messages: "the CIF preview worker stopped (…)". */
  what: string;
  start: () => Worker;
  /** After the worker stops by itself, the next call starts a fresh one (true), or rejects with why it stopped (false). */
  restart: boolean;
  /** Told when the worker stops by itself (an error, an exit), with the error its calls got and why it stopped. */
  onStopped?: (e: Error, why: string) => void;
  /** Whether the worker keeps the process alive: always, never, or only while a call waits (idle, a CLI may end). */
  keepAlive?: 'always' | 'never' | 'while-busy';
}

interface Running<M> {
  worker: Worker;
  client: RpcClient<M>;
}

/** A worker thread spoken to through the one RPC: calls, and what happens when it stops. */
export class WorkerChannel<M> {
  private running: Running<M> | undefined;
  private stoppedBy: Error | undefined;
  private disposed = false;

  constructor(private readonly options: WorkerChannelOptions) {}

  call<K extends MethodName<M>>(method: K, params: Params<M, K>, options?: CallOptions<Progress<M, K>>): Promise<Result<M, K>> {
    if (this.disposed) return Promise.reject(new Error(`the ${this.options.what} worker was stopped`));
    if (this.stoppedBy) return Promise.reject(this.stoppedBy);
    const running = this.ensureRunning();
    const called = running.client.call(method, params, options);
    if (this.options.keepAlive === 'while-busy') {
      running.worker.ref();
      const idle = () => {
        if (running.client.pending === 0) running.worker.unref();
      };
      called.then(idle, idle);
    }
    return called;
  }

  /** Calls waiting for an answer. */
  get pending(): number {
    return this.running?.client.pending ?? 0;
  }

  /**
   * Stops the worker on the asker's decision (a time limit): every call it held rejects with
   * `reason`, and the next call starts a fresh worker (this is not the worker failing).
   */
  async stop(reason: Error): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    running.client.close(reason);
    await running.worker.terminate();
  }

  /** Stops the worker (resolves once its thread has ended); calls waiting and every later call reject. */
  dispose(): Promise<void> {
    this.disposed = true;
    return this.stop(new Error(`the ${this.options.what} worker was stopped`));
  }

  private ensureRunning(): Running<M> {
    if (this.running) return this.running;
    const worker = this.options.start();
    const client = new RpcClient<M>(
      { post: (message, transfer) => worker.postMessage(message, transfer), onMessage: (listener) => worker.on('message', listener) },
      { toError: (error) => errorOfRpc(error, this.options.what) },
    );
    const running = { worker, client };
    // 'error' (an uncaught throw, out of memory) is followed by 'exit': the first one says why.
    worker.on('error', (e) => this.died(running, e.message));
    worker.on('exit', (code) => this.died(running, `it exited with code ${code}`));
    if (this.options.keepAlive === 'never' || this.options.keepAlive === 'while-busy') worker.unref();
    this.running = running;
    return running;
  }

  private died(running: Running<M>, why: string): void {
    if (this.running !== running) return;
    this.running = undefined;
    const error = new Error(`the ${this.options.what} worker stopped (${why})`);
    running.client.close(error);
    if (!this.options.restart) this.stoppedBy = error;
    this.options.onStopped?.(error, why);
  }
}
