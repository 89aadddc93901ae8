import { CONFIG_KEYS, DEFAULT_COUNT_PER_FRACTION, DEFAULT_GRID, DEFAULT_MIXTURE_FRACTIONS, DEFAULT_OUTPUT, DEFAULT_PAIR_COUNT, DEFAULT_SEED, DEFAULT_TERNARY_COUNT, GRID_KEYS, MIXTURE_KEYS, PHASE_KEYS, RADIATION_KEYS } from './config';
import { DEFAULT_RADIATION } from './radiation';
import { DEFAULT_MINIMUM_WEIGHT_FRACTION, largestMinimumWeightFraction } from './mixture-fractions';
import { trainingSchema } from '../model/training-config';
import { DEFAULT_AUGMENTATION, type AugmentationConfig } from './augmentation';
import { MAX_GRID_POINTS } from '../diffraction/grid-limits';
import { PLAUSIBLE_WAVELENGTH } from '../diffraction/wavelengths';
import { MAX_PATTERNS } from './limits';
import { CALIBRATED_BY, CALIBRATION_KEYS, INSTRUMENT_KEYS } from '../instrument/section';
import { MAX_ZERO_SHIFT_DEG } from '../instrument/profile-keys';

/**
 * The JSON Schema of `latent-xrd.json`, built from the same key lists the validator uses so
 * the two cannot drift. `schemas/latent-xrd.schema.json` is this object written out (by
 * `node scripts/build.mjs`); a test checks the committed file is current.
 */
const AUGMENTATION_DESCRIPTIONS: Record<keyof AugmentationConfig, string> = {
  isotropicStrain: 'Relative change of all lattice parameters (fraction, e.g. 0.01 = 1 %).',
  anisotropicStrain: 'Further relative change of each lattice parameter the crystal system leaves free (fraction): cubic a; tetragonal, hexagonal, trigonal a and c; orthorhombic and lower a, b, c. Symmetry-equivalent reflections never split.',
  sampleDisplacementMm: 'Sample height displacement s in mm: Δ2θ = −2s·cosθ/R.',
  goniometerRadiusMm: 'Goniometer radius R in mm.',
  zeroShiftDeg: 'Zero shift of the 2θ scale in degrees.',
  crystalliteSizeNm: 'Crystallite size L in nm (Scherrer Lorentzian broadening Kλ/(L·cosθ)).',
  scherrerK: 'Scherrer constant K.',
  microstrainX: 'Lorentzian strain broadening X in degrees (× tanθ).',
  cagliotiU: 'Caglioti U in deg² (Gaussian FWHM² = U·tan²θ + V·tanθ + W).',
  cagliotiV: 'Caglioti V in deg².',
  cagliotiW: 'Caglioti W in deg².',
  instrumentLorentzianX: 'Instrumental Lorentzian X in degrees (× tanθ), added to the sample\'s strain broadening; set by `latent-xrd calibrate`.',
  instrumentLorentzianY: 'Instrumental Lorentzian Y in degrees (÷ cosθ), added to the sample\'s size broadening; set by `latent-xrd calibrate`.',
  axialAsymmetry: 'Axial-divergence asymmetry A: the low-angle half of each line is (1 + A·cot 2θ) times the FWHM wide, the high-angle half (1 − A·cot 2θ) (split pseudo-Voigt; 0 = symmetric).',
  textureProbability: 'Probability that a pattern has preferred orientation.',
  marchDollaseR: 'March–Dollase parameter r (1 = random orientation).',
  textureAxes: 'Preferred-orientation axes (plane normals h k l) to choose from.',
  debyeWallerB: 'Isotropic thermal displacement B in Å² (intensity × exp(−2B·s²)).',
  backgroundConstant: 'Constant background, as a fraction of the strongest peak.',
  backgroundLinear: 'Linear background term (fraction of the strongest peak at the range ends).',
  backgroundQuadratic: 'Quadratic background term (fraction of the strongest peak).',
  humpAmplitude: 'Amorphous hump height, as a fraction of the strongest peak.',
  humpCentreDeg: 'Amorphous hump centre in degrees 2θ.',
  humpFwhmDeg: 'Amorphous hump width (FWHM) in degrees.',
  airScatter: 'Air scatter at the low end of the grid, as a fraction of the strongest peak; falls as (sin θ_min / sin θ)².',
  peakCounts: 'Counts in the strongest peak (sets the Poisson noise).',
  gaussianNoise: 'Gaussian detector noise σ as a fraction of the strongest peak.',
};

function augmentationProperties(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_AUGMENTATION) as (keyof AugmentationConfig)[]) {
    const description = AUGMENTATION_DESCRIPTIONS[key];
    const fallback = DEFAULT_AUGMENTATION[key];
    if (key === 'goniometerRadiusMm' || key === 'scherrerK') properties[key] = { type: 'number', exclusiveMinimum: 0, default: fallback, description };
    else if (key === 'textureProbability') properties[key] = { type: 'number', minimum: 0, maximum: 1, default: fallback, description };
    else if (key === 'textureAxes') {
      properties[key] = { type: 'array', minItems: 1, items: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'integer' } }, default: fallback, description };
    } else properties[key] = { $ref: '#/definitions/distribution', default: fallback, description };
  }
  return properties;
}

