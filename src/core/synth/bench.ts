import { join } from 'node:path';
import { readStructureFile } from '../crystal/structure';
import { Random } from '../util/random';
import { DEFAULT_AUGMENTATION } from './augmentation';
import { buildPhaseModels, localDrawer, planDataset, type DatasetPlan, type PatternDrawer } from './dataset';
import type { SynthConfig } from './config';
import { radiationFor } from './radiation';
import { Simulator } from './simulator';

export interface SynthBenchResult {
  /** Patterns drawn by the windowed renderer (the paper's three known phases, equal shares). */
  patterns: number;
  points: number;
  seconds: number;
  patternsPerSecond: number;
  /** The same patterns with every line evaluated at every grid point (timed on a sample). */
  naivePatterns: number;
  naiveSeconds: number;
  naivePatternsPerSecond: number;
  speedupOverNaive: number;
  /** Largest difference between the windowed and naive patterns on the sample ([0, 1] scale). */
  maxDifferenceFromNaive: number;
}

/** The paper's three known phases (fcc Ni, bcc Cr, hcp Co) from examples/paper-demo, with
 * the windowed (or naive) simulator every benchmark draws them with: Cu Kα, full augmentation. */
export function paperSimulator(examplesDir: string, grid: { min: number; max: number; points: number }, naive = false): Simulator {
  const phases = ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif'].map((f) => ({ name: f, role: 'known' as const, file: f, structure: readStructureFile(join(examplesDir, f)).structures[0] }));
  const radiation = radiationFor('CuKa');
  const models = buildPhaseModels({ phases, grid, radiation, augmentation: DEFAULT_AUGMENTATION });
  return new Simulator({ phases: models, grid, radiation, augmentation: DEFAULT_AUGMENTATION, naive });
}

/**
 * The synthesis benchmark: the paper's known phases (fcc Ni, bcc Cr, hcp Co from
 * examples/paper-demo), Cu Kα doublet, 2θ 20–90°, 2048 points, full augmentation, drawn in
 * memory on one thread. The naive reference draws the same patterns (same seeds) with every
 * peak evaluated at every grid point, so the ratio is measured in the same run.
 */
