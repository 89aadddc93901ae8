// "Watch Folder for Measurements": a diffractometer's output folder scored as files arrive. The
// core watcher decides when a file is complete and reads it (src/core/watch); this side scores it
// with the active model, puts it into the ranking and on the latent map as the newest, and says
// so when a pattern is past the novelty threshold. Nothing found is dropped: unreadable files are
// listed with their located error.
import * as vscode from 'vscode';
// The watcher alone: the model scoring adapter (core/watch/model-scoring.ts) would bring
// TensorFlow.js onto the extension host, where nothing is scored.
import { MeasurementWatcher, type FileFailure, type ScoredFile } from '../core/watch/watcher';
import type { FileScore, WorkspaceScores } from './workspace-scores';
import type { ModelService } from './model-service';
import { PATTERN_EDITOR } from './editors/pattern-editor';
import { log } from './output';
import { SCORING_BATCH } from '../protocol/scoring';
import { unexplainedSummary } from '../core/analysis/unexplained-peaks';
import { reliabilityState } from '../core/model/reliability';
import { verdictLabel } from '../core/analysis/verdict';

/** Novel patterns arriving together are announced in one notification, not one each. */
const NOTIFY_AFTER_MS = 1500;

export class MeasurementFolder implements vscode.Disposable {
  private watcher: MeasurementWatcher<FileScore> | undefined;
  private folder: vscode.Uri | undefined;
  private readonly item = vscode.window.createStatusBarItem('latentXrd.watch', vscode.StatusBarAlignment.Right, 99);
  private scored = 0;
  private novelWaiting: FileScore[] = [];
  private notifyTimer: NodeJS.Timeout | undefined;
  /** Every novel notification raised (for tests and the log). */
  readonly notified: string[] = [];
  /** Every pattern read from the folder: file, points read, when (for tests and the log). */
  readonly history: { path: string; points: number; at: number }[] = [];

  constructor(
    private readonly scores: WorkspaceScores,
    private readonly models: ModelService,
  ) {
    this.item.name = 'Latent XRD watch folder';
    this.item.command = 'latentXrd.stopWatching';
  }

  get watching(): vscode.Uri | undefined {
    return this.folder;
  }

  /** Starts watching `folder` (asks for one when not given); a folder already watched is replaced. */
  async start(folder?: vscode.Uri, options: { includeExisting?: boolean } = {}): Promise<vscode.Uri | undefined> {
    if (!folder) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Watch this folder', title: 'Latent XRD: folder the diffractometer writes to' });
      folder = picked?.[0];
      if (!folder) return undefined;
      const existing = await vscode.window.showQuickPick(['Only new and changed files', 'Also the files already there'], { title: 'Score which files?' });
      if (!existing) return undefined;
      options = { includeExisting: existing.startsWith('Also') };
    }
    await this.stop();
    const watcher = new MeasurementWatcher<FileScore>({
      directory: folder.fsPath,
      includeExisting: options.includeExisting,
      // Parsed in the editors' scoring worker, under its time limit, never on the host thread.
      parse: (bytes, name) => this.models.scoring.parse(bytes, name),
      score: (measured, file) => {
        this.history.push({ path: file.path, points: measured.twoTheta.length, at: Date.now() });
        return this.scores.recordMeasured(vscode.Uri.file(file.path), measured);
      },
      // A backlog (the files already there, or a burst) on every core, a batch per scoring thread.
      scoreBatch: (requests) => {
        for (const { measured, file } of requests) this.history.push({ path: file.path, points: measured.twoTheta.length, at: Date.now() });
        return this.scores.recordMeasuredBatch(requests.map(({ measured, file }) => ({ uri: vscode.Uri.file(file.path), measured })));
      },
      maxBatch: SCORING_BATCH * this.models.scanning.threads,
    });
    watcher.on('scored', (e) => this.onScored(e));
    watcher.on('failed', (e) => this.onFailed(e));
    watcher.on('removed', (e) => this.scores.forget(vscode.Uri.file(e.path)));
    watcher.on('watchError', (e) => log(`watch ${folder!.fsPath}: ${e.message}`));
    watcher.on('skipped', (e) => log(`watch ${folder!.fsPath}: not read: ${e.name}: ${e.reason}`));
    await watcher.start();
    this.watcher = watcher;
    this.folder = folder;
    this.scored = 0;
    this.updateItem();
    log(`watching ${folder.fsPath} for measurements${options.includeExisting ? ' (and scoring the files already there)' : ''}`);
    return folder;
  }

  async stop(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    if (!watcher) return;
    await watcher.stop();
    log(`stopped watching ${this.folder?.fsPath} after ${this.scored} scored file(s)`);
    this.folder = undefined;
    this.item.hide();
  }

  private onScored(e: ScoredFile<FileScore>): void {
    this.scored++;
    this.updateItem();
    const s = e.result.score;
    const where = s?.unexplainedPeaks && unexplainedSummary(s.unexplainedPeaks, s.verdict === 'novel');
    log(`watch: ${e.file.name} ${s ? `${verdictLabel(s.verdict, this.modelReliable())} (p ${s.pValue.toPrecision(3)}, excess BCE ${s.bceExcess.toPrecision(3)}, nearest ${s.nearestPhase})${where ? `; ${where}` : ''}` : e.result.error}`);
    if (s?.verdict === 'novel') {
      this.novelWaiting.push(e.result);
      clearTimeout(this.notifyTimer);
      this.notifyTimer = setTimeout(() => this.notifyNovel(), NOTIFY_AFTER_MS);
    }
  }

  private onFailed(e: FileFailure): void {
    this.scores.recordUnreadable(vscode.Uri.file(e.file.path), e.message);
    log(`watch: ${e.message}`);
  }

  private notifyNovel(): void {
    const novel = this.novelWaiting;
    this.novelWaiting = [];
    if (novel.length === 0) return;
    const first = novel[0];
    const found =
      novel.length === 1
        ? `Novel measurement: ${first.name} (p ${first.score!.pValue.toPrecision(2)}, nearest known phase ${first.score!.nearestPhase}).`
        : `${novel.length} novel measurements, e.g. ${novel.slice(0, 3).map((f) => f.name).join(', ')}.`;
    const message = this.modelReliable() === false ? `${found} The model is unreliable (its held-out checks fell short; see its model card): do not trust the verdict alone.` : found;
    this.notified.push(message);
    void vscode.window.showWarningMessage(message, 'Open', 'Show Ranking').then((choice) => {
      if (choice === 'Open') void vscode.commands.executeCommand('vscode.openWith', first.uri, PATTERN_EDITOR);
      else if (choice === 'Show Ranking') void vscode.commands.executeCommand('latentXrd.ranking.focus');
    });
  }

  private modelReliable(): boolean | null {
    const active = this.models.current;
    return active ? reliabilityState(active.manifest).reliable : null;
  }

  private updateItem(): void {
    if (!this.folder) return;
    this.item.text = `$(eye) ${vscode.workspace.asRelativePath(this.folder)} · ${this.scored} scored`;
    this.item.tooltip = `Latent XRD is scoring new measurements in ${this.folder.fsPath}. Click to stop.`;
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.notifyTimer);
    this.watcher?.dispose();
    this.item.dispose();
  }
}
