// Scores pattern files as an instrument writes them into a folder. Used by `latent-xrd watch`
// and (through its injected scorer) by the extension's "Watch folder" command, so no vscode here.
//
// A file goes: event or scan → debounce → stat until size and mtime hold still for `settleMs`
// → read (re-checking the version around the read) → parse → does it end where its format ends
// (file-ending.ts)? → score → reported. A file that looks unfinished — no final line break, no
// closing element or end marker, or unparseable and opaque — is read again once it has been
// still for `unfinishedMs`, and only then scored (with a note) or reported. Each version (path +
// size + mtime + inode) is reported once: scored, or failed with the parser's located message.
//
// Only files inside the folder are read: a path whose real location is outside it (a symbolic
// link out) is skipped with a note, and linked subfolders are not entered. No file can hold up
// the others: a score that does not come back within `scoreTimeoutMs` is reported as failed and
// the queue goes on, and stop() never waits for one.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { isPatternFile, readPattern, type MeasuredPattern } from '../formats';
import { MAX_PATTERN_BYTES, tooManyBytes } from '../formats/limits';
import { UserError, type Diagnostic } from '../diagnostics';
import { sameVersion, versionOf, type FileVersion } from './file-version';
import { fileEnding, type FileEnding } from './file-ending';
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
  /**
   * Parses a settled file's bytes (default: readPattern on this thread). The extension and
   * `latent-xrd watch` parse in their scoring worker, so a file no reader should take long on
   * cannot hold up the thread that answers the user; a thrown UserError is the file's failure.
   */
  parse?: (bytes: Uint8Array, name: string) => MeasuredPattern | Promise<MeasuredPattern>;
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
  /** How long a file that looks unfinished (see file-ending.ts) must hold still before it is scored or reported anyway. */
  unfinishedMs?: number;
  /** A score (or batch) not back after this long is reported as failed, and the next files go on. */
  scoreTimeoutMs?: number;
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
  /** Set when the file was scored although it looked unfinished (it had been still for unfinishedMs). */
  note?: string;
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

/** A path the watcher will not read: a link out of the folder, a linked subfolder. Said once per path. */
export interface SkippedPath {
  path: string;
  name: string;
  reason: string;
  at: number;
}

export interface MeasurementWatcherEvents<R> {
  scored: [ScoredFile<R>];
  failed: [FileFailure];
  removed: [RemovedFile];
  skipped: [SkippedPath];
  /**
   * A version is not taken yet: it failed to parse, or it looks unfinished (the message says why);
   * it is read again later (likely still being written). Once per version.
   */
  retrying: [FileFailure];
  /** Nothing waiting to settle, queued or being scored. */
  idle: [];
  /** The folder itself is in trouble (fs.watch failed, folder deleted; or a listener threw); the watcher goes on. */
  watchError: [Error];
}

/** The longest wait a timer can hold (setTimeout's 32-bit limit; beyond it Node fires after 1 ms, which made a 1 ms polling loop). */
export const LONGEST_WAIT_MS = 2 ** 31 - 1;

export const WATCH_DEFAULTS = { debounceMs: 50, settleMs: 250, unfinishedMs: 5000, scanIntervalMs: 2000, maxBatch: 64, scoreTimeoutMs: 60_000 } as const;

/** What the watcher knows about one path. */
interface Tracked {
  timer?: NodeJS.Timeout;
  /** The last stat, and since when (performance.now()) it has not changed. */
  observed?: FileVersion;
  observedSince: number;
  /** When (performance.now()) the version queued last changed, by our watch or its mtime. */
  quietSince?: number;
  /** The version announced (by 'retrying') as not taken yet. */
  waiting?: FileVersion;
  /** The version last reported (or, for files present at start, left alone). */
  handled?: FileVersion;
  /** A version that failed to parse once; reported if it is still the same next time. */
  failedOnce?: FileVersion;
  inFlight?: FileVersion;
  /** Something was reported for this path, so its removal is news. */
  reported: boolean;
}

type ReadOutcome =
  | { kind: 'read'; measured: MeasuredPattern; ending: FileEnding }
  | { kind: 'changed' }
  | { kind: 'gone' }
  /** `ending` is absent when the file could not even be read (permissions, I/O). */
  | { kind: 'failed'; message: string; diagnostics: Diagnostic[]; ending?: FileEnding };

type Bounded<T> = { kind: 'done'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'stopped' };

const now = () => performance.timeOrigin + performance.now();

