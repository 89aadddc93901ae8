// Every pattern file of the workspace, read and scored by the active model: the ranking and
// the latent map are two views of this one list. Kept current by a file watcher (debounced)
// and rescored when the model changes. A file that cannot be read stays in the list with its
// error: nothing is dropped silently.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { readPattern, type MeasuredPattern } from '../core/formats';
import type { PatternScore } from '../core/model/score';
import type { ModelService } from './model-service';
import { log } from './output';
import { affectsPreprocessing, preprocessOptions } from './preprocess-settings';

export interface FileScore {
  uri: vscode.Uri;
  name: string;
  score?: PatternScore;
  /** Why the file could not be read or scored. */
  error?: string;
  /** When it was last scored (for "newest" on the map). */
  scoredAt: number;
}

export class WorkspaceScores implements vscode.Disposable {
  private readonly files = new Map<string, FileScore>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  newest: string | undefined;
  /** Files outside the workspace glob that a watched measurement folder added: kept across rescans. */
  private readonly external = new Map<string, vscode.Uri>();
  /** Resolves when the first full scan has been scored. */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly models: ModelService) {
    this.subscriptions.push(models.onDidChange(() => void this.rescanAll()));
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('latentXrd.patternFiles') || e.affectsConfiguration('latentXrd.noveltyPValueThreshold') || affectsPreprocessing(e)) void this.rescanAll();
      }),
    );
  }

  get list(): FileScore[] {
    return [...this.files.values()];
  }

  /** Sorted for the ranking: unreadable first (they need attention), then by error, largest first. */
  ranked(): FileScore[] {
    return this.list.sort((a, b) => Number(!!b.error) - Number(!!a.error) || (b.score?.bceExcess ?? -1) - (a.score?.bceExcess ?? -1) || a.name.localeCompare(b.name));
  }

  private glob(): string {
    // The default lives in package.json (contributes.configuration), next to the editor's selectors.
    return vscode.workspace.getConfiguration('latentXrd').get<string>('patternFiles')!;
  }

  /** Finds and scores every pattern file, and starts watching for changes. */
  start(): Promise<void> {
    this.ready = this.rescanAll();
    return this.ready;
  }

  async rescanAll(): Promise<void> {
    this.watcher?.dispose();
    const glob = this.glob();
    this.watcher = vscode.workspace.createFileSystemWatcher(glob);
    this.watcher.onDidCreate((u) => this.queue(u));
    this.watcher.onDidChange((u) => this.queue(u));
    this.watcher.onDidDelete((u) => {
      this.files.delete(u.toString());
      this.changed.fire();
    });
    const uris = await vscode.workspace.findFiles(glob, '{**/node_modules/**,**/.vscode-test/**,**/.git/**}', 5000);
    const found = new Set(uris.map((u) => u.toString()));
    for (const [key, uri] of this.external) if (!found.has(key)) uris.push(uri);
    this.files.clear();
    await this.scoreFiles(uris);
    this.changed.fire();
  }

  private queue(uri: vscode.Uri): void {
    this.pending.add(uri.toString());
    // Debounced: a file being written fires several events; read it once it has settled.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 400);
  }

  private async flush(): Promise<void> {
    const uris = [...this.pending].map((s) => vscode.Uri.parse(s));
    this.pending.clear();
    await this.scoreFiles(uris);
    if (uris.length) this.newest = uris[uris.length - 1].toString();
    this.changed.fire();
  }

  /**
   * How a pattern is scored now: the active model, the threshold and the preprocessing settings,
   * looked up once for a batch of files. Without a usable model, every pattern gets the reason.
   */
  private async scoring(): Promise<{ scored: boolean; score: (measured: MeasuredPattern) => Pick<FileScore, 'score' | 'error'> }> {
    const current = this.models.current;
    if (current?.manifest.kind === 'cvae') return { scored: false, score: () => ({ error: `${current.name} is a conditional model: it needs a composition for each pattern` }) };
    let engine: Awaited<ReturnType<ModelService['scorer']>>;
    try {
      engine = await this.models.scorer();
    } catch (e) {
      const error = `the model could not be loaded: ${(e as Error).message}`;
      return { scored: false, score: () => ({ error }) };
    }
    if (!engine) return { scored: false, score: () => ({}) };
    const scorer = engine.scorer;
    const threshold = vscode.workspace.getConfiguration('latentXrd').get<number>('noveltyPValueThreshold', 0.01);
    const preprocessing = preprocessOptions();
    return {
      scored: true,
      score: (measured) => {
        const { score } = scorer.scoreMeasured(measured, preprocessing);
        return { score: { ...score, verdict: score.pValue < threshold ? 'novel' : 'known' } };
      },
    };
  }

  private async scoreFiles(uris: vscode.Uri[]): Promise<void> {
    if (uris.length === 0) return;
    const started = Date.now();
    const { scored, score } = await this.scoring();
    for (const uri of uris) {
      const name = basename(uri.fsPath);
      const entry: FileScore = { uri, name, scoredAt: Date.now() };
      try {
        Object.assign(entry, score(readPattern(await vscode.workspace.fs.readFile(uri), name)));
      } catch (e) {
        entry.error = (e as Error).message;
      }
      this.files.set(uri.toString(), entry);
    }
    if (scored) log(`scored ${uris.length} pattern file(s) in ${Date.now() - started} ms`);
  }

  /**
   * Scores a pattern a watched measurement folder has read (it decided the file is complete) and
   * adds it to the list as the newest; the ranking and the map update.
   */
  async recordMeasured(uri: vscode.Uri, measured: MeasuredPattern): Promise<FileScore> {
    this.external.set(uri.toString(), uri);
    const entry: FileScore = { uri, name: basename(uri.fsPath), scoredAt: Date.now(), ...(await this.scoring()).score(measured) };
    this.files.set(uri.toString(), entry);
    this.newest = uri.toString();
    this.changed.fire();
    return entry;
  }

  /** A watched file that could not be read: listed with its located error, never dropped. */
  recordUnreadable(uri: vscode.Uri, error: string): void {
    this.external.set(uri.toString(), uri);
    this.files.set(uri.toString(), { uri, name: basename(uri.fsPath), scoredAt: Date.now(), error });
    this.changed.fire();
  }

  forget(uri: vscode.Uri): void {
    this.external.delete(uri.toString());
    if (this.files.delete(uri.toString())) this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.dispose();
    this.changed.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}
