// A phase map over composition, made from the phases' compositions in latent-xrd.json: the one
// place a simulated spread and a conditional VAE's training compositions both come from.
//
//   - Each phase with a "composition" is stable within SINGLE_PHASE_RADIUS of it (Euclidean
//     distance between fraction vectors): a single-phase region.
//   - A composition in no single-phase region lies in the two-phase region of the two phases
//     whose centres are nearest. Their amounts follow the lever rule on the tie-line joining the
//     two regions' boundaries: projected onto it, a composition at distance t (0…1) from the
//     first boundary is (1 − t) of the first phase and t of the second.
//   - Compositions are atom fractions, so the lever rule gives each phase's share of the atoms;
//     the simulator draws volume fractions. A phase's volume is its atoms times its volume per
//     atom (cell volume over the atoms in the cell), so v_i ∝ a_i · V_i/N_i, and back again
//     when a dataset's volume fractions give a mixture's composition.
//   - Three-phase triangles are not modelled (a simulation's simplification, stated in the
//     example's README).
import type { PlannedPhase } from './dataset';
import type { PhaseShare } from './simulator';
import type { Random } from '../util/random';
import { UserError } from '../diagnostics';
import { cellVolume } from '../crystal/cell';

/** Radius of every single-phase region, in composition (fraction) units. */
export const SINGLE_PHASE_RADIUS = 0.18;

export interface MappedPhase {
  /** Index in the plan's phases (what the simulator draws). */
  phase: number;
  name: string;
  role: 'known' | 'unknown';
  centre: Float64Array;
  /** Cell volume over the atoms in the cell (occupancies counted), Å³: converts atom fractions to volume fractions. */
  volumePerAtom: number;
}

export interface PhaseMap {
  elements: string[];
  phases: MappedPhase[];
  radius: number;
}

export interface PhaseRegion {
  region: 'single' | 'two-phase';
  /** Plan phase indices and their volume fractions (sum 1): what the simulator draws. */
  shares: PhaseShare[];
  /** The same phases' shares of the atoms (sum 1): the lever rule's amounts. */
  atomFractions: number[];
}

/** The map of every plan phase that has a composition, over `elements` (all must be named). */
export function phaseMapFromPlan(phases: PlannedPhase[], elements: string[], radius = SINGLE_PHASE_RADIUS): PhaseMap {
  const mapped: MappedPhase[] = [];
  phases.forEach((p, i) => {
    if (!p.composition) return;
    const other = Object.keys(p.composition).filter((e) => !elements.includes(e) && p.composition![e] > 0);
    if (other.length) throw new UserError(`phase "${p.name}": its composition has ${other.join(', ')}, not among the elements ${elements.join(', ')}`);
    mapped.push({ phase: i, name: p.name, role: p.role, centre: Float64Array.from(elements, (e) => p.composition![e] ?? 0), volumePerAtom: volumePerAtom(p) });
  });
  if (mapped.length < 2) throw new UserError('a phase map needs at least two phases with a "composition" in latent-xrd.json');
  return { elements, phases: mapped, radius };
}

function volumePerAtom(phase: PlannedPhase): number {
  const atoms = phase.structure.atoms.reduce((sum, a) => sum + a.occupancy, 0);
  const v = cellVolume(phase.structure.cell) / atoms;
  if (!(v > 0 && Number.isFinite(v))) throw new UserError(`phase "${phase.name}": its cell holds no atoms, so its share of a mixture's atoms has no volume`);
  return v;
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Which phases a composition (fractions over the map's elements) is made of. */
export function phasesAt(map: PhaseMap, composition: ArrayLike<number>): PhaseRegion {
  const byDistance = map.phases.map((p) => ({ p, d: distance(composition, p.centre) })).sort((a, b) => a.d - b.d);
  const [first, second] = byDistance;
  if (first.d <= map.radius) return { region: 'single', shares: [{ phase: first.p.phase, fraction: 1 }], atomFractions: [1] };
  // The tie-line from the first region's boundary to the second's.
  const n = composition.length;
  const axis = new Float64Array(n);
  const gap = distance(first.p.centre, second.p.centre);
  for (let i = 0; i < n; i++) axis[i] = (second.p.centre[i] - first.p.centre[i]) / gap;
  let along = 0;
  for (let i = 0; i < n; i++) along += (composition[i] - first.p.centre[i]) * axis[i];
  const span = gap - 2 * map.radius;
  const t = span > 0 ? Math.min(1, Math.max(0, (along - map.radius) / span)) : 0.5;
  const volumes = [(1 - t) * first.p.volumePerAtom, t * second.p.volumePerAtom];
  const total = volumes[0] + volumes[1];
  return {
    region: 'two-phase',
    shares: [{ phase: first.p.phase, fraction: volumes[0] / total }, { phase: second.p.phase, fraction: volumes[1] / total }],
    atomFractions: [1 - t, t],
  };
}

/**
 * A composition inside a phase's single-phase region, uniform in the ball around its centre
 * and kept on the simplex (fractions ≥ 0, sum 1): what a cVAE is trained with for that phase.
 */
export function drawInRegion(map: PhaseMap, mapped: MappedPhase, random: Random, into: Float32Array, offset: number): void {
  const n = map.elements.length;
  const step = new Float64Array(n);
  for (let attempt = 0; attempt < 1000; attempt++) {
    // A direction within the simplex's plane (components summing to zero), a radius for a uniform ball.
    let mean = 0;
    for (let i = 0; i < n; i++) mean += (step[i] = random.normal()) / n;
    let norm = 0;
    for (let i = 0; i < n; i++) norm += (step[i] -= mean) ** 2;
    const r = (map.radius * Math.pow(random.float(), 1 / Math.max(1, n - 1))) / (Math.sqrt(norm) || 1);
    let ok = true;
    for (let i = 0; i < n; i++) if (mapped.centre[i] + r * step[i] < 0) ok = false;
    if (!ok) continue;
    for (let i = 0; i < n; i++) into[offset + i] = mapped.centre[i] + r * step[i];
    return;
  }
  for (let i = 0; i < n; i++) into[offset + i] = mapped.centre[i];
}

/**
 * Compositions for every row of a dataset (rows × phases volume fractions): each phase's amount
 * gets a composition from its region, and a row's composition is their mean weighted by each
 * phase's share of the atoms (volume fraction over volume per atom) — the lever rule read
 * backwards, so a mixture row's composition lies between its phases'.
 */
export function compositionsForRows(map: PhaseMap, fractions: Float32Array, phaseCount: number, random: Random): Float32Array {
  const rows = fractions.length / phaseCount;
  const n = map.elements.length;
  const out = new Float32Array(rows * n);
  const drawn = new Float32Array(n);
  const byPhase = new Map(map.phases.map((m) => [m.phase, m]));
  const atoms = new Float64Array(phaseCount);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let p = 0; p < phaseCount; p++) {
      const f = fractions[r * phaseCount + p];
      atoms[p] = 0;
      if (!(f > 0)) continue;
      const mapped = byPhase.get(p);
      if (!mapped) throw new UserError(`a conditional VAE needs a "composition" for every phase in its dataset; phase ${p + 1} has none`);
      total += atoms[p] = f / mapped.volumePerAtom;
    }
    for (let p = 0; p < phaseCount; p++) {
      if (!(atoms[p] > 0)) continue;
      drawInRegion(map, byPhase.get(p)!, random, drawn, 0);
      for (let i = 0; i < n; i++) out[r * n + i] += (atoms[p] / total) * drawn[i];
    }
  }
  return out;
}
