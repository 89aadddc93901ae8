// The CIF pattern preview: the simulated ideal pattern with hkl labels, the cell and space
// group, patterns drawn with the training variation, and (with a model) where the structure's
// patterns fall in the latent space. The CIF text stays the source of truth: the preview
// follows the document as it is edited. Reachable as a custom text editor ("Open With…") and
// as a preview beside the text editor, like Markdown's.
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { StructurePreview } from '../../core/synth/structure-preview';
import { PreviewWorker } from '../../worker/host';
import type { ProblemPayload, StructurePayload } from '../../protocol/webview';
import type { ModelService } from '../model-service';
import { gridSeries } from '../../worker/pattern-payload';
import { WebviewChannel, webviewHtml, webviewOptions } from '../webview-host';
import { latentMapPayload } from '../views/latent-map-view';
import { log } from '../output';

export const CIF_PREVIEW = 'latentXrd.cifPreview';
const VARIATIONS_IN_LATENT = 24;
/** Far above any latent-xrd.json a person writes; a larger file is not read for a preview. */
const MAX_PREVIEW_CONFIG_BYTES = 4 * 2 ** 20;

/**
 * The latent-xrd.json nearest the CIF (its folder, then each parent up to its workspace
 * folder), whose grid, radiation and variation the preview draws with; undefined when there is
 * none, or it is too large to be one.
 */
function nearestConfig(uri: vscode.Uri): { text: string; shownPath: string } | undefined {
  if (uri.scheme !== 'file') return undefined;
  const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  if (!root) return undefined;
  for (let dir = dirname(uri.fsPath); dir.startsWith(root); dir = dirname(dir)) {
    const path = join(dir, 'latent-xrd.json');
    try {
      if (existsSync(path) && statSync(path).isFile() && statSync(path).size <= MAX_PREVIEW_CONFIG_BYTES) {
        return { text: readFileSync(path, 'utf8'), shownPath: vscode.workspace.asRelativePath(path) };
      }
    } catch {
      // unreadable: the preview's defaults
    }
    if (dir === root || dirname(dir) === dir) break;
  }
  return undefined;
}

/** Drives one preview webview from one CIF document. */
class CifPreviewController implements vscode.Disposable {
  /** Structures and patterns are computed off the host: a large CIF takes seconds. */
  private readonly worker = new PreviewWorker();
  private previews: StructurePreview[] = [];
  private generation = 0;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly channel: WebviewChannel;
  private readonly subscriptions: vscode.Disposable[] = [];
  renders = 0;

  constructor(private readonly document: vscode.TextDocument, webview: vscode.Webview, private readonly models: ModelService) {
    const name = basename(document.uri.fsPath);
    this.channel = new WebviewChannel(webview, `${name} preview`, async (m) => {
      if (m.type === 'ready') {
        this.ready = true;
        await this.render();
      } else if (m.type === 'drawVariations') {
        if (!this.previews[m.block]) return;
        const patterns = (await this.worker.vary(m.block, m.count, m.seed)).map((p) => Array.from(p, (v) => Math.round(v * 1e4) / 1e4));
        await this.channel.post({ type: 'variations', block: m.block, seed: m.seed, patterns });
      }
    });
    this.subscriptions.push(
      this.channel,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === document) this.schedule();
      }),
      models.onDidChange(() => this.schedule()),
    );
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.render(), 250);
  }

  private async render(): Promise<void> {
    if (!this.ready) return;
    const started = Date.now();
    const generation = ++this.generation;
    const { previews, diagnostics, settingsNote } = await this.worker.preview(this.document.getText(), nearestConfig(this.document.uri));
    if (generation !== this.generation) return; // an edit came in meanwhile; its render follows
    this.previews = previews;
    const problems: ProblemPayload[] = diagnostics.map((d) => ({ severity: d.severity, message: d.message, line: d.range?.line, column: d.range?.column }));
    const structures: StructurePayload[] = previews.map((p) => {
      const { summary, grid, ideal, peaks, wavelength } = p;
      return { ...summary, wavelength, ideal: gridSeries(grid, ideal), peaks };
    });
    let modelNote: string | undefined;
    try {
      await this.addModelView(structures);
    } catch (e) {
      modelNote = `the model could not score this structure: ${(e as Error).message}`;
    }
    if (generation !== this.generation) return;
    const map = structures.some((s) => s.latent) ? await latentMapPayload(this.models, undefined).catch(() => undefined) : undefined;
    await this.channel.post({ type: 'structures', file: basename(this.document.uri.fsPath), structures, problems, modelNote, map });
    this.renders++;
    log(`${basename(this.document.uri.fsPath)}: preview of ${structures.length} structure(s) in ${Date.now() - started} ms${settingsNote ? `; ${settingsNote}` : ''}`);
  }

  /** With a model: each structure's ideal pattern over its reconstruction, and its varied patterns' places on the latent map (both scored in the scoring worker). */
  private async addModelView(structures: StructurePayload[]): Promise<void> {
    const active = this.models.current;
    if (!active || active.manifest.kind === 'cvae' || structures.length === 0) return;
    const settings = this.models.settings();
    for (let i = 0; i < structures.length; i++) {
      const { grid, ideal } = this.previews[i];
      const title = `data_${structures[i].blockName}`;
      const twoTheta = Float64Array.from({ length: grid.points }, (_, k) => grid.min + (k * (grid.max - grid.min)) / (grid.points - 1));
      structures[i].pattern = await this.models.scoring.plot({ kind: 'measured', measured: { twoTheta, intensity: Float64Array.from(ideal) }, name: title }, title, settings);
      const varied = await this.worker.vary(i, VARIATIONS_IN_LATENT, 1);
      const points = await this.models.scoring.mapPoints(grid, varied, settings, `${title}'s varied patterns`);
      structures[i].latent = { points, model: active.name };
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscriptions.forEach((s) => s.dispose());
    this.worker.dispose();
  }
}

export class CifPreviewProvider implements vscode.CustomTextEditorProvider {
  readonly controllers = new Set<CifPreviewController>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly models: ModelService) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    this.attach(document, panel);
  }

  /** "Open Pattern Preview to the Side": a webview panel beside the CIF's text editor. */
  openToSide(document: vscode.TextDocument): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(CIF_PREVIEW, `Preview ${basename(document.uri.fsPath)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.extensionUri));
    this.attach(document, panel);
    return panel;
  }

  private attach(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'cif', basename(document.uri.fsPath));
    const controller = new CifPreviewController(document, panel.webview, this.models);
    this.controllers.add(controller);
    panel.onDidDispose(() => {
      this.controllers.delete(controller);
      controller.dispose();
    });
  }
}
