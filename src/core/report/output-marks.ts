// How each text output of Latent XRD begins: the mark by which a later run recognises the file
// as its own, and so may replace it (src/core/util/replaceable.ts). A file at an output path
// that does not begin so is someone else's and stays as it is.
import { COLLECTION_FORMAT } from '../formats/collection';
import { MAP_SVG_MARK } from './collection-map-svg';
import { textFileStartingWith } from '../util/replaceable';

/** The first line of a pattern written as text (`simulate -o`, `read --out`). */
export function patternTextHeader(command: string, source: string): string {
  return `# latent-xrd ${command} ${source.replace(/[\r\n]+/g, ' ')}`;
}
export const recognisePatternText = textFileStartingWith(/^# latent-xrd /, 'a pattern');

/** An .xrd collection begins with its format's name (src/core/formats/collection.ts writes it first). */
export const recogniseCollection = textFileStartingWith(new RegExp(`^\\s*\\{\\s*"format"\\s*:\\s*"${COLLECTION_FORMAT}"`), 'a collection');

export const recogniseMapSvg = textFileStartingWith(new RegExp(`^<svg [^>]*>\\s*${MAP_SVG_MARK}`), 'a collection map');
