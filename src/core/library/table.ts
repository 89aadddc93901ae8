// The sample table of a materials library: a delimited text file with a header row naming a
// sample column (file/name/id), positions (x, y in mm) and element columns (fractions or at.%).
// Every problem names the file, line and column of the cell it is about.
import { isElement } from '../crystal/elements';

export interface TableRow {
  /** 1-based line in the file. */
  line: number;
  /** The sample column's text: a file name or a sample id. */
  key: string;
  keyColumn: number;
  x?: number;
  y?: number;
  composition?: Record<string, number>;
}

export interface SampleTable {
  rows: TableRow[];
  elements: string[];
  hasPositions: boolean;
  /** What was inferred (delimiter, at.% or fractions, ignored columns), to tell the user. */
  notes: string[];
}

/** A problem at a place in a file, printed `file:line:column: message`. */
export interface LocatedProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export const formatProblem = (p: LocatedProblem) => `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}`;

const KEY_NAMES = ['file', 'filename', 'file_name', 'name', 'id', 'sample', 'sample_id', 'pattern'];

/** `Fe`, `Fe (at.%)`, `Fe_at%`, `x_Fe` → `Fe`; anything else undefined. */
function elementOfHeader(header: string): string | undefined {
  const m = /^(?:x_|c_)?([A-Z][a-z]?)(?:\s*[_(]?\s*(?:at\.?\s*%|at%|%|frac(?:tion)?)\s*\)?)?$/.exec(header.trim());
  return m && isElement(m[1]) ? m[1] : undefined;
}

/** `x`, `X`, `y`, `x (mm)`, `Y_mm` → the axis. A bare `Y` is yttrium, not a position. */
function positionOfHeader(header: string): 'x' | 'y' | undefined {
  const h = header.trim();
  const withUnit = /^([xy])\s*[_(]?\s*mm\s*\)?$/i.exec(h);
  if (withUnit) return withUnit[1].toLowerCase() as 'x' | 'y';
  return h === 'x' || h === 'X' ? 'x' : h === 'y' ? 'y' : undefined;
}

interface Cell {
  text: string;
  column: number;
}

function splitCells(line: string, delimiter: string): Cell[] {
  const cells: Cell[] = [];
  let start = 0;
  for (;;) {
    const end = line.indexOf(delimiter, start);
    const raw = line.slice(start, end < 0 ? undefined : end);
    const lead = raw.length - raw.trimStart().length;
    cells.push({ text: raw.trim().replace(/^"(.*)"$/, '$1'), column: start + lead + 1 });
    if (end < 0) return cells;
    start = end + delimiter.length;
  }
}

