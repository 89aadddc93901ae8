// `latent-xrd reproduce`: parses the flags, runs the study (core/reproduction/reproduce.ts) with
// datasets drawn in-process and models trained in the training worker, progress on stderr, and
// prints the report.
import { join, resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseBackend, parseInteger } from '../args';
import { UserError } from '../../core/diagnostics';
import { reproduce } from '../../core/reproduction/reproduce';
import { DEFAULT_SEEDS } from '../../core/reproduction/protocol';
import { trainInWorker } from '../../worker/run-training';
import { stoppableBySignals } from '../interrupt';
import { packageRoot } from '../io';
import { generateWithProgress, progressLine } from '../progress';

export const reproduceCommand: Command = {
  name: 'reproduce',
  summary: "Reproduce the paper's study with its own model and Latent XRD's, over several seeds: metrics, data and figures",
  usage: [
    'latent-xrd reproduce --out DIR [--quick] [--seeds N] [--json] [--backend auto|wasm|cpu]',
    '',
    'Generates 3 known phases × 5000 patterns, the unknown σ phase and 4 hard unknowns × 1000 each',
    'and binary mixtures at 50 fractions (examples/paper-demo), and trains two models side by side',
    `over N seeds (default ${DEFAULT_SEEDS}): the paper's (2-D latent, 2048·BCE + KL) and Latent XRD's`,
    'defaults, each with the Co–Ni–Cr–Re composition experiment (examples/co-ni-cr-re, an ensemble',
    'of 5 cVAEs). Reports every metric as the mean and 95 % interval over seeds against the targets',
    'and the paper, every baseline on every novelty task with its winner. Writes metrics.json,',
    'CSV/JSON data and SVG figures of both models (the paper\'s prefixed as-published-) to DIR.',
    '--quick: a smaller study (minutes on two cores); its numbers are not the paper-scale ones.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values } = parseCommandArgs('reproduce', argv, {
      out: { type: 'string', short: 'o' },
      quick: { type: 'boolean' },
      seeds: { type: 'string' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
    }, false);
    if (!values.out) throw new UserError('reproduce: name the output folder with --out DIR');
    const options = {
      out: resolve(ctx.cwd, values.out),
      examples: join(packageRoot(), 'examples'),
      quick: values.quick ?? false,
      seeds: values.seeds ? parseInteger('--seeds', values.seeds, 1) : DEFAULT_SEEDS,
      backend: parseBackend(values.backend),
    };
    const { report } = await stoppableBySignals(ctx, (signal) =>
      reproduce(
        {
          generate: async (plan) => generateWithProgress(ctx, plan, true, signal),
          train: (request) => trainInWorker(request, progressLine(ctx), signal),
          log: (message) => ctx.err(message + '\n'),
        },
        options,
      ),
    );
    ctx.out(values.json ? JSON.stringify(report.json, null, 2) + '\n' : report.text + '\n');
    return 0;
  },
};
