import type { CrystalStructure } from '../crystal/types';
import { cellVolume } from '../crystal/cell';
import { listReflections, type ReflectionOptions } from '../diffraction/reflections';
import { reciprocalDot, reciprocalMetric, type ReciprocalMetric } from '../diffraction/lattice';

/**
 * What a phase contributes to every synthetic pattern, computed once: each reciprocal-lattice
 * point with |F|², grouped into families of points coincident in the unstrained cell (so an
 * isotropically strained cubic phase still draws one line per family), and the cosine² of
 * each point's angle to every candidate texture axis.
 */
export interface PhaseModel {
  name: string;
  structure: CrystalStructure;
  /** Unit-cell volume, Å³. */
  volume: number;
  count: number;
  hkl: Int32Array;
  /** |F|² per point. */
  structureFactorSquared: Float64Array;
  /** Families: points familyStart[f] … familyStart[f+1]−1 (points sorted by nominal d). */
  familyStart: Int32Array;
  familyCount: number;
  /** cos² of the angle between point i and axis a: cos2ByAxis[a][i]. */
  cos2ByAxis: Float64Array[];
  textureAxes: [number, number, number][];
  /**
   * Which strain draw each of a, b, c takes (strainAxis[i] ∈ {0, 1, 2}): axes a symmetry
   * operation maps onto each other share one, so strain keeps the crystal's symmetry.
   */
  strainAxis: Int32Array;
}

export interface PhaseModelOptions {
  /** Shortest wavelength the patterns use (Kα1), Å. */
  wavelength: number;
  /** Largest 2θ drawn, plus the room strain and shifts may need (deg). */
  twoThetaMax: number;
  textureAxes: [number, number, number][];
  scatteringTable?: ReflectionOptions['scatteringTable'];
}

export function buildPhaseModel(name: string, structure: CrystalStructure, options: PhaseModelOptions): PhaseModel {
  const thetaMax = Math.min(options.twoThetaMax, 179) * (Math.PI / 360);
  const dMin = options.wavelength / (2 * Math.sin(thetaMax));
  const list = listReflections(structure, { wavelength: options.wavelength, dMin, scatteringTable: options.scatteringTable });
  // Keep the points that scatter (extinct ones, |F|² ≈ 0 against the strongest, draw
  // nothing), sorted by nominal d so families are contiguous.
  const f2 = list.structureFactorSquared;
  const maxF2 = f2.reduce((m, v) => Math.max(m, v), 0);
  const keep = Array.from({ length: list.count }, (_, i) => i)
    .filter((i) => f2[i] > maxF2 * 1e-10)
    .sort((a, b) => list.inverseD[a] - list.inverseD[b]);
  const count = keep.length;
  const keptHkl = new Int32Array(count * 3);
  const keptF2 = new Float64Array(count);
  const keptInverseD = new Float64Array(count);
  keep.forEach((from, to) => {
    keptHkl.set(list.hkl.subarray(3 * from, 3 * from + 3), 3 * to);
    keptF2[to] = f2[from];
    keptInverseD[to] = list.inverseD[from];
  });
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0 || Math.abs(keptInverseD[i] - keptInverseD[i - 1]) > 1e-9 * keptInverseD[i]) starts.push(i);
  }
  starts.push(count);

  const metric = reciprocalMetric(structure.cell);
  const dot = (h1: number, k1: number, l1: number, h2: number, k2: number, l2: number) => reciprocalDot(metric, h1, k1, l1, h2, k2, l2);
  const cos2ByAxis = options.textureAxes.map(([ah, ak, al]) => {
    const axisNorm2 = dot(ah, ak, al, ah, ak, al);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const h = keptHkl[3 * i];
      const k = keptHkl[3 * i + 1];
      const l = keptHkl[3 * i + 2];
      const d = dot(h, k, l, ah, ak, al);
      out[i] = (d * d) / (axisNorm2 * dot(h, k, l, h, k, l));
    }
    return out;
  });

  return {
    name,
    structure,
    volume: cellVolume(structure.cell),
    count,
    hkl: keptHkl,
    structureFactorSquared: keptF2,
    familyStart: Int32Array.from(starts),
    familyCount: starts.length - 1,
    cos2ByAxis,
    textureAxes: options.textureAxes,
    strainAxis: tiedAxes(structure, metric, keptHkl, keptF2, keptInverseD),
  };
}

/**
 * The tied axes of the structure's listed symmetry; when that ties none (a CIF written in P1, as
 * pymatgen and the Materials Project write them, lists only the identity), those of the symmetry
 * its diffraction shows (diffractionTiedAxes): a cubic phase written in P1 is still cubic, and
 * anisotropic strain must not split its lines (it did, into up to six lines per family).
 */
function tiedAxes(structure: Pick<CrystalStructure, 'operations'>, metric: ReciprocalMetric, hkl: Int32Array, f2: Float64Array, inverseD: Float64Array): Int32Array {
  const listed = symmetryTiedAxes(structure);
  if (listed[0] !== 0 || listed[1] !== 1 || listed[2] !== 2) return listed;
  return diffractionTiedAxes(metric, hkl, f2, inverseD);
}

