// The physical decomposition (src/core/decomposition): the non-negative solve, weight fractions as
// Hill & Howard define them, mixtures drawn by the generator with known weight fractions, strains
// and textures recovered within stated tolerances, a phase outside the candidates left in the
// residual and its lines among the unexplained peaks, the measured XRD-AutoAnalyzer spectra
// (test/fixtures/xrd-autoanalyzer, MIT) explained with finite results, and `latent-xrd explain`
// on a hostile file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readStructureFile } from '../../src/core/crystal/structure';
import { crystalDensity } from '../../src/core/crystal/density';
import { solveNonNegative, type NormalEquations } from '../../src/core/decomposition/nnls';
import { weightFractions } from '../../src/core/decomposition/weight-fractions';
import { Explainer } from '../../src/core/decomposition/explain';
import { calibrateResidual } from '../../src/core/decomposition/calibration';
import { DEFAULT_AUGMENTATION, type AugmentationConfig } from '../../src/core/synth/augmentation';
import { Simulator } from '../../src/core/synth/simulator';
import type { PhaseModel } from '../../src/core/synth/phase';
import { radiationFor } from '../../src/core/synth/radiation';
import { volumeFractionsFromWeights, weightFractionsFromVolumes } from '../../src/core/synth/phase-scale';
import { Random } from '../../src/core/util/random';
import { readPatternFile } from '../../src/core/formats';
import { runCli } from '../../src/cli/main';
import { candidateFromCif, candidatesFromModel, mergeCandidates } from '../../src/core/decomposition/candidates';
import { PAPER_SPEC } from '../../src/core/model/architecture';
import { testManifest } from './model-fixtures';

const fixtures = join(__dirname, '../../../test/fixtures/xrd-autoanalyzer');
const cif = (name: string) => join(fixtures, 'cif', `${name}.cif`);
const phase = (name: string) => ({ name, structure: readStructureFile(cif(name)).structures[0] });
const grid = { min: 10, max: 80, points: 2048 };
const radiation = radiationFor('CuKa');

/** Normal equations of columns A (each a row of `columns`) and y. */
function normalEquations(columns: number[][], y: number[]): NormalEquations {
  const k = columns.length;
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) gram[i * k + j] = dot(columns[i], columns[j]);
    rhs[i] = dot(columns[i], y);
  }
  return { size: k, gram, rhs, yy: dot(y, y) };
}

describe('decomposition: non-negative least squares', () => {
  it('recovers a non-negative solution exactly and meets the KKT conditions when a coefficient would be negative', () => {
    const random = new Random(3);
    const m = 40;
    const columns = Array.from({ length: 5 }, () => Array.from({ length: m }, () => random.float()));
    const truth = [0.5, 2, 0, 1.5, -1]; // the last one free (a background term)
    const y = Array.from({ length: m }, (_, i) => columns.reduce((s, c, k) => s + truth[k] * c[i], 0));
    const eq = normalEquations(columns, y);
    const { x, rss } = solveNonNegative(eq, [true, true, true, true, false]);
    x.forEach((v, k) => assert.ok(Math.abs(v - truth[k]) < 1e-6, `x[${k}] = ${v}, expected ${truth[k]}`));
    assert.ok(rss < 1e-9);
    // A target that needs a negative first coefficient: that one is held at 0, and the gradient says no descent is left.
    const y2 = y.map((v, i) => v - 3 * columns[0][i]);
    const eq2 = normalEquations(columns, y2);
    const constrained = [true, true, true, true, false];
    const r2 = solveNonNegative(eq2, constrained);
    for (let k = 0; k < 5; k++) {
      let gradient = -eq2.rhs[k];
      for (let j = 0; j < 5; j++) gradient += eq2.gram[k * 5 + j] * r2.x[j];
      if (constrained[k]) {
        assert.ok(r2.x[k] >= 0);
        if (r2.x[k] === 0) assert.ok(gradient >= -1e-9, `column ${k} could still lower the residual (gradient ${gradient})`);
        else assert.ok(Math.abs(gradient) < 1e-7, `column ${k}: gradient ${gradient} at a free optimum`);
      } else assert.ok(Math.abs(gradient) < 1e-7);
    }
    assert.equal(r2.x[0], 0);
  });
});

