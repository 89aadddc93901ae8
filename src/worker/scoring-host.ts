// The host side of the scoring worker (src/worker/scoring-worker.ts): its calls through the one
// RPC (worker-rpc.ts), one request at a time, and a clock on every step the worker announces. A step that
// runs past its time limit, or a worker that dies, costs only the file it was working on: the
// worker is stopped, that file gets an error saying why, and the rest of the request is sent
// again to a fresh worker. Used by the extension host and by `latent-xrd watch`; no vscode here.
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/diagnostics';
import {
  MODEL_LOAD_LIMIT_SECONDS,
  SCORING_BATCH,
  SCORING_TIME_LIMIT_SECONDS,
  type ItemResult,
  type PatternSource,
  type ScoringCall,
  type ScoringCalls,
  type ScoringMethods,
  type ScoringProgress,
  type ScoringSettings,
  type StepScope,
} from '../protocol/scoring';
import { workerScript } from './host';
import { WorkerChannel } from './worker-rpc';

export interface ScoringWorkerOptions {
  /** Seconds one file (or one batch of SCORING_BATCH patterns) may take; asked at each step, so a setting can change it. */
  timeLimitSeconds?: () => number;
  /** Seconds loading TensorFlow.js and the model may take. */
  loadLimitSeconds?: () => number;
  /** A model was loaded (its backend, for the status bar and the model card). */
  onLoaded?: (info: { model: string; backend: string; notes: string[]; ms: number }) => void;
  /** Told when a worker is stopped and replaced, and why. */
  log?: (message: string) => void;
}

/** The heap a scoring worker may use: past it the worker ends (and is replaced), not the process around it. */
const WORKER_HEAP_MB = 2048;

/** How a request ended: its result, or the step during which its worker was stopped and why. */
type Outcome<T> = { result: T } | { stopped: { scope?: StepScope; reason: string } };

interface Job {
  type: ScoringCall;
  params: ScoringMethods[ScoringCall]['params'];
  settle: (outcome: Outcome<unknown>) => void;
  fail: (e: Error) => void;
}

interface Running {
  job: Job;
  /** Steps begun and not ended: what each covers and when the host heard of it. */
  steps: Map<number, { scope: StepScope; since: number }>;
  timer?: NodeJS.Timeout;
  /** Set when the host stopped the worker (a time limit) or it died: the call then ends as stopped, not failed. */
  stopped?: { scope?: StepScope; reason: string };
}

type Body<K extends ScoringCall> = ScoringCalls[K]['request'];
type Result<K extends ScoringCall> = ScoringCalls[K]['result'];

export class ScoringWorker {
  private readonly channel: WorkerChannel<ScoringMethods>;
  private readonly queue: Job[] = [];
  private running: Running | undefined;
  private disposed = false;
  /** Workers stopped (past a time limit, or dead) and replaced: for the log and the tests. */
  restarts = 0;

