// The dataset generation worker: draws and writes a planned dataset off the main thread,
// reports progress, and stops (removing its temporary file) when the shared flag is set.
import { parentPort, workerData } from 'node:worker_threads';
import { generateDataset } from '../core/synth/dataset';
import { defaultThreads, poolDrawer } from './synth-pool';
import { UserError } from '../core/diagnostics';
import type { GenerationWorkerInput, GenerationWorkerMessage } from '../protocol/training';

const { plan, cancel, threads } = workerData as GenerationWorkerInput;
const post = (m: GenerationWorkerMessage) => parentPort!.postMessage(m);
const controller = new AbortController();

generateDataset(plan, {
  signal: controller.signal,
  // This worker writes; synthesis workers of its own draw (all cores unless told otherwise).
  drawer: poolDrawer(threads ?? defaultThreads()),
  onProgress: (progress) => {
    if (Atomics.load(cancel, 0) !== 0) controller.abort();
    post({ type: 'progress', progress });
  },
}).then(
  (result) => post({ type: 'done', ...result }),
  (e: unknown) => {
    if (controller.signal.aborted) post({ type: 'cancelled', message: 'generation cancelled; nothing was written' });
    else post({ type: 'failed', message: (e as Error).message ?? String(e), userError: e instanceof UserError, stack: (e as Error).stack });
  },
);
