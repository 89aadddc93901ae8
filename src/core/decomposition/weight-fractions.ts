// Weight fractions from a whole-pattern fit, as quantitative Rietveld analysis reads them:
//
//     W_p = S_p·(ZMV)_p / Σ_i S_i·(ZMV)_i
//
// (Hill & Howard 1987, J. Appl. Cryst. 20, 467–474), S_p the phase's scale factor on |F|²·LP, Z·M
// the mass of its unit cell (the CIF's atoms: crystal/density.ts, cellMass) and V the cell's
// volume. The fit's coefficient of a phase drawn at volume fraction 1 is a volume-fraction-like
// number v_p (the generator draws a phase at scale v/V², synth/phase-scale.ts), so S_p = v_p/V_p²;
// both forms give W_p ∝ v_p·ρ_p, the relation phase-scale.ts uses to draw mixtures.
import { cellMass } from '../crystal/density';
import { cellVolume } from '../crystal/cell';
import type { CrystalStructure } from '../crystal/types';
import { phaseScale } from '../synth/phase-scale';

/** Z·M (g/mol per cell) and V (Å³) of a structure; throws with the reason when it has no mass. */
export function cellMassAndVolume(structure: CrystalStructure, name: string): { zm: number; volume: number } {
  const { mass, missing } = cellMass(structure);
  if (missing !== undefined || !(mass > 0)) throw new Error(`${name}: no weight fraction can be computed (${missing ? `no atomic weight for "${missing}"` : 'its cell holds no atoms'})`);
  return { zm: mass, volume: cellVolume(structure.cell) };
}

/** The Rietveld scale S of a phase fitted at coefficient `volumeScale` of its pattern drawn at volume fraction 1. */
export function rietveldScale(volumeScale: number, volume: number): number {
  return phaseScale(volumeScale, volume);
}

/** W_p = S_p·ZMV_p / Σ S_i·ZMV_i over the phases `included` (the others get 0); all 0 when nothing is left. */
export function weightFractions(scales: ArrayLike<number>, cells: readonly { zm: number; volume: number }[], included: ArrayLike<boolean>): Float64Array {
  const w = new Float64Array(scales.length);
  let total = 0;
  for (let p = 0; p < scales.length; p++) if (included[p]) total += (w[p] = scales[p] * cells[p].zm * cells[p].volume);
  for (let p = 0; p < scales.length; p++) w[p] = total > 0 && included[p] ? w[p] / total : 0;
  return w;
}
