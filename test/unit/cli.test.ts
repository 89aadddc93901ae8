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

describe('latent-xrd peaks, simulate, synth, bench', () => {
  it('peaks --json prints pymatgen-shaped peaks', async () => {
    const r = await cli('peaks', 'test/fixtures/oracles/pymatgen-tests/CsCl.cif', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.wavelength, 1.54184);
    assert.ok(Math.abs(json.peaks[0].twoTheta - 21.107738329639844) < 1e-6);
    assert.deepEqual(json.peaks[0].hkls, [{ hkl: [1, 0, 0], multiplicity: 6 }]);
  });

  it('peaks honours --two-theta, --unscaled and --debye-waller', async () => {
    const w = 'test/fixtures/oracles/pymatgen-tests/W-bcc.cif';
    const r = await cli('peaks', w, '--unscaled', '--debye-waller', 'W=0.1526', '--two-theta', '30:50', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.peaks.length, 1);
    assert.ok(Math.abs(json.peaks[0].intensity / 2377745.2296686019 - 1) < 1e-9);
    const bad = await cli('peaks', w, '--two-theta', '50:30');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /MIN:MAX/);
  });

  it('simulate writes a 2-column pattern in [0, 1] on the asked grid', async () => {
    const r = await cli('simulate', 'examples/paper-demo/Ni-fcc.cif', '--points', '500', '--two-theta', '30:80', '--seed', '3');
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ').map(Number));
    assert.equal(rows.length, 500);
    assert.equal(rows[0][0], 30);
    assert.equal(rows[499][0], 80);
    assert.ok(rows.every(([, y]) => y >= 0 && y <= 1));
  });

  it('synth reports config errors with file:line:column', async () => {
    const r = await cli('synth', '--config', 'test/fixtures/config/bad-latent-xrd.json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-latent-xrd\.json:4:\d+: error: phases\.0\.count/);
  });

  it('bench synth --json reports speed and the naive ratio measured in the same run', async () => {
    const r = await cli('bench', 'synth', '--patterns', '300', '--naive', '20', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    for (const key of ['patternsPerSecond', 'naivePatternsPerSecond', 'speedupOverNaive']) assert.ok(json[key] > 0, key);
    assert.ok(json.maxDifferenceFromNaive < 0.02);
  });

  it('bench cif --json reports the parse speed as a ratio to a whitespace split of the same text', async () => {
    const r = await cli('bench', 'cif', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.bytes, 26749);
    for (const key of ['msPerParse', 'megabytesPerSecond', 'whitespaceSplitMs', 'parseToSplitRatio']) assert.ok(json[key] > 0, key);
  });
});
