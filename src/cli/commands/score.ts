import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseBackend, parseCommandArgs, parseProbability, parseThreads } from '../args';
import { ScoringPool, defaultScoringThreads } from '../../worker/scoring-pool';
import { SCORING_TIME_LIMIT_SECONDS, type ItemResult } from '../../protocol/scoring';
import { UserError } from '../../core/diagnostics';
import { initBackend } from '../../core/model/backend';
import { loadModel, noveltyMeaning } from '../../core/model/store';
import { Scorer, type PatternScore } from '../../core/model/score';
import { readPatternFile } from '../../core/formats';
import { failureMessage } from '../io';
import { calibrationInForce } from '../../core/model/novelty-calibration';
import { BACKGROUND_METHODS, DEFAULT_PREPROCESS_OPTIONS, type BackgroundMethod, type PreprocessStep } from '../../core/preprocess/prepare';
import { isCollectionFile, scoreCollectionFiles } from './score-collection';
import { MIN_MEASURED_GRID_POINTS } from '../../core/preprocess/input';
import { UNEXPLAINED_PEAK_DEFAULTS, unexplainedSummary } from '../../core/analysis/unexplained-peaks';
import { MIN_COVERAGE_FOR_VERDICT, thresholdInForce, verdictLabel } from '../../core/analysis/verdict';
import { reliabilityState } from '../../core/model/reliability';
import { COLLECTION_COLOURINGS } from '../../shared/collection-map';

