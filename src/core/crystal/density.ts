// A crystal's density from its unit cell: what turns the weight fractions of a mixture into the
// scale factors of its phases (synth/phase-scale.ts).
import type { CrystalStructure } from './types';
import { cellVolume } from './cell';
import { atomicWeight } from './atomic-weights';
import { parseFormulaSum } from './formula';

/** g/mol per Å³ in g/cm³: 10²⁴ Å³ per cm³ over Avogadro's constant (6.02214076 × 10²³, exact since 2019). */
const GRAMS_PER_CM3 = 1e24 / 6.02214076e23;

/**
 * Mass of one unit cell, g/mol (Z·M of the formula): every atom of the expanded cell times its
 * occupancy — the atoms the diffraction is computed from — plus the hydrogen the structure does
 * not locate. X-ray structures often leave hydrogen out (water as its oxygen only), though it
 * weighs: when `_chemical_formula_sum`, scaled to the cell, agrees with the cell's atoms in
 * every other element (to 2 %) and has more hydrogen, the difference is added. The scale is the
 * ratio of those other elements, not `_cell_formula_units_Z`, which writers disagree on
 * (pymatgen writes the cell's content as the formula and Z as formula units of the reduced
 * formula) and AMCSD often leaves out. Returns the element without a weight, if any.
 */
export function cellMass(structure: CrystalStructure): { mass: number; missing?: string } {
  const counts = new Map<string, number>();
  for (const atom of structure.atoms) counts.set(atom.element, (counts.get(atom.element) ?? 0) + atom.occupancy);
  let mass = 0;
  for (const [element, count] of counts) {
    const weight = atomicWeight(element);
    if (weight === undefined) return { mass: NaN, missing: element };
    mass += count * weight;
  }
  return { mass: mass + unlocatedHydrogen(structure, counts) * atomicWeight('H')! };
}

/** Hydrogen atoms per cell that the formula has and the sites do not (0 when the two disagree otherwise). */
function unlocatedHydrogen(structure: CrystalStructure, counts: Map<string, number>): number {
  const parsed = structure.formulaSum ? parseFormulaSum(structure.formulaSum) : undefined;
  if (!parsed) return 0;
  const formula = new Map<string, number>();
  for (const [symbol, n] of Object.entries(parsed)) {
    const element = symbol === 'D' || symbol === 'T' ? 'H' : symbol;
    formula.set(element, (formula.get(element) ?? 0) + n);
  }
  const others = [...new Set([...formula.keys(), ...counts.keys()])].filter((e) => e !== 'H');
  if (others.length === 0 || !(formula.get(others[0])! > 0)) return 0;
  const scale = (counts.get(others[0]) ?? 0) / formula.get(others[0])!;
  for (const element of others) {
    const expected = (formula.get(element) ?? 0) * scale;
    if (!(Math.abs((counts.get(element) ?? 0) - expected) <= 0.02 * expected)) return 0;
  }
  return Math.max(0, (formula.get('H') ?? 0) * scale - (counts.get('H') ?? 0));
}

/** Density ρ = Z·M / (N_A·V) in g/cm³ (the X-ray density), or why it cannot be computed. */
export function crystalDensity(structure: CrystalStructure): { density: number; problem?: string } {
  const { mass, missing } = cellMass(structure);
  if (missing !== undefined) return { density: NaN, problem: `no atomic weight for "${missing}"` };
  const density = (mass * GRAMS_PER_CM3) / cellVolume(structure.cell);
  if (!(density > 0 && Number.isFinite(density))) return { density: NaN, problem: 'its unit cell holds no atoms, so it has no density' };
  return { density };
}
