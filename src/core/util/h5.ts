/**
 * h5wasm is an ES module; the engine's bundles are CommonJS, so it is loaded with a dynamic
 * import (kept as such by esbuild) once, on first use.
 *
 * By default the HDF5 library prints its error stack (dozens of lines of HDF5-DIAG per failure,
 * thousands for a full disk) to stderr and carries on: a write that failed looked like one that
 * worked. Its throwing error handler makes every failure an exception carrying that text instead.
 */
type H5Module = typeof import('h5wasm/node');

let loading: Promise<H5Module> | undefined;

export function loadH5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm/node').then(async (h5) => {
    const module = await h5.ready;
    module.activate_throwing_error_handler();
    return h5;
  });
  return loading;
}

/**
 * The reason inside an HDF5 error stack, in words: the operating system's message when there is
 * one ("error message = 'File too large'"), else the innermost failure ("not an HDF5 file").
 * Undefined for an error that is not from the HDF5 library.
 */
export function hdf5Reason(message: string): string | undefined {
  if (!message.startsWith('HDF5-DIAG')) return undefined;
  const os = /error message = '([^']+)'/.exec(message);
  // The stack is printed outermost first.
  const minors = [...message.matchAll(/minor: ([^\n]+)/g)];
  const reason = os?.[1] ?? minors[minors.length - 1]?.[1].trim() ?? 'the HDF5 library failed';
  return reason[0].toLowerCase() + reason.slice(1);
}