describe('decomposition: weight fractions (Hill & Howard)', () => {
  it('w ∝ S·Z·M·V with S = v/V² gives the weight fractions phase-scale.ts draws mixtures from', () => {
    const structures = ['MnO_225', 'TiO2_141', 'Li2MnO3_12'].map((n) => readStructureFile(cif(n)).structures[0]);
    const densities = structures.map((s) => crystalDensity(s).density);
    const weights = [0.5, 0.3, 0.2];
    const volumes = volumeFractionsFromWeights(weights, densities, new Float64Array(3));
    const explainer = new Explainer({ phases: ['MnO_225', 'TiO2_141', 'Li2MnO3_12'].map(phase), grid, radiation });
    const scales = Array.from(volumes, (v, p) => v / explainer.cells[p].volume ** 2);
    const w = weightFractions(scales, explainer.cells, [true, true, true]);
    w.forEach((v, p) => assert.ok(Math.abs(v - weights[p]) < 1e-12, `${v} vs ${weights[p]}`));
    const back = weightFractionsFromVolumes(volumes, densities, new Float64Array(3));
    back.forEach((v, p) => assert.ok(Math.abs(v - w[p]) < 1e-12));
  });
});

/** A generator whose every draw has the given strain, texture and B (the rest as by default). */
function fixedAugmentation(overrides: Partial<AugmentationConfig>): AugmentationConfig {
  return { ...DEFAULT_AUGMENTATION, ...overrides };
}

/** One pattern drawn by the generator from `names` at weight fractions `weights`. */
function drawMixture(explainer: Explainer, augmentation: AugmentationConfig, names: string[], weights: number[], seed: number): Float32Array {
  const models = explainer.decomposer.models;
  const indices = names.map((n) => models.findIndex((m) => m.name === n));
  const simulator = new Simulator({ phases: models.map((m) => ({ ...m, textureAxes: augmentation.textureAxes, cos2ByAxis: augmentation.textureAxes.map((a) => m.cos2ByAxis[m.textureAxes.findIndex((b) => b.join() === a.join())]) })), grid, radiation, augmentation });
  const densities = indices.map((p) => explainer.cells[p].zm / explainer.cells[p].volume);
  const volumes = volumeFractionsFromWeights(weights, densities, new Float64Array(weights.length));
  const out = new Float32Array(grid.points);
  simulator.draw(indices.map((p, j) => ({ phase: p, fraction: volumes[j] })), new Random(seed), out);
  return out;
}

/** Each line's (family's) March–Dollase factor about texture axis `axis` at r, averaged over its reflections. */
function familyTextureFactors(model: PhaseModel, axis: number, r: number): number[] {
  const cos2 = model.cos2ByAxis[axis];
  return Array.from({ length: model.familyCount }, (_, f) => {
    let sum = 0;
    for (let i = model.familyStart[f]; i < model.familyStart[f + 1]; i++) sum += (r * r * cos2[i] + (1 - cos2[i]) / r) ** -1.5;
    return sum / (model.familyStart[f + 1] - model.familyStart[f]);
  });
}

/** The `count` families with the largest summed |F|² (the strongest lines, before Lorentz–polarisation). */
function strongestFamilies(model: PhaseModel, count: number): number[] {
  const strength = Array.from({ length: model.familyCount }, (_, f) => {
    let sum = 0;
    for (let i = model.familyStart[f]; i < model.familyStart[f + 1]; i++) sum += model.structureFactorSquared[i];
    return sum;
  });
  return strength.map((s, f) => [s, f]).sort((a, b) => b[0] - a[0]).slice(0, count).map(([, f]) => f);
}

