// On a machine without the compiler and tools code-server's native modules build with, `npm start`
// and `npm test` say so first, with the apt-get line, and code-server's installer downloads nothing
// before saying it (scripts/prerequisites.mjs). The machine is imitated by a PATH holding only
// `sh` and `node`, and an empty cache folder (code-server not installed yet).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

describe('the machine check before npm start and npm test', () => {
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'latent-xrd-machine-'));
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    symlinkSync(process.execPath, join(bin, 'node'));
    mkdirSync(join(scratch, 'cache'));
    env = { ...process.env, PATH: bin, LATENT_XRD_VSCODE_TEST_DIR: join(scratch, 'cache'), CHROMIUM_PATH: join(scratch, 'no-chromium') };
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('names each missing tool with its Debian package and the one apt-get line', () => {
    const run = spawnSync(process.execPath, [join(root, 'scripts/check-machine.mjs'), 'start'], { env, encoding: 'utf8' });
    assert.equal(run.status, 1);
    for (const tool of ['g++', 'make', 'python3', 'pkg-config']) assert.match(run.stderr, new RegExp(`- ${tool.replace('+', '\\+')} \\(`));
    assert.match(run.stderr, /sudo apt-get install -y g\+\+ make python3 pkg-config\n/);
    // `start` needs no browser; `test` does.
    assert.doesNotMatch(run.stderr, /chromium/);
    const test = spawnSync(process.execPath, [join(root, 'scripts/check-machine.mjs'), 'test'], { env, encoding: 'utf8' });
    assert.equal(test.status, 1);
    assert.match(test.stderr, /Debian package chromium/);
  });

  it('stops code-server\'s installation before it downloads anything', () => {
    const run = spawnSync(process.execPath, [join(root, 'scripts/vscode/code-server.mjs'), 'install'], { env, encoding: 'utf8' });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /code-server cannot be installed yet/);
    assert.match(run.stderr, /sudo apt-get install -y g\+\+ make python3 pkg-config/);
    assert.deepEqual(readdirSync(join(scratch, 'cache')), []);
  });
});
