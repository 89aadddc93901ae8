// What "the same file" means to the watcher: a path at one size and modification time (and
// inode, so a file replaced by a rename is new even if size and mtime match). Each version is
// scored once; a new version of the same path is scored again.
import type { Stats } from 'node:fs';

export interface FileVersion {
  size: number;
  mtimeMs: number;
  ino: number;
}

export function versionOf(stats: Stats): FileVersion {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
}

export function sameVersion(a: FileVersion | undefined, b: FileVersion | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}
