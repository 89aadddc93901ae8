// The .xrd collection editor: a materials library on its wafer or ternary composition diagram,
// coloured by reconstruction error, p-value or nearest phase, beside the selected sample's pattern
// over its reconstruction (the paper's Figure 4). The JSON text is the document, so dirty state,
// undo, save, revert and hot-exit backups are VS Code's own; the editor's one edit (flag a sample)
// is a text edit like any other. Export writes the map as drawn (SVG + PNG) and the scores (CSV).
import * as vscode from 'vscode';
import { basename, dirname, extname } from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import { samplePattern, type Collection } from '../../core/formats/collection';
import { COLOURING_LABELS } from '../../shared/collection-map';
import { collectionMapSvg } from '../../core/report/collection-map-svg';
import { UserError } from '../../core/diagnostics';
import type { PatternScore } from '../../core/model/score';
import type { CollectionPayload, CollectionSample, CollectionView } from '../../protocol/webview';
import type { CollectionResult } from '../../protocol/scoring';
import type { ModelService } from '../model-service';
import { problemsOf } from './pattern-editor';
import { rasterize, WebviewChannel, webviewHtml, webviewOptions } from '../webview-host';
import { log } from '../output';
import { settingChanged } from '../settings';
import { requireTrust } from '../commands/trust';
import { mayReplace } from '../commands/export';
import { reliabilityState } from '../../core/model/reliability';
import { collectionScoresCsv } from '../../core/report/scores-csv';

export const COLLECTION_EDITOR = 'latentXrd.collectionEditor';

/** One open editor: what it shows, so Export writes exactly that. */
interface Session {
  document: vscode.TextDocument;
  panel: vscode.WebviewPanel;
  channel: WebviewChannel;
  view: CollectionView;
  collection?: Collection;
  payload?: CollectionPayload;
  scores: (PatternScore | undefined)[];
}

