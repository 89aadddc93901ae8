// The selection run behind PRESENCE_THRESHOLDS (src/core/decomposition/presence.ts): patterns
// drawn by the generator (default augmentation) from the eight XRD-AutoAnalyzer phases, one to
// three phases each with weight fractions as training mixtures draw them, fitted against all
// eight; for every pair of thresholds on a grid, the share of patterns whose phase set is called
// exactly right. Prints each phase's statistics and the grid. Never reads a measured spectrum.
//
//   npx esbuild scripts/select-decomposition-thresholds.ts --bundle --platform=node \
//     --outfile=out/select-decomposition-thresholds.js && node out/select-decomposition-thresholds.js [patterns]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructureFile } from '../src/core/crystal/structure';
import { radiationFor } from '../src/core/synth/radiation';
import { Simulator } from '../src/core/synth/simulator';
import { Random } from '../src/core/util/random';
import { Explainer } from '../src/core/decomposition/explain';
import { drawKnownShares } from '../src/core/decomposition/calibration';
import { presentPhases } from '../src/core/decomposition/presence';

/** Apart from the calibration's (170017) and the unit tests' seeds. */
const SELECTION_SEED = 271_828;

function main() {
  const count = Number(process.argv[2] ?? 120);
  const folder = join(__dirname, '..', 'test', 'fixtures', 'xrd-autoanalyzer');
  const definition = JSON.parse(readFileSync(join(folder, 'measured-bench.json'), 'utf8')) as { phases: Record<string, string>; grid: { twoThetaMin: number; twoThetaMax: number; points: number } };
  const phases = Object.entries(definition.phases).map(([name, cif]) => ({ name, structure: readStructureFile(join(folder, cif)).structures[0] }));
  const grid = { min: definition.grid.twoThetaMin, max: definition.grid.twoThetaMax, points: definition.grid.points };
  const radiation = radiationFor('CuKa');
  const explainer = new Explainer({ phases, grid, radiation });
  const simulator = new Simulator({ phases: explainer.decomposer.models, grid, radiation, augmentation: explainer.decomposer.augmentation });
  const random = new Random(SELECTION_SEED);
  const shares = drawKnownShares(phases.length, explainer.cells.map((c) => c.zm / c.volume), count, random);
  const pattern = new Float32Array(grid.points);
  const records: { truth: boolean[]; trueWeight: number[]; weight: number[]; significance: number[] }[] = [];
  const started = Date.now();
  for (const share of shares) {
    simulator.draw(share, random, pattern);
    const e = explainer.explain(pattern);
    const truth = phases.map((_, p) => share.some((s) => s.phase === p));
    const volumes = phases.map((_, p) => share.find((s) => s.phase === p)?.fraction ?? 0);
    const densities = explainer.cells.map((c) => c.zm / c.volume);
    const mass = volumes.reduce((sum, v, p) => sum + v * densities[p], 0);
    records.push({ truth, trueWeight: volumes.map((v, p) => (v * densities[p]) / mass), weight: e.phases.map((q) => q.fittedWeightFraction), significance: e.phases.map((q) => q.significance) });
    if (records.length % 20 === 0) console.error(`${records.length}/${count} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const weights = [0, 0.005, 0.01, 0.02, 0.03, 0.05];
  const significances = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2];
  const grid2: { minWeightFraction: number; minSignificance: number; exact: number }[] = [];
  for (const minWeightFraction of weights) {
    for (const minSignificance of significances) {
      let exact = 0;
      for (const r of records) {
        const called = presentPhases(r.weight, r.significance, { minWeightFraction, minSignificance });
        if (called.every((c, p) => c === r.truth[p])) exact++;
      }
      grid2.push({ minWeightFraction, minSignificance, exact: exact / records.length });
    }
  }
  // The best share; ties to the larger thresholds (the more cautious call).
  const best = [...grid2].sort((a, b) => b.exact - a.exact || b.minSignificance - a.minSignificance || b.minWeightFraction - a.minWeightFraction)[0];
  const present = records.flatMap((r) => r.truth.map((t, p) => ({ t, s: r.significance[p], w: r.weight[p] })));
  const quantile = (v: number[], q: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];
  const sPresent = present.filter((x) => x.t).map((x) => x.s);
  const sAbsent = present.filter((x) => !x.t).map((x) => x.s);
  console.log(JSON.stringify({
    patterns: count,
    seed: SELECTION_SEED,
    significancePresent: { p05: quantile(sPresent, 0.05), median: quantile(sPresent, 0.5) },
    significanceAbsent: { median: quantile(sAbsent, 0.5), p95: quantile(sAbsent, 0.95), p99: quantile(sAbsent, 0.99) },
    best,
    misses: records.flatMap((r, n) => {
      const called = presentPhases(r.weight, r.significance, best);
      return r.truth.flatMap((t, p) => (t !== called[p] ? [`pattern ${n}: ${phases[p].name} ${t ? 'missed' : 'false'} (true ${r.trueWeight[p].toFixed(3)}, fitted ${r.weight[p].toFixed(3)}, significance ${r.significance[p].toFixed(3)})`] : []));
    }),
    grid: grid2,
  }, null, 1));
}

main();
