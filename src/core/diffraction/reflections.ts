import type { CellParameters, CrystalStructure } from '../crystal/types';
import { reciprocalMetric, inverseDSquared } from './lattice';
import { formFactor, type ScatteringTable } from './scattering';
import { resolveWavelength } from './wavelengths';

export interface ReflectionOptions {
  wavelength?: number | string;
  /** Largest 2θ in degrees (default 90, pymatgen's). Ignored when `dMin` is given. */
  twoThetaMax?: number;
  /** Smallest d-spacing in Å to enumerate (e.g. to leave room for strain that shifts peaks up). */
  dMin?: number;
  /** Element → isotropic B in Å², applied as exp(−B·s²). */
  debyeWaller?: Record<string, number>;
  /** Use each site's own B_iso from the CIF (after `debyeWaller`, which wins per element). */
  useSiteBIso?: boolean;
  scatteringTable?: ScatteringTable;
}

/**
 * Every reciprocal-lattice point within reach, listed individually — symmetry-equivalent
 * reflections and Friedel mates included — with |F|² at the nominal cell. Summing over the
 * individual points is what makes multiplicities, texture averaging and strain-split peaks come
 * out right without any symmetry bookkeeping.
 */
export interface ReflectionList {
  count: number;
  /** h, k, l interleaved (3·count). */
  hkl: Int32Array;
  /** |F|² per point: occupancies, and Debye–Waller factors when asked. */
  structureFactorSquared: Float64Array;
  /** 1/d (Å⁻¹) per point at the nominal cell. */
  inverseD: Float64Array;
  wavelength: number;
  cell: CellParameters;
}

export function listReflections(structure: CrystalStructure, options: ReflectionOptions = {}): ReflectionList {
  const wavelength = resolveWavelength(options.wavelength ?? 'CuKa');
  const twoThetaMax = Math.min(options.twoThetaMax ?? 90, 180);
  // Bragg: 1/d = 2 sinθ / λ
  const gMax = options.dMin ? 1 / options.dMin : (2 * Math.sin((twoThetaMax * Math.PI) / 360)) / wavelength;
  const cell = structure.cell;
  const metric = reciprocalMetric(cell);
  // h = g·a for the direct axis a, so |h| ≤ |g|·|a| bounds the search box exactly.
  const hMax = Math.floor(gMax * cell.a + 1e-9);
  const kMax = Math.floor(gMax * cell.b + 1e-9);
  const lMax = Math.floor(gMax * cell.c + 1e-9);
  const g2Max = gMax * gMax * (1 + 1e-12);

  const points: number[] = [];
  const inv: number[] = [];
  for (let h = -hMax; h <= hMax; h++) {
    for (let k = -kMax; k <= kMax; k++) {
      for (let l = -lMax; l <= lMax; l++) {
        if (h === 0 && k === 0 && l === 0) continue;
        const g2 = inverseDSquared(metric, h, k, l);
        if (g2 > g2Max) continue;
        points.push(h, k, l);
        inv.push(Math.sqrt(g2));
      }
    }
  }
  const count = inv.length;
  const hkl = Int32Array.from(points);
  const inverseD = Float64Array.from(inv);
  const structureFactorSquared = structureFactorsSquared(structure, hkl, inverseD, options);
  return { count, hkl, structureFactorSquared, inverseD, wavelength, cell };
}

/**
 * |F(hkl)|² = |Σ_j f_j(s)·occ_j·exp(−B_j s²)·exp(2πi h·x_j)|², s = 1/(2d). Scattering factors are
 * evaluated once per species per reflection, then reused for every atom of that species.
 */
export function structureFactorsSquared(
  structure: CrystalStructure,
  hkl: Int32Array,
  inverseD: Float64Array,
  options: Pick<ReflectionOptions, 'debyeWaller' | 'useSiteBIso' | 'scatteringTable'> = {},
): Float64Array {
  const table = options.scatteringTable ?? 'pymatgen';
  const atoms = structure.atoms;
  // Species = element + charge (the charge matters only to the Waasmaier–Kirfel ion entries).
  const speciesKeys: string[] = [];
  const speciesOf = new Int32Array(atoms.length);
  const factors: ReturnType<typeof formFactor>[] = [];
  atoms.forEach((atom, i) => {
    const key = table === 'waasmaier-kirfel' && atom.oxidationState ? `${atom.element}${atom.oxidationState}` : atom.element;
    let index = speciesKeys.indexOf(key);
    if (index < 0) {
      index = speciesKeys.length;
      speciesKeys.push(key);
      factors.push(formFactor(atom.element, table, table === 'waasmaier-kirfel' ? atom.oxidationState : undefined));
    }
    speciesOf[i] = index;
  });
  const occupancy = Float64Array.from(atoms, (a) => a.occupancy);
  const bFactor = Float64Array.from(atoms, (a) => {
    const byElement = options.debyeWaller?.[a.element];
    if (byElement !== undefined) return byElement;
    return options.useSiteBIso ? (a.bIso ?? 0) : 0;
  });
  const x = Float64Array.from(atoms, (a) => a.fract[0]);
  const y = Float64Array.from(atoms, (a) => a.fract[1]);
  const z = Float64Array.from(atoms, (a) => a.fract[2]);

  const n = inverseD.length;
  const result = new Float64Array(n);
  const f = new Float64Array(speciesKeys.length);
  const TWO_PI = 2 * Math.PI;
  for (let r = 0; r < n; r++) {
    const s2 = (inverseD[r] * inverseD[r]) / 4;
    for (let s = 0; s < f.length; s++) f[s] = factors[s](s2);
    const h = hkl[3 * r];
    const k = hkl[3 * r + 1];
    const l = hkl[3 * r + 2];
    let re = 0;
    let im = 0;
    for (let j = 0; j < atoms.length; j++) {
      const amplitude = f[speciesOf[j]] * occupancy[j] * (bFactor[j] ? Math.exp(-bFactor[j] * s2) : 1);
      const phase = TWO_PI * (h * x[j] + k * y[j] + l * z[j]);
      re += amplitude * Math.cos(phase);
      im += amplitude * Math.sin(phase);
    }
    result[r] = re * re + im * im;
  }
  return result;
}
