import { basename, dirname, extname, relative, resolve } from 'node:path';
import { readStructureFile } from '../crystal/structure';
import type { CrystalStructure } from '../crystal/types';
import type { Diagnostic } from '../diagnostics';
import { UserError, formatDiagnostic } from '../diagnostics';
import { gridValues, type Grid } from '../diffraction/render';
import { expandGlob } from '../util/glob';
import { syncFile, writeAtomically } from '../util/atomic';
import { loadH5wasm } from '../util/h5';
import { Random } from '../util/random';
import { PATTERN_PARAMETERS, PHASE_PARAMETERS, type AugmentationConfig } from './augmentation';
import { DEFAULT_COUNT_PER_FRACTION, DEFAULT_MIXTURE_FRACTIONS, DEFAULT_OUTPUT, DEFAULT_PAIR_COUNT, DEFAULT_SEED, DEFAULT_TERNARY_COUNT, configAugmentation, configGrid, validateConfig, type MixtureRole, type SynthConfig } from './config';
import { crystalDensity } from '../crystal/density';
import { DEFAULT_MINIMUM_WEIGHT_FRACTION, drawWeightFractions, largestMinimumWeightFraction } from './mixture-fractions';
import { volumeFractionsFromWeights, weightFractionsFromVolumes } from './phase-scale';
import { outsideConfigFolder } from './config-paths';
import { ArrayChecksums, CHECKSUM_ATTRIBUTE, DATASET_SOFTWARE, MAX_DATASET_BYTES, MINIMUM_WEIGHT_FRACTION_ATTRIBUTE, MIXTURE_ROLE_ATTRIBUTE, datasetRecogniser, patternBytes, verifyWrittenDataset } from './dataset-file';

export { readDataset, type Dataset } from './dataset-file';
import { buildPhaseModel, type PhaseModel } from './phase';
import { MAX_PATTERNS, defaultChunkSize } from './limits';
import { radiationFor } from './radiation';
import { Simulator, type PhaseShare, type Radiation } from './simulator';
import { SOFTWARE_VERSION } from '../version';

export interface PlannedPhase {
  name: string;
  role: 'known' | 'unknown';
  file: string;
  structure: CrystalStructure;
  /** X-ray density, g/cm³ (crystal/density.ts): converts its weight fractions in a mixture to volume fractions. */
  density: number;
  /** Centre of its single-phase region (fractions summing to 1), when the config gives one. */
  composition?: Record<string, number>;
}

/**
 * A run of patterns of one composition: a pure phase; a held-out mixture of role "novel" (a
 * pair at volume fraction x of the first phase, or a triple with volume fractions uniform on
 * the simplex); or a trained mixture of role "known", each pattern with weight fractions drawn
 * by synth/mixture-fractions.ts.
 */
export type Job =
  | { kind: 'pure'; phase: number; count: number }
  | { kind: 'binary'; a: number; b: number; x: number; count: number }
  | { kind: 'ternary'; phases: [number, number, number]; count: number }
  | { kind: 'mixture'; phases: number[]; count: number };

export interface DatasetPlan {
  phases: PlannedPhase[];
  jobs: Job[];
  total: number;
  grid: Grid;
  radiation: Radiation;
  augmentation: AugmentationConfig;
  /** Whether the mixtures are trained on ("known") or held out as novel (the paper's study). */
  mixtureRole: MixtureRole;
  /** Role "known": the smallest weight fraction a phase has in a mixture. */
  minimumWeightFraction: number;
  seed: number;
  chunkSize: number;
  output: string;
  config: SynthConfig;
}

