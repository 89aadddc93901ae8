// latent-xrd explain: which known phases a measured pattern holds, how much of each by weight, their
// refined cells, how well they fit, and what is left unexplained — a physical decomposition beside
// the VAE's verdict (core/decomposition).
import { resolve } from 'node:path';
import type { Command, CommandContext } from '../args';
import { parseBackend, parseCommandArgs, parseInteger, parseProbability, parseTwoThetaRange, parseGridPoints } from '../args';
import { UserError } from '../../core/diagnostics';
import { readPatternFile } from '../../core/formats';
import { failureMessage, readUserFile } from '../io';
import { radiationFor } from '../../core/synth/radiation';
import type { Grid } from '../../core/diffraction/render';
import type { CandidatePhase } from '../../core/decomposition/fit';
import { Explainer, type Explanation } from '../../core/decomposition/explain';
import { candidateFromCif, candidatesFromModel, mergeCandidates } from '../../core/decomposition/candidates';
import { DEFAULT_CALIBRATION_PATTERNS, calibrateResidual } from '../../core/decomposition/calibration';
import { PRESENCE_THRESHOLDS } from '../../core/decomposition/presence';
import { describePeak } from '../../core/analysis/unexplained-peaks';
import type { AugmentationConfig } from '../../core/synth/augmentation';
import type { Radiation } from '../../core/synth/simulator';
import { initBackend } from '../../core/model/backend';
import { loadModel } from '../../core/model/store';
import { Scorer } from '../../core/model/score';
import type { PatternScore } from '../../core/model/score-result';
import { thresholdInForce, verdictLabel, verdictOfBothAgents, type ThresholdInForce } from '../../core/analysis/verdict';

/** Whose p-value a verdict read, for people. */
const HEARD = { vae: "the VAE's p-value", residual: "the decomposition's residual p-value", vaeOrResidual: 'both agents by Bonferroni' } as const;

