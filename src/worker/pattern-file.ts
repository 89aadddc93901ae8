// Reading a pattern file's bytes in the scoring worker. Only a regular file is read: a FIFO or a
// device named like a pattern file would never finish (or never end), and a blocked read holds
// one of the few file-system threads the whole process shares. Opening without blocking and
// asking the open file what it is leaves no window for a swap between the check and the read.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errorInFile } from '../core/formats/located';
import { MAX_PATTERN_BYTES, tooManyBytes } from '../core/formats/limits';

/** The file's bytes, or 'gone' when it no longer exists (deleted since it was listed). */
export async function readRegularFile(path: string, name: string): Promise<Uint8Array | 'gone'> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'gone';
    throw errorInFile(name, `cannot be read (${(e as Error).message})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw errorInFile(name, 'not a regular file (a folder, pipe or device named like a pattern file); not read');
    // Past what any pattern file holds, refused by its size rather than read into memory first.
    if (stat.size > MAX_PATTERN_BYTES) throw errorInFile(name, tooManyBytes(`${stat.size} bytes:`));
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