/** Resolves a validated config against the files it names: CIFs read, globs expanded, jobs listed. */
export function planDataset(config: SynthConfig, configDir: string, outputOverride?: string): { plan?: DatasetPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const phases: PlannedPhase[] = [];
  const jobs: Job[] = [];
  for (const [n, phaseConfig] of config.phases.entries()) {
    const { files, diagnostics: globDiagnostics } = expandGlob(configDir, phaseConfig.cif);
    diagnostics.push(...globDiagnostics);
    if (globDiagnostics.some((d) => d.severity === 'error')) continue;
    const outside = files.map((file) => outsideConfigFolder(configDir, relative(configDir, file), `phases.${n}.cif`)).filter((why) => why !== undefined);
    if (outside.length) {
      diagnostics.push({ severity: 'error', message: outside[0] + (outside.length > 1 ? ` (and ${outside.length - 1} more files)` : ''), code: 'config.outside-folder' });
      continue;
    }
    if (files.length === 0) {
      diagnostics.push({ severity: 'error', message: `phase "${phaseConfig.name ?? phaseConfig.cif}": no file matches "${phaseConfig.cif}"`, code: 'config.no-file' });
      continue;
    }
    for (const file of files) {
      const result = readStructureFile(file);
      const structure = phaseConfig.block
        ? result.structures.find((s) => s.blockName.toLowerCase() === phaseConfig.block!.toLowerCase())
        : result.structures[0];
      const why = result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, file));
      if (!structure) {
        diagnostics.push({
          severity: 'error',
          message: `${file}: no usable structure${phaseConfig.block ? ` in block "${phaseConfig.block}"` : ''}${why.length ? ': ' + why.join('; ') : ''}`,
          code: 'config.bad-cif',
        });
        continue;
      }
      // A structure built despite errors (a symmetry list that is not a group, an occupancy left
      // out) would put wrong atoms into every pattern of the dataset: the file is fixed first.
      if (why.length) {
        diagnostics.push({ severity: 'error', message: `${file}: not used until its errors are fixed: ${why.slice(0, 3).join('; ')}${why.length > 3 ? ` (and ${why.length - 3} more)` : ''}`, code: 'config.bad-cif' });
        continue;
      }
      const name = files.length === 1 && phaseConfig.name ? phaseConfig.name : basename(file, extname(file));
      if (phases.some((p) => p.name === name)) {
        diagnostics.push({ severity: 'error', message: `two phases are named "${name}"; give them distinct "name"s`, code: 'config.duplicate-name' });
        continue;
      }
      const { density, problem } = crystalDensity(structure);
      if (problem) {
        diagnostics.push({ severity: 'error', message: `${file}: no density, so no weight fractions: ${problem}`, code: 'config.bad-cif' });
        continue;
      }
      const planned: PlannedPhase = { name, role: phaseConfig.role ?? 'known', file, structure, density };
      if (phaseConfig.composition) {
        const total = Object.values(phaseConfig.composition).reduce((a, b) => a + b, 0);
        planned.composition = Object.fromEntries(Object.entries(phaseConfig.composition).map(([e, v]) => [e, v / total]));
      }
      phases.push(planned);
      if (phaseConfig.count > 0) jobs.push({ kind: 'pure', phase: phases.length - 1, count: phaseConfig.count });
    }
  }
  const indexOf = (name: string) => {
    const i = phases.findIndex((p) => p.name === name);
    if (i < 0) diagnostics.push({ severity: 'error', message: `mixtures name an unknown phase "${name}" (phases: ${phases.map((p) => p.name).join(', ')})`, code: 'config.unknown-phase' });
    return i;
  };
  const m = config.mixtures;
  const mixtureRole: MixtureRole = m?.role ?? 'novel';
  const minimumWeightFraction = m?.minimumWeightFraction ?? DEFAULT_MINIMUM_WEIGHT_FRACTION;
  if (m) {
    const known = phases.map((p, i) => (p.role === 'known' ? i : -1)).filter((i) => i >= 0);
    const ternaryCount = m.ternaryCount ?? DEFAULT_TERNARY_COUNT;
    const fractions = m.fractions ?? DEFAULT_MIXTURE_FRACTIONS;
    const perFraction = m.countPerFraction ?? DEFAULT_COUNT_PER_FRACTION;
    const perPair = mixtureRole === 'known' ? (m.pairCount ?? DEFAULT_PAIR_COUNT) : fractions * perFraction;
    const everyPair = m.pairs === 'known' || m.pairs === undefined;
    const pairTotal = everyPair ? choose(known.length, 2) : (m.pairs as [string, string][]).length;
    const tripleTotal = m.ternaries === 'known' ? choose(known.length, 3) : (m.ternaries?.length ?? 0);
    // Counted before anything is listed: a typo in "fractions", or every triple of a thousand
    // CIFs, must not list a billion jobs.
    const planned = jobs.reduce((sum, j) => sum + j.count, 0) + pairTotal * perPair + tripleTotal * ternaryCount;
    if (planned > MAX_PATTERNS) {
      const mixtures = mixtureRole === 'known' ? 'pairs × mixtures.pairCount' : 'pairs × mixtures.fractions × mixtures.countPerFraction';
      diagnostics.push({ severity: 'error', message: `the config asks for ${planned} patterns (phases' counts, ${mixtures}, ternaries × mixtures.ternaryCount); a dataset holds at most ${MAX_PATTERNS}`, code: 'config.too-large' });
      return { diagnostics };
    }
    let pairs: [number, number][] = [];
    if (perPair === 0) pairs = [];
    else if (everyPair) {
      for (let i = 0; i < known.length; i++) for (let j = i + 1; j < known.length; j++) pairs.push([known[i], known[j]]);
    } else {
      pairs = (m.pairs as [string, string][]).map(([a, b]) => [indexOf(a), indexOf(b)] as [number, number]);
    }
    let triples: [number, number, number][] = [];
    if (ternaryCount === 0) triples = [];
    else if (m.ternaries === 'known') {
      for (let i = 0; i < known.length; i++) for (let j = i + 1; j < known.length; j++) for (let k = j + 1; k < known.length; k++) triples.push([known[i], known[j], known[k]]);
    } else {
      triples = (m.ternaries ?? []).map((t) => t.map(indexOf) as [number, number, number]);
    }
    for (const mixture of [...pairs, ...triples]) {
      if (mixture.every((i) => i >= 0) && new Set(mixture).size < mixture.length) {
        diagnostics.push({ severity: 'error', message: `a mixture names the phase "${phases[mixture.find((i, n) => mixture.indexOf(i) !== n)!].name}" twice`, code: 'config.invalid' });
      }
    }
    if (mixtureRole === 'known' && triples.length > 0 && minimumWeightFraction > largestMinimumWeightFraction(3)) {
      diagnostics.push({ severity: 'error', message: `mixtures.minimumWeightFraction ${minimumWeightFraction} leaves no room for three phases (at most ${largestMinimumWeightFraction(3).toFixed(4)} with ternaries)`, code: 'config.invalid' });
    }
    for (const [a, b] of pairs) {
      if (a < 0 || b < 0) continue;
      if (mixtureRole === 'known') jobs.push({ kind: 'mixture', phases: [a, b], count: perPair });
      else for (let k = 1; k <= fractions; k++) jobs.push({ kind: 'binary', a, b, x: k / (fractions + 1), count: perFraction });
    }
    for (const idx of triples) {
      if (!idx.every((i) => i >= 0)) continue;
      jobs.push(mixtureRole === 'known' ? { kind: 'mixture', phases: idx, count: ternaryCount } : { kind: 'ternary', phases: idx, count: ternaryCount });
    }
  }
  const output = outputOverride ?? config.output ?? DEFAULT_OUTPUT;
  if (outputOverride === undefined) {
    const why = outsideConfigFolder(configDir, output, 'output');
    if (why) diagnostics.push({ severity: 'error', message: why, code: 'config.outside-folder' });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const total = jobs.reduce((s, j) => s + j.count, 0);
  if (total > MAX_PATTERNS) return { diagnostics: [...diagnostics, { severity: 'error', message: `the config asks for ${total} patterns; a dataset holds at most ${MAX_PATTERNS}`, code: 'config.too-large' }] };
  if (total === 0) return { diagnostics: [...diagnostics, { severity: 'error', message: 'the config asks for no patterns', code: 'config.empty' }] };
  const grid = configGrid(config);
  if (patternBytes(total, grid.points) > MAX_DATASET_BYTES) {
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    const message = `${total} patterns of ${grid.points} points take ${gib(patternBytes(total, grid.points))}; a dataset holds at most ${gib(MAX_DATASET_BYTES)} (training keeps it in memory): ask for fewer patterns or points`;
    return { diagnostics: [...diagnostics, { severity: 'error', message, code: 'config.too-large' }] };
  }
  return {
    plan: {
      phases,
      jobs,
      total,
      grid,
      radiation: radiationFor(config.radiation),
      augmentation: configAugmentation(config),
      mixtureRole,
      minimumWeightFraction,
      seed: config.seed ?? DEFAULT_SEED,
      chunkSize: config.chunkSize ?? defaultChunkSize(grid.points),
      output: resolve(configDir, output),
      config,
    },
    diagnostics,
  };
}

