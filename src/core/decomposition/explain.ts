// Explaining a pattern with known phases: the whole-pattern fit (fit.ts) read the way a
// crystallographer reads a quantitative analysis — which phases are there (presence.ts), how much
// of each by weight (weight-fractions.ts), their refined cells, how well the sum fits (Rwp, χ²),
// and what it leaves unexplained: the residual's lines (analysis/unexplained-peaks.ts, the search
// `score` uses on the VAE's reconstruction) and a residual novelty p-value calibrated like the
// VAE's (calibration.ts).
//
// A measured file is prepared on the decomposition's grid by the preparation `score` uses
// (preprocess/prepare.ts), with the background left in (the fit has its own) and Kα2 left in (the
// fit draws the doublet), converted to the candidates' Kα1 when the file states another wavelength.
import type { Grid } from '../diffraction/render';
import type { CellParameters } from '../crystal/types';
import type { MeasuredPattern } from '../formats/pattern';
import type { AugmentationConfig } from '../synth/augmentation';
import type { Radiation } from '../synth/simulator';
import { prepareForModel } from '../preprocess/prepare';
import { findUnexplainedPeaks, residualNoise, type UnexplainedPeak } from '../analysis/unexplained-peaks';
import { noveltyPValues, unexplainedLineSum } from '../analysis/novelty-statistic';
import { Decomposer, type CandidatePhase } from './fit';
import { BACKGROUND_TERMS } from './background';
import { cellMassAndVolume, rietveldScale, weightFractions } from './weight-fractions';
import { PRESENCE_THRESHOLDS, presentPhases, type PresenceThresholds } from './presence';

export interface PhaseExplanation {
  name: string;
  present: boolean;
  /** Weight fraction among the phases called present (0 for the others). */
  weightFraction: number;
  /** Weight fraction among every phase the fit kept, before the presence call. */
  fittedWeightFraction: number;
  /** How much worse the fit is without the phase: Δrss / rss (presence.ts). */
  significance: number;
  /** Rietveld scale S (relative; w ∝ S·Z·M·V). */
  scale: number;
  /** The CIF's cell with the refined strain (Å, degrees). */
  cell: CellParameters;
  /** Relative change of a, b, c from the CIF's cell. */
  strain: [number, number, number];
  crystalliteSizeNm: number;
  microstrainX: number;
  /** March–Dollase preferred orientation, when the fit chose an axis. */
  texture?: { axis: [number, number, number]; marchDollaseR: number };
}

export interface ResidualCalibration {
  /** Rwp of each calibration pattern, ascending. */
  rwp: number[];
  /** Unexplained-line sums of each calibration pattern, ascending. */
  lineSums: number[];
  /** How they were drawn, for the record. */
  source: string;
}

export interface Explanation {
  phases: PhaseExplanation[];
  /** R_wp of the fit of the present phases, unit weights over the covered points: √(Σ(y − fit)² / Σy²). */
  rwp: number;
  /** Σ(y − fit)² / ((N − parameters)·σ²), σ the residual's noise estimated from the residual itself. */
  chi2: number;
  /**
   * The residual's novelty p-value (smaller: more novel), calibrated like the VAE's: against the
   * Rwp and the unexplained-line sums of generator patterns of the candidate phases, fitted alike,
   * Bonferroni's combination of the two (analysis/novelty-statistic.ts). Absent without a calibration.
   */
  residualScore?: number;
  residualPValueRwp?: number;
  residualPValueLines?: number;
  /** Summed relative heights of the unexplained peaks (the line statistic). */
  unexplainedLineSum: number;
  unexplainedPeaks: UnexplainedPeak[];
  zeroShiftDeg: number;
  displacementMm: number;
  /** The pattern and the fit on the covered part of the grid. */
  curves: { twoTheta: Float64Array; observed: Float64Array; fit: Float64Array; background: Float64Array; residual: Float64Array; phases: Float64Array[] };
  seconds: number;
}

export interface ExplainerSetup {
  phases: CandidatePhase[];
  grid: Grid;
  radiation: Radiation;
  augmentation?: AugmentationConfig;
  thresholds?: PresenceThresholds;
}

/** Explains patterns on one grid against one set of candidate phases (build once, explain many). */
export class Explainer {
  readonly decomposer: Decomposer;
  readonly cells: { zm: number; volume: number }[];
  readonly thresholds: PresenceThresholds;
  calibration?: ResidualCalibration;

  constructor(readonly setup: ExplainerSetup) {
    if (!setup.phases.length) throw new Error('decomposition: no candidate phase');
    this.cells = setup.phases.map((p) => cellMassAndVolume(p.structure, p.name));
    this.decomposer = new Decomposer(setup);
    this.thresholds = setup.thresholds ?? PRESENCE_THRESHOLDS;
  }

