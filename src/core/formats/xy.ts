// Kept for the modules that import the pattern type from here; text.ts reads the columns.
import type { MeasuredPattern } from './pattern';
import { parseTextColumns } from './text';

export type { MeasuredPattern } from './pattern';

export function parseXy(text: string, file?: string): MeasuredPattern {
  return parseTextColumns(text, file ?? 'pattern');
}
