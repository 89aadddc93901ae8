// The asking side of a channel: numbers each call, matches every reply to its call by
// `inReplyTo` (in whatever order replies come), turns error replies into thrown errors, and
// when the channel closes (a worker died, a page went away) fails every call still waiting
// instead of leaving it pending. No DOM, no Node, no vscode.
import { isRpcProgress, isRpcReply, type MethodName, type Params, type Progress, type Result, type RpcError, type RpcTransport } from './envelope';

/** What an aborted call listens to: an AbortSignal, or anything shaped like one. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface CallOptions<P> {
  /** Told of each progress message the server sends for this call. */
  onProgress?: (progress: P) => void;
  /** Aborting gives up the call at once: it rejects with the signal's reason, and a late reply is dropped. */
  signal?: CancelSignal;
  /** Buffers of the params to move, not copy (where the transport can). */
  transfer?: ArrayBuffer[];
}

export interface RpcClientOptions<M> {
  /** An error reply as an Error (by default: an Error with the message, and the stack when there is one). */
  toError?: (error: RpcError) => Error;
  /** Checks on a result by method, for channels whose other side is not trusted (a webview). */
  checkResult?: { [K in MethodName<M>]?: (result: unknown) => boolean };
}

interface Waiting {
  method: string;
  resolve: (result: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (progress: unknown) => void;
}

function defaultError(error: RpcError): Error {
  const e = new Error(error.message);
  if (error.stack) e.stack = error.stack;
  return e;
}

const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new Error(String(reason ?? 'cancelled')));

export class RpcClient<M> {
  private readonly waiting = new Map<number, Waiting>();
  private lastId = 0;
  private closedBy: Error | undefined;

  constructor(
    private readonly transport: RpcTransport,
    private readonly options: RpcClientOptions<M> = {},
  ) {
    transport.onMessage((message) => this.receive(message));
  }

  /** Calls still waiting for their reply. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Why the channel closed, once it has. */
  get closed(): Error | undefined {
    return this.closedBy;
  }

  call<K extends MethodName<M>>(method: K, params: Params<M, K>, options: CallOptions<Progress<M, K>> = {}): Promise<Result<M, K>> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(asError(signal.reason));
    const messageId = ++this.lastId;
    return new Promise<Result<M, K>>((resolve, reject) => {
      const abort = () => {
        if (this.waiting.delete(messageId)) reject(asError(signal!.reason));
      };
      const done = () => signal?.removeEventListener('abort', abort);
      this.waiting.set(messageId, {
        method,
        resolve: (result) => {
          done();
          resolve(result as Result<M, K>);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: options.onProgress as ((progress: unknown) => void) | undefined,
      });
      signal?.addEventListener('abort', abort);
      const failed = (e: unknown) => this.settle(messageId, (w) => w.reject(asError(e)));
      try {
        const sent = this.transport.post({ type: 'request', messageId, method, params }, options.transfer);
        // A transport whose post is asynchronous (a webview's) may fail later.
        if (sent && typeof (sent as PromiseLike<unknown>).then === 'function') (sent as PromiseLike<unknown>).then(undefined, failed);
      } catch (e) {
        failed(e);
      }
    });
  }

  /**
   * A message from the other side: a reply or progress of a call still waiting is delivered;
   * anything else (malformed, unknown id, a late reply to an aborted call) is dropped. Says
   * whether it was taken.
   */
  receive(message: unknown): boolean {
    if (isRpcProgress(message)) {
      const waiting = this.waiting.get(message.inReplyTo);
      if (!waiting || waiting.method !== message.method) return false;
      waiting.onProgress?.(message.progress);
      return true;
    }
    if (!isRpcReply(message)) return false;
    const waiting = this.waiting.get(message.inReplyTo);
    if (!waiting || waiting.method !== message.method) return false;
    this.waiting.delete(message.inReplyTo);
    if ('error' in message) {
      waiting.reject((this.options.toError ?? defaultError)(message.error));
      return true;
    }
    const check = this.options.checkResult?.[message.method as MethodName<M>];
    if (check && !check(message.result)) waiting.reject(new Error(`the answer to ${message.method} is not of the expected shape`));
    else waiting.resolve(message.result);
    return true;
  }

  /** The channel is gone: every call waiting rejects with `reason`, and so does every later one. */
  close(reason: Error): void {
    this.closedBy ??= reason;
    this.rejectAll(reason);
  }

  /** Every call waiting rejects with `reason`; the channel stays open for later calls. */
  rejectAll(reason: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(reason);
  }

  private settle(messageId: number, how: (w: Waiting) => void): void {
    const waiting = this.waiting.get(messageId);
    if (!waiting) return;
    this.waiting.delete(messageId);
    how(waiting);
  }
}
