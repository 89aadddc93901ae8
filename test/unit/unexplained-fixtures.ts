// A small model trained on simulated Ni (and optionally Co) patterns, and measured-like draws to
// score with it, with or without a line the model never saw. Used by the unexplained-peaks test
// and by the selection run that chose the detection defaults (scripts/select-unexplained-peaks.ts),
// so both see the same kind of data: the training generator's own, never the measured spectra.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { Random } from '../../src/core/util/random';
import { DEFAULT_AUGMENTATION, Simulator, buildPhaseModel, radiationFor, type AugmentationConfig } from '../../src/core/synth';
import { gridValues, type Grid } from '../../src/core/diffraction/render';
import { buildVae, encodeAndReconstruct } from '../../src/core/model/vae';
import { trainVae } from '../../src/core/model/train';
import { Scorer } from '../../src/core/model/score';
import { prepareForModel } from '../../src/core/preprocess/prepare';
import { CU_KALPHA1 } from '../../src/core/preprocess/options';
import type { MeasuredPattern } from '../../src/core/formats/pattern';
import type { ModelSpec } from '../../src/core/model/architecture';
import { testManifest } from './model-fixtures';

/** The demo's CIFs: from out/test/unit when built as a test, else from the working folder (the selection script). */
export const examples = [join(__dirname, '../../../examples/paper-demo'), join(process.cwd(), 'examples/paper-demo')].find((d) => existsSync(d))!;

export interface Phases {
  grid: Grid;
  files: string[];
  simulator: Simulator;
  /** The same phases with nothing varied, no background and no noise: where their lines are. */
  ideal: Simulator;
}

export function phases(files: string[], grid: Grid, augmentation: AugmentationConfig = DEFAULT_AUGMENTATION): Phases {
  const radiation = radiationFor('CuKa');
  const models = files.map((f) => buildPhaseModel(f, readStructures(readFileSync(join(examples, f), 'utf8')).structures[0], { wavelength: radiation.kalpha1, twoThetaMax: grid.max + 5, textureAxes: augmentation.textureAxes }));
  return {
    grid,
    files,
    simulator: new Simulator({ phases: models, grid, radiation, augmentation }),
    ideal: new Simulator({ phases: models, grid, radiation, augmentation, ideal: true }),
  };
}

/** One simulated pattern of phase `phase` as a measured file would give it (background, noise). */
export function drawMeasured(p: Phases, phase: number, seed: number): MeasuredPattern {
  const out = new Float32Array(p.grid.points);
  p.simulator.draw([{ phase, fraction: 1 }], new Random(seed), out);
  return { twoTheta: gridValues(p.grid), intensity: Float64Array.from(out), wavelength: CU_KALPHA1 };
}

/** The phase's ideal pattern (lines only), scaled to a maximum of 1. */
export function idealPattern(p: Phases, phase: number): Float32Array {
  const out = new Float32Array(p.grid.points);
  p.ideal.draw([{ phase, fraction: 1 }], new Random(1), out);
  return out;
}

/**
 * `measured` with a Gaussian line of FWHM `fwhmDeg` at `twoTheta`, `height` times the tallest
 * line above the pattern's lowest point (so its height relative to the strongest line is known).
 */
export function withLine(measured: MeasuredPattern, twoTheta: number, height: number, fwhmDeg: number): MeasuredPattern {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of measured.intensity) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const s = fwhmDeg / (2 * Math.sqrt(2 * Math.LN2));
  const amplitude = height * (hi - lo);
  return { ...measured, intensity: measured.intensity.map((v, i) => v + amplitude * Math.exp(-0.5 * ((measured.twoTheta[i] - twoTheta) / s) ** 2)) };
}

/**
 * A 2θ at least `clearDeg` from every line of the phase's ideal pattern above 0.5 % of its
 * strongest, and inside [min + margin, max − margin]; undefined after 200 tries.
 */
export function clearPosition(p: Phases, phase: number, random: Random, clearDeg = 1, margin = 3): number | undefined {
  const ideal = idealPattern(p, phase);
  const x = gridValues(p.grid);
  for (let attempt = 0; attempt < 200; attempt++) {
    const t = random.uniform(p.grid.min + margin, p.grid.max - margin);
    let clear = true;
    for (let i = 0; i < x.length && clear; i++) if (Math.abs(x[i] - t) < clearDeg && ideal[i] > 0.005) clear = false;
    if (clear) return t;
  }
  return undefined;
}

/**
 * A model trained on `perPhase` simulated patterns of each phase, each prepared exactly as
 * scoring prepares a measured file; calibrated on as many more. Small and quick: for tests.
 */
export function trainedScorer(p: Phases, options: { perPhase: number; epochs: number; spec?: Partial<ModelSpec>; seed?: number }): Scorer {
  const { grid } = p;
  const spec: ModelSpec = { points: grid.points, hidden: [128, 48], latent: 4, compositionElements: [], beta: 1, ...options.spec };
  const seed = options.seed ?? 1;
  const prepared = (count: number, offset: number) => {
    const data = new Float32Array(count * p.files.length * grid.points);
    const labels: number[] = [];
    for (let k = 0; k < count * p.files.length; k++) {
      const phase = k % p.files.length;
      data.set(prepareForModel(drawMeasured(p, phase, offset + k), grid, { modelWavelength: CU_KALPHA1 }).pattern, k * grid.points);
      labels.push(phase);
    }
    return { patterns: data, count: count * p.files.length, labels };
  };
  const train = prepared(options.perPhase, seed * 1_000_000);
  const validation = prepared(Math.max(20, options.perPhase >> 2), seed * 1_000_000 + 500_000);
  const models = buildVae(spec, seed);
  trainVae(models, train, validation, { epochs: options.epochs, batchSize: 64, learningRate: 2e-3, patience: 0, seed, klWarmupEpochs: Math.min(10, options.epochs >> 1), schedule: 'cosine' });
  const encodedTrain = encodeAndReconstruct(models, train.patterns, train.count);
  const encodedValidation = encodeAndReconstruct(models, validation.patterns, validation.count);
  const errors = Array.from(encodedValidation.bceExcess).sort((a, b) => a - b);
  const manifest = testManifest(spec, {
    grid,
    wavelength: CU_KALPHA1,
    phases: p.files.map((f) => f.replace(/\.cif$/, '')),
    reference: { latent: Array.from(encodedTrain.mean), labels: train.labels },
    calibration: { metric: 'bceExcess', errors, pThreshold: 0.01, errorThreshold: errors[Math.floor(0.99 * (errors.length - 1))] },
  });
  return new Scorer({ manifest, members: [models] });
}
