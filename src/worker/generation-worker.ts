// The dataset generation worker: draws and writes a planned dataset off the main thread,
// reports progress, and stops (removing its temporary file) when the shared flag is set.
// Its one call: src/protocol/training.ts.
import { workerData } from 'node:worker_threads';
import { generateDataset } from '../core/synth/dataset';
import { CancelledError } from '../core/diagnostics';
import { defaultThreads, poolDrawer } from './synth-pool';
import type { CancellableWorkerInput, GenerationMethods } from '../protocol/training';
import { serveParent } from './worker-rpc';

const { cancel } = workerData as CancellableWorkerInput;

serveParent<GenerationMethods>({
  async generate({ plan, threads }, { progress }) {
    const controller = new AbortController();
    try {
      return await generateDataset(plan, {
        signal: controller.signal,
        // This worker writes; synthesis workers of its own draw (all cores unless told otherwise).
        drawer: poolDrawer(threads ?? defaultThreads()),
        onProgress: (p) => {
          if (Atomics.load(cancel, 0) !== 0) controller.abort();
          progress(p);
        },
      });
    } catch (e) {
      throw controller.signal.aborted ? new CancelledError('dataset generation') : e;
    }
  },
});
