// The selection run behind UNEXPLAINED_PEAK_DEFAULTS (src/core/analysis/unexplained-peaks.ts):
// a small model trained on simulated Ni and Co, scored on fresh draws of the same generator
// (selection seeds, apart from the test's), each as drawn (known: every report is false) and
// with one Gaussian line the model never saw at a clear 2θ (2–30 % of the strongest line).
// For each k and unexplained fraction it prints the share of known patterns with any report,
// and the share of added lines found within two grid steps. Never run on measured spectra.
//
//   npx esbuild scripts/select-unexplained-peaks.ts --bundle --platform=node --outfile=out/select-unexplained-peaks.js \
//     --external:@tensorflow/* && node out/select-unexplained-peaks.js
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/core/model/backend';
import { Random } from '../src/core/util/random';
import { findUnexplainedPeaks } from '../src/core/analysis/unexplained-peaks';
import { clearPosition, drawMeasured, phases, trainedScorer, withLine } from '../test/unit/unexplained-fixtures';

async function main() {
  await initBackend('wasm');
  const grid = { min: 20, max: 90, points: 2048 };
  const p = phases(['Ni-fcc.cif', 'Co-hcp.cif'], grid);
  const started = Date.now();
  const scorer = trainedScorer(p, { perPhase: 600, epochs: 150, seed: 7 });
  console.error(`trained in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const step = (grid.max - grid.min) / (grid.points - 1);
  const random = new Random(424242);
  type Case = { pattern: Float32Array; reconstruction: Float32Array; covered?: { first: number; last: number }; line?: { twoTheta: number; height: number } };
  const cases: Case[] = [];
  const heights = [0.02, 0.05, 0.1, 0.3];
  for (let n = 0; n < 400; n++) {
    const phase = n % 2;
    let measured = drawMeasured(p, phase, 9_000_000 + n);
    let line: Case['line'];
    if (n % 4 >= 2) {
      const twoTheta = clearPosition(p, phase, random);
      if (twoTheta === undefined) continue;
      const height = heights[(n >> 2) % heights.length];
      measured = withLine(measured, twoTheta, height, random.uniform(0.08, 0.25));
      line = { twoTheta, height };
    }
    const { prepared, reconstruction } = scorer.scoreMeasured(measured);
    cases.push({ pattern: prepared.pattern, reconstruction, covered: prepared.covered, line });
  }
  console.log('k\tfraction\tknown with a report\tfound by height ' + heights.join('/') + '\tmedian |height error|');
  for (const k of [3, 4, 5, 6, 8]) {
    for (const unexplainedFraction of [0.5, 0.7, 0.8, 0.9]) {
      let knownReported = 0;
      let known = 0;
      const found = heights.map(() => [0, 0]);
      const errors: number[] = [];
      for (const c of cases) {
        const { peaks } = findUnexplainedPeaks({ pattern: c.pattern, reconstruction: c.reconstruction, grid, covered: c.covered, wavelength: 1.540562 }, { k, unexplainedFraction });
        if (!c.line) {
          known++;
          if (peaks.length) knownReported++;
          continue;
        }
        const h = heights.indexOf(c.line.height);
        found[h][1]++;
        const hit = peaks.find((q) => Math.abs(q.twoTheta - c.line!.twoTheta) <= 2 * step);
        if (hit) {
          found[h][0]++;
          errors.push(Math.abs(hit.relativeHeight / c.line.height - 1));
        }
      }
      errors.sort((a, b) => a - b);
      console.log(`${k}\t${unexplainedFraction}\t${(knownReported / known).toFixed(3)} (${knownReported}/${known})\t${found.map(([a, b]) => (a / b).toFixed(2)).join('/')}\t${errors.length ? errors[errors.length >> 1].toFixed(3) : '-'}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
