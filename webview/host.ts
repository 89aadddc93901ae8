// The page's side of the channel: the VS Code webview API, messages checked against the
// protocol before anything is drawn.
import { parseHostMessage, type HostToWebview, type WebviewToHost } from '../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

export function send(message: WebviewToHost): void {
  vscode.postMessage(message);
}

export function onMessage(handler: (m: HostToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const message = parseHostMessage(event.data);
    if (!message) {
      console.warn('latent-xrd: ignored a message of unknown shape', event.data);
      return;
    }
    handler(message);
  });
}

export function saveState(state: unknown): void {
  vscode.setState(state);
}

export function loadState<T>(): T | undefined {
  return vscode.getState() as T | undefined;
}
