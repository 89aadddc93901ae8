// What an editor needs from a CIF beyond its diagnostics: an outline (data blocks and their
// loops) and hovers that say what a tag or value means for the structure (a cell parameter
// with the derived volume, an atom site with its element and multiplicity). Pure functions of
// the parsed file, so they are tested without an editor.
import type { SourceRange } from '../diagnostics';
import { cellVolume } from '../crystal/cell';
import { structureFromBlock } from '../crystal/structure';
import type { CifBlock, CifFile } from './model';
import { normaliseTag } from './model';

export interface CifSymbol {
  name: string;
  detail: string;
  kind: 'block' | 'loop' | 'saveFrame';
  /** Whole extent (header to last value). */
  range: SourceRange;
  /** The part to highlight: the `data_` header or the `loop_` keyword. */
  selection: SourceRange;
  children: CifSymbol[];
}

function span(a: SourceRange, b: SourceRange): SourceRange {
  return { line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}

function lastValueRange(block: CifBlock): SourceRange | undefined {
  const last = block.columns[block.columns.length - 1];
  if (!last) return undefined;
  return last.rowCount > 0 ? last.range(last.rowCount - 1) : last.tagRange;
}

function blockSymbol(block: CifBlock, kind: 'block' | 'saveFrame'): CifSymbol {
  const header = block.range;
  const end = lastValueRange(block) ?? header;
  const loops: CifSymbol[] = block.loops.map((loop) => {
    const lastColumn = loop.columns[loop.columns.length - 1];
    const loopEnd = lastColumn && loop.rowCount > 0 ? loop.rowRange(loop.rowCount - 1) : loop.range;
    const category = commonPrefix(loop.tags);
    return {
      name: `loop_ ${category || loop.tags[0] || ''}`.trim(),
      detail: `${loop.columns.length} tags × ${loop.rowCount} rows`,
      kind: 'loop',
      range: span(loop.range, loopEnd),
      selection: loop.range,
      children: [],
    };
  });
  const frames = block.saveFrames.map((f) => blockSymbol(f, 'saveFrame'));
  return {
    name: `${kind === 'block' ? 'data_' : 'save_'}${block.name}`,
    detail: `${block.columns.length} tags, ${block.loops.length} loops`,
    kind,
    range: span(header, end),
    selection: header,
    children: [...loops, ...frames],
  };
}

/** The category a loop's tags share (`_atom_site` for `_atom_site_label`, `_atom_site_fract_x`). */
function commonPrefix(tags: string[]): string {
  if (tags.length === 0) return '';
  let prefix = tags[0];
  for (const t of tags) while (!t.toLowerCase().startsWith(prefix.toLowerCase())) prefix = prefix.slice(0, -1);
  return prefix.replace(/[_.]+$/, '');
}

export function cifSymbols(file: CifFile): CifSymbol[] {
  return file.blocks.filter((b) => b.name !== '' || b.columns.length > 0).map((b) => blockSymbol(b, 'block'));
}

function contains(r: SourceRange, line: number, column: number): boolean {
  if (line < r.line || line > r.endLine) return false;
  if (line === r.line && column < r.column) return false;
  if (line === r.endLine && column > r.endColumn) return false;
  return true;
}

const CELL_TAGS: Record<string, string> = {
  _cell_length_a: 'a, cell edge (Å)',
  _cell_length_b: 'b, cell edge (Å)',
  _cell_length_c: 'c, cell edge (Å)',
  _cell_angle_alpha: 'α, angle between b and c (°)',
  _cell_angle_beta: 'β, angle between a and c (°)',
  _cell_angle_gamma: 'γ, angle between a and b (°)',
  _cell_volume: 'cell volume as the file states it (Å³)',
};

const TAG_NOTES: Record<string, string> = {
  _symmetry_space_group_name_h_m: 'Hermann–Mauguin space-group symbol',
  _space_group_name_h_m_alt: 'Hermann–Mauguin space-group symbol',
  _symmetry_int_tables_number: 'International Tables space-group number',
  _space_group_it_number: 'International Tables space-group number',
  _symmetry_equiv_pos_as_xyz: 'a symmetry operation; these generate the cell from the asymmetric unit (trusted over the symbol)',
  _space_group_symop_operation_xyz: 'a symmetry operation; these generate the cell from the asymmetric unit (trusted over the symbol)',
  _atom_site_fract_x: 'fractional coordinate x of a site',
  _atom_site_fract_y: 'fractional coordinate y of a site',
  _atom_site_fract_z: 'fractional coordinate z of a site',
  _atom_site_occupancy: 'site occupancy (1 = fully occupied)',
  _atom_site_b_iso_or_equiv: 'isotropic displacement B (Å²); B = 8π²U',
  _atom_site_u_iso_or_equiv: 'isotropic displacement U (Å²); B = 8π²U',
  _atom_site_type_symbol: 'element (and charge) of a site',
  _atom_site_label: 'site label',
  _chemical_formula_sum: 'formula of the formula unit',
  _cell_formula_units_z: 'formula units per cell (Z)',
};

/**
 * A hover's text as paragraphs of parts, some emphasised. Text, not Markdown: tags, labels and
 * values come from the file, and the editor escapes them (a label such as `[x](https://…)` must
 * show as written, not become a link).
 */
export interface HoverPart {
  text: string;
  strong?: boolean;
}

/** The hover at a 1-based line and column, or undefined where there is nothing to say. */
export function cifHover(file: CifFile, line: number, column: number): { paragraphs: HoverPart[][]; range: SourceRange } | undefined {
  for (const block of file.blocks) {
    for (const col of block.columns) {
      let row = -1;
      let range: SourceRange | undefined;
      if (contains(col.tagRange, line, column)) {
        row = col.rowCount > 0 ? 0 : -1;
        range = col.tagRange;
      } else {
        for (let r = 0; r < col.rowCount; r++) {
          const vr = col.range(r);
          if (vr.line > line) break;
          if (contains(vr, line, column)) {
            row = r;
            range = vr;
            break;
          }
        }
      }
      if (!range) continue;
      return { paragraphs: describe(block, col.tag, row), range };
    }
  }
  return undefined;
}

function describe(block: CifBlock, tag: string, row: number): HoverPart[][] {
  const key = normaliseTag(tag);
  const strong = (text: string): HoverPart => ({ text, strong: true });
  const plain = (text: string): HoverPart => ({ text });
  const title: HoverPart[] = [strong(tag)];
  const paragraphs: HoverPart[][] = [title];
  if (CELL_TAGS[key]) {
    title.push(plain(` — ${CELL_TAGS[key]}`));
    const get = (t: string) => block.number(t)?.value;
    const cell = { a: get('_cell_length_a'), b: get('_cell_length_b'), c: get('_cell_length_c'), alpha: get('_cell_angle_alpha'), beta: get('_cell_angle_beta'), gamma: get('_cell_angle_gamma') };
    if (Object.values(cell).every((v) => v !== undefined && Number.isFinite(v))) {
      const v = cellVolume(cell as { a: number; b: number; c: number; alpha: number; beta: number; gamma: number });
      paragraphs.push([plain(`a ${cell.a} Å, b ${cell.b} Å, c ${cell.c} Å; α ${cell.alpha}°, β ${cell.beta}°, γ ${cell.gamma}°`)]);
      paragraphs.push([plain('Derived cell volume: '), strong(`${v.toFixed(3)} Å³`)]);
      const stated = block.number('_cell_volume')?.value;
      if (stated !== undefined) paragraphs.push([plain(`The file states ${stated} Å³ (${((100 * (v - stated)) / stated).toFixed(3)} %).`)]);
    }
    return paragraphs;
  }
  if (TAG_NOTES[key]) title.push(plain(` — ${TAG_NOTES[key]}`));
  if (key.startsWith('_atom_site_') && row >= 0) {
    const loop = block.loop(tag);
    const labelCol = loop?.column('_atom_site_label');
    const label = labelCol && labelCol.rowCount > row ? labelCol.str(row) : undefined;
    if (label) {
      const built = structureFromBlock(block).structure;
      const site = built?.sites.find((s) => s.label === label);
      if (built && site) {
        const multiplicity = built.atoms.filter((a) => a.siteLabel === label).length;
        paragraphs.push([
          plain('Site '),
          strong(label),
          plain(
            `: ${site.element}${site.oxidationState ? ` (${site.oxidationState > 0 ? '+' : ''}${site.oxidationState})` : ''} at (${site.fract.map((v) => v.toFixed(4)).join(', ')}), ` +
              `occupancy ${site.occupancy}${site.bIso !== undefined ? `, B ${site.bIso.toFixed(3)} Å²` : ''}`,
          ),
        ]);
        paragraphs.push([plain('Multiplicity in the cell: '), strong(String(multiplicity)), plain(` (of ${built.atoms.length} atoms, ${built.operations.length} symmetry operations)`)]);
      }
    }
  }
  return paragraphs;
}