/** Without a model: the file's own range, at most this many points (0.02° or coarser). */
const MAX_OWN_GRID_POINTS = 4096;
const OWN_GRID_STEP = 0.02;

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Decompose patterns into known phases: presence, weight fractions, refined cells, Rwp, unexplained peaks, residual p-value',
  usage: [
    'latent-xrd explain --model DIR FILE… [--cif PHASE.cif]… [--json] [--curves] [--calibration N] [--threshold p] [--backend wasm]',
    'latent-xrd explain --cif PHASE.cif… FILE… [--radiation CuKa] [--range 10:80 --points 2048] [--json]',
    '',
    'Fits each pattern as a non-negative sum of the candidate phases\' simulated patterns (drawn by',
    'the same generator as the training data) plus a smooth background: per phase a lattice scale',
    '(strain within ±4 %, keeping the crystal\'s symmetry), crystallite size and microstrain, and',
    'March–Dollase preferred orientation about the generator\'s texture axes; shared zero shift,',
    'sample displacement and instrument width. Deterministic. The candidates are the model\'s phases',
    '(their CIFs read from the config the model was trained from) on the model\'s grid; --cif adds a',
    'phase, or replaces the model\'s phase of the same name (the file name without .cif). Without',
    '--model each file is fitted on its own 2θ range (--range and --points to choose).',
    '',
    'Per file: each phase present or not (present when the fit is worse by at least',
    `${PRESENCE_THRESHOLDS.minSignificance * 100} % of its misfit without it${PRESENCE_THRESHOLDS.minWeightFraction > 0 ? ` and it has ${PRESENCE_THRESHOLDS.minWeightFraction * 100} wt % or more` : ''}), its weight fraction`,
    '(Hill & Howard: w ∝ S·Z·M·V), refined cell, size, microstrain and texture; Rwp (unit weights)',
    'and χ² (against the residual\'s own noise); the unexplained peaks (2θ, d, height); and',
    'residualScore, a p-value calibrated like the VAE\'s on --calibration N generator patterns of the',
    `candidates fitted alike (default ${DEFAULT_CALIBRATION_PATTERNS}; 0: none, faster). --curves adds the fit to --json.`,
    'With --model the VAE scores each file too, as `score` does, and the verdict hears both agents',
    'as the measured benchmark\'s selection run chose (docs/measured-benchmark.md): `verdict` and',
    '`pValue` with `heard` naming whose p-value it is, the VAE\'s own under `vae`.',
    'A file that cannot be read or fitted is listed with its error, the others are explained, and',
    'the exit code is 1.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('explain', argv, {
      model: { type: 'string', short: 'm' },
      cif: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      curves: { type: 'boolean' },
      calibration: { type: 'string' },
      radiation: { type: 'string' },
      range: { type: 'string' },
      points: { type: 'string' },
      threshold: { type: 'string' },
      backend: { type: 'string' },
    });
    if (!values.model && !values.cif?.length) throw new UserError('explain: name the candidate phases: --model DIR (its phases) and/or --cif PHASE.cif');
    if (positionals.length === 0) throw new UserError('explain: name at least one pattern file');
    const calibrationCount = values.calibration === undefined ? DEFAULT_CALIBRATION_PATTERNS : parseInteger('--calibration', values.calibration, 0);
    const named: CandidatePhase[] = (values.cif ?? []).map((cif) => {
      readUserFile(ctx.cwd, cif); // says which file when it is missing or a folder
      return candidateFromCif(resolve(ctx.cwd, cif), cif);
    });
    let base: { phases: CandidatePhase[]; grid?: Grid; radiation: Radiation; augmentation?: AugmentationConfig } = { phases: [], radiation: radiationFor(values.radiation ?? 'CuKa') };
    if (values.model) {
      const fromModel = candidatesFromModel(resolve(ctx.cwd, values.model));
      base = { ...fromModel, radiation: values.radiation ? radiationFor(values.radiation) : fromModel.radiation };
    }
    const phases = mergeCandidates(base.phases, named);
    // With a model the VAE is heard too (the second agent of the verdict).
    let vae: { scorer: Scorer; threshold: ThresholdInForce } | undefined;
    if (values.model) {
      await initBackend(parseBackend(values.backend));
      const model = await loadModel(resolve(ctx.cwd, values.model));
      const threshold = thresholdInForce(model.manifest, values.threshold === undefined ? undefined : parseProbability('--threshold', values.threshold), '--threshold');
      vae = { scorer: new Scorer(model, { threshold }), threshold };
    } else if (values.threshold !== undefined) throw new UserError('explain: --threshold needs --model (the verdict is the model\'s)');
    const fixedGrid = base.grid ?? (values.range ? ownGrid(parseTwoThetaRange('--range', values.range), values.points) : undefined);

    // One explainer (and one calibration) per grid: with a model or --range all files share one.
    const explainers = new Map<string, Explainer>();
    const explainerFor = (grid: Grid): Explainer => {
      const key = `${grid.min}:${grid.max}:${grid.points}`;
      let explainer = explainers.get(key);
      if (!explainer) {
        explainer = new Explainer({ phases, grid, radiation: base.radiation, augmentation: base.augmentation });
        if (calibrationCount > 0) {
          ctx.err(`explain: calibrating the residual score on ${calibrationCount} generator patterns of the ${phases.length} candidates (${grid.min}–${grid.max}°)…\n`);
          explainer.calibration = calibrateResidual(explainer, calibrationCount);
        }
        explainers.set(key, explainer);
      }
      return explainer;
    };

    const results: (FileResult | { file: string; error: string })[] = [];
    for (const file of positionals) {
      try {
        const measured = readPatternFile(resolve(ctx.cwd, file), file);
        const grid = fixedGrid ?? ownGrid([measured.twoTheta[0], measured.twoTheta[measured.twoTheta.length - 1]], values.points);
        const explained = explainerFor(grid).explainMeasured(measured);
        results.push({ ...fileResult(file, explained, !!values.curves), ...(vae ? bothAgents(vae.scorer.scoreMeasured(measured).score, explained.residualScore, vae.threshold) : {}) });
      } catch (e) {
        // This file's failure is this file's result; the others are still explained.
        results.push({ file, error: failureMessage(e) });
      }
    }
    if (values.json) {
      ctx.out(JSON.stringify({ candidates: phases.map((p) => p.name), model: values.model, thresholds: PRESENCE_THRESHOLDS, results }, null, 2) + '\n');
    } else printTable(ctx, results);
    return results.some((r) => 'error' in r) ? 1 : 0;
  },
};

