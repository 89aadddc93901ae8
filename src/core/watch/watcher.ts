// Scores pattern files as an instrument writes them into a folder. Used by `latent-xrd watch`
// and (through its injected scorer) by the extension's "Watch folder" command, so no vscode here.
//
// A file goes: event or scan → debounce → stat until size and mtime hold still for `settleMs`
// → read (re-checking the version around the read) → parse → score → reported. Each version
// (path + size + mtime + inode) is reported once: scored, or — if it stays unparseable for
// another settle interval — failed with the parser's located message.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { isPatternFile, readPattern, type MeasuredPattern } from '../formats';
import { UserError, type Diagnostic } from '../diagnostics';
import { sameVersion, versionOf, type FileVersion } from './file-version';
import { listPatternFiles } from './list-files';

export interface WatchedFile {
  /** Absolute path. */
  path: string;
  /** What messages call it (default: the path relative to the watched folder, with "/"). */
  name: string;
  version: FileVersion;
}

export interface ScoreRequest {
  measured: MeasuredPattern;
  file: WatchedFile;
}

export interface MeasurementWatcherOptions<R> {
  directory: string;
  /** Scores one pattern; a thrown error is reported as that file's failure. */
  score: (measured: MeasuredPattern, file: WatchedFile) => R | Promise<R>;
  /** Scores several at once when a backlog builds up (results in the same order). Optional. */
  scoreBatch?: (requests: ScoreRequest[]) => R[] | Promise<R[]>;
  /** Also watch subfolders. */
  recursive?: boolean;
  /** Score the pattern files already in the folder at start (else only new and changed ones). */
  includeExisting?: boolean;
  /** Quiet time after a file event before the file is looked at. */
  debounceMs?: number;
  /** How long size and mtime must hold still before a file is read. */
  settleMs?: number;
  /** Period of the full rescan that catches events fs.watch dropped. */
  scanIntervalMs?: number;
  /** Most patterns handed to scoreBatch at once. */
  maxBatch?: number;
  displayName?: (path: string) => string;
}

export interface ScoredFile<R> {
  file: WatchedFile;
  result: R;
  /** Epoch milliseconds (sub-millisecond resolution) when the score was ready. */
  scoredAt: number;
}

export interface FileFailure {
  file: WatchedFile;
  /** Located where the reader can: `name:line:column: message`. */
  message: string;
  diagnostics: Diagnostic[];
  stage: 'read' | 'score';
  at: number;
}

export interface RemovedFile {
  path: string;
  name: string;
  at: number;
}

export interface MeasurementWatcherEvents<R> {
  scored: [ScoredFile<R>];
  failed: [FileFailure];
  removed: [RemovedFile];
  /** A version failed to parse the first time; it is read again after a settle interval (likely still being written). */
  retrying: [FileFailure];
  /** Nothing waiting to settle, queued or being scored. */
  idle: [];
  /** The folder itself is in trouble (fs.watch failed, folder deleted); the scan keeps trying. */
  watchError: [Error];
}

export const WATCH_DEFAULTS = { debounceMs: 50, settleMs: 250, scanIntervalMs: 2000, maxBatch: 64 } as const;

/** What the watcher knows about one path. */
interface Tracked {
  timer?: NodeJS.Timeout;
  /** The last stat, and since when (performance.now()) it has not changed. */
  observed?: FileVersion;
  observedSince: number;
  /** The version last reported (or, for files present at start, left alone). */
  handled?: FileVersion;
  /** A version that failed to parse once; reported if it is still the same next time. */
  failedOnce?: FileVersion;
  inFlight?: FileVersion;
  /** Something was reported for this path, so its removal is news. */
  reported: boolean;
}

type ReadOutcome = { kind: 'read'; measured: MeasuredPattern } | { kind: 'changed' } | { kind: 'gone' } | { kind: 'failed'; message: string; diagnostics: Diagnostic[] };

const now = () => performance.timeOrigin + performance.now();

