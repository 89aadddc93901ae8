// The calibrated instrument's parameters: one list for the fit (calibrate.ts), the config
// section (section.ts) and its schema.

/** A laboratory instrument's profile, as `latent-xrd calibrate` fits it and `instrument` in latent-xrd.json holds it. */
export interface InstrumentProfile {
  /** Caglioti U, V, W in deg²: Gaussian FWHM² = U·tan²θ + V·tanθ + W. */
  cagliotiU: number;
  cagliotiV: number;
  cagliotiW: number;
  /** Instrumental Lorentzian X (deg, × tanθ) and Y (deg, ÷ cosθ). */
  lorentzianX: number;
  lorentzianY: number;
  /** Zero shift of the 2θ scale (deg): lines sit at 2θ_Bragg + zero. */
  zeroShiftDeg: number;
  /** Axial-divergence asymmetry A (profile.ts, axialSplit). */
  axialAsymmetry: number;
}

export const INSTRUMENT_PROFILE_KEYS = ['cagliotiU', 'cagliotiV', 'cagliotiW', 'lorentzianX', 'lorentzianY', 'zeroShiftDeg', 'axialAsymmetry'] as const;

/** The largest zero shift a calibration searches and a config may hold (deg). */
export const MAX_ZERO_SHIFT_DEG = 1;
