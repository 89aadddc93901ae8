// Packages the extension as a .vsix with @vscode/vsce: the one way `npm run package`, `npm start`,
// the end-to-end tests and test/unit/vsix-package.test.ts make it. What goes in is decided by
// .vscodeignore (an allowlist); the bundles must be built first (`node scripts/build.mjs`).
// As a script: `node scripts/package.mjs [--no-build] [out.vsix]` builds (unless told not to),
// packages and prints vsce's summary line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/**
 * Runs `vsce package --out <vsix>` in the project folder. Returns vsce's output; throws with it
 * when vsce fails or warns (a warning is a Marketplace problem: a missing licence, unbundled
 * JavaScript, a relative link in the README …), unless `allowWarnings`.
 */
export function packageVsix(vsix, { allowWarnings = false } = {}) {
  const result = spawnSync(join(root, 'node_modules/.bin/vsce'), ['package', '--out', vsix], {
    cwd: root,
    encoding: 'utf8',
    // vsce asks "Do you want to continue? [y/N]" on some warnings: no terminal, no question.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`vsce package failed (exit ${result.status}):\n${output}`);
  const warnings = output.split('\n').filter((line) => /\bWARNING\b/.test(line));
  if (warnings.length > 0 && !allowWarnings) throw new Error(`vsce package warned:\n${warnings.join('\n')}`);
  return output;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2);
  const build = !args.includes('--no-build');
  const vsix = args.find((a) => !a.startsWith('--')) ?? join(root, 'latent-xrd.vsix');
  if (build) {
    const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  try {
    const output = packageVsix(vsix);
    const done = output.split('\n').find((line) => /DONE/.test(line));
    console.log(done ? done.trim() : output);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
