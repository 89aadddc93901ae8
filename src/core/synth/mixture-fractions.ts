// Weight fractions of the mixtures a mixture-aware model trains on (`mixtures.role: "known"`).
//
// A phase is trained on as present down to DEFAULT_MINIMUM_WEIGHT_FRACTION. Laboratory powder
// diffraction sees a well-crystallised minor phase down to a few tenths of a weight per cent
// under the best conditions, but quantifies it with relative errors below 20 % only above
// 1 wt % (León-Reina et al. 2016, J. Appl. Cryst. 49, 722–735, Cu Kα1 and Mo Kα1 Rietveld
// analyses of spiked series); routine scans, with shorter counting and a Kα doublet, do worse.
// 2 wt % is a minor phase such a scan shows with its strongest lines, and so one a model must
// have seen to call it known; below that a phase's lines sink into the counting noise that
// every training pattern carries anyway.
//
// The minor fractions are log-uniform: the trace range (2–5 %) is as common as 20–50 %, since
// each halving of a phase's amount changes its pattern about as much. Sorted ascending, the
// k fractions of a k-phase mixture are drawn one by one, the j-th log-uniform between the
// previous one (the minimum, for the first) and an equal share of what is left, the last
// taking the rest; the phases then get them in random order. Two phases: the minor one
// log-uniform in [minimum, 1/2]. Three: the smallest in [minimum, 1/3], the middle one in
// [smallest, (1 − smallest)/2], the major one the rest.
import type { Random } from '../util/random';

/** Smallest weight fraction of a phase in a trained mixture, when the config does not say (see above). */
export const DEFAULT_MINIMUM_WEIGHT_FRACTION = 0.02;

/** The most phases a mixture may have: every phase must be able to hold the minimum fraction. */
export function largestMinimumWeightFraction(phases: number): number {
  return 1 / phases;
}

/** Draws the weight fractions of a mixture of `into.length` phases (each ≥ minimum, summing to 1). */
export function drawWeightFractions(minimum: number, random: Random, into: Float64Array): Float64Array {
  const k = into.length;
  let below = minimum;
  let left = 1;
  for (let j = 0; j < k - 1; j++) {
    const top = Math.max(below, left / (k - j));
    const f = below * Math.exp(Math.log(top / below) * random.float());
    into[j] = f;
    left -= f;
    below = f;
  }
  into[k - 1] = left;
  // Which phase is the major one, which the minor: uniformly at random (Fisher–Yates).
  for (let i = k - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = into[i];
    into[i] = into[j];
    into[j] = t;
  }
  return into;
}
