// One way to make a webview: a strict Content-Security-Policy with a fresh nonce, scripts and
// styles only from the extension's out/ and media/, and every message checked against the
// protocol before anything acts on it; requests to the page go through the one RPC (src/shared/rpc/).
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { parseWebviewMessage, type HostToWebview, type PageMethods, type WebviewToHost } from '../protocol/webview';
import { RpcClient, type CallOptions } from '../shared/rpc/client';
import type { MethodName, Params, Progress, Result } from '../shared/rpc/envelope';
import { log } from './output';
import { contentSecurityPolicy } from './webview-csp';

export type WebviewKind = 'pattern' | 'cif' | 'collection' | 'latentMap';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: WebviewKind, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const csp = contentSecurityPolicy(webview.cspSource, nonce);
  const escaped = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escaped}</title>
</head>
<body data-view="${kind}">
<div id="app" role="main" aria-busy="true"><p class="loading">Loading ${escaped}…</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** What a page sends of itself (everything but its replies to the host's requests). */
export type PageMessage = Exclude<WebviewToHost, { type: 'reply' }>;

/**
 * A webview's typed channel: send checked messages, receive only valid ones, and call the page
 * (`call`, through the one RPC): a closed page fails what it was asked.
 */
export class WebviewChannel implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private readonly rpc: RpcClient<PageMethods>;

  constructor(private readonly webview: vscode.Webview, what: string, onMessage: (m: PageMessage) => void | Promise<void>) {
    let replies: (m: unknown) => void = () => {};
    this.rpc = new RpcClient<PageMethods>({ post: (m) => webview.postMessage(m), onMessage: (listener) => void (replies = listener) });
    this.subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseWebviewMessage(raw);
      if (!message) {
        log(`${what}: ignored a message of unknown shape from the webview: ${JSON.stringify(raw).slice(0, 200)}`);
        return;
      }
      if (message.type === 'reply') return replies(message);
      try {
        await onMessage(message);
      } catch (e) {
        log(`${what}: ${(e as Error).stack ?? e}`);
        this.post({ type: 'error', title: what, message: (e as Error).message, problems: [] });
      }
    });
  }

  post(message: Exclude<HostToWebview, { type: 'request' }>): Thenable<boolean> {
    return this.webview.postMessage(message);
  }

  call<K extends MethodName<PageMethods>>(method: K, params: Params<PageMethods, K>, options?: CallOptions<Progress<PageMethods, K>>): Promise<Result<PageMethods, K>> {
    return this.rpc.call(method, params, options);
  }

  dispose(): void {
    this.subscription.dispose();
    this.rpc.close(new Error('the webview was closed'));
  }
}

/** How long a page may take to draw a figure. */
const RASTERIZE_TIME_LIMIT_MS = 20_000;

/** SVG → PNG by a webview (a browser, with the fonts the figure names). */
export async function rasterize(channel: WebviewChannel, svg: string, scale = 2): Promise<Uint8Array> {
  const late = new AbortController();
  const timer = setTimeout(() => late.abort(new Error(`the webview did not answer within ${RASTERIZE_TIME_LIMIT_MS / 1000} s`)), RASTERIZE_TIME_LIMIT_MS);
  try {
    const { png } = await channel.call('rasterize', { svg, scale }, { signal: late.signal });
    return Buffer.from(png, 'base64');
  } finally {
    clearTimeout(timer);
  }
}
