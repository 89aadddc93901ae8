// src/shared is the layer under all others: the webview (a browser) and the host, the workers
// and the CLI (Node) all run it. So it may import only itself and a few pure packages — nothing
// from Node, `vscode`, the DOM or another layer of the project — and it must compile with
// neither the DOM's nor Node's globals. (ESLint's import rules will enforce the same.)
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

const root = join(__dirname, '../../..');
const shared = join(root, 'src/shared');

/** Pure packages (no DOM, no Node) shared code may use. */
const ALLOWED_PACKAGES = ['d3-scale', 'd3-scale-chromatic'];

/** Every module specifier a TypeScript source names: static imports and re-exports, dynamic imports, requires. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** Why `specifier`, imported by the file at `file`, crosses the shared layer's boundary (undefined: it does not). */
function crossing(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    return target === shared || target.startsWith(shared + sep) ? undefined : `reaches outside src/shared (${relative(root, target)})`;
  }
  if (specifier.startsWith('node:')) return 'is a Node module';
  if (specifier === 'vscode') return 'is the VS Code API';
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  return ALLOWED_PACKAGES.includes(name) ? undefined : `is a package not known to be free of Node and the DOM (${name})`;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the shared layer (src/shared)', () => {
  it('the boundary check finds what crosses it', () => {
    const file = join(shared, 'example.ts');
    const source = [
      "import { readFileSync } from 'node:fs';",
      "import * as vscode from 'vscode';",
      "import type { PatternScore } from '../core/model/score-result';",
      "export { x } from './latent-map';",
      "const later = () => import('fs');",
      "import { scaleLinear } from 'd3-scale';",
    ].join('\n');
    const crosses = Object.fromEntries(specifiers(source).map((s) => [s, crossing(file, s) !== undefined]));
    assert.deepEqual(crosses, { 'node:fs': true, vscode: true, '../core/model/score-result': true, './latent-map': false, fs: true, 'd3-scale': false });
  });

  it('imports only itself and pure packages', () => {
    const files = sourcesUnder(shared);
    assert.ok(files.length >= 4, `the shared sources: ${files.map((f) => relative(root, f)).join(', ')}`);
    const problems = files.flatMap((f) => specifiers(readFileSync(f, 'utf8')).flatMap((s) => {
      const why = crossing(f, s);
      return why ? [`${relative(root, f)}: '${s}' ${why}`] : [];
    }));
    assert.deepEqual(problems, []);
  });

  it('compiles with neither DOM nor Node globals', function () {
    this.timeout(120_000);
    // src/shared/tsconfig.json: lib ES2022 only, no @types. A `document`, `window`, `process` or `Buffer` fails here.
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(shared, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    } catch (e) {
      assert.fail(`src/shared does not compile on its own:\n${(e as { stdout?: string }).stdout ?? e}`);
    }
  });
});
