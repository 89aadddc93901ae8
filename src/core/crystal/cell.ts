import type { CellParameters } from './types';

const RAD = Math.PI / 180;

/** Unit-cell volume in Å³. */
export function cellVolume(cell: CellParameters): number {
  const ca = Math.cos(cell.alpha * RAD);
  const cb = Math.cos(cell.beta * RAD);
  const cg = Math.cos(cell.gamma * RAD);
  const s = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
  return cell.a * cell.b * cell.c * Math.sqrt(Math.max(s, 0));
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
