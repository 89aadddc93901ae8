// The TensorFlow.js half of the extension, imported only when a model is first needed so that
// activation stays light (esbuild turns the dynamic import into a lazily evaluated module).
export { initBackend } from '../core/model/backend';
export { loadModel } from '../core/model/store';
export { Scorer } from '../core/model/score';
