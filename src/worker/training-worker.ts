// The training worker: runs the whole pipeline (read, train, evaluate, save) off the main
// thread, reports every epoch, and stops within one batch when the shared cancel flag is set.
// Its one call: src/protocol/training.ts. With request.threads > 1 its gradient workers
// (training-pool.ts) compute each batch and this thread coordinates them.
import { workerData } from 'node:worker_threads';
import { trainFromDataset } from '../core/model/pipeline';
import type { CancellableWorkerInput, TrainingMethods } from '../protocol/training';
import { startGradientWorkers } from './training-pool';
import { serveParent } from './worker-rpc';

const { cancel } = workerData as CancellableWorkerInput;

serveParent<TrainingMethods>({
  async train({ request }, { progress }) {
    const report = await trainFromDataset(request, { startGradientWorkers, onEvent: progress, shouldStop: () => Atomics.load(cancel, 0) !== 0 });
    return { manifest: report.manifest, evaluation: report.evaluation, backend: report.backend };
  },
});