describe('decomposition: synthetic mixtures with known weight fractions, strains and textures', function () {
  this.timeout(300_000);
  const names = ['MnO_225', 'TiO2_141', 'Mn2O3_206', 'LiF_225'];
  const explainer = new Explainer({ phases: names.map(phase), grid, radiation });

  // Tolerances, stated: weight fraction within 5 wt % (absolute: the target for the mean
  // error), lattice strain within 0.2 % (0.002: the zero shift and the sample displacement, drawn
  // too, move lines as a strain does), the texture's factor on each of anatase's six strongest lines
  // within 10 %. The patterns carry the generator's
  // noise, background, instrument and B variation; only strain and texture are fixed.
  const cases = [
    { phases: ['MnO_225', 'TiO2_141'], weights: [0.7, 0.3], strain: 0.012, seed: 11 },
    { phases: ['Mn2O3_206', 'TiO2_141'], weights: [0.4, 0.6], strain: -0.008, seed: 12 },
    { phases: ['MnO_225', 'Mn2O3_206', 'LiF_225'], weights: [0.5, 0.3, 0.2], strain: 0.005, seed: 13 },
  ];
  const errors: number[] = [];
  for (const c of cases) {
    it(`${c.phases.join(' + ')} at ${c.weights.join(' / ')} wt %, strain ${c.strain * 100} %, anatase textured [001] r 0.8`, () => {
      const augmentation = fixedAugmentation({
        isotropicStrain: { dist: 'constant', value: c.strain },
        anisotropicStrain: 0,
        textureProbability: 1,
        marchDollaseR: { dist: 'constant', value: 0.8 },
        textureAxes: [[0, 0, 1]],
        peakCounts: { dist: 'constant', value: 30000 },
      });
      const pattern = drawMixture(explainer, augmentation, c.phases, c.weights, c.seed);
      const e = explainer.explain(pattern);
      for (const p of e.phases) {
        const j = c.phases.indexOf(p.name);
        if (j < 0) {
          assert.equal(p.present, false, `${p.name} is not in the mixture (w ${p.fittedWeightFraction}, significance ${p.significance})`);
          continue;
        }
        assert.ok(p.present, `${p.name} is in the mixture`);
        errors.push(Math.abs(p.weightFraction - c.weights[j]));
        assert.ok(Math.abs(p.weightFraction - c.weights[j]) <= 0.05, `${p.name}: weight fraction ${p.weightFraction.toFixed(3)}, drawn ${c.weights[j]}`);
        for (const s of p.strain) assert.ok(Math.abs(s - c.strain) <= 0.002, `${p.name}: strain ${p.strain}, drawn ${c.strain}`);
        const cell = readStructureFile(cif(p.name)).structures[0].cell;
        assert.ok(Math.abs(p.cell.a / cell.a - 1 - c.strain) <= 0.002);
        if (p.name === 'TiO2_141') {
          // A powder shows a texture only through each line's intensity, the March–Dollase factor
          // averaged over the line's reflections, and in a tetragonal crystal r = 0.8 about [001]
          // and r ≈ 1.4 about [110] change the lines nearly alike: the fitted texture must scale
          // anatase's strong lines as the drawn one does, whichever axis it names.
          assert.ok(p.texture, 'anatase is textured');
          const model = explainer.decomposer.models[explainer.setup.phases.findIndex((q) => q.name === p.name)];
          const axisOf = (axis: number[]) => model.textureAxes.findIndex((a) => a.join() === axis.join());
          const drawn = familyTextureFactors(model, axisOf([0, 0, 1]), 0.8);
          const fitted = familyTextureFactors(model, axisOf(p.texture!.axis), p.texture!.marchDollaseR);
          for (const f of strongestFamilies(model, 6)) assert.ok(Math.abs(fitted[f] / drawn[f] - 1) <= 0.1, `anatase line ${f}: texture factor ${fitted[f].toFixed(3)}, drawn ${drawn[f].toFixed(3)} (${JSON.stringify(p.texture)})`);
        }
      }
      assert.ok(e.rwp > 0 && e.rwp < 0.2 && Number.isFinite(e.chi2));
    });
  }
  after(() => {
    if (errors.length) console.log(`      weight fraction errors (wt %): ${errors.map((v) => (100 * v).toFixed(1)).join(', ')}; mean ${((100 * errors.reduce((s, v) => s + v, 0)) / errors.length).toFixed(2)}`);
  });
});

