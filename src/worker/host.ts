// Starts the workers (training, dataset generation, CIF preview) and calls them through the one RPC
// (worker-rpc.ts): promises plus progress callbacks. The scoring worker has its own host class (scoring-host.ts): it adds time limits and restarts.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PipelineEvent, TrainRequest } from '../core/model/pipeline';
import type { CancellableWorkerInput, GenerationMethods, TrainingMethods } from '../protocol/training';
import type { DatasetPlan, Progress } from '../core/synth/dataset';
import type { PreviewMethods } from '../protocol/preview';
import type { MethodName, Params, Progress as ProgressOf, Result } from '../shared/rpc/envelope';
import { WorkerChannel } from './worker-rpc';

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

/**
 * Starts a bundled worker with a shared cancel flag and makes its one call: progress goes to
 * `onProgress`, and the result (or the error, or the worker's death) settles the run.
 */
function runWorker<M, K extends MethodName<M>>(name: 'training-worker' | 'generation-worker', what: string, method: K, params: Params<M, K>, onProgress: (p: ProgressOf<M, K>) => void): WorkerRun<Result<M, K>> {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const channel = new WorkerChannel<M>({ what, restart: false, start: () => new Worker(workerScript(name), { workerData: { cancel } satisfies CancellableWorkerInput }) });
  const result = channel.call(method, params, { onProgress });
  const stop = () => channel.dispose();
  result.then(stop, stop);
  return { result, cancel: () => Atomics.store(cancel, 0, 1) };
}

export type TrainingRun = WorkerRun<TrainingMethods['train']['result']>;

export function startTraining(request: TrainRequest, onEvent: (e: PipelineEvent) => void): TrainingRun {
  return runWorker<TrainingMethods, 'train'>('training-worker', 'training', 'train', { request }, onEvent);
}

export type GenerationRun = WorkerRun<GenerationMethods['generate']['result']>;

/** Generates a planned dataset in a worker (the extension host must not draw 20,000 patterns itself). */
export function startGeneration(plan: DatasetPlan, onProgress: (p: Progress) => void): GenerationRun {
  return runWorker<GenerationMethods, 'generate'>('generation-worker', 'dataset generation', 'generate', { plan }, onProgress);
}

/**
 * How long one CIF preview request may take before its worker is stopped: a MOF or a 27 kB
 * organometallic takes seconds, a structure of a million atom images some more; a CIF that
 * takes longer than this would not be previewed in a useful time anyway.
 */
export const PREVIEW_TIME_LIMIT_SECONDS = 120;

/**
 * A long-lived CIF preview worker, answering in order. A worker that dies (out of memory on a
 * hostile CIF) or takes longer than the time limit (a CIF whose structure never finishes
 * building) fails what it was asked, and the next request starts a fresh one.
 */
export class PreviewWorker {
  private readonly channel: WorkerChannel<PreviewMethods>;

  /** `start`: how its worker thread is started (a test starts one that crashes). */
  constructor(
    private readonly timeLimitSeconds: () => number = () => PREVIEW_TIME_LIMIT_SECONDS,
    start: () => Worker = () => new Worker(workerScript('preview-worker')),
  ) {
    this.channel = new WorkerChannel({ what: 'CIF preview', start, restart: true, keepAlive: 'never' });
  }

  private ask<K extends MethodName<PreviewMethods>>(method: K, params: Params<PreviewMethods, K>): Promise<Result<PreviewMethods, K>> {
    const limit = this.timeLimitSeconds();
    const seconds = limit > 0 ? limit : PREVIEW_TIME_LIMIT_SECONDS;
    const overtime = new AbortController();
    // Past the limit the worker is stopped and let go at once (the next request starts a fresh
    // one); whatever else it held fails too, as when it dies.
    const timer = setTimeout(() => {
      overtime.abort(new Error(`the CIF took longer than ${seconds} s to preview and was stopped`));
      this.channel.stop(new Error(`the CIF preview worker was stopped (another CIF took longer than ${seconds} s)`));
    }, seconds * 1000);
    timer.unref();
    const answer = this.channel.call(method, params, { signal: overtime.signal });
    const done = () => clearTimeout(timer);
    answer.then(done, done);
    return answer;
  }

  preview(text: string, config?: { text: string; shownPath: string }) {
    return this.ask('preview', { text, ...(config ? { config } : {}) });
  }

  /** The CIF's parser and structure diagnostics (building a structure of a million atom images takes seconds). */
  diagnose(text: string) {
    return this.ask('diagnose', { text });
  }

  vary(block: number, count: number, seed: number) {
    return this.ask('vary', { block, count, seed });
  }

  dispose(): void {
    this.channel.dispose();
  }
}
