import type { Random } from '../util/random';
import { reciprocalMetric } from '../diffraction/lattice';
import { axialSplit, gaussianFwhm, lorentzianFwhm, tchWidthAndEta, type ProfileParameters } from '../diffraction/profile';
import { allocateLines, renderLines, renderLinesNaive, gridStep, type Grid, type Lines } from '../diffraction/render';
import { central, sample, type Distribution } from './distributions';
import { PATTERN_PARAMETERS, PHASE_PARAMETERS, type AugmentationConfig } from './augmentation';
import type { PhaseModel } from './phase';
import { phaseScale } from './phase-scale';

const DEG = 180 / Math.PI;

export interface Radiation {
  kalpha1: number;
  /** Omit for monochromatic radiation. */
  kalpha2?: number;
  /** Kα2/Kα1 intensity ratio (0.5 physically). */
  ratio: number;
}

/** Every parameter of one phase's lines in one pattern (drawn by `draw`, given to `renderPhase`). */
export interface PhaseLineParameters {
  /** Lattice scaled by (1 + isotropicStrain)(1 + strain[axis]) along a, b, c (tied axes alike: phase.ts). */
  isotropicStrain: number;
  strain: [number, number, number];
  crystalliteSizeNm: number;
  /** Lorentzian microstrain broadening X (deg, × tan θ), added to the instrument's. */
  microstrainX: number;
  /** March–Dollase r about textureAxes[textureAxis] (−1: no texture, r ignored). */
  marchDollaseR: number;
  textureAxis: number;
  debyeWallerB: number;
}

/** What the instrument does to every phase of a pattern. */
export interface InstrumentState {
  profile: ProfileParameters;
  /** Axial-divergence asymmetry A (profile.ts, axialSplit). */
  asymmetryA: number;
  zeroShiftDeg: number;
  displacementMm: number;
}

/** One phase's share of a pattern: a volume fraction of a phase model (phase-scale.ts converts weight fractions). */
export interface PhaseShare {
  phase: number;
  fraction: number;
}

export interface SimulatorOptions {
  phases: PhaseModel[];
  grid: Grid;
  radiation: Radiation;
  augmentation: AugmentationConfig;
  /** No variation, background or noise: the ideal pattern at the distributions' centres. */
  ideal?: boolean;
  /** Draw with the every-line-at-every-point renderer (for the benchmark's reference). */
  naive?: boolean;
}

/**
 * Draws synthetic patterns. Owns its scratch buffers, so drawing a pattern allocates nothing;
 * one simulator per thread.
 */
export class Simulator {
  readonly patternParameters = new Float64Array(PATTERN_PARAMETERS.length);
  /** [phase × PHASE_PARAMETERS.length], NaN for phases absent from the last pattern. */
  readonly phaseParameters: Float64Array;
  private readonly density: Float64Array;
  private readonly noise: Float64Array;
  private readonly noise2: Float64Array;
  private readonly twoTheta: Float64Array;
  /** Air scatter's shape on the grid, 1 at its lower end: (sin θ_min / sin θ)². */
  private readonly airShape: Float64Array;
  /** The last pattern's axial-divergence asymmetry A. */
  private asymmetryA = 0;
  private lines: Lines;
  private readonly strainDraws = new Float64Array(3);

  constructor(readonly options: SimulatorOptions) {
    const points = options.grid.points;
    this.density = new Float64Array(points);
    this.noise = new Float64Array(points);
    this.noise2 = new Float64Array(points);
    this.twoTheta = Float64Array.from({ length: points }, (_, i) => options.grid.min + i * gridStep(options.grid));
    const sinLow = Math.sin((Math.max(options.grid.min, 1) * Math.PI) / 360);
    this.airShape = this.twoTheta.map((t) => (sinLow / Math.sin((Math.max(t, 1) * Math.PI) / 360)) ** 2);
    this.phaseParameters = new Float64Array(options.phases.length * PHASE_PARAMETERS.length);
    const maxPoints = options.phases.reduce((m, p) => Math.max(m, p.count), 0);
    this.lines = allocateLines(Math.max(64, maxPoints * this.wavelengthCount()));
  }

  private wavelengthCount(): number {
    return this.options.radiation.kalpha2 ? 2 : 1;
  }

