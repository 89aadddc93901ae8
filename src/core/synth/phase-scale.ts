// How strongly each phase of a mixture diffracts: quantitative phase analysis read backwards.
//
// Hill & Howard (1987), "Quantitative phase analysis from neutron powder diffraction data using
// the Rietveld method", J. Appl. Cryst. 20, 467–474: the weight fraction of phase p is
//
//     W_p = S_p·(ZMV)_p / Σ_i S_i·(ZMV)_i          (S: the Rietveld scale factor)
//
// and since the density is ρ = ZM / (N_A·V), the scale a phase gets is S_p ∝ W_p / (ρ_p·V_p²).
// With the volume fraction v_p = (W_p/ρ_p) / Σ_i (W_i/ρ_i) the same scale reads S_p ∝ v_p / V_p²:
// v/V unit cells per unit of sample volume, each scattering |F|²/V (the density of its
// reciprocal-lattice points). Absorption is the mixture's and the same for every phase of a
// fine, homogeneous powder in Bragg–Brentano geometry (no microabsorption, Brindley's
// correction 1), so it drops out of the ratios and, after normalisation, out of the pattern.
//
// The simulator takes volume fractions (PhaseShare.fraction); a mixture planned in weight
// fractions is converted here, with the phases' densities from their cells (crystal/density.ts).

/** The scale factor of a phase's lines, relative to |F|²·LP: volume fraction / V_cell² (∝ W / (ρ·V²)). */
export function phaseScale(volumeFraction: number, cellVolume: number): number {
  return volumeFraction / (cellVolume * cellVolume);
}

/** Volume fractions of phases given in weight fractions: v_p = (W_p/ρ_p) / Σ_i (W_i/ρ_i). */
export function volumeFractionsFromWeights(weights: ArrayLike<number>, densities: ArrayLike<number>, into: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += (into[i] = weights[i] / densities[i]);
  for (let i = 0; i < weights.length; i++) into[i] /= total;
  return into;
}

/** Weight fractions of phases given in volume fractions: W_p = v_p·ρ_p / Σ_i v_i·ρ_i. */
export function weightFractionsFromVolumes(volumes: ArrayLike<number>, densities: ArrayLike<number>, into: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < volumes.length; i++) total += (into[i] = volumes[i] * densities[i]);
  for (let i = 0; i < volumes.length; i++) into[i] /= total;
  return into;
}