export function benchSynth(options: { patterns?: number; naivePatterns?: number; examplesDir: string; points?: number }): SynthBenchResult {
  const total = options.patterns ?? 15000;
  const naiveTotal = options.naivePatterns ?? 300;
  const grid = { min: 20, max: 90, points: options.points ?? 2048 };
  const out = new Float32Array(grid.points);

  const run = (naive: boolean, count: number, keep?: Float32Array[]) => {
    const simulator = paperSimulator(options.examplesDir, grid, naive);
    const random = new Random(7);
    const started = process.hrtime.bigint();
    for (let n = 0; n < count; n++) {
      simulator.draw([{ phase: n % 3, fraction: 1 }], random, out);
      if (keep) keep.push(out.slice());
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
  };

  run(false, Math.min(500, total)); // warm up the JIT
  const seconds = run(false, total);
  const windowed: Float32Array[] = [];
  run(false, naiveTotal, windowed);
  const naiveKept: Float32Array[] = [];
  const naiveSeconds = run(true, naiveTotal, naiveKept);
  let maxDifference = 0;
  windowed.forEach((w, n) => {
    for (let i = 0; i < w.length; i++) maxDifference = Math.max(maxDifference, Math.abs(w[i] - naiveKept[n][i]));
  });
  const patternsPerSecond = total / seconds;
  const naivePatternsPerSecond = naiveTotal / naiveSeconds;
  return {
    patterns: total,
    points: grid.points,
    seconds,
    patternsPerSecond,
    naivePatterns: naiveTotal,
    naiveSeconds,
    naivePatternsPerSecond,
    speedupOverNaive: patternsPerSecond / naivePatternsPerSecond,
    maxDifferenceFromNaive: maxDifference,
  };
}

/** The paper's set as a plan: fcc Ni, bcc Cr, hcp Co (examples/paper-demo), Cu Kα, 2θ 20–90°, 2048 points, full augmentation. */
export function paperBenchPlan(examplesDir: string, perPhase = 5000): DatasetPlan {
  const config: SynthConfig = {
    phases: ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif'].map((cif) => ({ cif, count: perPhase })),
    grid: { twoThetaMin: 20, twoThetaMax: 90, points: 2048 },
    radiation: 'CuKa',
    seed: 7,
  };
  const { plan, diagnostics } = planDataset(config, examplesDir, join(examplesDir, 'bench-not-written.h5'));
  if (!plan) throw new Error(`the paper's benchmark set cannot be planned: ${diagnostics.map((d) => d.message).join('; ')}`);
  return plan;
}

/**
 * `count` patterns of the plan in `pieces` ranges spread evenly over it, so every job (pure
 * phases and mixtures alike) is timed, not only the first.
 */
export function benchRanges(plan: Pick<DatasetPlan, 'total'>, count: number, pieces: number): [number, number][] {
  const total = Math.min(count, plan.total);
  const parts = Math.max(1, Math.min(pieces, total));
  const ranges: [number, number][] = [];
  for (let k = 0; k < parts; k++) {
    const size = Math.floor(total / parts) + (k < total % parts ? 1 : 0);
    const first = Math.floor((k * (plan.total - size)) / Math.max(1, parts - 1 || 1));
    ranges.push([Math.min(first, plan.total - size), size]);
  }
  return ranges;
}

/** Warms a drawer: every thread builds its simulator and JIT-compiles the drawing before a clock starts. */
async function warm(drawer: PatternDrawer, ranges: [number, number][]): Promise<void> {
  await Promise.all(Array.from({ length: drawer.concurrency }, (_, k) => drawer.draw(ranges[k % ranges.length][0], Math.min(ranges[k % ranges.length][1], 300))));
}

/** Seconds a drawer takes for the ranges (all asked for at once; it runs `concurrency` at a time). */
export async function timeDrawer(drawer: PatternDrawer, ranges: [number, number][]): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all(ranges.map(([first, count]) => drawer.draw(first, count)));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export interface ThreadedSynthResult {
  set: string;
  phases: number;
  /** Reflection families per phase in the grid's range (what a pattern draws before strain and Kα2). */
  familiesPerPhase: Record<string, number>;
  /** Patterns drawn in each of the two runs (spread over the plan), on `points` grid points. */
  threadedPatterns: number;
  points: number;
  threads: number;
  oneThreadPatternsPerSecond: number;
  allThreadPatternsPerSecond: number;
  speedupOverOneThread: number;
}

/**
 * A plan's patterns drawn on one thread, then on `threads` (the same ranges, so the same
 * patterns), in one run: the rates and their ratio. `threaded` makes the many-thread drawer.
 */
export async function benchSynthThreads(
  set: string,
  plan: DatasetPlan,
  options: { patterns: number; threads: number; threaded: (plan: DatasetPlan) => PatternDrawer; passes?: number },
): Promise<ThreadedSynthResult> {
  const ranges = benchRanges(plan, options.patterns, Math.max(8, 4 * options.threads));
  const patterns = ranges.reduce((s, [, n]) => s + n, 0);
  const one = localDrawer(plan);
  const many = options.threaded(plan);
  // Alternated, best of `passes` each: on a machine others use, the best pass is the one least
  // disturbed, and both rates see the same stretch of time.
  let oneSeconds = Infinity;
  let allSeconds = Infinity;
  try {
    await warm(one, ranges);
    await warm(many, ranges);
    for (let pass = 0; pass < (options.passes ?? 2); pass++) {
      oneSeconds = Math.min(oneSeconds, await timeDrawer(one, ranges));
      allSeconds = Math.min(allSeconds, await timeDrawer(many, ranges));
    }
  } finally {
    await one.close();
    await many.close();
  }
  const models = buildPhaseModels(plan);
  const oneRate = patterns / oneSeconds;
  const allRate = patterns / allSeconds;
  return {
    set,
    phases: plan.phases.length,
    familiesPerPhase: Object.fromEntries(models.map((m) => [m.name, m.familyCount])),
    threadedPatterns: patterns,
    points: plan.grid.points,
    threads: many.concurrency,
    oneThreadPatternsPerSecond: oneRate,
    allThreadPatternsPerSecond: allRate,
    speedupOverOneThread: allRate / oneRate,
  };
}
