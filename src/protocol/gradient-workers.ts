// Messages between a gradient worker (src/worker/training-shard-worker.ts) and its pool
// (src/worker/training-pool.ts). The weights, moments, gradients and training rows live in
// shared memory (core/model/data-parallel.ts); messages carry only each step's batch and answers.
import type { DataParallelSetup, ShardStep, ShardTerms } from '../core/model/data-parallel';
import type { TimedProducts } from '../core/model/roofline';

/** Sent once, as the worker's workerData. */
export interface GradientWorkerInput {
  setup: DataParallelSetup;
  /** This worker's place: its share of every batch and its slice of every update. */
  index: number;
}

export type GradientWorkerRequest = { id: number; type: 'step'; step: ShardStep } | { id: number; type: 'roofline'; batch: number; repeats: number };

export type GradientWorkerReply =
  | { type: 'ready' }
  | { id: number; type: 'stepped'; terms: ShardTerms }
  | { id: number; type: 'roofline'; timed: TimedProducts }
  /** `aborted`: this worker stopped because another failed (the other's message is the cause). */
  | { id?: number; type: 'failed'; message: string; stack?: string; aborted: boolean };