/** The number of ways to choose k of n things. */
function choose(n: number, k: number): number {
  let ways = 1;
  for (let i = 0; i < k; i++) ways = (ways * (n - i)) / (i + 1);
  return Math.max(0, Math.round(ways));
}

export function buildPhaseModels(plan: { phases: Pick<PlannedPhase, 'name' | 'structure'>[] } & Pick<DatasetPlan, 'grid' | 'radiation' | 'augmentation'>): PhaseModel[] {
  // Strain of a few percent moves peaks by up to ~2° at 90°; enumerate a margin beyond the grid.
  return plan.phases.map((p) =>
    buildPhaseModel(p.name, p.structure, {
      wavelength: plan.radiation.kalpha1,
      twoThetaMax: plan.grid.max + 5,
      textureAxes: plan.augmentation.textureAxes,
    }),
  );
}

export interface Progress {
  done: number;
  total: number;
  patternsPerSecond: number;
}

export interface GenerateOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * Draws the patterns elsewhere (src/worker/synth-pool.ts: worker threads); by default they are
   * drawn on this thread. Whoever draws them, pattern i is the same: its random generator is
   * Random.forIndex(plan.seed, i).
   */
  drawer?: (plan: DatasetPlan) => PatternDrawer;
}

/**
 * Patterns first … first + count − 1 of a plan, with their labels, fractions and parameters,
 * row-major as the dataset file holds them.
 */
