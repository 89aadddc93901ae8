// The Marketplace package as users get it: `node scripts/package.mjs --no-build` (vsce, with
// .vscodeignore's allowlist) on the bundles `npm test` has just built. Checked: vsce does not warn;
// the package holds the licence, icon, changelog, every file package.json names and every worker
// bundle, and no sources, maps, tests or examples; its size stays within bounds; and, unpacked on
// its own (no repository node_modules to fall back on), every package the bundles load resolves
// inside it and starts (TensorFlow.js on its wasm backend, h5wasm), with no node_modules file
// shipped that Node does not load. That the packaged extension activates in VS Code and trains
// and scores is the end-to-end run's part (scripts/vscode/test-e2e.mjs installs this same package).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';

const root = join(__dirname, '..', '..', '..');
/** Bounds that catch a regression (node_modules shipped again, an example data set) with room to grow. */
const MAX_BYTES = 5_000_000;
const MIN_BYTES = 1_000_000; // the wasm binaries and h5wasm alone are more
const MAX_FILES = 120;

interface Probe {
  resolved: Record<string, string>;
  loaded: string[];
  read: string[];
  matMul: number[];
  backend: string;
  h5Ready: boolean;
}

/**
 * Loads, from inside the unpacked package, every package the bundles load, and starts them as
 * the workers do. Written into the package folder and run there, so resolution starts there.
 */
const PROBE = `
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const require = createRequire(import.meta.url);
const read = new Set();
const readFileSync = fs.readFileSync;
fs.readFileSync = function (p, ...rest) { if (typeof p === 'string') read.add(path.resolve(p)); return readFileSync.call(this, p, ...rest); };
const readFile = fs.promises.readFile;
fs.promises.readFile = function (p, ...rest) { if (typeof p === 'string') read.add(path.resolve(p)); return readFile.call(this, p, ...rest); };
try {
  const { required, imported } = JSON.parse(process.argv[2]);
  const resolved = {};
  for (const s of required) { resolved[s] = require.resolve(s); require(s); }
  for (const s of imported) { resolved[s] = fileURLToPath(import.meta.resolve(s)); await import(s); }
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-layers');
  require('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();
  const matMul = Array.from(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync());
  const h5 = await import('h5wasm/node');
  await h5.ready;
  process.stdout.write(JSON.stringify({ resolved, loaded: Object.keys(require.cache), read: [...read], matMul, backend: tf.getBackend(), h5Ready: true }));
} catch (e) {
  console.error(e.stack || String(e));
  process.exit(1);
}
`;

/** The packages a bundle loads at run time: `require("x")` and `import("x")` of neither a Node builtin, `vscode`, nor a relative path. */
function externalsOf(code: string): { required: string[]; imported: string[] } {
  const builtin = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const keep = (s: string) => !builtin.has(s) && !s.startsWith('node:') && !s.startsWith('.') && s !== 'vscode';
  const found = (re: RegExp) => [...new Set([...code.matchAll(re)].map((m) => m[1]))].filter(keep);
  return { required: found(/\brequire\("([^"]+)"\)/g), imported: found(/\bimport\("([^"]+)"\)/g) };
}

