// The latent map view: the model's training reference points (coloured by phase, 2θ of maximum or
// error) over its KNN decision regions, with every workspace pattern file as a marked point
// and the focused one highlighted. The host gathers the data (the model's part from the scoring
// worker, core/analysis/latent-map-base.ts); the webview canvas draws the view model
// (src/shared/latent-map.ts) that Export Figures draws too.
import * as vscode from 'vscode';
import type { LatentMapPayload } from '../../protocol/webview';
import type { ModelService } from '../model-service';
import type { WorkspaceScores } from '../workspace-scores';
import { PATTERN_EDITOR } from '../editors/pattern-editor';
import { errorThresholdInForce } from '../../core/analysis/verdict';
import type { ModelManifest } from '../../core/model/manifest';
import { setting } from '../settings';

/** The legend's error threshold at the threshold in force (the model's when the setting is not a p-value: that setting's error shows elsewhere). */
function errorThresholdAt(manifest: ModelManifest, models: ModelService): number {
  try {
    const threshold = models.threshold();
    if (threshold) return errorThresholdInForce(manifest.calibration, threshold);
  } catch {
    // An invalid setting is reported by the model card and on every score.
  }
  return manifest.calibration.errorThreshold;
}
import { rasterize, WebviewChannel, webviewHtml, webviewOptions } from '../webview-host';

export const LATENT_MAP_VIEW = 'latentXrd.latentMap';

/**
 * Builds the map's data; also used by Export Figures and the CIF preview, so all show the same
 * map. The model's part (reference points, KNN regions) is computed in the scoring worker, like
 * every file's place on it.
 */
export async function latentMapPayload(models: ModelService, scores: WorkspaceScores | undefined, focused?: string): Promise<LatentMapPayload | undefined> {
  const active = models.current;
  const maxPoints = setting('latentMap.maxTrainingPoints');
  const base = await models.latentMapBase(maxPoints);
  if (!active || !base) return undefined;
  const files = scores?.list.filter((f) => f.score && f.mapPoint) ?? [];
  return {
    ...base,
    model: active.name,
    phases: active.manifest.phases,
    files: files.map((f) => ({
      file: f.uri.toString(),
      name: f.name,
      latent: f.mapPoint!,
      bceExcess: f.score!.bceExcess,
      verdict: f.score!.verdict,
      pValue: f.score!.pValue,
    })),
    focused,
    newest: scores?.newest,
    errorThreshold: errorThresholdAt(active.manifest, models),
  };
}

export class LatentMapView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private channel: WebviewChannel | undefined;
  private ready = false;
  private focused: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  posts = 0;

  constructor(private readonly extensionUri: vscode.Uri, private readonly models: ModelService, private readonly scores: WorkspaceScores) {
    this.subscriptions.push(
      models.onDidChange(() => void this.update()),
      scores.onDidChange(() => void this.update()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.followFocus()),
      vscode.window.onDidChangeActiveTextEditor(() => this.followFocus()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'latentMap', 'Latent map');
    this.channel?.dispose();
    this.channel = new WebviewChannel(view.webview, 'latent map', async (m) => {
      if (m.type === 'ready') {
        this.ready = true;
        await this.update();
      } else if (m.type === 'openFile') {
        const known = this.scores.list.find((f) => f.uri.toString() === m.file);
        if (known) await vscode.commands.executeCommand('vscode.openWith', known.uri, PATTERN_EDITOR);
      }
    });
    view.onDidDispose(() => {
      this.channel?.dispose();
      this.channel = undefined;
      this.view = undefined;
    });
  }

  /** The file in the active tab, highlighted on the map. */
  private followFocus(): void {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
    const next = input?.uri?.toString();
    if (next !== this.focused) {
      this.focused = next;
      void this.update();
    }
  }

  async update(): Promise<void> {
    if (!this.channel || !this.ready) return;
    let map: LatentMapPayload | undefined;
    let note: string | undefined;
    try {
      map = await latentMapPayload(this.models, this.scores, this.focused);
      if (!map) note = 'No model yet: train one (Latent XRD: Train Model) or select a model folder.';
    } catch (e) {
      note = `The latent map of ${this.models.current?.name ?? 'the model'} cannot be drawn: ${(e as Error).message}`;
    }
    await this.channel?.post({ type: 'latentMap', map, note });
    this.posts++;
  }

  /** SVG → PNG, drawn by the map's webview (a browser, with fonts); opens the view if needed. */
  async rasterize(svg: string, scale = 2): Promise<Uint8Array> {
    if (!this.channel || !this.ready) {
      await vscode.commands.executeCommand(`${LATENT_MAP_VIEW}.focus`);
      for (let i = 0; i < 100 && !(this.channel && this.ready); i++) await new Promise((r) => setTimeout(r, 100));
      if (!this.channel || !this.ready) throw new Error('the latent map view did not open');
    }
    return rasterize(this.channel, svg, scale);
  }

  dispose(): void {
    this.channel?.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}
