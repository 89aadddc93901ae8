// Entry point of the integration tests inside a real extension host: the workbench loads this
// file (extensionTestsPath) and awaits run(); its result is the test run's exit code.
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  // Bundled suites register with `describe`/`it` when imported: give them the globals first.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  await import('./extension.itest');
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
