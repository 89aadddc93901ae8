// latent-xrd bench measured: the whole path — models trained from the reference CIFs, the
// measured XRD-AutoAnalyzer spectra (test/fixtures/xrd-autoanalyzer, MIT) scored — at quick
// scale. The figures of the real run are in docs/measured-benchmark.md; here the bench must run
// on every spectrum and report what it says it reports.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCli } from '../../src/cli/main';
import { readMeasuredBenchDefinition } from '../../src/core/model/measured-bench';
import { measuredTable } from '../../src/cli/commands/bench';

const fixtures = join(__dirname, '../../../test/fixtures/xrd-autoanalyzer');

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: fixtures });
  return { code, stdout, stderr };
}

describe('latent-xrd bench measured', function () {
  this.timeout(600_000);

  it('trains the all-phase model and one per phase left out, and scores every measured spectrum', async () => {
    const r = await cli('bench', 'measured', '--quick', '--json');
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    const definition = readMeasuredBenchDefinition(join(fixtures, 'measured-bench.json'));
    assert.deepEqual(result.spectra.map((s: { file: string }) => s.file), Object.keys(definition.spectra));
    for (const s of result.spectra) {
      assert.equal(s.error, undefined, `${s.file}: ${s.error}`);
      assert.ok(['known', 'novel'].includes(s.verdict) && s.pValue > 0 && s.pValue <= 1, JSON.stringify(s));
      assert.ok(Object.keys(definition.phases).includes(s.nearestPhase));
    }
    // Eight spectra of known phases; the rates are shares of them.
    for (const key of ['falsePositiveRateKnown', 'phaseIdAccuracy', 'phaseSetAccuracy']) assert.ok(Number.isInteger(result[key] * 8) && result[key] >= 0 && result[key] <= 1, `${key} ${result[key]}`);
    assert.match(result.foreignNovel, /^[01]\/1$/);
    // Every phase is left out once; no spectrum holds rutile, so its fold has no AUROC.
    assert.deepEqual(result.heldOut.map((h: { phase: string }) => h.phase), Object.keys(definition.phases));
    const rutile = result.heldOut.find((h: { phase: string }) => h.phase === 'TiO2 rutile');
    assert.equal(rutile.auroc, undefined);
    assert.equal(rutile.positives, 0);
    const mno = result.heldOut.find((h: { phase: string }) => h.phase === 'MnO');
    assert.deepEqual([mno.positives, mno.negatives], [3, 5], 'MnO.xy, TiO2_MnO.xy and Li2MnO3_MnO_TiO2.xy hold MnO');
    const folds = result.heldOut.filter((h: { auroc?: number }) => h.auroc !== undefined);
    assert.equal(folds.length, 7);
    assert.ok(Math.abs(result.aurocHeldOutPhase - folds.reduce((s: number, h: { auroc: number }) => s + h.auroc, 0) / 7) < 1e-12);
    assert.ok(Math.abs(result.aurocHeldOutPhaseByError - folds.reduce((s: number, h: { aurocByError: number }) => s + h.aurocByError, 0) / 7) < 1e-12);
    // Every spectrum's p-value is Bonferroni's combination of its two halves (analysis/novelty-statistic.ts).
    for (const s of result.spectra) assert.equal(s.pValue, Math.min(1, 2 * Math.min(s.pValueError, s.pValueLines)), s.file);
    assert.ok(result.secondsPerSpectrum > 0 && result.secondsPerModel > 0);
    // The decomposition of every spectrum, against all eight phases; the accuracy is its share of exact sets.
    assert.deepEqual(result.decomposition.map((d: { file: string }) => d.file), Object.keys(definition.spectra));
    for (const d of result.decomposition) assert.equal(d.error, undefined, `${d.file}: ${d.error}`);
    assert.equal(result.phaseSetAccuracy, result.decomposition.filter((d: { exact: boolean; phases: string[] }) => d.exact && d.phases.length).length / 8);
    // The table (without --json) says the same.
    const table = measuredTable(result);
    assert.match(table, new RegExp(`falsePositiveRateKnown +${result.falsePositiveRateKnown}\\n`));
    assert.match(table, /spectra\/Li2MnO3_MnO_TiO2\.xy \(Li2MnO3 \+ MnO \+ TiO2 anatase\)/);
    assert.match(table, /TiO2 rutile +— +— +— +— +0\/0/);
  });

  it('the selection run compares the candidate statistics on synthetic sets as trained and widened, reading no spectrum', async () => {
    // No spectrum may be read: the definition's spectra are removed from a copy of the folder.
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-selection-'));
    cpSync(fixtures, dir, { recursive: true });
    rmSync(join(dir, 'spectra'), { recursive: true });
    const definition = JSON.parse(readFileSync(join(fixtures, 'measured-bench.json'), 'utf8'));
    writeFileSync(join(dir, 'measured-bench.json'), JSON.stringify({ ...definition, spectra: {} }));
    const r = await cli('bench', 'measured', join(dir, 'measured-bench.json'), '--selection', '--quick', '--json');
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.folds.length, Object.keys(definition.phases).length);
    for (const set of ['asTrained', 'widened']) {
      for (const statistic of ['bceExcess', 'unexplainedLines', 'bceOrLines']) {
        const m = result.statistics[set][statistic];
        for (const key of ['auroc', 'falsePositiveRate', 'truePositiveRate']) assert.ok(m[key] >= 0 && m[key] <= 1, `${set} ${statistic} ${key} ${m[key]}`);
        const mean = result.folds.reduce((sum: number, f: { statistics: Record<string, Record<string, { auroc: number }>> }) => sum + f.statistics[set][statistic].auroc, 0) / result.folds.length;
        assert.ok(Math.abs(m.auroc - mean) < 1e-12);
      }
    }
  });

  it('with --agents, hears the decomposition too: its residual p-value and both agents\' Bonferroni p, in the run and the selection run', async () => {
    // Three phases keep the many decompositions short: MnO and anatase, which spectra hold, and LiF.
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-agents-'));
    cpSync(fixtures, dir, { recursive: true });
    const full = JSON.parse(readFileSync(join(fixtures, 'measured-bench.json'), 'utf8'));
    const phases = { MnO: full.phases.MnO, 'TiO2 anatase': full.phases['TiO2 anatase'], LiF: full.phases.LiF };
    const spectra = { 'spectra/MnO.xy': ['MnO'], 'spectra/TiO2.xy': ['TiO2 anatase'], 'spectra/TiO2_MnO.xy': ['TiO2 anatase', 'MnO'], 'spectra/Li2CO3-ZrO2.xy': [] };
    writeFileSync(join(dir, 'three.json'), JSON.stringify({ ...full, phases, spectra }));

    const run = await cli('bench', 'measured', join(dir, 'three.json'), '--quick', '--agents', '--json');
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    for (const d of result.decomposition) assert.ok(d.residualScore > 0 && d.residualScore <= 1, JSON.stringify(d));
    const folds = result.heldOut.filter((h: { auroc?: number }) => h.auroc !== undefined);
    assert.deepEqual(folds.map((h: { phase: string }) => h.phase), ['MnO', 'TiO2 anatase'], 'no spectrum holds LiF');
    for (const h of folds) for (const key of ['aurocByResidual', 'aurocAgents']) assert.ok(h[key] >= 0 && h[key] <= 1, `${h.phase} ${key} ${h[key]}`);
    assert.ok(Math.abs(result.aurocHeldOutPhaseAgents - (folds[0].aurocAgents + folds[1].aurocAgents) / 2) < 1e-12);
    assert.ok(Number.isInteger(result.falsePositiveRateKnownAgents * 3));
    assert.match(measuredTable(result), /left out +AUROC +by error +by residual +both agents/);

    const selection = await cli('bench', 'measured', join(dir, 'three.json'), '--selection', '--quick', '--agents', '--json');
    assert.equal(selection.code, 0, selection.stderr);
    const chosen = JSON.parse(selection.stdout);
    for (const fold of chosen.folds) for (const set of ['asTrained', 'widened']) assert.ok(fold.agents[set].patterns >= 4 && fold.agents[set].patterns <= 6, `${fold.phase} ${set}: up to three of each class at quick scale, ${fold.agents[set].patterns}`);
    for (const set of ['asTrained', 'widened']) {
      for (const statistic of ['vae', 'residual', 'vaeOrResidual']) {
        const mean = chosen.folds.reduce((sum: number, f: { agents: Record<string, Record<string, { auroc: number }>> }) => sum + f.agents[set][statistic].auroc, 0) / chosen.folds.length;
        assert.ok(Math.abs(chosen.agents[set][statistic].auroc - mean) < 1e-12, `${set} ${statistic}`);
      }
    }
    assert.ok(['vae', 'residual', 'vaeOrResidual'].includes(chosen.agents.chosen));
  });

  it('refuses a definition that names a phase it does not list, or a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-measured-def-'));
    cpSync(fixtures, dir, { recursive: true });
    const definition = readMeasuredBenchDefinition(join(dir, 'measured-bench.json'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...definition, spectra: { 'spectra/MnO.xy': ['MnO', 'Fe'] } }));
    assert.throws(() => readMeasuredBenchDefinition(join(dir, 'bad.json')), /spectra\.spectra\/MnO\.xy: must list phases named in "phases"/);
    writeFileSync(join(dir, 'missing.json'), JSON.stringify({ ...definition, phases: { ...definition.phases, Fe: 'cif/Fe.cif' } }));
    assert.throws(() => readMeasuredBenchDefinition(join(dir, 'missing.json')), /phases\.Fe: no CIF at "cif\/Fe\.cif"/);
  });
});
