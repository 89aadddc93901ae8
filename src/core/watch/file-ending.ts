// Has the writer finished this file? A quiet interval alone cannot tell: an instrument that
// pauses longer than the interval (a slow scan written as it goes, a buffered writer) leaves a
// file that is still and half-written, and a cut inside the last number parses as a smaller
// number. So the file is asked first: a format with its own end (XRDML's closing root element,
// Rigaku's *RAS_DATA_END and *EOF) must show it, a text file must end with a line break. Binary
// and compressed files are opaque here; their readers check the declared sizes (Bruker RAW's
// range and step counts, the zip directory, the gzip stream's end), so a parse is their test.
import { isGzip } from '../formats/compressed';
import { isRas } from '../formats/rigaku';

export type FileEnding =
  /** The file ends where its format ends. */
  | { state: 'complete' }
  /** It does not: likely still being written. */
  | { state: 'unfinished'; reason: string }
  /** Only a parse can tell (binary or compressed content). */
  | { state: 'opaque' };

/** How much of the start names the format and the XML root; how much of the end holds the end marker. */
const HEAD_BYTES = 4096;
const TAIL_BYTES = 512;

/**
 * What the bytes say about their end. `format` is what the reader made of them (MeasuredPattern's
 * `format`), when it could read them: Rigaku ASC is told by its header, which may be long.
 */
export function fileEnding(bytes: Uint8Array, format?: string): FileEnding {
  if (isGzip(bytes) || isZip(bytes) || bytes.subarray(0, 8192).includes(0)) return { state: 'opaque' };
  const head = latin1(bytes.subarray(0, HEAD_BYTES)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const tail = latin1(bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)));
  const trimmed = tail.trimEnd();
  if (/^\s*</.test(head)) {
    const root = /<([A-Za-z_][\w.:-]*)/.exec(head)?.[1];
    if (!root) return { state: 'opaque' };
    return new RegExp(`</${escape(root)}\\s*>$`).test(trimmed) ? { state: 'complete' } : { state: 'unfinished', reason: `it ends before the closing </${root}>` };
  }
  const marker = isRas(head) ? '*RAS_DATA_END' : format === 'rigaku-asc' ? '*EOF' : undefined;
  if (marker) return lastLine(trimmed) === marker ? { state: 'complete' } : { state: 'unfinished', reason: `it ends before ${marker}` };
  const last = bytes[bytes.length - 1];
  return last === 0x0a || last === 0x0d ? { state: 'complete' } : { state: 'unfinished', reason: bytes.length === 0 ? 'it is empty' : 'its last line has no line break' };
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

function lastLine(text: string): string {
  return text.slice(Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1).trim();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
