// `latent-xrd explain --model`: the VAE is heard beside the decomposition, and the verdict reads
// the p-value the selection run chose (analysis/verdict.ts VERDICT_AGENTS) — a tiny model of three
// XRD-AutoAnalyzer phases (test/fixtures/xrd-autoanalyzer, MIT) and two of its measured spectra.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { agentsPValue } from '../../src/core/analysis/novelty-statistic';
import { VERDICT_AGENTS, verdictOfBothAgents } from '../../src/core/analysis/verdict';

const fixtures = join(__dirname, '../../../test/fixtures/xrd-autoanalyzer');

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

describe('latent-xrd explain --model: both agents', function () {
  this.timeout(600_000);

  it('scores each file with the VAE too, and the verdict reads the chosen p-value from both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-agents-cli-'));
    try {
      for (const f of ['MnO_225.cif', 'LiF_225.cif', 'TiO2_141.cif']) copyFileSync(join(fixtures, 'cif', f), join(dir, f));
      for (const f of ['MnO.xy', 'TiO2_MnO.xy']) copyFileSync(join(fixtures, 'spectra', f), join(dir, f));
      const config = {
        phases: [
          { name: 'MnO', cif: 'MnO_225.cif', count: 40 },
          { name: 'LiF', cif: 'LiF_225.cif', count: 40 },
          { name: 'TiO2 anatase', cif: 'TiO2_141.cif', count: 40 },
        ],
        mixtures: { role: 'known', pairs: 'known', pairCount: 8 },
        grid: { twoThetaMin: 10, twoThetaMax: 80, points: 2048 },
        radiation: 'CuKa',
        seed: 3,
        output: 'dataset.h5',
        training: { model: 'model', epochs: 2, batchSize: 64 },
      };
      writeFileSync(join(dir, 'latent-xrd.json'), JSON.stringify(config));
      const trained = await cli(dir, 'train', '--quick', '--json');
      assert.equal(trained.code, 0, trained.stderr);

      const r = await cli(dir, 'explain', '--model', 'model', 'MnO.xy', 'TiO2_MnO.xy', '--calibration', '5', '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      for (const result of out.results) {
        assert.ok(result.residualScore > 0 && result.residualScore <= 1, JSON.stringify(result));
        assert.ok(['known', 'novel'].includes(result.vae.verdict) && result.vae.pValue > 0 && result.vae.pValue <= 1);
        assert.equal(result.heard, VERDICT_AGENTS);
        assert.equal(result.pValue, agentsPValue(VERDICT_AGENTS, result.vae.pValue, result.residualScore));
        assert.equal(result.verdict, verdictOfBothAgents({ ...result.vae, latent: [0], bce: 0, bceExcess: 0, mse: 0 }, result.residualScore, 0.01).verdict);
      }
      // The table says whose p-value the verdict read.
      const table = await cli(dir, 'explain', '--model', 'model', 'MnO.xy', '--calibration', '5');
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /(KNOWN|NOVEL) \(p = [0-9.e-]+, (the VAE's p-value|the decomposition's residual p-value|both agents by Bonferroni); the VAE alone: (KNOWN|NOVEL), p = /);
      // Without a calibration the residual has no p-value: the VAE's alone is heard.
      const bare = JSON.parse((await cli(dir, 'explain', '--model', 'model', 'MnO.xy', '--calibration', '0', '--json')).stdout).results[0];
      assert.deepEqual([bare.heard, bare.pValue], ['vae', bare.vae.pValue]);
      // --threshold is the model's verdict's: refused without a model.
      const refused = await cli(dir, 'explain', '--cif', 'MnO_225.cif', 'MnO.xy', '--threshold', '0.05');
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--threshold needs --model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a non-finite residual p-value rather than deciding on it', () => {
    const score = { latent: [0], bce: 0, bceExcess: 0, mse: 0, pValue: 0.5 };
    assert.deepEqual(verdictOfBothAgents(score, undefined, 0.01), { verdict: 'known', pValue: 0.5, heard: 'vae' });
    assert.throws(() => verdictOfBothAgents(score, NaN, 0.01), /non-finite residual p-value/);
    for (const statistic of ['vae', 'residual', 'vaeOrResidual'] as const) assert.ok(agentsPValue(statistic, 0.5, 0.004) <= 0.5);
    assert.equal(agentsPValue('vaeOrResidual', 0.5, 0.004), 0.008);
  });
});
