// Rachinger's Kα2 stripping (J. Sci. Instrum. 25, 254 (1948)): every Kα1 feature at 2θ₁ has a
// Kα2 copy R times as strong at 2θ₂, sinθ₂ = (λ₂/λ₁) sinθ₁, always at higher angle. Going
// up in 2θ, the Kα1 part is the observed intensity minus R × the Kα1 part already found at
// the angle whose Kα2 copy lands here. Works on the measured (possibly uneven) axis.
import { UserError } from '../diagnostics';
import { KALPHA_DOUBLETS, implausibleWavelength } from '../diffraction/wavelengths';

const RAD = Math.PI / 180;

export interface KAlpha2Lines {
  kalpha1: number;
  kalpha2: number;
  ratio: number;
  /** Where the numbers came from, for the step's sentence. */
  source: string;
}

/**
 * Why a Kα2/Kα1 ratio cannot be stripped, or undefined when it can. Each stripped point
 * subtracts `ratio` × a point already stripped, so the error of one point comes back multiplied
 * by the ratio at every doublet spacing up the scan: above 1 it grows geometrically (a ratio of
 * 50 from a damaged file overflows within a few degrees). Physically it is about 0.5.
 */
export function unstrippableRatio(ratio: number): string | undefined {
  return ratio >= 0 && ratio <= 1 ? undefined : `a Kα2/Kα1 intensity ratio of ${ratio} is outside 0–1: Kα2 stripping would diverge`;
}

/**
 * The doublet to strip: the file's Kα2 and ratio when it gives them; otherwise the tube whose
 * Kα1 the file's wavelength is (or Cu when the file gives none), with the physical ratio 0.5.
 * A stated Kα2 wavelength or ratio that cannot be used is refused (a UserError), not replaced.
 */
export function kAlpha2LinesFor(wavelength: number | undefined, wavelength2: number | undefined, ratio: number | undefined): KAlpha2Lines | undefined {
  if (wavelength2 !== undefined) {
    const problem = implausibleWavelength(wavelength2);
    if (problem) throw new UserError(`the Kα2 wavelength the file states: ${problem}`);
  }
  if (ratio !== undefined) {
    const problem = unstrippableRatio(ratio);
    if (problem) throw new UserError(`the Kα2/Kα1 ratio the file states: ${problem}`);
  }
  const tube = Object.entries(KALPHA_DOUBLETS).find(([, l]) => wavelength === undefined ? false : Math.abs(l.kalpha1 - wavelength) < 2e-3);
  const kalpha1 = wavelength ?? KALPHA_DOUBLETS.Cu.kalpha1;
  const fallback = wavelength === undefined ? KALPHA_DOUBLETS.Cu : tube?.[1];
  const kalpha2 = wavelength2 ?? fallback?.kalpha2;
  if (kalpha2 === undefined || !(kalpha2 > kalpha1)) return undefined;
  const parts = [
    wavelength2 !== undefined ? 'Kα2 from the file' : `${wavelength === undefined ? 'Cu' : tube![0]} Kα2`,
    ratio !== undefined ? 'ratio from the file' : 'ratio 0.5',
  ];
  return { kalpha1, kalpha2, ratio: ratio ?? 0.5, source: parts.join(', ') };
}

/** Kα1-only intensity on the same axis. `twoTheta` increasing. */
export function stripKAlpha2(twoTheta: Float64Array, intensity: Float64Array, lines: KAlpha2Lines, out = new Float64Array(intensity.length)): Float64Array {
  const problem = unstrippableRatio(lines.ratio) ?? (lines.kalpha2 > lines.kalpha1 ? undefined : `Kα2 (${lines.kalpha2} Å) must be longer than Kα1 (${lines.kalpha1} Å)`);
  if (problem) throw new RangeError(problem);
  const n = twoTheta.length;
  const inverse = lines.kalpha1 / lines.kalpha2;
  const r = lines.ratio;
  let j = 0;
  for (let i = 0; i < n; i++) {
    // The Kα1 angle whose Kα2 copy falls at twoTheta[i].
    const source = (2 * Math.asin(inverse * Math.sin((twoTheta[i] * RAD) / 2))) / RAD;
    let kAlpha1There = 0;
    if (source >= twoTheta[0]) {
      while (j < i - 1 && twoTheta[j + 1] <= source) j++;
      const span = twoTheta[j + 1] - twoTheta[j];
      // The copy's source is below i (λ₂ > λ₁), so out[j] and out[j+1] are known when j + 1 < i;
      // closer than one step, the source is between i − 1 and i: use out[i − 1].
      if (j + 1 < i && span > 0) {
        const t = Math.min(1, (source - twoTheta[j]) / span);
        kAlpha1There = out[j] + t * (out[j + 1] - out[j]);
      } else kAlpha1There = out[Math.max(0, i - 1)];
    }
    out[i] = intensity[i] - r * kAlpha1There;
  }
  return out;
}
