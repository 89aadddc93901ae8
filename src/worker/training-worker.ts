// The training worker: runs the whole pipeline (read, train, evaluate, save) off the main
// thread, reports every epoch, and stops within one batch when the shared cancel flag is set.
// With more than one thread (request.threads; absent: every core) its gradient workers
// (training-pool.ts) compute each batch and this thread coordinates them.
import { parentPort, workerData } from 'node:worker_threads';
import { trainFromDataset, CancelledError } from '../core/model/pipeline';
import { UserError } from '../core/diagnostics';
import { startGradientWorkers } from './training-pool';
import { defaultThreads } from './synth-pool';
import type { TrainingWorkerInput, TrainingWorkerMessage } from '../protocol/training';

const { request, cancel } = workerData as TrainingWorkerInput;
const post = (m: TrainingWorkerMessage) => parentPort!.postMessage(m);

trainFromDataset({ ...request, threads: request.threads ?? defaultThreads() }, {
  startGradientWorkers,
  onEvent: (event) => post({ type: 'event', event }),
  shouldStop: () => Atomics.load(cancel, 0) !== 0,
}).then(
  (report) => post({ type: 'done', manifest: report.manifest, evaluation: report.evaluation, backend: report.backend }),
  (e: unknown) => {
    if (e instanceof CancelledError) post({ type: 'cancelled', message: e.message });
    else post({ type: 'failed', message: (e as Error).message ?? String(e), userError: e instanceof UserError, stack: (e as Error).stack });
  },
);
