// A synthesis worker: draws the ranges of a planned dataset its pool asks for (one at a time),
// with its own simulator. Pattern i is drawn from Random.forIndex(seed, i), so which worker
// draws it does not change it. Its calls: src/protocol/synthesis.ts.
import { workerData } from 'node:worker_threads';
import { blockBuffers, drawBlock, planSimulator } from '../core/synth/dataset';
import type { Simulator } from '../core/synth/simulator';
import type { SynthMethods, SynthWorkerInput } from '../protocol/synthesis';
import { serveParent } from './worker-rpc';

const { plan } = workerData as SynthWorkerInput;
let simulator: Simulator | undefined;

serveParent<SynthMethods>(
  { draw: ({ first, count }) => drawBlock(plan, (simulator ??= planSimulator(plan)), first, count) },
  { transferOf: { draw: blockBuffers } },
);
