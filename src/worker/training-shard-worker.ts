// A gradient worker of data-parallel training: its share of every batch's gradients and its
// slice of every Adam update, in shared memory (core/model/data-parallel.ts says how). A failure
// aborts the shared barrier first, so the other workers do not wait for this one.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../core/model/backend';
import { BarrierAbortedError, GradientShard } from '../core/model/data-parallel';
import type { GradientWorkerInput, GradientWorkerReply, GradientWorkerRequest } from '../protocol/gradient-workers';

const { setup, index } = workerData as GradientWorkerInput;
const post = (m: GradientWorkerReply) => parentPort!.postMessage(m);

function failed(e: unknown, id?: number): GradientWorkerReply {
  return { id, type: 'failed', message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack, aborted: e instanceof BarrierAbortedError };
}

initBackend(setup.backend).then(
  (backend) => {
    if (backend.name !== setup.backend) throw new Error(`a gradient worker started the ${backend.name} backend, not ${setup.backend}`);
    const shard = new GradientShard(setup, index);
    parentPort!.on('message', (request: GradientWorkerRequest) => {
      try {
        if (request.type === 'step') post({ id: request.id, type: 'stepped', terms: shard.step(request.step) });
        else post({ id: request.id, type: 'roofline', timed: shard.roofline(request.batch, request.repeats) });
      } catch (e) {
        shard.barrier.abort();
        post(failed(e, request.id));
      }
    });
    post({ type: 'ready' });
  },
).catch((e: unknown) => post(failed(e)));
