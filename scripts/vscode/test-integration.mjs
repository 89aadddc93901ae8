// Runs test/integration inside a real extension host: code-server serves VS Code with this
// folder as the extension under development (extensionDevelopmentPath) and the bundled suite as
// extensionTestsPath; Chromium opens the workbench; the workbench reports the suite's result
// through window.codeAutomationExit. A copy of test/fixtures/workspace is the workspace.
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { freePort, startCodeServer } from './code-server.mjs';
import { launchBrowser } from './browser.mjs';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const artifacts = join(root, 'test-artifacts', 'integration');
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });

const scratch = mkdtempSync(join(tmpdir(), 'latent-xrd-it-'));
const workspace = join(scratch, 'workspace');
cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
// Test-only fault injection (src/protocol/scoring.ts): the scoring worker sleeps forever on a file
// of this name, so the integration tests can show the time limit without depending on a bug.
// code-server's extension host, and the workers it starts, inherit the variable.
process.env.LATENT_XRD_TEST_STALL_FILE = 'stall-forever.xy';
const port = await freePort();
const serverLog = [];
const server = await startCodeServer({ port, userDataDir: join(scratch, 'user'), extensionsDir: join(scratch, 'extensions'), testDriver: true, log: (m) => serverLog.push(m) });
const browser = await launchBrowser();
let code = 1;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const finished = new Promise((resolve) => {
    void context.exposeFunction('codeAutomationExit', (exitCode) => resolve(exitCode));
  });
  // The suite's console output arrives printf-style (mocha's reporter), so format it as Node would.
  await context.exposeFunction('codeAutomationLog', (type, args) => {
    const list = Array.isArray(args) ? args : [args];
    const text = format(...list);
    if (!/AgentHost|ChatModel|AccountPolicy|ENOTFOUND|authentication provider 'github'/.test(text)) process.stdout.write(`${text}\n`);
  });
  const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(join(root, 'out/test/integration/index.js'))],
    // Opened by the workbench as it starts, before the extension host has read the extension:
    // the race of a file clicked in the first seconds (the suite's first test checks where it ends).
    ['openFile', remote(join(workspace, 'patterns', 'sigma-simulated.xy'))],
  ]);
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
  await page.goto(url);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 15 * 60_000));
  const result = await Promise.race([finished, timeout]);
  await page.screenshot({ path: join(artifacts, 'final.png') }).catch(() => {});
  if (result === 'timeout') {
    console.error('integration tests: no result from the workbench within 15 minutes');
    code = 1;
  } else code = Number(result);
} finally {
  writeFileSync(join(artifacts, 'code-server.log'), serverLog.join(''));
  await browser.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
console.log(code === 0 ? 'integration tests passed' : `integration tests failed (exit ${code}); code-server's log and a screenshot are in test-artifacts/integration/`);
process.exit(code);
