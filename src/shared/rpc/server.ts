// The answering side of a channel: each request goes to its method's handler, whose result (or
// thrown error, as an error message) is sent back with `inReplyTo`; a handler may report progress
// on the way. A handler that answers at once answers before the next request is read, so a
// server of synchronous handlers answers in the order it was asked. No DOM, no Node, no vscode.
import { isRpcRequest, type MethodName, type Params, type Progress, type Result, type RpcError, type RpcTransport } from './envelope';

export interface RequestContext<P> {
  messageId: number;
  /** Sends a progress message about this request. */
  progress(progress: P): void;
}

export type RpcHandlers<M> = {
  [K in MethodName<M>]: (params: Params<M, K>, context: RequestContext<Progress<M, K>>) => Result<M, K> | Promise<Result<M, K>>;
};

export interface RpcServerOptions<M> {
  /** A thrown value as an error message (by default: its message and stack). */
  toRpcError?: (e: unknown) => RpcError;
  /** Buffers of a result to move, not copy (where the transport can). */
  transferOf?: { [K in MethodName<M>]?: (result: Result<M, K>) => ArrayBuffer[] };
  /** Checks on params by method, for channels whose other side is not trusted. */
  checkParams?: { [K in MethodName<M>]?: (params: unknown) => boolean };
}

export function errorMessageOf(e: unknown): RpcError {
  if (e instanceof Error) return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { message: String(e) };
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** Answers the requests arriving on `transport` with `handlers`; other messages are left alone. */
export function serveRpc<M>(transport: RpcTransport, handlers: RpcHandlers<M>, options: RpcServerOptions<M> = {}): void {
  const toRpcError = options.toRpcError ?? errorMessageOf;
  transport.onMessage((message) => {
    if (!isRpcRequest(message)) return;
    const { messageId, method, params } = message;
    const reply = (body: { result: unknown } | { error: RpcError }, transfer?: ArrayBuffer[]) => transport.post({ type: 'reply', inReplyTo: messageId, method, ...body }, transfer);
    const fail = (e: unknown) => reply({ error: toRpcError(e) });
    const answer = (result: unknown) => {
      const transferOf = options.transferOf?.[method as MethodName<M>] as ((r: unknown) => ArrayBuffer[]) | undefined;
      try {
        reply({ result }, transferOf?.(result));
      } catch (e) {
        // A result the transport cannot carry (not cloneable) is still an answer: its error.
        fail(e);
      }
    };
    if (!Object.prototype.hasOwnProperty.call(handlers, method)) return fail(new Error(`unknown request "${method}"`));
    const check = options.checkParams?.[method as MethodName<M>];
    if (check && !check(params)) return fail(new Error(`the ${method} request is not of the expected shape`));
    const handler = handlers[method as MethodName<M>] as (p: unknown, c: RequestContext<unknown>) => unknown;
    const context: RequestContext<unknown> = { messageId, progress: (progress) => transport.post({ type: 'progress', inReplyTo: messageId, method, progress }) };
    let result: unknown;
    try {
      result = handler(params, context);
    } catch (e) {
      return fail(e);
    }
    if (isThenable(result)) result.then(answer, fail);
    else answer(result);
  });
}
