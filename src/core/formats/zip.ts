// The members of a zip archive (a Bruker .brml), read from its central directory and checked as
// they are inflated: each member's declared size bounds its inflation before it starts, and
// its CRC-32 and size must match what the directory declares, so a damaged archive is an error
// rather than a silently short pattern. Only what readers need: stored and deflated members,
// no encryption, no ZIP64 (an archive past 4 GB is far past any pattern file).
// Layout: PKWARE APPNOTE.TXT, sections 4.3.7 (local header), 4.3.12 (central directory header)
// and 4.3.16 (end of central directory record).
import { inflateRawSync } from 'node:zlib';
import { errorAtByte, quoteName } from './located';
import { MAX_PATTERN_BYTES, tooManyBytes } from './limits';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

export interface ZipMember {
  name: string;
  data: Uint8Array;
}

/**
 * The members whose names `wanted` accepts, inflated and verified, together at most
 * MAX_PATTERN_BYTES. Errors name the archive and the byte where the problem is.
 */
export function readZipMembers(bytes: Uint8Array, file: string, wanted: (name: string) => boolean): ZipMember[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (offset: number, size: number, what: string) => {
    if (offset < 0 || offset + size > bytes.length) throw errorAtByte(file, offset, `the archive ends inside ${what} (it is cut off or damaged)`);
  };
  const end = findEndOfDirectory(bytes, view);
  if (end < 0) throw errorAtByte(file, bytes.length, 'no zip directory at the end of the file (a zip archive cut off, or not one)');
  const entries = view.getUint16(end + 10, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (entries === 0xffff || directoryOffset === 0xffffffff) throw errorAtByte(file, end, 'a ZIP64 archive; a .brml file is a plain zip');
  const members: ZipMember[] = [];
  let inflated = 0;
  let at = directoryOffset;
  for (let k = 0; k < entries; k++) {
    need(at, 46, `entry ${k + 1} of the zip directory`);
    if (view.getUint32(at, true) !== DIRECTORY_ENTRY) throw errorAtByte(file, at, `entry ${k + 1} of the zip directory is damaged (no entry signature)`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    need(at + 46, skip, `entry ${k + 1} of the zip directory`);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const entryAt = at;
    at += 46 + skip;
    if (!wanted(name)) continue;
    const fail = (offset: number, message: string) => errorAtByte(file, offset, `member ${quoteName(name)}: ${message}`);
    if (flags & 1) throw fail(entryAt, 'is encrypted');
    inflated += size;
    if (inflated > MAX_PATTERN_BYTES) throw fail(entryAt, tooManyBytes(`declares ${size} bytes, which brings the members read to`));
    need(localOffset, 30, `the local header of ${quoteName(name)}`);
    if (view.getUint32(localOffset, true) !== LOCAL_HEADER) throw fail(localOffset, 'no local header where the directory says');
    const dataAt = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    need(dataAt, compressedSize, `the data of ${quoteName(name)}`);
    const data = inflate(bytes.subarray(dataAt, dataAt + compressedSize), method, size, (message) => fail(dataAt, message));
    if (crc32(data) !== crc) throw fail(dataAt, `its CRC-32 does not match the directory's (${crc.toString(16).padStart(8, '0')}); the archive is damaged`);
    members.push({ name, data });
  }
  return members;
}

function inflate(data: Uint8Array, method: number, size: number, fail: (message: string) => Error): Uint8Array {
  if (method === 0) {
    if (data.length !== size) throw fail(`stored with ${data.length} bytes, the directory says ${size}; the archive is damaged`);
    return data;
  }
  if (method !== 8) throw fail(`compression method ${method} is not read (stored and deflate are)`);
  let out: Uint8Array;
  try {
    // One byte past the declared size is enough to know the member lies about it.
    out = inflateRawSync(data, { maxOutputLength: size + 1 });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'ERR_BUFFER_TOO_LARGE') throw fail(`inflates to more than the ${size} bytes the directory declares; the archive is damaged`);
    throw fail(`the compressed data is damaged (${error.message})`);
  }
  if (out.length !== size) throw fail(`inflates to ${out.length} bytes, the directory declares ${size}; the archive is damaged`);
  return out;
}

/** The end-of-central-directory record: within the last 22 + 65,535 bytes (its comment). */
function findEndOfDirectory(bytes: Uint8Array, view: DataView): number {
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) return at;
  }
  return -1;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as zip and gzip use it (ISO 3309, reflected polynomial 0xEDB88320). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
