// The symmetry of a CIF data block: its listed operations (_space_group_symop_operation_xyz and
// the older tag) or its space-group symbols (Hall, Hermann–Mauguin, number), whichever gives a
// usable set, with diagnostics when the two disagree or the list is not a group.
import type { CifBlock, CifColumn } from '../cif';
import { quoteForMessage } from '../formats/located';
import type { DiagnosticSink } from './diagnostic-sink';
import { operationsFromHall, operationsFromHermannMauguin, operationsFromNumber } from './spacegroups';
import { MAX_SYMMETRY_OPERATIONS, closureFailure, formatSymmetryOperation, nonSymmetryProblem, operationKey, parseSymmetryOperation } from './symop';
import type { SpaceGroupInfo, SymmetryOperation } from './types';

const OPERATION_TAGS = ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'];
const HALL_TAGS = ['_space_group_name_Hall', '_symmetry_space_group_name_Hall'];
const HM_TAGS = ['_space_group_name_H-M_alt', '_symmetry_space_group_name_H-M', '_space_group_name_H-M_ref', '_space_group_name_H-M'];
const NUMBER_TAGS = ['_space_group_IT_number', '_symmetry_Int_Tables_number', '_space_group_number'];

/**
 * The block's symmetry operations: the listed operations where there are any (checked against
 * the space-group symbols), else those of its Hall symbol, Hermann–Mauguin symbol or number,
 * else the identity (with a warning). Undefined when the listed operations cannot be used.
 */
export function readSymmetry(block: CifBlock, sink: DiagnosticSink): { operations: SymmetryOperation[]; info: SpaceGroupInfo } | undefined {
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
function readOperationList(column: CifColumn, sink: DiagnosticSink): SymmetryOperation[] | undefined {
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
