// Unit-cell geometry (lengths in Å, angles in degrees): volume, metric tensor, reciprocal lengths,
// U_eq from anisotropic U, and whether six numbers describe a cell at all (cellProblem).
import type { CellParameters } from './types';

const RAD = Math.PI / 180;

/** V / (a·b·c) = √(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ): the cell's volume per unit edge lengths. */
export function relativeVolume(alpha: number, beta: number, gamma: number): number {
  const ca = Math.cos(alpha * RAD);
  const cb = Math.cos(beta * RAD);
  const cg = Math.cos(gamma * RAD);
  const s = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
  return Math.sqrt(Math.max(s, 0));
}

/** Unit-cell volume in Å³. */
export function cellVolume(cell: CellParameters): number {
  return cell.a * cell.b * cell.c * relativeVolume(cell.alpha, cell.beta, cell.gamma);
}

/**
 * The smallest V / (a·b·c) a cell may have. Three angles with α = β + γ (or summing to 360°,
 * e.g. 120°, 120°, 120°) make a flat cell, V = 0, which floating point turns into ~1e-8 and
 * six "peaks". Below 1e-3 the angles are within about 2° of that degenerate case even for a
 * rhombohedral cell with α = β = γ: no crystal is described so, and its reciprocal lattice (∝ 1/V)
 * would be meaningless.
 */
export const MIN_RELATIVE_VOLUME = 1e-3;

export type CellParameter = keyof CellParameters;

/**
 * Why these numbers are not a unit cell, and which parameter to blame, or undefined when they
 * are one: lengths finite and positive, angles strictly between 0° and 180°, and together a
 * positive-definite metric (a volume that is not negligible against a·b·c).
 */
export function cellProblem(cell: CellParameters): { parameter: CellParameter; message: string } | undefined {
  for (const parameter of ['a', 'b', 'c'] as const) {
    const v = cell[parameter];
    if (!(Number.isFinite(v) && v > 0)) return { parameter, message: `the cell length ${parameter} must be a positive number of Å; got ${v}` };
  }
  for (const parameter of ['alpha', 'beta', 'gamma'] as const) {
    const v = cell[parameter];
    if (!(Number.isFinite(v) && v > 0 && v < 180)) return { parameter, message: `the cell angle ${parameter} must lie strictly between 0° and 180°; got ${v}°` };
  }
  const relative = relativeVolume(cell.alpha, cell.beta, cell.gamma);
  if (relative >= MIN_RELATIVE_VOLUME) return undefined;
  // (Below 1e-6 it is rounding of an exactly flat cell: "no volume".)
  // The largest angle is the one that reaches the sum of the other two (or takes the three past 360°).
  const angles = ['alpha', 'beta', 'gamma'] as const;
  const largest = angles.reduce((m, p) => (cell[p] > cell[m] ? p : m));
  const shown = `α = ${cell.alpha}°, β = ${cell.beta}°, γ = ${cell.gamma}°`;
  return {
    parameter: largest,
    message:
      `the cell angles ${shown} enclose ${relative < 1e-6 ? 'no volume' : `almost no volume (V = ${relative.toPrecision(2)}·a·b·c)`}: ` +
      'each angle must be smaller than the sum of the other two, and the three together smaller than 360°',
  };
}

/** Metric tensor G (row-major 3×3): G_ij = a_i · a_j. */
export function metricTensor(cell: CellParameters): number[] {
  const { a, b, c } = cell;
  const ca = Math.cos(cell.alpha * RAD);
  const cb = Math.cos(cell.beta * RAD);
  const cg = Math.cos(cell.gamma * RAD);
  return [a * a, a * b * cg, a * c * cb, a * b * cg, b * b, b * c * ca, a * c * cb, b * c * ca, c * c];
}

/** Reciprocal-cell lengths a*, b*, c* in Å⁻¹ (without the 2π factor). */
export function reciprocalLengths(cell: CellParameters): [number, number, number] {
  const v = cellVolume(cell);
  return [
    (cell.b * cell.c * Math.sin(cell.alpha * RAD)) / v,
    (cell.a * cell.c * Math.sin(cell.beta * RAD)) / v,
    (cell.a * cell.b * Math.sin(cell.gamma * RAD)) / v,
  ];
}

/**
 * U_eq = ⅓ Σ_ij U^ij a*_i a*_j (a_i·a_j) (Fischer & Tillmanns 1988), the isotropic equivalent
 * of an anisotropic displacement tensor given as U11, U22, U33, U12, U13, U23.
 */
export function equivalentIsotropic(cell: CellParameters, u: [number, number, number, number, number, number]): number {
  const G = metricTensor(cell);
  const r = reciprocalLengths(cell);
  const U = [u[0], u[3], u[4], u[3], u[1], u[5], u[4], u[5], u[2]];
  let sum = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sum += U[i * 3 + j] * r[i] * r[j] * G[i * 3 + j];
  return sum / 3;
}
