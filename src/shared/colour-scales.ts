// The colours of every map, in one place: how a map may colour its points, the phase palette,
// and the sequential scales (error, p-value, 2θ) with their legends and ticks. The latent map
// and the library map draw from these on screen (webview) and in their SVG figures
// (core/report), so a colour means the same thing wherever it is seen.
import { scaleLinear, scaleSequential, scaleSequentialLog } from 'd3-scale';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';

/** How a map may colour its points: one list for every map (each offers the ones its data has), for the types and the message checks. */
export const MAP_COLOURINGS = ['error', 'pValue', 'phase', 'twoTheta'] as const;
export type MapColouring = (typeof MAP_COLOURINGS)[number];

/** One colour per phase, by the phase's index in the model's list (ten, then round again). */
export const PHASE_COLOURS: readonly string[] = schemeTableau10;
/** A point or cell that belongs to no phase (a mixture, an empty grid). */
export const NO_PHASE_COLOUR = '#999999';
/** How a novel sample is marked in print (on screen the theme's red). */
export const NOVEL_COLOUR = '#d62728';

export function phaseColour(index: number): string {
  return Number.isInteger(index) && index >= 0 ? PHASE_COLOURS[index % PHASE_COLOURS.length] : NO_PHASE_COLOUR;
}

/**
 * Excess BCE below this is drawn as this. The excess BCE is a KL divergence (≥ 0) computed in
 * float32 from BCEs of order 0.1–1, whose rounding alone is ~1e-7: below 1e-6 a difference is
 * arithmetic, not the model. (The SVG figures once floored at 1e-12, so one numerically-zero
 * error stretched their scale over six empty decades and squeezed every real error into one colour.)
 */
export const ERROR_FLOOR = 1e-6;
/** p-values below this take its colour: 1e-4 is already far past any threshold a user sets. */
export const P_VALUE_FLOOR = 1e-4;

export interface ScaleLegend {
  kind: 'scale';
  label: string;
  domain: [number, number];
  log: boolean;
  /** Colour at t ∈ [0, 1] along the bar. */
  colour: (t: number) => string;
  /** Values to label on the bar: decades on a log scale (the ends when it spans less than two). */
  ticks: number[];
  /** A value singled out on the bar (the error threshold: novel above it). */
  mark?: { value: number; label: string };
}

export interface CategoryLegend {
  kind: 'categories';
  entries: { label: string; colour: string }[];
}

export type MapLegend = ScaleLegend | CategoryLegend;

export interface ColourScale {
  legend: ScaleLegend;
  /** The colour of a value (clamped to the domain). */
  of: (value: number) => string;
}

/** A viridis scale over `domain`, logarithmic or linear. */
export function sequentialScale(label: string, domain: [number, number], log: boolean): ColourScale {
  const [lo, hi] = domain;
  if (log) {
    const scale = scaleSequentialLog(interpolateViridis).domain(domain).clamp(true);
    const decades: number[] = [];
    for (let e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) decades.push(10 ** e);
    return { legend: { kind: 'scale', label, domain, log, colour: interpolateViridis, ticks: decades.length >= 2 ? decades : [lo, hi] }, of: (v) => scale(v) };
  }
  const scale = scaleSequential(interpolateViridis).domain(domain).clamp(true);
  return { legend: { kind: 'scale', label, domain, log, colour: interpolateViridis, ticks: scaleLinear().domain(domain).ticks(5) }, of: (v) => scale(v) };
}

/**
 * Excess BCE spans decades between known and novel patterns: a log scale shows both. The domain
 * covers the (floored) values and, when one is given, the threshold, so that the colours read
 * against it ("novel above") even when every value is on one side of it — the training points
 * of a latent map all are. Without values: one decade from the floor.
 */
export function errorScale(values: ArrayLike<number | undefined>, threshold?: number, label = 'reconstruction error (excess BCE)'): ColourScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || !Number.isFinite(v)) continue;
    lo = Math.min(lo, Math.max(v, ERROR_FLOOR));
    hi = Math.max(hi, Math.max(v, ERROR_FLOOR));
  }
  if (threshold !== undefined && Number.isFinite(threshold) && threshold > 0) {
    lo = Math.min(lo, threshold);
    hi = Math.max(hi, threshold);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [1, 10];
  if (hi <= lo) hi = lo * 10;
  const scale = sequentialScale(label, [lo, hi], true);
  if (threshold !== undefined && Number.isFinite(threshold) && threshold > 0) scale.legend.mark = { value: threshold, label: 'novel above' };
  return { legend: scale.legend, of: (v) => scale.of(Math.max(v, ERROR_FLOOR)) };
}

export function pValueScale(): ColourScale {
  const scale = sequentialScale('p-value', [P_VALUE_FLOOR, 1], true);
  return { legend: scale.legend, of: (p) => scale.of(Math.max(p, P_VALUE_FLOOR)) };
}

/** A linear viridis scale over the finite values' range (2θ of the strongest peak). */
export function linearScale(values: ArrayLike<number>, label: string): ColourScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  return sequentialScale(label, [lo, hi], false);
}

/** A tick value as the legends print it: plain for everyday sizes, 1e-3 style beyond. */
export function tickLabel(t: number): string {
  return t !== 0 && (Math.abs(t) >= 1e4 || Math.abs(t) < 1e-2) ? t.toExponential(0) : String(+t.toPrecision(3));
}
