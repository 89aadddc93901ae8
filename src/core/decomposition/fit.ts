// The whole-pattern fit behind `latent-xrd explain`: a pattern on a 2θ grid as a non-negative sum
// of the candidate phases' simulated patterns plus a smooth background, each phase with its own
// lattice scale, peak widths and preferred orientation, all phases sharing a zero shift, a sample
// displacement, the axial asymmetry and the instrument's Gaussian widths.
//
// How it is solved (deterministic: no random start, the same pattern gives the same numbers):
// the phase scales and the background coefficients enter linearly, so for any values of the few
// non-linear parameters they are solved exactly (non-negative least squares, nnls.ts) and the fit's
// quality is that solve's residual (variable projection: Golub & Pereyra 1973). The non-linear
// parameters are then searched: first coarse scans (one crystallite size for all phases, the zero
// shift, each phase's lattice scale over ±STRAIN_SCAN), then sweeps of three-point parabolic steps
// on every parameter of the phases the solve keeps, the texture axis chosen among the phase's
// candidate axes, and last Levenberg–Marquardt on all continuous parameters at once (the shifts and
// lattice scales are correlated). Each phase's pattern is drawn by the synthetic
// generator itself (synth/simulator.ts, renderPhase), so a fitted phase looks exactly as it does
// in the training data; only its parameters are chosen instead of drawn.
//
// Held fixed at the generator's central values: the ratio of Caglioti V to W (one factor scales the
// three, another U alone) and the instrument's Lorentzian.
import type { Grid } from '../diffraction/render';
import type { CrystalStructure, CellParameters } from '../crystal/types';
import { buildPhaseModel, type PhaseModel } from '../synth/phase';
import { Simulator, type InstrumentState, type PhaseLineParameters, type Radiation } from '../synth/simulator';
import { DEFAULT_AUGMENTATION, type AugmentationConfig } from '../synth/augmentation';
import { central } from '../synth/distributions';
import { solveNonNegative, solveSymmetric, type NormalEquations } from './nnls';
import { backgroundBasis, BACKGROUND_TERMS } from './background';

/** A phase the fit may use: a name and its structure. */
export interface CandidatePhase {
  name: string;
  structure: CrystalStructure;
}

export interface DecomposerSetup {
  phases: CandidatePhase[];
  grid: Grid;
  radiation: Radiation;
  /** The generator's settings (texture axes, instrument profile, Scherrer K): the default when absent. */
  augmentation?: AugmentationConfig;
}

/** The refined state of one phase. */
export interface PhaseFitParameters {
  /** Relative change of a, b, c (tied axes alike, so the crystal keeps its symmetry). */
  strain: [number, number, number];
  crystalliteSizeNm: number;
  microstrainX: number;
  /** Index into the phase's texture axes, −1 for none. */
  textureAxis: number;
  marchDollaseR: number;
  /** Debye–Waller B (Å²): with a lab scan's range it mostly tilts the intensities with angle. */
  debyeWallerB: number;
}

export interface SharedFitParameters {
  zeroShiftDeg: number;
  displacementMm: number;
  /** Axial-divergence asymmetry A (profile.ts). */
  asymmetryA: number;
  /** Factor on the instrument's Gaussian widths (Caglioti U, V, W). */
  gaussianWidthScale: number;
  /** A further factor on Caglioti U alone: how fast the Gaussian width grows with angle. */
  cagliotiUScale: number;
}

/** What the fit found, before any decision about which phases are present. */
export interface RawFit {
  phases: PhaseFitParameters[];
  shared: SharedFitParameters;
  /** Coefficient of each phase drawn at volume fraction 1 (∝ its volume fraction): ≥ 0. */
  volumeScale: Float64Array;
  /** Residual sum of squares over the covered points, and of the pattern itself. */
  rss: number;
  yy: number;
  /** rss of the fit with each phase left out (all else as fitted); Infinity-free, = rss for a phase at 0. */
  rssWithout: Float64Array;
  /** Curves on the covered points first..last: the fit, its background and each phase's part. */
  fit: Float64Array;
  background: Float64Array;
  phaseCurves: Float64Array[];
  first: number;
  last: number;
  /** Non-linear parameters refined (for χ²'s degrees of freedom). */
  refinedParameters: number;
  evaluations: number;
  /**
   * The linear solve again with the phases in `excluded` left out and every non-linear parameter
   * as fitted: the curves of the phases a decision keeps (the others' lines go back to the residual).
   */
  resolveWithout(excluded: readonly boolean[]): LinearFit;
}

