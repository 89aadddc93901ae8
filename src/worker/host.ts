// Starts the workers (training, dataset generation) and turns their messages into promises plus progress callbacks.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PipelineEvent, TrainRequest, Evaluation } from '../core/model/pipeline';
import type { ModelManifest } from '../core/model/store';
import { CancelledError, UserError } from '../core/diagnostics';
import type { GenerationWorkerInput, GenerationWorkerMessage, TrainingWorkerInput, TrainingWorkerMessage } from '../protocol/training';
import type { DatasetPlan, Progress } from '../core/synth/dataset';

export interface TrainingRun {
  result: Promise<{ manifest: ModelManifest; evaluation: Evaluation; backend: string }>;
  /** Stops training within one batch; the promise then rejects with CancelledError. */
  cancel(): void;
}

/** A bundled worker script, found from wherever the calling bundle lives (out/ or out/test/…). */
export function workerScript(name: 'training-worker' | 'generation-worker'): string {
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

export function startTraining(request: TrainRequest, onEvent: (e: PipelineEvent) => void): TrainingRun {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const input: TrainingWorkerInput = { request, cancel };
  const worker = new Worker(workerScript('training-worker'), { workerData: input });
  const result = new Promise<{ manifest: ModelManifest; evaluation: Evaluation; backend: string }>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: TrainingWorkerMessage) => {
      if (m.type === 'event') return onEvent(m.event);
      settled = true;
      if (m.type === 'done') resolve({ manifest: m.manifest, evaluation: m.evaluation, backend: m.backend });
      else if (m.type === 'cancelled') reject(new CancelledError('training'));
      else reject(m.userError ? new UserError(m.message) : Object.assign(new Error(m.message), { stack: m.stack }));
      void worker.terminate();
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the training worker exited (code ${code}) before finishing`));
    });
  });
  return { result, cancel: () => Atomics.store(cancel, 0, 1) };
}

export interface GenerationRun {
  result: Promise<{ path: string; patterns: number; seconds: number }>;
  /** Stops after the current chunk; the promise then rejects with CancelledError and no file is left. */
  cancel(): void;
}

/** Generates a planned dataset in a worker (the extension host must not draw 20,000 patterns itself). */
export function startGeneration(plan: DatasetPlan, onProgress: (p: Progress) => void): GenerationRun {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const input: GenerationWorkerInput = { plan, cancel };
  const worker = new Worker(workerScript('generation-worker'), { workerData: input });
  const result = new Promise<{ path: string; patterns: number; seconds: number }>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: GenerationWorkerMessage) => {
      if (m.type === 'progress') return onProgress(m.progress);
      settled = true;
      if (m.type === 'done') resolve({ path: m.path, patterns: m.patterns, seconds: m.seconds });
      else if (m.type === 'cancelled') reject(new CancelledError('dataset generation'));
      else reject(m.userError ? new UserError(m.message) : Object.assign(new Error(m.message), { stack: m.stack }));
      void worker.terminate();
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the generation worker exited (code ${code}) before finishing`));
    });
  });
  return { result, cancel: () => Atomics.store(cancel, 0, 1) };
}
