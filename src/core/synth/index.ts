export { Simulator, normaliseInto, type Radiation, type PhaseShare, type SimulatorOptions } from './simulator';
export { buildPhaseModel, type PhaseModel, type PhaseModelOptions } from './phase';
export { DEFAULT_AUGMENTATION, PATTERN_PARAMETERS, PHASE_PARAMETERS, type AugmentationConfig } from './augmentation';
export { sample, central, checkDistribution, type Distribution } from './distributions';
export { radiationFor, type RadiationSpec } from './radiation';
