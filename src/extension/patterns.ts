// From a pattern file (or a simulated pattern) to what a plot needs: the pattern scaled for
// display and, when a model is active, the model's view of it.
import type { MeasuredPattern } from '../core/formats';
import type { PatternScore } from '../core/model/score';
import type { PreparedPattern } from '../core/preprocess/prepare';
import type { Grid } from '../core/diffraction/render';
import type { PatternPayload, ScorePayload, SeriesPayload } from '../protocol/webview';
import type { ModelService } from './model-service';
import { preprocessOptions } from './preprocess-settings';
import { scoreWithComposition } from '../core/library/score';
import { UserError } from '../core/diagnostics';

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

/** The measured pattern as a plot series, scaled to [0, 1] (min → 0, max → 1). */
export function measuredSeries(measured: MeasuredPattern, scale = displayScale(measured)): SeriesPayload {
  return { twoTheta: Array.from(measured.twoTheta, round), values: Array.from(measured.intensity, scale) };
}

/** What the file's header says, for the header line: format, wavelength and a few header values. */
function fileFacts(measured: MeasuredPattern): Pick<PatternPayload, 'format' | 'wavelength' | 'fileMeta'> {
  const meta = Object.entries(measured.meta ?? {})
    .filter(([, v]) => String(v).length <= 120)
    .slice(0, 24)
    .map(([k, v]) => [k, String(v)] as [string, string]);
  return { format: measured.format, wavelength: measured.wavelength, fileMeta: meta.length ? meta : undefined };
}

export function scorePayload(score: PatternScore, prepared: PreparedPattern): ScorePayload {
  return {
    latent: score.latent,
    bce: score.bce,
    bceExcess: score.bceExcess,
    mse: score.mse,
    pValue: score.pValue,
    verdict: score.verdict,
    nearestPhase: score.nearestPhase,
    coverage: prepared.coverage,
    steps: prepared.steps,
  };
}

/** Scores a pattern with the active model (loading it if needed) and builds the plot payload. */
export async function patternPayload(title: string, measured: MeasuredPattern, models: ModelService, composition?: Record<string, number>): Promise<PatternPayload> {
  const scale = displayScale(measured);
  const payload: PatternPayload = { title, measured: measuredSeries(measured, scale), ...fileFacts(measured) };
  const active = models.current ?? (await models.refresh());
  if (!active) {
    payload.modelNote = 'No model yet: train one (Latent XRD: Train Model) to see its reconstruction and a novelty score.';
    return payload;
  }
  if (active.manifest.kind === 'cvae' && !composition) {
    payload.modelNote = `${active.name} is a conditional model: it needs a composition for each pattern (the samples of an .xrd library carry them).`;
    return payload;
  }
  const engine = await models.scorer();
  if (!engine) return payload;
  let scored: ReturnType<typeof scoreWithComposition>;
  try {
    scored = scoreWithComposition(engine.scorer, measured, composition, preprocessOptions(), title);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    payload.modelNote = e.message;
    return payload;
  }
  const { score, prepared, reconstruction } = scored;
  const grid = active.manifest.grid;
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
    name: active.name,
    prepared: gridSeries(grid, prepared.pattern),
    reconstruction: Array.from(reconstruction, round),
    score: scorePayload(score, prepared),
    background,
  };
  return payload;
}
