import { join, resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseBackend, parseInteger } from '../args';
import { UserError } from '../../core/diagnostics';
import { claimReportFolder, writePaperReport, writeReportMetrics } from '../../core/report/paper-report';
import { runStudy } from '../../core/reproduction/study';
import { studyReport } from '../../core/reproduction/summary';
import { DEFAULT_SEEDS, STUDY_MODELS } from '../../core/reproduction/protocol';
import { stoppableBySignals } from '../interrupt';
import { packageRoot } from '../io';
import { generateWithProgress } from './synth';
import { runTraining } from './train';

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
    const out = resolve(ctx.cwd, values.out);
    const seeds = values.seeds ? parseInteger('--seeds', values.seeds, 1) : DEFAULT_SEEDS;
    const backend = parseBackend(values.backend);
    const started = Date.now();
    claimReportFolder(out);
    return stoppableBySignals(ctx, async (signal) => {
      const study = await runStudy(
        {
          generate: async (plan) => void (await generateWithProgress(ctx, plan, true, signal)),
          train: (request) => runTraining(ctx, request, signal),
          log: (message) => ctx.err(message + '\n'),
        },
        { out, examples: join(packageRoot(), 'examples', 'paper-demo'), compositionStructures: join(packageRoot(), 'examples', 'co-ni-cr-re'), quick: values.quick ?? false, seeds, backend },
      );
      const report = studyReport(study, (Date.now() - started) / 1000);
      const files = [writeReportMetrics(out, report.json)];
      for (const m of STUDY_MODELS) {
        const firstRun = study.runs[m.key][0];
        files.push(...writePaperReport(out, { evaluation: study.figures[m.key], phaseNames: study.phaseNames, knownPhases: study.knownPhases, mixtureCurves: firstRun.mixtureCurves, prefix: m.filePrefix, title: m.title }));
      }
      ctx.err(`wrote ${files.join(', ')} and the first seed's models, data/ to ${out} in ${(Date.now() - started) / 1000 | 0} s\n`);
      ctx.out(values.json ? JSON.stringify(report.json, null, 2) + '\n' : report.text + '\n');
      return 0;
    });
  },
};
