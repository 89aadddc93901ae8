// Which TensorFlow.js backend a user may ask for, and what is asked when they say nothing: one
// list for the CLI's --backend, the extension's latentXrd.backend setting (package.json's enum
// is checked against it) and initBackend. Apart from backend.ts so that reading a flag or a
// setting does not load TensorFlow.js.

export const BACKEND_NAMES = ['wasm', 'cpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** In the order package.json lists them; 'auto' is tfjs-node when it loads, else wasm, else cpu (backend.ts). */
export const BACKEND_PREFERENCES = ['auto', ...BACKEND_NAMES] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export const DEFAULT_BACKEND: BackendPreference = 'auto';

export function isBackendPreference(value: unknown): value is BackendPreference {
  return (BACKEND_PREFERENCES as readonly unknown[]).includes(value);
}
