// Benchmarks of the decomposition on a measured-bench definition (model/measured-bench.ts; the
// default is the XRD-AutoAnalyzer example, eight candidate phases):
//   - `bench explain`: seconds per measured spectrum on one thread (reading, preparing, fitting,
//     the residual's peaks), median and p95, beside the VAE's scoring of the same files in the same
//     run — the ratio means the same on a busy machine;
//   - phaseSetAccuracy (also in `bench measured`; bench-spectra.ts).
import { dirname, join, resolve } from 'node:path';
import { readPatternFile } from '../formats';
import { readMeasuredBenchDefinition } from '../model/measured-bench';
import { PAPER_SPEC } from '../model/architecture';
import { initBackend, type BackendPreference } from '../model/backend';
import { untrainedScorer } from '../model/bench';
import { buildVae } from '../model/vae';
import { PRESENCE_THRESHOLDS } from './presence';
import { decomposeBenchSpectra, definitionExplainer, phaseSetAccuracy, type SpectrumDecomposition } from './bench-spectra';

export interface ExplainBenchResult {
  benchmark: 'explain';
  definition: string;
  candidatePhases: number;
  gridPoints: number;
  spectra: number;
  /** Timed passes over every spectrum, after one untimed pass. */
  passes: number;
  medianSecondsPerSpectrum: number;
  p95SecondsPerSpectrum: number;
  /** The same files scored by the VAE (the paper's architecture, untrained: its weights do not change the time), same run. */
  vaeMedianSecondsPerSpectrum: number;
  /** Decomposition time over the VAE's, median against median. */
  ratioToVae: number;
  /** Building the explainer (the phases' reflections), once. */
  setupSeconds: number;
  phaseSetAccuracy: number;
  phaseSetExact: string;
  results: SpectrumDecomposition[];
  settings: Record<string, unknown>;
}

export async function benchExplain(options: { definitionPath: string; passes?: number; backend?: BackendPreference }): Promise<ExplainBenchResult> {
  const passes = options.passes ?? 3;
  const t0 = performance.now();
  const definitionPath = resolve(options.definitionPath);
  const definition = readMeasuredBenchDefinition(definitionPath);
  const folder = dirname(definitionPath);
  const explainer = definitionExplainer(definition, folder);
  const setupSeconds = (performance.now() - t0) / 1000;
  const files = Object.keys(definition.spectra);
  const time = (run: (file: string) => void): number[] => {
    for (const file of files) run(file); // warm-up: compiled code, allocated buffers
    const seconds: number[] = [];
    for (let pass = 0; pass < passes; pass++) {
      for (const file of files) {
        const started = performance.now();
        run(file);
        seconds.push((performance.now() - started) / 1000);
      }
    }
    return seconds.sort((a, b) => a - b);
  };
  const explainSeconds = time((file) => explainer.explainMeasured(readPatternFile(join(folder, file), file)));
  await initBackend(options.backend ?? 'wasm');
  const models = buildVae({ ...PAPER_SPEC, points: 2048 }, 1);
  const scorer = untrainedScorer({ ...PAPER_SPEC, points: 2048 }, models);
  const vaeSeconds = time((file) => scorer.scoreMeasured(readPatternFile(join(folder, file), file)));
  models.encoder.dispose();
  models.decoder.dispose();
  const median = (v: number[]) => v[v.length >> 1];
  const p95 = (v: number[]) => v[Math.min(v.length - 1, Math.ceil(0.95 * v.length) - 1)];
  const results = decomposeBenchSpectra(explainer, definition, folder);
  const accuracy = phaseSetAccuracy(results);
  return {
    benchmark: 'explain',
    definition: resolve(options.definitionPath),
    candidatePhases: explainer.setup.phases.length,
    gridPoints: explainer.setup.grid.points,
    spectra: files.length,
    passes,
    medianSecondsPerSpectrum: median(explainSeconds),
    p95SecondsPerSpectrum: p95(explainSeconds),
    vaeMedianSecondsPerSpectrum: median(vaeSeconds),
    ratioToVae: median(explainSeconds) / median(vaeSeconds),
    setupSeconds,
    phaseSetAccuracy: accuracy.accuracy,
    phaseSetExact: `${accuracy.exact}/${accuracy.of}`,
    results,
    settings: { thresholds: PRESENCE_THRESHOLDS, radiation: definition.radiation, grid: definition.grid, threads: 1 },
  };
}
