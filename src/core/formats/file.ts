// Files read from disk with a size limit checked as the bytes arrive, so a device or a FIFO
// (which state no size, or a wrong one) costs at most the limit — `read /dev/zero` ends with a
// message instead of filling memory. Opening a FIFO that has no writer waits for one, as `cat`
// does; callers that must not wait (a watched folder) read only regular files.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../diagnostics';
import { errorInFile } from './located';

const CHUNK = 1 << 20;

/** The refusal of a file past a limit that is not a pattern file's: the limit in MB. */
const pastLimit = (maxBytes: number) => (what: string) => `${what} more than ${maxBytes / 1e6} MB, the most Latent XRD reads from a file of this kind; not read`;

/**
 * A file's bytes, refused past `maxBytes` (checked while reading). Errors are UserErrors that
 * name `shown`: no such file, a folder, permission denied, too large (`tooLarge` words that).
 */
export function readFileBounded(path: string, maxBytes: number, shown = path, tooLarge: (what: string) => string = pastLimit(maxBytes)): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(shown, e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw errorInFile(shown, 'is a folder, not a file');
    if (stat.isFile() && stat.size > maxBytes) throw errorInFile(shown, tooLarge(`${stat.size} bytes:`));
    const chunks: Uint8Array[] = [];
    let total = 0;
    // A regular file in one read of its size (and one byte more, to see it has not grown).
    for (let size = stat.isFile() ? stat.size + 1 : CHUNK; ; size = CHUNK) {
      const chunk = new Uint8Array(Math.min(size, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw errorInFile(shown, tooLarge(stat.isFile() ? `${stat.size} bytes:` : 'holds'));
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    if (chunks.length === 1) return chunks[0];
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return bytes;
  } catch (e) {
    throw e instanceof UserError ? e : fileError(shown, e);
  } finally {
    closeSync(fd);
  }
}

function fileError(shown: string, e: unknown): UserError {
  const error = e as NodeJS.ErrnoException;
  const reason: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'is a folder, not a file', ELOOP: 'a symbolic link that loops', ENOTDIR: 'a folder on the path is a file' };
  return errorInFile(shown, `cannot be read: ${reason[error.code ?? ''] ?? error.message}`);
}