/** One linear solve's result on the covered points. */
export interface LinearFit {
  volumeScale: Float64Array;
  rss: number;
  fit: Float64Array;
  background: Float64Array;
  phaseCurves: Float64Array[];
}

/** Largest lattice change searched, either way, per free axis ("strain within a few %"). */
export const STRAIN_LIMIT = 0.04;
/** The coarse scan of each phase's lattice scale: ± this in STRAIN_SCAN_STEP steps. */
const STRAIN_SCAN = 0.03;
const STRAIN_SCAN_STEP = 0.002;
const SIZE_SCAN_NM = [8, 16, 32, 64, 128, 256];
const ZERO_SCAN_DEG = 0.3;
const ZERO_SCAN_STEP = 0.05;
const LIMITS = {
  zeroShiftDeg: [-1, 1],
  displacementMm: [-1, 1],
  logGaussianWidthScale: [Math.log(0.25), Math.log(16)],
  logCagliotiUScale: [Math.log(0.1), Math.log(10)],
  logSize: [Math.log(4), Math.log(2000)],
  microstrainX: [0, 1],
  debyeWallerB: [0, 3],
  asymmetryA: [0, 0.4],
  logR: [Math.log(0.4), Math.log(2.5)],
} as const;
/** Sweeps of the parabolic coordinate search before Levenberg–Marquardt takes over. */
const COORDINATE_SWEEPS = 2;
/** Levenberg–Marquardt: iterations at most, the starting, smallest damping, damped tries per iteration, and the gain it stops below. */
const LM_ITERATIONS = 15;
const LM_LAMBDA = 1e-2;
const LM_LAMBDA_MIN = 1e-6;
const LM_ATTEMPTS = 4;
const LM_TOLERANCE = 1e-5;
/** Forward-difference step, as a share of each coordinate's search step. */
const LM_DIFFERENCE = 0.05;
/** March–Dollase r tried on each axis when choosing the texture axis. */
const TEXTURE_TRIALS = [0.7, 0.85, 1.2, 1.4];
/** Values of a screened scan tried with a full solve. */
const SCREENED = 3;
/** Share of the phases' summed intensity below which a phase is not refined (it is still solved for). */
const ACTIVE_SHARE = 0.005;

/** One parameter the coordinate search moves: read, write (clamped), its step and which phase columns it changes. */
interface Coordinate {
  get(): number;
  set(v: number): void;
  lo: number;
  hi: number;
  step: number;
  /** Phase whose column it changes, or −1: all of them. */
  phase: number;
  /** The step it started with (the search changes `step`); sets the size of its finite differences. */
  initialStep?: number;
}

/**
 * Fits patterns on one grid against one set of candidate phases. Building it computes each
 * phase's reflections once; `fit` is then called per pattern. Not for use from two threads.
 */
export class Decomposer {
  readonly models: PhaseModel[];
  readonly augmentation: AugmentationConfig;
  private readonly simulator: Simulator;
  private readonly freeAxes: number[][];
  private readonly baseInstrument: InstrumentState;
  private readonly render: Float64Array;

  constructor(readonly setup: DecomposerSetup) {
    this.augmentation = setup.augmentation ?? DEFAULT_AUGMENTATION;
    const aug = this.augmentation;
    const { grid, radiation } = setup;
    // Room for the lines strain moves into the grid from beyond its end.
    const twoThetaMax = Math.min(179, grid.max + 2 * (180 / Math.PI) * STRAIN_LIMIT + 2);
    this.models = setup.phases.map((p) => buildPhaseModel(p.name, p.structure, { wavelength: radiation.kalpha1, twoThetaMax, textureAxes: aug.textureAxes }));
    this.simulator = new Simulator({ phases: this.models, grid, radiation, augmentation: aug });
    this.freeAxes = this.models.map((m) => [...new Set(Array.from(m.strainAxis))]);
    this.baseInstrument = {
      profile: { u: central(aug.cagliotiU), v: central(aug.cagliotiV), w: central(aug.cagliotiW), x: central(aug.instrumentLorentzianX), y: central(aug.instrumentLorentzianY) },
      asymmetryA: central(aug.axialAsymmetry),
      zeroShiftDeg: 0,
      displacementMm: 0,
    };
    this.render = new Float64Array(grid.points);
  }

