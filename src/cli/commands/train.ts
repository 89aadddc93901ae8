import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandContext } from '../args';
import { parseBackend, parseCommandArgs, parseInteger, parseThreads } from '../args';
import { UserError } from '../../core/diagnostics';
import { DEFAULT_TRAINING_CONFIG, QUICK_TRAINING, type TrainingConfig } from '../../core/model/training-config';
import type { TrainRequest } from '../../core/model/pipeline';
import { noveltyMeaning } from '../../core/model/manifest';
import { startTraining } from '../../worker/host';
import { loadWorkspaceConfig } from '../io';
import { stoppableBySignals } from '../interrupt';
import { pathInConfigFolder } from '../../core/synth/config-paths';
import { checkModelTarget } from '../../core/model/model-folder';
import { describeEvent } from '../../core/model/progress';
import { generateWithProgress } from './synth';
import { defaultThreads } from '../../worker/synth-pool';
import { readDataset, type DatasetPlan } from '../../core/synth/dataset';
import { compositionsForRows, phaseMapFromPlan } from '../../core/synth/phase-map';
import { reliabilityState } from '../../core/model/reliability';
import { Random } from '../../core/util/random';

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train the VAE (or cVAE) of a latent-xrd.json on its dataset, generating the dataset first if needed',
  usage: [
    'latent-xrd train [--config latent-xrd.json] [--quick] [--epochs N] [--model DIR] [--regenerate]',
    '                 [--backend auto|wasm|cpu|tensorflow] [--threads N|all] [--json]',
    '   (--threads: worker threads drawing the dataset when it is generated, and computing each',
    '    batch\'s gradients — the same model as on one thread, to float rounding; default all cores)',
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
    const { config, plan, configDir } = loadWorkspaceConfig(ctx, configPath);
    const training: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, ...config.training, ...(values.quick ? QUICK_TRAINING : {}) };
    if (values.epochs) training.epochs = parseInteger('--epochs', values.epochs, 1);
    // Refused now, not after an hour of training, when it is not a model folder Latent XRD wrote.
    const modelDir = checkModelTarget(values.model ? resolve(ctx.cwd, values.model) : pathInConfigFolder(configDir, training.model, 'training.model'));
    const conditional = training.compositionElements.length > 0;
    if (conditional) {
      const without = plan.phases.filter((p) => !p.composition).map((p) => p.name);
      if (without.length) throw new UserError(`${configPath}: training.compositionElements asks for a conditional VAE, so every phase needs a "composition" (the centre of its region); missing for ${without.join(', ')}`);
    }
    const backendPreference = parseBackend(values.backend);
    const { manifest, evaluation, backend } = await stoppableBySignals(ctx, async (signal) => {
      if (values.regenerate || !existsSync(plan.output)) {
        ctx.err(`dataset ${plan.output} ${values.regenerate ? 'regenerated' : 'not found: generating it'} (${plan.total} patterns)\n`);
        await generateWithProgress(ctx, plan, false, signal, threads);
      }
      const compositions = conditional ? await datasetCompositions(plan, training) : undefined;
      return runTraining(ctx, { compositions, datasetPath: plan.output, modelDir, training, backend: backendPreference, configPath: resolve(ctx.cwd, configPath), threads }, signal);
    });
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

/** A cVAE's composition input for every dataset row, from the phase map of the config (synth/phase-map.ts). */
async function datasetCompositions(plan: DatasetPlan, training: TrainingConfig): Promise<Float32Array> {
  const dataset = await readDataset(plan.output);
  if (dataset.phaseNames.join('\n') !== plan.phases.map((p) => p.name).join('\n')) {
    throw new UserError(`${plan.output}: made from other phases (${dataset.phaseNames.join(', ')}) than the config names; run with --regenerate`);
  }
  const map = phaseMapFromPlan(plan.phases, training.compositionElements);
  return compositionsForRows(map, dataset.fractions, dataset.phaseNames.length, new Random(training.seed + 7919));
}

function fmt(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? 'n/a' : v.toPrecision(4);
}

/** Runs the training worker with progress on stderr; `signal` (stoppableBySignals) stops it within a batch, writing nothing. */
export async function runTraining(ctx: CommandContext, request: TrainRequest, signal: AbortSignal) {
  const run = startTraining(request, (e) => ctx.err(describeEvent(e) + '\n'));
  const cancel = () => run.cancel();
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await run.result;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
