// Messages between a training worker and whoever started it (the CLI, the extension host).
import type { PipelineEvent, TrainRequest, Evaluation } from '../core/model/pipeline';
import type { ModelManifest } from '../core/model/store';

/** Sent once, as the worker's workerData. `cancel` is a shared Int32Array: set [0] to 1 to stop. */
export interface TrainingWorkerInput {
  request: TrainRequest;
  cancel: Int32Array;
}

export type TrainingWorkerMessage =
  | { type: 'event'; event: PipelineEvent }
  | { type: 'done'; manifest: ModelManifest; evaluation: Evaluation; backend: string }
  | { type: 'cancelled'; message: string }
  | { type: 'failed'; message: string; userError: boolean; stack?: string };