describe('decomposition: a phase outside the candidates', function () {
  this.timeout(120_000);
  it('leaves its lines in the residual and among the unexplained peaks', () => {
    // Drawn: MnO with 35 wt % rutile; candidates: MnO and anatase only.
    const drawer = new Explainer({ phases: ['MnO_225', 'TiO2_136'].map(phase), grid, radiation });
    const pattern = drawMixture(drawer, fixedAugmentation({ textureProbability: 0, peakCounts: { dist: 'constant', value: 30000 } }), ['MnO_225', 'TiO2_136'], [0.65, 0.35], 21);
    const explainer = new Explainer({ phases: ['MnO_225', 'TiO2_141'].map(phase), grid, radiation });
    const e = explainer.explain(pattern);
    assert.ok(e.phases[0].present, 'MnO is found');
    // Rutile's strongest lines (Cu Kα1, pymatgen: 110 at 27.45°, 101 at 36.09°, 211 at 54.32°), within the generator's ±1 % strain and shifts.
    for (const line of [27.45, 36.09, 54.32]) {
      const peak = e.unexplainedPeaks.find((p) => Math.abs(p.twoTheta - line) < 0.6);
      assert.ok(peak, `rutile's line at ${line}° is not among the unexplained peaks: ${e.unexplainedPeaks.map((p) => p.twoTheta.toFixed(2)).join(', ')}`);
      const i = Math.round((peak.twoTheta - e.curves.twoTheta[0]) / ((grid.max - grid.min) / (grid.points - 1)));
      assert.ok(e.curves.residual[i] > 0.5 * (e.curves.observed[i] - e.curves.background[i]), `the residual at ${peak.twoTheta}° holds most of the line`);
    }
    // With rutile among the candidates the same lines are explained.
    const full = new Explainer({ phases: ['MnO_225', 'TiO2_141', 'TiO2_136'].map(phase), grid, radiation }).explain(pattern);
    assert.ok(full.phases[2].present && Math.abs(full.phases[2].weightFraction - 0.35) < 0.05, `rutile ${full.phases[2].weightFraction}`);
    assert.ok(!full.unexplainedPeaks.some((p) => Math.abs(p.twoTheta - 27.45) < 0.6));
    assert.ok(full.rwp < e.rwp);
  });
});

describe('decomposition: the measured XRD-AutoAnalyzer spectra', function () {
  this.timeout(600_000);
  it('explains every spectrum against the eight phases with finite results, and a calibrated residual p-value', () => {
    const names = ['MnO_225', 'Mn2O3_206', 'TiO2_141', 'TiO2_136', 'LiF_225', 'Li2MnO3_12', 'LiMnO2_59', 'MnO2_136'];
    const explainer = new Explainer({ phases: names.map(phase), grid, radiation });
    explainer.calibration = calibrateResidual(explainer, 4);
    assert.equal(explainer.calibration.rwp.length, 4);
    for (const file of ['MnO', 'Mn2O3', 'TiO2', 'LiMnO2', 'MnO2', 'Mn2O3_LiF', 'TiO2_MnO', 'Li2MnO3_MnO_TiO2', 'Li2CO3-ZrO2']) {
      const e = explainer.explainMeasured(readPatternFile(join(fixtures, 'spectra', `${file}.xy`)));
      assert.ok(Number.isFinite(e.rwp) && e.rwp > 0 && e.rwp < 1, `${file}: Rwp ${e.rwp}`);
      assert.ok(Number.isFinite(e.chi2) && e.chi2 > 0, `${file}: χ² ${e.chi2}`);
      assert.ok(e.residualScore! > 0 && e.residualScore! <= 1, `${file}: residual p ${e.residualScore}`);
      const present = e.phases.filter((p) => p.present);
      const total = present.reduce((s, p) => s + p.weightFraction, 0);
      assert.ok(present.length === 0 || Math.abs(total - 1) < 1e-9, `${file}: weight fractions sum to ${total}`);
      for (const p of e.phases) {
        for (const v of [p.cell.a, p.cell.b, p.cell.c, p.crystalliteSizeNm, p.microstrainX, p.significance, p.fittedWeightFraction]) assert.ok(Number.isFinite(v), `${file}: ${p.name}: ${JSON.stringify(p)}`);
        for (const s of p.strain) assert.ok(Math.abs(s) <= 0.04 + 1e-12);
      }
      for (const peak of e.unexplainedPeaks) assert.ok(peak.twoTheta >= 10 && peak.twoTheta <= 80 && peak.d > 0 && peak.relativeHeight > 0);
    }
  });
});

