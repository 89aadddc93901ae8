// File globs for config files ("cifs/*.cif", "structures/**/*.cif"): `*` and `?` within a path
// segment, `**` across segments. The walk starts at the pattern's longest glob-free prefix, which
// the operating system resolves like any path the user typed (symbolic links included). Below it:
//
// - Symbolic links to folders are not entered. A link can lead back to an ancestor (`ln -s . x`
//   makes every depth a new path: two such links made "**/*.cif" run for minutes) or out of the
//   project, and following only the targets not yet seen would make what a glob matches depend
//   on the order the walk meets the links. Bash's `**` (since 4.3) and node-glob do the same. A
//   skipped link is named in a warning; a pattern through it ("cifs/shared/*.cif") reaches it,
//   since there it is part of the glob-free prefix.
// - The walk looks at no more than GLOB_ENTRY_LIMIT entries and GLOB_DEPTH_LIMIT folders deep
//   (which also ends a loop made by a bind mount); a walk cut short is an error, never a quietly
//   shorter list of files. Without `**`, it goes only as deep as the pattern has segments.
//
// Results are sorted by a fixed collation, so a dataset made from a glob is the same on every
// machine whatever its locale.
import { readdirSync, statSync, existsSync, type Dirent } from 'node:fs';
import { join, relative, sep, isAbsolute } from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { quoteForMessage } from '../formats/located';

/** Directory entries one glob may look at: far more than any folder of structures holds. */
export const GLOB_ENTRY_LIMIT = 100_000;
/** Folders below the glob's fixed prefix that `**` may descend. */
export const GLOB_DEPTH_LIMIT = 32;
/** Linked folders named one by one in the warnings; the rest are counted. */
const LINKS_NAMED = 5;

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  const p = pattern.split(sep).join('/');
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      re += '.*';
      i++;
      if (p[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function hasGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export interface GlobExpansion {
  /** Matching files, absolute, sorted. Complete unless `diagnostics` holds an error. */
  files: string[];
  /** Linked folders not entered (warnings); a bound the walk hit (an error). */
  diagnostics: Diagnostic[];
}

/** Files under `baseDir` matching `pattern` (relative to baseDir, or absolute). `limits` are for tests. */
export function expandGlob(baseDir: string, pattern: string, limits = { entries: GLOB_ENTRY_LIMIT, depth: GLOB_DEPTH_LIMIT }): GlobExpansion {
  if (!hasGlob(pattern)) {
    const full = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
    return { files: existsSync(full) ? [full] : [], diagnostics: [] };
  }
  const segments = pattern.split(sep).join('/').split('/');
  const firstGlob = segments.findIndex(hasGlob);
  const fixed = segments.slice(0, firstGlob);
  const rest = segments.slice(firstGlob);
  const rootDir = isAbsolute(pattern) ? fixed.join('/') || '/' : join(baseDir, ...fixed);
  // Matched against the path below rootDir, so nothing in baseDir or the prefix is read as a glob.
  const matcher = globToRegExp(rest.join('/'));
  const recursive = rest.some((s) => s.includes('**'));
  const maxDepth = recursive ? limits.depth : rest.length - 1;

  const shown = (path: string) => relative(baseDir, path).split(sep).join('/') || path;
  const files: string[] = [];
  const linkedFolders: string[] = [];
  let entries = 0;
  let stopped: string | undefined;
  const walk = (dir: string, below: string, depth: number): void => {
    let listing: Dirent[];
    try {
      listing = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable or gone: nothing in it can be read either
    }
    for (const entry of listing) {
      if (stopped) return;
      if (++entries > limits.entries) {
        stopped = `it looked at ${limits.entries.toLocaleString('en')} entries under ${quoteForMessage(shown(rootDir))} without finishing`;
        return;
      }
      const full = join(dir, entry.name);
      const path = below ? `${below}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        try {
          if (statSync(full).isDirectory()) {
            if (depth < maxDepth) linkedFolders.push(full);
            continue;
          }
        } catch {
          continue; // a link to nothing
        }
      } else if (entry.isDirectory()) {
        if (depth < maxDepth) walk(full, path, depth + 1);
        else if (recursive) stopped = `${quoteForMessage(shown(rootDir))} holds folders more than ${limits.depth} deep (${quoteForMessage(shown(full))})`;
        continue;
      } else if (!entry.isFile()) {
        continue; // sockets, fifos, devices: never structures
      }
      if (matcher.test(path)) files.push(full);
    }
  };
  walk(rootDir, '', 0);

  const quoted = quoteForMessage(pattern);
  const diagnostics: Diagnostic[] = linkedFolders.slice(0, LINKS_NAMED).map((folder) => ({
    severity: 'warning',
    message: `${quoted}: ${quoteForMessage(shown(folder))} is a symbolic link to a folder and was not searched (globs do not enter linked folders; a pattern that names it, like ${quoteForMessage(`${shown(folder)}/*.cif`)}, does)`,
    code: 'config.glob-link',
  }));
  if (linkedFolders.length > LINKS_NAMED) {
    diagnostics.push({ severity: 'warning', message: `${quoted}: ${linkedFolders.length - LINKS_NAMED} more symbolic links to folders were not searched`, code: 'config.glob-link' });
  }
  if (stopped) diagnostics.push({ severity: 'error', message: `${quoted}: the search stopped: ${stopped}; name a narrower folder or pattern`, code: 'config.glob-bound' });
  const key = (file: string) => relative(baseDir, file).split(sep).join('/');
  return { files: files.sort((a, b) => key(a).localeCompare(key(b), 'en')), diagnostics };
}
