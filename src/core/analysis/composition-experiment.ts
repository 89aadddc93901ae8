// The paper's composition experiment (Banko et al. 2021, Co–Ni–Cr–Re): 21 structures whose
// plausible composition regions overlap as the phase diagrams' do (examples/co-ni-cr-re), each
// pattern paired with a composition drawn inside its structure's region, an ensemble of
// conditional VAEs, a Gaussian naive Bayes classifier predicting the space group from the
// latent (with and without the composition appended), and the composition-mismatch test with
// mismatched compositions drawn inside plausible regions of *other* structures.
import { join } from 'node:path';
import { readStructureFile } from '../crystal/structure';
import { DEFAULT_AUGMENTATION, type AugmentationConfig } from '../synth/augmentation';
import { buildPhaseModel } from '../synth/phase';
import { Simulator } from '../synth/simulator';
import { radiationFor } from '../synth/radiation';
import { Random } from '../util/random';
import { buildVae, encodeAndReconstruct } from '../model/vae';
import { trainVae } from '../model/train';
import { GaussianNaiveBayes } from './gnb';
import { auroc } from './metrics';

export const CO_NI_CR_RE_ELEMENTS = ['Co', 'Ni', 'Cr', 'Re'];

/** A structure of the experiment: its CIF, its space group (the GNB's label) and its nominal composition. */
export interface CompositionStructure {
  name: string;
  file: string;
  spaceGroup: string;
  /** Nominal fractions over CO_NI_CR_RE_ELEMENTS. */
  nominal: number[];
}

/** Plausible region of a structure: per element, fractions in [lo, hi] (and summing to 1). */
export interface CompositionRegion {
  lo: number[];
  hi: number[];
}

/**
 * Half-width of every structure's region around its nominal composition. One value for all,
 * fixed before any model was trained (not tuned): wide enough that neighbouring phases of the
 * diagrams overlap (Co-rich hcp and fcc, the fcc Co–Ni series, the hcp Co–Re series).
 */
export const REGION_HALF_WIDTH = 0.15;

const FCC = 'Fm-3m';
const HCP = 'P6_3/mmc';
const BCC = 'Im-3m';
const s = (name: string, spaceGroup: string, co: number, ni: number, cr: number, re: number): CompositionStructure => ({
  name,
  file: `${name}.cif`,
  spaceGroup,
  nominal: [co, ni, cr, re],
});

/** The 21 structures of examples/co-ni-cr-re (README there: sources and phase diagrams). */
export const CO_NI_CR_RE_STRUCTURES: CompositionStructure[] = [
  s('Co-hcp', HCP, 1, 0, 0, 0),
  s('Co-fcc', FCC, 1, 0, 0, 0),
  s('Ni-fcc', FCC, 0, 1, 0, 0),
  s('Cr-bcc', BCC, 0, 0, 1, 0),
  s('Re-hcp', HCP, 0, 0, 0, 1),
  s('Ni75Co25-fcc', FCC, 0.25, 0.75, 0, 0),
  s('Ni50Co50-fcc', FCC, 0.5, 0.5, 0, 0),
  s('Co75Ni25-fcc', FCC, 0.75, 0.25, 0, 0),
  s('Ni80Cr20-fcc', FCC, 0, 0.8, 0.2, 0),
  s('Ni90Re10-fcc', FCC, 0, 0.9, 0, 0.1),
  s('Co34Ni33Cr33-fcc', FCC, 0.34, 0.33, 0.33, 0),
  s('Co85Ni15-hcp', HCP, 0.85, 0.15, 0, 0),
  s('Co80Cr20-hcp', HCP, 0.8, 0, 0.2, 0),
  s('Co75Re25-hcp', HCP, 0.75, 0, 0, 0.25),
  s('Co50Re50-hcp', HCP, 0.5, 0, 0, 0.5),
  s('Co25Re75-hcp', HCP, 0.25, 0, 0, 0.75),
  s('Co70Cr15Re15-hcp', HCP, 0.7, 0, 0.15, 0.15),
  s('Cr90Re10-bcc', BCC, 0, 0, 0.9, 0.1),
  s('Cr70Re30-bcc', BCC, 0, 0, 0.7, 0.3),
  s('Cr90Co10-bcc', BCC, 0.1, 0, 0.9, 0),
  s('Cr90Ni10-bcc', BCC, 0, 0.1, 0.9, 0),
];

export function regionOf(structure: Pick<CompositionStructure, 'nominal'>, halfWidth = REGION_HALF_WIDTH): CompositionRegion {
  return {
    lo: structure.nominal.map((x) => Math.max(0, x - halfWidth)),
    hi: structure.nominal.map((x) => Math.min(1, x + halfWidth)),
  };
}

