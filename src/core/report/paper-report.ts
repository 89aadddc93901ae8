// Writes what `reproduce` measured: metrics.json, the data behind every figure (CSV / JSON) and
// the figures (SVG), into one folder — a folder that is new, empty, or an earlier report
// (recognised by its latent-xrd-report.json and by holding nothing a report does not).
import { lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation, EncodedGroup } from '../model/pipeline';
import { violinSvg, lineSvg } from './svg';
import { latentMapSvg } from './latent-map-svg';
import { latentMapBase } from '../analysis/latent-map-base';
import { DEFAULT_MAP_POINTS } from '../../shared/latent-map';
import { latentPlane } from '../analysis/latent-plane';
import { csvText } from './csv';
import { leftoverOf, writeFileAtomic } from '../util/atomic';
import { notAFile, refuseToReplace, type Recogniser } from '../util/replaceable';
import { recogniseModelFolder } from '../model/model-folder';
import { SOFTWARE_VERSION } from '../version';
import type { PaperMixtureCurve } from '../reproduction/mixture-curves';

/** The file that marks a folder as a reproduce report, written before anything else into it. */
export const REPORT_MARK = 'latent-xrd-report.json';
const REPORT_FORMAT = 'latent-xrd-report';
/** The files of one model's figures; the study writes them once per model, each model's with its prefix. */
const FIGURE_FILES = [
  'latent.csv', 'violins.json', 'mixture-curves.csv', 'knn-regions.json',
  'latent-by-phase.svg', 'latent-by-two-theta-of-max.svg', 'latent-error-knn.svg', 'violin-errors.svg', 'mixture-error.svg',
] as const;
type FigureFile = (typeof FIGURE_FILES)[number];
/** The prefixes of the models' figure files: Latent XRD's defaults (none) and the paper's model. */
export const REPORT_PREFIXES = ['', 'as-published-'] as const;
const REPORT_FILES = ['metrics.json', ...REPORT_PREFIXES.flatMap((p) => FIGURE_FILES.map((f) => p + f))];
/**
 * The report's folders: its dataset, and the first seed's VAE of each model. The composition
 * experiment's cVAEs live in memory; composition-dataset.h5 and the cvae folders are what earlier
 * reports wrote, still recognised so that such a report folder can be written over.
 */
export const REPORT_DATA = 'data';
export const REPORT_DATASETS = ['paper-dataset.h5', 'composition-dataset.h5'] as const;
export const REPORT_MODELS = REPORT_PREFIXES.flatMap((p) => [`${p}model`, `${p}cvae`]);

/** The folder of a model's first-seed VAE in the report. */
export function reportModelFolders(prefix: string): { vae: string } {
  return { vae: `${prefix}model` };
}

/** Why `dir` is not a report folder reproduce wrote, or undefined when it is one (or an empty folder: nothing to lose). */
export const recogniseReportFolder: Recogniser = (dir) => {
  if (!lstatSync(dir).isDirectory()) return 'it is not a folder, so not a report folder';
  const names = readdirSync(dir);
  if (names.length === 0) return undefined;
  let mark: { format?: unknown } | null;
  try {
    mark = JSON.parse(readFileSync(join(dir, REPORT_MARK), 'utf8'));
  } catch {
    mark = null;
  }
  if (mark?.format !== REPORT_FORMAT) return `it is a folder that is neither empty nor a report of latent-xrd reproduce (no ${REPORT_MARK})`;
  const foreign = (name: string) => `it holds ${name}, which a report does not`;
  const entries: readonly string[] = [REPORT_MARK, ...REPORT_FILES, REPORT_DATA, ...REPORT_MODELS];
  for (const name of names) {
    const own = leftoverOf(name) ?? name;
    if (!entries.includes(own)) return foreign(name);
    // A temporary of a killed run is removed by the next write of its output.
    if (name !== own) continue;
    if (name === REPORT_DATA) {
      const extra = readdirSync(join(dir, name)).find((f) => !(REPORT_DATASETS as readonly string[]).includes(leftoverOf(f) ?? f));
      if (extra) return foreign(`${REPORT_DATA}/${extra}`);
    } else if ((REPORT_MODELS as readonly string[]).includes(name)) {
      const why = recogniseModelFolder(join(dir, name));
      if (why) return `its ${name}/ is not a model: ${why}`;
    }
  }
  return undefined;
};

/** A file of the report: within a folder recognised as a report, anything at its name is the report's own. */
const recogniseReportFile: Recogniser = (path) => notAFile(path, 'a report file');

/** Makes `dir` a report folder (new, empty or an earlier report; anything else is refused) and marks it as one. */
export function claimReportFolder(dir: string): void {
  refuseToReplace(dir, recogniseReportFolder);
  mkdirSync(join(dir, REPORT_DATA), { recursive: true });
  const mark = { format: REPORT_FORMAT, software: { name: 'latent-xrd', version: SOFTWARE_VERSION }, created: new Date().toISOString() };
  writeFileAtomic(join(dir, REPORT_MARK), JSON.stringify(mark, null, 2) + '\n', recogniseReportFile);
}

