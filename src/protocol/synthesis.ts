// Messages between a synthesis worker (src/worker/synth-worker.ts) and its pool
// (src/worker/synth-pool.ts): the pool asks for ranges of a plan's patterns, the worker answers
// with the drawn block (its arrays transferred, not copied).
import type { DatasetPlan, PatternBlock } from '../core/synth/dataset';

/** Sent once, as the worker's workerData: the plan every range is drawn from. */
export interface SynthWorkerInput {
  plan: DatasetPlan;
}

/** Draw patterns first … first + count − 1 of the plan. */
export interface SynthRequest {
  id: number;
  first: number;
  count: number;
}

export type SynthReply =
  | { id: number; type: 'block'; block: PatternBlock }
  | { id: number; type: 'failed'; message: string; stack?: string };
