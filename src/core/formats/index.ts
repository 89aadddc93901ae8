// One entry point for pattern files, by extension: the CLI, the extension and the watch folder
// all read patterns through here (issue 5 adds the instrument formats).
import { UserError } from '../diagnostics';
import { parseXy, type MeasuredPattern } from './xy';

export type { MeasuredPattern } from './pattern';

/** Extensions read as patterns (lower case, with the dot). */
export const PATTERN_EXTENSIONS = ['.xy', '.xye', '.csv', '.dat', '.txt'] as const;

export function isPatternFile(name: string): boolean {
  const lower = name.toLowerCase();
  return PATTERN_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** Reads a pattern file's bytes; errors name the file and, where there is one, the line and column. */
export function readPattern(bytes: Uint8Array, fileName: string): MeasuredPattern {
  if (bytes.includes(0)) throw new UserError(`${fileName}: a binary file, not a text pattern (expected lines of "2θ intensity")`, [], fileName);
  const text = new TextDecoder('utf-8').decode(bytes);
  return parseXy(text, fileName);
}
