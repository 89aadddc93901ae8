// Converts the DABAX Waasmaier–Kirfel f0 table (scripts/f0_WaasKirf.dat, copied from
// ../shared/data/tables) into the JSON module the engine imports. Run once when the table changes:
//   node scripts/convert-wk-table.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
const lines = readFileSync(here + 'f0_WaasKirf.dat', 'utf8').split(/\r?\n/);
const table = {};
let species;
for (const line of lines) {
  const s = /^#S\s+\d+\s+(\S+)/.exec(line);
  if (s) { species = s[1]; continue; }
  if (!species || line.startsWith('#') || !line.trim()) continue;
  const v = line.trim().split(/\s+/).map(Number);
  if (v.length !== 11 || v.some((x) => !Number.isFinite(x))) throw new Error(`bad row for ${species}: ${line}`);
  // columns: a1..a5, c, b1..b5 ; f0(s) = c + Σ a_i exp(−b_i s²), s = sinθ/λ
  table[species] = { a: v.slice(0, 5), b: v.slice(6, 11), c: v[5] };
  species = undefined;
}
writeFileSync(here + '../src/core/diffraction/tables/waasmaier-kirfel-f0.json', JSON.stringify(table) + '\n');
console.log(`${Object.keys(table).length} species written`);
