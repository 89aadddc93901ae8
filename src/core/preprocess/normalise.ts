// Scaling to [0, 1] as the training patterns are (min → 0, max → 1).

/** In place; returns the min and max it scaled by. A flat pattern becomes all 0. */
export function normaliseMinMax(values: Float64Array, out: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const scale = range > 0 ? 1 / range : 0;
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - min) * scale;
  return { min, max };
}