  /**
   * Room for every line the shares can draw: a pattern draws a few phases, never all of a
   * dataset's, so the buffer grows to the largest draw instead of phases × reflections.
   */
  private reserveLines(shares: PhaseShare[]): void {
    let needed = 0;
    for (const share of shares) needed += this.options.phases[share.phase].count * this.wavelengthCount();
    if (needed > this.lines.position.length) this.lines = allocateLines(needed);
  }

  /** Draws one pattern of the given phase shares into `out` (normalised to [0, 1]). */
  draw(shares: PhaseShare[], random: Random, out: Float32Array): void {
    const { augmentation: aug, grid, ideal } = this.options;
    const density = this.density;
    density.fill(0);
    this.phaseParameters.fill(NaN);

    // Instrument: shared by every phase of the pattern.
    const zeroShift = this.variation(aug.zeroShiftDeg, random);
    const displacement = this.variation(aug.sampleDisplacementMm, random);
    const profile: ProfileParameters = {
      u: this.width(aug.cagliotiU, random), v: this.width(aug.cagliotiV, random), w: this.width(aug.cagliotiW, random),
      x: this.width(aug.instrumentLorentzianX, random), y: this.width(aug.instrumentLorentzianY, random),
    };
    this.asymmetryA = this.width(aug.axialAsymmetry, random);

    this.reserveLines(shares);
    this.lines.count = 0;
    for (const share of shares) {
      this.addPhaseLines(share, random, profile, zeroShift, displacement);
    }
    if (this.options.naive) renderLinesNaive(this.lines, grid, density);
    else renderLines(this.lines, grid, density);

    let peak = 0;
    for (let i = 0; i < density.length; i++) if (density[i] > peak) peak = density[i];

    const p = this.patternParameters;
    p.fill(0);
    p[0] = zeroShift;
    p[1] = displacement;
    p[2] = profile.u;
    p[3] = profile.v;
    p[4] = profile.w;
    p[13] = this.asymmetryA;
    p[15] = profile.x;
    p[16] = profile.y;
    if (!ideal && peak > 0) {
      const c0 = sample(aug.backgroundConstant, random);
      const c1 = sample(aug.backgroundLinear, random);
      const c2 = sample(aug.backgroundQuadratic, random);
      const humpA = sample(aug.humpAmplitude, random);
      const humpC = sample(aug.humpCentreDeg, random);
      const humpW = sample(aug.humpFwhmDeg, random);
      const counts = sample(aug.peakCounts, random);
      const gaussNoise = sample(aug.gaussianNoise, random);
      const air = sample(aug.airScatter, random);
      p[14] = air;
      p[5] = c0; p[6] = c1; p[7] = c2; p[8] = humpA; p[9] = humpC; p[10] = humpW; p[11] = counts; p[12] = gaussNoise;

      const span = grid.max - grid.min;
      const step = (grid.max - grid.min) / (grid.points - 1);
      // The hump exp(−k(2θ−c)²) by recurrence along the grid: two multiplications a point
      // instead of an exp (g[i+1] = g[i]·r[i], r[i+1] = r[i]·exp(−2kΔ²)). Only within
      // HUMP_REACH widths of its centre: started far out, a narrow hump's first value underflows
      // to 0 and its ratio overflows to ∞, and 0·∞ would make the whole pattern NaN.
      const humpK = (4 * Math.LN2) / (humpW * humpW);
      const humpFirst = Math.max(0, Math.ceil((humpC - HUMP_REACH * humpW - grid.min) / step));
      const humpLast = Math.min(density.length - 1, Math.floor((humpC + HUMP_REACH * humpW - grid.min) / step));
      const d0 = grid.min + humpFirst * step - humpC;
      let hump = humpA * Math.exp(-humpK * d0 * d0);
      let ratio = Math.exp(-humpK * (2 * d0 * step + step * step));
      const ratioStep = Math.exp(-2 * humpK * step * step);
      // Scale to counts so the Poisson noise has its physical size: σ = √counts.
      const toCounts = counts / peak;
      random.fillNormalNoise(this.noise, density.length);
      random.fillNormalNoise(this.noise2, density.length);
      const detectorSigma = gaussNoise * counts;
      const xStep = (2 * step) / span;
      for (let i = 0; i < density.length; i++) {
        const x = i * xStep - 1;
        let background = c0 + c1 * x + c2 * x * x + air * this.airShape[i];
        if (i >= humpFirst && i <= humpLast) {
          background += hump;
          hump *= ratio;
          ratio *= ratioStep;
        }
        if (background < 0) background = 0;
        const expected = (density[i] + background * peak) * toCounts;
        density[i] = expected + Math.sqrt(expected > 1 ? expected : 1) * this.noise[i] + detectorSigma * this.noise2[i];
      }
    }
    for (let i = 0; i < density.length; i++) {
      if (!Number.isFinite(density[i])) throw new Error(`a drawn pattern is not finite at grid point ${i} (${describeParameters(this.patternParameters)})`);
    }
    normaliseInto(density, out);
  }

