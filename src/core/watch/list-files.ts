// The periodic scan's view of the folder: every pattern file with its version. The scan is the
// watcher's safety net — fs.watch drops events under load and (recursively) misses files in
// folders created a moment before them — so it must see everything fs.watch would.
//
// Symbolic links to folders are not entered (a link to "." or to an ancestor would make the
// walk endless, a link out would watch what is not the folder's): they are returned, so the
// watcher can say so. Each real folder is listed once (by device and inode), which also ends a
// loop made by a bind mount. A link to a file is listed like a file; the watcher decides whether
// its target is inside the folder.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isPatternFile } from '../formats';
import { versionOf, type FileVersion } from './file-version';

export interface FolderListing {
  files: Map<string, FileVersion>;
  /** Symbolic links to folders met on the way (only when recursive): not entered. */
  linkedFolders: string[];
}

export async function listPatternFiles(dir: string, recursive: boolean): Promise<FolderListing> {
  const files = new Map<string, FileVersion>();
  const linkedFolders: string[] = [];
  const visited = new Set<string>();
  const visit = async (folder: string): Promise<void> => {
    let entries;
    try {
      const identity = await stat(folder);
      const key = `${identity.dev}:${identity.ino}`;
      if (visited.has(key)) return;
      visited.add(key);
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return; // a subfolder deleted while we looked: nothing in it to score
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (recursive) await visit(path);
      } else if (isPatternFile(entry.name)) {
        try {
          const stats = await stat(path);
          if (stats.isFile()) files.set(path, versionOf(stats));
        } catch {
          // deleted between readdir and stat
        }
      } else if (recursive && entry.isSymbolicLink()) {
        try {
          if ((await stat(path)).isDirectory()) linkedFolders.push(path);
        } catch {
          // a link to nothing
        }
      }
    }
  };
  await visit(dir);
  return { files, linkedFolders };
}