export interface PatternBlock {
  first: number;
  count: number;
  patterns: Float32Array;
  labels: Int32Array;
  fractions: Float32Array;
  weights: Float32Array;
  /** One array per PATTERN_PARAMETERS name (count values each). */
  patternParameters: Float32Array[];
  /** One array per PHASE_PARAMETERS name (count × phases values each). */
  phaseParameters: Float32Array[];
}

/** Draws ranges of a plan's patterns; `concurrency` ranges may be asked for at once. */
export interface PatternDrawer {
  readonly concurrency: number;
  draw(first: number, count: number): Promise<PatternBlock>;
  close(): Promise<void>;
}

/** Allocates a block for `count` patterns of a plan. */
export function allocateBlock(plan: Pick<DatasetPlan, 'grid' | 'phases'>, first: number, count: number): PatternBlock {
  const phaseCount = plan.phases.length;
  return {
    first,
    count,
    patterns: new Float32Array(count * plan.grid.points),
    labels: new Int32Array(count),
    fractions: new Float32Array(count * phaseCount),
    weights: new Float32Array(count * phaseCount),
    patternParameters: PATTERN_PARAMETERS.map(() => new Float32Array(count)),
    phaseParameters: PHASE_PARAMETERS.map(() => new Float32Array(count * phaseCount)),
  };
}

