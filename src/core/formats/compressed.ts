// gzip-compressed pattern files (name.xy.gz, name.xrdml.gz, …): recognised by the gzip magic
// bytes whatever the name says, so a compressed file saved without ".gz" still reads. zlib reads
// every member of a multi-member file (concatenated gzip streams, as `cat a.gz b.gz` makes),
// checks each member's CRC-32 and length (ISIZE) against its data, and stops inflating as soon as
// the output passes the limit — before a small file can expand into gigabytes.
import { gunzipSync } from 'node:zlib';
import { describeStart, errorInFile } from './located';
import { MAX_PATTERN_BYTES, tooManyBytes } from './limits';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** zlib's words for what it found, in the user's: which check failed says what kind of damage. */
const DAMAGE: Record<string, string> = {
  'incorrect data check': "the data's CRC-32 does not match the one stored with it",
  'incorrect length check': 'the data is not as long as the length stored with it (ISIZE)',
  'unexpected end of file': 'the file ends inside the compressed data',
  'incorrect header check': 'bytes that are not gzip follow the compressed data',
};

export function gunzipPattern(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) throw errorInFile(file, `not gzip-compressed (expected the bytes 1f 8b; it starts with ${describeStart(bytes)})`);
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_PATTERN_BYTES });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'ERR_BUFFER_TOO_LARGE') throw errorInFile(file, tooManyBytes('inflates to'));
    throw errorInFile(file, `the gzip data is damaged or cut off: ${DAMAGE[error.message] ?? error.message}`);
  }
}

/** The name without its ".gz", so the inner format is chosen by the extension beneath. */
export function withoutGz(name: string): string {
  return name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name;
}
