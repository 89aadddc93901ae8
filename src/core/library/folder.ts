// A folder of pattern files (+ a sample table of positions and/or compositions) → a collection.
// Files are read by the one pattern reader (formats/index.ts), so every instrument format it
// knows is importable. Patterns on different 2θ axes are brought onto one, and the notes say so.
import { readdirSync, existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { UserError } from '../diagnostics';
import { isPatternFile, readPatternFile } from '../formats';
import type { Collection, CollectionSample } from '../formats/collection';
import type { MeasuredPattern } from '../formats/pattern';
import { resampleOnto, sameAxis } from './axis';
import { formatProblem, parseSampleTable, type LocatedProblem, type SampleTable } from './table';

export type AxisChoice = 'first' | 'union';

export interface FolderImportOptions {
  /** The sample table's text and the name to report it by. */
  table?: { text: string; file: string };
  /** When files' 2θ axes differ: resample onto the first file's axis, or onto one spanning all at the finest step. */
  axis?: AxisChoice;
  title?: string;
  waferDiameter?: number;
}

export interface ImportResult {
  collection: Collection;
  /** What the import inferred or changed (resampling, units, skipped files), for the user. */
  notes: string[];
}

/** Throws every problem together, one `file:line:column: message` per line. */
export function throwProblems(problems: (LocatedProblem | string)[]): never {
  throw new UserError(problems.map((p) => (typeof p === 'string' ? p : formatProblem(p))).join('\n'));
}

export function importFolder(dir: string, options: FolderImportOptions = {}): ImportResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such folder`);
  const files = readdirSync(dir).filter((f) => isPatternFile(f) && statSync(join(dir, f)).isFile()).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const notes: string[] = [];
  const problems: (LocatedProblem | string)[] = [];
  let table: SampleTable | undefined;
  if (options.table) {
    const parsed = parseSampleTable(options.table.text, options.table.file);
    if (!parsed.table) throwProblems(parsed.problems);
    table = parsed.table;
    notes.push(...table.notes);
  }
  // Which file each sample is: the table names it by file name or by name without extension.
  const tableFile = options.table?.file;
  const entries: { id: string; file: string; row?: SampleTable['rows'][number] }[] = [];
  if (table) {
    const byStem = new Map<string, string[]>();
    for (const f of files) byStem.set(stem(f), [...(byStem.get(stem(f)) ?? []), f]);
    for (const row of table.rows) {
      const file = files.includes(row.key) ? row.key : byStem.get(row.key)?.length === 1 ? byStem.get(row.key)![0] : undefined;
      if (!file) {
        const why = (byStem.get(row.key)?.length ?? 0) > 1 ? `several files are named "${row.key}.*" (${byStem.get(row.key)!.join(', ')}); give the extension` : `no pattern file "${row.key}" in ${dir}`;
        problems.push({ file: tableFile!, line: row.line, column: row.keyColumn, message: why });
        continue;
      }
      entries.push({ id: stem(row.key), file, row });
    }
    const listed = new Set(entries.map((e) => e.file));
    const unlisted = files.filter((f) => !listed.has(f));
    if (unlisted.length) notes.push(`${unlisted.length} pattern file${unlisted.length > 1 ? 's' : ''} in ${dir} not in ${tableFile}, left out: ${unlisted.slice(0, 5).join(', ')}${unlisted.length > 5 ? ', …' : ''}`);
  } else {
    if (files.length === 0) throw new UserError(`${dir}: no pattern files (${'.xy, .xye, .csv, .dat, .txt and the instrument formats'})`);
    for (const f of files) entries.push({ id: stem(f), file: f });
  }
  const patterns: MeasuredPattern[] = [];
  for (const e of entries) {
    try {
      patterns.push(readPatternFile(join(dir, e.file)));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      problems.push(err.message); // the reader's message names the file (and line and column)
    }
  }
  if (problems.length) throwProblems(problems);
  if (entries.length === 0) throw new UserError(`${tableFile}: no samples`);
  const { twoTheta, resampled } = commonAxis(patterns, options.axis ?? 'first');
  let resampleNote: string | undefined;
  if (resampled.length) {
    const names = resampled.map((i) => entries[i].file);
    resampleNote = (
      `${names.length} of ${entries.length} files have a different 2θ axis from ${options.axis === 'union' ? 'the others' : entries[0].file} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); ` +
        `resampled linearly onto ${options.axis === 'union' ? 'one axis spanning all files at the finest step' : `the first file's axis`}: ${twoTheta.length} points, ${twoTheta[0].toFixed(3)}–${twoTheta[twoTheta.length - 1].toFixed(3)}°`
    );
    notes.push(resampleNote);
  }
  const wavelengths = new Set(patterns.map((p) => p.wavelength).filter((w): w is number => w !== undefined));
  if (wavelengths.size > 1) notes.push(`the files state different wavelengths (${[...wavelengths].join(', ')} Å); the collection records none`);
  const samples: CollectionSample[] = entries.map((e, i) => {
    const p = patterns[i];
    const sample: CollectionSample = { id: e.id, intensity: sameAxis(p.twoTheta, twoTheta) ? p.intensity : resampleOnto(p.twoTheta, p.intensity, twoTheta) };
    if (e.row?.x !== undefined) sample.x = e.row.x;
    if (e.row?.y !== undefined) sample.y = e.row.y;
    if (e.row?.composition) sample.composition = e.row.composition;
    return sample;
  });
  const collection: Collection = {
    title: options.title ?? `${basename(dir)} (${samples.length} samples)`,
    kind: 'library',
    twoTheta,
    samples,
    source: { description: `imported from the pattern files in ${basename(dir)}${tableFile ? ` with ${basename(tableFile)}` : ''}`, axis: '2theta', axisUnit: 'deg', wavelengthStated: wavelengths.size === 1 },
  };
  if (wavelengths.size === 1) collection.wavelength = [...wavelengths][0];
  if (options.waferDiameter) collection.waferDiameter = options.waferDiameter;
  if (resampleNote) collection.note = resampleNote;
  return { collection, notes };
}

function stem(file: string): string {
  return basename(file, extname(file));
}

/** The axis every sample goes on, and which patterns (by index) need resampling onto it. */
export function commonAxis(patterns: MeasuredPattern[], choice: AxisChoice): { twoTheta: Float64Array; resampled: number[] } {
  let axis = patterns[0].twoTheta;
  if (choice === 'union' && patterns.some((p) => !sameAxis(p.twoTheta, axis))) {
    let lo = Infinity;
    let hi = -Infinity;
    let step = Infinity;
    for (const p of patterns) {
      const n = p.twoTheta.length;
      lo = Math.min(lo, p.twoTheta[0]);
      hi = Math.max(hi, p.twoTheta[n - 1]);
      step = Math.min(step, (p.twoTheta[n - 1] - p.twoTheta[0]) / (n - 1));
    }
    const points = Math.round((hi - lo) / step) + 1;
    axis = Float64Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
  }
  const resampled = patterns.map((p, i) => (sameAxis(p.twoTheta, axis) ? -1 : i)).filter((i) => i >= 0);
  return { twoTheta: axis, resampled };
}
