// The calls of the training and dataset generation workers, made by whoever started them (the CLI,
// the extension host) through the one RPC (src/shared/rpc/): one call each, progress on the way.
import type { PipelineEvent, TrainRequest, Evaluation } from '../core/model/pipeline';
import type { ModelManifest } from '../core/model/store';
import type { DatasetPlan, Progress } from '../core/synth/dataset';

/**
 * Sent once, as the worker's workerData. `cancel` is a shared Int32Array: set [0] to 1 to stop
 * (the worker polls it between batches, when its thread may not read messages); the call then
 * fails as cancelled.
 */
export interface CancellableWorkerInput {
  cancel: Int32Array;
}

export interface TrainingMethods {
  train: { params: { request: TrainRequest }; result: { manifest: ModelManifest; evaluation: Evaluation; backend: string }; progress: PipelineEvent };
}

export interface GenerationMethods {
  /** `threads`: synthesis worker threads the generation worker starts (default: all cores). */
  generate: { params: { plan: DatasetPlan; threads?: number }; result: { path: string; patterns: number; seconds: number }; progress: Progress };
}
