// Moving a pattern measured at one wavelength to the 2θ it would have at another: a reflection
// is fixed in Q = 4π sinθ / λ (equivalently d), so sinθ' = (λ'/λ) sinθ. Intensities are kept
// point by point (peak heights, not areas, carry over); the Lorentz–polarisation change
// between wavelengths is not modelled — the model's tolerance for intensity variation covers it.

export interface ConvertedAxis {
  twoTheta: Float64Array;
  intensity: Float64Array;
  /** Measured points whose reflection would lie beyond 2θ = 180° at the new wavelength. */
  dropped: number;
  /** Smallest d-spacing (Å) dropped, or NaN when none was. */
  droppedBelowD: number;
}

const RAD = Math.PI / 180;

/** 2θ (degrees) at `to` Å of what appears at `twoTheta` with `from` Å; NaN past 180°. */
export function convertTwoTheta(twoTheta: number, from: number, to: number): number {
  const s = (to / from) * Math.sin((twoTheta * RAD) / 2);
  return s <= 1 ? (2 * Math.asin(s)) / RAD : NaN;
}

/** Q = 4π sinθ / λ in Å⁻¹. */
export function twoThetaToQ(twoTheta: number, wavelength: number): number {
  return (4 * Math.PI * Math.sin((twoTheta * RAD) / 2)) / wavelength;
}

export function qToTwoTheta(q: number, wavelength: number): number {
  const s = (q * wavelength) / (4 * Math.PI);
  return s <= 1 ? (2 * Math.asin(s)) / RAD : NaN;
}

/**
 * The whole axis: `twoTheta` increasing below 180°, so the converted axis is increasing too and
 * the points beyond 180° (only when `to` > `from`) are a tail, cut off.
 */
export function convertWavelength(twoTheta: Float64Array, intensity: Float64Array, from: number, to: number): ConvertedAxis {
  const ratio = to / from;
  const n = twoTheta.length;
  let kept = n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = ratio * Math.sin((twoTheta[i] * RAD) / 2);
    if (!(s <= 1)) {
      kept = i;
      break;
    }
    out[i] = (2 * Math.asin(s)) / RAD;
  }
  const dropped = n - kept;
  return {
    twoTheta: dropped ? out.slice(0, kept) : out,
    intensity: dropped ? intensity.slice(0, kept) : intensity,
    dropped,
    droppedBelowD: dropped ? to / 2 : NaN,
  };
}

/** Largest 2θ shift (degrees) the conversion makes inside [lo, hi] at the target wavelength. */
export function largestShift(lo: number, hi: number, from: number, to: number): number {
  let worst = 0;
  for (let i = 0; i <= 32; i++) {
    const target = lo + ((hi - lo) * i) / 32;
    const source = convertTwoTheta(target, to, from);
    if (Number.isFinite(source)) worst = Math.max(worst, Math.abs(target - source));
  }
  return worst;
}