export class MeasurementWatcher<R = unknown> extends EventEmitter<MeasurementWatcherEvents<R>> {
  readonly directory: string;
  private readonly options: Required<Pick<MeasurementWatcherOptions<R>, 'debounceMs' | 'settleMs' | 'scanIntervalMs' | 'maxBatch' | 'recursive' | 'includeExisting'>>;
  private readonly tracked = new Map<string, Tracked>();
  /** Stable versions waiting to be read and scored, oldest first. */
  private readonly queue = new Map<string, FileVersion>();
  private fsWatcher?: FSWatcher;
  private scanTimer?: NodeJS.Timeout;
  private scanSoon?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private rescanRequested = false;
  private pumping?: Promise<void>;
  private started = false;
  private idleAnnounced = false;
  private stopped = false;
  /** Events that arrive while the start-up listing runs; handled once it is done. */
  private earlyEvents?: Set<string>;

  constructor(private readonly config: MeasurementWatcherOptions<R>) {
    super();
    this.directory = resolve(config.directory);
    this.options = {
      debounceMs: config.debounceMs ?? WATCH_DEFAULTS.debounceMs,
      settleMs: config.settleMs ?? WATCH_DEFAULTS.settleMs,
      scanIntervalMs: config.scanIntervalMs ?? WATCH_DEFAULTS.scanIntervalMs,
      maxBatch: config.maxBatch ?? WATCH_DEFAULTS.maxBatch,
      recursive: config.recursive ?? false,
      includeExisting: config.includeExisting ?? false,
    };
  }