/** Whether row `offset` of `compositions` lies in the region (with a rounding tolerance). */
export function inRegion(region: CompositionRegion, compositions: ArrayLike<number>, offset = 0, tolerance = 1e-6): boolean {
  for (let j = 0; j < region.lo.length; j++) {
    const x = compositions[offset + j];
    if (x < region.lo[j] - tolerance || x > region.hi[j] + tolerance) return false;
  }
  return true;
}

/**
 * A composition uniform on the region (a box intersected with the simplex): every element but the
 * one with the widest range uniform in its bounds, that one the balance, rejected when outside.
 */
export function drawInRegion(region: CompositionRegion, random: Random, into: Float32Array | Float64Array, offset: number): void {
  const n = region.lo.length;
  let balance = 0;
  for (let j = 1; j < n; j++) if (region.hi[j] - region.lo[j] > region.hi[balance] - region.lo[balance]) balance = j;
  for (let attempt = 0; attempt < 1_000_000; attempt++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (j === balance) continue;
      into[offset + j] = region.lo[j] + random.float() * (region.hi[j] - region.lo[j]);
      sum += into[offset + j];
    }
    const rest = 1 - sum;
    if (rest >= region.lo[balance] && rest <= region.hi[balance]) {
      into[offset + balance] = rest;
      return;
    }
  }
  throw new Error('drawInRegion: the region does not meet the composition simplex');
}

/** For each row, a composition drawn inside the region of structure `labels[i]`. */
export function compositionsForStructures(labels: Int32Array, regions: CompositionRegion[], seed: number): Float32Array {
  const random = new Random(seed);
  const width = regions[0].lo.length;
  const out = new Float32Array(labels.length * width);
  for (let i = 0; i < labels.length; i++) drawInRegion(regions[labels[i]], random, out, i * width);
  return out;
}

/**
 * For each row of structure k, a composition inside the plausible region of another structure
 * (chosen at random among those whose region is not inside k's) and outside k's own region: a
 * composition that some phase of the system could have, but not this pattern's.
 */
export function mismatchedCompositions(labels: Int32Array, regions: CompositionRegion[], seed: number): Float32Array {
  const random = new Random(seed);
  const width = regions[0].lo.length;
  const out = new Float32Array(labels.length * width);
  const scratch = new Float64Array(width);
  for (let i = 0; i < labels.length; i++) {
    const own = regions[labels[i]];
    for (let tries = 0; ; tries++) {
      if (tries > 100_000) throw new Error(`no composition outside region ${labels[i]} in any other region`);
      const other = random.int(regions.length);
      if (other === labels[i]) continue;
      drawInRegion(regions[other], random, scratch, 0);
      if (inRegion(own, scratch)) continue;
      for (let j = 0; j < width; j++) out[i * width + j] = scratch[j];
      break;
    }
  }
  return out;
}

/** Settings of one run. Defaults: the paper's cVAE (2-D latent, β = 1, 2048·BCE + KL, [256, 128]). */
export interface CompositionExperimentOptions {
  /** Folder holding the structures' CIFs (examples/co-ni-cr-re). */
  structuresDir: string;
  structures?: CompositionStructure[];
  perStructure: number;
  members: number;
  epochs: number;
  seed?: number;
  latent?: number;
  hidden?: number[];
  beta?: number;
  batchSize?: number;
  learningRate?: number;
  /** Early stopping on the selection set's loss (0: never). */
  patience?: number;
  points?: number;
  augmentation?: AugmentationConfig;
  /** Fractions of each structure's patterns for selection (early stopping) and test. */
  selectionFraction?: number;
  testFraction?: number;
  onProgress?: (message: string) => void;
  shouldStop?: () => boolean;
}

export interface CompositionExperimentResult {
  structures: { name: string; spaceGroup: string; region: CompositionRegion }[];
  spaceGroups: string[];
  counts: { train: number; selection: number; test: number };
  members: number;
  /** Ensemble (posteriors averaged over members) GNB space-group accuracy on the test set. */
  gnbAccuracyLatent: number;
  gnbAccuracyLatentAndComposition: number;
  /** GNB on the composition alone: how much the composition by itself says about the space group. */
  gnbAccuracyCompositionOnly: number;
  /** Per member, the same two accuracies. */
  memberGnbAccuracyLatent: number[];
  memberGnbAccuracyLatentAndComposition: number[];
  /** Test patterns with their own composition against the same with a mismatched one (ensemble-mean BCE). */
  aurocCompositionMismatch: number;
  memberAurocCompositionMismatch: number[];
  meanErrorMatched: number;
  meanErrorMismatched: number;
  epochsRun: number[];
  seconds: number;
}

