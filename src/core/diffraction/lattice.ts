import type { CellParameters } from '../crystal/types';
import { metricTensor } from '../crystal/cell';

/**
 * The reciprocal metric tensor G* = G⁻¹ as its six independent entries
 * [g11, g22, g33, g12, g13, g23], so 1/d² = g11h² + g22k² + g33l² + 2(g12hk + g13hl + g23kl)
 * costs six multiplications per reflection (recomputed per pattern under strain).
 */
export type ReciprocalMetric = [number, number, number, number, number, number];

export function reciprocalMetric(cell: CellParameters): ReciprocalMetric {
  const G = metricTensor(cell);
  const [a, b, c, d, e, f, g, h, i] = G;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    (e * i - f * h) / det,
    (a * i - c * g) / det,
    (a * e - b * d) / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    -(a * f - c * d) / det,
  ];
}

/** g₁·g₂ = h₁ᵀG*h₂ for two reciprocal-lattice vectors (Å⁻²). */
export function reciprocalDot(m: ReciprocalMetric, h1: number, k1: number, l1: number, h2: number, k2: number, l2: number): number {
  return m[0] * h1 * h2 + m[1] * k1 * k2 + m[2] * l1 * l2 + m[3] * (h1 * k2 + k1 * h2) + m[4] * (h1 * l2 + l1 * h2) + m[5] * (k1 * l2 + l1 * k2);
}

export function inverseDSquared(m: ReciprocalMetric, h: number, k: number, l: number): number {
  return reciprocalDot(m, h, k, l, h, k, l);
}

export function dSpacing(cell: CellParameters, h: number, k: number, l: number): number {
  return 1 / Math.sqrt(inverseDSquared(reciprocalMetric(cell), h, k, l));
}

/** Lorentz–polarisation factor (1 + cos²2θ)/(sin²θ·cosθ) for an unpolarised beam, no monochromator. */
export function lorentzPolarization(twoThetaDeg: number): number {
  const theta = (twoThetaDeg * Math.PI) / 360;
  const c2 = Math.cos(2 * theta);
  const s = Math.sin(theta);
  return (1 + c2 * c2) / (s * s * Math.cos(theta));
}

/**
 * Pymatgen's hexagonal test (Lattice.is_hexagonal): two right angles, one of 60° or 120° (5°
 * tolerance), and the two edges between the right angles equal within 0.01 Å. Such cells get
 * 4-index (Miller–Bravais) labels.
 */
export function isHexagonal(cell: CellParameters): boolean {
  const lengths = [cell.a, cell.b, cell.c];
  const angles = [cell.alpha, cell.beta, cell.gamma];
  const right = [0, 1, 2].filter((i) => Math.abs(angles[i] - 90) < 5);
  const hex = [0, 1, 2].filter((i) => Math.abs(angles[i] - 60) < 5 || Math.abs(angles[i] - 120) < 5);
  return right.length === 2 && hex.length === 1 && Math.abs(lengths[right[0]] - lengths[right[1]]) < 0.01;
}
