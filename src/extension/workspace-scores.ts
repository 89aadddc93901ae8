// Every pattern file of the workspace, read and scored by the active model: the ranking and
// the latent map are two views of this one list. Kept current by a file watcher (debounced)
// and rescored when the model changes. A file that cannot be read stays in the list with its
// error: nothing is dropped silently. Files are read and scored in batches by the scoring worker
// (src/worker/scoring-host.ts), never on the host's thread, each file under a time limit, so no
// single file can stop the host or cost the others their scores; a newer scan supersedes an older one.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MeasuredPattern } from '../core/formats';
import type { PatternScore } from '../core/model/score';
import { SCORING_BATCH, type ItemResult } from '../protocol/scoring';
import type { ModelService } from './model-service';
import { log } from './output';
import { setting, settingChanged } from './settings';

/** Folders whose files are never the workspace's patterns. */
const EXCLUDED = '{**/node_modules/**,**/.vscode-test/**,**/.git/**}';
/** Above this many files a scan shows its progress in the status bar. */
const PROGRESS_ABOVE = 50;

export interface FileScore {
  uri: vscode.Uri;
  name: string;
  score?: PatternScore;
  /** Where the score falls on the latent map's plane (x, y). */
  mapPoint?: [number, number];
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
  private folders: vscode.FileSystemWatcher | undefined;
  /** Bumped by every rescan: an older scan (or a watcher flush) sees it and stops before writing into `files`. */
  private generation = 0;
  private latestScan: Promise<void> = Promise.resolve();
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
        if (settingChanged(e, 'patternFiles', 'noveltyPValueThreshold', 'scoring', 'preprocessing')) void this.rescanAll();
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
    return setting('patternFiles');
  }

  /** Finds and scores every pattern file, and starts watching for changes. */
  start(): Promise<void> {
    this.ready = this.rescanAll();
    return this.ready;
  }

  /**
   * Finds and scores every pattern file afresh. A scan started meanwhile supersedes this one, and
   * then this resolves when the newest has finished: whoever awaits a rescan sees a whole list.
   */
  rescanAll(): Promise<void> {
    const scan = this.scan(++this.generation);
    this.latestScan = scan;
    return scan;
  }

  private async scan(generation: number): Promise<void> {
    this.watcher?.dispose();
    this.folders?.dispose();
    const glob = this.glob();
    this.watcher = vscode.workspace.createFileSystemWatcher(glob, false, false, true);
    this.watcher.onDidCreate((u) => this.queue(u));
    this.watcher.onDidChange((u) => this.queue(u));
    // A folder deleted, or one that arrives already full (moved in, or filled before the watcher
    // looked inside it), may fire one event, for the folder, which the pattern glob does not
    // match: folders are watched everywhere, a deleted one takes the files under it along and a
    // new one has its pattern files looked for.
    this.folders = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.folders.onDidDelete((u) => this.dropUnder(u));
    this.folders.onDidCreate((u) => void this.queueUnder(u, glob));
    const uris = await vscode.workspace.findFiles(glob, EXCLUDED, 5000);
    if (generation !== this.generation) return this.latestScan;
    const found = new Set(uris.map((u) => u.toString()));
    for (const [key, uri] of this.external) if (!found.has(key)) uris.push(uri);
    this.files.clear();
    // Stopped: by a newer scan (whose end is this one's), or by the worker's shutdown (nothing to wait for).
    if (!(await this.scoreFiles(uris, generation))) return generation === this.generation ? undefined : this.latestScan;
    this.changed.fire();
  }

  private dropUnder(uri: vscode.Uri): void {
    const key = uri.toString();
    let dropped = false;
    for (const k of this.files.keys()) if (k === key || k.startsWith(key + '/')) dropped = this.files.delete(k);
    if (dropped) this.changed.fire();
  }

  /** The pattern files under `uri` when it is a new folder (a file's own event is the pattern watcher's). */
  private async queueUnder(uri: vscode.Uri, glob: string): Promise<void> {
    if (this.pending.has(uri.toString())) return;
    try {
      if ((await vscode.workspace.fs.stat(uri)).type !== vscode.FileType.Directory) return;
      const inside = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, glob), EXCLUDED, 5000);
      for (const file of inside) this.queue(file);
    } catch {
      // Gone again before it was looked at: nothing to score.
    }
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
    // A rescan started meanwhile reads these files too (they were on disk before it looked).
    if (!(await this.scoreFiles(uris, this.generation))) return;
    if (uris.length) this.newest = uris[uris.length - 1].toString();
    this.changed.fire();
  }

  /**
   * Reads and scores `uris` into the list, a batch at a time, in the scan's scoring worker (the
   * host only waits; the editors have their own). Returns false, having stopped without writing, once a newer scan has started
   * (`generation` is no longer the current one).
   */
  private async scoreFiles(uris: vscode.Uri[], generation: number): Promise<boolean> {
    if (uris.length === 0) return true;
    const started = Date.now();
    const settings = this.models.settings();
    // The host's own responsiveness while the worker reads and scores: logged with the scan.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let unreadable = 0;
    const run = async (report: (done: number) => void): Promise<boolean> => {
      let shown = Date.now();
      // A batch per scanning thread at a time: the pool hands them out, one to each core.
      const step = SCORING_BATCH * this.models.scanning.threads;
      for (let start = 0; start < uris.length; start += step) {
        const batch = uris.slice(start, start + step);
        let results: ItemResult[];
        try {
          results = await this.models.scanning.score(
            batch.map((uri) => ({ kind: 'file', path: uri.fsPath, name: basename(uri.fsPath) })),
            settings,
          );
        } catch (e) {
          // Only a stopped worker rejects (the extension is shutting down): the scan ends unwritten.
          log(`workspace scan stopped: ${(e as Error).message}`);
          return false;
        }
        if (generation !== this.generation) return false;
        batch.forEach((uri, i) => {
          const { gone, error, score, mapPoint } = results[i];
          // Gone before it was read: its delete event may already have come, so it does not come back as unreadable.
          if (gone) return this.files.delete(uri.toString());
          if (error) unreadable++;
          this.files.set(uri.toString(), { uri, name: basename(uri.fsPath), scoredAt: Date.now(), score, mapPoint, error });
        });
        report(start + batch.length);
        // A long scan fills the ranking in as it goes, refreshed about once a second.
        if (Date.now() - shown > 1000) {
          this.changed.fire();
          shown = Date.now();
        }
      }
      return true;
    };
    try {
      const finished =
        uris.length > PROGRESS_ABOVE
          ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Latent XRD: scoring pattern files' }, (progress) =>
              run((done) => progress.report({ message: `${done} of ${uris.length}` })),
            )
          : await run(() => {});
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      if (finished) {
        log(
          `${settings.model ? 'scored' : 'read'} ${uris.length} pattern file(s) in ${Date.now() - started} ms${unreadable ? ` (${unreadable} not scored)` : ''}; ` +
            `extension host event-loop delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`,
        );
      }
      return finished;
    } finally {
      delay.disable();
    }
  }

  /**
   * Scores a pattern a watched measurement folder has read (it decided the file is complete) and
   * adds it to the list as the newest; the ranking and the map update.
   */
  async recordMeasured(uri: vscode.Uri, measured: MeasuredPattern): Promise<FileScore> {
    this.external.set(uri.toString(), uri);
    const name = basename(uri.fsPath);
    const [{ score, mapPoint, error }] = await this.models.scoring.score([{ kind: 'measured', measured, name }], this.models.settings());
    const entry: FileScore = { uri, name, scoredAt: Date.now(), score, mapPoint, error };
    this.files.set(uri.toString(), entry);
    this.newest = uri.toString();
    this.changed.fire();
    return entry;
  }

  /**
   * A watched folder's backlog, scored on every core (the scanning pool shares the patterns out)
   * and added in the order given, the last as the newest.
   */
  async recordMeasuredBatch(entries: { uri: vscode.Uri; measured: MeasuredPattern }[]): Promise<FileScore[]> {
    const items = entries.map(({ uri, measured }) => ({ kind: 'measured' as const, measured, name: basename(uri.fsPath) }));
    const results = await this.models.scanning.score(items, this.models.settings());
    const recorded = entries.map(({ uri }, i): FileScore => {
      this.external.set(uri.toString(), uri);
      const { score, mapPoint, error } = results[i];
      const entry: FileScore = { uri, name: items[i].name, scoredAt: Date.now(), score, mapPoint, error };
      this.files.set(uri.toString(), entry);
      this.newest = uri.toString();
      return entry;
    });
    this.changed.fire();
    return recorded;
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
    this.folders?.dispose();
    this.changed.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}
