// Writes a pattern as .xy text: a comment header naming where it came from (source, format,
// wavelengths) so the file still says what it is once separated from the original, then
// "2θ intensity [σ]" lines. Numbers are written in their shortest exact form, so reading the
// .xy back gives the same values.
import type { MeasuredPattern } from './pattern';

export interface WriteXyOptions {
  /** The file the pattern was read from, named in the header. */
  source?: string;
}

export function writeXy(pattern: MeasuredPattern, options: WriteXyOptions = {}): string {
  const header: string[] = [];
  if (options.source) header.push(`source: ${options.source}`);
  if (pattern.format) header.push(`format: ${pattern.format}`);
  if (pattern.wavelength !== undefined) header.push(`wavelength Kα1: ${pattern.wavelength} Å`);
  if (pattern.wavelength2 !== undefined) header.push(`wavelength Kα2: ${pattern.wavelength2} Å`);
  if (pattern.kAlpha2Ratio !== undefined) header.push(`Kα2/Kα1 ratio: ${pattern.kAlpha2Ratio}`);
  if (pattern.meta?.stitched) header.push(`stitched from ${pattern.meta.ranges ?? 'several'} ranges`);
  const sigma = pattern.sigma;
  header.push(sigma ? 'columns: 2θ (°), intensity, σ' : 'columns: 2θ (°), intensity');
  const lines = header.map((h) => `# ${h.replace(/[\r\n]+/g, ' ')}`);
  for (let i = 0; i < pattern.twoTheta.length; i++) {
    lines.push(sigma ? `${pattern.twoTheta[i]} ${pattern.intensity[i]} ${sigma[i]}` : `${pattern.twoTheta[i]} ${pattern.intensity[i]}`);
  }
  return lines.join('\n') + '\n';
}
