// The asymmetric unit expanded to the whole cell: every symmetry operation applied to every
// site, positions wrapped into the cell and coincident images merged (with a spatial hash, so a
// cell of 10⁵ images stays fast), and over-full positions reported.
import type { Severity, SourceRange } from '../diagnostics';
import { applyOperation } from './symop';
import type { AsymmetricSite, CellAtom, SymmetryOperation, Vec3 } from './types';

/** Two fractional positions closer than this in every coordinate (periodically) are one. */
export const MERGE_TOLERANCE = 1e-4;
/**
 * The most atom images (sites × symmetry operations) one structure may expand to fill its cell:
 * the largest real structures here make about 1,300 (IRMOF-1: 7 × 192; a 27 kB organometallic:
 * 154 × 4), a protein-sized cell ~10⁵. Expanding costs a few microseconds an image.
 */
export const MAX_SITE_IMAGES = 1_000_000;
/**
 * How far above 1 an occupancy may be written and still mean 1: the last digit of a rounded
 * refinement (1.004, 0.5 + 0.505 on one position). Beyond it, and beyond three standard
 * uncertainties, the site claims more atoms than fit on it.
 */
export const OCCUPANCY_ROUNDING = 1e-2;

function wrap(x: number): number {
  const r = x - Math.floor(x);
  return r >= 1 ? 0 : r;
}

function periodicClose(p: Vec3, q: Vec3, tol: number): boolean {
  for (let k = 0; k < 3; k++) {
    let d = Math.abs(p[k] - q[k]);
    d = Math.min(d, 1 - d);
    if (d > tol) return false;
  }
  return true;
}

/** A hash of positions in bins of 1/1000 of the cell (ten times the merge tolerance), for "who is near here" in O(1). */
class PositionIndex {
  private static readonly N = 1000;
  private readonly bins = new Map<number, number[]>();

  private static key(i: number, j: number, k: number): number {
    const N = PositionIndex.N;
    return ((((i % N) + N) % N) * N + (((j % N) + N) % N)) * N + (((k % N) + N) % N);
  }

  add(p: Vec3, id: number): void {
    const N = PositionIndex.N;
    const key = PositionIndex.key(Math.floor(p[0] * N), Math.floor(p[1] * N), Math.floor(p[2] * N));
    const bin = this.bins.get(key);
    if (bin) bin.push(id);
    else this.bins.set(key, [id]);
  }

  /**
   * Calls `visit` with the ids in the bins that can hold a point within `tol` of p (per axis
   * the bins from p − tol to p + tol: one, or two near a bin's edge, rather than all 27
   * neighbours), in the order of the 3 × 3 × 3 neighbourhood; stops when `visit` returns true.
   * Returns whether it stopped.
   */
  someNear(p: Vec3, tol: number, visit: (id: number) => boolean): boolean {
    const N = PositionIndex.N;
    const i0 = Math.floor((p[0] - tol) * N), i1 = Math.floor((p[0] + tol) * N);
    const j0 = Math.floor((p[1] - tol) * N), j1 = Math.floor((p[1] + tol) * N);
    const k0 = Math.floor((p[2] - tol) * N), k1 = Math.floor((p[2] + tol) * N);
    for (let i = i0; i <= i1; i++)
      for (let j = j0; j <= j1; j++)
        for (let k = k0; k <= k1; k++) {
          const bin = this.bins.get(PositionIndex.key(i, j, k));
          if (bin) for (const id of bin) if (visit(id)) return true;
        }
    return false;
  }
}

/**
 * Apply every operation to every site, wrap into [0, 1), and merge: images of one site that
 * coincide are one atom; a different listed site of the same element on the same position
 * adds its occupancy (as pymatgen's CifParser does); different elements on one position
 * (mixed occupancy) stay separate atoms.
 */
export function expandSites(
  sites: AsymmetricSite[],
  operations: SymmetryOperation[],
  diagnostics?: { add(severity: Severity, code: string, message: string, range?: SourceRange): void },
  tolerance = MERGE_TOLERANCE,
): { atoms: CellAtom[] } {
  const atoms: CellAtom[] = [];
  const siteOf: number[] = [];
  const index = new PositionIndex();
  for (let s = 0; s < sites.length; s++) {
    const site = sites[s];
    // This site's images so far, indexed like the atoms: a site with hundreds of images (a
    // general position of a cubic group) would otherwise compare each with all before it.
    const images: Vec3[] = [];
    const imageIndex = new PositionIndex();
    for (const op of operations) {
      const q = applyOperation(op, site.fract);
      const p: Vec3 = [wrap(q[0]), wrap(q[1]), wrap(q[2])];
      if (imageIndex.someNear(p, tolerance, (id) => periodicClose(images[id], p, tolerance))) continue;
      imageIndex.add(p, images.length);
      images.push(p);
      const merged = index.someNear(p, tolerance, (id) => {
        const other = atoms[id];
        if (siteOf[id] === s || other.element !== site.element || !periodicClose(other.fract, p, tolerance)) return false;
        other.occupancy += site.occupancy;
        return true;
      });
      if (merged) continue;
      const atom: CellAtom = { element: site.element, fract: p, occupancy: site.occupancy, siteLabel: site.label };
      if (site.oxidationState !== undefined) atom.oxidationState = site.oxidationState;
      if (site.bIso !== undefined) atom.bIso = site.bIso;
      index.add(p, atoms.length);
      atoms.push(atom);
      siteOf.push(s);
    }
  }
  if (diagnostics) {
    const reported = new Set<string>();
    for (let a = 0; a < atoms.length; a++) {
      let total = 0;
      const labels = new Set<string>();
      index.someNear(atoms[a].fract, tolerance, (id) => {
        if (periodicClose(atoms[id].fract, atoms[a].fract, tolerance)) {
          total += atoms[id].occupancy;
          labels.add(atoms[id].siteLabel);
        }
        return false;
      });
      const key = [...labels].sort().join(' ');
      if (total > 1 + OCCUPANCY_ROUNDING && !reported.has(key)) {
        reported.add(key);
        const first = sites.find((x) => x.label === atoms[a].siteLabel);
        diagnostics.add(
          'warning',
          'structure.occupancy',
          `total occupancy ${+total.toFixed(4)} at the position of ${[...labels].join(', ')} exceeds 1`,
          first?.source,
        );
      }
    }
  }
  return { atoms };
}
