// What is done to a measured pattern before a model sees it, each step recorded so the user can
// see it: Kα2 stripping (optional), wavelength conversion to the model's, area-conserving
// resampling onto the model's 2θ grid, background subtraction, filling the unmeasured part of
// the grid, and scaling to [0, 1] as the training data. A pattern that cannot be scored (a
// non-finite or impossible number, too little data in the model's range, nothing but a constant)
// is refused with the reason, never turned into a pattern of zeros or NaN.
import { UserError } from '../diagnostics';
import { gridStep, type Grid } from '../diffraction/render';
import type { MeasuredPattern } from '../formats/pattern';
import { resolvePreprocessOptions, type PreprocessOptions, type ResolvedPreprocessOptions } from './options';
import { deg, range, type PreprocessStep } from './steps';
import { kAlpha2LinesFor, stripKAlpha2 } from './kalpha2';
import { convertWavelength, largestShift } from './wavelength';
import { resampleConservingArea } from './resample';
import { subtractBackground } from './background';
import { normaliseMinMax } from './normalise';
import { checkMeasured, intensityExponent, requireUsableData, timesPowerOfTwo } from './input';

export type { PreprocessOptions, ResolvedPreprocessOptions } from './options';
export type { PreprocessStep, PreprocessStepKind } from './steps';
export { DEFAULT_PREPROCESS_OPTIONS, BACKGROUND_METHODS, type BackgroundMethod } from './options';

export interface PreparedPattern {
  /** On the model's grid, scaled to [0, 1]. */
  pattern: Float32Array;
  /** Fraction of the model's 2θ range the measurement covers. */
  coverage: number;
  /** One sentence per step, in the order they were done (the `detail` of each operation). */
  steps: string[];
  /** The same steps as data: kind, sentence, parameters. */
  operations?: PreprocessStep[];
  /** The background that was subtracted, on the model's grid in the units of `pattern` (0 where unmeasured). */
  background?: Float32Array;
  /** Grid indices first..last lie inside the measurement (first > last: none). */
  covered?: { first: number; last: number };
  /** The options in force, defaults filled in. */
  options?: ResolvedPreprocessOptions;
}

