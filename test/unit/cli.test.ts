import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';

const root = join(__dirname, '../../..');

/** Runs the CLI in-process and captures what it prints. */
export async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: root });
  return { code, stdout, stderr };
}

describe('latent-xrd command line', () => {
  it('lists its commands', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /structure/);
  });

  it('rejects an unknown command on stderr with a non-zero exit', async () => {
    const r = await cli('frobnicate');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  describe('structure', () => {
    it('reports formula, cell, space group and sites as JSON (AMCSD hcp cobalt)', async () => {
      const r = await cli('structure', 'examples/paper-demo/Co-hcp.cif', '--json');
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.equal(json.structures.length, 1);
      const s = json.structures[0];
      assert.deepEqual(s.formula, { Co: 2 });
      assert.equal(s.cell.a, 2.5074);
      assert.equal(s.cell.gamma, 120);
      // V = a²c·sin(120°) = 22.160 Å³ as the file's own _cell_volume says
      assert.ok(Math.abs(s.cell.volume - 22.16) < 1e-3);
      assert.equal(s.spaceGroup.operations, 24);
      assert.equal(s.sites, 1);
    });

    it('fails with located diagnostics on stderr for a broken file', async () => {
      const r = await cli('structure', 'test/fixtures/cif/syntax/unclosed-quote.cif', '--json');
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /unclosed-quote\.cif:3:9: error: quoted string not closed/);
    });

    it('names a missing file', async () => {
      const r = await cli('structure', 'no/such.cif');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no\/such\.cif: no such file/);
    });
  });
});
