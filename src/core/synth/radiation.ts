import { UserError } from '../diagnostics';
import { KALPHA_DOUBLETS, implausibleWavelength, resolveWavelength } from '../diffraction/wavelengths';
import type { Radiation } from './simulator';

export type RadiationSpec = string | number | { kalpha1: number; kalpha2?: number; ratio?: number };

/** What is wrong with a radiation setting, naming the entry of `{ kalpha1, kalpha2, ratio }` at fault; undefined when it can be drawn. */
export function radiationProblem(spec: RadiationSpec): { entry?: 'kalpha1' | 'kalpha2' | 'ratio'; message: string } | undefined {
  if (typeof spec === 'object') {
    for (const entry of ['kalpha1', 'kalpha2'] as const) {
      const value: unknown = spec[entry];
      if (value === undefined && entry === 'kalpha2') continue;
      const message = typeof value === 'number' ? implausibleWavelength(value) : 'must be a wavelength in Å';
      if (message) return { entry, message };
    }
    const ratio: unknown = spec.ratio ?? 0.5;
    if (!(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) return { entry: 'ratio', message: `the Kα2/Kα1 intensity ratio must lie in [0, 1] (0.5 physically); got ${ratio}` };
    return undefined;
  }
  try {
    radiationFor(spec);
  } catch (e) {
    if (e instanceof UserError) return { message: e.message };
    throw e;
  }
  return undefined;
}

/**
 * What the tube emits, for drawing patterns: `CuKa` (or `Cu`) is the Kα1/Kα2 doublet with the
 * physical 0.5 ratio; `CuKa1` or a number of Å is a single line (monochromator).
 */
/** A config's radiation when it names none: the Cu Kα doublet of the paper and most laboratory diffractometers. */
export const DEFAULT_RADIATION: RadiationSpec = 'CuKa';

export function radiationFor(spec: RadiationSpec = DEFAULT_RADIATION): Radiation {
  if (typeof spec === 'object') {
    const problem = radiationProblem(spec);
    if (problem) throw new UserError(`radiation${problem.entry ? ` "${problem.entry}"` : ''}: ${problem.message}`);
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
