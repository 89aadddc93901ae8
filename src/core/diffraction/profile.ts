/**
 * Peak shapes: the Thompson–Cox–Hastings pseudo-Voigt (J. Appl. Cryst. 20, 79 (1987)).
 * Widths are full widths at half maximum in degrees 2θ.
 *
 *   Gaussian  H_G² = U·tan²θ + V·tanθ + W            (Caglioti, instrument)
 *   Lorentzian H_L = X·tanθ + Y/cosθ                  (strain, Scherrer size: Y = Kλ/L)
 *   H⁵ = H_G⁵ + 2.69269 H_G⁴H_L + 2.42843 H_G³H_L² + 4.47163 H_G²H_L³ + 0.07842 H_G H_L⁴ + H_L⁵
 *   η  = 1.36603 q − 0.47719 q² + 0.11116 q³,  q = H_L / H
 *
 * (0.11116 is the published coefficient; XCA's 0.1116 and its Lorentzian width fixed at 1°
 * by an operator-precedence slip are the two defects this module must not repeat.)
 */
export interface ProfileParameters {
  /** Caglioti U, V, W in deg². */
  u: number;
  v: number;
  w: number;
  /** Lorentzian X (deg), strain broadening ∝ tanθ. */
  x: number;
  /** Lorentzian Y (deg), size broadening ∝ 1/cosθ. */
  y: number;
}

/** Smallest Gaussian width allowed (deg): keeps a badly chosen U, V, W from making H_G² ≤ 0. */
export const MIN_FWHM = 1e-3;

export function gaussianFwhm(p: ProfileParameters, twoThetaDeg: number): number {
  const t = Math.tan((twoThetaDeg * Math.PI) / 360);
  const h2 = p.u * t * t + p.v * t + p.w;
  return Math.sqrt(Math.max(h2, MIN_FWHM * MIN_FWHM));
}

export function lorentzianFwhm(p: ProfileParameters, twoThetaDeg: number): number {
  const theta = (twoThetaDeg * Math.PI) / 360;
  return Math.max(p.x * Math.tan(theta) + p.y / Math.cos(theta), 0);
}

/** The TCH total width H and mixing η for given Gaussian and Lorentzian widths. */
export function tchWidthAndEta(hg: number, hl: number): { fwhm: number; eta: number } {
  const g2 = hg * hg;
  const l2 = hl * hl;
  const h5 = g2 * g2 * hg + 2.69269 * g2 * g2 * hl + 2.42843 * g2 * hg * l2 + 4.47163 * g2 * l2 * hl + 0.07842 * hg * l2 * l2 + l2 * l2 * hl;
  const fwhm = Math.pow(h5, 0.2);
  const q = fwhm > 0 ? hl / fwhm : 0;
  const eta = Math.min(1, Math.max(0, 1.36603 * q - 0.47719 * q * q + 0.11116 * q * q * q));
  return { fwhm, eta };
}

const LN2 = Math.LN2;
/** Peak height × FWHM of an area-normalised Gaussian: 2√(ln2/π). */
export const GAUSS_NORM = 2 * Math.sqrt(LN2 / Math.PI);

/** Area-normalised pseudo-Voigt at offset dx (deg) from the peak centre. */
export function pseudoVoigt(dx: number, fwhm: number, eta: number): number {
  const r = (2 * dx) / fwhm;
  const lorentz = 2 / (Math.PI * fwhm) / (1 + r * r);
  const gauss = (GAUSS_NORM / fwhm) * Math.exp(-LN2 * r * r);
  return eta * lorentz + (1 - eta) * gauss;
}

/**
 * A split pseudo-Voigt: the low-angle half (dx < 0) drawn with FWHM H(1 + a) and the
 * high-angle half with H(1 − a), each scaled so the halves meet at the centre and the area
 * stays 1; the FWHM stays H. With a > 0 the line leans to low angle, as axial divergence makes
 * lines below 90° 2θ do (simulator: a = A·cot 2θ).
 */
export function splitPseudoVoigt(dx: number, fwhm: number, eta: number, a: number): number {
  const side = dx < 0 ? 1 + a : 1 - a;
  return side * pseudoVoigt(dx, fwhm * side, eta);
}

/** Largest |a| of a split profile: keeps the narrower half's width positive. */
export const MAX_ASYMMETRY = 0.8;

/**
 * The split a line at 2θ gets from the asymmetry parameter A: A·cot 2θ, the angular
 * dependence of axial-divergence asymmetry (Finger, Cox & Jephcoat 1994; Bérar & Baldinozzi
 * 1993 use the same 1/tan form): large at low angle, zero at 90°, reversed above.
 */
export function axialSplit(asymmetryA: number, twoThetaDeg: number): number {
  if (asymmetryA === 0) return 0;
  const a = asymmetryA / Math.tan((twoThetaDeg * Math.PI) / 180);
  return a > MAX_ASYMMETRY ? MAX_ASYMMETRY : a < -MAX_ASYMMETRY ? -MAX_ASYMMETRY : a;
}
