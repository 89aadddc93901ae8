// The phases a decomposition may use: a model's known phases, read from the CIFs of the workspace
// config it was trained from (the manifest records the config's path), and any CIFs the user
// names, which add phases or replace a model's phase of the same name.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve, dirname } from 'node:path';
import { UserError } from '../diagnostics';
import { readStructureFile } from '../crystal/structure';
import { readManifest } from '../model/manifest';
import { planWorkspaceConfig } from '../synth/dataset';
import type { Grid } from '../diffraction/render';
import type { AugmentationConfig } from '../synth/augmentation';
import type { Radiation } from '../synth/simulator';
import type { CandidatePhase } from './fit';

export interface ModelCandidates {
  phases: CandidatePhase[];
  grid: Grid;
  radiation: Radiation;
  augmentation: AugmentationConfig;
  configPath: string;
}

/**
 * A model's known phases with their structures, grid, radiation and augmentation, from the config
 * it was trained from. A model whose config is gone (moved, or trained elsewhere) cannot say what
 * its phases are made of: the error says to name the CIFs with --cif.
 */
export function candidatesFromModel(modelDir: string): ModelCandidates {
  const manifest = readManifest(modelDir);
  const recorded = manifest.training?.configPath;
  if (typeof recorded !== 'string' || !recorded) throw new UserError(`${modelDir}: the model does not record the config it was trained from, so its phases' CIFs are unknown: name them with --cif`);
  const configPath = isAbsolute(recorded) ? recorded : resolve(dirname(modelDir), recorded);
  if (!existsSync(configPath)) throw new UserError(`${modelDir}: the config it was trained from (${recorded}) is not there any more: name the phases' CIFs with --cif`);
  const { plan } = planWorkspaceConfig(readFileSync(configPath, 'utf8'), configPath, configPath);
  const phases: CandidatePhase[] = [];
  for (const name of manifest.phases) {
    const planned = plan.phases.find((p) => p.name === name);
    if (!planned) throw new UserError(`${configPath}: has no phase "${name}", which the model in ${modelDir} knows: name its CIF with --cif`);
    phases.push({ name, structure: planned.structure });
  }
  return { phases, grid: manifest.grid, radiation: plan.radiation, augmentation: plan.augmentation, configPath };
}

/** A CIF the user names: its first structure, named after the file (Mn2O3_206.cif → "Mn2O3_206"). */
export function candidateFromCif(path: string, shown = path): CandidatePhase {
  const result = readStructureFile(path);
  const structure = result.structures[0];
  if (!structure) {
    const error = result.diagnostics.find((d) => d.severity === 'error');
    throw new UserError(`${shown}: no usable crystal structure${error ? ` (${error.message})` : ''}`, result.diagnostics, shown);
  }
  return { name: basename(path, extname(path)), structure };
}

/** The model's phases with the user's CIFs: one of the same name replaces the model's, the others are added. */
export function mergeCandidates(fromModel: readonly CandidatePhase[], named: readonly CandidatePhase[]): CandidatePhase[] {
  const merged = [...fromModel];
  for (const phase of named) {
    const at = merged.findIndex((p) => p.name === phase.name);
    if (at >= 0) merged[at] = phase;
    else merged.push(phase);
  }
  return merged;
}