function accuracy(predicted: Int32Array, truth: Int32Array): number {
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / Math.max(1, truth.length);
}

function concatRows(a: Float32Array, aw: number, b: Float32Array | undefined, bw: number, rows: number): Float32Array {
  const out = new Float32Array(rows * (aw + bw));
  for (let i = 0; i < rows; i++) {
    out.set(a.subarray(i * aw, (i + 1) * aw), i * (aw + bw));
    if (b) out.set(b.subarray(i * bw, (i + 1) * bw), i * (aw + bw) + aw);
  }
  return out;
}

function gatherRows(source: Float32Array, width: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(source.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** Posterior-averaged prediction over several fitted classifiers (one per ensemble member). */
function ensemblePredict(models: GaussianNaiveBayes[], features: Float32Array[], rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  const p = new Float64Array(classes);
  for (let i = 0; i < rows; i++) {
    p.fill(0);
    models.forEach((m, k) => {
      const q = m.probabilities(features[k], i);
      for (let c = 0; c < classes; c++) p[c] += q[c];
    });
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * Runs the experiment in memory: simulates the patterns, trains `members` cVAEs (seeds
 * seed + 1000·k) with early stopping on the selection set, and reads the test set once at the end.
 * Needs an initialised tfjs backend (initBackend).
 */
export async function runCompositionExperiment(options: CompositionExperimentOptions): Promise<CompositionExperimentResult> {
  const started = Date.now();
  const structures = options.structures ?? CO_NI_CR_RE_STRUCTURES;
  const seed = options.seed ?? 2021;
  const points = options.points ?? 2048;
  const grid = { min: 20, max: 90, points };
  const radiation = radiationFor('CuKa');
  const augmentation = options.augmentation ?? DEFAULT_AUGMENTATION;
  const log = options.onProgress ?? (() => undefined);
  const regions = structures.map((st) => regionOf(st));
  const spaceGroups = [...new Set(structures.map((st) => st.spaceGroup))];
  const groupOf = Int32Array.from(structures, (st) => spaceGroups.indexOf(st.spaceGroup));
  const width = CO_NI_CR_RE_ELEMENTS.length;

  // 1. Patterns, drawn in memory, the same variation for every structure.
  const phases = structures.map((st) => {
    const read = readStructureFile(join(options.structuresDir, st.file));
    const structure = read.structures[0];
    if (!structure) throw new Error(`${st.file}: no structure (${read.diagnostics.map((d) => d.message).join('; ')})`);
    return buildPhaseModel(st.name, structure, { wavelength: radiation.kalpha1, twoThetaMax: grid.max + 5, textureAxes: augmentation.textureAxes });
  });
  const simulator = new Simulator({ phases, grid, radiation, augmentation });
  const total = structures.length * options.perStructure;
  const patterns = new Float32Array(total * points);
  const labels = new Int32Array(total);
  const random = new Random(seed);
  for (let k = 0, row = 0; k < structures.length; k++) {
    for (let n = 0; n < options.perStructure; n++, row++) {
      labels[row] = k;
      simulator.draw([{ phase: k, fraction: 1 }], random, patterns.subarray(row * points, (row + 1) * points));
    }
  }
  const compositions = compositionsForStructures(labels, regions, seed + 1);
  log(`simulated ${total} patterns of ${structures.length} structures (${spaceGroups.length} space groups)`);

  // 2. Split per structure: train / selection (early stopping only) / test (read once, at the end).
  const split = new Random(seed + 2);
  const train: number[] = [];
  const selection: number[] = [];
  const test: number[] = [];
  const nTest = Math.max(1, Math.round(options.perStructure * (options.testFraction ?? 0.2)));
  const nSelection = Math.max(1, Math.round(options.perStructure * (options.selectionFraction ?? 0.15)));
  for (let k = 0; k < structures.length; k++) {
    const rows = Array.from({ length: options.perStructure }, (_, n) => k * options.perStructure + n);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = split.int(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    test.push(...rows.slice(0, nTest));
    selection.push(...rows.slice(nTest, nTest + nSelection));
    train.push(...rows.slice(nTest + nSelection));
  }
  const set = (rows: number[]) => ({ patterns: gatherRows(patterns, points, rows), compositions: gatherRows(compositions, width, rows), count: rows.length });
  const trainSet = set(train);
  const selectionSet = set(selection);
  const testSet = set(test);
  const trainGroups = Int32Array.from(train, (r) => groupOf[labels[r]]);
  const testGroups = Int32Array.from(test, (r) => groupOf[labels[r]]);
  const testLabels = Int32Array.from(test, (r) => labels[r]);
  const mismatched = mismatchedCompositions(testLabels, regions, seed + 3);

  // 3. The ensemble.
  const latent = options.latent ?? 2;
  const spec = { points, hidden: options.hidden ?? [256, 128], latent, compositionElements: CO_NI_CR_RE_ELEMENTS, beta: options.beta ?? 1 };
  const gnbLatent: GaussianNaiveBayes[] = [];
  const gnbBoth: GaussianNaiveBayes[] = [];
  const testLatent: Float32Array[] = [];
  const testBoth: Float32Array[] = [];
  const memberLatentAcc: number[] = [];
  const memberBothAcc: number[] = [];
  const memberAuroc: number[] = [];
  const epochsRun: number[] = [];
  const matchedSum = new Float64Array(test.length);
  const mismatchedSum = new Float64Array(test.length);
  for (let m = 0; m < options.members; m++) {
    const memberSeed = seed + 1000 * (m + 1);
    const models = buildVae(spec, memberSeed);
    try {
      const result = trainVae(models, trainSet, selectionSet, {
        epochs: options.epochs,
        batchSize: options.batchSize ?? 128,
        learningRate: options.learningRate ?? 1e-3,
        patience: options.patience ?? 0,
        seed: memberSeed,
      }, { shouldStop: options.shouldStop });
      if (result.cancelled) throw new Error('cancelled');
      epochsRun.push(result.history.length);
      const trainEncoded = encodeAndReconstruct(models, trainSet.patterns, trainSet.count, { compositions: trainSet.compositions });
      const testEncoded = encodeAndReconstruct(models, testSet.patterns, testSet.count, { compositions: testSet.compositions });
      const wrong = encodeAndReconstruct(models, testSet.patterns, testSet.count, { compositions: mismatched });
      const classes = spaceGroups.length;
      const a = new GaussianNaiveBayes(trainEncoded.mean, trainGroups, latent, classes);
      const bothTrain = concatRows(trainEncoded.mean, latent, trainSet.compositions, width, trainSet.count);
      const b = new GaussianNaiveBayes(bothTrain, trainGroups, latent + width, classes);
      const bothTest = concatRows(testEncoded.mean, latent, testSet.compositions, width, testSet.count);
      gnbLatent.push(a);
      gnbBoth.push(b);
      testLatent.push(testEncoded.mean);
      testBoth.push(bothTest);
      memberLatentAcc.push(accuracy(a.predict(testEncoded.mean), testGroups));
      memberBothAcc.push(accuracy(b.predict(bothTest), testGroups));
      memberAuroc.push(auroc(wrong.bce, testEncoded.bce));
      for (let i = 0; i < test.length; i++) {
        matchedSum[i] += testEncoded.bce[i];
        mismatchedSum[i] += wrong.bce[i];
      }
      log(`member ${m + 1}/${options.members}: ${result.history.length} epochs, GNB latent ${memberLatentAcc[m].toFixed(3)}, latent+composition ${memberBothAcc[m].toFixed(3)}, mismatch AUROC ${memberAuroc[m].toFixed(3)}`);
    } finally {
      models.encoder.dispose();
      models.decoder.dispose();
    }
  }
  const classes = spaceGroups.length;
  const compositionOnly = new GaussianNaiveBayes(trainSet.compositions, trainGroups, width, classes);
  const mean = (v: Float64Array) => v.reduce((x, y) => x + y, 0) / Math.max(1, v.length);
  return {
    structures: structures.map((st, k) => ({ name: st.name, spaceGroup: st.spaceGroup, region: regions[k] })),
    spaceGroups,
    counts: { train: train.length, selection: selection.length, test: test.length },
    members: options.members,
    gnbAccuracyLatent: accuracy(ensemblePredict(gnbLatent, testLatent, test.length, classes), testGroups),
    gnbAccuracyLatentAndComposition: accuracy(ensemblePredict(gnbBoth, testBoth, test.length, classes), testGroups),
    gnbAccuracyCompositionOnly: accuracy(compositionOnly.predict(testSet.compositions), testGroups),
    memberGnbAccuracyLatent: memberLatentAcc,
    memberGnbAccuracyLatentAndComposition: memberBothAcc,
    aurocCompositionMismatch: auroc(mismatchedSum, matchedSum),
    memberAurocCompositionMismatch: memberAuroc,
    meanErrorMatched: mean(matchedSum) / options.members,
    meanErrorMismatched: mean(mismatchedSum) / options.members,
    epochsRun,
    seconds: (Date.now() - started) / 1000,
  };
}
