// What `npm test` and `npm start` need from the machine beyond Node and npm, checked before they
// start rather than discovered minutes in: the compiler and headers code-server's native modules
// build against (only while code-server is not installed yet), Debian's Chromium for the
// integration and end-to-end tests, and a Python with h5py and numpy for the unit test that reads
// a dataset as Python users do. Each missing piece is named with the Debian package providing it.
// `node scripts/check-machine.mjs test|start` runs the check (`npm test` does, first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Tools found by name on the PATH, and libraries by their pkg-config module (any distribution). */
const BUILD_TOOLS = [
  { command: 'g++', debian: 'g++' },
  { command: 'make', debian: 'make' },
  { command: 'python3', debian: 'python3' },
  { command: 'pkg-config', debian: 'pkg-config' },
];
const BUILD_LIBRARIES = [
  { module: 'krb5-gssapi', debian: 'libkrb5-dev' },
  { module: 'xkbfile', debian: 'libxkbfile-dev' },
  { module: 'libsecret-1', debian: 'libsecret-1-dev' },
];

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** What code-server's installation compiles with (node-gyp: a C++ compiler, make, Python; the headers). */
export function missingBuildPackages() {
  const missing = BUILD_TOOLS.filter((t) => !onPath(t.command)).map((t) => ({ what: `${t.command} (to build code-server's native modules)`, debian: t.debian }));
  const pkgConfig = onPath('pkg-config');
  for (const library of BUILD_LIBRARIES) {
    // Without pkg-config the headers cannot be looked for; pkg-config itself is then listed above.
    if (pkgConfig && spawnSync('pkg-config', ['--exists', library.module], { stdio: 'ignore' }).status !== 0) {
      missing.push({ what: `the ${library.module} headers (to build code-server's native modules)`, debian: library.debian });
    }
  }
  return missing;
}

export function missingBrowser() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(chromium) ? [] : [{ what: `${chromium} (the integration and end-to-end tests run in it; CHROMIUM_PATH names another)`, debian: 'chromium' }];
}

/** The interpreters test/unit/h5py.test.ts tries, in its order. */
export function missingH5py() {
  const candidates = [process.env.LATENT_XRD_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean);
  const found = candidates.some((python) => spawnSync(python, ['-c', 'import h5py, numpy'], { stdio: 'ignore' }).status === 0);
  return found ? [] : [{ what: 'a Python with h5py and numpy (a unit test reads a dataset with h5py; LATENT_XRD_PYTHON names another interpreter)', debian: 'python3-h5py python3-numpy' }];
}

/** One message naming everything missing and the command that installs it; undefined when nothing is. */
export function describeMissing(missing) {
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.flatMap((m) => m.debian.split(' ')))];
  return [
    'This machine is missing what Latent XRD needs to go on:',
    ...missing.map((m) => `  - ${m.what}: Debian package ${m.debian}`),
    'Install it with:',
    '',
    `    sudo apt-get install -y ${packages.join(' ')}`,
    '',
    '(other distributions: the packages providing the same commands, headers and modules)',
  ].join('\n');
}

/** Everything `npm test` ('test') or `npm start` ('start') needs and this machine lacks. */
export function missingFor(purpose, { codeServerReady }) {
  return [...(codeServerReady ? [] : missingBuildPackages()), ...(purpose === 'test' ? [...missingBrowser(), ...missingH5py()] : [])];
}
