// Builds every bundle with esbuild: the CLI, (later) the extension, worker and webview,
// and the unit tests. One script so `npm install` (prepare), `npm test` and CI build the same way.
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync, rmSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function filesUnder(dir, suffix) {
  const found = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return found; }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

const common = {
  define: { __LATENT_XRD_VERSION__: JSON.stringify(version) },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // h5wasm and tfjs stay in node_modules (the .vsix ships only their files Node loads, see
  // .vscodeignore): h5wasm is an ES module that finds itself through import.meta.url; the tfjs
  // wasm backend loads its .wasm files relative to itself, and tfjs-layers, the backends and the
  // optional native @tensorflow/tfjs-node must all share tfjs-core's one kernel registry, which a
  // copy bundled here would split. d3, jsonc-parser and protobufjs are bundled (protobufjs' optional
  // `long` is looked up at run time through an eval'd require, hence 'direct-eval' silenced).
  // onnxruntime-web (tests only) loads its .wasm beside itself too.
  external: ['@tensorflow/*', 'h5wasm', 'mocha', 'fast-check', 'ajv', 'onnxruntime-web'],
  logOverride: { 'direct-eval': 'silent' },
};

rmSync(join(root, 'out'), { recursive: true, force: true });
mkdirSync(join(root, 'out'), { recursive: true });

await build({
  ...common,
  entryPoints: { cli: join(root, 'src/cli/main.ts'), 'training-worker': join(root, 'src/worker/training-worker.ts'), 'generation-worker': join(root, 'src/worker/generation-worker.ts'), 'preview-worker': join(root, 'src/worker/preview-worker.ts'), 'scoring-worker': join(root, 'src/worker/scoring-worker.ts'), 'synth-worker': join(root, 'src/worker/synth-worker.ts'), 'training-shard-worker': join(root, 'src/worker/training-shard-worker.ts') },
  outdir: join(root, 'out'),
});

// The config schema is generated from the engine's own key lists (src/core/synth/schema.ts).
await build({
  ...common,
  entryPoints: { 'write-schema': join(root, 'scripts/write-schema.ts') },
  outdir: join(root, 'out'),
});
await import(join(root, 'out/write-schema.js'));

// The extension host bundle: `vscode` is provided by the host; TensorFlow.js stays external
// (and is loaded only on first use, through a dynamic import).
await build({
  ...common,
  entryPoints: { extension: join(root, 'src/extension/extension.ts') },
  external: [...common.external, 'vscode'],
  // jsonc-parser's CommonJS build is UMD with requires esbuild cannot follow; take its ES modules.
  mainFields: ['module', 'main'],
  outdir: join(root, 'out'),
});

// The webviews' one browser bundle (each page picks its view from <body data-view>).
await build({
  entryPoints: { webview: join(root, 'webview/main.ts') },
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  outdir: join(root, 'out'),
});

// Tests that run inside a real extension host (integration) and drive one from a browser (e2e).
await build({
  ...common,
  entryPoints: { 'test/integration/index': join(root, 'test/integration/index.ts') },
  external: [...common.external, 'vscode'],
  mainFields: ['module', 'main'],
  outdir: join(root, 'out'),
});

const testEntries = ['unit', 'adversarial', 'e2e'].flatMap((folder) => filesUnder(join(root, 'test', folder), '.test.ts'));
if (testEntries.length > 0) {
  await build({
    ...common,
    entryPoints: testEntries,
    outbase: join(root, 'test'),
    outdir: join(root, 'out/test'),
  });
}
console.log(`built cli, workers, extension, webview and ${testEntries.length} test files into ${relative(process.cwd(), join(root, 'out')) || 'out'}/`);
