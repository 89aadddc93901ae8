// Every pattern file of the workspace, read and scored by the active model: the ranking and
// the latent map are two views of this one list. Kept current by a file watcher (debounced)
// and rescored when the model changes. A file that cannot be read stays in the list with its
// error: nothing is dropped silently. Thousands of files are read a few at a time and scored in
// batches, yielding to the host between batches; a newer scan supersedes an older one.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { readPattern, type MeasuredPattern } from '../core/formats';
import type { PatternScore } from '../core/model/score';
import type { ModelService } from './model-service';
import { log } from './output';
import { affectsPreprocessing, preprocessOptions } from './preprocess-settings';

/** Files read at once: enough to hide the file system's latency, few enough not to flood it. */
const READS_IN_FLIGHT = 16;
/** Files scored in one model call: the batched model runs several times faster than file by file. */
const BATCH = 64;
/** Above this many files a scan shows its progress in the status bar. */
const PROGRESS_ABOVE = 50;

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
  private deletions: vscode.FileSystemWatcher | undefined;
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
    this.deletions?.dispose();
    const glob = this.glob();
    this.watcher = vscode.workspace.createFileSystemWatcher(glob, false, false, true);
    this.watcher.onDidCreate((u) => this.queue(u));
    this.watcher.onDidChange((u) => this.queue(u));
    // Deleting a folder fires one event, for the folder, which the pattern glob does not match:
    // deletions are watched everywhere, and a deleted folder takes the files under it along.
    this.deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    this.deletions.onDidDelete((u) => this.dropUnder(u));
    const uris = await vscode.workspace.findFiles(glob, '{**/node_modules/**,**/.vscode-test/**,**/.git/**}', 5000);
    if (generation !== this.generation) return this.latestScan;
    const found = new Set(uris.map((u) => u.toString()));
    for (const [key, uri] of this.external) if (!found.has(key)) uris.push(uri);
    this.files.clear();
    if (!(await this.scoreFiles(uris, generation))) return this.latestScan;
    this.changed.fire();
  }

  private dropUnder(uri: vscode.Uri): void {
    const key = uri.toString();
    let dropped = false;
    for (const k of this.files.keys()) if (k === key || k.startsWith(key + '/')) dropped = this.files.delete(k);
    if (dropped) this.changed.fire();
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
   * How a pattern is scored now: the active model, the threshold and the preprocessing settings,
   * looked up once for a batch of files. Without a usable model, every pattern gets the reason.
   */
  private async scoring(): Promise<{ scored: boolean; score: (measured: MeasuredPattern[]) => Pick<FileScore, 'score' | 'error'>[] }> {
    const current = this.models.current;
    const every = (outcome: Pick<FileScore, 'score' | 'error'>) => (measured: MeasuredPattern[]) => measured.map(() => ({ ...outcome }));
    if (current?.manifest.kind === 'cvae') return { scored: false, score: every({ error: `${current.name} is a conditional model: it needs a composition for each pattern` }) };
    let engine: Awaited<ReturnType<ModelService['scorer']>>;
    try {
      engine = await this.models.scorer();
    } catch (e) {
      return { scored: false, score: every({ error: `the model could not be loaded: ${(e as Error).message}` }) };
    }
    if (!engine) return { scored: false, score: every({}) };
    const scorer = engine.scorer;
    const threshold = vscode.workspace.getConfiguration('latentXrd').get<number>('noveltyPValueThreshold', 0.01);
    const preprocessing = preprocessOptions();
    return {
      scored: true,
      score: (measured) => {
        try {
          return scorer.scoreManyMeasured(measured, preprocessing, BATCH).map(({ score, error }) => (score ? { score: { ...score, verdict: score.pValue < threshold ? 'novel' : 'known' } } : { error }));
        } catch (e) {
          // The model itself failed on the batch: each file says so, as a file it could not score.
          return every({ error: (e as Error).message })(measured);
        }
      },
    };
  }

  /**
   * Reads and scores `uris` into the list, a batch at a time, letting the host run between
   * batches. Returns false, having stopped without writing, once a newer scan has started
   * (`generation` is no longer the current one).
   */
  private async scoreFiles(uris: vscode.Uri[], generation: number): Promise<boolean> {
    if (uris.length === 0) return true;
    const started = Date.now();
    const { scored, score } = await this.scoring();
    const run = async (report: (done: number) => void): Promise<boolean> => {
      let shown = Date.now();
      for (let start = 0; start < uris.length; start += BATCH) {
        const read = await readFiles(uris.slice(start, start + BATCH));
        if (generation !== this.generation) return false;
        const readable = read.filter((r) => r.measured);
        const scores = score(readable.map((r) => r.measured!));
        readable.forEach((r, i) => Object.assign(r.entry, scores[i]));
        for (const r of read) {
          if (r.gone) this.files.delete(r.entry.uri.toString());
          else this.files.set(r.entry.uri.toString(), r.entry);
        }
        report(start + read.length);
        // A long scan fills the ranking in as it goes, refreshed about once a second.
        if (Date.now() - shown > 1000) {
          this.changed.fire();
          shown = Date.now();
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      return true;
    };
    const finished =
      uris.length > PROGRESS_ABOVE
        ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Latent XRD: scoring pattern files' }, (progress) =>
            run((done) => progress.report({ message: `${done} of ${uris.length}` })),
          )
        : await run(() => {});
    if (finished && scored) log(`scored ${uris.length} pattern file(s) in ${Date.now() - started} ms`);
    return finished;
  }

  /**
   * Scores a pattern a watched measurement folder has read (it decided the file is complete) and
   * adds it to the list as the newest; the ranking and the map update.
   */
  async recordMeasured(uri: vscode.Uri, measured: MeasuredPattern): Promise<FileScore> {
    this.external.set(uri.toString(), uri);
    const entry: FileScore = { uri, name: basename(uri.fsPath), scoredAt: Date.now(), ...(await this.scoring()).score([measured])[0] };
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
    this.deletions?.dispose();
    this.changed.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/**
 * Reads and parses files, at most READS_IN_FLIGHT at a time. A file that cannot be read or
 * parsed keeps its error; one gone before it was read is marked `gone` (its delete event may
 * already have come, and it should not come back as unreadable).
 */
async function readFiles(uris: vscode.Uri[]): Promise<{ entry: FileScore; measured?: MeasuredPattern; gone?: boolean }[]> {
  const out = uris.map((uri) => ({ entry: { uri, name: basename(uri.fsPath), scoredAt: Date.now() } as FileScore, measured: undefined as MeasuredPattern | undefined, gone: false }));
  let next = 0;
  const reader = async () => {
    while (next < out.length) {
      const item = out[next++];
      try {
        item.measured = readPattern(await vscode.workspace.fs.readFile(item.entry.uri), item.entry.name);
      } catch (e) {
        if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') item.gone = true;
        else item.entry.error = (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, out.length) }, reader));
  return out;
}
