import type { CrystalStructure } from '../crystal/types';
import { isHexagonal, lorentzPolarization } from './lattice';
import { listReflections, type ReflectionOptions } from './reflections';
import { millerBravais, uniqueFamilies, type PeakHkl } from './hkl';
import { resolveWavelength } from './wavelengths';

export type { PeakHkl } from './hkl';

export interface PeakOptions extends Omit<ReflectionOptions, 'twoThetaMax' | 'twoThetaMin' | 'dMin'> {
  /** Default [0, 90] degrees, pymatgen's. */
  twoThetaRange?: [number, number];
  /** Scale so the strongest peak is 100 (default true). */
  scaled?: boolean;
}

export interface Peak {
  twoTheta: number;
  intensity: number;
  d: number;
  hkls: PeakHkl[];
}

export interface PowderPeaks {
  wavelength: number;
  peaks: Peak[];
}

/** Reflections closer than this in 2θ are one peak (pymatgen's TWO_THETA_TOL). */
export const TWO_THETA_TOLERANCE = 1e-5;
/** Peaks weaker than this on the 0–100 scale are dropped (pymatgen's SCALED_INTENSITY_TOL). */
export const SCALED_INTENSITY_TOLERANCE = 1e-3;

/**
 * The ideal powder pattern as a stick list, computed the way pymatgen's XRDCalculator does
 * (every reciprocal-lattice point, |F|²·LP, merged within 1e-5° 2θ, weak peaks dropped), so
 * the numbers can be checked against it to the last digit.
 */
export function computePeaks(structure: CrystalStructure, options: PeakOptions = {}): PowderPeaks {
  const wavelength = resolveWavelength(options.wavelength ?? 'CuKa');
  const [minTwoTheta, maxTwoTheta] = options.twoThetaRange ?? [0, 90];
  const list = listReflections(structure, { ...options, wavelength, twoThetaMin: minTwoTheta, twoThetaMax: maxTwoTheta });
  const gMin = (2 * Math.sin((minTwoTheta * Math.PI) / 360)) / wavelength;
  const hexagonal = isHexagonal(structure.cell);

  // pymatgen visits points by increasing |g|, ties broken by decreasing h, k, l.
  const order = Array.from({ length: list.count }, (_, i) => i).filter((i) => list.inverseD[i] >= gMin);
  const hkl = list.hkl;
  order.sort(
    (i, j) =>
      list.inverseD[i] - list.inverseD[j] ||
      hkl[3 * j] - hkl[3 * i] ||
      hkl[3 * j + 1] - hkl[3 * i + 1] ||
      hkl[3 * j + 2] - hkl[3 * i + 2],
  );

  interface Accumulated {
    twoTheta: number;
    intensity: number;
    d: number;
    members: number[][];
  }
  const merged: Accumulated[] = [];
  for (const i of order) {
    const g = list.inverseD[i];
    const twoTheta = (2 * Math.asin((wavelength * g) / 2) * 180) / Math.PI;
    if (!Number.isFinite(twoTheta)) continue;
    const intensity = list.structureFactorSquared[i] * lorentzPolarization(twoTheta);
    const h = hkl[3 * i];
    const k = hkl[3 * i + 1];
    const l = hkl[3 * i + 2];
    const label = hexagonal ? millerBravais(h, k, l) : [h, k, l];
    // Points come sorted by 2θ, so a coincident peak is among the last few; scan back from the end.
    let target: Accumulated | undefined;
    for (let m = merged.length - 1; m >= 0 && twoTheta - merged[m].twoTheta < TWO_THETA_TOLERANCE * 2; m--) {
      if (Math.abs(merged[m].twoTheta - twoTheta) < TWO_THETA_TOLERANCE) {
        target = merged[m];
        break;
      }
    }
    if (target) {
      target.intensity += intensity;
      target.members.push(label);
    } else {
      merged.push({ twoTheta, intensity, d: 1 / g, members: [label] });
    }
  }

  const maxIntensity = merged.reduce((m, p) => Math.max(m, p.intensity), 0);
  const scale = options.scaled === false || maxIntensity === 0 ? 1 : 100 / maxIntensity;
  const peaks: Peak[] = merged
    .filter((p) => maxIntensity > 0 && (p.intensity / maxIntensity) * 100 > SCALED_INTENSITY_TOLERANCE)
    .map((p) => ({ twoTheta: p.twoTheta, intensity: p.intensity * scale, d: p.d, hkls: uniqueFamilies(p.members) }));
  return { wavelength, peaks };
}
