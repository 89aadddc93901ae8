// Files and folders the tool writes appear whole or not at all, and only where nothing but an
// earlier output of the tool stood. Each is written under a temporary name beside its target,
// flushed to the disk and checked, then renamed into place: an interrupted or failed run leaves
// the old one untouched, and a failed write is an error, never a success.
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../diagnostics';
import { refuseToReplace, type Recogniser } from './replaceable';
import { writeFailure } from './write-errors';

export type { Recogniser } from './replaceable';

// `<target>.tmp-<pid>-<stamp>` while written, `<target>.old-<pid>-<stamp>` for the moment the
// previous version is moved aside. The pid says whose it is: a later run removes them only
// when that process is gone.
const OWN_NAME = /^(.*)\.(tmp|old)-(\d+)-([0-9a-z]+)$/;

/** The name of the output whose temporary (or set-aside previous version) `name` is, if it is one. */
export function leftoverOf(name: string): string | undefined {
  return OWN_NAME.exec(name)?.[1];
}

function sideName(target: string, kind: 'tmp' | 'old'): string {
  return `${target}.${kind}-${process.pid}-${Date.now().toString(36)}`;
}

/** Temporaries this thread is writing now: what a second Ctrl-C removes before the process exits. */
const inProgress = new Set<string>();

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a killed run left beside `target`: its temporaries are removed; a previous version it had
 * moved aside is put back when the target is missing, else removed if it is still recognisably
 * Latent XRD's own. Only names of Latent XRD's own pattern, of processes that no longer run.
 */
function clearLeftovers(target: string, recognise: Recogniser): void {
  const dir = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = OWN_NAME.exec(name);
    if (!m || m[1] !== base || !processIsGone(Number(m[3]))) continue;
    const path = join(dir, name);
    try {
      if (m[2] === 'tmp') rmSync(path, { recursive: true, force: true });
      else if (!exists(target)) renameSync(path, target);
      else if (recognise(path) === undefined) rmSync(path, { recursive: true, force: true });
    } catch {
      // Tidying up is not the task at hand: what cannot be removed now is tried again next time.
    }
  }
}

/** Creates the target's folder, as a user error when it cannot be. */
function ensureFolder(target: string): void {
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (e) {
    // mkdir -p says EEXIST when a part of the path is a file: what the user needs to hear is ENOTDIR.
    const code = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'ENOTDIR' : (e as NodeJS.ErrnoException).code;
    throw writeFailure(dirname(target), Object.assign(new Error((e as Error).message), { code })) ?? e;
  }
}

/** Flushes a file to the disk: some file systems report a full disk only here. */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFolder(dir: string): void {
  try {
    syncFile(dir);
  } catch {
    // Not every file system can sync a folder; the renamed file itself is already on the disk.
  }
}

/**
 * Writes `data` to a new file (never over an existing one), flushes it to the disk and reads it
 * back: a short write, a full disk or a file-size limit is an exception, never a success.
 */
export function writeNewFile(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const fd = openSync(path, 'wx');
  try {
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (Buffer.compare(readFileSync(path), bytes) !== 0) throw new UserError(`${path}: the file read back differs from what was written`);
}

/** Puts the finished temporary in place of `target`; the previous version is removed only after. */
function replace(temporary: string, target: string, recognise: Recogniser): void {
  // Checked again: something else may have appeared at the target while this one was written.
  refuseToReplace(target, recognise);
  if (!exists(target) || !lstatSync(temporary).isDirectory()) {
    // A file renamed over a file replaces it in one step.
    renameSync(temporary, target);
  } else {
    // A folder cannot be renamed over a non-empty one: move the old aside first, then drop it.
    const old = sideName(target, 'old');
    renameSync(target, old);
    try {
      renameSync(temporary, target);
    } catch (e) {
      renameSync(old, target);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  }
  syncFolder(dirname(target));
}

function begin(target: string, recognise: Recogniser): string {
  refuseToReplace(target, recognise);
  ensureFolder(target);
  clearLeftovers(target, recognise);
  const temporary = sideName(target, 'tmp');
  inProgress.add(temporary);
  return temporary;
}

function end(temporary: string): void {
  rmSync(temporary, { recursive: true, force: true });
  inProgress.delete(temporary);
}

/**
 * Writes a whole file at once. `recognise` says whether an existing file at `target` is an
 * earlier output of Latent XRD (then it is replaced) or something else (then it is refused).
 */
export function writeFileAtomic(target: string, data: string | Uint8Array, recognise: Recogniser): void {
  const temporary = begin(target, recognise);
  try {
    writeNewFile(temporary, data);
    replace(temporary, target, recognise);
  } catch (e) {
    throw writeFailure(target, e) ?? e;
  } finally {
    end(temporary);
  }
}

/**
 * Calls `write(temporaryPath)` and renames the result to `target` when it returns; removes the
 * temporary file or folder when it throws. For files written in pieces (HDF5) and folders:
 * `write` flushes and checks what it wrote (`writeNewFile`, `syncFile`) before it returns.
 */
export async function writeAtomically<T>(target: string, write: (temporaryPath: string) => Promise<T> | T, recognise: Recogniser): Promise<T> {
  const temporary = begin(target, recognise);
  try {
    const result = await write(temporary);
    replace(temporary, target, recognise);
    return result;
  } catch (e) {
    throw writeFailure(target, e) ?? e;
  } finally {
    end(temporary);
  }
}

/**
 * Removes every temporary this thread is writing, synchronously: for a process that must end now
 * (a second interrupt) and cannot wait for its writers to stop on their own.
 */
export function abandonWritesInProgress(): void {
  for (const temporary of inProgress) rmSync(temporary, { recursive: true, force: true });
  inProgress.clear();
}
