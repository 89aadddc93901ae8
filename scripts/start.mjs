// `npm start`: the working product in a browser, no VS Code needed. Builds the extension,
// trains a quick model on examples/paper-demo if it has none, packages and installs the
// extension into code-server (installed on first use into .vscode-test/), starts it on
// 127.0.0.1 with examples/paper-demo open, and prints the URL. Ctrl-C stops it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, codeServerInstalled, ensureCodeServer, freePort, installExtension, startCodeServer } from './vscode/code-server.mjs';
import { describeMissing, missingFor } from './prerequisites.mjs';
import { packageVsix } from './package.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const demo = join(root, 'examples/paper-demo');
const node = (...args) => execFileSync(process.execPath, args, { stdio: 'inherit', cwd: root });

// What the machine lacks is said first, not after a build, a training run and minutes of compiling.
const missing = describeMissing(missingFor('start', { codeServerReady: codeServerInstalled() }));
if (missing) {
  console.error(missing);
  process.exit(1);
}
console.log('building …');
node(join(root, 'scripts/build.mjs'));
if (!existsSync(join(demo, 'model/manifest.json'))) {
  console.log('\nno model in examples/paper-demo yet: training a quick one (latent-xrd train --quick, about a minute) …');
  node(join(root, 'bin/latent-xrd.js'), 'train', '--config', join(demo, 'latent-xrd.json'), '--quick');
}
ensureCodeServer((m) => console.log(m));
mkdirSync(cacheDir, { recursive: true });
const vsix = join(cacheDir, 'latent-xrd-demo.vsix');
console.log('\npackaging the extension …');
packageVsix(vsix);
const userDataDir = join(cacheDir, 'demo-user');
const extensionsDir = join(cacheDir, 'demo-extensions');
installExtension(vsix, { userDataDir, extensionsDir });
const port = Number(process.env.PORT ?? 0) || (await freePort());
// The demo is this project's own folder: opened trusted, so training works from the start.
const server = await startCodeServer({ port, userDataDir, extensionsDir, folder: demo });
const url = `${server.url}?folder=${encodeURIComponent(demo)}`;
console.log(`\nLatent XRD is running in VS Code (code-server) at\n\n    ${url}\n\nOpen it in a browser: the Latent XRD view is in the activity bar; try patterns/*.xy,`);
console.log('Ni-fcc.cif → "Open Pattern Preview to the Side", demo-wafer.xrd, and "Latent XRD: Train Model" from F1.');
console.log('Ctrl-C stops the server.');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