  /** A deviation from the ideal (strain, shifts, B): none in an ideal pattern. */
  private variation(d: Distribution, random: Random): number {
    return this.options.ideal ? 0 : sample(d, random);
  }

  /** A peak-width parameter: an ideal pattern still has widths, at the distribution's centre. */
  private width(d: Distribution, random: Random): number {
    return this.options.ideal ? central(d) : sample(d, random);
  }

  private addPhaseLines(share: PhaseShare, random: Random, instrument: ProfileParameters, zeroShift: number, displacement: number): void {
    const { augmentation: aug, ideal } = this.options;
    const phase = this.options.phases[share.phase];
    const isotropic = this.variation(aug.isotropicStrain, random);
    // Three draws always (the random stream does not depend on the crystal system); axes tied
    // by symmetry take their first axis's draw, so cubic stays cubic and hexagonal keeps a = b.
    const draws = this.strainDraws;
    draws[0] = this.variation(aug.anisotropicStrain, random);
    draws[1] = this.variation(aug.anisotropicStrain, random);
    draws[2] = this.variation(aug.anisotropicStrain, random);
    const size = this.width(aug.crystalliteSizeNm, random);
    const microstrain = this.width(aug.microstrainX, random);
    const textured = !ideal && random.float() < aug.textureProbability;
    const r = textured ? sample(aug.marchDollaseR, random) : 1;
    const axis = textured ? random.int(phase.textureAxes.length) : -1;
    const bFactor = this.variation(aug.debyeWallerB, random);
    const parameters: PhaseLineParameters = {
      isotropicStrain: isotropic,
      strain: [draws[phase.strainAxis[0]], draws[phase.strainAxis[1]], draws[phase.strainAxis[2]]],
      crystalliteSizeNm: size,
      microstrainX: microstrain,
      marchDollaseR: r,
      textureAxis: axis,
      debyeWallerB: bFactor,
    };

    const q = this.phaseParameters;
    const base = share.phase * PHASE_PARAMETERS.length;
    q[base] = isotropic; q[base + 1] = parameters.strain[0]; q[base + 2] = parameters.strain[1]; q[base + 3] = parameters.strain[2];
    q[base + 4] = size; q[base + 5] = microstrain; q[base + 6] = r;
    q[base + 7] = axis >= 0 ? phase.textureAxes[axis][0] : NaN;
    q[base + 8] = axis >= 0 ? phase.textureAxes[axis][1] : NaN;
    q[base + 9] = axis >= 0 ? phase.textureAxes[axis][2] : NaN;
    q[base + 10] = bFactor;
    this.addLinesOf(share, parameters, { profile: instrument, asymmetryA: this.asymmetryA, zeroShiftDeg: zeroShift, displacementMm: displacement });
  }

  /**
   * One phase alone, with every parameter given instead of drawn: its lines at volume fraction
   * `fraction` (scaled as phase-scale.ts says) added to `out`, unnormalised, no background or
   * noise. What a whole-pattern fit (core/decomposition) refines, drawn by the very code that
   * draws the training patterns.
   */
  renderPhase(phase: number, fraction: number, parameters: PhaseLineParameters, instrument: InstrumentState, out: Float64Array): void {
    this.reserveLines([{ phase, fraction }]);
    this.lines.count = 0;
    this.addLinesOf({ phase, fraction }, parameters, instrument);
    renderLines(this.lines, this.options.grid, out);
  }

