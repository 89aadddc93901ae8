import { UserError } from '../diagnostics';

/**
 * X-ray tube wavelengths in Å, with the names and values pymatgen's XRDCalculator uses
 * (`CuKa` is the weighted Kα1/Kα2 mean 1.54184 Å), so `--wavelength CuKa` means the same here.
 */
export const WAVELENGTHS: Readonly<Record<string, number>> = {
  CuKa: 1.54184, CuKa2: 1.54439, CuKa1: 1.54056, CuKb1: 1.39222,
  MoKa: 0.71073, MoKa2: 0.71359, MoKa1: 0.7093, MoKb1: 0.63229,
  CrKa: 2.291, CrKa2: 2.29361, CrKa1: 2.2897, CrKb1: 2.08487,
  FeKa: 1.93735, FeKa2: 1.93998, FeKa1: 1.93604, FeKb1: 1.75661,
  CoKa: 1.79026, CoKa2: 1.79285, CoKa1: 1.78896, CoKb1: 1.63079,
  AgKa: 0.560885, AgKa2: 0.563813, AgKa1: 0.559421, AgKb1: 0.497082,
};

/**
 * Kα1/Kα2 pairs for profile rendering (Hölzer et al., Phys. Rev. A 56, 4554 (1997) for Cu:
 * Kα1 1.540562 Å, Kα2 1.544390 Å). The intensity ratio Kα2/Kα1 is 0.5 for all of them.
 */
export const KALPHA_DOUBLETS: Readonly<Record<string, { kalpha1: number; kalpha2: number }>> = {
  Cu: { kalpha1: 1.540562, kalpha2: 1.54439 },
  Mo: { kalpha1: 0.70932, kalpha2: 0.71359 },
  Co: { kalpha1: 1.78897, kalpha2: 1.79285 },
  Cr: { kalpha1: 2.28970, kalpha2: 2.29361 },
  Fe: { kalpha1: 1.93604, kalpha2: 1.93998 },
  Ag: { kalpha1: 0.559421, kalpha2: 0.563813 },
};

/**
 * The wavelengths Latent XRD accepts, from a file, a config or the command line: hard
 * synchrotron X-rays (0.1 Å at 124 keV) to long-wavelength neutrons, with a margin. Outside it a
 * number is a typo or a damaged file (0, −1.5, 1e-300), and below it a cell's reflections visible
 * in 2θ grow as λ⁻³ past anything that can be computed.
 */
export const PLAUSIBLE_WAVELENGTH = { min: 0.05, max: 10 } as const;

/** Why `w` (Å) is not a usable wavelength, or undefined when it is. */
export function implausibleWavelength(w: number): string | undefined {
  if (!Number.isFinite(w)) return `a wavelength must be a finite number of Å; got ${w}`;
  if (w < PLAUSIBLE_WAVELENGTH.min || w > PLAUSIBLE_WAVELENGTH.max) {
    return `a wavelength of ${w} Å is outside ${PLAUSIBLE_WAVELENGTH.min}–${PLAUSIBLE_WAVELENGTH.max} Å, the range of X-ray and neutron diffraction`;
  }
  return undefined;
}

/** A wavelength given as a number of Å or a tube line name (case-insensitive). */
export function resolveWavelength(w: number | string): number {
  if (typeof w === 'number') {
    const problem = implausibleWavelength(w);
    if (problem) throw new UserError(problem);
    return w;
  }
  const text = w.trim();
  if (/^[\d.]+(e-?\d+)?$/i.test(text)) return resolveWavelength(Number(text));
  const key = Object.keys(WAVELENGTHS).find((k) => k.toLowerCase() === text.toLowerCase().replace(/α/g, 'a').replace(/β/g, 'b'));
  if (!key) {
    throw new UserError(`unknown wavelength "${w}"; give Å or one of ${Object.keys(WAVELENGTHS).join(', ')}`);
  }
  return WAVELENGTHS[key];
}
