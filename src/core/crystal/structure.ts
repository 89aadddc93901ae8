import type { Diagnostic, Severity, SourceRange } from '../diagnostics';
import { readFileBounded } from '../formats/file';
import { MAX_INPUT_FILE_BYTES } from '../formats/limits';
import { decodeCifBytes, parseCif, type CifBlock, type CifColumn, type CifNumber } from '../cif';
import { cellProblem, cellVolume, equivalentIsotropic } from './cell';
import { quoteForMessage } from '../formats/located';
import { elementFromLabel, parseTypeSymbol } from './elements';
import { operationsFromHall, operationsFromHermannMauguin, operationsFromNumber } from './spacegroups';
import { MAX_SYMMETRY_OPERATIONS, applyOperation, closureFailure, formatSymmetryOperation, nonSymmetryProblem, operationKey, parseSymmetryOperation } from './symop';
import type { AsymmetricSite, CellAtom, CellParameters, CrystalStructure, SpaceGroupInfo, SymmetryOperation, Vec3 } from './types';

export { cellVolume };

/** Two fractional positions closer than this in every coordinate (periodically) are one. */
export const MERGE_TOLERANCE = 1e-4;
/**
 * The most atom images (sites × symmetry operations) one structure may expand to fill its cell:
 * the largest real structures here make about 1,300 (IRMOF-1: 7 × 192; a 27 kB organometallic:
 * 154 × 4), a protein-sized cell ~10⁵. Expanding costs a few microseconds an image.
 */
export const MAX_SITE_IMAGES = 1_000_000;
const EIGHT_PI2 = 8 * Math.PI * Math.PI;
const CELL_PARAMETERS = ['a', 'b', 'c', 'alpha', 'beta', 'gamma'] as const;

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

class Sink {
  readonly list: Diagnostic[] = [];
  add(severity: Severity, code: string, message: string, range?: SourceRange): void {
    this.list.push(range ? { severity, code, message, range } : { severity, code, message });
  }
}

