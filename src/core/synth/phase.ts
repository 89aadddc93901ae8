import type { CrystalStructure } from '../crystal/types';
import { cellVolume } from '../crystal/cell';
import { listReflections, type ReflectionOptions } from '../diffraction/reflections';
import { reciprocalDot, reciprocalMetric } from '../diffraction/lattice';

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
    strainAxis: symmetryTiedAxes(structure),
  };
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
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const op of structure.operations) {
    const r = op.rotation;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j || r[3 * i + j] === 0) continue;
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  return Int32Array.from([0, 1, 2], find);
}
