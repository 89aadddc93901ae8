// The page's side of the channel: the VS Code webview API, messages checked against the
// protocol before anything is drawn, and the host's requests answered through the one RPC
// (src/shared/rpc/).
import { parseHostMessage, type HostToWebview, type PageMethods, type WebviewToHost } from '../src/protocol/webview';
import { serveRpc, type RpcHandlers } from '../src/shared/rpc/server';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

/** What the host sends of itself (everything but its requests). */
export type HostMessage = Exclude<HostToWebview, { type: 'request' }>;

export function send(message: Exclude<WebviewToHost, { type: 'reply' }>): void {
  vscode.postMessage(message);
}

let onHostMessage: (m: HostMessage) => void = () => {};
let onRequest: (m: unknown) => void = () => {};

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseHostMessage(event.data);
  if (!message) {
    console.warn('latent-xrd: ignored a message of unknown shape', event.data);
    return;
  }
  if (message.type === 'request') onRequest(message);
  else onHostMessage(message);
});

export function onMessage(handler: (m: HostMessage) => void): void {
  onHostMessage = handler;
}

/** Answers the host's requests: a handler's result, or what it threw, goes back as the reply. */
export function serve(handlers: RpcHandlers<PageMethods>): void {
  serveRpc<PageMethods>({ post: (m) => vscode.postMessage(m), onMessage: (listener) => void (onRequest = listener) }, handlers);
}

export function saveState(state: unknown): void {
  vscode.setState(state);
}

export function loadState<T>(): T | undefined {
  return vscode.getState() as T | undefined;
}
