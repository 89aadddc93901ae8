// Latent XRD replaces only what it wrote itself: an earlier dataset, model folder or text output,
// recognised by the marks it leaves in them. Anything else at an output path (a folder of
// measurements, a project, a file of another program) is refused with the reason.
import { closeSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { UserError } from '../diagnostics';

/**
 * Why the existing `path` is not an earlier output of this kind (so it must not be replaced),
 * or undefined when it is one.
 */
export type Recogniser = (path: string) => string | undefined;

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Throws a user error saying why `target` stays as it is, unless it is absent or recognised as Latent XRD's. */
export function refuseToReplace(target: string, recognise: Recogniser): void {
  const stats = lstatOrUndefined(target);
  if (!stats) return;
  let why: string | undefined;
  try {
    why = stats.isSymbolicLink() ? 'it is a symbolic link' : recognise(target);
  } catch (e) {
    why = `it cannot be examined (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (why) {
    throw new UserError(`${target}: not replaced: ${why}. Latent XRD replaces only what it wrote itself; choose another name, or move it away first`);
  }
}

/** Why `path` is not a plain file (a folder, a device, a pipe), or undefined when it is one. */
export function notAFile(path: string, what: string): string | undefined {
  const stats = lstatOrUndefined(path);
  if (stats?.isDirectory()) return `it is a folder, not ${what}`;
  if (!stats?.isFile()) return `it is not a regular file, so not ${what}`;
  return undefined;
}

/** The first `length` bytes of a file. */
export function fileHead(path: string, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  const fd = openSync(path, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** How far into a text output its signature must appear. */
const SIGNATURE_SPAN = 4096;

/**
 * Recognises a text output by how Latent XRD begins it (`# latent-xrd simulate`, the collection
 * format's name, …): a file that does not begin so is not replaced.
 */
export function textFileStartingWith(signature: RegExp, what: string): Recogniser {
  return (path) => {
    const why = notAFile(path, what);
    if (why) return why;
    const head = new TextDecoder().decode(fileHead(path, SIGNATURE_SPAN));
    return signature.test(head) ? undefined : `it is not ${what} written by Latent XRD`;
  };
}
