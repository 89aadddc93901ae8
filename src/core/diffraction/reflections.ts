import type { CellParameters, CrystalStructure } from '../crystal/types';
import { cellVolume } from '../crystal/cell';
import { UserError } from '../diagnostics';
import { reciprocalMetric } from './lattice';
import { friedelPaired, latticePointsInShell } from './lattice-points';
import { estimateReflectionCount, reflectionAllowance, reflectionBudgetMessage, type ReflectionRequest } from './reflection-budget';
import { formFactor, type ScatteringTable } from './scattering';
import { resolveWavelength } from './wavelengths';

export interface ReflectionOptions {
  wavelength?: number | string;
  /** Largest 2θ in degrees (default 90, pymatgen's). Ignored when `dMin` is given. */
  twoThetaMax?: number;
  /** Smallest 2θ in degrees (default 0): points nearer the origin are not listed. */
  twoThetaMin?: number;
  /** Smallest d-spacing in Å to enumerate (e.g. to leave room for strain that shifts peaks up). */
  dMin?: number;
  /** Element → isotropic B in Å², applied as exp(−B·s²). */
  debyeWaller?: Record<string, number>;
  /** Use each site's own B_iso from the CIF (after `debyeWaller`, which wins per element). */
  useSiteBIso?: boolean;
  scatteringTable?: ScatteringTable;
}

/**
 * Every reciprocal-lattice point within reach (at most `reflectionAllowance` of them; a request
 * for more is a UserError that says what to change), listed individually — symmetry-equivalent
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
  // Bragg: 1/d = 2 sinθ / λ
  const twoThetaMax = Math.min(options.twoThetaMax ?? 90, 180);
  const gMax = options.dMin ? 1 / options.dMin : (2 * Math.sin((twoThetaMax * Math.PI) / 360)) / wavelength;
  const twoThetaMin = Math.max(options.twoThetaMin ?? 0, 0);
  const gMin = Math.min((2 * Math.sin((twoThetaMin * Math.PI) / 360)) / wavelength, gMax);
  const cell = structure.cell;
  const request: ReflectionRequest = {
    blockName: structure.blockName,
    volume: cellVolume(cell),
    atoms: structure.atoms.length,
    wavelength,
    twoThetaMin,
    twoThetaMax: options.dMin ? 2 * Math.asin(Math.min(1, (wavelength * gMax) / 2)) * (180 / Math.PI) : twoThetaMax,
    gMin,
    gMax,
  };
  const allowance = reflectionAllowance(request.atoms);
  const expected = estimateReflectionCount(request.volume, gMin, gMax);
  if (!(expected <= allowance)) throw new UserError(reflectionBudgetMessage(request, expected, false));
  // A search longer than a few times the allowance means a reciprocal lattice so elongated that
  // rows and columns hold almost no points; the constant covers the rows of any real cell.
  const searchLimit = 4 * allowance + 100_000;
  const points = latticePointsInShell(reciprocalMetric(cell), cell, gMin * gMin, gMax * gMax, allowance, searchLimit, expected);
  if (points === 'too-many-points') throw new UserError(reflectionBudgetMessage(request, allowance, true));
  if (points === 'too-long-search') {
    throw new UserError(
      `data_${structure.blockName}: the cell (a = ${cell.a}, b = ${cell.b}, c = ${cell.c} Å) is too elongated to search for its reflections ` +
        `within 2θ ${twoThetaMin}–${Number(request.twoThetaMax.toPrecision(4))}°: more than ${searchLimit} lattice rows and columns`,
    );
  }
  const { count, hkl } = points;
  const inverseD = points.inverseDSquared.map(Math.sqrt);
  // |F(−h)|² = |F(h)|² exactly (real form factors; the phases are exact negatives in floating
  // point too), and the list is centrosymmetric: compute the first half, mirror the second.
  let structureFactorSquared: Float64Array;
  if (friedelPaired(points)) {
    const half = count / 2;
    const first = structureFactorsSquared(structure, hkl.subarray(0, 3 * half), inverseD.subarray(0, half), options);
    structureFactorSquared = new Float64Array(count);
    structureFactorSquared.set(first);
    for (let i = 0; i < half; i++) structureFactorSquared[count - 1 - i] = first[i];
  } else {
    structureFactorSquared = structureFactorsSquared(structure, hkl, inverseD, options);
  }
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
