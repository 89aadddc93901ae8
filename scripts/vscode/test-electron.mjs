// The same integration suite in desktop VS Code, for machines that can download it
// (@vscode/test-electron fetches VS Code from update.code.visualstudio.com, which these build
// machines cannot reach; there `npm test` uses code-server instead). Run: npm run test:electron
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const workspace = join(mkdtempSync(join(tmpdir(), 'latent-xrd-electron-')), 'workspace');
cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/integration/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`desktop VS Code integration tests failed: ${e.message ?? e}`);
  console.error('(If VS Code could not be downloaded, run `npm run test:integration`, which uses code-server.)');
  process.exit(1);
}
