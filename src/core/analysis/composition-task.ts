// The synthetic composition-spread task for the conditional VAE. Three elements, three phases,
// each stable in its own corner of the composition triangle (documented in README):
//   Ni (fcc) where x(Ni) ≥ 0.5, Cr (bcc) where x(Cr) ≥ 0.5, Co (hcp) where x(Co) ≥ 0.5.
// Every pattern of a phase is paired with a composition drawn uniformly from that phase's
// region. A mismatched pair is the same pattern with a composition from another phase's region:
// what a wrong composition measurement, or a phase appearing where it should not, looks like.
import { Random } from '../util/random';

export const COMPOSITION_ELEMENTS = ['Ni', 'Cr', 'Co'];
/** Region of phase k: the element COMPOSITION_ELEMENTS[k] has fraction ≥ this. */
export const REGION_THRESHOLD = 0.5;

/** A composition uniform on the part of the simplex where `element` has fraction ≥ 0.5. */
export function drawComposition(region: number, random: Random, into: Float32Array, offset: number): void {
  for (;;) {
    // Uniform on the simplex: normalised exponentials (Dirichlet(1, 1, 1)); rejection to the region.
    const e = COMPOSITION_ELEMENTS.map(() => -Math.log(1 - random.float()));
    const sum = e.reduce((a, b) => a + b, 0);
    if (e[region] / sum < REGION_THRESHOLD) continue;
    for (let j = 0; j < e.length; j++) into[offset + j] = e[j] / sum;
    return;
  }
}

/** Compositions for dataset rows: each pure pattern of phase label k from region k; others zero. */
export function compositionsForLabels(labels: Int32Array, seed: number): Float32Array {
  const random = new Random(seed);
  const width = COMPOSITION_ELEMENTS.length;
  const out = new Float32Array(labels.length * width);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= 0 && labels[i] < width) drawComposition(labels[i], random, out, i * width);
    else out.fill(1 / width, i * width, (i + 1) * width);
  }
  return out;
}

/** For each row of phase k, a composition from another phase's region (chosen at random). */
export function mismatchedCompositions(labels: Int32Array, seed: number): Float32Array {
  const random = new Random(seed);
  const width = COMPOSITION_ELEMENTS.length;
  const out = new Float32Array(labels.length * width);
  for (let i = 0; i < labels.length; i++) {
    const other = (labels[i] + 1 + random.int(width - 1)) % width;
    drawComposition(other, random, out, i * width);
  }
  return out;
}