  /** Resolves once the folder is watched and its present files are known (scheduled, with includeExisting). */
  async start(): Promise<void> {
    if (this.started) throw new Error('MeasurementWatcher.start: already started');
    this.started = true;
    try {
      if (!(await stat(this.directory)).isDirectory()) throw new UserError(`${this.config.directory}: not a folder`);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${this.config.directory}: no such folder`);
    }
    // Watch before listing, so nothing written during the listing is missed.
    this.earlyEvents = new Set();
    this.fsWatcher = watch(this.directory, { recursive: this.options.recursive, persistent: true }, (_event, fileName) => this.onFsEvent(fileName));
    this.fsWatcher.on('error', (e) => this.emit('watchError', e));
    const present = await listPatternFiles(this.directory, this.options.recursive);
    if (this.stopped) return;
    for (const [path, version] of present) {
      if (this.options.includeExisting) this.touch(path, 0);
      else this.tracked.set(path, { handled: version, observedSince: 0, reported: false });
    }
    const early = this.earlyEvents;
    this.earlyEvents = undefined;
    for (const path of early) this.touch(path, this.options.debounceMs);
    this.scanTimer = setInterval(() => void this.scan(), this.options.scanIntervalMs);
    this.scanTimer.unref?.();
    this.emitIdleIfIdle();
  }

  /** Stops watching; resolves when the pattern being scored (if any) has been reported. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.fsWatcher?.close();
    if (this.scanTimer) clearInterval(this.scanTimer);
    if (this.scanSoon) clearTimeout(this.scanSoon);
    for (const t of this.tracked.values()) if (t.timer) clearTimeout(t.timer);
    this.queue.clear();
    await this.pumping;
    await this.scanning;
  }

  /** For VS Code's Disposable: stop without waiting. */
  dispose(): void {
    void this.stop();
  }

  /** Nothing waiting to settle, queued or being scored. */
  isIdle(): boolean {
    if (this.queue.size > 0 || this.pumping || this.earlyEvents) return false;
    for (const t of this.tracked.values()) if (t.timer) return false;
    return true;
  }

  private onFsEvent(fileName: string | Buffer | null): void {
    if (this.stopped) return;
    // Some platforms give no name (or the watched folder itself): look at everything.
    if (!fileName) return this.requestScan();
    const path = resolve(this.directory, fileName.toString());
    if (!isPatternFile(basename(path))) {
      // Could be a new subfolder whose files' own events were never seen.
      if (this.options.recursive) this.requestScan();
      return;
    }
    if (this.earlyEvents) this.earlyEvents.add(path);
    else this.touch(path, this.options.debounceMs);
  }

  /** (Re)schedules a look at `path`; repeated events within the debounce make one look. */
  private touch(path: string, delayMs: number): void {
    if (this.stopped) return;
    this.idleAnnounced = false;
    let t = this.tracked.get(path);
    if (!t) this.tracked.set(path, (t = { observedSince: 0, reported: false }));
    if (t.timer) clearTimeout(t.timer);
    const tracked = t;
    tracked.timer = setTimeout(() => {
      tracked.timer = undefined;
      void this.check(path);
    }, delayMs);
  }

  private async check(path: string): Promise<void> {
    if (this.stopped) return;
    const t = this.tracked.get(path);
    if (!t) return;
    let version: FileVersion;
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return this.forget(path);
      version = versionOf(stats);
    } catch {
      return this.vanished(path);
    }
    // A newer event rescheduled this path, or it vanished and came back while we looked.
    if (this.stopped || t.timer || this.tracked.get(path) !== t) return;
    if (sameVersion(version, t.handled) || sameVersion(version, t.inFlight) || sameVersion(version, this.queue.get(path))) {
      t.observed = undefined;
      return this.emitIdleIfIdle();
    }
    const clock = performance.now();
    if (!sameVersion(version, t.observed)) {
      t.observed = version;
      t.observedSince = clock;
    }
    // Unchanged for settleMs, by our own observations or by its mtime (a file found by the
    // scan or at start has usually been still for much longer than we have watched it).
    const stillFor = Math.max(clock - t.observedSince, Date.now() - version.mtimeMs);
    if (stillFor >= this.options.settleMs) {
      this.queue.set(path, version);
      void this.pump();
    } else {
      this.touch(path, this.options.settleMs - stillFor);
    }
  }

  private vanished(path: string): void {
    const t = this.tracked.get(path);
    if (t?.timer) clearTimeout(t.timer);
    this.queue.delete(path);
    this.tracked.delete(path);
    if (t?.reported) this.emit('removed', { path, name: this.nameOf(path), at: now() });
    this.emitIdleIfIdle();
  }

  private forget(path: string): void {
    this.queue.delete(path);
    this.tracked.delete(path);
    this.emitIdleIfIdle();
  }

  private requestScan(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescanRequested = true;
      return;
    }
    // A burst of events asks once.
    if (this.scanSoon) return;
    this.scanSoon = setTimeout(() => {
      this.scanSoon = undefined;
      void this.scan();
    }, this.options.debounceMs);
  }

  /** Finds what fs.watch did not say: new or changed files, and deleted ones. */
  private scan(): Promise<void> {
    if (this.stopped || this.earlyEvents) return Promise.resolve();
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      do {
        this.rescanRequested = false;
        const present = await listPatternFiles(this.directory, this.options.recursive);
        if (this.stopped) return;
        for (const [path, version] of present) {
          const t = this.tracked.get(path);
          if (!t) this.touch(path, 0);
          else if (!t.timer && !sameVersion(version, t.handled) && !sameVersion(version, t.inFlight) && !this.queue.has(path)) this.touch(path, 0);
        }
        for (const [path, t] of this.tracked) if (!present.has(path) && !t.timer) this.touch(path, 0);
      } while (this.rescanRequested && !this.stopped);
    })().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /** Reads and scores the queue one pattern — or, with scoreBatch and a backlog, one batch — at a time. */
  private pump(): Promise<void> {
    if (this.pumping) return this.pumping;
    this.pumping = (async () => {
      while (this.queue.size > 0 && !this.stopped) {
        const size = this.config.scoreBatch ? this.options.maxBatch : 1;
        const batch: { path: string; version: FileVersion }[] = [];
        for (const [path, version] of this.queue) {
          batch.push({ path, version });
          if (batch.length >= size) break;
        }
        for (const { path, version } of batch) {
          this.queue.delete(path);
          const t = this.tracked.get(path);
          if (t) t.inFlight = version;
        }
        // The batch's files are opened and read at once: each read is several trips to the
        // file system, and one after another they left the process idle most of the time.
        const outcomes = await Promise.all(batch.map(({ path, version }) => this.read(path, version)));
        const readable: ScoreRequest[] = [];
        batch.forEach(({ path, version }, i) => {
          const outcome = outcomes[i];
          if (outcome.kind === 'read') readable.push({ measured: outcome.measured, file: this.fileOf(path, version) });
          else this.afterUnreadable(path, version, outcome);
        });
        if (readable.length && !this.stopped) await this.scoreAll(readable);
      }
    })().finally(() => {
      this.pumping = undefined;
      this.emitIdleIfIdle();
    });
    return this.pumping;
  }

  /** The whole file, provided it is still the version that settled (else it is being written). */
  private async read(path: string, version: FileVersion): Promise<ReadOutcome> {
    let bytes: Uint8Array;
    try {
      const handle = await open(path, 'r');
      try {
        bytes = await handle.readFile();
        // Any write since the file settled (before or during the read) shows in this stat.
        if (bytes.length !== version.size || !sameVersion(versionOf(await handle.stat()), version)) return { kind: 'changed' };
      } finally {
        await handle.close();
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
      return { kind: 'failed', message: `${this.nameOf(path)}: cannot be read (${(e as Error).message})`, diagnostics: [] };
    }
    try {
      return { kind: 'read', measured: readPattern(bytes, this.nameOf(path)) };
    } catch (e) {
      if (e instanceof UserError) return { kind: 'failed', message: e.message, diagnostics: e.diagnostics };
      return { kind: 'failed', message: `${this.nameOf(path)}: could not be read (${(e as Error).message})`, diagnostics: [] };
    }
  }

  private afterUnreadable(path: string, version: FileVersion, outcome: Exclude<ReadOutcome, { kind: 'read' }>): void {
    const t = this.tracked.get(path);
    if (!t) return;
    t.inFlight = undefined;
    if (outcome.kind === 'gone') return this.vanished(path);
    if (outcome.kind === 'changed') return this.touch(path, this.options.debounceMs);
    // A parse error in a file still being written (half a line) is not news: look again after
    // another settle interval, and report only if it is still this version then.
    if (!sameVersion(t.failedOnce, version)) {
      t.failedOnce = version;
      t.observed = undefined;
      this.touch(path, this.options.settleMs);
      this.emit('retrying', { file: this.fileOf(path, version), message: outcome.message, diagnostics: outcome.diagnostics, stage: 'read', at: now() });
      return;
    }
    t.failedOnce = undefined;
    this.markReported(path, version);
    this.emit('failed', { file: this.fileOf(path, version), message: outcome.message, diagnostics: outcome.diagnostics, stage: 'read', at: now() });
  }

  private async scoreAll(requests: ScoreRequest[]): Promise<void> {
    let results: R[] | undefined;
    if (requests.length > 1 && this.config.scoreBatch) {
      try {
        results = await this.config.scoreBatch(requests);
      } catch {
        results = undefined; // score one by one, so the failure lands on the file that caused it
      }
    }
    for (let i = 0; i < requests.length; i++) {
      const { measured, file } = requests[i];
      let result: R;
      try {
        result = results ? results[i] : await this.config.score(measured, file);
      } catch (e) {
        this.markReported(file.path, file.version);
        const diagnostics = e instanceof UserError ? e.diagnostics : [];
        this.emit('failed', { file, message: `${file.name}: ${(e as Error).message}`, diagnostics, stage: 'score', at: now() });
        continue;
      }
      this.markReported(file.path, file.version);
      this.emit('scored', { file, result, scoredAt: now() });
    }
  }

  private markReported(path: string, version: FileVersion): void {
    const t = this.tracked.get(path);
    if (!t) return;
    t.inFlight = undefined;
    t.handled = version;
    t.reported = true;
    t.observed = undefined;
  }

  /** Announces each change from busy to idle once. */
  private emitIdleIfIdle(): void {
    if (this.started && !this.stopped && !this.idleAnnounced && this.isIdle()) {
      this.idleAnnounced = true;
      this.emit('idle');
    }
  }

  private fileOf(path: string, version: FileVersion): WatchedFile {
    return { path, name: this.nameOf(path), version };
  }

  private nameOf(path: string): string {
    if (this.config.displayName) return this.config.displayName(path);
    return relative(this.directory, path).split(sep).join('/');
  }
}
