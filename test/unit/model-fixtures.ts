// A manifest for a small untrained model, for tests whose subject is not training: scoring's
// shapes, files and messages do not depend on the weights.
import type { ModelSpec } from '../../src/core/model/architecture';
import type { ModelManifest } from '../../src/core/model/store';

export function testManifest(spec: ModelSpec, overrides: Partial<ModelManifest> = {}): ModelManifest {
  return {
    format: 'latent-xrd-model',
    formatVersion: 1,
    software: { name: 'latent-xrd', version: 'test' },
    created: new Date(0).toISOString(),
    kind: spec.compositionElements?.length ? 'cvae' : 'vae',
    spec,
    grid: { min: 20, max: 90, points: spec.points },
    phases: ['A', 'B'],
    reference: { latent: [0, 0, 1, 1], labels: [0, 1] },
    calibration: { metric: 'bceExcess', errors: [0.1, 0.2], pThreshold: 0.01, errorThreshold: 0.2 },
    training: {},
    metrics: {},
    ensemble: [{ seed: 1, path: '.' }],
    ...overrides,
  };
}
