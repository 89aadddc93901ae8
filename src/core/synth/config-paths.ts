// Paths a workspace config (latent-xrd.json) names — its CIFs, its dataset, its model folder —
// stay inside the config's folder. A config arrives with a repository or from a colleague: it
// must not read files from elsewhere on the machine, nor write over the project around it
// ("output": ".", "model": ".."). `..` and symbolic links are resolved before the check. A path
// the user types on the command line (`synth -o`, `train --model`) is their own choice and does
// not come through here.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../diagnostics';
import { quoteForMessage } from '../formats/located';

/** `path` with every symbolic link of its existing part resolved (the rest kept as named). */
export function realPathOf(path: string): string {
  const missing: string[] = [];
  let existing = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(existing), ...missing);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** Whether `path` lies strictly inside `folder` (both already resolved). */
function isInside(folder: string, path: string): boolean {
  const r = relative(folder, path);
  return r !== '' && !isAbsolute(r) && r.split(sep)[0] !== '..';
}

/** Why `named` (at config key `key`) may not be used, or undefined when it lies inside the config's folder. */
export function outsideConfigFolder(configDir: string, named: string, key: string): string | undefined {
  const real = realPathOf(resolve(configDir, named));
  if (isInside(realPathOf(configDir), real)) return undefined;
  const where = real === realPathOf(configDir) ? "is the config's folder itself" : `leads to ${real}, outside the config's folder ${configDir}`;
  return `${key}: ${quoteForMessage(named)} ${where}; a config names only files inside its own folder (a path given on the command line may lie anywhere)`;
}

/** The path a config names at `key`, resolved against its folder; a user error when it leaves it. */
export function pathInConfigFolder(configDir: string, named: string, key: string): string {
  const why = outsideConfigFolder(configDir, named, key);
  if (why) throw new UserError(why);
  return resolve(configDir, named);
}
