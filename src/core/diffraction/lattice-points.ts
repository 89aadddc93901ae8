import type { CellParameters } from '../crystal/types';
import { inverseDSquared, type ReciprocalMetric } from './lattice';

/** Reciprocal-lattice points h ≠ 0 with g2Min ≤ |g|² ≤ g2Max, in ascending (h, k, l) order. */
export interface LatticePoints {
  count: number;
  /** h, k, l interleaved (3·count). */
  hkl: Int32Array;
  /** |g|² = 1/d² (Å⁻²) per point. */
  inverseDSquared: Float64Array;
}

// Points on the sphere |g| = gMax belong to it (pymatgen's `<=`); a relative 1e-12 keeps one that
// rounding puts a hair outside. The search ranges are widened further, so the exact test below
// is the only one that decides, and what is listed does not depend on how the ranges round.
const ACCEPT = 1e-12;
const WIDEN = 1e-9;

/** Why a search stopped: more points than allowed, or more rows and columns than allowed. */
export type ShellSearchStop = 'too-many-points' | 'too-long-search';

/** No index may exceed this, so every listed h, k, l fits the Int32Array. */
const MAX_INDEX = 2 ** 30;

/**
 * Every point of the shell, found row by row: for each h, only the k whose column meets the
 * ellipsoid |g|² ≤ g2Max, and for each (h, k), only the l between the two roots of the quadratic
 * in l, without those strictly inside the inner sphere. The work is the points listed plus the
 * rows and columns visited, not the box around the sphere, which for an oblique cell or a thin
 * shell is many times larger.
 *
 * Stops as soon as more than `limit` points are found, or the search visits more than
 * `searchLimit` rows, columns and candidates (only a cell whose reciprocal lattice is extremely
 * elongated gets there), and says which, so the caller decides what to tell the user: the work
 * done is bounded by those limits, whatever the cell.
 */
export function latticePointsInShell(
  metric: ReciprocalMetric,
  cell: CellParameters,
  g2Min: number,
  g2Max: number,
  limit: number,
  searchLimit: number,
  expected = 0,
): LatticePoints | ShellSearchStop {
  const [g11, g22, g33, g12, g13, g23] = metric;
  const outer = g2Max * (1 + WIDEN);
  const inner = g2Min * (1 - WIDEN);
  const g2Accept = g2Max * (1 + ACCEPT);
  const g2AcceptMin = g2Min * (1 - ACCEPT);
  const gMax = Math.sqrt(g2Max);
  // h = g·a for the direct axis a, so |h| ≤ |g|·|a| bounds each index exactly.
  const hMax = Math.floor(gMax * cell.a + 1e-9);
  const kMax = Math.floor(gMax * cell.b + 1e-9);
  const lMax = Math.floor(gMax * cell.c + 1e-9);
  if (!(Math.max(hMax, kMax, lMax) <= MAX_INDEX)) return 'too-long-search';
  // min over l of |g|² for fixed (h, k) is a quadratic form in (h, k): A k² + 2 B_h k + C_h.
  const rowA = g22 - (g23 * g23) / g33;
  const rowB = g12 - (g13 * g23) / g33;
  const rowC = g11 - (g13 * g13) / g33;

  let capacity = Math.max(64, Math.min(limit, Math.ceil(expected * 1.1) + 1024));
  let hkl = new Int32Array(3 * capacity);
  let g2s = new Float64Array(capacity);
  let count = 0;
  let visited = 0;
  let stop: ShellSearchStop | undefined;

  /** Lists (h, k, l) when it lies in the shell; false when a limit is reached. */
  const visit = (h: number, k: number, l: number): boolean => {
    if (++visited > searchLimit) {
      stop = 'too-long-search';
      return false;
    }
    if (h === 0 && k === 0 && l === 0) return true;
    const g2 = inverseDSquared(metric, h, k, l);
    if (!(g2 <= g2Accept) || g2 < g2AcceptMin) return true;
    if (count === limit) {
      stop = 'too-many-points';
      return false;
    }
    if (count === capacity) {
      capacity = Math.min(limit, capacity * 2);
      const grownHkl = new Int32Array(3 * capacity);
      grownHkl.set(hkl);
      hkl = grownHkl;
      const grownG2 = new Float64Array(capacity);
      grownG2.set(g2s);
      g2s = grownG2;
    }
    hkl[3 * count] = h;
    hkl[3 * count + 1] = k;
    hkl[3 * count + 2] = l;
    g2s[count] = g2;
    count++;
    return true;
  };

  for (let h = -hMax; h <= hMax; h++) {
    if (++visited > searchLimit) return 'too-long-search';
    const bk = rowB * h;
    const discK = bk * bk - rowA * (rowC * h * h - outer);
    if (!(discK >= 0)) continue;
    const rootK = Math.sqrt(discK);
    const k0 = Math.max(-kMax, Math.ceil((-bk - rootK) / rowA));
    const k1 = Math.min(kMax, Math.floor((-bk + rootK) / rowA));
    for (let k = k0; k <= k1; k++) {
      if (++visited > searchLimit) return 'too-long-search';
      const b = g13 * h + g23 * k;
      const c = g11 * h * h + g22 * k * k + 2 * g12 * h * k;
      const disc = b * b - g33 * (c - outer);
      if (!(disc >= 0)) continue;
      const root = Math.sqrt(disc);
      const l0 = Math.max(-lMax, Math.ceil((-b - root) / g33));
      const l1 = Math.min(lMax, Math.floor((-b + root) / g33));
      // The l strictly inside the inner sphere are skipped (none when g2Min is 0): l0…below, above…l1.
      let below = l1;
      let above = l0;
      const discInner = b * b - g33 * (c - inner);
      if (inner > 0 && discInner > 0) {
        const rootInner = Math.sqrt(discInner);
        below = Math.min(l1, Math.floor((-b - rootInner) / g33));
        above = Math.max(l0, below + 1, Math.ceil((-b + rootInner) / g33));
      }
      for (let l = l0; l <= below; l++) if (!visit(h, k, l)) return stop!;
      for (let l = Math.max(above, below + 1); l <= l1; l++) if (!visit(h, k, l)) return stop!;
    }
  }
  return { count, hkl: hkl.slice(0, 3 * count), inverseDSquared: g2s.slice(0, count) };
}

/**
 * Whether point i and point count−1−i are Friedel mates (h and −h) for every i: true of any
 * shell listed in ascending order, which is centrosymmetric. Checked rather than assumed, since
 * halving the structure-factor work relies on it.
 */
export function friedelPaired(points: Pick<LatticePoints, 'count' | 'hkl'>): boolean {
  const { count, hkl } = points;
  if (count % 2 !== 0) return false;
  for (let i = 0, j = count - 1; i < j; i++, j--) {
    if (hkl[3 * i] !== -hkl[3 * j] || hkl[3 * i + 1] !== -hkl[3 * j + 1] || hkl[3 * i + 2] !== -hkl[3 * j + 2]) return false;
  }
  return true;
}
