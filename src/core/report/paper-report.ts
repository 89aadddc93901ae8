// Writes what `reproduce` measured: metrics.json, the data behind every figure (CSV / JSON) and
// the figures (SVG), into one folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation, EncodedGroup } from '../model/pipeline';
import { scatterSvg, violinSvg, lineSvg } from './svg';
import { latentPlane } from '../analysis/latent-plane';
import { KnnClassifier, decisionRegions } from '../analysis/knn';
import { csvText } from './csv';

export interface ReportInput {
  evaluation: Evaluation;
  phaseNames: string[];
  /** Dataset phase index → model label. */
  knownPhases: string[];
  metrics: Record<string, unknown>;
}

function csv(header: string[], rows: (string | number)[][]): string {
  const number = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(7) : v);
  return csvText(header, rows.map((r) => r.map(number)));
}

export function writePaperReport(dir: string, input: ReportInput): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    written.push(name);
  };
  const { evaluation: e, phaseNames } = input;
  const g = e.groups;
  const latentDims = g.train.mean.length / Math.max(1, g.train.rows.length);

  write('metrics.json', JSON.stringify(input.metrics, null, 2) + '\n');

  // Latent coordinates of every evaluated pattern, with what it is.
  const rows: (string | number)[][] = [];
  for (const [name, group] of Object.entries(g) as [string, EncodedGroup][]) {
    for (let i = 0; i < group.rows.length; i++) {
      const label = group.labels[i];
      rows.push([name, group.rows[i], label >= 0 ? phaseNames[label] : 'mixture', ...Array.from(group.mean.subarray(i * latentDims, (i + 1) * latentDims)), group.maxTwoTheta[i], group.bceExcess[i], group.bce[i], group.mse[i]]);
    }
  }
  const zHeader = Array.from({ length: latentDims }, (_, d) => `z${d + 1}`);
  write('latent.csv', csv(['set', 'dataset_row', 'phase', ...zHeader, 'two_theta_of_max', 'bce_excess', 'bce', 'mse'], rows));
  write('violins.json', JSON.stringify(e.violins, null, 1) + '\n');
  write(
    'mixture-curves.csv',
    csv(['phase_a', 'phase_b', 'x', 'median_bce_excess', 'q1_bce_excess', 'q3_bce_excess'], e.mixtureCurves.flatMap((c) => c.x.map((x, k) => [c.pair[0], c.pair[1], x, c.medianError[k], c.q1[k], c.q3[k]]))),
  );

  // The latent figures: a 2-D latent as it is, a larger one on its two principal axes (the
  // plane every face of the tool draws, core/analysis/latent-plane.ts).
  const plane = latentPlane(g.train.mean, latentDims);
  const [xLabel, yLabel] = plane.axes;
  const known = g.train;
  const knownPoints = plane.project(known.mean);
  const knownLabels = Int32Array.from(known.labels, (l) => input.knownPhases.indexOf(phaseNames[l]));
  write('latent-by-phase.svg', scatterSvg({ title: 'Latent space of the training patterns, by phase', xLabel, yLabel, points: knownPoints, categories: { of: knownLabels, names: input.knownPhases } }));
  write('latent-by-two-theta-of-max.svg', scatterSvg({ title: 'Latent space, coloured by 2θ of the strongest peak', xLabel, yLabel, points: knownPoints, values: { of: known.maxTwoTheta, label: '2θ of maximum (°)' } }));
  const testAndUnknown = plane.project(new Float32Array([...g.test.mean, ...g.unknown.mean]));
  const errors = new Float32Array([...g.test.bceExcess, ...g.unknown.bceExcess]);
  // KNN regions are drawn over the plane: exact for a 2-D latent, the plane's own KNN otherwise.
  const regions = latentDims === 2 ? e.classification.regions : decisionRegions(new KnnClassifier(knownPoints, knownLabels, 2, 5), knownPoints);
  write(
    'latent-error-knn.svg',
    scatterSvg({
      title: 'Held-out known and unknown patterns: reconstruction error and KNN regions',
      xLabel,
      yLabel,
      points: testAndUnknown,
      values: { of: errors, label: 'excess BCE', log: true },
      regions,
      highlight: plane.project(g.unknown.mean),
      highlightLabel: 'unknown phase',
    }),
  );
  write('knn-regions.json', JSON.stringify({ phases: input.knownPhases, axes: plane.axes, ...regions }) + '\n');
  write('violin-errors.svg', violinSvg('Reconstruction error: pure known, binary mixtures, unknown phase', 'excess BCE per point (log scale)', e.violins));
  write(
    'mixture-error.svg',
    lineSvg(
      'Reconstruction error of binary mixtures x·A + (1−x)·B',
      'x (volume fraction of A)',
      'median excess BCE (band: quartiles)',
      e.mixtureCurves.map((c) => ({ label: `${c.pair[0]} + ${c.pair[1]}`.replace(/ \([^)]*\)/g, ''), x: c.x, y: c.medianError, lower: c.q1, upper: c.q3 })),
    ),
  );
  return written;
}
