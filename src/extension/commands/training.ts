// Generate Training Data and Train Model: both run in worker threads, with a progress
// notification that has a working Cancel, a log in the output channel, and the extension
// host left free (its event-loop delay is measured during training and logged). Training is
// planned and run as `latent-xrd train` does it (core/model/training-run.ts,
// worker/run-training.ts): the same config, VAE or cVAE, is trained the same way.
import * as vscode from 'vscode';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CancelledError, UserError } from '../../core/diagnostics';
import { describeEvent } from '../../core/model/progress';
import type { DatasetPlan } from '../../core/synth/dataset';
import { planTrainingRun } from '../../core/model/training-run';
import { startGeneration } from '../../worker/host';
import { runTraining } from '../../worker/run-training';
import type { ModelService } from '../model-service';
import { setting } from '../settings';
import { log, logError, outputChannel } from '../output';
import { loadConfig, pickConfig } from './workspace-config';
import { requireTrust } from './trust';
import { reliabilityState, type Reliability } from '../../core/model/reliability';

export interface TrainingReport {
  modelDir: string;
  seconds: number;
  backend: string;
  metrics: Record<string, unknown>;
  /** The held-out checks' verdict on the model (absent: not recorded). */
  reliability?: Reliability;
  /** The extension host's event-loop delay while the worker trained (ms). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface RunOutcome<T> {
  status: 'done' | 'cancelled' | 'failed';
  value?: T;
  message?: string;
}

/** Shows a user error (with its diagnostics' locations) or an unexpected one (stack to the log). */
function reportFailure(what: string, e: unknown): RunOutcome<never> {
  if (e instanceof CancelledError) {
    log(`${what}: ${e.message}`);
    void vscode.window.showInformationMessage(e.message);
    return { status: 'cancelled', message: e.message };
  }
  const message = (e as Error).message ?? String(e);
  if (e instanceof UserError) {
    const where = e.diagnostics.find((d) => d.range);
    logError(`${what}: ${message}${e.diagnostics.map((d) => `\n  ${d.range ? `${e.file ?? ''}:${d.range.line}:${d.range.column}: ` : ''}${d.message}`).join('')}`);
    void vscode.window.showErrorMessage(`${what}: ${message}${where ? ` (line ${where.range!.line}, column ${where.range!.column}: ${where.message})` : ''}`);
  } else {
    logError(`${what}: ${(e as Error).stack ?? message}`);
    void vscode.window.showErrorMessage(`${what} failed: ${message}. See the Latent XRD output for details.`, 'Show Output').then((c) => c && outputChannel().show());
  }
  return { status: 'failed', message };
}

/** Generates a dataset in the generation worker, its progress in the notification; `signal` cancels it. */
async function generate(plan: DatasetPlan, progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) {
  let reported = 0;
  const run = startGeneration(plan, (p) => {
    const percent = (100 * p.done) / p.total;
    progress.report({ message: `generating ${p.done}/${p.total} patterns (${Math.round(p.patternsPerSecond)}/s)`, increment: percent - reported });
    reported = percent;
  });
  const cancel = () => run.cancel();
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const result = await run.result;
    log(`wrote ${result.patterns} patterns to ${result.path} in ${result.seconds.toFixed(1)} s`);
    return result;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** A notification's Cancel as an AbortSignal (what the workers' runs take); `onCancel` says so in the log. */
function cancellation(token: vscode.CancellationToken, onCancel?: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const subscription = token.onCancellationRequested(() => {
    onCancel?.();
    controller.abort();
  });
  if (token.isCancellationRequested) controller.abort();
  return { signal: controller.signal, dispose: () => subscription.dispose() };
}

/** The config a run uses (given, or picked), once the workspace is trusted; undefined says why not in `refusal`. */
async function configForRun(given: vscode.Uri | undefined, what: string): Promise<{ uri?: vscode.Uri; refusal?: RunOutcome<never> }> {
  if (!(await requireTrust(what))) return { refusal: { status: 'failed', message: 'untrusted workspace' } };
  const uri = given ?? (await pickConfig());
  if (!uri) {
    void vscode.window.showWarningMessage('No latent-xrd.json in the workspace: run "Latent XRD: Create Workspace Config" first.');
    return { refusal: { status: 'failed', message: 'no config' } };
  }
  return { uri };
}

export async function generateData(options: { config?: vscode.Uri } = {}): Promise<RunOutcome<{ path: string; patterns: number }>> {
  const { uri: configUri, refusal } = await configForRun(options.config, 'generate training data');
  if (!configUri) return refusal!;
  try {
    const { plan } = await loadConfig(configUri);
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Latent XRD: generating training data', cancellable: true }, async (progress, token) => {
      const cancel = cancellation(token);
      const result = await generate(plan, progress, cancel.signal).finally(() => cancel.dispose());
      void vscode.window.showInformationMessage(`Generated ${result.patterns} patterns in ${result.seconds.toFixed(1)} s: ${vscode.workspace.asRelativePath(result.path)}`);
      return { status: 'done' as const, value: result };
    });
  } catch (e) {
    return reportFailure('Generate training data', e);
  }
}