export class MeasurementWatcher<R = unknown> extends EventEmitter<MeasurementWatcherEvents<R>> {
  readonly directory: string;
  /** The folder's real path (links resolved): what "inside the folder" is measured against. */
  private realDirectory = '';
  private readonly options: Required<
    Pick<MeasurementWatcherOptions<R>, 'debounceMs' | 'settleMs' | 'unfinishedMs' | 'scanIntervalMs' | 'maxBatch' | 'scoreTimeoutMs' | 'recursive' | 'includeExisting'>
  >;
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
  /** Paths already said to be skipped. */
  private readonly noted = new Set<string>();
  /** Resolves when stop() is called: whatever is being awaited then is abandoned. */
  private readonly stopping: Promise<{ kind: 'stopped' }>;
  private signalStop = () => {};

  constructor(private readonly config: MeasurementWatcherOptions<R>) {
    super();
    this.directory = resolve(config.directory);
    const settleMs = timerWait(config.settleMs ?? WATCH_DEFAULTS.settleMs);
    this.options = {
      debounceMs: timerWait(config.debounceMs ?? WATCH_DEFAULTS.debounceMs),
      settleMs,
      unfinishedMs: Math.max(settleMs, timerWait(config.unfinishedMs ?? WATCH_DEFAULTS.unfinishedMs)),
      scanIntervalMs: Math.max(1, timerWait(config.scanIntervalMs ?? WATCH_DEFAULTS.scanIntervalMs)),
      maxBatch: Math.max(1, Math.floor(config.maxBatch ?? WATCH_DEFAULTS.maxBatch) || 1),
      scoreTimeoutMs: timerWait(config.scoreTimeoutMs ?? WATCH_DEFAULTS.scoreTimeoutMs),
      recursive: config.recursive ?? false,
      includeExisting: config.includeExisting ?? false,
    };
    this.stopping = new Promise((done) => (this.signalStop = () => done({ kind: 'stopped' })));
  }

