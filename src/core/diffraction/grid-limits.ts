// What a simulated 2θ grid may be: the rules `simulate`, `latent-xrd.json` and `peaks` share, so
// each says the same thing about the same number (the caller names its option or config key).

/**
 * The most points a simulated grid may have: a step of 0.001° over 65°, finer than any laboratory
 * diffractometer scans (0.002–0.02°) and 32 times the paper's 2048. Memory per pattern is
 * proportional to it (a synthetic dataset's chunk, a wafer's samples, a model's first layer).
 */
export const MAX_GRID_POINTS = 65_536;

/** Why a grid cannot have `points` points, or undefined. */
export function gridPointsProblem(points: number): string | undefined {
  if (!Number.isInteger(points) || points < 2) return `a grid needs an integer number of points ≥ 2; got ${points}`;
  if (points > MAX_GRID_POINTS) return `a grid has at most ${MAX_GRID_POINTS} points; got ${points}`;
  return undefined;
}

/**
 * Why `degrees` cannot be an end of a 2θ range, or undefined. Diffraction angles lie below 180°
 * (backscattering); 0 is allowed as a lower end, pymatgen's default, though no line lies there.
 */
export function twoThetaProblem(degrees: number): string | undefined {
  if (!(Number.isFinite(degrees) && degrees >= 0 && degrees < 180)) return `2θ must lie in [0°, 180°); got ${degrees}`;
  return undefined;
}

/** Why [min, max] is not a 2θ range, or undefined. */
export function twoThetaRangeProblem(min: number, max: number): string | undefined {
  const problem = twoThetaProblem(min) ?? twoThetaProblem(max);
  if (problem) return problem;
  if (!(max > min)) return `the 2θ range must end above its start; got ${min}:${max}`;
  return undefined;
}
