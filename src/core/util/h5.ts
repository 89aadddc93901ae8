/**
 * h5wasm is an ES module; the engine's bundles are CommonJS, so it is loaded with a dynamic
 * import (kept as such by esbuild) once, on first use.
 */
type H5Module = typeof import('h5wasm/node');

let loading: Promise<H5Module> | undefined;

export function loadH5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm/node').then(async (h5) => {
    await h5.ready;
    return h5;
  });
  return loading;
}