  /** A measured pattern prepared on the grid (see the top of this file), then explained. */
  explainMeasured(measured: MeasuredPattern): Explanation & { coverage: number; steps: string[] } {
    const prepared = prepareForModel(measured, this.setup.grid, { background: 'none', stripKAlpha2: false, modelWavelength: this.setup.radiation.kalpha1 });
    return { ...this.explain(prepared.pattern, prepared.covered), coverage: prepared.coverage, steps: prepared.steps };
  }

  /** A pattern on the grid (points first..last measured). */
  explain(pattern: ArrayLike<number>, covered?: { first: number; last: number }): Explanation {
    const started = performance.now();
    const { grid, radiation } = this.setup;
    const raw = this.decomposer.fit(pattern, covered);
    const scales = Float64Array.from(raw.volumeScale, (v, p) => rietveldScale(v, this.cells[p].volume));
    const kept = Array.from(raw.volumeScale, (v) => v > 0);
    const fitted = weightFractions(scales, this.cells, kept);
    const significance = Float64Array.from(raw.rssWithout, (r) => (raw.rss > 0 ? (r - raw.rss) / raw.rss : r > 0 ? Infinity : 0));
    const present = presentPhases(fitted, significance, this.thresholds);
    // The fit of the present phases only, refined again from where the full fit left them: what
    // the others covered goes back to the residual, and the present phases take what is theirs.
    const dropped = kept.some((k, p) => k && !present[p]);
    const refit = dropped && present.some(Boolean) ? this.decomposer.fit(pattern, covered, present.map((p) => !p), raw) : raw;
    const final = refit === raw ? raw.resolveWithout(present.map((p) => !p)) : refit;
    const finalScales = Float64Array.from(final.volumeScale, (v, p) => rietveldScale(v, this.cells[p].volume));
    const weights = weightFractions(finalScales, this.cells, present);

    const { first, last } = raw;
    const n = last - first + 1;
    const observed = new Float64Array(n);
    const residual = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      observed[i] = pattern[first + i];
      residual[i] = observed[i] - final.fit[i];
    }
    const rwp = raw.yy > 0 ? Math.sqrt(final.rss / raw.yy) : 0;
    const sigma = residualNoise(residual);
    const freedom = Math.max(1, n - refit.refinedParameters - present.filter(Boolean).length - BACKGROUND_TERMS);
    const chi2 = sigma > 0 ? final.rss / (freedom * sigma * sigma) : Infinity;
    const reconstruction = new Float32Array(grid.points);
    for (let i = 0; i < grid.points; i++) reconstruction[i] = i >= first && i <= last ? final.fit[i - first] : pattern[i];
    const patternOnGrid = pattern instanceof Float32Array ? pattern : Float32Array.from(pattern);
    const unexplainedPeaks = findUnexplainedPeaks({ pattern: patternOnGrid, reconstruction, grid, covered: { first, last }, wavelength: radiation.kalpha1 }).peaks;
    const lineSum = unexplainedLineSum(unexplainedPeaks);
    const pValues = this.calibration ? noveltyPValues({ errors: this.calibration.rwp, lineSums: this.calibration.lineSums }, rwp, lineSum) : undefined;

    const step = (grid.max - grid.min) / (grid.points - 1);
    const phases: PhaseExplanation[] = this.setup.phases.map((phase, p) => {
      const parameters = (present[p] ? refit : raw).phases[p];
      const axis = parameters.textureAxis;
      return {
        name: phase.name,
        present: present[p],
        weightFraction: weights[p],
        fittedWeightFraction: fitted[p],
        significance: significance[p],
        scale: present[p] ? finalScales[p] : scales[p],
        cell: this.decomposer.refinedCell(p, parameters),
        strain: [...parameters.strain] as [number, number, number],
        crystalliteSizeNm: parameters.crystalliteSizeNm,
        microstrainX: parameters.microstrainX,
        ...(axis >= 0 ? { texture: { axis: [...this.decomposer.models[p].textureAxes[axis]] as [number, number, number], marchDollaseR: parameters.marchDollaseR } } : {}),
      };
    });
    return {
      phases,
      rwp,
      chi2,
      ...(pValues ? { residualScore: pValues.pValue, residualPValueRwp: pValues.pValueError, residualPValueLines: pValues.pValueLines } : {}),
      unexplainedLineSum: lineSum,
      unexplainedPeaks,
      zeroShiftDeg: refit.shared.zeroShiftDeg,
      displacementMm: refit.shared.displacementMm,
      curves: {
        twoTheta: Float64Array.from({ length: n }, (_, i) => grid.min + (first + i) * step),
        observed,
        fit: final.fit,
        background: final.background,
        residual,
        phases: final.phaseCurves,
      },
      seconds: (performance.now() - started) / 1000,
    };
  }
}