export function parseSampleTable(text: string, file: string): { table?: SampleTable; problems: LocatedProblem[] } {
  const problems: LocatedProblem[] = [];
  const at = (line: number, column: number, message: string) => problems.push({ file, line, column, message });
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '' && !/^\s*#/.test(l));
  if (headerIndex < 0) return { problems: [{ file, message: 'empty: expected a header row naming the columns (file, x, y, elements)' }] };
  const headerLine = lines[headerIndex];
  // The delimiter that splits the header into the most columns: tab, semicolon or comma.
  const delimiter = ['\t', ';', ','].map((d) => ({ d, n: headerLine.split(d).length })).sort((a, b) => b.n - a.n)[0].d;
  const header = splitCells(headerLine, delimiter);
  const notes: string[] = [`${file}: columns separated by ${delimiter === '\t' ? 'tabs' : delimiter === ';' ? 'semicolons' : 'commas'}`];
  let keyIndex = -1;
  const positions: Partial<Record<'x' | 'y', number>> = {};
  const elementColumns: { element: string; index: number }[] = [];
  const ignored: string[] = [];
  header.forEach((cell, index) => {
    const name = cell.text;
    if (keyIndex < 0 && KEY_NAMES.includes(name.toLowerCase().replace(/\s+/g, '_'))) keyIndex = index;
    else if (positionOfHeader(name) && positions[positionOfHeader(name)!] === undefined) positions[positionOfHeader(name)!] = index;
    else if (elementOfHeader(name)) {
      const element = elementOfHeader(name)!;
      if (elementColumns.some((c) => c.element === element)) at(headerIndex + 1, cell.column, `element ${element} has two columns`);
      else elementColumns.push({ element, index });
    } else if (name) ignored.push(name);
  });
  if (keyIndex < 0) at(headerIndex + 1, 1, `no sample column: name one of the columns ${KEY_NAMES.slice(0, 5).join(', ')} (the pattern file's name or its name without extension)`);
  if ((positions.x === undefined) !== (positions.y === undefined)) at(headerIndex + 1, 1, `a ${positions.x === undefined ? 'y' : 'x'} column without ${positions.x === undefined ? 'an x' : 'a y'} column`);
  if (ignored.length) notes.push(`${file}: ignored column${ignored.length > 1 ? 's' : ''} ${ignored.map((n) => `"${n}"`).join(', ')} (neither sample, x, y nor an element)`);
  if (problems.length) return { problems };
  const hasPositions = positions.x !== undefined;
  // Decimal commas are common where the semicolon is the separator.
  const number = (cell: Cell | undefined, line: number, what: string): number | undefined => {
    if (!cell || cell.text === '') {
      at(line, cell?.column ?? 1, `missing ${what}`);
      return undefined;
    }
    const v = Number(delimiter === ',' ? cell.text : cell.text.replace(',', '.'));
    if (!Number.isFinite(v)) {
      at(line, cell.column, `${what}: not a number: "${cell.text}"`);
      return undefined;
    }
    return v;
  };
  const rows: TableRow[] = [];
  const seen = new Map<string, number>();
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const lineText = lines[i];
    if (lineText.trim() === '' || /^\s*#/.test(lineText)) continue;
    const line = i + 1;
    const cells = splitCells(lineText, delimiter);
    if (cells.length < header.length) at(line, lineText.length + 1, `${cells.length} columns; the header has ${header.length}`);
    const keyCell = cells[keyIndex];
    if (!keyCell || !keyCell.text) {
      at(line, keyCell?.column ?? 1, `no sample name in column "${header[keyIndex].text}"`);
      continue;
    }
    if (seen.has(keyCell.text)) at(line, keyCell.column, `sample "${keyCell.text}" is listed twice (first on line ${seen.get(keyCell.text)})`);
    seen.set(keyCell.text, line);
    const row: TableRow = { line, key: keyCell.text, keyColumn: keyCell.column };
    if (hasPositions) {
      row.x = number(cells[positions.x!], line, 'x (mm)');
      row.y = number(cells[positions.y!], line, 'y (mm)');
    }
    if (elementColumns.length) {
      const composition: Record<string, number> = {};
      for (const { element, index } of elementColumns) {
        const v = number(cells[index], line, element);
        if (v === undefined) continue;
        if (v < 0) at(line, cells[index].column, `${element}: a fraction cannot be negative (${v})`);
        composition[element] = v;
      }
      row.composition = composition;
    }
    rows.push(row);
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ file, line: headerIndex + 1, column: 1, message: 'a header but no sample rows' });
  if (problems.length) return { problems };
  const elements = elementColumns.map((c) => c.element);
  if (elements.length) {
    // At.% or fractions is decided for the whole table, so that a row of small numbers in a
    // percentage table is not taken for fractions.
    const sums = rows.map((r) => Object.values(r.composition!).reduce((a, b) => a + b, 0));
    const percent = Math.max(...sums) > 1.5;
    notes.push(`${file}: compositions of ${elements.join(', ')} read as ${percent ? 'at.% (sums up to ' + Math.max(...sums).toPrecision(4) + ')' : 'fractions'}, each row normalised to sum 1`);
    rows.forEach((r, k) => {
      if (sums[k] <= 0) return at(r.line, r.keyColumn, `composition of "${r.key}" sums to zero`);
      for (const e of elements) r.composition![e] /= sums[k];
    });
  }
  if (problems.length) return { problems };
  return { table: { rows, elements, hasPositions, notes }, problems };
}
