// Space groups by name: a Hall symbol, a Hermann–Mauguin symbol as files spell it, or an
// International Tables number, to its full list of symmetry operations (table.ts lists the
// settings, hall.ts generates the operations).
import type { SymmetryOperation } from '../types';
import { operationKey } from '../symop';
import { parseHallSymbol, HallSymbolError } from './hall';
import { AXIS_SETTINGS, SPACE_GROUP_TABLE, type SpaceGroupEntry } from './table';
import { reduceFraction } from '../symop';

export { parseHallSymbol, closeGroup, HallSymbolError } from './hall';
export { SPACE_GROUP_TABLE, type SpaceGroupEntry } from './table';

export interface SpaceGroupSetting {
  number: number;
  /** Short symbol with spaces, e.g. `P 42/m n m`. */
  hermannMauguin: string;
  /** Hall symbol of the standard setting when `axes` names a change of axes from it. */
  hall: string;
  axes?: string;
  /** Origin choice (`1`, `2`), axes (`H`, `R`) or named alternative, when not the only setting. */
  settingNote?: string;
}

/**
 * Symbol spellings real files use, reduced to one key: case, spaces and underscores dropped
 * (`P 42/m n m`, `P4_2/mnm`, `p42/MNM`), and the monoclinic full symbol's `1`s removed
 * (`P 1 21/c 1` → `p21/c`).
 */
function normaliseSymbol(symbol: string): string {
  let s = stripQuotes(symbol).toLowerCase().replace(/[\s_]+/g, '');
  // Monoclinic full symbols: P 1 2/m 1 → p2/m (but keep P1 itself and P-1).
  const mono = /^([pabcfi])1(.+)1$/.exec(s);
  if (mono && mono[2] !== '' && !/^[-]?$/.test(mono[2])) s = mono[1] + mono[2];
  return s;
}

