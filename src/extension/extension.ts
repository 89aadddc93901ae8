// Activation: wires the engine's faces into VS Code. Everything heavy is lazy: TensorFlow.js
// loads when a model is first needed, workers start when a run starts.
import * as vscode from 'vscode';
import { ModelService } from './model-service';
import { WorkspaceScores } from './workspace-scores';
import { PatternEditorProvider, PATTERN_EDITOR } from './editors/pattern-editor';
import { CifPreviewProvider, CIF_PREVIEW } from './editors/cif-preview';
import { CollectionEditorProvider, COLLECTION_EDITOR } from './editors/collection-editor';
import { MeasurementFolder } from './measurement-folder';
import { LatentMapView, LATENT_MAP_VIEW } from './views/latent-map-view';
import { RankingView } from './views/ranking-view';
import { ModelCardView } from './views/model-card-view';
import { registerCifLanguage } from './language/cif-language';
import { createStatusBar } from './status-bar';
import { generateData, trainModel } from './commands/training';
import { addToTrainingSet, createConfig } from './commands/workspace-config';
import { exportFigures, exportScores } from './commands/export';
import { log, logError, outputChannel } from './output';
import { EarlyTextEditors, defaultEditors } from './early-text-editors';

/** What activate() returns: the live services, for the integration tests (and other extensions). */
export interface LatentXrdApi {
  models: ModelService;
  scores: WorkspaceScores;
  patternEditor: PatternEditorProvider;
  cifPreview: CifPreviewProvider;
  collectionEditor: CollectionEditorProvider;
  measurements: MeasurementFolder;
  latentMap: LatentMapView;
  ranking: RankingView;
  modelCard: ModelCardView;
  earlyTextEditors: EarlyTextEditors;
  activatedInMs: number;
}

export async function activate(context: vscode.ExtensionContext): Promise<LatentXrdApi> {
  const started = Date.now();
  const { extensionUri } = context;
  const models = new ModelService();
  const scores = new WorkspaceScores(models);
  const patternEditor = new PatternEditorProvider(extensionUri, models);
  const cifPreview = new CifPreviewProvider(extensionUri, models);
  const collectionEditor = new CollectionEditorProvider(extensionUri, models);
  const latentMap = new LatentMapView(extensionUri, models, scores);
  const ranking = new RankingView(scores, models);
  const modelCard = new ModelCardView(models);
  const measurements = new MeasurementFolder(scores, models);
  const earlyTextEditors = new EarlyTextEditors(context.workspaceState, defaultEditors(context.extension.packageJSON));

  context.subscriptions.push(
    outputChannel(),
    models,
    scores,
    measurements,
    latentMap,
    ranking,
    modelCard,
    earlyTextEditors,
    vscode.window.registerCustomEditorProvider(PATTERN_EDITOR, patternEditor, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true }),
    vscode.window.registerCustomEditorProvider(CIF_PREVIEW, cifPreview, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerCustomEditorProvider(COLLECTION_EDITOR, collectionEditor, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerWebviewViewProvider(LATENT_MAP_VIEW, latentMap, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerTreeDataProvider('latentXrd.ranking', ranking),
    vscode.window.registerTreeDataProvider('latentXrd.model', modelCard),
    createStatusBar(models),
    vscode.commands.registerCommand('latentXrd.createConfig', () => createConfig()),
    vscode.commands.registerCommand('latentXrd.generateData', (options?: { config?: vscode.Uri }) => generateData(options)),
    vscode.commands.registerCommand('latentXrd.trainModel', (options?: { config?: vscode.Uri; epochs?: number }) => trainModel(models, options)),
    vscode.commands.registerCommand('latentXrd.scoreWorkspace', async () => {
      await scores.rescanAll();
      const novel = scores.list.filter((f) => f.score?.verdict === 'novel').length;
      const unreadable = scores.list.filter((f) => f.error).length;
      void vscode.window.showInformationMessage(`Scored ${scores.list.length} pattern files: ${novel} novel${unreadable ? `, ${unreadable} unreadable` : ''}.`);
      return scores.ranked().map((f) => ({ file: f.uri.fsPath, verdict: f.score?.verdict, pValue: f.score?.pValue, error: f.error }));
    }),
    vscode.commands.registerCommand('latentXrd.selectModel', (dir?: string) => models.select(dir)),
    vscode.commands.registerCommand('latentXrd.exportScores', (target?: vscode.Uri) => exportScores(scores, models, target)),
    vscode.commands.registerCommand('latentXrd.exportFigures', (folder?: vscode.Uri) => exportFigures(scores, models, latentMap, folder)),
    vscode.commands.registerCommand('latentXrd.exportCollection', (uri?: vscode.Uri, target?: vscode.Uri) => collectionEditor.exportCollection(uri, target)),
    vscode.commands.registerCommand('latentXrd.watchFolder', (folder?: vscode.Uri, options?: { includeExisting?: boolean }) => measurements.start(folder, options)),
    vscode.commands.registerCommand('latentXrd.stopWatching', () => measurements.stop()),
    vscode.commands.registerCommand('latentXrd.openLatentMap', () => vscode.commands.executeCommand(`${LATENT_MAP_VIEW}.focus`)),
    vscode.commands.registerCommand('latentXrd.openCifPreviewToSide', async (uri?: vscode.Uri) => {
      const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!document || document.languageId !== 'cif') {
        void vscode.window.showWarningMessage('Open a CIF file first.');
        return;
      }
      cifPreview.openToSide(document);
    }),
    vscode.commands.registerCommand('latentXrd.addToTrainingSet', (uri?: vscode.Uri, block?: string) => addToTrainingSet(uri, block)),
    vscode.commands.registerCommand('latentXrd.reopenAsText', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
      if (input?.uri) return vscode.commands.executeCommand('vscode.openWith', input.uri, 'default');
    }),
  );
  registerCifLanguage(context);
  await models.refresh();
  // Scoring the workspace loads the model: done in the background, after activation returns.
  void scores.start();
  // Pattern files opened as text before the editors were known (the race at the window's start).
  void earlyTextEditors.reopen().then(
    (reopened) => reopened.length > 0 && log(`reopened in their editor (opened as text before Latent XRD had started): ${reopened.map((u) => u.fsPath).join(', ')}`),
    (e) => logError(`could not reopen the pattern files opened as text at start: ${(e as Error).message}`),
  );
  const activatedInMs = Date.now() - started;
  log(`Latent XRD activated in ${activatedInMs} ms`);
  return { models, scores, patternEditor, cifPreview, collectionEditor, latentMap, measurements, ranking, modelCard, earlyTextEditors, activatedInMs };
}

export function deactivate(): void {
  // Disposables are in context.subscriptions.
}
