// The periodic scan's view of the folder: every pattern file with its version. The scan is the
// watcher's safety net — fs.watch drops events under load and (recursively) misses files in
// folders created a moment before them — so it must see everything fs.watch would.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isPatternFile } from '../formats';
import { versionOf, type FileVersion } from './file-version';

export async function listPatternFiles(dir: string, recursive: boolean): Promise<Map<string, FileVersion>> {
  const found = new Map<string, FileVersion>();
  const visit = async (folder: string): Promise<void> => {
    let entries;
    try {
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
          if (stats.isFile()) found.set(path, versionOf(stats));
        } catch {
          // deleted between readdir and stat
        }
      }
    }
  };
  await visit(dir);
  return found;
}
