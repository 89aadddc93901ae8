// From a pattern file (or a simulated pattern) to what a plot needs: the pattern scaled for
// display and, when a model scored it, the model's view of it. Built in the scoring worker; the
// CIF preview uses `gridSeries` on the host for its ideal patterns.
import type { MeasuredPattern } from '../core/formats';
import type { PatternScore } from '../core/model/score';
import type { Reliability } from '../core/model/reliability';
import { verdictLabel, type ThresholdInForce } from '../core/analysis/verdict';
import type { PreparedPattern } from '../core/preprocess/prepare';
import type { Grid } from '../core/diffraction/render';
import type { PatternPayload, ScorePayload, SeriesPayload } from '../protocol/webview';

const round = (v: number) => Math.round(v * 1e5) / 1e5;

export function gridSeries(grid: Grid, values: ArrayLike<number>): SeriesPayload {
  const step = (grid.max - grid.min) / (grid.points - 1);
  return { twoTheta: Array.from({ length: grid.points }, (_, i) => round(grid.min + i * step)), values: Array.from(values, round) };
}

/** How a measured pattern is scaled for display: min → 0, max → 1. */
function displayScale(measured: MeasuredPattern): (v: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of measured.intensity) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  return (v) => round((v - lo) / span);
}

/** What the file's header says, for the header line: format, wavelength and a few header values. */
function fileFacts(measured: MeasuredPattern): Pick<PatternPayload, 'format' | 'wavelength' | 'fileMeta'> {
  const meta = Object.entries(measured.meta ?? {})
    .filter(([, v]) => String(v).length <= 120)
    .slice(0, 24)
    .map(([k, v]) => [k, String(v)] as [string, string]);
  return { format: measured.format, wavelength: measured.wavelength, fileMeta: meta.length ? meta : undefined };
}

function scorePayload(score: PatternScore, prepared: PreparedPattern, threshold: ThresholdInForce, reliability: Reliability | undefined): ScorePayload {
  return {
    latent: score.latent,
    bce: score.bce,
    bceExcess: score.bceExcess,
    mse: score.mse,
    pValue: score.pValue,
    verdict: score.verdict,
    verdictLabel: verdictLabel(score.verdict, reliability?.reliable),
    threshold: { pThreshold: threshold.pThreshold, description: threshold.description },
    reliability,
    nearestPhase: score.nearestPhase,
    coverage: prepared.coverage,
    ...(score.calibratedOver ? { calibratedOver: score.calibratedOver } : {}),
    steps: prepared.steps,
    ...(score.unexplainedPeaks ? { unexplainedPeaks: score.unexplainedPeaks.map((p) => ({ twoTheta: p.twoTheta, d: p.d, relativeHeight: p.relativeHeight, sigmas: p.sigmas })) } : {}),
  };
}

/** What a model made of a pattern, for the plot. */
export interface ModelView {
  name: string;
  grid: Grid;
  score: PatternScore;
  prepared: PreparedPattern;
  reconstruction: Float32Array;
  threshold: ThresholdInForce;
  /** The model's recorded reliability (absent: not recorded, unknown). */
  reliability?: Reliability;
}

/** The plot payload of a measured pattern (scaled to [0, 1]), with the model's view of it when there is one. */
export function patternPayload(title: string, measured: MeasuredPattern, model?: ModelView): PatternPayload {
  const scale = displayScale(measured);
  const payload: PatternPayload = { title, measured: { twoTheta: Array.from(measured.twoTheta, round), values: Array.from(measured.intensity, scale) }, ...fileFacts(measured) };
  if (!model) return payload;
  const { grid, prepared } = model;
  // The subtracted background is drawn over the data as measured, on the same display scale. It
  // is on the model's 2θ axis: drawn only where that is the measurement's to within 0.05°.
  const shift = (prepared.operations ?? []).find((o) => o.step === 'wavelength')?.parameters.largestShiftDeg;
  const sameAxis = typeof shift !== 'number' || Math.abs(shift) < 0.05;
  // `prepared.background` is in the units of the normalised pattern; back to counts, then as displayed.
  const normalised = (prepared.operations ?? []).find((o) => o.step === 'normalise')?.parameters;
  const countsPerUnit = typeof normalised?.max === 'number' && typeof normalised?.min === 'number' ? normalised.max - normalised.min : undefined;
  const background =
    prepared.background && sameAxis && countsPerUnit
      ? (() => {
          // Only where there was a measurement: outside it the "background" is a fill value.
          const { first, last } = prepared.covered ?? { first: 0, last: grid.points - 1 };
          const series = gridSeries(grid, prepared.background);
          return { twoTheta: series.twoTheta.slice(first, last + 1), values: Array.from(prepared.background.subarray(first, last + 1), (b) => scale(b * countsPerUnit)) };
        })()
      : undefined;
  payload.model = {
    name: model.name,
    prepared: gridSeries(grid, prepared.pattern),
    reconstruction: Array.from(model.reconstruction, round),
    score: scorePayload(model.score, prepared, model.threshold, model.reliability),
    background,
  };
  return payload;
}
