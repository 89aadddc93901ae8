// The decomposition on a measured-bench definition's spectra (model/measured-bench.ts): each
// spectrum's phase set called against the definition's phases, and phaseSetAccuracy, the share of
// the spectra of known phases whose set is called exactly right (`bench measured`, `bench explain`).
import { join } from 'node:path';
import { readPatternFile } from '../formats';
import { readStructureFile } from '../crystal/structure';
import { radiationFor } from '../synth/radiation';
import type { MeasuredBenchDefinition } from '../model/measured-bench';
import { Explainer } from './explain';

export interface SpectrumDecomposition {
  file: string;
  /** The phases the definition says it holds. */
  phases: string[];
  /** The phases the decomposition calls present, with their weight fractions. */
  found: { name: string; weightFraction: number }[];
  exact: boolean;
  rwp?: number;
  /** The residual p-value, when the explainer is calibrated. */
  residualScore?: number;
  error?: string;
}

/** The explainer of a definition's phases (CIFs relative to `folder`; `included`: only those) on its grid and radiation. */
export function definitionExplainer(definition: MeasuredBenchDefinition, folder: string, included?: readonly string[]): Explainer {
  const chosen = Object.entries(definition.phases).filter(([name]) => !included || included.includes(name));
  const phases = chosen.map(([name, cif]) => {
    const structure = readStructureFile(join(folder, cif)).structures[0];
    if (!structure) throw new Error(`${cif}: no usable crystal structure`);
    return { name, structure };
  });
  const grid = { min: definition.grid.twoThetaMin, max: definition.grid.twoThetaMax, points: definition.grid.points };
  return new Explainer({ phases, grid, radiation: radiationFor(definition.radiation) });
}

/** Every spectrum of the definition decomposed against all its phases; exact when the called set is the true one. */
export function decomposeBenchSpectra(explainer: Explainer, definition: MeasuredBenchDefinition, folder: string): SpectrumDecomposition[] {
  return Object.entries(definition.spectra).map(([file, phases]) => {
    try {
      const e = explainer.explainMeasured(readPatternFile(join(folder, file), file));
      const found = e.phases.filter((p) => p.present).map((p) => ({ name: p.name, weightFraction: p.weightFraction }));
      const exact = found.length === phases.length && found.every((f) => phases.includes(f.name));
      return { file, phases, found, exact, rwp: e.rwp, ...(e.residualScore !== undefined ? { residualScore: e.residualScore } : {}) };
    } catch (e) {
      return { file, phases, found: [], exact: false, error: (e as Error).message };
    }
  });
}

/** Share of the spectra of known phases (a definition's spectra that hold some) with the exact phase set. */
export function phaseSetAccuracy(results: readonly SpectrumDecomposition[]): { accuracy: number; exact: number; of: number } {
  const known = results.filter((r) => r.phases.length > 0);
  const exact = known.filter((r) => r.exact).length;
  return { accuracy: known.length ? exact / known.length : NaN, exact, of: known.length };
}

