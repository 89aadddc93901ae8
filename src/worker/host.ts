// Starts the workers (training, dataset generation, CIF preview) and turns their messages into promises plus progress
// callbacks. The scoring worker has its own host class (scoring-host.ts): it adds time limits and restarts.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PipelineEvent, TrainRequest, Evaluation } from '../core/model/pipeline';
import type { ModelManifest } from '../core/model/store';
import { CancelledError, UserError } from '../core/diagnostics';
import type { GenerationWorkerInput, GenerationWorkerMessage, TrainingWorkerInput, TrainingWorkerMessage } from '../protocol/training';
import type { DatasetPlan, Progress } from '../core/synth/dataset';
import type { PreviewReply, PreviewRequest } from '../protocol/preview';

/** A bundled worker script, found from wherever the calling bundle lives (out/ or out/test/…). */
export function workerScript(name: 'training-worker' | 'generation-worker' | 'preview-worker' | 'scoring-worker' | 'synth-worker'): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'out', `${name}.js`);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, `${name}.js`))) return join(dir, `${name}.js`);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${name}.js not found: run \`npm run build\``);
    dir = parent;
  }
}

/** What every worker run is: a result, and a cancel that sets the shared flag the worker polls. */
export interface WorkerRun<T> {
  result: Promise<T>;
  /** Stops at the worker's next check (a batch, a chunk); the promise then rejects with CancelledError and nothing is written. */
  cancel(): void;
}

type Finished<T> = { type: 'done'; value: T } | { type: 'cancelled' } | { type: 'failed'; message: string; userError: boolean; stack?: string };

/**
 * Starts a bundled worker with a shared cancel flag and turns its messages into progress calls
 * and one settled promise: `classify` says whether a message is progress or how the run ended.
 */
function runWorker<T, M>(name: 'training-worker' | 'generation-worker', what: string, workerData: object, classify: (m: M) => Finished<T> | undefined): WorkerRun<T> {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(workerScript(name), { workerData: { ...workerData, cancel } });
  const result = new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: M) => {
      const end = classify(m);
      if (!end) return;
      settled = true;
      if (end.type === 'done') resolve(end.value);
      else if (end.type === 'cancelled') reject(new CancelledError(what));
      else reject(end.userError ? new UserError(end.message) : Object.assign(new Error(end.message), { stack: end.stack }));
      void worker.terminate();
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the ${what} worker exited (code ${code}) before finishing`));
    });
  });
  return { result, cancel: () => Atomics.store(cancel, 0, 1) };
}

export type TrainingRun = WorkerRun<{ manifest: ModelManifest; evaluation: Evaluation; backend: string }>;

export function startTraining(request: TrainRequest, onEvent: (e: PipelineEvent) => void): TrainingRun {
  return runWorker('training-worker', 'training', { request } satisfies Omit<TrainingWorkerInput, 'cancel'>, (m: TrainingWorkerMessage) => {
    if (m.type === 'event') return void onEvent(m.event);
    return m.type === 'done' ? { type: 'done', value: { manifest: m.manifest, evaluation: m.evaluation, backend: m.backend } } : m;
  });
}

export type GenerationRun = WorkerRun<{ path: string; patterns: number; seconds: number }>;

/** Generates a planned dataset in a worker (the extension host must not draw 20,000 patterns itself). */
export function startGeneration(plan: DatasetPlan, onProgress: (p: Progress) => void): GenerationRun {
  return runWorker('generation-worker', 'dataset generation', { plan } satisfies Omit<GenerationWorkerInput, 'cancel'>, (m: GenerationWorkerMessage) => {
    if (m.type === 'progress') return void onProgress(m.progress);
    return m.type === 'done' ? { type: 'done', value: { path: m.path, patterns: m.patterns, seconds: m.seconds } } : m;
  });
}

/**
 * How long one CIF preview request may take before its worker is stopped: a MOF or a 27 kB
 * organometallic takes seconds, a structure of a million atom images some more; a CIF that
 * takes longer than this would not be previewed in a useful time anyway.
 */
export const PREVIEW_TIME_LIMIT_SECONDS = 120;

/**
 * A long-lived CIF preview worker: one request at a time per caller, answered in order. A worker
 * that dies (out of memory on a hostile CIF) or takes longer than the time limit (a CIF whose
 * structure never finishes building) fails what it was asked, and the next request starts a
 * fresh one.
 */
export class PreviewWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { answer: (reply: PreviewReply) => void; fail: (e: Error) => void }>();
  private nextId = 1;

  constructor(private readonly timeLimitSeconds: () => number = () => PREVIEW_TIME_LIMIT_SECONDS) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerScript('preview-worker'));
    worker.on('message', (reply: PreviewReply) => {
      this.pending.get(reply.id)?.answer(reply);
      this.pending.delete(reply.id);
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const { fail } of this.pending.values()) fail(new Error(`the CIF preview worker stopped (${why})`));
      this.pending.clear();
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private ask<T extends PreviewReply['type']>(request: DistributiveOmit<PreviewRequest, 'id'>, type: T): Promise<Extract<PreviewReply, { type: T }>> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    const limit = this.timeLimitSeconds();
    const seconds = limit > 0 ? limit : PREVIEW_TIME_LIMIT_SECONDS;
    return new Promise((resolve, reject) => {
      // Past the limit the worker is stopped and let go at once (the next request starts a fresh
      // one); whatever else it held fails too, as when it dies.
      const timer = setTimeout(() => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.pending.get(id)?.fail(new Error(`the CIF took longer than ${seconds} s to preview and was stopped`));
        this.pending.delete(id);
        for (const { fail } of this.pending.values()) fail(new Error(`the CIF preview worker was stopped (another CIF took longer than ${seconds} s)`));
        this.pending.clear();
        void worker.terminate();
      }, seconds * 1000);
      timer.unref();
      this.pending.set(id, {
        answer: (reply) => {
          clearTimeout(timer);
          if (reply.type === type) resolve(reply as Extract<PreviewReply, { type: T }>);
          else reject(new Error(reply.type === 'failed' ? reply.message : `unexpected ${reply.type}`));
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      worker.postMessage({ ...request, id });
    });
  }

  preview(text: string, config?: { text: string; shownPath: string }) {
    return this.ask({ type: 'preview', text, ...(config ? { config } : {}) }, 'preview');
  }

  /** The CIF's parser and structure diagnostics (building a structure of a million atom images takes seconds). */
  diagnose(text: string) {
    return this.ask({ type: 'diagnose', text }, 'diagnose').then((r) => r.diagnostics);
  }

  vary(block: number, count: number, seed: number) {
    return this.ask({ type: 'vary', block, count, seed }, 'vary').then((r) => r.patterns);
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
