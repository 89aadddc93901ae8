// One way to make a webview: a strict Content-Security-Policy with a fresh nonce, scripts and
// styles only from the extension's out/ and media/, and every message checked against the
// protocol before anything acts on it.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { parseWebviewMessage, type HostToWebview, type WebviewToHost } from '../protocol/webview';
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

/** A webview's typed channel: send checked messages, receive only valid ones. */
export class WebviewChannel implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(private readonly webview: vscode.Webview, what: string, onMessage: (m: WebviewToHost) => void | Promise<void>) {
    this.subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseWebviewMessage(raw);
      if (!message) {
        log(`${what}: ignored a message of unknown shape from the webview: ${JSON.stringify(raw).slice(0, 200)}`);
        return;
      }
      try {
        await onMessage(message);
      } catch (e) {
        log(`${what}: ${(e as Error).stack ?? e}`);
        this.post({ type: 'error', title: what, message: (e as Error).message, problems: [] });
      }
    });
  }

  post(message: HostToWebview): Thenable<boolean> {
    return this.webview.postMessage(message);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * SVG → PNG by a webview (a browser, with the fonts the figure names). The page answers a
 * `rasterize` message with `rasterized`; `settle` routes that answer back to its request.
 */
export class Rasterizer {
  private readonly pending = new Map<number, { resolve: (png: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  async request(channel: WebviewChannel, svg: string, scale = 2): Promise<Uint8Array> {
    const id = this.nextId++;
    const done = new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error('the webview did not answer within 20 s'));
      }, 20_000);
    });
    await channel.post({ type: 'rasterize', id, svg, scale });
    return done;
  }

  settle(m: Extract<WebviewToHost, { type: 'rasterized' }>): void {
    const waiting = this.pending.get(m.id);
    this.pending.delete(m.id);
    if (m.png) waiting?.resolve(Buffer.from(m.png, 'base64'));
    else waiting?.reject(new Error(m.error ?? 'the webview could not draw the figure'));
  }
}
