import { join } from 'node:path';
import { readStructureFile } from '../crystal/structure';
import { Random } from '../util/random';
import { DEFAULT_AUGMENTATION } from './augmentation';
import { buildPhaseModels } from './dataset';
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
