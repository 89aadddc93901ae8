// The shape of a model, in one place: what is built, what is saved in the manifest, and what
// the FLOP count behind the training roofline is computed from.

export interface ModelSpec {
  /** Points of the 2θ grid: the encoder's input and the decoder's output width. */
  points: number;
  /** Encoder hidden widths; the decoder mirrors them. The paper: [256, 128]. */
  hidden: number[];
  /** Latent dimensions (the paper: 2, so the latent space is a map). */
  latent: number;
  /** Element symbols of the composition input (conditional VAE); empty for a plain VAE. */
  compositionElements: string[];
  /** Weight of the KL term (β-VAE); 1 is the paper's VAE. */
  beta: number;
}

export const PAPER_SPEC: Omit<ModelSpec, 'points'> = { hidden: [256, 128], latent: 2, compositionElements: [], beta: 1 };

/** Multiply–accumulates of every dense layer, in order: encoder trunk, the two heads, decoder. */
function denseShapes(spec: ModelSpec): { inputs: number; outputs: number; first: boolean }[] {
  const c = spec.compositionElements.length;
  const shapes: { inputs: number; outputs: number; first: boolean }[] = [];
  let width = spec.points + c;
  spec.hidden.forEach((h, i) => {
    shapes.push({ inputs: width, outputs: h, first: i === 0 });
    width = h;
  });
  shapes.push({ inputs: width, outputs: spec.latent, first: false }, { inputs: width, outputs: spec.latent, first: false });
  width = spec.latent + c;
  // z = μ + σ·ε carries the gradient back into the encoder, so every decoder layer needs one.
  for (const h of [...spec.hidden].reverse()) {
    shapes.push({ inputs: width, outputs: h, first: false });
    width = h;
  }
  shapes.push({ inputs: width, outputs: spec.points, first: false });
  return shapes;
}

/**
 * FLOPs of one training step per sample, counting only the matrix products (everything else is
 * O(width), not O(width²)): forward x·W, weight gradient xᵀ·dy, and input gradient dy·Wᵀ for
 * every layer whose input needs one (not the encoder's first layer: the data has no gradient).
 */
export function trainingFlopsPerSample(spec: ModelSpec): number {
  let flops = 0;
  for (const d of denseShapes(spec)) {
    const mac = d.inputs * d.outputs;
    flops += 2 * mac /* forward */ + 2 * mac /* weight gradient */ + (d.first ? 0 : 2 * mac) /* input gradient */;
  }
  return flops;
}

/** FLOPs to encode and decode one pattern (scoring). */
export function inferenceFlopsPerSample(spec: ModelSpec): number {
  return denseShapes(spec).reduce((sum, d) => sum + 2 * d.inputs * d.outputs, 0);
}

/** Weights (kernels and biases) of one encoder and decoder: what a model of this spec holds. */
export function parameterCount(spec: ModelSpec): number {
  return denseShapes(spec).reduce((sum, d) => sum + (d.inputs + 1) * d.outputs, 0);
}
