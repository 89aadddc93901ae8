// Crystal structures from CIF text: which data blocks describe a structure, and each one built
// from its cell, symmetry and sites (cif-cell, cif-symmetry, cif-sites) expanded to the whole
// cell (site-expansion). Never throws for bad input: what is wrong comes back as diagnostics.
import type { Diagnostic } from '../diagnostics';
import { readFileBounded } from '../formats/file';
import { MAX_INPUT_FILE_BYTES } from '../formats/limits';
import { decodeCifBytes, parseCif, type CifBlock } from '../cif';
import { readCell } from './cif-cell';
import { readSites } from './cif-sites';
import { readSymmetry } from './cif-symmetry';
import { DiagnosticSink } from './diagnostic-sink';
import { MAX_SITE_IMAGES, expandSites } from './site-expansion';
import type { CrystalStructure } from './types';

export interface ReadStructuresResult {
  /** One per data block that describes a structure, in file order. */
  structures: CrystalStructure[];
  /** Parse diagnostics followed by structure diagnostics. */
  diagnostics: Diagnostic[];
}

/** Every structure in a CIF file on disk (UTF-8, or Latin-1 when not valid UTF-8). */
export function readStructureFile(path: string): ReadStructuresResult {
  return readStructures(decodeCifBytes(readFileBounded(path, MAX_INPUT_FILE_BYTES)));
}

/** Every structure in a CIF's text. Never throws for bad input. */
export function readStructures(text: string): ReadStructuresResult {
  const file = parseCif(text);
  const diagnostics = [...file.diagnostics];
  const structures: CrystalStructure[] = [];
  for (const block of file.blocks) {
    const hasCell = block.has('_cell_length_a') || block.has('_cell_length_b') || block.has('_cell_length_c');
    const hasSites = block.has('_atom_site_fract_x') || block.has('_atom_site_label') || block.has('_atom_site_type_symbol');
    if (!hasCell && !hasSites) continue; // bibliography, powder data, dictionaries: not structures
    const r = structureFromBlock(block);
    diagnostics.push(...r.diagnostics);
    if (r.structure) structures.push(r.structure);
  }
  if (structures.length === 0 && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push({ severity: 'error', code: 'structure.none', message: 'no data block with a unit cell and atom sites' });
  }
  return { structures, diagnostics };
}

/** The structure one data block describes, or why it cannot be built. */
export function structureFromBlock(block: CifBlock): { structure?: CrystalStructure; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  const where = block.range;
  const blockName = block.name || '(unnamed)';

  const cell = readCell(block, sink);
  const hasFract = block.has('_atom_site_fract_x');
  if (!hasFract) {
    const cart = block.has('_atom_site_Cartn_x');
    sink.add(
      'info',
      'structure.skipped-block',
      cart
        ? `data block ${blockName}: atom sites in Cartesian coordinates only; fractional coordinates are needed`
        : `data block ${blockName} has no atom sites (_atom_site_fract_x); not read as a structure`,
      where,
    );
    return { diagnostics: sink.list };
  }
  if (!cell) return { diagnostics: sink.list };

  const sites = readSites(block, cell, sink);
  if (sites === 'placeholder') {
    sink.add('info', 'structure.skipped-block', `data block ${blockName}: the atom-site loop holds only "?" placeholders; not read as a structure`, where);
    return { diagnostics: sink.list };
  }
  if (sites.length === 0) {
    sink.add('error', 'structure.no-sites', `data block ${blockName} has no usable atom site`, where);
    return { diagnostics: sink.list };
  }
  const symmetry = readSymmetry(block, sink);
  if (!symmetry) return { diagnostics: sink.list };
  const images = sites.length * symmetry.operations.length;
  if (images > MAX_SITE_IMAGES) {
    sink.add('error', 'structure.too-large', `data block ${blockName}: ${sites.length} sites × ${symmetry.operations.length} symmetry operations make ${images} atom images; at most ${MAX_SITE_IMAGES} are expanded`, where);
    return { diagnostics: sink.list };
  }
  const { atoms } = expandSites(sites, symmetry.operations, sink);
  const structure: CrystalStructure = {
    blockName: block.name,
    cell,
    spaceGroup: symmetry.info,
    operations: symmetry.operations,
    sites,
    atoms,
    source: where,
  };
  const formulaSum = block.value('_chemical_formula_sum');
  if (formulaSum !== undefined) structure.formulaSum = formulaSum;
  const z = block.number('_cell_formula_units_Z')?.value;
  if (z !== undefined) structure.formulaUnitsZ = z;
  return { structure, diagnostics: sink.list };
}