/** The structure one data block describes, or why it cannot be built. */
export function structureFromBlock(block: CifBlock): { structure?: CrystalStructure; diagnostics: Diagnostic[] } {
  const sink = new Sink();
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

function readCell(block: CifBlock, sink: Sink): CellParameters | undefined {
  const blockName = block.name || '(unnamed)';
  const values: number[] = [];
  const columns: (CifColumn | undefined)[] = [];
  let ok = true;
  for (const name of CELL_PARAMETERS) {
    const tag = `_cell_${name.length === 1 ? 'length' : 'angle'}_${name}`;
    const col = block.column(tag);
    columns.push(col);
    const v = col?.number()?.value;
    if (v !== undefined && v > 0 && Number.isFinite(v)) {
      values.push(v);
      continue;
    }
    if (name.length > 1 && (!col || col.isMissing())) {
      // Angles are often left out of cubic/tetragonal/orthorhombic cells written by hand.
      values.push(90);
      sink.add('warning', 'structure.missing-cell', `${tag} missing; 90° assumed`, col ? col.range() : block.range);
      continue;
    }
    ok = false;
    sink.add(
      'error',
      'structure.missing-cell',
      col ? `${tag} is not a positive number (${quoteForMessage(col.str())})` : `data block ${blockName} has no ${tag}`,
      col ? col.range() : block.range,
    );
  }
  if (!ok) return undefined;
  const cell: CellParameters = { a: values[0], b: values[1], c: values[2], alpha: values[3], beta: values[4], gamma: values[5] };
  const problem = cellProblem(cell);
  if (problem) {
    const col = columns[CELL_PARAMETERS.indexOf(problem.parameter)];
    sink.add('error', 'structure.bad-cell', problem.message, col?.range() ?? block.range);
    return undefined;
  }
  return cell;
}

const OPERATION_TAGS = ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'];
const HALL_TAGS = ['_space_group_name_Hall', '_symmetry_space_group_name_Hall'];
const HM_TAGS = ['_space_group_name_H-M_alt', '_symmetry_space_group_name_H-M', '_space_group_name_H-M_ref', '_space_group_name_H-M'];
const NUMBER_TAGS = ['_space_group_IT_number', '_symmetry_Int_Tables_number', '_space_group_number'];

function readSymmetry(block: CifBlock, sink: Sink): { operations: SymmetryOperation[]; info: SpaceGroupInfo } | undefined {
  const hall = block.value(...HALL_TAGS)?.trim();
  const hm = block.value(...HM_TAGS)?.trim();
  const numberValue = block.number(...NUMBER_TAGS)?.value;
  const number = numberValue !== undefined && Number.isInteger(numberValue) && numberValue >= 1 && numberValue <= 230 ? numberValue : undefined;
  const named: Omit<SpaceGroupInfo, 'operationsSource'> = {};
  if (hm) named.hermannMauguin = hm;
  if (hall) named.hall = hall;
  if (number !== undefined) named.number = number;

  const fromSymbols = (): { ops: SymmetryOperation[]; source: SpaceGroupInfo['operationsSource']; what: string } | undefined => {
    const tries: Array<[SpaceGroupInfo['operationsSource'], string, () => SymmetryOperation[] | undefined]> = [];
    if (hall) tries.push(['hall-symbol', `Hall symbol "${hall}"`, () => operationsFromHall(hall)]);
    if (hm) tries.push(['hermann-mauguin-symbol', `Hermann–Mauguin symbol "${hm}"`, () => operationsFromHermannMauguin(hm)]);
    if (number !== undefined) tries.push(['number', `space-group number ${number}`, () => operationsFromNumber(number)]);
    for (const [source, what, get] of tries) {
      let ops: SymmetryOperation[] | undefined;
      try {
        ops = get();
      } catch {
        ops = undefined; // a table bug must not take the reader down; the next symbol may work
      }
      if (ops && ops.length > 0) return { ops, source, what };
    }
    return undefined;
  };

  const column = block.column(...OPERATION_TAGS);
  const listed = column ? readOperationList(column, sink) : [];
  if (!listed) return undefined;
  if (listed.length > 0) {
    const symbolic = hall || hm || number !== undefined ? fromSymbols() : undefined;
    if (symbolic && symbolic.ops.length !== listed.length) {
      sink.add(
        'warning',
        'structure.symmetry-mismatch',
        `the file lists ${listed.length} symmetry operations but its ${symbolic.what} has ${symbolic.ops.length}; the listed operations are used`,
        column!.tagRange,
      );
    }
    return { operations: listed, info: { ...named, operationsSource: 'operation-list' } };
  }
  const symbolic = fromSymbols();
  if (symbolic) return { operations: dedupe(symbolic.ops), info: { ...named, operationsSource: symbolic.source } };
  if (hall || hm || number !== undefined) {
    const col = block.column(...HALL_TAGS, ...HM_TAGS, ...NUMBER_TAGS);
    sink.add(
      'warning',
      'structure.unknown-space-group',
      `space group ${[hm, hall, number].filter((x) => x !== undefined).join(' / ')} not recognised and no operations listed; only x,y,z is applied`,
      col?.range() ?? block.range,
    );
  } else {
    sink.add('warning', 'structure.no-symmetry', 'no symmetry operations or space group given; P1 (x,y,z only) assumed', block.range);
  }
  return {
    operations: [{ rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] }],
    info: { ...named, operationsSource: 'identity' },
  };
}

/** `1 x,y,z` — an id written into the operation's own value by some programs. */
const LEADING_ID = /^\s*\d+\s+(?=\S)/;

/**
 * The listed operations, each once, or undefined when the list cannot be used at all. An
 * operation that does not parse or is no symmetry (det ≠ ±1) is an error and left out; a list
 * that is not a group is an error too, and used as given: the atoms it generates are not a
 * symmetric crystal (an orbit cut short, or images the group would not make), so every
 * intensity is suspect, but the user sees the pattern next to the error that explains it.
 */
function readOperationList(column: CifColumn, sink: Sink): SymmetryOperation[] | undefined {
  const ops: SymmetryOperation[] = [];
  const rows: number[] = [];
  const seen = new Set<string>();
  for (let r = 0; r < column.rowCount; r++) {
    if (column.isMissing(r)) continue;
    let text = column.str(r);
    const id = LEADING_ID.exec(text);
    if (id && text.slice(id[0].length).includes(',')) text = text.slice(id[0].length);
    const parsed = parseSymmetryOperation(text);
    const why = parsed.ok ? nonSymmetryProblem(parsed.operation) : parsed.message;
    if (!parsed.ok || why) {
      sink.add('error', 'structure.bad-symop', `symmetry operation ${quoteForMessage(column.str(r))}: ${why}; left out`, column.range(r));
      continue;
    }
    const key = operationKey(parsed.operation);
    if (seen.has(key)) continue;
    seen.add(key);
    ops.push(parsed.operation);
    rows.push(r);
  }
  if (ops.length > MAX_SYMMETRY_OPERATIONS) {
    sink.add('error', 'structure.bad-symop', `the file lists ${ops.length} distinct symmetry operations; a space group has at most 192 (${MAX_SYMMETRY_OPERATIONS} are accepted, for supercell settings)`, column.tagRange);
    return undefined;
  }
  const failure = closureFailure(ops);
  if (failure) {
    const [first, second] = [rows[failure.first], rows[failure.second]];
    sink.add(
      'error',
      'structure.symmetry-not-group',
      `the symmetry operations are not a group: ${quoteForMessage(column.str(first))} applied after ${quoteForMessage(column.str(second))} (line ${column.range(second).line}) ` +
        `gives ${formatSymmetryOperation(failure.product)}, which the list lacks; the listed operations are used as given, so the cell's atoms may be wrong`,
      column.range(first),
    );
  }
  return ops;
}

