// Every preprocessing choice in one place, with the defaults scoring uses when none are given.
import { UserError } from '../diagnostics';
import { quoteForMessage } from '../formats/located';
import { KALPHA_DOUBLETS, implausibleWavelength } from '../diffraction/wavelengths';

export type BackgroundMethod = 'als' | 'rolling-ball' | 'polynomial' | 'none';
export const BACKGROUND_METHODS: readonly BackgroundMethod[] = ['als', 'rolling-ball', 'polynomial', 'none'];

export interface AlsOptions {
  /** Smoothness λ of the Whittaker smoother, for points of the model's grid (Eilers: 10²–10⁹). */
  lambda: number;
  /** Weight of points above the baseline (peaks); 1 − p below. */
  p: number;
  iterations: number;
}

export interface RollingBallOptions {
  /** Half-width (degrees 2θ) of the flat "ball": wider than any peak, narrower than the background's bends. */
  halfWidthDeg: number;
  /** Half-width (degrees 2θ) of the moving average that rounds off the ball's flat steps. */
  smoothHalfWidthDeg: number;
}

export interface PolynomialOptions {
  /** 4 as in Banko et al. (2021). */
  degree: number;
  /** Rounds of "fit, then clip the data down to the fit" (Lieber & Mahadevan-Jansen's modified polyfit). */
  iterations: number;
}

export interface PreprocessOptions {
  background?: BackgroundMethod;
  als?: Partial<AlsOptions>;
  rollingBall?: Partial<RollingBallOptions>;
  polynomial?: Partial<PolynomialOptions>;
  /** Remove the Kα2 contribution (Rachinger). Off by default: the default training radiation has Kα2 too. */
  stripKAlpha2?: boolean;
  /** Kα1 wavelength (Å) the model was trained at; the manifest's, else Cu Kα1. */
  modelWavelength?: number;
}

export interface ResolvedPreprocessOptions {
  background: BackgroundMethod;
  als: AlsOptions;
  rollingBall: RollingBallOptions;
  polynomial: PolynomialOptions;
  stripKAlpha2: boolean;
  modelWavelength: number;
}

export const CU_KALPHA1 = KALPHA_DOUBLETS.Cu.kalpha1;

/**
 * ALS by default: it follows humps and slopes without a model of their shape, and leaves a
 * pattern without background essentially as it is (the test suite checks both).
 */
export const DEFAULT_PREPROCESS_OPTIONS: Readonly<ResolvedPreprocessOptions> = Object.freeze({
  background: 'als',
  als: { lambda: 1e6, p: 0.01, iterations: 10 },
  rollingBall: { halfWidthDeg: 2, smoothHalfWidthDeg: 1 },
  polynomial: { degree: 4, iterations: 100 },
  stripKAlpha2: false,
  modelWavelength: CU_KALPHA1,
});

/**
 * The range each numeric option may take: wide enough for any sensible choice, narrow enough that
 * every loop it sets ends and no sum overflows. The polynomial's powers of x on [−1, 1] make an
 * ill-conditioned normal matrix past degree 8 (the paper uses 4); ALS's λ beyond 1e12 is a
 * straight line on any grid (Eilers: 10²–10⁹).
 */
const OPTION_LIMITS: Record<string, { min: number; max: number; integer?: boolean; open?: boolean }> = {
  'als.lambda': { min: 0, max: 1e12, open: true },
  'als.p': { min: 0, max: 1, open: true },
  'als.iterations': { min: 1, max: 1000, integer: true },
  'rollingBall.halfWidthDeg': { min: 0, max: 180, open: true },
  'rollingBall.smoothHalfWidthDeg': { min: 0, max: 180 },
  'polynomial.degree': { min: 0, max: 8, integer: true },
  'polynomial.iterations': { min: 1, max: 10000, integer: true },
};

export function resolvePreprocessOptions(options: PreprocessOptions = {}): ResolvedPreprocessOptions {
  const d = DEFAULT_PREPROCESS_OPTIONS;
  const resolved: ResolvedPreprocessOptions = {
    background: options.background ?? d.background,
    als: { ...d.als, ...options.als },
    rollingBall: { ...d.rollingBall, ...options.rollingBall },
    polynomial: { ...d.polynomial, ...options.polynomial },
    stripKAlpha2: options.stripKAlpha2 ?? d.stripKAlpha2,
    modelWavelength: options.modelWavelength ?? d.modelWavelength,
  };
  if (!BACKGROUND_METHODS.includes(resolved.background)) throw new UserError(`preprocessing option background: must be one of ${BACKGROUND_METHODS.join(', ')}`);
  for (const [key, limit] of Object.entries(OPTION_LIMITS)) {
    const [group, name] = key.split('.') as ['als' | 'rollingBall' | 'polynomial', string];
    const v = (resolved[group] as unknown as Record<string, unknown>)[name];
    const inside = typeof v === 'number' && (limit.open ? v > limit.min && v < limit.max : v >= limit.min && v <= limit.max) && (!limit.integer || Number.isInteger(v));
    if (!inside) {
      const bounds = limit.open ? `between ${limit.min} and ${limit.max} (exclusive)` : `from ${limit.min} to ${limit.max}`;
      throw new UserError(`preprocessing option ${key}: ${typeof v === 'number' ? v : quoteForMessage(String(v))} is not ${limit.integer ? 'a whole number' : 'a number'} ${bounds}`);
    }
  }
  const problem = implausibleWavelength(resolved.modelWavelength);
  if (problem) throw new UserError(`the model's wavelength: ${problem}`);
  return resolved;
}
