import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep, isAbsolute } from 'node:path';

/**
 * File globs for config files: `*` and `?` within a path segment, `**` across segments.
 * Results are sorted so a dataset made from a glob is the same on every machine.
 */
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

/** Files under `baseDir` matching `pattern` (relative to baseDir, or absolute). */
export function expandGlob(baseDir: string, pattern: string): string[] {
  if (!hasGlob(pattern)) {
    const full = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
    return existsSync(full) ? [full] : [];
  }
  const normalised = pattern.split(sep).join('/');
  // Walk from the longest glob-free prefix.
  const segments = normalised.split('/');
  const fixed: string[] = [];
  for (const s of segments) {
    if (hasGlob(s)) break;
    fixed.push(s);
  }
  const rootDir = isAbsolute(normalised) ? fixed.join('/') || '/' : join(baseDir, ...fixed);
  const matcher = globToRegExp(isAbsolute(normalised) ? normalised : join(baseDir, normalised).split(sep).join('/'));
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 32) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(full, depth + 1);
      else if (matcher.test(full.split(sep).join('/'))) found.push(full);
    }
  };
  walk(rootDir, 0);
  return found.sort((a, b) => relative(baseDir, a).localeCompare(relative(baseDir, b)));
}