/** The buffers of a block, to hand to postMessage's transfer list. */
export function blockBuffers(block: PatternBlock): ArrayBuffer[] {
  return [block.patterns, block.labels, block.fractions, block.weights, ...block.patternParameters, ...block.phaseParameters].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Draws patterns first … first + count − 1 of the plan into a new block. Pattern i draws
 * everything (its composition, its variation, its noise) from Random.forIndex(plan.seed, i),
 * so a block is the same whichever thread draws it and whatever was drawn before.
 */
export function drawBlock(plan: DatasetPlan, simulator: Simulator, first: number, count: number): PatternBlock {
  if (!(Number.isInteger(first) && Number.isInteger(count) && first >= 0 && count >= 0 && first + count <= plan.total)) {
    throw new Error(`patterns ${first}…${first + count - 1} are not in the plan's ${plan.total}`);
  }
  const block = allocateBlock(plan, first, count);
  const points = plan.grid.points;
  const phaseCount = plan.phases.length;
  // The job holding pattern `first`, then onwards.
  let job = 0;
  let jobFirst = 0;
  while (job < plan.jobs.length && jobFirst + plan.jobs[job].count <= first) jobFirst += plan.jobs[job++].count;
  for (let n = 0; n < count; n++) {
    const index = first + n;
    while (index >= jobFirst + plan.jobs[job].count) jobFirst += plan.jobs[job++].count;
    const current = plan.jobs[job];
    const random = Random.forIndex(plan.seed, index);
    const { shares, weights } = compositionFor(current, random, plan.phases, plan.minimumWeightFraction);
    simulator.draw(shares, random, block.patterns.subarray(n * points, (n + 1) * points));
    block.labels[n] = current.kind === 'pure' ? current.phase : -1;
    shares.forEach((s, i) => {
      block.fractions[n * phaseCount + s.phase] = s.fraction;
      block.weights[n * phaseCount + s.phase] = weights[i];
    });
    for (let k = 0; k < PATTERN_PARAMETERS.length; k++) block.patternParameters[k][n] = simulator.patternParameters[k];
    for (let k = 0; k < PHASE_PARAMETERS.length; k++) {
      for (let p = 0; p < phaseCount; p++) block.phaseParameters[k][n * phaseCount + p] = simulator.phaseParameters[p * PHASE_PARAMETERS.length + k];
    }
  }
  return block;
}

/** The simulator a plan's patterns are drawn with (one per thread). */
export function planSimulator(plan: DatasetPlan): Simulator {
  return new Simulator({ phases: buildPhaseModels(plan), grid: plan.grid, radiation: plan.radiation, augmentation: plan.augmentation });
}

/** Draws on the calling thread, one range at a time. */
export function localDrawer(plan: DatasetPlan): PatternDrawer {
  let simulator: Simulator | undefined;
  return {
    concurrency: 1,
    draw: async (first, count) => drawBlock(plan, (simulator ??= planSimulator(plan)), first, count),
    close: async () => {},
  };
}

/** One pattern's phases: the volume fractions the simulator draws, and the weight fractions they are. */
interface Composition {
  shares: PhaseShare[];
  weights: ArrayLike<number>;
}

/**
 * The composition of one pattern of a job. Held-out mixtures (role "novel", the paper's study)
 * are planned in volume fractions, trained ones (role "known") in weight fractions; each is
 * converted to the other with the phases' densities (phase-scale.ts).
 */
function compositionFor(job: Job, random: Random, phases: PlannedPhase[], minimumWeightFraction: number): Composition {
  const densitiesOf = (indices: number[]) => indices.map((p) => phases[p].density);
  switch (job.kind) {
    case 'pure':
      return { shares: [{ phase: job.phase, fraction: 1 }], weights: [1] };
    case 'binary':
      return {
        shares: [{ phase: job.a, fraction: job.x }, { phase: job.b, fraction: 1 - job.x }],
        weights: weightFractionsFromVolumes([job.x, 1 - job.x], densitiesOf([job.a, job.b]), new Float64Array(2)),
      };
    case 'ternary': {
      // Uniform on the simplex: normalised exponentials (Dirichlet(1, 1, 1)).
      const e = job.phases.map(() => -Math.log(1 - random.float()));
      const sum = e[0] + e[1] + e[2];
      const shares = job.phases.map((phase, i) => ({ phase, fraction: e[i] / sum }));
      return { shares, weights: weightFractionsFromVolumes(shares.map((s) => s.fraction), densitiesOf(job.phases), new Float64Array(3)) };
    }
    case 'mixture': {
      const weights = drawWeightFractions(minimumWeightFraction, random, new Float64Array(job.phases.length));
      const volumes = volumeFractionsFromWeights(weights, densitiesOf(job.phases), new Float64Array(job.phases.length));
      return { shares: job.phases.map((phase, i) => ({ phase, fraction: volumes[i] })), weights };
    }
  }
}

/**
 * Draws every pattern of the plan and streams them to an HDF5 file in chunks of
 * `plan.chunkSize` patterns: memory holds one chunk, never the dataset. The file is written
 * under a temporary name, flushed to the disk, read back and compared with what was written
 * (every array's shape and SHA-256), and renamed into place only then; on cancel or failure
 * (a full disk included) the temporary file is removed and an existing dataset at the output
 * path is untouched. Only an earlier dataset of Latent XRD is replaced: anything else there is
 * refused before any work.
 */
export async function generateDataset(plan: DatasetPlan, options: GenerateOptions = {}): Promise<{ path: string; patterns: number; seconds: number }> {
  const h5 = await loadH5wasm();
  const chunk = Math.max(1, Math.min(plan.chunkSize, plan.total));
  const started = Date.now();
  // writeAtomically also creates the folder: HDF5 cannot create a file in a missing one (and
  // says so in a wall of library text).
  return writeAtomically(
    plan.output,
    async (temporary) => {
      if (options.signal?.aborted) throw new UserError('dataset generation cancelled; no file was written');
      const drawer = (options.drawer ?? localDrawer)(plan);
      let written: { count: number; checksums: Record<string, string> };
      try {
        written = await writePatterns(h5, temporary, plan, drawer, chunk, started, options);
      } finally {
        await drawer.close();
      }
      syncFile(temporary);
      await verifyWrittenDataset(temporary, plan.output, written);
      return { path: plan.output, patterns: written.count, seconds: (Date.now() - started) / 1000 };
    },
    datasetRecogniser(h5),
  );
}

/** Draws the plan's patterns into a new HDF5 file; returns how many rows and their checksums. */
async function writePatterns(
  h5: Awaited<ReturnType<typeof loadH5wasm>>,
  path: string,
  plan: DatasetPlan,
  drawer: PatternDrawer,
  chunk: number,
  started: number,
  options: GenerateOptions,
): Promise<{ count: number; checksums: Record<string, string> }> {
  const points = plan.grid.points;
  const phaseCount = plan.phases.length;
  const file = new h5.File(path, 'w');
  let closed = false;
  try {
    const patterns = file.create_dataset({ name: 'patterns', data: new Float32Array(0), shape: [0, points], maxshape: [null, points], chunks: [chunk, points], dtype: '<f4' });
    const labels = file.create_dataset({ name: 'labels', data: new Int32Array(0), shape: [0], maxshape: [null], chunks: [chunk], dtype: '<i4' });
    const fractions = file.create_dataset({ name: 'fractions', data: new Float32Array(0), shape: [0, phaseCount], maxshape: [null, phaseCount], chunks: [chunk, phaseCount], dtype: '<f4' });
    const weightFractions = file.create_dataset({ name: 'weight_fractions', data: new Float32Array(0), shape: [0, phaseCount], maxshape: [null, phaseCount], chunks: [chunk, phaseCount], dtype: '<f4' });
    const parameterGroup = file.create_group('parameters');
    const patternParams = PATTERN_PARAMETERS.map((name) =>
      parameterGroup.create_dataset({ name, data: new Float32Array(0), shape: [0], maxshape: [null], chunks: [chunk], dtype: '<f4' }),
    );
    const phaseParams = PHASE_PARAMETERS.map((name) =>
      parameterGroup.create_dataset({ name, data: new Float32Array(0), shape: [0, phaseCount], maxshape: [null, phaseCount], chunks: [chunk, phaseCount], dtype: '<f4' }),
    );
    // h5wasm takes Python struct codes: float64 is '<d' ('<f8' would be read as '<f', float32).
    file.create_dataset({ name: 'two_theta', data: gridValues(plan.grid), dtype: '<d' });
    file.create_dataset({ name: 'phase_names', data: plan.phases.map((p) => p.name) });
    file.create_dataset({ name: 'phase_roles', data: plan.phases.map((p) => p.role) });
    file.create_dataset({ name: 'phase_files', data: plan.phases.map((p) => basename(p.file)) });
    file.create_dataset({ name: 'phase_densities', data: Float64Array.from(plan.phases, (p) => p.density), dtype: '<d' });
    file.create_attribute('software', DATASET_SOFTWARE);
    file.create_attribute('version', SOFTWARE_VERSION);
    file.create_attribute('config', JSON.stringify(plan.config));
    file.create_attribute('radiation', JSON.stringify(plan.radiation));
    file.create_attribute('augmentation', JSON.stringify(plan.augmentation));
    file.create_attribute('seed', plan.seed);
    file.create_attribute(MIXTURE_ROLE_ATTRIBUTE, plan.mixtureRole);
    if (plan.mixtureRole === 'known') file.create_attribute(MINIMUM_WEIGHT_FRACTION_ATTRIBUTE, plan.minimumWeightFraction);
    file.create_attribute('parameters_per_phase', [...PHASE_PARAMETERS].join(','));

    const bufPatterns = new Float32Array(chunk * points);
    const bufLabels = new Int32Array(chunk);
    const bufFractions = new Float32Array(chunk * phaseCount);
    const bufWeights = new Float32Array(chunk * phaseCount);
    const bufPattern = PATTERN_PARAMETERS.map(() => new Float32Array(chunk));
    const bufPhase = PHASE_PARAMETERS.map(() => new Float32Array(chunk * phaseCount));
    const checksums = new ArrayChecksums();
    let written = 0;
    let filled = 0;

    const append = (dataset: typeof patterns, name: string, values: Float32Array | Int32Array, end: number, width?: number) => {
      dataset.resize(width === undefined ? [end] : [end, width]);
      dataset.write_slice(width === undefined ? [[written, end]] : [[written, end], [0, width]], values);
      checksums.add(name, values);
    };
    const flush = async () => {
      if (filled === 0) return;
      const end = written + filled;
      append(patterns, 'patterns', bufPatterns.subarray(0, filled * points), end, points);
      append(labels, 'labels', bufLabels.subarray(0, filled), end);
      append(fractions, 'fractions', bufFractions.subarray(0, filled * phaseCount), end, phaseCount);
      append(weightFractions, 'weight_fractions', bufWeights.subarray(0, filled * phaseCount), end, phaseCount);
      patternParams.forEach((d, k) => append(d, `parameters/${PATTERN_PARAMETERS[k]}`, bufPattern[k].subarray(0, filled), end));
      phaseParams.forEach((d, k) => append(d, `parameters/${PHASE_PARAMETERS[k]}`, bufPhase[k].subarray(0, filled * phaseCount), end, phaseCount));
      written = end;
      filled = 0;
      const seconds = (Date.now() - started) / 1000;
      options.onProgress?.({ done: written, total: plan.total, patternsPerSecond: written / Math.max(seconds, 1e-3) });
      // Let the event loop run: progress reaches the user and a cancel can arrive.
      await new Promise((r) => setImmediate(r));
      if (options.signal?.aborted) throw new UserError('dataset generation cancelled; no file was written');
    };
    const place = (block: PatternBlock) => {
      const at = block.first - written;
      if (at !== filled) throw new Error(`patterns ${block.first}… arrived out of order (expected ${written + filled})`);
      bufPatterns.set(block.patterns, at * points);
      bufLabels.set(block.labels, at);
      bufFractions.set(block.fractions, at * phaseCount);
      bufWeights.set(block.weights, at * phaseCount);
      block.patternParameters.forEach((values, k) => bufPattern[k].set(values, at));
      block.phaseParameters.forEach((values, k) => bufPhase[k].set(values, at * phaseCount));
      filled += block.count;
    };

    // Each chunk is cut into one piece per drawer thread; at most two pieces per thread are
    // asked for ahead of the one being written, so memory holds about two chunks, never the
    // dataset, and pieces are written in order whichever finishes first.
    const pieces: [number, number][] = [];
    const parts = Math.max(1, drawer.concurrency);
    for (let start = 0; start < plan.total; start += chunk) {
      const end = Math.min(plan.total, start + chunk);
      const size = Math.ceil((end - start) / parts);
      for (let first = start; first < end; first += size) pieces.push([first, Math.min(size, end - first)]);
    }
    const ahead: Promise<PatternBlock>[] = [];
    let next = 0;
    const ask = () => {
      while (next < pieces.length && ahead.length < 2 * parts) {
        const promise = drawer.draw(pieces[next][0], pieces[next][1]);
        // A failure is seen when its turn comes (or the run has already failed): never unhandled.
        promise.catch(() => {});
        ahead.push(promise);
        next++;
      }
    };
    ask();
    while (ahead.length) {
      const block = await ahead.shift()!;
      ask();
      place(block);
      if (filled === chunk) await flush();
    }
    await flush();
    const digests = checksums.digests();
    file.create_attribute(CHECKSUM_ATTRIBUTE, JSON.stringify(digests));
    file.close();
    closed = true;
    return { count: written, checksums: digests };
  } finally {
    if (!closed) {
      try {
        file.close();
      } catch {
        // already failed; writeAtomically removes the temporary file either way
      }
    }
  }
}

export function configDirectory(configPath: string): string {
  return dirname(resolve(configPath));
}

/**
 * A latent-xrd.json's text, validated and planned: what the CLI and the extension both do
 * before generating or training. Errors are thrown with their lines and columns; warnings
 * are returned for the caller to show.
 */
export function planWorkspaceConfig(text: string, configFullPath: string, shownPath: string, outputOverride?: string): { config: SynthConfig; plan: DatasetPlan; configDir: string; warnings: Diagnostic[] } {
  const validated = validateConfig(text);
  if (!validated.config) throw new UserError(`${shownPath}: the config has errors`, validated.diagnostics, shownPath);
  const configDir = configDirectory(configFullPath);
  const { plan, diagnostics } = planDataset(validated.config, configDir, outputOverride);
  if (!plan) throw new UserError(`${shownPath}: cannot make the dataset`, diagnostics, shownPath);
  return { config: validated.config, plan, configDir, warnings: [...validated.diagnostics, ...diagnostics].filter((d) => d.severity !== 'error') };
}