  private addLinesOf(share: PhaseShare, parameters: PhaseLineParameters, instrumentState: InstrumentState): void {
    const { augmentation: aug, radiation } = this.options;
    const phase = this.options.phases[share.phase];
    const cell = phase.structure.cell;
    const { isotropicStrain: isotropic, strain, crystalliteSizeNm: size, microstrainX: microstrain, marchDollaseR: r, textureAxis: axis, debyeWallerB: bFactor } = parameters;
    const { profile: instrument, asymmetryA, zeroShiftDeg: zeroShift, displacementMm: displacement } = instrumentState;
    const m = reciprocalMetric({
      ...cell,
      a: cell.a * (1 + isotropic) * (1 + strain[0]),
      b: cell.b * (1 + isotropic) * (1 + strain[1]),
      c: cell.c * (1 + isotropic) * (1 + strain[2]),
    });
    // Scherrer: FWHM(rad) = Kλ/(L cosθ) → Y in degrees; L in nm → Å.
    const profile: ProfileParameters = { ...instrument, x: instrument.x + microstrain, y: instrument.y + ((aug.scherrerK * radiation.kalpha1) / (size * 10)) * DEG };
    const weight = phaseScale(share.fraction, phase.volume);
    const cos2 = axis >= 0 ? phase.cos2ByAxis[axis] : undefined;
    const r2 = r * r;
    const invR = 1 / r;
    const shiftFactor = (-2 * displacement) / aug.goniometerRadiusMm;

    const lines = this.lines;
    const hkl = phase.hkl;
    const f2 = phase.structureFactorSquared;
    const wavelengths = radiation.kalpha2 ? [radiation.kalpha1, radiation.kalpha2] : [radiation.kalpha1];
    for (let w = 0; w < wavelengths.length; w++) {
      const lambda = wavelengths[w];
      const lineWeight = w === 0 ? weight : weight * radiation.ratio;
      for (let f = 0; f < phase.familyCount; f++) {
        const familyFirstLine = lines.count;
        for (let i = phase.familyStart[f]; i < phase.familyStart[f + 1]; i++) {
          const h = hkl[3 * i];
          const k = hkl[3 * i + 1];
          const l = hkl[3 * i + 2];
          const g2 = m[0] * h * h + m[1] * k * k + m[2] * l * l + 2 * (m[3] * h * k + m[4] * h * l + m[5] * k * l);
          const sinTheta = (lambda * Math.sqrt(g2)) / 2;
          if (sinTheta >= 1) continue;
          let intensity = f2[i] * lineWeight;
          if (bFactor) intensity *= Math.exp(-0.5 * bFactor * g2); // exp(−2B s²), s² = g²/4
          if (cos2) {
            // March–Dollase: (r² cos²α + sin²α / r)^(−3/2) for this very reflection.
            const c = cos2[i];
            const t = r2 * c + (1 - c) * invR;
            intensity /= t * Math.sqrt(t);
          }
          const theta = Math.asin(sinTheta);
          // Lorentz–polarisation at the Bragg angle itself (before instrumental shifts).
          const cos2t = 1 - 2 * sinTheta * sinTheta;
          intensity *= (1 + cos2t * cos2t) / (sinTheta * sinTheta * Math.cos(theta));
          const twoTheta = 2 * theta * DEG + zeroShift + shiftFactor * Math.cos(theta) * DEG;
          // Merge with a line of this family at the same position (all of them when unsplit).
          let merged = false;
          for (let j = familyFirstLine; j < lines.count; j++) {
            if (Math.abs(lines.position[j] - twoTheta) < 1e-4) {
              lines.area[j] += intensity;
              merged = true;
              break;
            }
          }
          if (!merged) {
            const j = lines.count++;
            lines.position[j] = twoTheta;
            lines.area[j] = intensity;
          }
        }
        for (let j = familyFirstLine; j < lines.count; j++) {
          const twoTheta = lines.position[j];
          const { fwhm, eta } = tchWidthAndEta(gaussianFwhm(profile, twoTheta), lorentzianFwhm(profile, twoTheta));
          lines.fwhm[j] = fwhm;
          lines.eta[j] = eta;
          lines.asymmetry[j] = axialSplit(asymmetryA, twoTheta);
        }
      }
    }
  }
}

/** Half-width of the amorphous hump that is drawn, in FWHMs: beyond 3 it is below 10⁻¹⁰ of its height. */
const HUMP_REACH = 3;

function describeParameters(values: Float64Array | Float32Array): string {
  return PATTERN_PARAMETERS.map((name, i) => `${name} ${values[i]}`).join(', ');
}

/** Min–max normalisation to [0, 1] (a flat pattern becomes all zeros). */
export function normaliseInto(values: Float64Array, out: Float32Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  const range = max - min;
  if (!(range > 0)) {
    out.fill(0);
    return;
  }
  const inv = 1 / range;
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - min) * inv;
}
