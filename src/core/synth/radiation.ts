import { UserError } from '../diagnostics';
import { KALPHA_DOUBLETS, resolveWavelength } from '../diffraction/wavelengths';
import type { Radiation } from './simulator';

export type RadiationSpec = string | number | { kalpha1: number; kalpha2?: number; ratio?: number };

/**
 * What the tube emits, for drawing patterns: `CuKa` (or `Cu`) is the Kα1/Kα2 doublet with the
 * physical 0.5 ratio; `CuKa1` or a number of Å is a single line (monochromator).
 */
export function radiationFor(spec: RadiationSpec = 'CuKa'): Radiation {
  if (typeof spec === 'object') {
    if (!(spec.kalpha1 > 0)) throw new UserError('radiation needs a positive "kalpha1" in Å');
    return { kalpha1: spec.kalpha1, kalpha2: spec.kalpha2, ratio: spec.ratio ?? 0.5 };
  }
  if (typeof spec === 'string') {
    const doublet = /^([A-Z][a-z]?)(Ka|Kα)?$/i.exec(spec.trim());
    if (doublet) {
      const element = doublet[1].charAt(0).toUpperCase() + doublet[1].slice(1).toLowerCase();
      const lines = KALPHA_DOUBLETS[element];
      if (lines) return { kalpha1: lines.kalpha1, kalpha2: lines.kalpha2, ratio: 0.5 };
    }
  }
  return { kalpha1: resolveWavelength(spec), ratio: 0 };
}
