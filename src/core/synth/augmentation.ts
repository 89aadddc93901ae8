import type { Distribution } from './distributions';

/**
 * What varies between synthetic patterns, per the parameters a Rietveld refinement would
 * vary (Banko et al. 2021, Methods), with defaults for a laboratory Bragg–Brentano
 * diffractometer with a Cu tube:
 *
 * - strain: lattice parameters scaled by 1+ε (isotropic ±1 %, the spread of lattice
 *   parameters over a composition-spread library) and the lattice parameters the crystal
 *   system leaves free by a further ±0.3 % each (anisotropic: cubic a only; tetragonal,
 *   hexagonal, trigonal a and c; orthorhombic and lower a, b, c; angles kept), so that
 *   symmetry-equivalent reflections never split, as in a symmetric θ–2θ scan (phase.ts);
 * - sample displacement s: Δ2θ = −2s·cosθ/R with R = 240 mm (±0.1 mm), and a zero shift
 *   (±0.05°);
 * - crystallite size L (Scherrer, K = 0.9): 10–200 nm, log-uniform → Lorentzian Y = Kλ/L;
 *   microstrain broadening X (Lorentzian, ∝ tanθ) 0–0.05°; instrument Caglioti U, V, W for a
 *   typical lab instrument (FWHM ≈ 0.06–0.12° at 40°), plus an instrumental Lorentzian X, Y
 *   (0 unless a calibration sets them: the sample's size and strain bring the Lorentzian);
 * - low-angle asymmetry from axial divergence: a split pseudo-Voigt whose low-angle half is
 *   (1 + A·cot 2θ) times as wide as the high-angle half's (1 − A·cot 2θ) (profile.ts);
 * - preferred orientation (March–Dollase r), present in half the patterns with r 0.7–1.3
 *   about a random low-index axis, weighted for every symmetry-equivalent reflection on its
 *   own (XCA weighted one representative per reflection);
 * - thermal displacement B 0–0.8 Å² (Debye–Waller);
 * - background: a quadratic (up to 10 % of the strongest peak) and an amorphous hump centred
 *   at 20–35° (up to 8 %), and air scatter rising to low angle, (sin θ_min / sin θ)², up to
 *   10 % at the grid's lower end; counting noise (Poisson, 1,000–100,000 counts in the strongest
 *   peak) and a Gaussian detector noise (up to 0.2 %);
 * - finally normalised to [0, 1].
 */
export interface AugmentationConfig {
  isotropicStrain: Distribution;
  anisotropicStrain: Distribution;
  sampleDisplacementMm: Distribution;
  goniometerRadiusMm: number;
  zeroShiftDeg: Distribution;
  crystalliteSizeNm: Distribution;
  scherrerK: number;
  microstrainX: Distribution;
  cagliotiU: Distribution;
  cagliotiV: Distribution;
  cagliotiW: Distribution;
  /** Instrumental Lorentzian X (deg, × tanθ) and Y (deg, ÷ cosθ), added to the sample's. */
  instrumentLorentzianX: Distribution;
  instrumentLorentzianY: Distribution;
  /** Axial-divergence asymmetry A: split a = A·cot 2θ (profile.ts, axialSplit). */
  axialAsymmetry: Distribution;
  textureProbability: number;
  marchDollaseR: Distribution;
  /** Preferred-orientation axes (plane normals, hkl) to choose from. */
  textureAxes: [number, number, number][];
  debyeWallerB: Distribution;
  backgroundConstant: Distribution;
  backgroundLinear: Distribution;
  backgroundQuadratic: Distribution;
  humpAmplitude: Distribution;
  humpCentreDeg: Distribution;
  humpFwhmDeg: Distribution;
  /** Air scatter at the grid's lower end, fraction of the strongest peak; falls as 1/sin²θ. */
  airScatter: Distribution;
  peakCounts: Distribution;
  gaussianNoise: Distribution;
}

export const DEFAULT_AUGMENTATION: AugmentationConfig = {
  isotropicStrain: { dist: 'uniform', min: -0.01, max: 0.01 },
  anisotropicStrain: { dist: 'uniform', min: -0.003, max: 0.003 },
  sampleDisplacementMm: { dist: 'uniform', min: -0.1, max: 0.1 },
  goniometerRadiusMm: 240,
  zeroShiftDeg: { dist: 'uniform', min: -0.05, max: 0.05 },
  crystalliteSizeNm: { dist: 'logUniform', min: 10, max: 200 },
  scherrerK: 0.9,
  microstrainX: { dist: 'uniform', min: 0, max: 0.05 },
  cagliotiU: { dist: 'uniform', min: 0, max: 0.01 },
  cagliotiV: { dist: 'uniform', min: -0.005, max: 0 },
  cagliotiW: { dist: 'uniform', min: 0.002, max: 0.008 },
  instrumentLorentzianX: 0,
  instrumentLorentzianY: 0,
  axialAsymmetry: { dist: 'uniform', min: 0, max: 0.1 },
  textureProbability: 0.5,
  marchDollaseR: { dist: 'logUniform', min: 0.7, max: 1.3 },
  textureAxes: [
    [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1],
  ],
  debyeWallerB: { dist: 'uniform', min: 0, max: 0.8 },
  backgroundConstant: { dist: 'uniform', min: 0, max: 0.1 },
  backgroundLinear: { dist: 'uniform', min: -0.03, max: 0.03 },
  backgroundQuadratic: { dist: 'uniform', min: 0, max: 0.03 },
  humpAmplitude: { dist: 'uniform', min: 0, max: 0.08 },
  humpCentreDeg: { dist: 'uniform', min: 20, max: 35 },
  humpFwhmDeg: { dist: 'uniform', min: 5, max: 15 },
  airScatter: { dist: 'uniform', min: 0, max: 0.1 },
  peakCounts: { dist: 'logUniform', min: 1000, max: 100000 },
  gaussianNoise: { dist: 'uniform', min: 0, max: 0.002 },
};

/** Names of the per-pattern parameters recorded with every pattern (one column each). */
export const PATTERN_PARAMETERS = [
  'zero_shift_deg',
  'sample_displacement_mm',
  'caglioti_u',
  'caglioti_v',
  'caglioti_w',
  'background_constant',
  'background_linear',
  'background_quadratic',
  'hump_amplitude',
  'hump_centre_deg',
  'hump_fwhm_deg',
  'peak_counts',
  'gaussian_noise',
  'axial_asymmetry',
  'air_scatter',
  'instrument_lorentzian_x',
  'instrument_lorentzian_y',
] as const;

/** Names of the per-phase parameters (a column per phase; NaN where the phase is absent). */
export const PHASE_PARAMETERS = [
  'isotropic_strain',
  'strain_a',
  'strain_b',
  'strain_c',
  'crystallite_size_nm',
  'microstrain_x',
  'march_dollase_r',
  'texture_h',
  'texture_k',
  'texture_l',
  'debye_waller_b',
] as const;

export type PatternParameter = (typeof PATTERN_PARAMETERS)[number];
export type PhaseParameter = (typeof PHASE_PARAMETERS)[number];