export function prepareForModel(measured: MeasuredPattern, grid: Grid, options: PreprocessOptions = {}): PreparedPattern {
  const opts = resolvePreprocessOptions(options);
  checkMeasured(measured);
  const operations: PreprocessStep[] = [];
  let twoTheta = measured.twoTheta;
  // Intensities in units of a power of two near the largest (input.ts: exact, and no overflow).
  const exponent = intensityExponent(measured.intensity);
  let intensity: Float64Array = Float64Array.from(measured.intensity, (v) => timesPowerOfTwo(v, -exponent));
  /** A value of the working units back in the file's, for the record; undefined past double range. */
  const inFileUnits = (v: number): number | undefined => {
    const u = timesPowerOfTwo(v, exponent);
    return Number.isFinite(u) ? u : undefined;
  };
  const measuredPoints = twoTheta.length;
  const modelWavelength = opts.modelWavelength;
  const wavelength = measured.wavelength;

  if (opts.stripKAlpha2) operations.push(stripDoublet(measured, intensity, opts, (stripped) => (intensity = stripped)));

  // Wavelength: a reflection keeps its d-spacing, so its 2θ moves with λ.
  if (wavelength === undefined) {
    operations.push({
      step: 'wavelength',
      detail: `no wavelength in the file: assumed the model's (${modelWavelength} Å), 2θ kept`,
      parameters: { assumed: true, wavelength: modelWavelength, modelWavelength },
    });
  } else {
    const shift = largestShift(grid.min, grid.max, wavelength, modelWavelength);
    if (shift < 0.01 * gridStep(grid)) {
      operations.push({
        step: 'wavelength',
        detail: `measured at ${wavelength} Å, the model's wavelength (${modelWavelength} Å; 2θ would move < ${(0.01 * gridStep(grid)).toPrecision(1)}°): 2θ kept`,
        parameters: { assumed: false, wavelength, modelWavelength, largestShiftDeg: shift },
      });
    } else {
      const converted = convertWavelength(twoTheta, intensity, wavelength, modelWavelength);
      const lastKept = converted.twoTheta.length ? twoTheta[converted.twoTheta.length - 1] : NaN;
      twoTheta = converted.twoTheta;
      intensity = converted.intensity;
      const dropped = converted.dropped
        ? `; ${converted.dropped} points above ${deg(lastKept)} (d < ${converted.droppedBelowD.toFixed(4)} Å) would lie beyond 2θ = 180° and were dropped`
        : '';
      operations.push({
        step: 'wavelength',
        detail: `2θ converted from ${wavelength} Å to the model's ${modelWavelength} Å through Q = 4π sinθ/λ (shifts up to ${shift.toFixed(3)}° in the model's range)${dropped}`,
        parameters: { assumed: false, wavelength, modelWavelength, largestShiftDeg: shift, droppedPoints: converted.dropped },
      });
    }
  }

  requireUsableData(twoTheta, intensity, grid, twoTheta !== measured.twoTheta);

  // Resample onto the model's grid, keeping peak areas.
  const n = twoTheta.length;
  const m = grid.points;
  const step = gridStep(grid);
  const sameGrid = n === m && Math.abs(twoTheta[0] - grid.min) < 1e-6 && Math.abs(twoTheta[n - 1] - grid.max) < 1e-6;
  let values: Float64Array;
  let first: number;
  let last: number;
  let coverage: number;
  if (sameGrid) {
    values = Float64Array.from(intensity);
    first = 0;
    last = m - 1;
    coverage = 1;
    operations.push({ step: 'resample', detail: `on the model's grid already (${m} points, ${range(grid.min, grid.max)})`, parameters: { method: 'none', points: m, coverage } });
  } else {
    ({ values, first, last, coverage } = resampleConservingArea(twoTheta, intensity, grid));
    const from = n ? `${n} points (${deg(twoTheta[0])}–${deg(twoTheta[n - 1])})` : 'no points';
    operations.push({
      step: 'resample',
      detail:
        `resampled ${from} onto ${m} points (${range(grid.min, grid.max)}) by averaging over each grid bin (peak areas kept); ` +
        `covers ${(coverage * 100).toFixed(1)} % of the model's range`,
      parameters: { method: 'bin-average', sourcePoints: n, measuredPoints, points: m, coverage, firstCovered: first, lastCovered: last },
    });
  }

  const background = new Float64Array(m);
  const backgroundStep = subtractBackground(values, first, last, step, opts, background);
  if (typeof backgroundStep.parameters.largestBackground === 'number') {
    const largest = inFileUnits(backgroundStep.parameters.largestBackground);
    if (largest === undefined) delete backgroundStep.parameters.largestBackground;
    else backgroundStep.parameters.largestBackground = largest;
  }
  operations.push(backgroundStep);

  // Outside the measurement there is nothing to show the model; put the background level there.
  if (coverage < 1) {
    let fill = 0;
    let why = 'the level the background was subtracted to';
    if (opts.background === 'none') {
      fill = Infinity;
      for (let i = first; i <= last; i++) fill = Math.min(fill, values[i]);
      if (!Number.isFinite(fill)) fill = 0;
      why = 'the lowest measured intensity';
    }
    const unmeasured = m - (last >= first ? last - first + 1 : 0);
    for (let i = 0; i < first; i++) values[i] = fill;
    for (let i = Math.max(last + 1, 0); i < m; i++) values[i] = fill;
    const where = last < first ? 'all of it' : [first > 0 ? `${range(grid.min, grid.min + (first - 1) * step)}` : '', last < m - 1 ? `${range(grid.min + (last + 1) * step, grid.max)}` : ''].filter(Boolean).join(' and ');
    const fillInFileUnits = inFileUnits(fill);
    operations.push({
      step: 'fill',
      detail: `${unmeasured} grid points outside the measurement (${where}) set to ${fillInFileUnits === undefined ? 'the level' : fillInFileUnits.toPrecision(4)}, ${why}`,
      parameters: fillInFileUnits === undefined ? { points: unmeasured } : { points: unmeasured, value: fillInFileUnits },
    });
  }

  const pattern = new Float32Array(m);
  const { min, max } = normaliseMinMax(values, pattern);
  if (!(max > min)) {
    throw new UserError(`nothing is left to score after the background was subtracted: the pattern is flat in the model's 2θ range (${range(grid.min, grid.max)})`);
  }
  const scale = 1 / (max - min);
  const [minInFileUnits, maxInFileUnits] = [inFileUnits(min), inFileUnits(max)];
  const inRange = minInFileUnits !== undefined && maxInFileUnits !== undefined;
  operations.push({
    step: 'normalise',
    detail: inRange ? `scaled to [0, 1] (min ${minInFileUnits.toPrecision(4)}, max ${maxInFileUnits.toPrecision(4)})` : 'scaled to [0, 1] (its range is beyond double precision in the file\'s units)',
    parameters: inRange ? { min: minInFileUnits, max: maxInFileUnits } : {},
  });
  const scaledBackground = new Float32Array(m);
  for (let i = 0; i < m; i++) scaledBackground[i] = background[i] * scale;
  // Finite input, validated options and working units near 1 leave no way to a NaN; if one
  // appears it is a defect here, and it must not reach the model as if it were data.
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(pattern[i]) || !Number.isFinite(scaledBackground[i])) throw new Error(`preprocessing produced a non-finite value at grid point ${i + 1}`);
  }
  return {
    pattern,
    coverage,
    steps: operations.map((o) => o.detail),
    operations,
    background: scaledBackground,
    covered: { first, last },
    options: opts,
  };
}

/** Kα2 stripping on the measured axis (the doublet's spacing is the measurement's own λ's). */
function stripDoublet(measured: MeasuredPattern, intensity: Float64Array, opts: ResolvedPreprocessOptions, use: (stripped: Float64Array) => void): PreprocessStep {
  if (measured.kAlpha2Ratio === 0) {
    return { step: 'kalpha2', detail: 'Kα2 not stripped: the file says the beam is monochromatic (Kα2 ratio 0)', parameters: { stripped: false } };
  }
  const lines = kAlpha2LinesFor(measured.wavelength ?? opts.modelWavelength, measured.wavelength2, measured.kAlpha2Ratio);
  if (!lines) {
    return {
      step: 'kalpha2',
      detail: `Kα2 not stripped: no Kα2 line known for ${measured.wavelength ?? opts.modelWavelength} Å (the file gives none)`,
      parameters: { stripped: false },
    };
  }
  use(stripKAlpha2(measured.twoTheta, intensity, lines));
  return {
    step: 'kalpha2',
    detail: `Kα2 stripped (Rachinger): Kα1 ${lines.kalpha1} Å, Kα2 ${lines.kalpha2} Å, ratio ${lines.ratio} (${lines.source})`,
    parameters: { stripped: true, kalpha1: lines.kalpha1, kalpha2: lines.kalpha2, ratio: lines.ratio },
  };
}