export interface ReportInput {
  evaluation: Evaluation;
  phaseNames: string[];
  /** Dataset phase index → model label. */
  knownPhases: string[];
  /** The paper's Fig. 3b: error (plain BCE) against mixing fraction, per pair. */
  mixtureCurves: PaperMixtureCurve[];
  /** Put before every file name ('' or one of REPORT_PREFIXES). */
  prefix: string;
  /** The model, in the figures' titles. */
  title: string;
}

/** Writes metrics.json into `dir`, a folder `claimReportFolder` has claimed. */
export function writeReportMetrics(dir: string, metrics: Record<string, unknown>): string {
  writeFileAtomic(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n', recogniseReportFile);
  return 'metrics.json';
}

function csv(header: string[], rows: (string | number)[][]): string {
  const number = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(7) : v);
  return csvText(header, rows.map((r) => r.map(number)));
}

/** Writes one model's figures and their data into `dir`, a folder `claimReportFolder` has claimed. */
export function writePaperReport(dir: string, input: ReportInput): string[] {
  const written: string[] = [];
  const write = (name: FigureFile, text: string) => {
    writeFileAtomic(join(dir, input.prefix + name), text, recogniseReportFile);
    written.push(input.prefix + name);
  };
  const { evaluation: e, phaseNames } = input;
  const g = e.groups;
  const latentDims = g.train.mean.length / Math.max(1, g.train.rows.length);

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
    csv(['phase_a', 'phase_b', 'x', 'count', 'mean_bce', 'median_bce', 'q1_bce', 'q3_bce'], input.mixtureCurves.flatMap((c) => c.x.map((x, k) => [c.pair[0], c.pair[1], x, c.count[k], c.mean[k], c.median[k], c.q1[k], c.q3[k]]))),
  );

  // The latent figures: the map every face of the tool draws (src/shared/latent-map.ts), on the
  // model's plane (a 2-D latent as it is, a larger one on its two principal axes). The training
  // points by phase and by 2θ of maximum; then the held-out known and unknown patterns by error
  // over the training points' KNN regions, the unknown phase outlined.
  const plane = latentPlane(g.train.mean, latentDims);
  const known = g.train;
  const knownLabels = Int32Array.from(known.labels, (l) => input.knownPhases.indexOf(phaseNames[l]));
  const maxPoints = DEFAULT_MAP_POINTS;
  const training = latentMapBase(plane, { latent: known.mean, labels: knownLabels, twoThetaOfMax: known.maxTwoTheta, errors: known.bceExcess }, { maxPoints, regions: true });
  const trainingMap = { ...training, regions: undefined, phases: input.knownPhases };
  write('latent-by-phase.svg', latentMapSvg(trainingMap, { title: `Latent space of the training patterns, by phase (${input.title})`, by: 'phase' }));
  write('latent-by-two-theta-of-max.svg', latentMapSvg(trainingMap, { title: `Latent space, coloured by 2θ of the strongest peak (${input.title})`, by: 'twoTheta' }));
  const heldOut = latentMapBase(
    plane,
    { latent: new Float32Array([...g.test.mean, ...g.unknown.mean]), labels: new Int32Array(g.test.labels.length + g.unknown.labels.length).fill(-1), errors: new Float32Array([...g.test.bceExcess, ...g.unknown.bceExcess]) },
    { maxPoints, regions: false },
  );
  write(
    'latent-error-knn.svg',
    latentMapSvg(
      { ...heldOut, regions: training.regions, phases: input.knownPhases },
      {
        title: `Held-out known and unknown patterns: reconstruction error and KNN regions (${input.title})`,
        by: 'error',
        outlined: { label: 'unknown phase', latent: Array.from(plane.project(g.unknown.mean)) },
      },
    ),
  );
  write('knn-regions.json', JSON.stringify({ phases: input.knownPhases, axes: plane.axes, ...training.regions }) + '\n');
  write('violin-errors.svg', violinSvg(`Reconstruction error: pure known, binary mixtures, unknown phase (${input.title})`, 'excess BCE per point (log scale)', e.violins));
  write(
    'mixture-error.svg',
    lineSvg(
      `Reconstruction error of binary mixtures x·A + (1−x)·B (${input.title})`,
      'x (volume fraction of A)',
      'BCE per point: mean, median (band: quartiles)',
      input.mixtureCurves.flatMap((c) => {
        const name = `${c.pair[0]} + ${c.pair[1]}`.replace(/ \([^)]*\)/g, '');
        return [
          { label: `${name} mean (max at ${c.peakX})`, x: c.x, y: c.mean },
          { label: `${name} median`, x: c.x, y: c.median, lower: c.q1, upper: c.q3 },
        ];
      }),
    ),
  );
  return written;
}
