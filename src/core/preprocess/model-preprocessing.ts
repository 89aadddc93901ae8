// One preprocessing for a model's whole life. What is done to a measured pattern before it is
// scored (Kα2 stripping, background subtraction, scaling) is done to every synthetic pattern
// the model is trained, validated and calibrated on, and recorded in the model's manifest; every
// scorer then applies exactly that record. A pattern scored any other way would be compared with
// calibration errors of patterns that were not prepared like it, and its p-value would mean
// nothing (a model calibrated on patterns that keep their background calls background-
// subtracted patterns of its own phases novel several times too often).
import { UserError } from '../diagnostics';
import { gridStep, type Grid } from '../diffraction/render';
import { subtractBackground } from './background';
import { stripKAlpha2, type KAlpha2Lines } from './kalpha2';
import { normaliseMinMax } from './normalise';
import { CU_KALPHA1, resolvePreprocessOptions, type BackgroundMethod, type PreprocessOptions, type ResolvedPreprocessOptions } from './options';

/** The preprocessing a model was trained with: every option but the wavelength (the manifest has that). */
export type ModelPreprocessing = Omit<ResolvedPreprocessOptions, 'modelWavelength'>;

/** The user's choice (a training config's `preprocessing`), defaults filled in and every number checked. */
export function modelPreprocessing(options: PreprocessOptions = {}): ModelPreprocessing {
  const { modelWavelength: _, ...rest } = resolvePreprocessOptions(options);
  return rest;
}

/** One line a person reads: "background: als (λ = 1e6, p = 0.01), Kα2 kept". */
export function describePreprocessing(p: ModelPreprocessing): string {
  const parameters: Record<BackgroundMethod, string> = {
    als: ` (λ = ${p.als.lambda.toExponential(0)}, p = ${p.als.p}, ${p.als.iterations} rounds)`,
    'rolling-ball': ` (half-width ${p.rollingBall.halfWidthDeg}°, smoothed ±${p.rollingBall.smoothHalfWidthDeg}°)`,
    polynomial: ` (degree ${p.polynomial.degree}, ${p.polynomial.iterations} rounds)`,
    none: '',
  };
  return `background: ${p.background}${parameters[p.background]}, Kα2 ${p.stripKAlpha2 ? 'stripped' : 'kept'}`;
}

/**
 * The options a measured pattern is prepared with for a model: the model's recorded
 * preprocessing, with any option the user asked for that would prepare it differently refused
 * (a UserError naming the option, the two values and `where` the request came from). A model
 * saved before preprocessing was recorded (`recorded` undefined) takes the user's options.
 */
export function scoringPreprocessOptions(
  recorded: ModelPreprocessing | undefined,
  requested: PreprocessOptions,
  modelWavelength: number | undefined,
  where = 'the scoring options',
): PreprocessOptions {
  if (!recorded) return { modelWavelength, ...requested };
  const differences: string[] = [];
  if (requested.background !== undefined && requested.background !== recorded.background) {
    differences.push(`background ${requested.background} (the model's training patterns: ${recorded.background})`);
  }
  if (requested.stripKAlpha2 !== undefined && requested.stripKAlpha2 !== recorded.stripKAlpha2) {
    differences.push(`Kα2 ${requested.stripKAlpha2 ? 'stripped' : 'kept'} (the model's training patterns: ${recorded.stripKAlpha2 ? 'stripped' : 'kept'})`);
  }
  for (const group of ['als', 'rollingBall', 'polynomial'] as const) {
    const asked = requested[group] as Record<string, number> | undefined;
    const own = recorded[group] as unknown as Record<string, number>;
    for (const [key, value] of Object.entries(asked ?? {})) {
      if (value !== undefined && value !== own[key]) differences.push(`${group}.${key} ${value} (the model's training patterns: ${own[key]})`);
    }
  }
  if (differences.length) {
    throw new UserError(
      `${where} ask for ${differences.join('; ')}: a pattern prepared differently from the model's training and calibration patterns ` +
        `has no meaningful p-value. The model was trained with ${describePreprocessing(recorded)}; leave the option out, or train a model with ` +
        'that preprocessing (training.preprocessing in latent-xrd.json)',
    );
  }
  return { ...recorded, modelWavelength };
}

/**
 * Patterns already on the model's grid (rows of `patterns`, `count` of them) prepared in place as
 * a measured pattern is after resampling: Kα2 stripped when the record says so (with `lines`, the
 * radiation they were simulated with), background subtracted over the whole grid, scaled to
 * [0, 1]. A row left flat by the subtraction is refused with its index: it would train the model
 * on a pattern of zeros.
 */
export function preprocessGridPatterns(
  patterns: Float32Array,
  count: number,
  grid: Grid,
  preprocessing: ModelPreprocessing,
  lines: KAlpha2Lines | undefined,
  rowName: (row: number) => string = (row) => `pattern ${row + 1}`,
): void {
  const m = grid.points;
  if (patterns.length < count * m) throw new Error(`expected ${count} patterns of ${m} points`);
  if (preprocessing.stripKAlpha2 && !lines) throw new UserError('preprocessing.stripKAlpha2: the patterns were simulated with a single line (no Kα2) — there is nothing to strip');
  // The wavelength plays no part on the grid (no conversion here); the record asks for one.
  const options: ResolvedPreprocessOptions = { ...preprocessing, modelWavelength: lines?.kalpha1 ?? CU_KALPHA1 };
  const step = gridStep(grid);
  const twoTheta = new Float64Array(m);
  for (let i = 0; i < m; i++) twoTheta[i] = grid.min + i * step;
  const values = new Float64Array(m);
  const stripped = new Float64Array(m);
  const background = new Float64Array(m);
  for (let row = 0; row < count; row++) {
    const pattern = patterns.subarray(row * m, (row + 1) * m);
    for (let i = 0; i < m; i++) values[i] = pattern[i];
    const working = preprocessing.stripKAlpha2 ? stripKAlpha2(twoTheta, values, lines!, stripped) : values;
    subtractBackground(working, 0, m - 1, step, options, background);
    const { min, max } = normaliseMinMax(working, pattern);
    if (!(max > min)) throw new UserError(`${rowName(row)}: flat after the background was subtracted (${describePreprocessing(preprocessing)}); it cannot be trained on`);
  }
}
