// Shared by the preprocessing tests: reading the copied measured patterns, drawing simulated
// ones with our engine, and finding peaks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPattern } from '../../src/core/formats';
import type { MeasuredPattern } from '../../src/core/formats/pattern';
import { readStructures } from '../../src/core/crystal/structure';
import { Random } from '../../src/core/util/random';
import { DEFAULT_AUGMENTATION, Simulator, buildPhaseModel, type AugmentationConfig, type Radiation } from '../../src/core/synth';
import type { Grid } from '../../src/core/diffraction/render';

const root = join(__dirname, '../../..');
export const fixtures = join(root, 'test/fixtures/patterns');
const examples = join(root, 'examples/paper-demo');

export function readFixture(name: string): MeasuredPattern {
  const bytes = readFileSync(join(fixtures, name));
  return readPattern(bytes, name);
}

/** Nothing varies, no background, no noise: the peaks alone. */
export const STILL: AugmentationConfig = {
  ...DEFAULT_AUGMENTATION,
  isotropicStrain: 0, anisotropicStrain: 0, sampleDisplacementMm: 0, zeroShiftDeg: 0,
  textureProbability: 0, debyeWallerB: 0,
  backgroundConstant: 0, backgroundLinear: 0, backgroundQuadratic: 0, humpAmplitude: 0,
  axialAsymmetry: 0, airScatter: 0,
  peakCounts: 1e16, gaussianNoise: 0,
};

export function simulate(cif: string, grid: Grid, radiation: Radiation, augmentation = STILL, seed = 1): Float32Array {
  const structure = readStructures(readFileSync(join(examples, cif), 'utf8')).structures[0];
  const phase = buildPhaseModel(cif, structure, { wavelength: radiation.kalpha1, twoThetaMax: Math.min(179, grid.max + 5), textureAxes: augmentation.textureAxes });
  const out = new Float32Array(grid.points);
  new Simulator({ phases: [phase], grid, radiation, augmentation }).draw([{ phase: 0, fraction: 1 }], new Random(seed), out);
  return out;
}

/** Position of the highest point of y within [lo, hi], refined by a parabola through its neighbours. */
export function peakNear(x: ArrayLike<number>, y: ArrayLike<number>, lo: number, hi: number): number {
  let best = -1;
  for (let i = 1; i < y.length - 1; i++) if (x[i] >= lo && x[i] <= hi && (best < 0 || y[i] > y[best])) best = i;
  const [a, b, c] = [y[best - 1], y[best], y[best + 1]];
  const curvature = a - 2 * b + c;
  const offset = curvature < 0 ? (0.5 * (a - c)) / curvature : 0;
  return x[best] + offset * (x[best + 1] - x[best]);
}

/** Indices of the `count` highest local maxima (each the highest within ±`halfWidth` points). */
export function strongestPeaks(y: ArrayLike<number>, count: number, halfWidth = 5): number[] {
  const found: number[] = [];
  for (let i = halfWidth; i < y.length - halfWidth; i++) {
    let top = true;
    for (let k = -halfWidth; k <= halfWidth && top; k++) if (y[i + k] > y[i] || (k < 0 && y[i + k] === y[i])) top = false;
    if (top) found.push(i);
  }
  return found.sort((a, b) => y[b] - y[a]).slice(0, count);
}

/** Cu Kα1 2θ (degrees) of a cubic reflection. */
export function braggTwoTheta(a: number, hkl: [number, number, number], wavelength: number): number {
  const d = a / Math.hypot(...hkl);
  return (2 * Math.asin(wavelength / (2 * d)) * 180) / Math.PI;
}
