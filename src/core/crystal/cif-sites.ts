// The asymmetric unit of a CIF data block: one site per row of the atom-site loop, its element
// recognised from the type symbol or label, with occupancy and displacement parameters.
import type { CifBlock, CifColumn, CifNumber } from '../cif';
import { quoteForMessage } from '../formats/located';
import { equivalentIsotropic } from './cell';
import type { DiagnosticSink } from './diagnostic-sink';
import { elementFromLabel, parseTypeSymbol } from './elements';
import { parseFormulaSum } from './formula';
import { OCCUPANCY_ROUNDING } from './site-expansion';
import type { AsymmetricSite, CellParameters, Vec3 } from './types';

const EIGHT_PI2 = 8 * Math.PI * Math.PI;

/**
 * The block's atom sites (the loop of _atom_site_fract_x): element, position, occupancy and
 * isotropic displacement (from U, B or the anisotropic table). Rows that cannot be used are left
 * out with a diagnostic; 'placeholder' when every row is a placeholder ("no sites").
 */
export function readSites(block: CifBlock, cell: CellParameters, sink: DiagnosticSink): AsymmetricSite[] | 'placeholder' {
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
