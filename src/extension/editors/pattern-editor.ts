// The pattern editor: a read-only custom editor (the file stays the data; "Reopen as Text"
// edits it) that plots the pattern, the active model's reconstruction and the residual, with
// the score in its header. It redraws when the file or the model changes. The file is read,
// parsed and scored in the scoring worker: a file that hangs a reader costs its own editor an
// error after the time limit, never the extension host.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { UserError } from '../../core/diagnostics';
import type { ProblemPayload } from '../../protocol/webview';
import type { PatternSource } from '../../protocol/scoring';
import type { ModelService } from '../model-service';
import { WebviewChannel, webviewHtml, webviewOptions } from '../webview-host';
import { log } from '../output';
import { settingChanged } from '../settings';

export const PATTERN_EDITOR = 'latentXrd.patternEditor';

export function problemsOf(e: unknown): ProblemPayload[] {
  if (!(e instanceof UserError)) return [];
  return e.diagnostics.map((d) => ({ severity: d.severity, message: d.message, line: d.range?.line, column: d.range?.column }));
}

export class PatternEditorProvider implements vscode.CustomReadonlyEditorProvider {
  /** Open editors by file, so tests and the latent map can tell what is shown (and what could not be). */
  readonly open = new Map<string, { rendered: number; failed: number; lastError?: string; lastVerdict?: string }>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly models: ModelService) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => {} };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const { uri } = document;
    const name = basename(uri.fsPath);
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'pattern', name);
    const state: { rendered: number; failed: number; lastError?: string; lastVerdict?: string } = { rendered: 0, failed: 0 };
    this.open.set(uri.toString(), state);
    let ready = false;
    const render = async () => {
      if (!ready) return;
      const started = Date.now();
      try {
        // A file on disk is read by the worker itself; anything else (a git revision, …) through VS Code.
        const source: PatternSource = uri.scheme === 'file' ? { kind: 'file', path: uri.fsPath, name } : { kind: 'bytes', bytes: await vscode.workspace.fs.readFile(uri), name };
        const pattern = await this.models.scoring.plot(source, name, this.models.settings());
        await channel.post({ type: 'pattern', pattern });
        state.lastVerdict = pattern.model?.score.verdictLabel;
        state.rendered++;
        log(`${name}: plotted in ${Date.now() - started} ms${pattern.model ? ` (excess BCE ${pattern.model.score.bceExcess.toPrecision(3)}, p = ${pattern.model.score.pValue.toPrecision(3)})` : ''}`);
      } catch (e) {
        const message = e instanceof UserError ? e.message : `could not show ${name}: ${(e as Error).message}`;
        log(message);
        state.failed++;
        state.lastError = message;
        await channel.post({ type: 'error', title: name, message, problems: problemsOf(e) });
      }
    };
    const channel = new WebviewChannel(panel.webview, name, async (m) => {
      if (m.type === 'ready') {
        ready = true;
        await render();
      } else if (m.type === 'reopenAsText') {
        await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
      }
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), name));
    const subscriptions = [
      channel,
      watcher,
      watcher.onDidChange(() => void render()),
      watcher.onDidCreate(() => void render()),
      this.models.onDidChange(() => void render()),
      // The badge follows the threshold setting as the ranking does.
      vscode.workspace.onDidChangeConfiguration((e) => settingChanged(e, 'preprocessing', 'noveltyPValueThreshold') && void render()),
    ];
    panel.onDidDispose(() => {
      this.open.delete(uri.toString());
      subscriptions.forEach((s) => s.dispose());
    });
  }
}