describe('decomposition: candidate phases from a model', () => {
  it('reads the model\'s phases from the config it was trained from; --cif adds or replaces by name; a missing config is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-candidates-'));
    try {
      const workspace = join(__dirname, '../../../test/fixtures/workspace');
      const manifest = testManifest({ ...PAPER_SPEC, points: 2048 }, { phases: ['Ni (Fm-3m)', 'Co (P6_3/mmc)'], training: { configPath: join(workspace, 'latent-xrd.json') } });
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const fromModel = candidatesFromModel(dir);
      assert.deepEqual(fromModel.phases.map((p) => p.name), ['Ni (Fm-3m)', 'Co (P6_3/mmc)']);
      assert.deepEqual(fromModel.grid, manifest.grid);
      assert.equal(fromModel.radiation.kalpha2 !== undefined, true, 'CuKa: the doublet');
      const cr = { ...candidateFromCif(join(workspace, 'Cr-bcc.cif')), name: 'Co (P6_3/mmc)' };
      const merged = mergeCandidates(fromModel.phases, [cr, candidateFromCif(cif('LiF_225'))]);
      assert.deepEqual(merged.map((p) => p.name), ['Ni (Fm-3m)', 'Co (P6_3/mmc)', 'LiF_225']);
      assert.equal(merged[1].structure, cr.structure, 'a CIF of the same name replaces the model\'s phase');
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, training: { configPath: join(dir, 'gone.json') } }));
      assert.throws(() => candidatesFromModel(dir), /gone\.json\) is not there any more: name the phases' CIFs with --cif/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('latent-xrd explain', function () {
  this.timeout(300_000);
  it('explains the readable files and reports a hostile one with its location, exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-explain-'));
    try {
      copyFileSync(join(fixtures, 'spectra', 'MnO.xy'), join(dir, 'MnO.xy'));
      writeFileSync(join(dir, 'hostile.xy'), '10 5\n10.01 nan\n10.02 7\n');
      writeFileSync(join(dir, 'empty.xy'), '');
      let stdout = '';
      let stderr = '';
      const code = await runCli(['explain', '--cif', cif('MnO_225'), '--cif', cif('LiF_225'), 'hostile.xy', 'MnO.xy', 'empty.xy', '--json', '--calibration', '0', '--range', '10:80', '--points', '2048'], { out: (t) => (stdout += t), err: (t) => (stderr += t), cwd: dir });
      assert.equal(code, 1, stderr);
      const out = JSON.parse(stdout);
      assert.deepEqual(out.candidates, ['MnO_225', 'LiF_225']);
      assert.deepEqual(out.results.map((r: { file: string }) => r.file), ['hostile.xy', 'MnO.xy', 'empty.xy']);
      assert.match(out.results[0].error, /hostile\.xy:2:7/);
      assert.match(out.results[2].error, /empty\.xy/);
      const mno = out.results[1];
      assert.equal(mno.error, undefined);
      assert.equal(mno.phases[0].name, 'MnO_225');
      assert.ok(mno.phases[0].present && mno.phases[0].weightFraction > 0.5);
      for (const key of ['rwp', 'chi2']) assert.ok(Number.isFinite(mno[key]));
      assert.ok(Array.isArray(mno.unexplainedPeaks));
      assert.equal(mno.residualScore, undefined, '--calibration 0: no residual score');
      for (const key of ['a', 'b', 'c', 'alpha', 'beta', 'gamma']) assert.ok(Number.isFinite(mno.phases[0].cell[key]));
      // Without candidates it says what to give.
      let err = '';
      assert.equal(await runCli(['explain', 'MnO.xy'], { out: () => undefined, err: (t) => (err += t), cwd: dir }), 2);
      assert.match(err, /--model DIR.*--cif/);
      // A CIF that is not there is named.
      err = '';
      assert.equal(await runCli(['explain', '--cif', 'missing.cif', 'MnO.xy'], { out: () => undefined, err: (t) => (err += t), cwd: dir }), 2);
      assert.match(err, /missing\.cif: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
