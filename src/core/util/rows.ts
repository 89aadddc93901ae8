// Rows of a row-major matrix (patterns, compositions, fractions: one row per sample), gathered
// into one block for a batch, a split or a fit.

/**
 * Copies the rows `rows` of `source` (rows `width` long) end to end into `into` — a new array by
 * default; a reused batch buffer, or one on shared memory for worker threads, when given — and
 * returns the filled part.
 */
export function gatherRows(source: Float32Array, width: number, rows: ArrayLike<number>, into: Float32Array<ArrayBufferLike> = new Float32Array(rows.length * width)): Float32Array {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    into.set(source.subarray(row * width, (row + 1) * width), i * width);
  }
  return into.length === rows.length * width ? into : into.subarray(0, rows.length * width);
}
