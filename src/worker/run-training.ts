// Runs a planned training (core/model/training-run.ts): the dataset generated when it is missing
// or asked for, a cVAE's compositions read from it, then the pipeline in the training worker.
// One function for `latent-xrd train` and the extension's Train Model; `trainInWorker` alone is
// what `latent-xrd reproduce` uses for each of its models. How progress is shown and how a
// dataset is drawn (the CLI in-process on --threads, the extension in the generation worker) is
// the caller's.
import { CancelledError } from '../core/diagnostics';
import type { PipelineEvent, TrainRequest } from '../core/model/pipeline';
import { trainingRequest, type TrainingRunPlan } from '../core/model/training-run';
import type { DatasetPlan } from '../core/synth/dataset';
import { startTraining, type TrainingRun } from './host';

export type TrainedModel = Awaited<TrainingRun['result']>;

export interface TrainingRunHooks {
  /** Writes the dataset a plan describes; `signal` stops it, writing nothing. */
  generate(plan: DatasetPlan, signal: AbortSignal): Promise<void>;
  /** Every pipeline event (an epoch's losses, a stage). */
  onEvent(event: PipelineEvent): void;
  /** A line about the run itself (the dataset being generated). */
  log(message: string): void;
  /** Called once the dataset is there, just before the worker starts (the extension times training from here). */
  trainingStarts?(): void;
}

/** Generates if needed, then trains; `signal` stops either at its next check, and nothing is written. */
export async function runTraining(run: TrainingRunPlan, hooks: TrainingRunHooks, signal: AbortSignal): Promise<TrainedModel> {
  if (run.generate) {
    hooks.log(`dataset ${run.dataset.output} ${run.generate === 'regenerate' ? 'regenerated' : 'not found: generating it'} (${run.dataset.total} patterns)`);
    await hooks.generate(run.dataset, signal);
    if (signal.aborted) throw new CancelledError('training');
  }
  const request = await trainingRequest(run);
  hooks.trainingStarts?.();
  return trainInWorker(request, hooks.onEvent, signal);
}

/** Trains and evaluates in the training worker; `signal` stops it within a batch, writing nothing. */
export async function trainInWorker(request: TrainRequest, onEvent: (event: PipelineEvent) => void, signal: AbortSignal): Promise<TrainedModel> {
  const run = startTraining(request, onEvent);
  const cancel = () => run.cancel();
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await run.result;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
