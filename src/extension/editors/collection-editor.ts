// The .xrd collection editor: a wafer (or sample grid) coloured by reconstruction error beside
// the selected sample's pattern over its reconstruction (the paper's Figure 4). The JSON text
// is the document, so dirty state, undo, save, revert and hot-exit backups are VS Code's own;
// the editor's one edit (flag a sample) is a text edit like any other.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import { parseCollection, samplePattern, type Collection } from '../../core/formats/collection';
import { UserError } from '../../core/diagnostics';
import type { CollectionPayload, CollectionSample } from '../../protocol/webview';
import type { ModelService } from '../model-service';
import { patternPayload } from '../patterns';
import { problemsOf } from './pattern-editor';
import { WebviewChannel, webviewHtml, webviewOptions } from '../webview-host';
import { log } from '../output';

export const COLLECTION_EDITOR = 'latentXrd.collectionEditor';

export class CollectionEditorProvider implements vscode.CustomTextEditorProvider {
  /** Renders per open document, for tests. */
  readonly renders = new Map<string, number>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly models: ModelService) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const name = basename(document.uri.fsPath);
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'collection', name);
    let ready = false;
    let collection: Collection | undefined;
    let timer: NodeJS.Timeout | undefined;

    const render = async () => {
      if (!ready) return;
      try {
        collection = parseCollection(document.getText(), name);
        await channel.post({ type: 'collection', collection: await this.payload(collection) });
        this.renders.set(document.uri.toString(), (this.renders.get(document.uri.toString()) ?? 0) + 1);
      } catch (e) {
        collection = undefined;
        await channel.post({ type: 'error', title: name, message: e instanceof UserError ? e.message : `could not show ${name}: ${(e as Error).message}`, problems: problemsOf(e) });
      }
    };
    const channel = new WebviewChannel(panel.webview, name, async (m) => {
      if (m.type === 'ready') {
        ready = true;
        await render();
      } else if (m.type === 'selectSample' && collection && m.index < collection.samples.length) {
        const sample = collection.samples[m.index];
        const pattern = await patternPayload(`${name} · sample ${sample.id}`, samplePattern(collection, m.index), this.models);
        await channel.post({ type: 'sample', index: m.index, pattern });
      } else if (m.type === 'toggleFlag' && collection && m.index < collection.samples.length) {
        await this.toggleFlag(document, m.index, !collection.samples[m.index].flagged);
      } else if (m.type === 'reopenAsText') {
        await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default');
      }
    });
    const subscriptions = [
      channel,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== document) return;
        clearTimeout(timer);
        timer = setTimeout(() => void render(), 200);
      }),
      this.models.onDidChange(() => void render()),
    ];
    panel.onDidDispose(() => {
      clearTimeout(timer);
      subscriptions.forEach((s) => s.dispose());
    });
  }

  /** The editor's one edit: a text edit, so dirty state, undo and save are VS Code's own. */
  async toggleFlag(document: vscode.TextDocument, index: number, flagged: boolean): Promise<void> {
    const text = document.getText();
    const edits = modify(text, ['samples', index, 'flagged'], flagged ? true : undefined, {});
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.content);
    await vscode.workspace.applyEdit(edit);
    log(`${basename(document.uri.fsPath)}: sample ${index + 1} ${flagged ? 'flagged' : 'unflagged'} (${applyEdits(text, edits).length - text.length} characters)`);
  }

  private async payload(collection: Collection): Promise<CollectionPayload> {
    const samples: CollectionSample[] = collection.samples.map((s) => ({ id: s.id, x: s.x, y: s.y, composition: s.composition, flagged: s.flagged }));
    let modelNote: string | undefined;
    const active = this.models.current ?? (await this.models.refresh());
    if (!active) modelNote = 'No model yet: train one to colour the samples by reconstruction error.';
    else if (active.manifest.kind === 'cvae') modelNote = `${active.name} is a conditional model; scoring collections against it arrives with materials libraries.`;
    else {
      const engine = await this.models.scorer();
      const threshold = vscode.workspace.getConfiguration('latentXrd').get<number>('noveltyPValueThreshold', 0.01);
      collection.samples.forEach((_, i) => {
        try {
          const { score } = engine!.scorer.scoreMeasured(samplePattern(collection, i));
          Object.assign(samples[i], { bceExcess: score.bceExcess, pValue: score.pValue, verdict: score.pValue < threshold ? 'novel' : 'known', nearestPhase: score.nearestPhase });
        } catch (e) {
          samples[i].error = (e as Error).message;
        }
      });
    }
    return { title: collection.title, kind: collection.kind, waferDiameter: collection.waferDiameter, samples, modelNote };
  }
}
