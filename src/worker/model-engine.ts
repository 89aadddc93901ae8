// The TensorFlow.js half of the scoring worker, imported only when a model is first needed, so a
// worker that only reads files (no model yet) starts light (esbuild turns the dynamic import into
// a lazily evaluated module).
export { initBackend } from '../core/model/backend';
export { loadModel } from '../core/model/store';
export { Scorer } from '../core/model/score';
export { scoreCollection, scoreCollectionSamples, scoreWithComposition } from '../core/library/score';