  /** Resolves once the folder is watched and its present files are known (scheduled, with includeExisting). */
  async start(): Promise<void> {
    if (this.started) throw new Error('MeasurementWatcher.start: already started');
    this.started = true;
    try {
      if (!(await stat(this.directory)).isDirectory()) throw new UserError(`${this.config.directory}: not a folder`);
      this.realDirectory = await realpath(this.directory);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${this.config.directory}: no such folder`);
    }
    // Watch before listing, so nothing written during the listing is missed.
    this.earlyEvents = new Set();
    this.fsWatcher = watch(this.directory, { recursive: this.options.recursive, persistent: true }, (_event, fileName) => this.onFsEvent(fileName));
    this.fsWatcher.on('error', (e) => this.tell('watchError', e));
    const { files: present, linkedFolders } = await listPatternFiles(this.directory, this.options.recursive);
    if (this.stopped) return;
    this.noteLinkedFolders(linkedFolders);
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

  /** Stops watching; a score still running is abandoned (never reported), so this never waits on a scorer. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.signalStop();
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
    }, timerWait(delayMs));
  }

  private async check(path: string): Promise<void> {
    if (this.stopped) return;
    const t = this.tracked.get(path);
    if (!t) return;
    let version: FileVersion;
    let real: string;
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return this.forget(path);
      version = versionOf(stats);
      real = await realpath(path);
    } catch {
      return this.vanished(path);
    }
    // A newer event rescheduled this path, or it vanished and came back while we looked.
    if (this.stopped || t.timer || this.tracked.get(path) !== t) return;
    if (sameVersion(version, t.handled) || sameVersion(version, t.inFlight) || sameVersion(version, this.queue.get(path))) {
      t.observed = undefined;
      return this.emitIdleIfIdle();
    }
    if (!this.isInside(real)) {
      // Never read, whatever it becomes: read() re-checks the inode, so a link turned outward
      // after this look is a changed version and comes back here.
      t.handled = version;
      t.observed = undefined;
      this.note(path, 'a symbolic link to a file outside the watched folder; not read');
      return this.emitIdleIfIdle();
    }
    const clock = performance.now();
    if (!sameVersion(version, t.observed)) {
      t.observed = version;
      t.observedSince = clock;
    }
    // Unchanged for settleMs, by our own observations or by its mtime (a file found by the
    // scan or at start has usually been still for much longer than we have watched it). A
    // non-finite mtime counts as "just now", so the wait below is always a number.
    const sinceModified = Date.now() - version.mtimeMs;
    const stillFor = Math.max(clock - t.observedSince, Number.isFinite(sinceModified) ? sinceModified : 0);
    if (stillFor >= this.options.settleMs) {
      t.quietSince = clock - stillFor;
      this.queue.set(path, version);
      void this.pump();
    } else {
      this.touch(path, this.options.settleMs - stillFor);
    }
  }

  private isInside(real: string): boolean {
    const below = relative(this.realDirectory, real);
    return below !== '' && below !== '..' && !below.startsWith('..' + sep) && !isAbsolute(below);
  }

  /** Says once per path why it is not read. */
  private note(path: string, reason: string): void {
    if (this.noted.has(path)) return;
    this.noted.add(path);
    this.tell('skipped', { path, name: this.nameOf(path), reason, at: now() });
  }

  private noteLinkedFolders(folders: string[]): void {
    for (const folder of folders) this.note(folder, 'a symbolic link to a folder; linked folders are not watched');
  }

  private vanished(path: string): void {
    const t = this.tracked.get(path);
    if (t?.timer) clearTimeout(t.timer);
    this.queue.delete(path);
    this.tracked.delete(path);
    this.noted.delete(path);
    if (t?.reported) this.tell('removed', { path, name: this.nameOf(path), at: now() });
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
    this.rescanRequested = false;
    this.scanning = (async () => {
      const { files: present, linkedFolders } = await listPatternFiles(this.directory, this.options.recursive);
      if (this.stopped) return;
      this.noteLinkedFolders(linkedFolders);
      for (const [path, version] of present) {
        const t = this.tracked.get(path);
        if (!t) this.touch(path, 0);
        else if (!t.timer && !sameVersion(version, t.handled) && !sameVersion(version, t.inFlight) && !this.queue.has(path)) this.touch(path, 0);
      }
      for (const [path, t] of this.tracked) if (!present.has(path) && !t.timer) this.touch(path, 0);
    })()
      .catch((e: unknown) => this.tell('watchError', asError(e)))
      .finally(() => {
        this.scanning = undefined;
        // Events during the scan ask for another, debounced like any other request: a folder
        // whose events never stop is rescanned at most once a debounce, not back to back.
        if (this.rescanRequested) this.requestScan();
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
        if (this.stopped) return;
        const ready: { request: ScoreRequest; note?: string }[] = [];
        batch.forEach(({ path, version }, i) => {
          const taken = this.afterRead(path, version, outcomes[i]);
          if (taken) ready.push(taken);
        });
        if (ready.length) await this.scoreAll(ready);
      }
    })()
      .catch((e: unknown) => this.tell('watchError', asError(e)))
      .finally(() => {
        this.pumping = undefined;
        this.emitIdleIfIdle();
        // Whatever arrived while the last batch finished (or after a failure) is not left waiting.
        if (this.queue.size > 0 && !this.stopped) void this.pump();
      });
    return this.pumping;
  }

  /** The whole file, provided it is still the version that settled (else it is being written). */
  private async read(path: string, version: FileVersion): Promise<ReadOutcome> {
    // The watcher reads only regular files, whose settled size is known: one past what any
    // pattern file holds is refused without reading it.
    if (version.size > MAX_PATTERN_BYTES) return { kind: 'failed', message: `${this.nameOf(path)}: ${tooManyBytes(`${version.size} bytes:`)}`, diagnostics: [] };
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
      const measured = await (this.config.parse ?? readPattern)(bytes, this.nameOf(path));
      return { kind: 'read', measured, ending: fileEnding(bytes, measured.format) };
    } catch (e) {
      const ending = fileEnding(bytes);
      if (e instanceof UserError) return { kind: 'failed', message: e.message, diagnostics: e.diagnostics, ending };
      return { kind: 'failed', message: `${this.nameOf(path)}: could not be read (${asError(e).message})`, diagnostics: [], ending };
    }
  }

  /** Decides what a read leads to: a score request (returned), another look later, or a report. */
  private afterRead(path: string, version: FileVersion, outcome: ReadOutcome): { request: ScoreRequest; note?: string } | undefined {
    const t = this.tracked.get(path);
    if (!t) return undefined;
    if (outcome.kind === 'gone') return void this.vanished(path);
    if (outcome.kind === 'changed') {
      t.inFlight = undefined;
      return void this.touch(path, this.options.debounceMs);
    }
    const quietFor = performance.now() - (t.quietSince ?? performance.now());
    const waitLeft = this.options.unfinishedMs - quietFor;
    const stillSeconds = `${+(this.options.unfinishedMs / 1000).toPrecision(3)} s`;
    if (outcome.kind === 'read') {
      if (outcome.ending.state !== 'unfinished') return { request: { measured: outcome.measured, file: this.fileOf(path, version) } };
      if (waitLeft <= 0) return { request: { measured: outcome.measured, file: this.fileOf(path, version) }, note: `${outcome.ending.reason}; read after ${stillSeconds} without a change` };
      return void this.waitFor(path, version, waitLeft, `${this.nameOf(path)}: looks unfinished (${outcome.ending.reason}); read again once it has been still for ${stillSeconds}`, []);
    }
    // Unparseable. If it ends like a finished file (or could not be read at all), it was most
    // likely written whole and wrong: one more look after a settle interval, then the report.
    // If it looks unfinished, or only the parse could tell, it waits like an unfinished file.
    if (outcome.ending === undefined || outcome.ending.state === 'complete') {
      if (!sameVersion(t.failedOnce, version)) {
        t.failedOnce = version;
        t.observed = undefined;
        return void this.waitFor(path, version, this.options.settleMs, outcome.message, outcome.diagnostics);
      }
    } else if (waitLeft > 0) {
      return void this.waitFor(path, version, waitLeft, outcome.message, outcome.diagnostics);
    }
    t.failedOnce = undefined;
    this.markReported(path, version);
    this.tell('failed', { file: this.fileOf(path, version), message: outcome.message, diagnostics: outcome.diagnostics, stage: 'read', at: now() });
    return undefined;
  }

  /** Looks at `path` again in `delayMs`; the first time for this version, says why. */
  private waitFor(path: string, version: FileVersion, delayMs: number, message: string, diagnostics: Diagnostic[]): void {
    const t = this.tracked.get(path);
    if (!t) return;
    t.inFlight = undefined;
    // A millisecond past the deadline, so the next look is past it rather than a hair short.
    this.touch(path, delayMs + 1);
    if (sameVersion(t.waiting, version)) return;
    t.waiting = version;
    this.tell('retrying', { file: this.fileOf(path, version), message, diagnostics, stage: 'read', at: now() });
  }

  private async scoreAll(ready: { request: ScoreRequest; note?: string }[]): Promise<void> {
    const requests = ready.map((r) => r.request);
    let results: R[] | undefined;
    if (requests.length > 1 && this.config.scoreBatch) {
      const scoreBatch = this.config.scoreBatch;
      const batch = await this.bounded(() => scoreBatch(requests));
      if (batch.kind === 'stopped') return;
      // Anything else than one result per request (an error, no answer in time): one by one, so
      // a failure lands on the file that caused it.
      if (batch.kind === 'done' && Array.isArray(batch.value) && batch.value.length === requests.length) results = batch.value;
    }
    for (let i = 0; i < requests.length; i++) {
      const { measured, file } = requests[i];
      const outcome: Bounded<R> = results ? { kind: 'done', value: results[i] } : await this.bounded(() => this.config.score(measured, file));
      if (outcome.kind === 'stopped') return;
      this.markReported(file.path, file.version);
      if (outcome.kind === 'done') {
        this.tell('scored', { file, result: outcome.value, scoredAt: now(), ...(ready[i].note ? { note: ready[i].note } : {}) });
        continue;
      }
      const message =
        outcome.kind === 'timeout'
          ? `${file.name}: not scored within ${+(this.options.scoreTimeoutMs / 1000).toPrecision(3)} s; given up (the next files go on)`
          : `${file.name}: ${asError(outcome.error).message}`;
      const diagnostics = outcome.kind === 'error' && outcome.error instanceof UserError ? outcome.error.diagnostics : [];
      this.tell('failed', { file, message, diagnostics, stage: 'score', at: now() });
    }
  }

  /**
   * Runs a scorer call, but waits no longer than scoreTimeoutMs, nor past stop(). An abandoned
   * call's late result or rejection is dropped (never an unhandled rejection). A scorer that
   * computes synchronously holds the thread whatever this does: long work belongs in a worker.
   */
  private async bounded<T>(work: () => T | Promise<T>): Promise<Bounded<T>> {
    const settled = Promise.resolve()
      .then(work)
      .then(
        (value): Bounded<T> => ({ kind: 'done', value }),
        (error: unknown): Bounded<T> => ({ kind: 'error', error }),
      );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Bounded<T>>((done) => {
      timer = setTimeout(() => done({ kind: 'timeout' }), this.options.scoreTimeoutMs);
    });
    try {
      return await Promise.race([settled, timeout, this.stopping]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Emits to the listeners; one that throws is reported as a watchError and never stops the watcher. */
  private tell<K extends keyof MeasurementWatcherEvents<R>>(event: K, ...args: MeasurementWatcherEvents<R>[K]): void {
    try {
      (this.emit as (event: K, ...args: MeasurementWatcherEvents<R>[K]) => boolean)(event, ...args);
    } catch (e) {
      if (event === 'watchError') return;
      try {
        this.emit('watchError', asError(e));
      } catch {
        // a watchError listener that throws too: nothing left to tell
      }
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
      this.tell('idle');
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

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A wait a timer can hold: within [0, LONGEST_WAIT_MS]; NaN is no wait. */
function timerWait(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(Math.max(ms, 0), LONGEST_WAIT_MS);
}