export class CollectionEditorProvider implements vscode.CustomTextEditorProvider {
  /** Renders per open document, and the error shown instead (if any), for tests. */
  readonly renders = new Map<string, number>();
  readonly errors = new Map<string, string>();
  private readonly sessions = new Set<Session>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly models: ModelService) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const name = basename(document.uri.fsPath);
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'collection', name);
    let ready = false;
    let timer: NodeJS.Timeout | undefined;

    const render = async () => {
      if (!ready) return;
      try {
        // Parsed and scored in the scoring worker: a large or hostile .xrd costs this editor an
        // error after the time limit, never the extension host.
        const result = await this.models.scoring.collection(document.getText(), name, this.models.settings());
        session.collection = result.collection;
        const { payload, scores } = this.payload(result);
        session.payload = payload;
        session.scores = scores;
        await channel.post({ type: 'collection', collection: payload });
        this.renders.set(document.uri.toString(), (this.renders.get(document.uri.toString()) ?? 0) + 1);
        this.errors.delete(document.uri.toString());
      } catch (e) {
        session.collection = undefined;
        session.payload = undefined;
        const message = e instanceof UserError ? e.message : `could not show ${name}: ${(e as Error).message}`;
        this.errors.set(document.uri.toString(), message);
        await channel.post({ type: 'error', title: name, message, problems: problemsOf(e) });
      }
    };
    const channel = new WebviewChannel(panel.webview, name, async (m) => {
      const collection = session.collection;
      if (m.type === 'ready') {
        ready = true;
        await render();
      } else if (m.type === 'selectSample' && collection && m.index < collection.samples.length) {
        const sample = collection.samples[m.index];
        const title = `${name} · sample ${sample.id}`;
        const pattern = await this.models.scoring.plot({ kind: 'measured', measured: samplePattern(collection, m.index), name: title }, title, this.models.settings(), sample.composition);
        await channel.post({ type: 'sample', index: m.index, pattern });
      } else if (m.type === 'toggleFlag' && collection && m.index < collection.samples.length) {
        await this.toggleFlag(document, m.index, !collection.samples[m.index].flagged);
      } else if (m.type === 'collectionView') {
        session.view = m.view;
      } else if (m.type === 'exportCollection') {
        await this.exportCollection(document.uri);
      } else if (m.type === 'reopenAsText') {
        await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default');
      }
    });
    const session: Session = { document, panel, channel, view: { by: 'error', layout: 'wafer' }, scores: [] };
    this.sessions.add(session);
    const subscriptions = [
      channel,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== document) return;
        clearTimeout(timer);
        timer = setTimeout(() => void render(), 200);
      }),
      this.models.onDidChange(() => void render()),
      vscode.workspace.onDidChangeConfiguration((e) => settingChanged(e, 'preprocessing', 'noveltyPValueThreshold') && void render()),
    ];
    panel.onDidDispose(() => {
      clearTimeout(timer);
      this.sessions.delete(session);
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

  /**
   * Writes the map as it is drawn (SVG, and PNG drawn by the editor's page) and every sample's
   * score (CSV). `uri` picks the editor (default: the active one); `target` is the SVG's path
   * (default: asked, beside the .xrd); the PNG and CSV go beside it.
   */
  async exportCollection(uri?: vscode.Uri, target?: vscode.Uri): Promise<vscode.Uri[]> {
    const session = [...this.sessions].find((s) => (uri ? s.document.uri.toString() === uri.toString() : s.panel.active)) ?? (uri ? undefined : [...this.sessions][0]);
    if (!session?.collection || !session.payload) {
      void vscode.window.showWarningMessage('Open an .xrd collection in its editor to export its map.');
      return [];
    }
    if (!(await requireTrust('write files'))) return [];
    const stem = basename(session.document.uri.fsPath, extname(session.document.uri.fsPath));
    const svgUri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(`${dirname(session.document.uri.fsPath)}/${stem}-map-${session.view.by}.svg`),
        filters: { SVG: ['svg'] },
        saveLabel: 'Export map (SVG + PNG) and scores (CSV)',
      }));
    if (!svgUri) return [];
    const c = session.collection;
    const subtitle = `${COLOURING_LABELS[session.view.by]}${session.payload.samples.some((s) => s.bceExcess !== undefined) ? ` · model ${this.models.current?.name ?? ''}` : ' · not scored'}`;
    const svg = collectionMapSvg(session.payload.samples, { title: c.title, subtitle, by: session.view.by, kind: session.view.layout, corners: session.view.corners, waferDiameterMm: c.waferDiameter });
    const base = svgUri.fsPath.replace(/\.svg$/i, '');
    const pngUri = vscode.Uri.file(`${base}.png`);
    const csvUri = vscode.Uri.file(`${base.replace(/-map(-[a-zA-Z]+)?$/, '')}-scores.csv`);
    // A target given by a caller is taken as named; one picked in the dialog was confirmed there.
    if (!(await mayReplace([svgUri, pngUri, csvUri], target ? undefined : svgUri))) return [];
    await vscode.workspace.fs.writeFile(svgUri, Buffer.from(svg));
    await vscode.workspace.fs.writeFile(pngUri, await rasterize(session.channel, svg));
    await vscode.workspace.fs.writeFile(csvUri, Buffer.from(collectionScoresCsv(c, session.payload, session.scores)));
    const written = [svgUri, pngUri, csvUri];
    log(`${basename(session.document.uri.fsPath)}: exported ${written.map((u) => basename(u.fsPath)).join(', ')}`);
    void vscode.window.showInformationMessage(`Exported the map of ${c.samples.length} samples and their scores: ${written.map((u) => basename(u.fsPath)).join(', ')}`);
    return written;
  }

  private payload({ collection, scores, scoreError }: CollectionResult): { payload: CollectionPayload; scores: (PatternScore | undefined)[] } {
    const samples: CollectionSample[] = collection.samples.map((s, i) => {
      const sample: CollectionSample = { id: s.id, x: s.x, y: s.y, composition: s.composition, flagged: s.flagged };
      const score = scores?.[i];
      if (score) Object.assign(sample, { bceExcess: score.bceExcess, pValue: score.pValue, verdict: score.verdict, nearestPhase: score.nearestPhase });
      else if (scores) sample.error = `sample ${s.id}: not scored: the model's error for it is not a finite number`;
      return sample;
    });
    const active = this.models.current;
    let modelNote: string | undefined;
    if (!active) modelNote = 'No model yet: train one to colour the samples by reconstruction error.';
    else if (scoreError) modelNote = `${active.name} cannot score this collection: ${scoreError}`;
    const reliability = active && reliabilityState(active.manifest);
    const modelWarning = reliability && reliability.reliable === false ? `${active!.name}: ${reliability.summary}: ${reliability.reasons.join('; ')}` : undefined;
    const payload: CollectionPayload = { title: collection.title, kind: collection.kind, waferDiameter: collection.waferDiameter, samples, modelNote, modelWarning, about: aboutCollection(collection) };
    return { payload, scores: collection.samples.map((_, i) => scores?.[i]) };
  }
}

/** What a user must know before reading the map: where the data came from, what is not stated. */
function aboutCollection(c: Collection): string[] {
  const about: string[] = [];
  if (c.note) about.push(c.note);
  const s = c.source;
  if (s?.description) about.push(s.description);
  if (s?.axis === 'q') about.push(`measured in Q (${s.axisUnit ?? 'unit not stated'}); shown in 2θ for ${s.conversionWavelength ?? 'an assumed'} Å`);
  if (s?.wavelengthStated === false || (c.wavelength === undefined && !s?.conversionWavelength)) about.push('the wavelength is not stated: patterns are scored as if measured at the model\'s wavelength');
  return about;
}
