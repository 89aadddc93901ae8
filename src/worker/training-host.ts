// Starts the training worker and turns its messages into a promise plus callbacks.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PipelineEvent, TrainRequest, Evaluation } from '../core/model/pipeline';
import { CancelledError } from '../core/model/pipeline';
import type { ModelManifest } from '../core/model/store';
import { UserError } from '../core/diagnostics';
import type { TrainingWorkerInput, TrainingWorkerMessage } from '../protocol/training';

export interface TrainingRun {
  result: Promise<{ manifest: ModelManifest; evaluation: Evaluation; backend: string }>;
  /** Stops training within one batch; the promise then rejects with CancelledError. */
  cancel(): void;
}

/** The bundled worker script, found from wherever the calling bundle lives (out/ or out/test/…). */
export function trainingWorkerScript(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'out', 'training-worker.js');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, 'training-worker.js'))) return join(dir, 'training-worker.js');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('training-worker.js not found: run `npm run build`');
    dir = parent;
  }
}

export function startTraining(request: TrainRequest, onEvent: (e: PipelineEvent) => void): TrainingRun {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const input: TrainingWorkerInput = { request, cancel };
  const worker = new Worker(trainingWorkerScript(), { workerData: input });
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
