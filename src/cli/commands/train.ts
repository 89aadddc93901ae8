// `latent-xrd train`: parses the flags, plans and runs the training as the extension does
// (core/model/training-run.ts, worker/run-training.ts), with progress on stderr, and prints the
// model's metrics.
import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseBackend, parseCommandArgs, parseInteger, parseThreads } from '../args';
import { noveltyMeaning } from '../../core/model/manifest';
import { planTrainingRun } from '../../core/model/training-run';
import { runTraining } from '../../worker/run-training';
import { loadWorkspaceConfig } from '../io';
import { stoppableBySignals } from '../interrupt';
import { generateWithProgress, progressLine } from '../progress';
import { defaultThreads } from '../../worker/synth-pool';
import { reliabilityState } from '../../core/model/reliability';

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train the VAE (or cVAE) of a latent-xrd.json on its dataset, generating the dataset first if needed',
  usage: [
    'latent-xrd train [--config latent-xrd.json] [--quick] [--epochs N] [--model DIR] [--regenerate]',
    '                 [--backend auto|wasm|cpu|tensorflow] [--threads N|all] [--json]',
    '   (--threads: worker threads drawing the dataset when it is generated (default all cores),',
    '    and, only when given, computing each batch\'s gradients — the same model as on one thread,',
    '    to float rounding; training stays on one thread unless asked)',
    '',
    'Trains in a worker thread: one line per epoch (losses, samples/s); Ctrl-C stops within one',
    'batch and writes nothing. The model folder (the "training.model" setting, default "model")',
    'is replaced only when training and evaluation finish. --quick trains 6 epochs.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values } = parseCommandArgs('train', argv, {
      config: { type: 'string', short: 'c' },
      quick: { type: 'boolean' },
      epochs: { type: 'string' },
      model: { type: 'string', short: 'o' },
      regenerate: { type: 'boolean' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      threads: { type: 'string' },
    }, false);
    const threads = parseThreads('--threads', values.threads, defaultThreads());
    const configPath = values.config ?? 'latent-xrd.json';
    const run = planTrainingRun(loadWorkspaceConfig(ctx, configPath), {
      configPath: resolve(ctx.cwd, configPath),
      shownPath: configPath,
      quick: values.quick,
      epochs: values.epochs ? parseInteger('--epochs', values.epochs, 1) : undefined,
      modelDir: values.model ? resolve(ctx.cwd, values.model) : undefined,
      regenerate: values.regenerate,
      backend: parseBackend(values.backend),
      // Training shares batches over threads only when asked: not yet measured faster on 2 cores.
      threads: values.threads === undefined ? undefined : threads,
    });
    const modelDir = run.modelDir;
    const { manifest, evaluation, backend } = await stoppableBySignals(ctx, (signal) =>
      runTraining(
        run,
        {
          generate: (plan, stop) => generateWithProgress(ctx, plan, false, stop, threads),
          onEvent: progressLine(ctx),
          log: (message) => ctx.err(message + '\n'),
        },
        signal,
      ),
    );
    const m = manifest.metrics as Record<string, number>;
    if (values.json) {
      ctx.out(JSON.stringify({ model: modelDir, backend, metrics: manifest.metrics, reliability: manifest.reliability }, null, 2) + '\n');
    } else {
      ctx.out(
        [
          `model written to ${modelDir} (backend ${backend})`,
          `  KNN accuracy on held-out latents   ${fmt(m.knnAccuracy)}`,
          `  median error unknown ÷ known       ${fmt(evaluation.medianErrorRatioUnknownToKnown)}`,
          `  AUROC known vs unknown phase       ${fmt(m.aurocUnknown)}`,
          `  AUROC pure vs mixture              ${fmt(m.aurocMixtures)}`,
          ...(evaluation.mixtureAware
            ? [
                `  mixtures trained on: median error mixture ÷ pure ${fmt(evaluation.mixtureAware.medianErrorRatioMixturesToPure)}, unknown ÷ mixture ${fmt(evaluation.mixtureAware.medianErrorRatioUnknownToMixtures)}`,
                `  AUROC unknown vs pure and mixtures ${fmt(evaluation.mixtureAware.aurocUnknownAgainstKnown)}`,
                `  KNN majority phase of mixtures     ${fmt(evaluation.mixtureAware.knnAccuracyMixtures)}`,
              ]
            : []),
          `  novelty threshold (p < ${manifest.calibration.pThreshold})  excess BCE > ${fmt(manifest.calibration.errorThreshold)}`,
          `  ${noveltyMeaning(manifest)}`,
          `  ${reliabilityState(manifest).summary}`,
          ...reliabilityState(manifest).reasons.map((r) => `    - ${r}`),
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};

function fmt(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? 'n/a' : v.toPrecision(4);
}
