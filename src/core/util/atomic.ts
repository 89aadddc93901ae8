// Files and folders the tool writes appear whole or not at all: written under a temporary name
// beside the target, then renamed into place. An interrupted run leaves the old one untouched.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

function temporaryName(target: string): string {
  return `${target}.tmp-${process.pid}-${Date.now().toString(36)}`;
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  mkdirSync(dirname(target), { recursive: true });
  const temporary = temporaryName(target);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Calls `write(temporaryPath)` and renames the result to `target` when it returns; removes the
 * temporary file or folder when it throws. For files written in pieces (HDF5) and folders.
 */
export async function writeAtomically<T>(target: string, write: (temporaryPath: string) => Promise<T> | T): Promise<T> {
  mkdirSync(dirname(target), { recursive: true });
  const temporary = temporaryName(target);
  try {
    const result = await write(temporary);
    if (existsSync(target)) {
      // A folder cannot be renamed over a non-empty one: move the old aside first, then drop it.
      const old = `${target}.old-${process.pid}-${Date.now().toString(36)}`;
      renameSync(target, old);
      renameSync(temporary, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temporary, target);
    }
    return result;
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}