  constructor(private readonly options: ScoringWorkerOptions = {}) {
    this.channel = new WorkerChannel({
      what: 'scoring',
      start: () => new Worker(workerScript('scoring-worker'), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } }),
      restart: true,
      // Idle, the worker does not keep a process (the CLI, a test run) alive.
      keepAlive: 'while-busy',
      onStopped: (_, why) => this.onDeath(why),
    });
  }

  /** Loads the model now (else it loads with the first request that needs it): its backend, or the reason it cannot load. */
  async load(settings: ScoringSettings): Promise<Result<'load'>> {
    return this.single('load', {}, settings, settings.model?.name ?? 'the model');
  }

  /**
   * Reads (or takes) and scores every item, in batches. Each item gets its score or its error: a
   * file that takes too long or stops the worker is named in its own error, and the others are
   * scored on a fresh worker.
   */
  async score(items: PatternSource[], settings: ScoringSettings, batchSize = SCORING_BATCH): Promise<ItemResult[]> {
    const results: ItemResult[] = new Array(items.length);
    let pending = items.map((_, i) => i);
    let size = batchSize;
    while (pending.length) {
      let outcome: Outcome<ItemResult[]>;
      try {
        outcome = await this.call('score', { items: pending.map((i) => items[i]), batchSize: size }, settings);
      } catch (e) {
        if (this.disposed) throw e;
        // The worker answered with a failure of the whole request (the model call itself threw): each file says so.
        for (const i of pending) results[i] = { error: `${items[i].name}: not scored: ${(e as Error).message}` };
        break;
      }
      if ('result' in outcome) {
        outcome.result.forEach((r, k) => (results[pending[k]] = r));
        break;
      }
      const { scope, reason } = outcome.stopped;
      if (scope?.kind === 'items' && scope.items.length > 1) {
        // Stopped scoring a batch: which pattern of it is to blame shows once each is scored alone.
        size = 1;
        continue;
      }
      if (scope?.kind !== 'items') {
        const error = scope?.kind === 'load' ? `the model could not be loaded: ${reason}` : reason;
        for (const i of pending) results[i] = { error: `${items[i].name}: not scored: ${error}` };
        break;
      }
      const culprit = pending[scope.items[0]];
      results[culprit] = { error: `${items[culprit].name}: not scored: ${reason}` };
      pending = pending.filter((i) => i !== culprit);
    }
    return results;
  }

  /** A pattern's plot payload; a file that cannot be read throws its UserError. */
  plot(source: PatternSource, title: string, settings: ScoringSettings, composition?: Record<string, number>): Promise<Result<'plot'>> {
    return this.single('plot', { source, title, composition }, settings, source.name);
  }

  /** A pattern file's bytes parsed in the worker, under the time limit; a file that cannot be read throws its UserError. */
  parse(bytes: Uint8Array, name: string): Promise<Result<'parse'>> {
    return this.single('parse', { bytes, name }, { preprocessing: {} }, name);
  }

  /** An .xrd collection parsed (in the worker: a large one takes long) and, with a model, scored. */
  collection(text: string, name: string, settings: ScoringSettings): Promise<Result<'collection'>> {
    return this.single('collection', { text, name }, settings, name);
  }

  /** Samples `first` … of a collection of `total` (a slice), each scored or with its error. */
  samples(collection: Body<'samples'>['collection'], first: number, total: number, settings: ScoringSettings): Promise<Result<'samples'>> {
    return this.single('samples', { collection, first, total }, settings, `samples ${first + 1}–${first + collection.samples.length} of ${collection.title ?? 'the collection'}`);
  }

  /** Where patterns on `grid` fall on the latent map (x, y per pattern). */
  mapPoints(grid: Body<'mapPoints'>['grid'], patterns: Float32Array[], settings: ScoringSettings, what: string): Promise<Result<'mapPoints'>> {
    return this.single('mapPoints', { grid, patterns }, settings, what);
  }

  /** The model's part of the latent map: its reference points (at most `maxPoints`) and KNN regions. */
  map(maxPoints: number, settings: ScoringSettings): Promise<Result<'map'>> {
    return this.single('map', { maxPoints }, settings, `the latent map of ${settings.model?.name ?? 'the model'}`);
  }

  dispose(): void {
    this.disposed = true;
    const stopped = new Error('the scoring worker was stopped');
    for (const job of this.queue.splice(0)) job.fail(stopped);
    const running = this.running;
    this.running = undefined;
    if (running) {
      clearTimeout(running.timer);
      running.job.fail(stopped);
    }
    void this.channel.dispose();
  }

  /** A request about one thing: a stopped worker becomes a UserError naming `what` and why. */
  private async single<K extends ScoringCall>(type: K, body: Body<K>, settings: ScoringSettings, what: string): Promise<Result<K>> {
    const outcome = await this.call(type, body, settings);
    if ('result' in outcome) return outcome.result;
    const { scope, reason } = outcome.stopped;
    throw new UserError(scope?.kind === 'load' ? `the model could not be loaded: ${reason}` : `${what}: ${reason}`);
  }

  private call<K extends ScoringCall>(type: K, body: Body<K>, settings: ScoringSettings): Promise<Outcome<Result<K>>> {
    if (this.disposed) return Promise.reject(new Error('the scoring worker was stopped'));
    return new Promise((settle, fail) => {
      this.queue.push({ type, params: { ...body, settings } as Job['params'], settle: settle as Job['settle'], fail });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    const running: Running = { job, steps: new Map() };
    this.running = running;
    this.channel.call(job.type, job.params as never, { onProgress: (p) => this.onProgress(running, p) }).then(
      (result) => this.finish(running, (j) => j.settle({ result })),
      (e: Error) => this.finish(running, (j) => (running.stopped ? j.settle({ stopped: running.stopped }) : j.fail(e))),
    );
  }

  private onProgress(running: Running, p: ScoringProgress): void {
    if (p.type === 'loaded') return this.options.onLoaded?.({ model: p.model, backend: p.backend, notes: p.notes, ms: p.ms });
    if (this.running !== running) return;
    if (p.type === 'begin') running.steps.set(p.step, { scope: p.scope, since: Date.now() });
    else running.steps.delete(p.step);
    this.arm(running);
  }

  /** Seconds a step may take: the load limit, or one time limit per SCORING_BATCH patterns. */
  private limitSeconds(scope: StepScope): number {
    // A setting of 0, a negative number or nothing usable would stop every file at once: the default instead.
    const usable = (seconds: number | undefined, fallback: number) => (seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : fallback);
    if (scope.kind === 'load') return usable(this.options.loadLimitSeconds?.(), MODEL_LOAD_LIMIT_SECONDS);
    return usable(this.options.timeLimitSeconds?.(), SCORING_TIME_LIMIT_SECONDS) * Math.max(1, Math.ceil(scope.patterns / SCORING_BATCH));
  }

  /** Sets the timer for the first deadline among the open steps. */
  private arm(running: Running): void {
    clearTimeout(running.timer);
    running.timer = undefined;
    let first: { scope: StepScope; deadline: number } | undefined;
    for (const { scope, since } of running.steps.values()) {
      const deadline = since + this.limitSeconds(scope) * 1000;
      if (!first || deadline < first.deadline) first = { scope, deadline };
    }
    if (!first) return;
    const { scope, deadline } = first;
    running.timer = setTimeout(() => {
      if (this.running !== running) return;
      const seconds = this.limitSeconds(scope);
      const what = scope.kind === 'load' ? 'loading it' : 'reading and scoring it';
      this.stop(running, { scope, reason: `${what} took longer than the time limit of ${seconds} s, so it was stopped` });
    }, Math.max(0, deadline - Date.now()));
  }

  private onDeath(detail: string): void {
    const running = this.running;
    if (!running || running.stopped) return;
    // The step it died in is the one begun last and not ended (the worker works on one at a time
    // but for reads, which do not block it).
    const open = [...running.steps.entries()].sort((a, b) => b[0] - a[0])[0]?.[1];
    this.stop(running, { scope: open?.scope, reason: `the scoring worker stopped while working on it (${detail})` });
  }

  /** Ends the running call as stopped (its worker is stopped, if it has not died) and counts the restart. */
  private stop(running: Running, stopped: { scope?: StepScope; reason: string }): void {
    running.stopped = stopped;
    clearTimeout(running.timer);
    this.restarts++;
    this.options.log?.(`scoring worker stopped and replaced: ${stopped.reason}`);
    void this.channel.stop(new Error(stopped.reason));
  }

  private finish(running: Running, settle: (job: Job) => void): void {
    clearTimeout(running.timer);
    if (this.running !== running) return;
    this.running = undefined;
    settle(running.job);
    this.pump();
  }
}
