// The tube's lines as a file states them: a stated value is either usable or refused where it
// stands. What is plausible is decided by `implausibleWavelength` (src/core/diffraction) and
// `implausibleKAlpha2Ratio` (./pattern); here only how a file states them.
import { implausibleWavelength } from '../diffraction/wavelengths';
import { implausibleKAlpha2Ratio } from './pattern';
import { quoteForMessage } from './located';
import type { Fail } from './ranges';
import { parseNumber } from './text';

/** A stated wavelength (Å), refused through `fail` when `implausibleWavelength` rejects it. */
export function statedWavelength(value: number, what: string, fail: Fail): number {
  const problem = implausibleWavelength(value);
  if (problem) throw fail(`${what}: ${problem}`);
  return value;
}

/** A stated Kα2/Kα1 intensity ratio, refused through `fail` outside [0, 1]. */
export function statedKAlpha2Ratio(value: number, what: string, fail: Fail): number {
  const problem = implausibleKAlpha2Ratio(value);
  if (problem) throw fail(`${what}: ${problem}`);
  return value;
}

/** A number written in a header, undefined when the header leaves it empty. */
export function headerNumber(text: string | undefined, what: string, fail: Fail): number | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  const value = parseNumber(trimmed);
  if (Number.isNaN(value)) throw fail(`${what} is not a number: ${quoteForMessage(trimmed)}`);
  return value;
}

/**
 * The Kα1, Kα2 and ratio a text or XML header states (each undefined when not stated). A Kα2 of
 * 0 says there is no Kα2 (a monochromatic beam), as a ratio of 0 does; a Kα1 of 0 is refused.
 */
export function statedTube(text: Partial<Record<TubeValue, string>>, fail: (value: TubeValue) => Fail): { wavelength?: number; wavelength2?: number; kAlpha2Ratio?: number } {
  // `fail` is asked for its error only when there is one: an absent value has no place to name.
  const at = (value: TubeValue): Fail => (message) => fail(value)(message);
  const alpha1 = headerNumber(text.alpha1, 'the Kα1 wavelength', at('alpha1'));
  const alpha2 = headerNumber(text.alpha2, 'the Kα2 wavelength', at('alpha2'));
  const ratio = headerNumber(text.ratio, 'the Kα2/Kα1 ratio', at('ratio'));
  return {
    ...(alpha1 !== undefined ? { wavelength: statedWavelength(alpha1, 'the Kα1 wavelength', at('alpha1')) } : {}),
    ...(alpha2 !== undefined && alpha2 !== 0 ? { wavelength2: statedWavelength(alpha2, 'the Kα2 wavelength', at('alpha2')) } : {}),
    ...(ratio !== undefined ? { kAlpha2Ratio: statedKAlpha2Ratio(ratio, 'the Kα2/Kα1 ratio', at('ratio')) } : {}),
  };
}

export type TubeValue = 'alpha1' | 'alpha2' | 'ratio';
