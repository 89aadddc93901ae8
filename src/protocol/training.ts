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

/** The dataset generation worker's input and messages (same cancel convention). */
export interface GenerationWorkerInput {
  plan: import('../core/synth/dataset').DatasetPlan;
  cancel: Int32Array;
  /** Synthesis worker threads the generation worker starts (default: all cores). */
  threads?: number;
}

export type GenerationWorkerMessage =
  | { type: 'progress'; progress: import('../core/synth/dataset').Progress }
  | { type: 'done'; path: string; patterns: number; seconds: number }
  | { type: 'cancelled'; message: string }
  | { type: 'failed'; message: string; userError: boolean; stack?: string };
