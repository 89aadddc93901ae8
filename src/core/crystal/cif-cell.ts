// The unit cell of a CIF data block (_cell_length_*, _cell_angle_*): read, defaulted where a
// hand-written cell leaves out right angles, and checked for a cell that can exist.
import type { CifBlock, CifColumn } from '../cif';
import { quoteForMessage } from '../formats/located';
import { cellProblem } from './cell';
import type { DiagnosticSink } from './diagnostic-sink';
import type { CellParameters } from './types';

const CELL_PARAMETERS = ['a', 'b', 'c', 'alpha', 'beta', 'gamma'] as const;

/** The block's cell, or undefined (with an error) when a length or angle is unusable. */
export function readCell(block: CifBlock, sink: DiagnosticSink): CellParameters | undefined {
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
