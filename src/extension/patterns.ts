// From a pattern file (or a simulated pattern) to what a plot needs: the pattern scaled for
// display and, when a model is active, the model's view of it.
import type { MeasuredPattern } from '../core/formats';
import type { PatternScore } from '../core/model/score';
import type { PreparedPattern } from '../core/preprocess/prepare';
import type { Grid } from '../core/diffraction/render';
import type { PatternPayload, ScorePayload, SeriesPayload } from '../protocol/webview';
import type { ModelService } from './model-service';

const round = (v: number) => Math.round(v * 1e5) / 1e5;

export function gridSeries(grid: Grid, values: ArrayLike<number>): SeriesPayload {
  const step = (grid.max - grid.min) / (grid.points - 1);
  return { twoTheta: Array.from({ length: grid.points }, (_, i) => round(grid.min + i * step)), values: Array.from(values, round) };
}

/** The measured pattern as a plot series, scaled to [0, 1] (min → 0, max → 1). */
export function measuredSeries(measured: MeasuredPattern): SeriesPayload {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of measured.intensity) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  return { twoTheta: Array.from(measured.twoTheta, round), values: Array.from(measured.intensity, (v) => round((v - lo) / span)) };
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
export async function patternPayload(title: string, measured: MeasuredPattern, models: ModelService): Promise<PatternPayload> {
  const payload: PatternPayload = { title, measured: measuredSeries(measured) };
  const active = models.current ?? (await models.refresh());
  if (!active) {
    payload.modelNote = 'No model yet: train one (Latent XRD: Train Model) to see its reconstruction and a novelty score.';
    return payload;
  }
  if (active.manifest.kind === 'cvae') {
    payload.modelNote = `${active.name} is a conditional model: it needs a composition for each pattern (collections carry them).`;
    return payload;
  }
  const engine = await models.scorer();
  if (!engine) return payload;
  const { score, prepared, reconstruction } = engine.scorer.scoreMeasured(measured);
  const grid = active.manifest.grid;
  payload.model = {
    name: active.name,
    prepared: gridSeries(grid, prepared.pattern),
    reconstruction: Array.from(reconstruction, round),
    score: scorePayload(score, prepared),
  };
  return payload;
}
