// The one request/reply envelope of every channel in Latent XRD (extension host ↔ webview, host
// ↔ workers): a request carries a `messageId`, everything said about it carries `inReplyTo`, and
// a failure travels as a message like any answer. A channel's calls are one typed map,
// method → { params, result, progress }, so both sides are checked against the same definition.
// No DOM, no Node, no vscode: the webview bundle uses this too.
import type { Diagnostic } from '../diagnostic';

/** One method of a channel: what is sent, what comes back, and what may be said on the way. */
export interface RpcMethod {
  params: unknown;
  result: unknown;
  /** Progress messages the server may send before the answer (epochs, steps); absent: none. */
  progress?: unknown;
}

/** A channel's methods by name. */
export type RpcMethods<M> = { [K in keyof M]: RpcMethod };

export type MethodName<M> = keyof M & string;
export type Params<M, K extends keyof M> = M[K] extends RpcMethod ? M[K]['params'] : never;
export type Result<M, K extends keyof M> = M[K] extends RpcMethod ? M[K]['result'] : never;
export type Progress<M, K extends keyof M> = M[K] extends { progress: infer P } ? P : never;

/**
 * A failure as a message. `kind` keeps what the asker must tell apart: a user's mistake (shown as
 * it is, with its diagnostics) and a cancellation (nothing was written); anything else is a bug
 * whose stack is kept.
 */
export interface RpcError {
  message: string;
  kind?: 'user' | 'cancelled';
  stack?: string;
  diagnostics?: Diagnostic[];
  /** The file the diagnostics' lines refer to. */
  file?: string;
}

export type RpcRequest<M, K extends keyof M = keyof M> = K extends MethodName<M> ? { type: 'request'; messageId: number; method: K; params: Params<M, K> } : never;

/** The answer to a request: its result or its error. `method` repeats the request's, so a reply can be checked on its own. */
export type RpcReply<M, K extends keyof M = keyof M> = K extends MethodName<M>
  ? { type: 'reply'; inReplyTo: number; method: K; result: Result<M, K> } | { type: 'reply'; inReplyTo: number; method: K; error: RpcError }
  : never;

export type RpcProgress<M, K extends keyof M = keyof M> = K extends MethodName<M> ? { type: 'progress'; inReplyTo: number; method: K; progress: Progress<M, K> } : never;

/** Anything a server says: answers and progress. */
export type RpcAnswer<M> = RpcReply<M> | RpcProgress<M>;

/**
 * How messages move: `post` sends one (with buffers to transfer, where the transport can), and
 * `onMessage` registers the one listener for what arrives. Workers, webviews and tests each
 * supply their own pair.
 */
export interface RpcTransport {
  post(message: unknown, transfer?: ArrayBuffer[]): unknown;
  onMessage(listener: (message: unknown) => void): void;
}

// ---- shape checks -------------------------------------------------------------------------
// What arrives from another side is unknown until checked: these look at the envelope only.
// The payload (params, result) is checked by the channel's own protocol.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMessageId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= Number.MAX_SAFE_INTEGER;

export function isRpcError(v: unknown): v is RpcError {
  if (!isObject(v) || typeof v.message !== 'string') return false;
  if (v.kind !== undefined && v.kind !== 'user' && v.kind !== 'cancelled') return false;
  if (v.stack !== undefined && typeof v.stack !== 'string') return false;
  if (v.file !== undefined && typeof v.file !== 'string') return false;
  return v.diagnostics === undefined || Array.isArray(v.diagnostics);
}

/** A well-formed request envelope (its method a string; whether it is one the server knows is the server's check). */
export function isRpcRequest(v: unknown): v is { type: 'request'; messageId: number; method: string; params: unknown } {
  return isObject(v) && v.type === 'request' && isMessageId(v.messageId) && typeof v.method === 'string' && 'params' in v;
}

/** A well-formed reply: exactly one of `result` and `error`. */
export function isRpcReply(v: unknown): v is { type: 'reply'; inReplyTo: number; method: string } & ({ result: unknown } | { error: RpcError }) {
  if (!isObject(v) || v.type !== 'reply' || !isMessageId(v.inReplyTo) || typeof v.method !== 'string') return false;
  return 'error' in v ? !('result' in v) && isRpcError(v.error) : 'result' in v;
}

export function isRpcProgress(v: unknown): v is { type: 'progress'; inReplyTo: number; method: string; progress: unknown } {
  return isObject(v) && v.type === 'progress' && isMessageId(v.inReplyTo) && typeof v.method === 'string' && 'progress' in v;
}
