// Which of the fitted phases a decomposition calls present. A fit puts a little of every phase
// into a pattern (a line of one lands on the noise or the flank of another's); a phase is present
// when both
//   - its weight fraction among the phases the fit kept is at least `minWeightFraction`, and
//   - the fit is clearly worse without it: leaving it out (all else as fitted) raises the residual
//     sum of squares by at least `minSignificance` times the fit's own (the share of the misfit
//     it removes, so a fit that is rough everywhere needs a phase to explain more).
//
// How the values were chosen: on synthetic selection data only (scripts/select-decomposition-
// thresholds.ts): patterns drawn by the generator with its default augmentation from the eight
// XRD-AutoAnalyzer phases (test/fixtures/xrd-autoanalyzer/cif), one to three phases each with
// weight fractions as training mixtures draw them (down to 2 wt %), seeds apart from the tests'
// and from the residual calibration's; every pattern fitted against all eight; the pair with the
// largest share of exactly right phase sets over a grid of candidates (ties: the larger values,
// the more cautious call). Never on the measured spectra that `bench measured` judges it by.
// The run (120 patterns, seed 271828): 79.2 % of the phase sets exactly right at 0 wt % and 0.2,
// so the weight fraction adds nothing the significance does not already say (2 or 0.5 wt %: 78.3 %;
// 0.3 instead of 0.2: 76.7–77.5 %; 0.1: 76.7 %). Present phases' significance: median 93, 5th
// percentile 0.008 (traces at 2–5 wt %, LiF above all, sink into the noise); absent phases':
// median 0.0002, 95th percentile 0.08, 99th 0.52. Of the 35 wrong calls, 18 are phases missed,
// nearly all minor ones, and 17 phases called present that were not.

export interface PresenceThresholds {
  minWeightFraction: number;
  minSignificance: number;
}

export const PRESENCE_THRESHOLDS: Readonly<PresenceThresholds> = Object.freeze({ minWeightFraction: 0, minSignificance: 0.2 });

/** The presence call for each phase from its weight fraction among the kept phases and its significance. */
export function presentPhases(weightFractions: ArrayLike<number>, significance: ArrayLike<number>, thresholds: PresenceThresholds = PRESENCE_THRESHOLDS): boolean[] {
  return Array.from({ length: weightFractions.length }, (_, p) => weightFractions[p] >= thresholds.minWeightFraction && significance[p] >= thresholds.minSignificance);
}
