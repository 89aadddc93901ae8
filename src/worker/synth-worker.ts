// A synthesis worker: draws the ranges of a planned dataset its pool asks for (one at a time),
// with its own simulator. Pattern i is drawn from Random.forIndex(seed, i), so which worker
// draws it does not change it.
import { parentPort, workerData } from 'node:worker_threads';
import { blockBuffers, drawBlock, planSimulator } from '../core/synth/dataset';
import type { Simulator } from '../core/synth/simulator';
import type { SynthReply, SynthRequest, SynthWorkerInput } from '../protocol/synthesis';

const { plan } = workerData as SynthWorkerInput;
let simulator: Simulator | undefined;
const post = (m: SynthReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

parentPort!.on('message', (request: SynthRequest) => {
  try {
    const block = drawBlock(plan, (simulator ??= planSimulator(plan)), request.first, request.count);
    post({ id: request.id, type: 'block', block }, blockBuffers(block));
  } catch (e) {
    post({ id: request.id, type: 'failed', message: (e as Error).message ?? String(e), stack: (e as Error).stack });
  }
});
