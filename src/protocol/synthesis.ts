// The calls of a synthesis worker (src/worker/synth-worker.ts), made by its pool
// (src/worker/synth-pool.ts) through the one RPC (src/shared/rpc/): the pool asks for ranges of a
// plan's patterns, the worker answers with the drawn block (its arrays transferred, not copied).
import type { DatasetPlan, PatternBlock } from '../core/synth/dataset';

/** Sent once, as the worker's workerData: the plan every range is drawn from. */
export interface SynthWorkerInput {
  plan: DatasetPlan;
}

export interface SynthMethods {
  /** Draw patterns first … first + count − 1 of the plan. */
  draw: { params: { first: number; count: number }; result: PatternBlock };
}
