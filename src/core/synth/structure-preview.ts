// What the CIF preview shows for one structure: its cell and space group, the ideal pattern
// with each peak's hkl, and patterns drawn with the training variation. The same engine as
// `latent-xrd peaks` and `latent-xrd simulate`, so the preview and the CLI never disagree.
import type { Diagnostic } from '../diagnostics';
import { cellVolume } from '../crystal/cell';
import { formula } from '../crystal/formula';
import { readStructures } from '../crystal/structure';
import type { CellParameters, CrystalStructure } from '../crystal/types';
import { computePeaks } from '../diffraction/peaks';
import type { Grid } from '../diffraction/render';
import { Random } from '../util/random';
import { DEFAULT_AUGMENTATION, type AugmentationConfig } from './augmentation';
import { buildPhaseModel } from './phase';
import { DEFAULT_RADIATION, radiationFor, type RadiationSpec } from './radiation';
import { Simulator } from './simulator';
import { configAugmentation, configGrid, validateConfig } from './config';
import type { LabelledPeak, StructureSummary } from './preview-types';

export type { LabelledPeak, StructureSummary };

export interface StructurePreview {
  summary: StructureSummary;
  grid: Grid;
  wavelength: number;
  /** The ideal pattern on the grid, [0, 1]. */
  ideal: Float32Array;
  peaks: LabelledPeak[];
}

export interface PreviewOptions {
  grid?: Grid;
  radiation?: RadiationSpec;
  augmentation?: AugmentationConfig;
}

export const DEFAULT_PREVIEW_GRID: Grid = { min: 20, max: 90, points: 2048 };

export function summarise(structure: CrystalStructure): StructureSummary {
  const counts = formula(structure);
  const text = Object.entries(counts)
    .map(([element, n]) => `${element}${Math.abs(n - 1) < 1e-6 ? '' : Number(n.toFixed(3))}`)
    .join(' ');
  return {
    blockName: structure.blockName,
    formula: text,
    cell: structure.cell,
    volume: cellVolume(structure.cell),
    spaceGroup: structure.spaceGroup.hermannMauguin ?? structure.spaceGroup.hall ?? `${structure.operations.length} operations`,
    spaceGroupNumber: structure.spaceGroup.number,
    sites: structure.sites.length,
    atomsInCell: structure.atoms.length,
  };
}

/**
 * Previews one structure. Keeps its simulator so that drawing varied patterns (the
 * "simulate with variation" control) costs only the drawing.
 */
export class StructurePreviewer {
  readonly preview: StructurePreview;
  private readonly simulator: Simulator;
  private readonly scratch: Float32Array;

  constructor(readonly structure: CrystalStructure, options: PreviewOptions = {}) {
    const grid = options.grid ?? DEFAULT_PREVIEW_GRID;
    const radiation = radiationFor(options.radiation);
    const augmentation = options.augmentation ?? DEFAULT_AUGMENTATION;
    const phase = buildPhaseModel(structure.blockName, structure, { wavelength: radiation.kalpha1, twoThetaMax: grid.max + 5, textureAxes: augmentation.textureAxes });
    this.simulator = new Simulator({ phases: [phase], grid, radiation, augmentation });
    this.scratch = new Float32Array(grid.points);
    const ideal = new Float32Array(grid.points);
    new Simulator({ phases: [phase], grid, radiation, augmentation, ideal: true }).draw([{ phase: 0, fraction: 1 }], new Random(1), ideal);
    const peaks = computePeaks(structure, { wavelength: radiation.kalpha1, twoThetaRange: [grid.min, grid.max] }).peaks.map((p) => ({
      twoTheta: p.twoTheta,
      intensity: p.intensity,
      d: p.d,
      hkl: p.hkls.map((h) => `(${h.hkl.join(' ')})`).join(' '),
    }));
    this.preview = { summary: summarise(structure), grid, wavelength: radiation.kalpha1, ideal, peaks };
  }

  /** `count` patterns varied as in training (strain, size, texture, background, noise), seeded. */
  drawVariations(count: number, seed: number): Float32Array[] {
    const random = new Random(seed);
    const out: Float32Array[] = [];
    for (let n = 0; n < count; n++) {
      this.simulator.draw([{ phase: 0, fraction: 1 }], random, this.scratch);
      out.push(this.scratch.slice());
    }
    return out;
  }
}

/** Every structure of a CIF's text, previewed; never throws for bad input (diagnostics say why). */
export function previewCif(text: string, options: PreviewOptions = {}): { previewers: StructurePreviewer[]; diagnostics: Diagnostic[] } {
  const { structures, diagnostics } = readStructures(text);
  const previewers: StructurePreviewer[] = [];
  for (const structure of structures) {
    try {
      previewers.push(new StructurePreviewer(structure, options));
    } catch (e) {
      diagnostics.push({ severity: 'error', code: 'preview.failed', message: `data_${structure.blockName}: cannot simulate a pattern (${(e as Error).message})`, range: structure.source });
    }
  }
  return { previewers, diagnostics };
}


/**
 * The preview's settings from the workspace's latent-xrd.json (its text, `shownPath` to name it):
 * its grid, radiation and the variation its training patterns are drawn with, around a calibrated
 * instrument if it has one — so that "simulate with variation" shows what training will see. A
 * config with errors leaves the preview's defaults, and the note says so.
 */
export function previewOptionsFromConfig(text: string, shownPath: string): { options: PreviewOptions; note: string } {
  const { config, diagnostics } = validateConfig(text);
  if (!config) {
    const first = diagnostics.find((d) => d.severity === 'error');
    return { options: {}, note: `${shownPath} has errors${first ? ` (${first.message})` : ''}: the preview draws with its own defaults` };
  }
  return {
    options: { grid: configGrid(config), radiation: config.radiation ?? DEFAULT_RADIATION, augmentation: configAugmentation(config) },
    note: `drawn as ${shownPath} draws its training patterns${config.instrument ? ' (around its calibrated instrument)' : ''}`,
  };
}
