// The collection's one 2θ axis: converting a scattering-vector axis to 2θ, and bringing patterns
// measured on different 2θ axes onto one.
import { UserError } from '../diagnostics';

/** Cu Kα1 (Å), the wavelength a Q axis is converted with unless told otherwise. */
export const CU_KALPHA1 = 1.54056;

export type QUnit = 'nm^-1' | 'A^-1';

/** 2θ (degrees) of a scattering vector magnitude Q (Å⁻¹): Q = 4π sin θ / λ. NaN past the limiting sphere. */
export function qToTwoTheta(qPerAngstrom: number, wavelength: number): number {
  const s = (qPerAngstrom * wavelength) / (4 * Math.PI);
  return s > 1 || s < 0 ? NaN : (2 * Math.asin(s) * 180) / Math.PI;
}

/**
 * Q values in the unit given, or — when `unit` is absent — the unit they must be in: a Q axis
 * that reaches past 4π/λ in Å⁻¹ cannot be Å⁻¹ at this wavelength, and published libraries give Q
 * in nm⁻¹ as often as in Å⁻¹ without saying which.
 */
export function resolveQUnit(q: ArrayLike<number>, wavelength: number, unit?: QUnit): { unit: QUnit; guessed: boolean } {
  if (unit) return { unit, guessed: false };
  let max = 0;
  for (let i = 0; i < q.length; i++) max = Math.max(max, q[i]);
  return { unit: max > (4 * Math.PI) / wavelength ? 'nm^-1' : 'A^-1', guessed: true };
}

export function qAxisToTwoTheta(q: ArrayLike<number>, unit: QUnit, wavelength: number, file: string): Float64Array {
  const scale = unit === 'nm^-1' ? 0.1 : 1;
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) {
    out[i] = qToTwoTheta(q[i] * scale, wavelength);
    if (!Number.isFinite(out[i])) throw new UserError(`${file}: Q = ${q[i]} ${unit} is beyond 4π/λ at λ = ${wavelength} Å (no 2θ reaches it); is the unit right?`, [], file);
  }
  return out;
}

/** True when two axes are the same points (to a millionth of a degree). */
export function sameAxis(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-6) return false;
  return true;
}

/**
 * Intensities on `from` interpolated linearly onto `to`; points of `to` outside `from` take the
 * nearest end value (a collection needs every sample on every point, and an edge value biases
 * the scaled pattern less than a zero would).
 */
export function resampleOnto(from: Float64Array, intensity: Float64Array, to: Float64Array): Float64Array {
  const out = new Float64Array(to.length);
  const n = from.length;
  let j = 0;
  for (let k = 0; k < to.length; k++) {
    const x = to[k];
    if (x <= from[0]) out[k] = intensity[0];
    else if (x >= from[n - 1]) out[k] = intensity[n - 1];
    else {
      while (j < n - 2 && from[j + 1] < x) j++;
      const span = from[j + 1] - from[j];
      const t = span > 0 ? (x - from[j]) / span : 0;
      out[k] = intensity[j] + t * (intensity[j + 1] - intensity[j]);
    }
  }
  return out;
}
