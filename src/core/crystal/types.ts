// The crystal-structure types the CIF reader produces and the simulator reads: cell, symmetry
// operation, asymmetric site, the atoms of the filled cell and the structure that holds them.
import type { SourceRange } from '../diagnostics';

export type Vec3 = [number, number, number];

/** Unit-cell parameters: lengths in Å, angles in degrees. */
export interface CellParameters {
  a: number;
  b: number;
  c: number;
  alpha: number;
  beta: number;
  gamma: number;
}

/**
 * A symmetry operation x' = R·x + t on fractional coordinates. `rotation` is row-major 3×3
 * with integer entries; `translation` is in fractions of the cell, reduced to [0, 1).
 */
export interface SymmetryOperation {
  rotation: [number, number, number, number, number, number, number, number, number];
  translation: Vec3;
}

export interface SpaceGroupInfo {
  /** Hermann–Mauguin symbol as written in the file (or derived), e.g. `F m -3 m`. */
  hermannMauguin?: string;
  hall?: string;
  number?: number;
  /** Where the operations came from, so a user can see what was trusted. */
  operationsSource: 'operation-list' | 'hall-symbol' | 'hermann-mauguin-symbol' | 'number' | 'identity';
}

/** A site of the asymmetric unit as the CIF lists it. */
export interface AsymmetricSite {
  label: string;
  /** Element symbol, capitalised (`Fe`), without charge. */
  element: string;
  /** Formal charge from the type symbol (`Fe2+` → 2, `O2-` → −2), when given. */
  oxidationState?: number;
  fract: Vec3;
  occupancy: number;
  /** Isotropic displacement B in Å² (B = 8π²U), when the file gives one. */
  bIso?: number;
  /** Where the site's row is in the file, for diagnostics and hovers. */
  source?: SourceRange;
}

/** One atom of the full unit cell after symmetry expansion and merging of duplicates. */
export interface CellAtom {
  element: string;
  oxidationState?: number;
  fract: Vec3;
  occupancy: number;
  bIso?: number;
  /** Label of the asymmetric site it was generated from. */
  siteLabel: string;
}

export interface CrystalStructure {
  /** The CIF data block's name (without `data_`). */
  blockName: string;
  cell: CellParameters;
  spaceGroup: SpaceGroupInfo;
  operations: SymmetryOperation[];
  sites: AsymmetricSite[];
  atoms: CellAtom[];
  /** `_chemical_formula_sum` as written, e.g. `Li Fe P O4` (a cross-check, not used to build). */
  formulaSum?: string;
  /** `_cell_formula_units_Z`. */
  formulaUnitsZ?: number;
  /** Where the data block header is. */
  source?: SourceRange;
}