  /** The refined cell of phase `p`: its CIF's cell with each axis scaled by 1 + strain (angles kept). */
  refinedCell(p: number, parameters: PhaseFitParameters): CellParameters {
    const cell = this.models[p].structure.cell;
    return { ...cell, a: cell.a * (1 + parameters.strain[0]), b: cell.b * (1 + parameters.strain[1]), c: cell.c * (1 + parameters.strain[2]) };
  }

  /** Which of a, b, c phase `p` refines independently (the others follow by symmetry). */
  freeAxesOf(p: number): readonly number[] {
    return this.freeAxes[p];
  }

  /**
   * Fits `pattern` (grid values) over points first..last (default: all). `excluded[p]` leaves
   * phase p out altogether. From `start` (an earlier fit's parameters) only the joint refinement
   * runs, not the scans: a refit of the phases a decision kept.
   */
  fit(pattern: ArrayLike<number>, covered?: { first: number; last: number }, excluded?: readonly boolean[], start?: Pick<RawFit, 'phases' | 'shared'>): RawFit {
    const { grid } = this.setup;
    if (pattern.length !== grid.points) throw new Error(`decomposition: the pattern has ${pattern.length} points; the grid has ${grid.points}`);
    const first = Math.max(0, covered?.first ?? 0);
    const last = Math.min(grid.points - 1, covered?.last ?? grid.points - 1);
    const n = last - first + 1;
    if (n < 2 * BACKGROUND_TERMS + 2) throw new Error(`decomposition: ${n} covered points are too few to fit`);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = pattern[first + i];
      if (!Number.isFinite(y[i])) throw new Error(`decomposition: the pattern is not finite at grid point ${first + i}`);
    }
    const P = this.models.length;
    const background = backgroundBasis(grid, first, last);
    const B = background.length;
    const K = P + B;

    const aug = this.augmentation;
    const phases: PhaseFitParameters[] = this.models.map(() => ({ strain: [0, 0, 0], crystalliteSizeNm: central(aug.crystalliteSizeNm), microstrainX: 0, textureAxis: -1, marchDollaseR: 1, debyeWallerB: central(aug.debyeWallerB) }));
    const shared: SharedFitParameters = { zeroShiftDeg: 0, displacementMm: 0, asymmetryA: this.baseInstrument.asymmetryA, gaussianWidthScale: 1, cagliotiUScale: 1 };
    if (start) {
      start.phases.forEach((q, p) => (phases[p] = { ...q, strain: [...q.strain] }));
      Object.assign(shared, start.shared);
    }