function dedupe(ops: SymmetryOperation[]): SymmetryOperation[] {
  const seen = new Set<string>();
  return ops.filter((op) => {
    const key = operationKey(op);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readSites(block: CifBlock, cell: CellParameters, sink: Sink): AsymmetricSite[] | 'placeholder' {
  const fx = block.column('_atom_site_fract_x')!;
  const loop = block.loopOfColumn(fx);
  const n = fx.rowCount;
  const sameTable = (tag: string): CifColumn | undefined => {
    const c = block.column(tag);
    if (!c) return undefined;
    if (c.rowCount !== n || block.loopOfColumn(c) !== loop) {
      sink.add('warning', 'structure.misplaced-tag', `${c.tag} is not in the atom-site loop; ignored`, c.tagRange);
      return undefined;
    }
    return c;
  };
  const fy = sameTable('_atom_site_fract_y');
  const fz = sameTable('_atom_site_fract_z');
  if (!fy || !fz) {
    sink.add('error', 'structure.missing-coordinate', 'the atom-site loop needs _atom_site_fract_x, _y and _z', fx.tagRange);
    return [];
  }
  const labelCol = sameTable('_atom_site_label');
  const typeCol = sameTable('_atom_site_type_symbol');
  const occCol = sameTable('_atom_site_occupancy');
  const uCol = sameTable('_atom_site_U_iso_or_equiv');
  const bCol = sameTable('_atom_site_B_iso_or_equiv');
  const flagCol = sameTable('_atom_site_calc_flag');
  const aniso = anisotropicEquivalents(block, cell);
  const formulaSum = block.value('_chemical_formula_sum');
  const parsedSum = formulaSum ? parseFormulaSum(formulaSum) : undefined;
  const allowed = parsedSum ? new Set(Object.keys(parsedSum).map((e) => (e === 'D' || e === 'T' ? 'H' : e))) : undefined;

  const sites: AsymmetricSite[] = [];
  let placeholders = 0;
  for (let r = 0; r < n; r++) {
    const rowRange = loop ? loop.rowRange(r) : fx.range(r);
    if (loop && loop.columns.every((c) => c.isMissing(r))) {
      // Pauling File and other exporters write a row of `?` for "no sites".
      placeholders++;
      continue;
    }
    const label = (labelCol && !labelCol.isMissing(r) ? labelCol.str(r) : '') || (typeCol && !typeCol.isMissing(r) ? typeCol.str(r) : '') || `site${r + 1}`;
    if (flagCol && flagCol.str(r).toLowerCase() === 'dum') continue; // dummy atoms mark positions, they scatter nothing

    let typed = typeCol && !typeCol.isMissing(r) ? parseTypeSymbol(typeCol.str(r)) : undefined;
    if (!typed && labelCol && !labelCol.isMissing(r)) {
      const element = elementFromLabel(labelCol.str(r), allowed);
      if (element) typed = { element };
    }
    if (!typed) {
      const shown = typeCol && !typeCol.isMissing(r) ? typeCol.str(r) : label;
      sink.add('warning', 'structure.unknown-element', `site ${label} skipped: no element recognised in "${shown}"`, rowRange);
      continue;
    }

    const fract: number[] = [];
    let bad: { col: CifColumn; axis: string } | undefined;
    for (const [col, axis] of [
      [fx, 'x'],
      [fy, 'y'],
      [fz, 'z'],
    ] as const) {
      const v = col.number(r)?.value;
      if (v === undefined || !Number.isFinite(v)) {
        bad ??= { col, axis };
        continue;
      }
      fract.push(v);
    }
    if (bad) {
      const range = bad.col.range(r);
      const shown = bad.col.kind(r) === 'absent' ? 'missing' : `"${bad.col.isMissing(r) ? (bad.col.kind(r) === 'unknown' ? '?' : '.') : bad.col.str(r)}"`;
      sink.add('warning', 'structure.missing-coordinate', `site ${label} on line ${range.line} skipped: fract_${bad.axis} is ${shown}`, range);
      continue;
    }

    let occupancy = 1;
    if (occCol && !occCol.isMissing(r)) {
      const why = occupancyProblem(occCol.number(r));
      if (why) {
        sink.add('error', 'structure.bad-occupancy', `site ${label} left out: occupancy ${quoteForMessage(occCol.str(r))} ${why}`, occCol.range(r));
        continue;
      }
      occupancy = occCol.number(r)!.value;
    }

    let bIso: number | undefined;
    const u = uCol?.number(r)?.value;
    const b = bCol?.number(r)?.value;
    if (u !== undefined && Number.isFinite(u)) bIso = EIGHT_PI2 * u;
    else if (b !== undefined && Number.isFinite(b)) bIso = b;
    else {
      const ueq = aniso.get(label.toLowerCase());
      if (ueq !== undefined) bIso = EIGHT_PI2 * ueq;
    }
    if (bIso !== undefined && bIso < 0) {
      sink.add('warning', 'structure.bad-value', `site ${label}: negative displacement parameter ignored`, (uCol ?? bCol ?? fx).range(r));
      bIso = undefined;
    }

    const site: AsymmetricSite = { label, element: typed.element, fract: fract as Vec3, occupancy, source: rowRange };
    if (typed.oxidationState !== undefined) site.oxidationState = typed.oxidationState;
    if (bIso !== undefined) site.bIso = bIso;
    sites.push(site);
  }
  return placeholders === n && n > 0 ? 'placeholder' : sites;
}

/**
 * How far above 1 an occupancy may be written and still mean 1: the last digit of a rounded
 * refinement (1.004, 0.5 + 0.505 on one position). Beyond it, and beyond three standard
 * uncertainties, the site claims more atoms than fit on it.
 */
export const OCCUPANCY_ROUNDING = 1e-2;

/** Why a site's occupancy cannot be used, or undefined: it is a fraction of a position, 0–1. */
function occupancyProblem(o: CifNumber | undefined): string | undefined {
  if (o === undefined || !Number.isFinite(o.value)) return 'is not a number';
  if (o.value < 0) return 'is negative';
  if (o.value > 1 + Math.max(OCCUPANCY_ROUNDING, 3 * (o.su ?? 0))) return 'exceeds 1 (a site holds at most one atom per position)';
  return undefined;
}

/** label (lower case) → U_eq from `_atom_site_aniso_U_ij` (or B_ij / 8π²). */
function anisotropicEquivalents(block: CifBlock, cell: CellParameters): Map<string, number> {
  const out = new Map<string, number>();
  const labels = block.column('_atom_site_aniso_label');
  if (!labels) return out;
  for (const kind of ['U', 'B'] as const) {
    const cols = ['11', '22', '33', '12', '13', '23'].map((ij) => block.column(`_atom_site_aniso_${kind}_${ij}`));
    if (cols.some((c) => !c || c.rowCount !== labels.rowCount)) continue;
    for (let r = 0; r < labels.rowCount; r++) {
      const u = cols.map((c) => c!.number(r)?.value);
      if (u.some((v) => v === undefined || !Number.isFinite(v))) continue;
      const eq = equivalentIsotropic(cell, u as [number, number, number, number, number, number]);
      out.set(labels.str(r).toLowerCase(), kind === 'U' ? eq : eq / EIGHT_PI2);
    }
    if (out.size > 0) break;
  }
  return out;
}

function wrap(x: number): number {
  const r = x - Math.floor(x);
  return r >= 1 ? 0 : r;
}

function periodicClose(p: Vec3, q: Vec3, tol: number): boolean {
  for (let k = 0; k < 3; k++) {
    let d = Math.abs(p[k] - q[k]);
    d = Math.min(d, 1 - d);
    if (d > tol) return false;
  }
  return true;
}

/** A hash of positions in bins of 1/1000 of the cell (ten times the merge tolerance), for "who is near here" in O(1). */
class PositionIndex {
  private static readonly N = 1000;
  private readonly bins = new Map<number, number[]>();

  private static key(i: number, j: number, k: number): number {
    const N = PositionIndex.N;
    return ((((i % N) + N) % N) * N + (((j % N) + N) % N)) * N + (((k % N) + N) % N);
  }

  add(p: Vec3, id: number): void {
    const N = PositionIndex.N;
    const key = PositionIndex.key(Math.floor(p[0] * N), Math.floor(p[1] * N), Math.floor(p[2] * N));
    const bin = this.bins.get(key);
    if (bin) bin.push(id);
    else this.bins.set(key, [id]);
  }

  /**
   * Calls `visit` with the ids in the bins that can hold a point within `tol` of p (per axis
   * the bins from p − tol to p + tol: one, or two near a bin's edge, rather than all 27
   * neighbours), in the order of the 3 × 3 × 3 neighbourhood; stops when `visit` returns true.
   * Returns whether it stopped.
   */
  someNear(p: Vec3, tol: number, visit: (id: number) => boolean): boolean {
    const N = PositionIndex.N;
    const i0 = Math.floor((p[0] - tol) * N), i1 = Math.floor((p[0] + tol) * N);
    const j0 = Math.floor((p[1] - tol) * N), j1 = Math.floor((p[1] + tol) * N);
    const k0 = Math.floor((p[2] - tol) * N), k1 = Math.floor((p[2] + tol) * N);
    for (let i = i0; i <= i1; i++)
      for (let j = j0; j <= j1; j++)
        for (let k = k0; k <= k1; k++) {
          const bin = this.bins.get(PositionIndex.key(i, j, k));
          if (bin) for (const id of bin) if (visit(id)) return true;
        }
    return false;
  }
}

/**
 * Apply every operation to every site, wrap into [0, 1), and merge: images of one site that
 * coincide are one atom; a different listed site of the same element on the same position
 * adds its occupancy (as pymatgen's CifParser does); different elements on one position
 * (mixed occupancy) stay separate atoms.
 */
export function expandSites(
  sites: AsymmetricSite[],
  operations: SymmetryOperation[],
  diagnostics?: { add(severity: Severity, code: string, message: string, range?: SourceRange): void },
  tolerance = MERGE_TOLERANCE,
): { atoms: CellAtom[] } {
  const atoms: CellAtom[] = [];
  const siteOf: number[] = [];
  const index = new PositionIndex();
  for (let s = 0; s < sites.length; s++) {
    const site = sites[s];
    // This site's images so far, indexed like the atoms: a site with hundreds of images (a
    // general position of a cubic group) would otherwise compare each with all before it.
    const images: Vec3[] = [];
    const imageIndex = new PositionIndex();
    for (const op of operations) {
      const q = applyOperation(op, site.fract);
      const p: Vec3 = [wrap(q[0]), wrap(q[1]), wrap(q[2])];
      if (imageIndex.someNear(p, tolerance, (id) => periodicClose(images[id], p, tolerance))) continue;
      imageIndex.add(p, images.length);
      images.push(p);
      const merged = index.someNear(p, tolerance, (id) => {
        const other = atoms[id];
        if (siteOf[id] === s || other.element !== site.element || !periodicClose(other.fract, p, tolerance)) return false;
        other.occupancy += site.occupancy;
        return true;
      });
      if (merged) continue;
      const atom: CellAtom = { element: site.element, fract: p, occupancy: site.occupancy, siteLabel: site.label };
      if (site.oxidationState !== undefined) atom.oxidationState = site.oxidationState;
      if (site.bIso !== undefined) atom.bIso = site.bIso;
      index.add(p, atoms.length);
      atoms.push(atom);
      siteOf.push(s);
    }
  }
  if (diagnostics) {
    const reported = new Set<string>();
    for (let a = 0; a < atoms.length; a++) {
      let total = 0;
      const labels = new Set<string>();
      index.someNear(atoms[a].fract, tolerance, (id) => {
        if (periodicClose(atoms[id].fract, atoms[a].fract, tolerance)) {
          total += atoms[id].occupancy;
          labels.add(atoms[id].siteLabel);
        }
        return false;
      });
      const key = [...labels].sort().join(' ');
      if (total > 1 + OCCUPANCY_ROUNDING && !reported.has(key)) {
        reported.add(key);
        const first = sites.find((x) => x.label === atoms[a].siteLabel);
        diagnostics.add(
          'warning',
          'structure.occupancy',
          `total occupancy ${+total.toFixed(4)} at the position of ${[...labels].join(', ')} exceeds 1`,
          first?.source,
        );
      }
    }
  }
  return { atoms };
}

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
