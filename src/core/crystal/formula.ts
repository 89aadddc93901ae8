// Chemical formulas: the cell's composition from its expanded atoms, and the formula a CIF
// states (_chemical_formula_sum), parsed.
import type { CrystalStructure } from './types';

/** Element → number of atoms in the unit cell, occupancy-weighted (rounded to 1e-6). */
export function formula(structure: Pick<CrystalStructure, 'atoms'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of structure.atoms) out[a.element] = (out[a.element] ?? 0) + a.occupancy;
  for (const k of Object.keys(out)) out[k] = Math.round(out[k] * 1e6) / 1e6;
  return out;
}

/** `_chemical_formula_sum` (`'Li Fe P O4'`, `'C296 H252 N16'`) → element → count. */
export function parseFormulaSum(text: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  const re = /([A-Z][a-z]?)\s*([0-9]*\.?[0-9]*)/g;
  const cleaned = text.replace(/[()]/g, ' ').trim();
  if (!cleaned) return undefined;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(cleaned))) {
    if (m[0] === '') break;
    out[m[1]] = (out[m[1]] ?? 0) + (m[2] ? Number(m[2]) : 1);
    consumed += m[0].length;
  }
  return consumed > 0 ? out : undefined;
}
