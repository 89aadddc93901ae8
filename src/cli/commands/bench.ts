import { join, resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseInteger, parseBackend } from '../args';
import { UserError } from '../../core/diagnostics';
import { benchSynth, benchSynthThreads, paperBenchPlan } from '../../core/synth/bench';
import { defaultThreads, poolDrawer } from '../../worker/synth-pool';
import { loadWorkspaceConfig } from '../io';
import { benchTrain, benchScore, benchScoreThreads, scoreBenchWorkload } from '../../core/model/bench';
import { ScoringPool } from '../../worker/scoring-pool';
import { startGradientWorkers } from '../../worker/training-pool';
import type { ScoringSettings } from '../../protocol/scoring';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchWatch } from '../../core/watch/bench';
import { packageRoot, readUserFile } from '../io';
import { parseThreads } from '../args';
import { benchCif } from '../../core/cif/bench';
import { decodeCifBytes } from '../../core/cif/decode';
import { benchMeasured, benchMeasuredSelection, readMeasuredBenchDefinition, type MeasuredBenchResult } from '../../core/model/measured-bench';
import { validateTrainingSection, type TrainingConfig } from '../../core/model/training-config';
import { quoteForMessage } from '../../core/formats/located';
import { benchExplain } from '../../core/decomposition/bench';