describe('the Marketplace package (.vsix)', function () {
  this.timeout(600_000);
  let scratch: string;
  let vsixBytes: number;
  let entries: Record<string, Uint8Array>;
  let names: string[];
  let unpacked: string;
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'latent-xrd-vsix-'));
    const vsix = join(scratch, 'latent-xrd.vsix');
    const packaged = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--no-build', vsix], { encoding: 'utf8' });
    // package.mjs fails on any vsce warning (licence, repository, unbundled JavaScript, relative links).
    assert.equal(packaged.status, 0, `packaging failed:\n${packaged.stdout}\n${packaged.stderr}`);
    vsixBytes = statSync(vsix).size;
    entries = unzipSync(readFileSync(vsix));
    names = Object.keys(entries).filter((n) => !n.endsWith('/'));
    unpacked = join(scratch, 'unpacked');
    for (const name of names) {
      const target = join(unpacked, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, entries[name]);
    }
    console.log(`      ${names.length} files, ${(vsixBytes / 1e6).toFixed(2)} MB`);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('has the Marketplace page: readme, licence, changelog, icon, repository and gallery banner', () => {
    for (const file of ['extension/package.json', 'extension/readme.md', 'extension/LICENSE.txt', 'extension/changelog.md', `extension/${manifest.icon}`]) {
      assert.ok(names.includes(file), `${file} is not in the package`);
    }
    assert.match(Buffer.from(entries['extension/LICENSE.txt']).toString(), /^MIT License/);
    assert.equal(manifest.license, 'MIT');
    assert.match(manifest.repository?.url ?? '', /^https:\/\//);
    assert.ok(manifest.galleryBanner?.color && manifest.galleryBanner?.theme);
    // A PNG of at least 128×128 pixels, as the Marketplace asks.
    const icon = Buffer.from(entries[`extension/${manifest.icon}`]);
    assert.equal(icon.subarray(1, 4).toString(), 'PNG');
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'icon smaller than 128×128');
  });

  it('holds every file package.json points at, and every bundle the extension starts', () => {
    const contributes = manifest.contributes;
    const named = [
      manifest.main,
      ...contributes.grammars.map((g: { path: string }) => g.path),
      ...contributes.languages.flatMap((l: { configuration?: string }) => (l.configuration ? [l.configuration] : [])),
      ...contributes.jsonValidation.map((j: { url: string }) => j.url),
      ...contributes.viewsContainers.activitybar.map((v: { icon: string }) => v.icon),
    ].map((p: string) => `extension/${p.replace(/^\.\//, '')}`);
    for (const file of named) assert.ok(names.includes(file), `${file} (named in package.json) is not in the package`);
    // Each worker the build makes, the webviews' page and its stylesheet.
    const bundles = readdirSync(join(root, 'out')).filter((f) => f.endsWith('-worker.js') || f === 'webview.js');
    assert.ok(bundles.length >= 6, `expected the workers and the webview bundle in out/, found ${bundles.join(', ')}`);
    for (const bundle of [...bundles.map((b) => `out/${b}`), 'media/webview.css']) assert.ok(names.includes(`extension/${bundle}`), `${bundle} is not in the package`);
  });

  it('holds no sources, source maps, tests, examples, CLI or caches', () => {
    const unwanted = names.filter((n) => /\.(ts|map)$|^extension\/(src|test|examples|scripts|docs|webview|bin|\.vscode-test|\.ci)\/|^extension\/out\/(cli|write-schema)\.js$|^extension\/out\/test\//.test(n));
    assert.deepEqual(unwanted, []);
  });

  it(`stays between ${MIN_BYTES / 1e6} and ${MAX_BYTES / 1e6} MB and under ${MAX_FILES} files`, () => {
    assert.ok(vsixBytes >= MIN_BYTES && vsixBytes <= MAX_BYTES, `${vsixBytes} bytes`);
    assert.ok(names.length <= MAX_FILES, `${names.length} files`);
  });

  it('runs on its own: every package the bundles load resolves inside it and starts, and nothing in node_modules ships that Node does not load', () => {
    const extension = join(unpacked, 'extension');
    const externals = { required: new Set<string>(), imported: new Set<string>() };
    for (const bundle of names.filter((n) => /^extension\/out\/[^/]+\.js$/.test(n))) {
      const found = externalsOf(Buffer.from(entries[bundle]).toString());
      found.required.forEach((s) => externals.required.add(s));
      found.imported.forEach((s) => externals.imported.add(s));
    }
    // The native TensorFlow backend is optional: never shipped, tried and passed over when absent.
    externals.required.delete('@tensorflow/tfjs-node');
    assert.ok(externals.required.has('@tensorflow/tfjs-backend-wasm') && externals.imported.has('h5wasm/node'), `the bundles' externals: ${JSON.stringify([...externals.required, ...externals.imported])}`);
    writeFileSync(join(extension, 'probe.mjs'), PROBE);
    const env = { ...process.env };
    delete env.NODE_PATH;
    const run = spawnSync(process.execPath, ['probe.mjs', JSON.stringify({ required: [...externals.required], imported: [...externals.imported] })], { cwd: extension, env, encoding: 'utf8' });
    assert.equal(run.status, 0, `the unpacked package could not load its packages:\n${run.stderr}`);
    const probe = JSON.parse(run.stdout) as Probe;
    for (const [specifier, file] of Object.entries(probe.resolved)) assert.ok(file.startsWith(extension), `${specifier} resolved outside the package: ${file}`);
    assert.equal(probe.backend, 'wasm');
    assert.deepEqual(probe.matMul, [3, 3, 3, 3]);
    assert.ok(probe.h5Ready);

    const loaded = new Set([...probe.loaded, ...probe.read]);
    const shipped = names.filter((n) => n.startsWith('extension/node_modules/')).map((n) => join(unpacked, n));
    // h5wasm is an ES module (not in require.cache): its package's Node build was imported above.
    const esm = (f: string) => f.includes('/node_modules/h5wasm/dist/node/');
    // The wasm backend reads its SIMD binary on a CPU with SIMD, the plain one otherwise: both ship.
    const wasmFallback = (f: string) => /tfjs-backend-wasm\/dist\/tfjs-backend-wasm(-simd)?\.wasm$/.test(f);
    const dead = shipped.filter((f) => /\.(js|cjs|mjs|wasm)$/.test(f) && !loaded.has(f) && !esm(f) && !wasmFallback(f));
    assert.deepEqual(dead, [], 'node_modules files shipped but never loaded');
    assert.ok(shipped.some((f) => loaded.has(f) && f.endsWith('.wasm')), 'no wasm binary was read from the package');
    // Everything else in node_modules is a package.json (for resolution) or a licence.
    const other = shipped.filter((f) => !/\.(js|wasm)$/.test(f) && !/\/package\.json$/.test(f) && !/\/LICEN[CS]E[^/]*$/.test(f));
    assert.deepEqual(other, []);
  });
});
