// The residual novelty score's calibration, made as the VAE's is (model/novelty-calibration.ts):
// a conformal p-value p = (1 + #{calibration ≥ x}) / (n + 1) against patterns known to hold only
// candidate phases. Here they are drawn by the synthetic generator from the candidate phases
// themselves (pure phases and mixtures of two or three, weight fractions as training mixtures
// draw them: synth/mixture-fractions.ts), with the generator's augmentation, on the grid the
// measured patterns are explained on, and fitted exactly as a measured pattern is. Their Rwp and
// unexplained-line sums are the reference the two parts of the p-value are read against
// (analysis/novelty-statistic.ts: Bonferroni's combination, as for the VAE). Deterministic: a
// fixed seed, so the same candidates give the same calibration.
import { Random } from '../util/random';
import { Simulator, type PhaseShare } from '../synth/simulator';
import { DEFAULT_MINIMUM_WEIGHT_FRACTION, drawWeightFractions } from '../synth/mixture-fractions';
import { volumeFractionsFromWeights } from '../synth/phase-scale';
import { sortedCopy } from '../analysis/metrics';
import type { Explainer, ResidualCalibration } from './explain';

/** Calibration patterns by default: p-values down to 2/100 for the combined score. */
export const DEFAULT_CALIBRATION_PATTERNS = 99;
/** The seed calibration patterns are drawn with (apart from the tests' and the threshold selection's). */
export const CALIBRATION_SEED = 170_017;
/** The most phases a calibration mixture holds. */
const MOST_PHASES = 3;

/** Draws the phase shares of `count` known patterns (1…3 candidate phases, uniformly many). */
export function drawKnownShares(phases: number, densities: ArrayLike<number>, count: number, random: Random): PhaseShare[][] {
  const out: PhaseShare[][] = [];
  for (let n = 0; n < count; n++) {
    const k = 1 + random.int(Math.min(MOST_PHASES, phases));
    const chosen: number[] = [];
    // k distinct phases: a partial Fisher–Yates over the phase indices.
    const order = Array.from({ length: phases }, (_, i) => i);
    for (let j = 0; j < k; j++) {
      const pick = j + random.int(phases - j);
      [order[j], order[pick]] = [order[pick], order[j]];
      chosen.push(order[j]);
    }
    const weights = k === 1 ? Float64Array.of(1) : drawWeightFractions(DEFAULT_MINIMUM_WEIGHT_FRACTION, random, new Float64Array(k));
    const volumes = volumeFractionsFromWeights(weights, chosen.map((p) => densities[p]), new Float64Array(k));
    out.push(chosen.map((phase, j) => ({ phase, fraction: volumes[j] })));
  }
  return out;
}

/** The explainer's residual calibration: `count` generator patterns of its candidates, fitted as measured ones are. */
export function calibrateResidual(explainer: Explainer, count = DEFAULT_CALIBRATION_PATTERNS, seed = CALIBRATION_SEED, onProgress?: (done: number) => void): ResidualCalibration {
  const { grid, radiation } = explainer.setup;
  const models = explainer.decomposer.models;
  const simulator = new Simulator({ phases: models, grid, radiation, augmentation: explainer.decomposer.augmentation });
  const random = new Random(seed);
  const densities = explainer.cells.map((c) => c.zm / c.volume);
  const shares = drawKnownShares(models.length, densities, count, random);
  const pattern = new Float32Array(grid.points);
  const rwp: number[] = [];
  const lineSums: number[] = [];
  const saved = explainer.calibration;
  explainer.calibration = undefined;
  try {
    shares.forEach((share, i) => {
      simulator.draw(share, random, pattern);
      const explained = explainer.explain(pattern);
      rwp.push(explained.rwp);
      lineSums.push(explained.unexplainedLineSum);
      onProgress?.(i + 1);
    });
  } finally {
    explainer.calibration = saved;
  }
  return {
    rwp: Array.from(sortedCopy(Float64Array.from(rwp))),
    lineSums: Array.from(sortedCopy(Float64Array.from(lineSums))),
    source: `${count} generator patterns of the ${models.length} candidate phases (1–${MOST_PHASES} phases each, seed ${seed})`,
  };
}