/** The point operations on (h, k, l) a lattice can have: the 48 of the cube and the 24 of the hexagonal axes (6/mmm). */
function candidateOperations(): Int32Array[] {
  const found = new Map<string, Int32Array>();
  const multiply = (x: Int32Array, y: Int32Array) => {
    const r = new Int32Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[3 * i + j] += x[3 * i + k] * y[3 * k + j];
    return r;
  };
  const close = (generators: Int32Array[]) => {
    const group: Int32Array[] = [Int32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1])];
    const seen = new Set(group.map((g) => g.join()));
    // A finite group of 3 × 3 integer matrices: at most 48 elements, so the closure ends.
    for (let n = 0; n < group.length && group.length <= 48; n++) {
      for (const g of generators) {
        const product = multiply(group[n], g);
        if (!seen.has(product.join())) {
          seen.add(product.join());
          group.push(product);
        }
      }
    }
    for (const g of group) found.set(g.join(), g);
  };
  // Cube: a 4-fold about c, a 3-fold about [111], the inversion.
  close([Int32Array.from([0, -1, 0, 1, 0, 0, 0, 0, 1]), Int32Array.from([0, 0, 1, 1, 0, 0, 0, 1, 0]), Int32Array.from([-1, 0, 0, 0, -1, 0, 0, 0, -1])]);
  // Hexagonal axes: a 6-fold about c (h' = h + k, k' = −h), the swap of h and k, the inversion.
  close([Int32Array.from([1, 1, 0, -1, 0, 0, 0, 0, 1]), Int32Array.from([0, 1, 0, 1, 0, 0, 0, 0, 1]), Int32Array.from([-1, 0, 0, 0, -1, 0, 0, 0, -1])]);
  return [...found.values()];
}

/**
 * Tied axes from the diffraction itself: the operations on (h, k, l) that keep the reciprocal
 * metric and send every listed point to a point of the same |F|² (the Laue group the pattern
 * shows, whatever the file's listed symmetry) tie the axes they mix, as in symmetryTiedAxes.
 */
export function diffractionTiedAxes(metric: ReciprocalMetric, hkl: Int32Array, f2: Float64Array, inverseD: Float64Array): Int32Array {
  const count = f2.length;
  const [g11, g22, g33, g12, g13, g23] = metric;
  const G = [g11, g12, g13, g12, g22, g23, g13, g23, g33];
  const scale = Math.max(g11, g22, g33);
  const byIndex = new Map<string, number>();
  let maxF2 = 0;
  let maxInverseD = 0;
  for (let i = 0; i < count; i++) {
    byIndex.set(`${hkl[3 * i]},${hkl[3 * i + 1]},${hkl[3 * i + 2]}`, f2[i]);
    maxF2 = Math.max(maxF2, f2[i]);
    maxInverseD = Math.max(maxInverseD, inverseD[i]);
  }
  const parent = Int32Array.from([0, 1, 2]);
  for (const r of candidateOperations()) {
    // Keeps the metric: RᵀG*R = G* (to the precision of a cell written with 4–5 digits).
    let keeps = true;
    for (let i = 0; i < 3 && keeps; i++) {
      for (let j = 0; j < 3 && keeps; j++) {
        let v = 0;
        for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) v += r[3 * k + i] * G[3 * k + l] * r[3 * l + j];
        if (Math.abs(v - G[3 * i + j]) > 1e-4 * scale) keeps = false;
      }
    }
    if (!keeps) continue;
    // Keeps every |F|² (points on the outermost shell may have their images just outside the list).
    for (let i = 0; i < count && keeps; i++) {
      if (inverseD[i] > maxInverseD * (1 - 1e-6)) continue;
      const h = hkl[3 * i];
      const k = hkl[3 * i + 1];
      const l = hkl[3 * i + 2];
      const image = byIndex.get(`${r[0] * h + r[1] * k + r[2] * l},${r[3] * h + r[4] * k + r[5] * l},${r[6] * h + r[7] * k + r[8] * l}`);
      if (image === undefined || Math.abs(image - f2[i]) > 1e-5 * maxF2 + 1e-4 * f2[i]) keeps = false;
    }
    if (!keeps) continue;
    tieAxesOf(r, parent);
  }
  return rootsOf(parent);
}

/**
 * For each cell axis, the first axis it is tied to by symmetry: a rotation with an entry
 * mixing axes i and j (a 4-fold about c maps a onto b, a 3-fold about [111] permutes a, b, c,
 * a 6-fold or 3-fold about c in hexagonal axes maps a onto a − b) ties them. Scaling tied axes
 * by one factor and keeping the angles keeps the metric invariant under every operation
 * (RᵀGR = G), so symmetry-equivalent reflections keep one d-spacing and never split: cubic
 * varies a only; tetragonal, hexagonal and trigonal a and c; orthorhombic and lower a, b, c.
 * A symmetric θ–2θ scan of a strained powder shifts lines, it does not split them.
 */
export function symmetryTiedAxes(structure: Pick<CrystalStructure, 'operations'>): Int32Array {
  const parent = Int32Array.from([0, 1, 2]);
  for (const op of structure.operations) tieAxesOf(op.rotation, parent);
  return rootsOf(parent);
}

/** The root of axis i in a union–find over the three cell axes. */
function rootOf(parent: Int32Array, i: number): number {
  while (parent[i] !== i) i = parent[i];
  return i;
}

/** Ties the axes a rotation mixes (an off-diagonal entry i, j ties axes i and j), the lower one the root. */
function tieAxesOf(rotation: ArrayLike<number>, parent: Int32Array): void {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i === j || rotation[3 * i + j] === 0) continue;
      const a = rootOf(parent, i);
      const b = rootOf(parent, j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
}

/** For each axis, the first axis it is tied to. */
function rootsOf(parent: Int32Array): Int32Array {
  return Int32Array.from([0, 1, 2], (i) => rootOf(parent, i));
}