/** Files past which `score` uses worker threads without being asked. */
const PARALLEL_FILES = 16;

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Score pattern files against a trained model: latent position, errors, p-value, verdict, nearest phase',
  usage: [
    'latent-xrd score --model DIR FILE… [--json] [--backend auto|wasm|cpu] [--threshold p]',
    '                 [--background als|rolling-ball|polynomial|none] [--strip-kalpha2] [--threads N|all]',
    '',
    `More than ${PARALLEL_FILES} files (or any number with --threads) are read and scored on worker threads (default`,
    `all cores), each file under a time limit of ${SCORING_TIME_LIMIT_SECONDS} s; the results are listed in the order given.`,
    'A collection of over 128 samples is scored on them too.',
    'Each file (two columns: 2θ, intensity) is prepared exactly as the model\'s training and',
    'calibration patterns were (the model records it: training.preprocessing): Kα2 stripped',
    '(Rachinger) if they were, converted to the model\'s wavelength when the file states another',
    '(a file without one is taken to be at the model\'s), resampled onto the model\'s grid by bin',
    'averages (peak areas kept), background subtracted as recorded (als: asymmetric least',
    'squares; rolling-ball; polynomial: the paper\'s 4th degree; none) and scaled to [0, 1]; the',
    'steps are listed with its score. --background and --strip-kalpha2 may only repeat the',
    'model\'s choice: a pattern prepared otherwise has no meaningful p-value, so a different one',
    `is refused (exit 2). Models saved before preprocessing was recorded use the flags (default`,
    `${DEFAULT_PREPROCESS_OPTIONS.background}, Kα2 kept). The p-value is`,
    'Bonferroni\'s combination of two, each the fraction of held-out known patterns at least as',
    'surprising: by reconstruction error (pValueError) and by unexplained lines (pValueLines);',
    'below the threshold the verdict is "novel" (the model\'s own threshold; --threshold p',
    'overrides it, and the output says which is in force). A file covering part of the model\'s',
    '2θ range is scored over the covered part only (its coverage is listed); below',
    `${MIN_COVERAGE_FOR_VERDICT * 100} % coverage its verdict is "outside-range", neither known nor novel. A model whose own`,
    'held-out checks fell short at training is reported unreliable, with the reasons, and its',
    'verdicts read "KNOWN (unreliable model)". Under each score are the unexplained peaks',
    '(unexplainedPeaks in --json): lines of the prepared pattern the reconstruction leaves',
    `unexplained, ${UNEXPLAINED_PEAK_DEFAULTS.k}σ above the pattern's noise, each with 2θ, d (Bragg, at the model's`,
    'wavelength) and height relative to the strongest line; a NOVEL verdict without one differs',
    'from the model in the shape of its lines or its background. A file that cannot be read or scored',
    '(a damaged file, or one with too little data in the model\'s 2θ range: fewer than',
    `${MIN_MEASURED_GRID_POINTS} of its grid points measured, or one intensity throughout) is listed with its`,
    'error, the others are scored, and the exit code is 1.',
    '',
    'DIR may hold the model as ONNX (written by `latent-xrd export --onnx`, or a model trained',
    'elsewhere in its place: its manifest names the files): it is scored alike.',
    '',
    `latent-xrd score --model DIR LIBRARY.xrd… [--json] [--map FILE.svg] [--colour-by ${COLLECTION_COLOURINGS.join('|')}]:`,
    'an .xrd collection is scored sample by sample (id, x, y, composition beside each score); a',
    'conditional model (cVAE) is fed each sample\'s composition over its elements. --map writes',
    'the library map as the editor draws it (wafer, or ternary diagram without positions). A',
    'sample that cannot be scored is listed with its error (and the exit code is 1).',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('score', argv, {
      model: { type: 'string', short: 'm' },
      json: { type: 'boolean' },
      backend: { type: 'string' },
      background: { type: 'string' },
      'strip-kalpha2': { type: 'boolean' },
      map: { type: 'string' },
      'colour-by': { type: 'string' },
      threshold: { type: 'string' },
      threads: { type: 'string' },
    });
    const threads = parseThreads('--threads', values.threads, defaultScoringThreads());
    const background = values.background;
    if (background !== undefined && !BACKGROUND_METHODS.includes(background as BackgroundMethod)) {
      throw new UserError(`score: --background must be one of ${BACKGROUND_METHODS.join(', ')}; got "${background}"`);
    }
    // Only what was asked for: the model's record fills in the rest, and a flag that contradicts it is refused.
    const preprocess = { background: background as BackgroundMethod | undefined, stripKAlpha2: values['strip-kalpha2'] };
    if (!values.model) throw new UserError('score: name the model folder with --model DIR');
    if (positionals.length === 0) throw new UserError('score: name at least one pattern file');
    const override = values.threshold === undefined ? undefined : parseProbability('--threshold', values.threshold);
    await initBackend(parseBackend(values.backend));
    const model = await loadModel(resolve(ctx.cwd, values.model));
    // Checked once, before any file: a flag the model refuses is the command's error, not each file's.
    new Scorer(model).preprocessOptions(preprocess, 'score: --background / --strip-kalpha2');
    const threshold = thresholdInForce(model.manifest, override, '--threshold');
    const modelRef = { dir: resolve(ctx.cwd, values.model), created: model.manifest.created, name: values.model, backend: parseBackend(values.backend) };
    if (positionals.some(isCollectionFile)) return scoreCollectionFiles(ctx, model, values.model, positionals, !!values.json, preprocess, { map: values.map, colourBy: values['colour-by'] }, threshold, { threads, model: modelRef, always: values.threads !== undefined });
    if (model.manifest.kind === 'cvae') throw new UserError(`${values.model}: a conditional model needs compositions: score an .xrd collection whose samples have them (latent-xrd import makes one)`);
    const scorer = new Scorer(model, { threshold });
    const reliability = reliabilityState(model.manifest);
    const results: ({ file: string; verdictLabel: string; steps: string[]; operations?: PreprocessStep[]; coverage: number } & PatternScore | { file: string; error: string })[] = [];
    // On worker threads when asked (--threads), or by default when there are enough files to be
    // worth starting them (each loads the model); a few files are scored here, at once.
    const onThreads = threads > 1 && positionals.length > 1 && (values.threads !== undefined || positionals.length > PARALLEL_FILES);
    if (onThreads) {
      // Read, prepared and scored in worker threads, a share of the files each; in input order.
      const pool = new ScoringPool(threads);
      let scored: ItemResult[];
      try {
        const settings = { model: modelRef, preprocessing: preprocess, pThreshold: override, pThresholdName: '--threshold' };
        scored = await pool.score(positionals.map((file) => ({ kind: 'file' as const, path: resolve(ctx.cwd, file), name: file })), settings);
      } finally {
        pool.dispose();
      }
      scored.forEach((r, i) => {
        const file = positionals[i];
        // The worker's error names the file, as the readers' errors do on this thread.
        if (r.gone) results.push({ file, error: `${file}: no such file` });
        else if (r.error || !r.score) results.push({ file, error: r.error ?? `${file}: not scored` });
        else results.push({ file, ...r.score, verdictLabel: verdictLabel(r.score.verdict, reliability.reliable), coverage: r.coverage!, steps: r.steps!, operations: r.operations });
      });
    }
    for (const file of onThreads ? [] : positionals) {
      try {
        const measured = readPatternFile(resolve(ctx.cwd, file), file);
        const { score, prepared } = scorer.scoreMeasured(measured, preprocess);
        results.push({ file, ...score, verdictLabel: verdictLabel(score.verdict, reliability.reliable), coverage: prepared.coverage, steps: prepared.steps, operations: prepared.operations });
      } catch (e) {
        // Whatever went wrong with this file is this file's result; the others are still scored.
        results.push({ file, error: failureMessage(e) });
      }
    }
    if (values.json) {
      const { pThreshold, source, description } = threshold;
      ctx.out(
        JSON.stringify({ model: values.model, phases: model.manifest.phases, novelMeans: noveltyMeaning(model.manifest), calibration: calibrationInForce(model.manifest), threshold: { pThreshold, source, description }, reliability, results }, null, 2) + '\n',
      );
    } else {
      // An unreliable model is said first, before any verdict; an unknown one in the closing line.
      if (reliability.reliable === false) ctx.out(`WARNING: model ${values.model}: ${reliability.summary}\n${reliability.reasons.map((r) => `  - ${r}\n`).join('')}`);
      for (const r of results) {
        if ('error' in r) ctx.out(`${r.file}: not scored — ${r.error}\n`);
        else {
          const against = r.calibratedOver === 'whole-range' ? "; p against whole patterns, a bound: the model keeps no calibration patterns to cut alike" : '';
          const covers = r.coverage < 1 ? `, scored over the ${(100 * r.coverage).toFixed(0)} % of the model's 2θ range it covers${against}` : '';
          ctx.out(
            `${r.file}: ${r.verdictLabel} (p = ${r.pValue.toPrecision(3)}), excess BCE ${r.bceExcess.toPrecision(3)} (BCE ${r.bce.toPrecision(4)}), MSE ${r.mse.toPrecision(3)}, ` +
              `latent (${r.latent.map((v) => v.toFixed(3)).join(', ')}), nearest known phase ${r.nearestPhase}${covers}\n`,
          );
          const where = unexplainedSummary(r.unexplainedPeaks ?? [], r.verdict === 'novel');
          if (where) ctx.out(`  ${where}\n`);
          for (const step of r.steps) ctx.out(`  - ${step}\n`);
        }
      }
      ctx.out(`(${noveltyMeaning(model.manifest)}; novel at ${threshold.description}; ${calibrationInForce(model.manifest)}${reliability.reliable === null ? `; ${reliability.summary}` : ''}.)\n`);
    }
    return results.some((r) => 'error' in r) ? 1 : 0;
  },
};
