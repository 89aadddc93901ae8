// One entry point for the background methods: estimate, subtract, and say what was done.
import type { ResolvedPreprocessOptions } from '../options';
import type { PreprocessStep } from '../steps';
import { alsBaseline } from './als';
import { rollingBallBaseline } from './rolling-ball';
import { polynomialBaseline } from './polynomial';

export { alsBaseline, rollingBallBaseline, polynomialBaseline };

/**
 * Estimates the background of values[first..last] (the measured part of the model's grid,
 * spacing `step` degrees), writes it to `background` and subtracts it from `values` in place.
 */
export function subtractBackground(
  values: Float64Array,
  first: number,
  last: number,
  step: number,
  options: ResolvedPreprocessOptions,
  background: Float64Array,
): PreprocessStep {
  const method = options.background;
  background.fill(0);
  if (last < first) {
    return { step: 'background', detail: 'background not subtracted: the measurement does not reach the model\'s range', parameters: { method: 'none' } };
  }
  if (method === 'none') {
    return { step: 'background', detail: 'background not subtracted (background: none)', parameters: { method: 'none' } };
  }
  let detail: string;
  let parameters: PreprocessStep['parameters'];
  if (method === 'als') {
    const { lambda, p } = options.als;
    const { iterations } = alsBaseline(values, first, last, options.als, background);
    detail = `background subtracted by asymmetric least squares (Eilers–Boelens; λ = ${lambda.toExponential(0)}, p = ${p}, ${iterations} rounds)`;
    parameters = { method, lambda, p, iterations };
  } else if (method === 'rolling-ball') {
    const { halfWidthDeg, smoothHalfWidthDeg } = options.rollingBall;
    const { halfWindow, smoothHalfWindow } = rollingBallBaseline(values, first, last, options.rollingBall, step, background);
    detail = `background subtracted by a rolling ball (half-width ${halfWidthDeg}° = ${halfWindow} points, smoothed over ±${smoothHalfWidthDeg}°)`;
    parameters = { method, halfWidthDeg, smoothHalfWidthDeg, halfWindowPoints: halfWindow, smoothHalfWindowPoints: smoothHalfWindow };
  } else {
    const { degree } = options.polynomial;
    const { iterations } = polynomialBaseline(values, first, last, options.polynomial, background);
    detail = `background subtracted: a degree-${degree} polynomial fitted under the peaks (modified polyfit, ${iterations} rounds), as Banko et al.`;
    parameters = { method, degree, iterations };
  }
  let largest = 0;
  for (let i = first; i <= last; i++) {
    values[i] -= background[i];
    largest = Math.max(largest, background[i]);
  }
  parameters.largestBackground = largest;
  return { step: 'background', detail, parameters };
}