/** The verdict from both agents, and the VAE's own numbers beside it. */
function bothAgents(score: PatternScore, residualScore: number | undefined, threshold: ThresholdInForce) {
  const both = verdictOfBothAgents(score, residualScore, threshold);
  return {
    ...both,
    vae: { verdict: score.verdict, pValue: score.pValue, pValueError: score.pValueError, pValueLines: score.pValueLines, nearestPhase: score.nearestPhase, coverage: score.coverage },
  };
}

/** A grid over [min, max] (rounded inwards to 0.01°) at OWN_GRID_STEP or coarser, or `points` when given. */
function ownGrid([from, to]: [number, number], points?: string): Grid {
  const min = Math.ceil(from * 100) / 100;
  const max = Math.floor(to * 100) / 100;
  if (!(max > min)) throw new UserError(`the pattern's 2θ range (${from}–${to}°) is too short to fit`);
  const count = points ? parseGridPoints('--points', points) : Math.min(MAX_OWN_GRID_POINTS, Math.round((max - min) / OWN_GRID_STEP) + 1);
  return { min, max, points: count };
}

/** One file's result as --json prints it (curves only when asked). */
function fileResult(file: string, e: Explanation & { coverage: number; steps: string[] }, curves: boolean) {
  const { curves: c, seconds, ...rest } = e;
  return {
    file,
    ...rest,
    seconds,
    ...(curves ? { curves: { twoTheta: Array.from(c.twoTheta), observed: Array.from(c.observed), fit: Array.from(c.fit), background: Array.from(c.background), residual: Array.from(c.residual), phases: Object.fromEntries(e.phases.map((p, i) => [p.name, Array.from(c.phases[i])])) } } : {}),
  };
}

type FileResult = ReturnType<typeof fileResult> & Partial<ReturnType<typeof bothAgents>>;

function printTable(ctx: CommandContext, results: (FileResult | { file: string; error: string })[]): void {
  for (const r of results) {
    if ('error' in r) {
      ctx.out(`${r.file}: not explained — ${r.error}\n`);
      continue;
    }
    const p = r.residualScore === undefined ? '' : `, residual p = ${r.residualScore.toPrecision(3)}`;
    ctx.out(`${r.file}: Rwp ${(100 * r.rwp).toFixed(2)} %, χ² ${r.chi2.toPrecision(3)}${p}\n`);
    if (r.verdict && r.vae) ctx.out(`  ${verdictLabel(r.verdict)} (p = ${r.pValue!.toPrecision(3)}, ${HEARD[r.heard!]}; the VAE alone: ${verdictLabel(r.vae.verdict)}, p = ${r.vae.pValue.toPrecision(3)})\n`);
    const present = r.phases.filter((q) => q.present);
    if (!present.length) ctx.out('  no candidate phase found\n');
    for (const q of present) {
      const cell = q.cell;
      const texture = q.texture ? `, texture [${q.texture.axis.join(' ')}] r ${q.texture.marchDollaseR.toFixed(2)}` : '';
      ctx.out(
        `  ${q.name.padEnd(16)} ${(100 * q.weightFraction).toFixed(1).padStart(5)} wt %  a ${cell.a.toFixed(4)} b ${cell.b.toFixed(4)} c ${cell.c.toFixed(4)} Å  ` +
          `size ${q.crystalliteSizeNm.toFixed(0)} nm${texture}\n`,
      );
    }
    for (const peak of r.unexplainedPeaks.slice(0, 5)) ctx.out(`  unexplained: ${describePeak(peak)}\n`);
    if (r.unexplainedPeaks.length > 5) ctx.out(`  and ${r.unexplainedPeaks.length - 5} more unexplained peaks\n`);
  }
}