/** Prints a result object as an aligned two-column table. */
function table(result: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  return Object.entries(result)
    .map(([k, v]) => `${k.padEnd(width)}  ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmarks: `bench synth`, `bench train`, `bench score`, `bench explain`, `bench watch`, `bench cif` (speeds against references measured in the same run)',
  usage: [
    'latent-xrd bench synth [--config latent-xrd.json] [--threads N|all] [--patterns 6000] [--naive 300] [--json]',
    '      (the paper\'s fcc/bcc/hcp set, or the phases and mixtures of your own config; the same',
    '      patterns on one thread and on --threads worker threads, default all cores: speedupOverOneThread;',
    '      with --config also its one-thread rate over the paper set\'s)',
    'latent-xrd bench train [--batches 40] [--backend wasm] [--threads N|all] [--json]',
    '      (batch 128, one thread; --threads: each one-thread epoch followed by one whose gradients N worker',
    '      threads compute (all: every core): speedupOverOneThread, and allCoreRooflineFraction against the',
    '      matMul roofline measured on every worker at once)',
    'latent-xrd bench score [--patterns 10000] [--backend wasm] [--threads N|all] [--json]',
    '      (--threads: also measured files — their own grid, prepared, scored, unexplained peaks — scored by',
    '      worker threads: one thread, then N (all: every core), the same files in the same run)',
    'latent-xrd bench explain [DEFINITION.json] [--passes 3] [--backend wasm] [--json]',
    '      (the decomposition of each measured spectrum of a measured-bench definition against all its phases,',
    '      default the XRD-AutoAnalyzer example: eight phases; seconds per spectrum on one thread, median and',
    '      p95, beside the VAE scoring the same files in the same run; and phaseSetAccuracy)',
    'latent-xrd bench cif [FILE.cif] [--json]   (default: the 27 kB organometallic of the test fixtures)',
    'latent-xrd bench watch [--files 1000] [--settle 250] [--backend wasm] [--json]   (files written by a worker thread, scored by `watch`)',
    'latent-xrd bench measured [DEFINITION.json] [--quick] [--selection] [--agents] [--training JSON] [--keep DIR] [--json]',
    '      (default: the XRD-AutoAnalyzer example in test/fixtures/xrd-autoanalyzer: measured spectra of known',
    '      phases, the product\'s default mixture-aware model of all phases and one per phase left out; --quick:',
    '      tiny models, to see it run; --selection: the left-out folds judged on synthetic patterns of the',
    '      left-out phase only, no spectrum read — the figure to choose settings on; --training: settings',
    '      instead of the defaults, e.g. \'{"latent": 8}\'; --agents: also the physical decomposition\'s residual',
    '      p-value and both agents together, calibrated as `explain` does — slow, seconds a pattern)',
    '',
    'Prints the figures as a table, or as JSON with --json. Speeds are ratios measured in the',
    'same run, so they mean the same on a busy machine.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('bench', argv, {
      json: { type: 'boolean' },
      patterns: { type: 'string' },
      naive: { type: 'string' },
      batches: { type: 'string' },
      backend: { type: 'string' },
      files: { type: 'string' },
      settle: { type: 'string' },
      quick: { type: 'boolean' },
      keep: { type: 'string' },
      selection: { type: 'boolean' },
      agents: { type: 'boolean' },
      training: { type: 'string' },
      config: { type: 'string', short: 'c' },
      threads: { type: 'string' },
      passes: { type: 'string' },
    });
    const which = positionals[0];
    const examplesDir = join(packageRoot(), 'examples', 'paper-demo');
    const backend = values.backend ? parseBackend(values.backend) : 'wasm';
    let report: Record<string, unknown>;
    if (which === 'train') {
      const workers = values.threads === undefined ? undefined : { threads: parseThreads('--threads', values.threads, defaultThreads()), start: startGradientWorkers };
      report = { benchmark: 'train', ...(await benchTrain({ examplesDir, backend, batches: values.batches ? parseInteger('--batches', values.batches, 2) : undefined, workers })) };
    } else if (which === 'score') {
      const patterns = values.patterns ? parseInteger('--patterns', values.patterns, 100) : undefined;
      report = { benchmark: 'score', ...(await benchScore({ examplesDir, backend, patterns })) };
      if (values.threads !== undefined) report = { ...report, ...(await benchScoreOnThreads(examplesDir, backend, parseThreads('--threads', values.threads, defaultThreads()), Math.min(patterns ?? 2048, 4096))) };
    } else if (which === 'watch') {
      const files = values.files ? parseInteger('--files', values.files, 1) : undefined;
      const settleMs = values.settle ? parseInteger('--settle', values.settle, 0) : undefined;
      report = { benchmark: 'watch', ...(await benchWatch({ examplesDir, backend, files, settleMs })) };
    } else if (which === 'cif') {
      const file = positionals[1] ?? join(packageRoot(), 'test', 'fixtures', 'cif', 'syntax', '1100980.cif');
      report = { benchmark: 'cif', ...benchCif(decodeCifBytes(readUserFile(ctx.cwd, file)), file) };
    } else if (which === 'measured') {
      const definitionPath = positionals[1] ? resolve(ctx.cwd, positionals[1]) : join(packageRoot(), 'test', 'fixtures', 'xrd-autoanalyzer', 'measured-bench.json');
      const options = {
        definitionPath,
        scale: values.quick ? ('quick' as const) : ('full' as const),
        backend,
        workDir: values.keep && resolve(ctx.cwd, values.keep),
        training: values.training === undefined ? undefined : parseTrainingOverride(values.training, readMeasuredBenchDefinition(definitionPath).grid.points),
        agents: !!values.agents,
        onStage: (m: string) => ctx.err(`${m}\n`),
      };
      if (values.selection) {
        const { folds, settings: _, statistics, agents, ...headline } = await benchMeasuredSelection(options);
        const result = { ...headline, statistics, ...(agents ? { agents } : {}), folds };
        const agentsText = agents ? `\n\n${statisticsTable({ asTrained: agents.asTrained, widened: agents.widened })}\nchosen by the rule: ${agents.chosen}` : '';
        ctx.out(values.json ? JSON.stringify(result, null, 2) + '\n' : `${table(headline)}\n\n${statisticsTable(statistics)}${agentsText}\n\n${folds.map((f) => `${f.phase.padEnd(15)} synthetic AUROC ${f.auroc.toFixed(3)}  KNN ${f.knnAccuracy.toFixed(3)}`).join('\n')}\n`);
        return 0;
      }
      const result = await benchMeasured(options);
      ctx.out(values.json ? JSON.stringify(result, null, 2) + '\n' : measuredTable(result) + '\n');
      return 0;
    } else if (which === 'explain') {
      const definitionPath = positionals[1] ? resolve(ctx.cwd, positionals[1]) : join(packageRoot(), 'test', 'fixtures', 'xrd-autoanalyzer', 'measured-bench.json');
      const { results, settings: _, ...headline } = await benchExplain({ definitionPath, backend, passes: values.passes ? parseInteger('--passes', values.passes, 1) : undefined });
      const rows = results.map((r) => `${r.file.padEnd(32)} ${(r.phases.join(' + ') || 'none of the CIFs').padEnd(34)} ${r.error ? `error: ${r.error}` : `${r.exact ? 'exact' : '     '}  ${r.found.map((f) => `${f.name} ${(100 * f.weightFraction).toFixed(0)} %`).join(', ') || 'none'}`}`);
      ctx.out(values.json ? JSON.stringify({ ...headline, results }, null, 2) + '\n' : `${table(headline)}\n\n${'spectrum'.padEnd(32)} ${'holds'.padEnd(34)} found\n${rows.join('\n')}\n`);
      return 0;
    } else if (which === 'synth') {
      report = { benchmark: 'synth', ...(await runSynth(ctx, values)) };
    } else throw new UserError(`bench: name a benchmark: synth, train, score, explain, watch, cif or measured${which ? ` (not "${which}")` : ''}`);
    ctx.out(values.json ? JSON.stringify(report, null, 2) + '\n' : table(report) + '\n');
    return 0;
  },
};

/** The selection run's candidate statistics: AUROC and the rates at the threshold, as trained and widened. */
function statisticsTable(statistics: Record<string, Record<string, { auroc: number; falsePositiveRate: number; truePositiveRate: number }>>): string {
  const rows = Object.entries(statistics).flatMap(([set, byStatistic]) =>
    Object.entries(byStatistic).map(([name, m]) => `${set.padEnd(10)} ${name.padEnd(17)} ${m.auroc.toFixed(3).padStart(6)} ${m.falsePositiveRate.toFixed(3).padStart(6)} ${m.truePositiveRate.toFixed(3).padStart(6)}`),
  );
  return [`${'set'.padEnd(10)} ${'statistic'.padEnd(17)} ${'AUROC'.padStart(6)} ${'FPR'.padStart(6)} ${'TPR'.padStart(6)}`, ...rows].join('\n');
}

async function runSynth(ctx: Parameters<Command['run']>[1], values: { patterns?: string; naive?: string; config?: string; threads?: string }) {
  const examplesDir = join(packageRoot(), 'examples', 'paper-demo');
  const threads = parseThreads('--threads', values.threads, defaultThreads());
  const patterns = values.patterns ? parseInteger('--patterns', values.patterns, 1) : 6000;
  const threaded = poolDrawer(threads);
  const paper = paperBenchPlan(examplesDir);
  if (values.config) {
    const { plan } = loadWorkspaceConfig(ctx, values.config);
    const own = await benchSynthThreads(values.config, plan, { patterns, threads, threaded });
    const paperOne = await benchSynthThreads('paper (fcc Ni, bcc Cr, hcp Co)', paper, { patterns, threads: 1, threaded: poolDrawer(1) });
    return {
      ...own,
      familiesPerPhase: JSON.stringify(own.familiesPerPhase),
      paperSetOneThreadPatternsPerSecond: paperOne.oneThreadPatternsPerSecond,
      oneThreadRateOverPaperSet: own.oneThreadPatternsPerSecond / paperOne.oneThreadPatternsPerSecond,
    };
  }
  const windowed = benchSynth({
    examplesDir,
    patterns: values.patterns ? parseInteger('--patterns', values.patterns, 1) : undefined,
    naivePatterns: values.naive ? parseInteger('--naive', values.naive, 1) : undefined,
  });
  const own = await benchSynthThreads('paper (fcc Ni, bcc Cr, hcp Co)', paper, { patterns, threads, threaded });
  return { ...windowed, ...own, familiesPerPhase: JSON.stringify(own.familiesPerPhase) };
}

/** Measured files scored by a pool of scoring workers on one thread, then on `threads`. */
async function benchScoreOnThreads(examplesDir: string, backend: ReturnType<typeof parseBackend>, threads: number, patterns: number) {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-bench-score-'));
  try {
    const { created, measured } = await scoreBenchWorkload(examplesDir, join(dir, 'model'), patterns, backend);
    const settings: ScoringSettings = { model: { dir: join(dir, 'model'), created, name: 'bench model', backend }, preprocessing: {} };
    const items = measured.map((m, i) => ({ kind: 'measured' as const, measured: m, name: `pattern-${i}.xy` }));
    const result = await benchScoreThreads(patterns, threads, (n) => {
      const pool = new ScoringPool(n);
      return {
        run: async () => {
          const results = await pool.score(items, settings);
          const failed = results.find((r) => r.error);
          if (failed) throw new Error(`bench score: a pattern was not scored: ${failed.error}`);
        },
        close: () => pool.dispose(),
      };
    });
    return { measuredPatterns: result.patterns, threads: result.threads, oneThreadPatternsPerSecond: result.oneThreadPatternsPerSecond, allThreadPatternsPerSecond: result.allThreadPatternsPerSecond, speedupOverOneThread: result.speedupOverOneThread };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The headline figures, then one line per spectrum and per left-out phase. */
export function measuredTable(r: MeasuredBenchResult): string {
  const { spectra, heldOut, settings: _, decomposition, ...headline } = r;
  const p = (v: number | undefined) => (v === undefined ? '—' : v.toPrecision(3));
  return [
    table(headline),
    '',
    'spectrum (phases)                          verdict  p        p error  p lines  nearest known phase',
    ...spectra.map((s) => `${`${s.file} (${s.phases.join(' + ') || 'none of the CIFs'})`.padEnd(42)} ${s.error ? `error: ${s.error}` : `${(s.verdict ?? '').padEnd(8)} ${p(s.pValue).padEnd(8)} ${p(s.pValueError).padEnd(8)} ${p(s.pValueLines).padEnd(8)} ${s.nearestPhase}`}`),
    '',
    'left out        AUROC  by error  by residual  both agents  holding it: NOVEL  others: NOVEL',
    ...heldOut.map(
      (h) =>
        `${h.phase.padEnd(15)} ${p(h.auroc).padEnd(6)} ${p(h.aurocByError).padEnd(9)} ${p(h.aurocByResidual).padEnd(12)} ${p(h.aurocAgents).padEnd(12)} ${`${h.novelHolding}/${h.positives}`.padEnd(18)} ${h.novelWithout}/${h.negatives}`,
    ),
    '',
    'spectrum (phases)                          decomposition: residual p, phases found',
    ...decomposition.map(
      (d) =>
        `${`${d.file} (${d.phases.join(' + ') || 'none of the CIFs'})`.padEnd(42)} ${d.error ? `error: ${d.error}` : `${p(d.residualScore).padEnd(8)} ${d.exact ? 'exact ' : ''}${d.found.map((f) => `${f.name} ${(100 * f.weightFraction).toFixed(0)} %`).join(', ') || 'none'}`}`,
    ),
  ].join('\n');
}

/** `--training '{"latent": 8}'`: training settings checked as the config's training section is. */
function parseTrainingOverride(text: string, gridPoints: number): Partial<TrainingConfig> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`bench measured: --training expects a JSON object of training settings, e.g. '{"latent": 8}'; got ${quoteForMessage(text)}`);
  }
  const problems: string[] = [];
  validateTrainingSection(value, (path, message) => problems.push(`${path.join('.')}: ${message}`), gridPoints);
  if (problems.length) throw new UserError(`bench measured: --training: ${problems.join('; ')}`);
  return value as Partial<TrainingConfig>;
}
