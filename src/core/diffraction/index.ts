export { computePeaks, TWO_THETA_TOLERANCE, SCALED_INTENSITY_TOLERANCE, type Peak, type PeakOptions, type PowderPeaks } from './peaks';
export { listReflections, structureFactorsSquared, type ReflectionList, type ReflectionOptions } from './reflections';
export { reciprocalMetric, inverseDSquared, dSpacing, lorentzPolarization, isHexagonal, type ReciprocalMetric } from './lattice';
export { formFactor, atomicNumber, type ScatteringTable } from './scattering';
export { resolveWavelength, implausibleWavelength, PLAUSIBLE_WAVELENGTH, WAVELENGTHS, KALPHA_DOUBLETS } from './wavelengths';
export { uniqueFamilies, millerBravais, type PeakHkl } from './hkl';