    // Columns (each scaled to unit norm for a well-conditioned solve) and the normal equations.
    const columns: Float64Array[] = [...this.models.map(() => new Float64Array(n)), ...background];
    const norms = new Float64Array(K).fill(1);
    /** Sum of each unit-norm phase column: its intensity per unit coefficient. */
    const columnSums = new Float64Array(P);
    const eq: NormalEquations = { size: K, gram: new Float64Array(K * K), rhs: new Float64Array(K), yy: 0 };
    for (let i = 0; i < n; i++) eq.yy += y[i] * y[i];
    const constrained = Array.from({ length: K }, (_, k) => k < P);
    const dot = (a: Float64Array, b: Float64Array) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i] * b[i];
      return s;
    };
    const updateRow = (k: number) => {
      for (let j = 0; j < K; j++) {
        const v = dot(columns[k], columns[j]);
        eq.gram[k * K + j] = v;
        eq.gram[j * K + k] = v;
      }
      eq.rhs[k] = dot(columns[k], y);
    };
    for (let k = P; k < K; k++) updateRow(k);

    const instrument = (): InstrumentState => {
      const g = shared.gaussianWidthScale;
      const base = this.baseInstrument;
      return { ...base, profile: { ...base.profile, u: base.profile.u * g * shared.cagliotiUScale, v: base.profile.v * g, w: base.profile.w * g }, asymmetryA: shared.asymmetryA, zeroShiftDeg: shared.zeroShiftDeg, displacementMm: shared.displacementMm };
    };
    const lineParameters = (p: number): PhaseLineParameters => {
      const s = phases[p];
      return { isotropicStrain: 0, strain: s.strain, crystalliteSizeNm: s.crystalliteSizeNm, microstrainX: s.microstrainX, marchDollaseR: s.marchDollaseR, textureAxis: s.textureAxis, debyeWallerB: s.debyeWallerB };
    };
    /** Draws phase p's column as its parameters now say (unit norm; all zeros when none of its lines is in range). */
    const drawColumn = (p: number, into: Float64Array): number => {
      this.render.fill(0);
      if (!excluded?.[p]) this.simulator.renderPhase(p, 1, lineParameters(p), instrument(), this.render);
      let s = 0;
      for (let i = 0; i < n; i++) s += this.render[first + i] ** 2;
      const norm = Math.sqrt(s);
      const inverse = norm > 0 ? 1 / norm : 0;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += into[i] = this.render[first + i] * inverse;
      columnSums[p] = sum;
      return norm;
    };

    let evaluations = 0;
    /**
     * The phases worth refining: those the solve keeps with at least ACTIVE_SHARE of the phases'
     * summed intensity (a phase at a trace of that is absorbing noise, and costs as much to refine).
     */
    const active = (): number[] => {
      let total = 0;
      for (let p = 0; p < P; p++) total += solution.x[p] * norms[p] * columnSums[p];
      return Array.from({ length: P }, (_, p) => p).filter((p) => solution.x[p] > 0 && solution.x[p] * norms[p] * columnSums[p] >= ACTIVE_SHARE * total);
    };
    const present = active;
    let solution: { x: Float64Array; rss: number } = { x: new Float64Array(K), rss: eq.yy };
    const solve = () => {
      evaluations++;
      return solveNonNegative(eq, constrained);
    };
    for (let p = 0; p < P; p++) {
      norms[p] = drawColumn(p, columns[p]);
      updateRow(p);
    }
    solution = solve();

    // Trying a change: redraw the columns it touches, solve; keep it if the rss fell, else put back.
    const saved = { columns: columns.map((c) => new Float64Array(c)), norms: new Float64Array(K), sums: new Float64Array(P), gram: new Float64Array(K * K), rhs: new Float64Array(K) };
    // A shared parameter redraws the phases the solve keeps (the others are redrawn once at the end).
    const trial = (phase: number): number => {
      const touched = phase < 0 ? active() : [phase];
      saved.gram.set(eq.gram);
      saved.rhs.set(eq.rhs);
      saved.norms.set(norms);
      saved.sums.set(columnSums);
      for (const p of touched) {
        saved.columns[p].set(columns[p]);
        norms[p] = drawColumn(p, columns[p]);
        updateRow(p);
      }
      const result = solve();
      if (result.rss < solution.rss) {
        solution = result;
        return result.rss;
      }
      for (const p of touched) columns[p].set(saved.columns[p]);
      eq.gram.set(saved.gram);
      eq.rhs.set(saved.rhs);
      norms.set(saved.norms);
      columnSums.set(saved.sums);
      return result.rss;
    };
    /** The rss with phase p drawn as its parameters now say; the fit itself is left as it was. */
    const probe = (p: number): number => {
      saved.columns[p].set(columns[p]);
      saved.gram.set(eq.gram);
      saved.rhs.set(eq.rhs);
      const norm = norms[p];
      const sum = columnSums[p];
      norms[p] = drawColumn(p, columns[p]);
      updateRow(p);
      const rss = solve().rss;
      columns[p].set(saved.columns[p]);
      eq.gram.set(saved.gram);
      eq.rhs.set(saved.rhs);
      norms[p] = norm;
      columnSums[p] = sum;
      return rss;
    };
    /** Sets a coordinate to v and keeps it if the fit improves; returns whether it did. */
    const attempt = (c: Coordinate, v: number): { kept: boolean; rss: number } => {
      const old = c.get();
      const clamped = Math.min(c.hi, Math.max(c.lo, v));
      if (clamped === old) return { kept: false, rss: solution.rss };
      const before = solution.rss;
      c.set(clamped);
      const rss = trial(c.phase);
      if (solution.rss < before) return { kept: true, rss };
      c.set(old);
      return { kept: false, rss };
    };
    /** Scans a coordinate over values, keeping the best. */
    const scan = (c: Coordinate, values: number[]) => {
      for (const v of values) attempt(c, v);
    };
    /**
     * A scan screened cheaply: each value's column is drawn and scored by how much of the residual
     * the others leave it could take (its projection on that residual, as the NNLS solver picks
     * columns), and only the SCREENED best are tried with a full solve.
     */
    const scratch = new Float64Array(n);
    const screenedScan = (c: Coordinate, p: number, values: number[]) => {
      const rest = Float64Array.from(y);
      for (let k = 0; k < K; k++) {
        if (k === p || solution.x[k] === 0) continue;
        const xk = solution.x[k];
        const col = columns[k];
        for (let i = 0; i < n; i++) rest[i] -= xk * col[i];
      }
      const old = c.get();
      const oldSum = columnSums[p];
      const scored = values.map((v) => {
        c.set(v);
        drawColumn(p, scratch);
        const projection = dot(scratch, rest);
        return { v, score: projection > 0 ? projection : 0 };
      });
      c.set(old);
      columnSums[p] = oldSum;
      scored.sort((a, b) => b.score - a.score || a.v - b.v);
      for (const { v, score } of scored.slice(0, SCREENED)) if (score > 0) attempt(c, v);
    };
    /** One three-point parabolic step; widens the step after a move, narrows it when the centre is best. */
    const parabolicStep = (c: Coordinate) => {
      const v0 = c.get();
      const f0 = solution.rss;
      const up = attempt(c, v0 + c.step);
      if (up.kept) {
        c.step *= 1.5;
        return;
      }
      const down = attempt(c, v0 - c.step);
      if (down.kept) {
        c.step *= 1.5;
        return;
      }
      const curvature = up.rss - 2 * f0 + down.rss;
      if (curvature > 0 && Number.isFinite(curvature)) attempt(c, v0 + (0.5 * c.step * (down.rss - up.rss)) / curvature);
      c.step *= 0.5;
    };

    const sharedCoordinates: Coordinate[] = withInitialSteps([
      { get: () => shared.zeroShiftDeg, set: (v) => (shared.zeroShiftDeg = v), lo: LIMITS.zeroShiftDeg[0], hi: LIMITS.zeroShiftDeg[1], step: 0.02, phase: -1 },
      { get: () => shared.displacementMm, set: (v) => (shared.displacementMm = v), lo: LIMITS.displacementMm[0], hi: LIMITS.displacementMm[1], step: 0.05, phase: -1 },
      { get: () => shared.asymmetryA, set: (v) => (shared.asymmetryA = v), lo: LIMITS.asymmetryA[0], hi: LIMITS.asymmetryA[1], step: 0.02, phase: -1 },
      { get: () => Math.log(shared.cagliotiUScale), set: (v) => (shared.cagliotiUScale = Math.exp(v)), lo: LIMITS.logCagliotiUScale[0], hi: LIMITS.logCagliotiUScale[1], step: 0.3, phase: -1 },
      { get: () => Math.log(shared.gaussianWidthScale), set: (v) => (shared.gaussianWidthScale = Math.exp(v)), lo: LIMITS.logGaussianWidthScale[0], hi: LIMITS.logGaussianWidthScale[1], step: 0.3, phase: -1 },
    ]);
    const isotropic = (p: number): Coordinate => ({
      get: () => phases[p].strain[this.freeAxes[p][0]],
      set: (v) => {
        for (let a = 0; a < 3; a++) phases[p].strain[a] = v;
      },
      lo: -STRAIN_LIMIT,
      hi: STRAIN_LIMIT,
      step: STRAIN_SCAN_STEP,
      phase: p,
    });
    const phaseCoordinates = (p: number): Coordinate[] => withInitialSteps([
      ...this.freeAxes[p].map((axis) => ({
        get: () => phases[p].strain[axis],
        set: (v: number) => {
          for (let a = 0; a < 3; a++) if (this.models[p].strainAxis[a] === axis) phases[p].strain[a] = v;
        },
        lo: -STRAIN_LIMIT,
        hi: STRAIN_LIMIT,
        step: 0.001,
        phase: p,
      })),
      { get: () => Math.log(phases[p].crystalliteSizeNm), set: (v) => (phases[p].crystalliteSizeNm = Math.exp(v)), lo: LIMITS.logSize[0], hi: LIMITS.logSize[1], step: 0.25, phase: p },
      { get: () => phases[p].microstrainX, set: (v) => (phases[p].microstrainX = v), lo: LIMITS.microstrainX[0], hi: LIMITS.microstrainX[1], step: 0.02, phase: p },
      { get: () => phases[p].debyeWallerB, set: (v) => (phases[p].debyeWallerB = v), lo: LIMITS.debyeWallerB[0], hi: LIMITS.debyeWallerB[1], step: 0.2, phase: p },
      {
        get: () => Math.log(phases[p].marchDollaseR),
        set: (v) => (phases[p].marchDollaseR = Math.exp(v)),
        lo: LIMITS.logR[0],
        hi: LIMITS.logR[1],
        step: 0.1,
        phase: p,
      },
    ]);

    const textureAxesOf = (p: number) => this.models[p].textureAxes.length;
    const phaseCoords = new Map<number, Coordinate[]>();
    const coordinatesOf = (p: number) => {
      if (!phaseCoords.has(p)) phaseCoords.set(p, phaseCoordinates(p));
      return phaseCoords.get(p)!;
    };
    if (!start) {
      // 1. One crystallite size for every phase: the widths the lines roughly have.
      const allSizes: Coordinate = {
        get: () => Math.log(phases[0]?.crystalliteSizeNm ?? 1),
        set: (v) => phases.forEach((s) => (s.crystalliteSizeNm = Math.exp(v))),
        lo: LIMITS.logSize[0],
        hi: LIMITS.logSize[1],
        step: 0,
        phase: -1,
      };
      if (P) scan(allSizes, SIZE_SCAN_NM.map(Math.log));
      // 2. The zero shift, on a coarse grid.
      scan(sharedCoordinates[0], range(-ZERO_SCAN_DEG, ZERO_SCAN_DEG, ZERO_SCAN_STEP));
      // 3. Each phase's lattice scale, twice round: a phase's best scale depends on what the others explain.
      for (let pass = 0; pass < 2; pass++) {
        // The second time round only the phases the first kept, over a finer, narrower range about their scale.
        if (pass === 0) for (let p = 0; p < P; p++) if (!excluded?.[p] && norms[p] > 0) screenedScan(isotropic(p), p, range(-STRAIN_SCAN, STRAIN_SCAN, STRAIN_SCAN_STEP));
        if (pass === 1) for (const p of active()) scan(isotropic(p), range(-STRAIN_SCAN_STEP, STRAIN_SCAN_STEP, STRAIN_SCAN_STEP / 4).map((d) => isotropic(p).get() + d));
      }
      // 4. Parabolic sweeps over the shared parameters and those of the phases the solve keeps;
      //    after the second sweep, each kept phase's texture axis.
      for (let sweep = 0; sweep < COORDINATE_SWEEPS; sweep++) {
        for (const c of sharedCoordinates) parabolicStep(c);
        for (const p of present()) {
          for (const c of coordinatesOf(p)) {
            // r moves only once a texture axis is chosen.
            if (c === coordinatesOf(p)[coordinatesOf(p).length - 1] && phases[p].textureAxis < 0) continue;
            parabolicStep(c);
          }
        }
      }
      chooseTextures();
    }

    // 5. Levenberg–Marquardt on every continuous parameter at once: the zero shift, the displacement
    //    and the phases' lattice scales move lines alike and are strongly correlated, which a
    //    coordinate search crosses only in tiny steps. The Jacobian is of the variable-projection
    //    residual (the linear solve redone at each perturbed point), by forward differences.
    const residualInto = (x: Float64Array, out: Float64Array) => {
      out.set(y);
      for (let k = 0; k < K; k++) {
        const xk = x[k];
        if (xk === 0) continue;
        const col = columns[k];
        for (let i = 0; i < n; i++) out[i] -= xk * col[i];
      }
    };
    /** Sets `values` on `coords`, redraws what they touch and solves; returns the solve (the state keeps the change). */
    const setAndSolve = (coords: Coordinate[], values: number[]) => {
      const touched = new Set<number>();
      coords.forEach((c, j) => {
        c.set(Math.min(c.hi, Math.max(c.lo, values[j])));
        if (c.phase < 0) for (const p of active()) touched.add(p);
        else touched.add(c.phase);
      });
      for (const p of touched) {
        norms[p] = drawColumn(p, columns[p]);
        updateRow(p);
      }
      return { touched: [...touched], result: solve() };
    };
    const snapshot = () => ({ columns: columns.slice(0, P).map((c) => new Float64Array(c)), norms: new Float64Array(norms), sums: new Float64Array(columnSums), gram: new Float64Array(eq.gram), rhs: new Float64Array(eq.rhs) });
    const restore = (state: ReturnType<typeof snapshot>, touched: number[]) => {
      for (const p of touched) columns[p].set(state.columns[p]);
      norms.set(state.norms);
      columnSums.set(state.sums);
      eq.gram.set(state.gram);
      eq.rhs.set(state.rhs);
    };
    const r0 = new Float64Array(n);
    const rj = new Float64Array(n);
    const levenbergMarquardt = () => {
      let lambda = LM_LAMBDA;
      for (let iteration = 0; iteration < LM_ITERATIONS; iteration++) {
        const coords = [...sharedCoordinates, ...present().flatMap((p) => coordinatesOf(p).filter((c, j, all) => j < all.length - 1 || phases[p].textureAxis >= 0))];
        const m = coords.length;
        const v0 = coords.map((c) => c.get());
        residualInto(solution.x, r0);
        const state = snapshot();
        const jacobian = coords.map((c, j) => {
          const h = LM_DIFFERENCE * differenceStep(c);
          const up = v0[j] + h <= c.hi;
          const { touched, result } = setAndSolve([c], [up ? v0[j] + h : v0[j] - h]);
          residualInto(result.x, rj);
          const column = new Float64Array(n);
          const scale = (up ? 1 : -1) / h;
          for (let i = 0; i < n; i++) column[i] = (rj[i] - r0[i]) * scale;
          c.set(v0[j]);
          restore(state, touched);
          return column;
        });
        // Normal equations of the step: (JᵀJ + λ·diag JᵀJ) δ = −Jᵀr.
        const jtj = new Float64Array(m * m);
        const jtr = new Float64Array(m);
        for (let a = 0; a < m; a++) {
          for (let b = a; b < m; b++) {
            let sum = 0;
            for (let i = 0; i < n; i++) sum += jacobian[a][i] * jacobian[b][i];
            jtj[a * m + b] = jtj[b * m + a] = sum;
          }
          let sum = 0;
          for (let i = 0; i < n; i++) sum += jacobian[a][i] * r0[i];
          jtr[a] = sum;
        }
        let improved = false;
        for (let attempt = 0; attempt < LM_ATTEMPTS && !improved; attempt++) {
          const delta = dampedStep(jtj, jtr, m, lambda);
          if (!delta) {
            lambda *= 4;
            continue;
          }
          const before = solution.rss;
          const { touched, result } = setAndSolve(coords, v0.map((v, j) => v + delta[j]));
          if (result.rss < before) {
            solution = result;
            lambda = Math.max(LM_LAMBDA_MIN, lambda / 3);
            improved = true;
            if (before - result.rss < LM_TOLERANCE * before) iteration = LM_ITERATIONS;
          } else {
            coords.forEach((c, j) => c.set(v0[j]));
            restore(state, touched);
            lambda *= 4;
          }
        }
        if (!improved) break;
      }
    };
    levenbergMarquardt();
    // 6. Each kept phase's best other texture axis, refined jointly too: an axis chosen early, before
    //    the other parameters settled, can be a near equivalent that scales some lines wrongly, and
    //    one axis beats another only once both are refined. The better of the two is kept.
    const redrawAll = () => {
      for (let p = 0; p < P; p++) {
        norms[p] = drawColumn(p, columns[p]);
        updateRow(p);
      }
      solution = solve();
    };
    for (const p of present()) {
      if (phases[p].textureAxis < 0) continue;
      const kept = { phases: phases.map((q) => ({ ...q, strain: [...q.strain] as [number, number, number] })), shared: { ...shared }, rss: solution.rss };
      let best = { axis: -1, r: 1, rss: Infinity };
      for (let a = 0; a < textureAxesOf(p); a++) {
        if (a === kept.phases[p].textureAxis) continue;
        for (const r of TEXTURE_TRIALS) {
          phases[p].textureAxis = a;
          phases[p].marchDollaseR = r;
          const rss = probe(p);
          if (rss < best.rss) best = { axis: a, r, rss };
        }
      }
      phases[p].textureAxis = kept.phases[p].textureAxis;
      phases[p].marchDollaseR = kept.phases[p].marchDollaseR;
      if (best.axis < 0) continue;
      phases[p].textureAxis = best.axis;
      phases[p].marchDollaseR = best.r;
      redrawAll();
      levenbergMarquardt();
      if (solution.rss >= kept.rss) {
        kept.phases.forEach((q, i) => (phases[i] = q));
        Object.assign(shared, kept.shared);
        redrawAll();
      }
    }
    /** Each kept phase's texture axis: every candidate axis at weak and strong r either way, the best kept if it beats the current one. */
    function chooseTextures(): void {
      for (const p of present()) {
        const tryTexture = attemptTexture(p);
        for (let a = 0; a < textureAxesOf(p); a++) for (const r of TEXTURE_TRIALS) tryTexture(a, r);
      }
    }
    function attemptTexture(p: number) {
      return (axis: number, r: number): boolean => {
        const old = { axis: phases[p].textureAxis, r: phases[p].marchDollaseR };
        const before = solution.rss;
        phases[p].textureAxis = axis;
        phases[p].marchDollaseR = r;
        trial(p);
        if (solution.rss < before) return true;
        phases[p].textureAxis = old.axis;
        phases[p].marchDollaseR = old.r;
        return false;
      };
    }

    // Every phase redrawn with the final shared parameters (a shared step redrew only the active ones).
    for (let p = 0; p < P; p++) {
      norms[p] = drawColumn(p, columns[p]);
      updateRow(p);
    }
    solution = solve();

    // The curves, and how much worse the fit is without each phase (all else as fitted).
    const curves = (x: Float64Array, rss: number): LinearFit => {
      const fit = new Float64Array(n);
      const bg = new Float64Array(n);
      const phaseCurves = this.models.map(() => new Float64Array(n));
      for (let k = 0; k < K; k++) {
        if (x[k] === 0) continue;
        const target = k < P ? phaseCurves[k] : bg;
        for (let i = 0; i < n; i++) target[i] += x[k] * columns[k][i];
      }
      for (let i = 0; i < n; i++) {
        let s = bg[i];
        for (let p = 0; p < P; p++) s += phaseCurves[p][i];
        fit[i] = s;
      }
      const volumeScale = Float64Array.from({ length: P }, (_, p) => (norms[p] > 0 ? x[p] / norms[p] : 0));
      return { volumeScale, rss, fit, background: bg, phaseCurves };
    };
    const x = solution.x;
    const rssWithout = new Float64Array(P);
    for (let p = 0; p < P; p++) {
      if (x[p] === 0) {
        rssWithout[p] = solution.rss;
        continue;
      }
      const leaveOut = Array.from({ length: K }, (_, k) => k === p);
      rssWithout[p] = solveNonNegative(eq, constrained, leaveOut).rss;
    }
    const final = curves(x, solution.rss);
    const resolveWithout = (left: readonly boolean[]): LinearFit => {
      const result = solveNonNegative(eq, constrained, Array.from({ length: K }, (_, k) => k < P && left[k]));
      return curves(result.x, result.rss);
    };
    const refinedParameters = sharedCoordinates.length + present().reduce((s, p) => s + this.freeAxes[p].length + 3 + (phases[p].textureAxis >= 0 ? 1 : 0), 0);
    return { phases, shared, ...final, yy: eq.yy, rssWithout, first, last, refinedParameters, evaluations, resolveWithout };
  }
}

/** The coordinates, each remembering the step it starts with. */
function withInitialSteps(coordinates: Coordinate[]): Coordinate[] {
  for (const c of coordinates) c.initialStep = c.step;
  return coordinates;
}

/** The forward-difference step of a coordinate, before LM_DIFFERENCE: the search step it started with. */
function differenceStep(c: Coordinate): number {
  return c.initialStep ?? c.step;
}

/** Solves (A + λ·diag A) δ = −b; undefined when not positive definite. */
function dampedStep(a: Float64Array, b: Float64Array, m: number, lambda: number): Float64Array | undefined {
  const damped = Float64Array.from(a);
  for (let i = 0; i < m; i++) damped[i * m + i] += lambda * a[i * m + i] + 1e-12;
  const delta = new Float64Array(m);
  return solveSymmetric(damped, m, b.map((v) => -v), delta, new Float64Array(m * m)) ? delta : undefined;
}

/** from, from + step, …, to (inclusive, to rounding). */
function range(from: number, to: number, step: number): number[] {
  const count = Math.round((to - from) / step);
  return Array.from({ length: count + 1 }, (_, i) => from + i * step);
}
