import { relative, resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseProbability, parseBackend } from '../args';
import { UserError } from '../../core/diagnostics';
import { initBackend } from '../../core/model/backend';
import { loadModel, readManifest } from '../../core/model/store';
import { Scorer } from '../../core/model/score';
import { unexplainedLineSum } from '../../core/analysis/novelty-statistic';
import { readPatternFile } from '../../core/formats';
import { failureMessage } from '../io';
import { calibrationInForce, requireEnoughCalibration, withMeasuredCalibration, withSyntheticCalibration, writeManifest } from '../../core/model/novelty-calibration';
import { pValue } from '../../core/analysis/metrics';

export const calibrateNoveltyCommand: Command = {
  name: 'calibrate-novelty',
  summary: 'Calibrate a model\'s p-values on measured patterns of known phases from your instrument (conformal)',
  usage: [
    'latent-xrd calibrate-novelty --model DIR FILE… [--p-threshold p] [--json] [--backend auto|wasm|cpu]',
    'latent-xrd calibrate-novelty --model DIR --revert',
    '',
    'A model\'s p-values are calibrated on held-out synthetic patterns. A measured pattern of a',
    'known phase differs from them by what the simulation leaves out of your instrument, and so',
    'looks a little novel. Give measured patterns you know hold only the known phases (pure',
    'phases, or mixtures of them for a mixture-aware model), measured as the patterns you will',
    'score: each is prepared as the model records and scored, and their errors become the',
    'calibration sample. A new pattern measured the same way is then called NOVEL at p < the',
    'threshold at most that often when it holds nothing new (a conformal p-value).',
    '',
    'With n files no p-value is below 1/(n+1): the threshold (the model\'s, or --p-threshold, which',
    'becomes the verdicts\' threshold) must be above it — 0.01 needs at least 100 files. Every',
    'file must be scored; one that cannot be is an error and nothing is written. The training',
    'calibration is kept in the model; --revert puts it back. The model card and `score` say',
    'which calibration is in force.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('calibrate-novelty', argv, {
      model: { type: 'string', short: 'm' },
      'p-threshold': { type: 'string' },
      revert: { type: 'boolean' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
    });
    if (!values.model) throw new UserError('calibrate-novelty: name the model folder with --model DIR');
    const modelDir = resolve(ctx.cwd, values.model);
    if (values.revert) {
      if (positionals.length) throw new UserError('calibrate-novelty: --revert takes no files');
      const reverted = withSyntheticCalibration(readManifest(modelDir));
      writeManifest(modelDir, reverted);
      ctx.out(`${values.model}: ${calibrationInForce(reverted)}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new UserError('calibrate-novelty: name the measured files of known phases to calibrate on');
    await initBackend(parseBackend(values.backend));
    const model = await loadModel(modelDir);
    if (model.manifest.kind === 'cvae') throw new UserError(`${values.model}: a conditional model is calibrated on compositions too; calibrate a plain VAE`);
    const pThreshold = values['p-threshold'] === undefined ? model.manifest.calibration.pThreshold : parseProbability('--p-threshold', values['p-threshold']);
    // Refused before the work when the number of files cannot reach the threshold.
    const withLines = (model.manifest.syntheticCalibration ?? model.manifest.calibration).lineSums !== undefined;
    requireEnoughCalibration(positionals.length, pThreshold, withLines);
    const scorer = new Scorer(model);
    const metric = model.manifest.calibration.metric;
    const errors: number[] = [];
    const lineSums: number[] = [];
    const failures: string[] = [];
    for (const file of positionals) {
      try {
        const { score } = scorer.scoreMeasured(readPatternFile(resolve(ctx.cwd, file), file));
        errors.push(score[metric]);
        lineSums.push(unexplainedLineSum(score.unexplainedPeaks));
      } catch (e) {
        failures.push(`${file}: ${failureMessage(e)}`);
      }
    }
    if (failures.length) throw new UserError(`calibrate-novelty: every file must be scored to calibrate; nothing was written.\n  ${failures.join('\n  ')}`);
    const names = positionals.map((f) => relative(modelDir, resolve(ctx.cwd, f)));
    const before = model.manifest.calibration;
    const calibrated = withMeasuredCalibration(model.manifest, errors, names, pThreshold, new Date(), withLines ? lineSums : undefined);
    writeManifest(modelDir, calibrated);
    // What the synthetic calibration said of these files, beside the new one: the instrument's gap.
    const rows = positionals.map((file, i) => ({ file, error: errors[i], pValueBefore: pValue(before.errors, errors[i]) }));
    if (values.json) ctx.out(JSON.stringify({ model: values.model, calibration: calibrated.calibration, inForce: calibrationInForce(calibrated), files: rows }, null, 2) + '\n');
    else {
      for (const r of rows) ctx.out(`${r.file}: ${metric} ${r.error.toPrecision(4)} (p = ${r.pValueBefore.toPrecision(3)} under the synthetic calibration)\n`);
      ctx.out(`${values.model}: ${calibrationInForce(calibrated)}; NOVEL below p = ${pThreshold} (${metric} above ${calibrated.calibration.errorThreshold.toPrecision(4)})\n`);
    }
    return 0;
  },
};
