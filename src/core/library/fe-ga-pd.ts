// The Fe–Ga–Pd composition-spread library published with Kusne et al., Nat. Commun. 11, 5966
// (2020) (CAMEO; measured by Long et al., Rev. Sci. Instrum. 78, 072217 (2007)):
//   FeGaPd_XRD.txt  comma-separated; first row the 2θ of each column, row N+1 sample N's intensities;
//   FeGaPd_CMP.txt  whitespace-separated; a header "Fe Ga Pd", row N+1 sample N's composition.
// The files give no wafer positions and do not state the wavelength: the collection records
// both absences rather than inventing values.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../diagnostics';
import { isElement } from '../crystal/elements';
import type { Collection, CollectionSample } from '../formats/collection';
import { throwProblems, type ImportResult } from './folder';
import type { LocatedProblem } from './table';

export const FE_GA_PD_FILES = { xrd: 'FeGaPd_XRD.txt', composition: 'FeGaPd_CMP.txt' };

/** Reads a numeric matrix: one row per line, cells split by `separator`; located errors. */
export function readNumberRows(text: string, file: string, separator: RegExp, problems: LocatedProblem[], firstLine = 0): { rows: Float64Array[]; lines: number[] } {
  const rows: Float64Array[] = [];
  const lines: number[] = [];
  const all = text.split(/\r?\n/);
  const split = new RegExp(separator.source, 'g');
  for (let i = firstLine; i < all.length; i++) {
    const line = all[i];
    if (line.trim() === '') continue;
    const values: number[] = [];
    // Walk the cells keeping their offsets, so that a bad one is reported at its column.
    let start = line.length - line.trimStart().length;
    const end = line.trimEnd().length;
    split.lastIndex = start;
    for (;;) {
      const m = split.exec(line);
      const stop = m && m.index < end ? m.index : end;
      const cell = line.slice(start, stop);
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) {
        problems.push({ file, line: i + 1, column: start + 1, message: `not a number: "${cell}"` });
        break;
      }
      values.push(v);
      if (stop >= end) break;
      start = m!.index + m![0].length;
      split.lastIndex = start;
    }
    rows.push(Float64Array.from(values));
    lines.push(i + 1);
  }
  return { rows, lines };
}

export function importFeGaPd(dir: string): ImportResult {
  const xrdPath = join(dir, FE_GA_PD_FILES.xrd);
  const cmpPath = join(dir, FE_GA_PD_FILES.composition);
  for (const p of [xrdPath, cmpPath]) if (!existsSync(p)) throw new UserError(`${p}: no such file (the Fe–Ga–Pd folder holds ${FE_GA_PD_FILES.xrd} and ${FE_GA_PD_FILES.composition})`);
  const problems: LocatedProblem[] = [];
  const xrd = readNumberRows(readFileSync(xrdPath, 'utf8'), xrdPath, /\s*,\s*/, problems);
  const cmpText = readFileSync(cmpPath, 'utf8');
  const headerLine = cmpText.split(/\r?\n/).findIndex((l) => l.trim() !== '');
  const elements = cmpText.split(/\r?\n/)[headerLine].trim().split(/\s+/);
  if (!elements.every(isElement)) problems.push({ file: cmpPath, line: headerLine + 1, column: 1, message: `expected a header of element symbols (Fe Ga Pd); got "${elements.join(' ')}"` });
  const cmp = readNumberRows(cmpText, cmpPath, /\s+/, problems, headerLine + 1);
  if (problems.length) throwProblems(problems);
  const [axis, ...intensities] = xrd.rows;
  if (!axis || intensities.length === 0) throw new UserError(`${xrdPath}: expected a 2θ row and at least one sample row`);
  intensities.forEach((row, i) => {
    if (row.length !== axis.length) problems.push({ file: xrdPath, line: xrd.lines[i + 1], column: 1, message: `${row.length} intensities; the 2θ row has ${axis.length}` });
  });
  cmp.rows.forEach((row, i) => {
    if (row.length !== elements.length) problems.push({ file: cmpPath, line: cmp.lines[i], column: 1, message: `${row.length} values; the header names ${elements.length} elements` });
  });
  if (cmp.rows.length !== intensities.length) problems.push({ file: cmpPath, message: `${cmp.rows.length} compositions for ${intensities.length} patterns in ${FE_GA_PD_FILES.xrd}` });
  if (problems.length) throwProblems(problems);
  const samples: CollectionSample[] = intensities.map((intensity, i) => {
    const total = cmp.rows[i].reduce((a, b) => a + b, 0);
    return { id: String(i + 1), composition: Object.fromEntries(elements.map((e, k) => [e, cmp.rows[i][k] / total])), intensity };
  });
  const note =
    'Fe–Ga–Pd composition spread (Kusne et al., Nat. Commun. 11, 5966 (2020); Long et al., Rev. Sci. Instrum. 78, 072217 (2007)). ' +
    'The source states neither the X-ray wavelength nor the samples\' wafer positions: the 2θ axis is as published, d-spacings computed from it assume a wavelength, and the samples have no x, y. Sample ids are row numbers.';
  const collection: Collection = {
    title: `Fe–Ga–Pd materials library (${samples.length} samples, 2θ ${axis[0]}–${axis[axis.length - 1]}°)`,
    kind: 'library',
    note,
    source: { description: `${FE_GA_PD_FILES.xrd} + ${FE_GA_PD_FILES.composition} (CAMEO data, NIST)`, axis: '2theta', axisUnit: 'deg', wavelengthStated: false },
    twoTheta: axis,
    samples,
  };
  return { collection, notes: ['the source states no wavelength and no wafer positions; recorded in the collection\'s note and source'] };
}
