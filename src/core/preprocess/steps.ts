// What was done to a pattern, as data (for the extension and --json) and as the sentence a
// person reads; the sentence lists in PreparedPattern.steps are these details.

export type PreprocessStepKind = 'kalpha2' | 'wavelength' | 'resample' | 'background' | 'fill' | 'normalise';

export interface PreprocessStep {
  step: PreprocessStepKind;
  /** One sentence saying what was done (or why nothing was), with the numbers that matter. */
  detail: string;
  parameters: Record<string, number | string | boolean>;
}

/** Degrees with three decimals: the resolution a 2θ scan is quoted at. */
export function deg(x: number): string {
  return `${x.toFixed(3)}°`;
}

/** Grid limits as the user gave them (20–90°, not 20.000–90.000°). */
export function range(lo: number, hi: number): string {
  return `${+lo.toFixed(4)}–${+hi.toFixed(4)}°`;
}