/** Drops quotes around a whole value (`'F m 3 m'`), never a Hall symbol's own `"` axis mark. */
function stripQuotes(text: string): string {
  const t = text.trim();
  const m = /^(['"])(.*)\1$/.exec(t);
  return m ? m[2].trim() : t;
}

interface Keyed {
  entry: SpaceGroupEntry;
  key: string;
}

let index: Map<string, SpaceGroupEntry[]> | undefined;

function symbolIndex(): Map<string, SpaceGroupEntry[]> {
  if (index) return index;
  index = new Map();
  const keyed: Keyed[] = SPACE_GROUP_TABLE.map((entry) => ({ entry, key: normaliseSymbol(entry.hermannMauguin) }));
  for (const { entry, key } of keyed) {
    const list = index.get(key) ?? [];
    list.push(entry);
    index.set(key, list);
  }
  return index;
}

/** Split a trailing setting suffix: `Fd-3m:1`, `R -3 m :R`, `R-3mH`, `Pnnn S`. */
function splitSetting(symbol: string): { base: string; setting?: string } {
  const m = /^(.*?)\s*:\s*([12HRSZhrsz]|[a-z]+)\s*$/.exec(symbol.trim());
  if (m) {
    const tag = m[2].toUpperCase();
    return { base: m[1], setting: tag === 'S' ? '1' : tag === 'Z' ? '2' : m[2].length === 1 ? tag : m[2] };
  }
  const r = /^(R.*?)\s*([HR])\s*$/i.exec(symbol.trim());
  if (r && normaliseSymbol(r[1]).length > 1) return { base: r[1], setting: r[2].toUpperCase() };
  return { base: symbol };
}

function choose(entries: SpaceGroupEntry[], setting?: string): SpaceGroupEntry | undefined {
  if (setting) return entries.find((e) => (e.setting ?? '').toLowerCase() === setting.toLowerCase());
  return entries.find((e) => e.standard) ?? entries[0];
}

function findByHermannMauguin(symbol: string): SpaceGroupEntry | undefined {
  const { base, setting } = splitSetting(symbol);
  const key = normaliseSymbol(base);
  const direct = symbolIndex().get(key);
  if (direct) return choose(direct, setting);
  // AMCSD and older files drop the bar of cubic 3s: `F m 3 m` is Fm-3m, `I a 3 d` is Ia-3d.
  const barred = /^([pfi])([a-z]*?)(?<!-)3(.*)$/.exec(key);
  if (barred) {
    const fixed = symbolIndex().get(`${barred[1]}${barred[2]}-3${barred[3]}`);
    if (fixed) return choose(fixed, setting);
  }
  return undefined;
}

const cache = new Map<string, SymmetryOperation[] | undefined>();

function operationsOf(hall: string): SymmetryOperation[] | undefined {
  if (cache.has(hall)) return cache.get(hall);
  let ops: SymmetryOperation[] | undefined;
  try {
    ops = parseHallSymbol(hall);
  } catch (e) {
    if (!(e instanceof HallSymbolError)) throw e;
    ops = undefined;
  }
  cache.set(hall, ops);
  return ops;
}

/** x′ = P⁻¹x for a signed permutation P: R′ = P⁻¹RP, t′ = P⁻¹t (P⁻¹ = Pᵀ). */
function changeBasis(ops: SymmetryOperation[], basis: number[]): SymmetryOperation[] {
  const P = basis;
  const Pt = [P[0], P[3], P[6], P[1], P[4], P[7], P[2], P[5], P[8]];
  const mul = (A: number[], B: number[]) =>
    [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => A[r * 3] * B[c] + A[r * 3 + 1] * B[3 + c] + A[r * 3 + 2] * B[6 + c] || 0));
  return ops.map((op) => ({
    rotation: mul(mul(Pt, op.rotation), P) as SymmetryOperation['rotation'],
    translation: [0, 1, 2].map((r) => reduceFraction(Pt[r * 3] * op.translation[0] + Pt[r * 3 + 1] * op.translation[1] + Pt[r * 3 + 2] * op.translation[2])) as SymmetryOperation['translation'],
  }));
}

const entryCache = new Map<SpaceGroupEntry, SymmetryOperation[] | undefined>();

/** Operations of a table entry, in its own axis setting. */
export function operationsOfEntry(entry: SpaceGroupEntry): SymmetryOperation[] | undefined {
  if (!entry.axes) return operationsOf(entry.hall);
  if (!entryCache.has(entry)) {
    const standard = operationsOf(entry.hall);
    entryCache.set(entry, standard && changeBasis(standard, AXIS_SETTINGS[entry.axes].basis));
  }
  return entryCache.get(entry);
}

function toSetting(e: SpaceGroupEntry): SpaceGroupSetting {
  return { number: e.number, hermannMauguin: e.hermannMauguin, hall: e.hall, axes: e.axes, settingNote: e.setting };
}

/** Operations of a group given by its Hall symbol (any valid Hall symbol, not only tabulated ones). */
export function operationsFromHall(hall: string): SymmetryOperation[] | undefined {
  const text = stripQuotes(hall);
  return text ? operationsOf(text) : undefined;
}

/** Operations of a group given by its Hermann–Mauguin symbol, standard setting unless suffixed. */
export function operationsFromHermannMauguin(symbol: string): SymmetryOperation[] | undefined {
  const entry = findByHermannMauguin(symbol);
  return entry ? operationsOfEntry(entry) : undefined;
}

/** Operations of the standard setting of an International Tables number. */
export function operationsFromNumber(n: number): SymmetryOperation[] | undefined {
  const entry = SPACE_GROUP_TABLE.find((e) => e.number === n && e.standard);
  return entry ? operationsOfEntry(entry) : undefined;
}

export function lookupSpaceGroup(symbolOrHall: string): SpaceGroupSetting | undefined {
  const byHm = findByHermannMauguin(symbolOrHall);
  if (byHm) return toSetting(byHm);
  const text = stripQuotes(symbolOrHall).replace(/\s+/g, ' ');
  const byHall = SPACE_GROUP_TABLE.find((e) => !e.axes && e.hall.toLowerCase() === text.toLowerCase());
  if (byHall) return toSetting(byHall);
  // Any other valid Hall symbol (Jana's `-R 3;-2"c`, a different but equivalent choice of
  // generators): identify it by the operations it generates.
  const ops = operationsOf(text);
  if (!ops) return undefined;
  const wanted = ops.map(operationKey).sort().join(';');
  const same = SPACE_GROUP_TABLE.find((e) => {
    const candidate = operationsOfEntry(e);
    return candidate?.length === ops.length && candidate.map(operationKey).sort().join(';') === wanted;
  });
  return same ? { ...toSetting(same), hall: text } : undefined;
}