function pick(keys: readonly string[], all: Record<string, unknown>): Record<string, unknown> {
  const missing = keys.filter((k) => !(k in all));
  if (missing.length) throw new Error(`schema has no entry for ${missing.join(', ')}`);
  return Object.fromEntries(keys.map((k) => [k, all[k]]));
}

export function configSchema(): Record<string, unknown> {
  const wavelength = { type: 'number', minimum: PLAUSIBLE_WAVELENGTH.min, maximum: PLAUSIBLE_WAVELENGTH.max };
  const phaseProperties = pick(PHASE_KEYS, {
    cif: { type: 'string', minLength: 1, description: 'CIF path or glob (cifs/*.cif), relative to this file.' },
    name: { type: 'string', description: 'Display name (default: the file name).' },
    block: { type: 'string', description: 'Data block to use when the CIF holds several.' },
    count: { type: 'integer', minimum: 0, maximum: MAX_PATTERNS, description: 'Number of pure-phase patterns.' },
    role: { enum: ['known', 'unknown'], default: 'known', description: '"unknown" phases are held out of training, to test novelty detection.' },
    composition: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Z][a-z]?$' },
      additionalProperties: { type: 'number', minimum: 0 },
      description: 'Centre of the phase\'s single-phase region (element → fraction): compositions for a conditional VAE are drawn around it; a simulated spread places the phase there.',
    },
  });
  const mixtureProperties = pick(MIXTURE_KEYS, {
    role: {
      enum: ['novel', 'known'],
      default: 'novel',
      description: '"novel" (the paper\'s study): mixtures are held out of training and scored as novel, on a grid of volume fractions. "known": mixtures of known phases are trained on, each pattern with its own weight fractions, so that NOVEL means "contains something the CIFs do not explain".',
    },
    pairs: {
      oneOf: [{ const: 'known' }, { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } } }],
      default: 'known',
      description: 'Pairs of phase names, or "known" for every pair of known phases.',
    },
    fractions: { type: 'integer', minimum: 1, maximum: MAX_PATTERNS, default: DEFAULT_MIXTURE_FRACTIONS, description: 'Role "novel": volume fractions x = k/(n+1), k = 1…n, per pair.' },
    countPerFraction: { type: 'integer', minimum: 1, maximum: MAX_PATTERNS, default: DEFAULT_COUNT_PER_FRACTION, description: 'Role "novel": patterns per pair and fraction.' },
    pairCount: { type: 'integer', minimum: 0, maximum: MAX_PATTERNS, default: DEFAULT_PAIR_COUNT, description: 'Role "known": patterns per pair, each with its own weight fractions (the minor phase log-uniform from minimumWeightFraction to 1/2).' },
    ternaries: {
      oneOf: [{ const: 'known' }, { type: 'array', items: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'string' } } }],
      description: 'Triples of phase names, or "known" for every triple of known phases. Role "novel": volume fractions uniform on the simplex; role "known": weight fractions, each phase at least minimumWeightFraction.',
    },
    ternaryCount: { type: 'integer', minimum: 0, maximum: MAX_PATTERNS, default: DEFAULT_TERNARY_COUNT, description: 'Patterns per triple.' },
    minimumWeightFraction: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: largestMinimumWeightFraction(2),
      default: DEFAULT_MINIMUM_WEIGHT_FRACTION,
      description: 'Role "known": the smallest weight fraction of a phase in a mixture (2 wt %: a minor phase a laboratory scan shows; León-Reina et al. 2016, J. Appl. Cryst. 49, 722).',
    },
  });
  // Each role has its own keys: the grid of held-out fractions, or drawn weight fractions.
  const mixtureRoleRule = {
    if: { properties: { role: { const: 'known' } }, required: ['role'] },
    then: { not: { anyOf: [{ required: ['fractions'] }, { required: ['countPerFraction'] }] } },
    else: { not: { anyOf: [{ required: ['pairCount'] }, { required: ['minimumWeightFraction'] }] } },
  };
  const gridProperties = pick(GRID_KEYS, {
    twoThetaMin: { type: 'number', minimum: 0, exclusiveMaximum: 180, default: DEFAULT_GRID.twoThetaMin },
    twoThetaMax: { type: 'number', minimum: 0, exclusiveMaximum: 180, default: DEFAULT_GRID.twoThetaMax },
    points: { type: 'integer', minimum: 2, maximum: MAX_GRID_POINTS, default: DEFAULT_GRID.points },
  });
  const properties = pick(CONFIG_KEYS, {
    $schema: { type: 'string' },
    phases: {
      type: 'array',
      minItems: 1,
      description: 'The phases to simulate, one entry per CIF (or glob of CIFs).',
      items: { type: 'object', additionalProperties: false, required: ['cif', 'count'], properties: phaseProperties },
    },
    mixtures: {
      type: 'object',
      additionalProperties: false,
      description: 'Physical mixtures of the phases: each phase\'s lines scaled by its weight fraction / (ρ·V_cell²), as in quantitative Rietveld analysis (Hill & Howard 1987), the sum renormalised to [0, 1].',
      properties: mixtureProperties,
      ...mixtureRoleRule,
    },
    grid: { type: 'object', additionalProperties: false, description: 'The 2θ grid (default: 20–90°, 2048 points, as in the paper).', properties: gridProperties },
    radiation: {
      description: '"CuKa" (Kα1/Kα2 doublet, ratio 0.5), "CuKa1", "MoKa", …, a wavelength in Å, or an explicit doublet.',
      default: DEFAULT_RADIATION,
      oneOf: [
        { type: 'string' },
        { type: 'number', minimum: PLAUSIBLE_WAVELENGTH.min, maximum: PLAUSIBLE_WAVELENGTH.max },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kalpha1'],
          properties: pick(RADIATION_KEYS, { kalpha1: wavelength, kalpha2: wavelength, ratio: { type: 'number', minimum: 0, maximum: 1 } }),
        },
      ],
    },
    augmentation: { type: 'object', additionalProperties: false, description: 'How patterns vary; each entry overrides the documented default.', properties: augmentationProperties() },
    instrument: {
      type: 'object',
      additionalProperties: false,
      description: 'A calibrated laboratory instrument, written by `latent-xrd calibrate STANDARD --cif STANDARD.cif`: synthetic patterns vary around it (profile ±20 %, zero shift ±0.02°); entries in "augmentation" still win. See docs/realism.md.',
      properties: pick(INSTRUMENT_KEYS, {
        cagliotiU: { type: 'number', description: 'Caglioti U in deg² (Gaussian FWHM² = U·tan²θ + V·tanθ + W).' },
        cagliotiV: { type: 'number', description: 'Caglioti V in deg².' },
        cagliotiW: { type: 'number', description: 'Caglioti W in deg².' },
        lorentzianX: { type: 'number', description: 'Instrumental Lorentzian X in degrees (× tanθ).' },
        lorentzianY: { type: 'number', description: 'Instrumental Lorentzian Y in degrees (÷ cosθ).' },
        zeroShiftDeg: { type: 'number', minimum: -MAX_ZERO_SHIFT_DEG, maximum: MAX_ZERO_SHIFT_DEG, description: 'Zero shift of the 2θ scale in degrees.' },
        axialAsymmetry: { type: 'number', minimum: -1, maximum: 1, description: 'Axial-divergence asymmetry A (split pseudo-Voigt, a = A·cot 2θ).' },
        calibration: {
          type: 'object',
          additionalProperties: false,
          required: ['by'],
          description: `What the fit was; "by": "${CALIBRATED_BY}" marks a section \`latent-xrd calibrate\` may replace.`,
          properties: pick(CALIBRATION_KEYS, {
            by: { type: 'string' },
            standard: { type: 'string', description: 'The measured standard fitted.' },
            cif: { type: 'string', description: 'The standard\'s CIF (its certified cell).' },
            radiation: { type: 'string' },
            rwp: { type: 'number', description: 'Weighted-profile R factor of the fit.' },
            explained: { type: 'number', description: 'Share of the signal above background the standard\'s lines explain.' },
            range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '2θ range fitted (deg).' },
          }),
        },
      }),
    },
    seed: { type: 'integer', minimum: 0, default: DEFAULT_SEED, description: 'Seed of every random draw: the same seed gives the same dataset.' },
    output: { type: 'string', minLength: 1, default: DEFAULT_OUTPUT, description: 'The HDF5 dataset to write, relative to this file.' },
    chunkSize: { type: 'integer', minimum: 1, default: 1024, description: 'Patterns per chunk written (memory is proportional to this; chunk × grid points at most 2^25; the default is 1024, fewer on grids finer than 32,768 points).' },
    training: trainingSchema(),
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Latent XRD workspace configuration (latent-xrd.json)',
    description: 'Which crystal structures to simulate, how many synthetic patterns, how they vary, and where the dataset goes.',
    type: 'object',
    additionalProperties: false,
    required: ['phases'],
    properties,
    definitions: {
      distribution: {
        description: 'A constant, or a distribution drawn from for every pattern.',
        oneOf: [
          { type: 'number' },
          { type: 'object', additionalProperties: false, required: ['dist', 'value'], properties: { dist: { const: 'constant' }, value: { type: 'number' } } },
          { type: 'object', additionalProperties: false, required: ['dist', 'min', 'max'], properties: { dist: { const: 'uniform' }, min: { type: 'number' }, max: { type: 'number' } } },
          {
            type: 'object',
            additionalProperties: false,
            required: ['dist', 'min', 'max'],
            properties: { dist: { const: 'logUniform' }, min: { type: 'number', exclusiveMinimum: 0 }, max: { type: 'number', exclusiveMinimum: 0 } },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['dist', 'mean', 'sd'],
            properties: { dist: { const: 'normal' }, mean: { type: 'number' }, sd: { type: 'number', minimum: 0 }, min: { type: 'number' }, max: { type: 'number' } },
          },
        ],
      },
    },
  };
}
