// One entry point for pattern files: the CLI, the extension and the watch folder all read
// patterns through here. The format is chosen by extension and checked against the content,
// so a file that is not what its name says gets an error saying what it is instead of garbage.
import { checkReadPattern, type MeasuredPattern } from './pattern';
import { parseBrml } from './brml';
import { isBrukerRaw, parseBrukerRaw } from './bruker-raw';
import { gunzipPattern, isGzip, withoutGz } from './compressed';
import { isGsas, parseGsas } from './gsas';
import { decodeText, describeStart, errorInFile } from './located';
import { MAX_PATTERN_BYTES, tooManyBytes } from './limits';
import { readFileBounded } from './file';
import { isRas, isRigakuAsc, parseRas, parseRigakuAsc } from './rigaku';
import { parseTextColumns } from './text';
import { isUxd, parseUxd } from './uxd';
import { parseXrdml } from './xrdml';

export type { MeasuredPattern } from './pattern';
export { writeXy } from './write-xy';
export { MAX_PATTERN_BYTES, MAX_PATTERN_POINTS } from './limits';

const TEXT_COLUMNS = ['.xy', '.xye', '.csv', '.dat', '.txt'] as const;
const INSTRUMENT = ['.xrdml', '.raw', '.brml', '.ras', '.asc', '.uxd', '.gsa', '.gsas', '.fxye'] as const;
const PLAIN = [...TEXT_COLUMNS, ...INSTRUMENT];

/** Extensions read as patterns (lower case, with the dot), each also gzip-compressed (".xy.gz"). */
export const PATTERN_EXTENSIONS = [...PLAIN, ...PLAIN.map((e) => `${e}.gz`)] as const;

export function isPatternFile(name: string): boolean {
  const lower = name.toLowerCase();
  return PATTERN_EXTENSIONS.some((e) => lower.endsWith(e));
}

/**
 * Reads a pattern file's bytes; errors name the file and where in it (line:column, byte, element,
 * point). What it returns keeps the promises of `MeasuredPattern` (finite numbers, 2θ strictly
 * increasing, plausible wavelengths), checked here on every reader's output.
 */
export function readPattern(bytes: Uint8Array, fileName: string): MeasuredPattern {
  if (bytes.length > MAX_PATTERN_BYTES) throw errorInFile(fileName, tooManyBytes(`${bytes.length} bytes:`));
  const compressed = fileName.toLowerCase().endsWith('.gz') || isGzip(bytes);
  const content = compressed ? gunzipPattern(bytes, fileName) : bytes;
  const pattern = readUncompressed(content, fileName, extensionOf(withoutGz(fileName)));
  if (compressed) pattern.meta = { ...pattern.meta, compressed: 'gzip' };
  return checkReadPattern(pattern, fileName);
}

/**
 * Reads and parses a pattern file from disk, the file read with the size limit checked as it
 * arrives (a device, a FIFO or a file past MAX_PATTERN_BYTES costs no more than the limit).
 * `shown` is the name errors use (default: the path).
 */
export function readPatternFile(path: string, shown = path): MeasuredPattern {
  return readPattern(readFileBounded(path, MAX_PATTERN_BYTES, shown, tooManyBytes), shown);
}

function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

type Content = 'zip' | 'bruker-raw' | 'binary' | 'xml' | 'text';

function sniff(bytes: Uint8Array): Content {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  const binary = bytes.subarray(0, 8192).includes(0);
  if (binary && isBrukerRaw(bytes)) return 'bruker-raw';
  if (binary) return 'binary';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c /* < */ ? 'xml' : 'text';
}

function readUncompressed(bytes: Uint8Array, file: string, extension: string): MeasuredPattern {
  const content = sniff(bytes);
  const start = () => describeStart(bytes);
  switch (extension) {
    case '.xrdml':
      if (content !== 'xml') throw errorInFile(file, `not XML (starts with ${start()}); an .xrdml file is PANalytical XML`);
      return parseXrdml(decodeText(bytes), file);
    case '.brml':
      if (content !== 'zip') throw errorInFile(file, `not a zip archive (starts with ${start()}); a .brml file is Bruker's zip of XML`);
      return parseBrml(bytes, file);
    case '.raw':
      // A file cut off inside its magic still starts with "RAW": the reader says how it is short.
      if (content !== 'bruker-raw' && !isBrukerRaw(bytes)) throw errorInFile(file, `a binary file that is not Bruker RAW (expected "RAW1.01" or "RAW4.00"; starts with ${start()})`);
      return parseBrukerRaw(bytes, file);
  }
  if (content !== 'text' && content !== 'xml') return readByContent(bytes, file, content, extension);
  const text = decodeText(bytes);
  switch (extension) {
    case '.ras':
      if (!isRas(text)) throw errorInFile(file, `not a Rigaku RAS file (expected "*RAS_DATA_START"; starts with ${start()})`);
      return parseRas(text, file);
    case '.uxd':
      if (!isUxd(text)) throw errorInFile(file, `not a UXD file (expected "_KEY=value" lines and a data marker; starts with ${start()})`);
      return parseUxd(text, file);
    case '.gsa':
    case '.gsas':
    case '.fxye':
      if (!isGsas(text)) throw errorInFile(file, `not a GSAS data file (expected a title line and a "BANK" line; starts with ${start()})`);
      return parseGsas(text, file);
    case '.asc':
      if (isRigakuAsc(text)) return parseRigakuAsc(text, file);
      return parseTextColumns(text, file);
  }
  if (content === 'xml' && PLAIN.includes(extension as (typeof PLAIN)[number])) {
    throw errorInFile(file, `XML (starts with ${start()}), not a column text file; an XRDML file should be named .xrdml`);
  }
  return readTextByContent(text, file, extension);
}

/** Text named .xy/.txt/.dat/.csv (or anything else): instrument text exports are recognised by their header. */
function readTextByContent(text: string, file: string, extension: string): MeasuredPattern {
  if (isRas(text)) return parseRas(text, file);
  if (isRigakuAsc(text)) return parseRigakuAsc(text, file);
  if (isUxd(text)) return parseUxd(text, file);
  if (isGsas(text)) return parseGsas(text, file);
  if (/^\s*<\?xml|^\s*<xrdMeasurements/.test(text)) return parseXrdml(text, file);
  return parseTextColumns(text, file, { sigmaColumn: extension === '.xye', format: extension === '.xye' ? 'xye' : 'xy' });
}

function readByContent(bytes: Uint8Array, file: string, content: Content, extension: string): MeasuredPattern {
  const known = PLAIN.includes(extension as (typeof PLAIN)[number]);
  if (content === 'zip' && !known) return parseBrml(bytes, file);
  if (content === 'bruker-raw' && !known) return parseBrukerRaw(bytes, file);
  const what = content === 'zip' ? 'a zip archive (a .brml?)' : content === 'bruker-raw' ? 'a Bruker RAW file (a .raw?)' : 'a binary file';
  throw errorInFile(file, `${what}, not a text pattern (expected lines of "2θ intensity"; starts with ${describeStart(bytes)})`);
}
