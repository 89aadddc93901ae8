// gzip-compressed pattern files (name.xy.gz, name.xrdml.gz, …): recognised by the gzip magic
// bytes whatever the name says, so a compressed file saved without ".gz" still reads.
import { gunzipSync } from 'fflate';
import { describeStart, errorInFile } from './located';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzipPattern(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) throw errorInFile(file, `not gzip-compressed (expected the bytes 1f 8b; it starts with ${describeStart(bytes)})`);
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw errorInFile(file, `the gzip data is damaged or cut off (${(e as Error).message})`);
  }
}

/** The name without its ".gz", so the inner format is chosen by the extension beneath. */
export function withoutGz(name: string): string {
  return name.toLowerCase().endsWith('.gz') ? name.slice(0, -3) : name;
}
