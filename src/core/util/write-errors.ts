// A write that fails is a user error naming the path and the reason in words (a full disk, a
// read-only file system, a missing permission), never a stack trace. The HDF5 library reports
// the same failures as its error stack's text: the operating system's message is taken from it.
import { UserError } from '../diagnostics';
import { hdf5Reason } from './h5';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large (for the file system or a file-size limit)',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'a folder on the path does not exist',
  EEXIST: 'something already exists there',
  ENOTEMPTY: 'the folder is not empty',
  EBUSY: 'it is in use (a mount point?)',
  EXDEV: 'it is on another file system',
  EIO: 'an input/output error of the device',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links on the path',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/** A user error for a failed write of `path`, or undefined when `e` is not a write failure (a bug). */
export function writeFailure(path: string, e: unknown): UserError | undefined {
  if (e instanceof UserError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return new UserError(`${path}: cannot write: ${REASONS[code] ?? (e as Error).message} (${code})`);
  const hdf5 = e instanceof Error ? hdf5Reason(e.message) : undefined;
  if (hdf5) return new UserError(`${path}: cannot write: ${hdf5}`);
  return undefined;
}