export async function trainModel(models: ModelService, options: { config?: vscode.Uri; epochs?: number } = {}): Promise<RunOutcome<TrainingReport>> {
  const { uri: configUri, refusal } = await configForRun(options.config, 'train models');
  if (!configUri) return refusal!;
  try {
    const run = planTrainingRun(await loadConfig(configUri), {
      configPath: configUri.fsPath,
      shownPath: vscode.workspace.asRelativePath(configUri),
      epochs: options.epochs,
      backend: setting('backend'),
    });
    const modelDir = run.modelDir;
    outputChannel().show(true);
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Latent XRD: training', cancellable: true }, async (progress, token) => {
      let started = Date.now();
      const delay = monitorEventLoopDelay({ resolution: 10 });
      let lastPercent = 0;
      const cancel = cancellation(token, () => log('cancelling: the worker stops after this batch'));
      try {
        const result = await runTraining(
          run,
          {
            generate: (plan, signal) => generate(plan, progress, signal).then(() => undefined),
            log,
            // Timed and watched from here: the seconds and the host's event-loop delay are training's, not generation's.
            trainingStarts: () => {
              started = Date.now();
              delay.enable();
            },
            onEvent: (event) => {
              const line = describeEvent(event);
              log(line);
              if (event.kind === 'epoch') {
                const percent = (100 * ((event.member - 1) * event.epochs + event.epoch)) / (event.members * event.epochs);
                progress.report({ message: line, increment: percent - lastPercent });
                lastPercent = percent;
              } else progress.report({ message: line });
            },
          },
          cancel.signal,
        );
        delay.disable();
        const ms = (ns: number) => Math.round(ns / 1e4) / 100;
        const report: TrainingReport = {
          modelDir,
          seconds: (Date.now() - started) / 1000,
          backend: result.backend,
          metrics: result.manifest.metrics,
          reliability: result.manifest.reliability,
          eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        };
        log(`model written to ${modelDir} in ${report.seconds.toFixed(1)} s on ${report.backend}; extension host event-loop delay p50 ${report.eventLoopDelayMs.p50} ms, p99 ${report.eventLoopDelayMs.p99} ms`);
        await models.refresh();
        const m = result.manifest.metrics as Record<string, number>;
        const trained = `Trained ${vscode.workspace.asRelativePath(modelDir)}: KNN accuracy ${m.knnAccuracy?.toFixed(3) ?? 'n/a'}, AUROC unknown ${m.aurocUnknown?.toFixed(3) ?? 'n/a'}, mixtures ${m.aurocMixtures?.toFixed(3) ?? 'n/a'}.`;
        const reliability = reliabilityState(result.manifest);
        log(`${modelDir}: ${reliability.summary}${reliability.reasons.map((r) => `\n  - ${r}`).join('')}`);
        // A weak model says so at once, not only on its model card.
        if (reliability.reliable === false) void vscode.window.showWarningMessage(`${trained} Its verdicts are unreliable: ${reliability.reasons.join('; ')}.`);
        else void vscode.window.showInformationMessage(trained);
        return { status: 'done' as const, value: report };
      } finally {
        delay.disable();
        cancel.dispose();
      }
    });
  } catch (e) {
    return reportFailure('Train model', e);
  }
}
