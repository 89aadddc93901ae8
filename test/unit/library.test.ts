import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Ajv from 'ajv';
import { initBackend } from '../../src/core/model/backend';
import { buildVae } from '../../src/core/model/vae';
import { Scorer } from '../../src/core/model/score';
import { saveModel } from '../../src/core/model/store';
import type { ModelSpec } from '../../src/core/model/architecture';
import { parseCollection, writeCollection, type Collection } from '../../src/core/formats/collection';
import { readNpy, writeNpy } from '../../src/core/library/npy';
import { qToTwoTheta, resampleOnto, CU_KALPHA1 } from '../../src/core/library/axis';
import { importFeGaPd } from '../../src/core/library/fe-ga-pd';
import { importNpy } from '../../src/core/library/npy-import';
import { importFolder } from '../../src/core/library/folder';
import { parseSampleTable } from '../../src/core/library/table';
import { compositionsFor, scoreCollection } from '../../src/core/library/score';
import { planWorkspaceConfig } from '../../src/core/synth/dataset';
import { phaseMapFromPlan, phasesAt, compositionsForRows, SINGLE_PHASE_RADIUS } from '../../src/core/synth/phase-map';
import { simulateSpread } from '../../src/core/synth/spread';
import { Random } from '../../src/core/util/random';
import { cli } from './cli.test';
import { testManifest } from './model-fixtures';

const root = join(__dirname, '../../..');
const fixture = (...p: string[]) => join(root, 'test/fixtures/libraries', ...p);
const example = (...p: string[]) => join(root, 'examples/materials-library', ...p);

/** The source's compositions, read here without the importer: whitespace columns after a header. */
function feGaPdCompositions(file = 'FeGaPd_CMP-all.txt'): number[][] {
  return readFileSync(fixture(file), 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).map(Number));
}

/** A float64 .npy's values, read here without the library's reader: the header length, then raw doubles. */
function rawNpyDoubles(path: string): { shape: number[]; values: Float64Array } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  assert.match(header, /'descr': '<f8'/);
  const shape = /\(([^)]*)\)/.exec(header)![1].split(',').filter((s) => s.trim()).map(Number);
  const values = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = bytes.readDoubleLE(10 + headerLength + 8 * i);
  return { shape, values };
}

const schema = () => new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(join(root, 'schemas/xrd-collection.schema.json'), 'utf8')));

function sumsToOne(c: Collection) {
  for (const s of c.samples) {
    const total = Object.values(s.composition!).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-12, `${s.id}: composition sums to ${total}`);
  }
}

describe('materials libraries: axes and .npy', () => {
  it('converts Q to 2θ by Bragg: Si 111 (d = 3.1356 Å) with Cu Kα1 is at 28.44°', () => {
    const d = 3.1356;
    assert.ok(Math.abs(qToTwoTheta((2 * Math.PI) / d, CU_KALPHA1) - 28.443) < 0.002);
    assert.ok(Math.abs(qToTwoTheta((4 * Math.PI * Math.SQRT1_2) / CU_KALPHA1, CU_KALPHA1) - 90) < 1e-9); // sin 45° → 2θ = 90°
    assert.ok(Number.isNaN(qToTwoTheta(9, CU_KALPHA1))); // past 4π/λ
  });

  it('reads what it writes, and refuses what it cannot read with the file named', () => {
    const values = [1.5, -2, 3e-7, 4, 5, 6];
    const a = readNpy(writeNpy([2, 3], values), 'a.npy');
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(Array.from(a.data), values);
    assert.throws(() => readNpy(new TextEncoder().encode('not numpy at all'), 'x.npy'), /x\.npy: byte 0: not a NumPy \.npy file/);
    const strings = Buffer.from(Buffer.from(writeNpy([1], [0])).toString('latin1').replace("'<f8'", "'<U5'"), 'latin1'); // a string dtype
    assert.throws(() => readNpy(strings, 's.npy'), /s\.npy: byte 10: dtype "<U5" is not numeric/);
    assert.throws(() => readNpy(writeNpy([4], [1, 2, 3, 4]).subarray(0, 100), 't.npy'), /t\.npy: byte 8: the header declares 118 bytes; the file ends after 90 \(it is cut off\)/);
  });

  it('resamples onto another axis linearly, holding the end values outside', () => {
    const out = resampleOnto(Float64Array.of(10, 11, 12), Float64Array.of(0, 10, 20), Float64Array.of(9, 10.5, 11.75, 13));
    assert.deepEqual(Array.from(out), [0, 5, 17.5, 20]);
  });
});

describe('materials libraries: importers', () => {
  it('Bi–Cu–V–O from NumPy arrays: 307 samples, compositions as composition.npy, Q (nm⁻¹) → 2θ at Cu Kα1, recorded', () => {
    const npy = (f: string) => ({ array: readNpy(readFileSync(fixture('Bi-Cu-V-O', f)), f), file: f });
    const { collection, notes } = importNpy({ intensities: npy('XRD.npy'), q: npy('Q.npy'), composition: npy('composition.npy'), elements: ['Bi', 'Cu', 'V'] });
    assert.equal(collection.samples.length, 307);
    const raw = rawNpyDoubles(fixture('Bi-Cu-V-O/composition.npy'));
    assert.deepEqual(raw.shape, [307, 3]);
    collection.samples.forEach((s, i) => {
      const row = raw.values.subarray(3 * i, 3 * i + 3);
      const total = row[0] + row[1] + row[2];
      assert.ok(Math.abs(total - 1) < 2e-4, 'the source rows sum to 1 within its rounding');
      ['Bi', 'Cu', 'V'].forEach((e, k) => assert.ok(Math.abs(s.composition![e] - row[k] / total) < 1e-12));
    });
    sumsToOne(collection);
    const q = rawNpyDoubles(fixture('Bi-Cu-V-O/Q.npy')).values;
    const xrd = rawNpyDoubles(fixture('Bi-Cu-V-O/XRD.npy'));
    assert.deepEqual(xrd.shape, [307, 1197]);
    assert.equal(collection.samples[306].intensity[1196], xrd.values[307 * 1197 - 1]);
    // Q is in nm⁻¹ (it runs to 47, past 4π/λ ≈ 8.16 Å⁻¹): 2θ = 2·asin(Qλ/4π) with Q/10 in Å⁻¹.
    const expected = (2 * Math.asin((q[0] / 10) * 1.54056 / (4 * Math.PI)) * 180) / Math.PI;
    assert.ok(Math.abs(collection.twoTheta[0] - expected) < 1e-12);
    assert.ok(collection.twoTheta[0] > 19.7 && collection.twoTheta[1196] < 70.4);
    assert.deepEqual(collection.source, { description: 'XRD.npy on the Q axis of Q.npy', axis: 'q', axisUnit: 'nm^-1', conversionWavelength: 1.54056 });
    assert.equal(collection.wavelength, 1.54056);
    assert.ok(notes.some((n) => /read as nm\^-1/.test(n)));
    // Written and read back, with the schema agreeing.
    const text = writeCollection(collection);
    assert.ok(schema()(JSON.parse(text)));
    const back = parseCollection(text, 'bicuv.xrd');
    assert.deepEqual(back.source, collection.source);
    assert.equal(back.note, collection.note);
    assert.equal(back.samples.length, 307);
  });

  it('Fe–Ga–Pd: compositions and intensities as the files give them, no wavelength or positions invented', () => {
    const { collection } = importFeGaPd(fixture('Fe-Ga-Pd'));
    const source = feGaPdCompositions();
    assert.equal(source.length, 278, 'the full composition table has every sample');
    assert.deepEqual(feGaPdCompositions('Fe-Ga-Pd/FeGaPd_CMP.txt'), source.slice(0, 24), 'the fixture slice is its first 24 rows');
    const rows = readFileSync(fixture('Fe-Ga-Pd/FeGaPd_XRD.txt'), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    assert.equal(collection.twoTheta.length, 551);
    assert.equal(collection.twoTheta[0], 37);
    assert.equal(collection.twoTheta[550], 48);
    // The fixture holds the first 24 patterns; the table all 278 compositions.
    assert.throws(() => importFeGaPd(join(root, 'test/fixtures/libraries/no-such')), /no such file/);
    assert.equal(collection.samples.length, 0 + rows.length - 1);
    collection.samples.forEach((s, i) => {
      assert.deepEqual(Array.from(s.intensity), rows[i + 1]);
      const total = source[i].reduce((a, b) => a + b, 0);
      ['Fe', 'Ga', 'Pd'].forEach((e, k) => assert.ok(Math.abs(s.composition![e] - source[i][k] / total) < 1e-12));
      assert.equal(s.x, undefined);
    });
    assert.equal(collection.wavelength, undefined);
    assert.equal(collection.source?.wavelengthStated, false);
    assert.match(collection.note!, /states neither the X-ray wavelength nor the samples' wafer positions/);
  });
});

// The fixture above holds a slice of the intensities (fixtures stay small); the committed
// example holds the whole library, imported by the same code.
describe('materials libraries: the committed imports', () => {
  it('examples/materials-library/fe-ga-pd.xrd has all 278 samples, compositions as FeGaPd_CMP.txt', () => {
    const c = parseCollection(readFileSync(example('fe-ga-pd.xrd'), 'utf8'), 'fe-ga-pd.xrd');
    const source = feGaPdCompositions();
    assert.equal(c.samples.length, 278);
    c.samples.forEach((s, i) => {
      const total = source[i].reduce((a, b) => a + b, 0);
      ['Fe', 'Ga', 'Pd'].forEach((e, k) => assert.ok(Math.abs(s.composition![e] - source[i][k] / total) < 1e-5, `${s.id} ${e}`));
    });
    sumsToOne(c);
    assert.ok(schema()(JSON.parse(readFileSync(example('fe-ga-pd.xrd'), 'utf8'))));
  });

  it('equals a fresh import of the full source', () => {
    const fresh = importFeGaPd(fixture('Fe-Ga-Pd-full')).collection;
    assert.equal(fresh.samples.length, 278);
    assert.equal(writeCollection(fresh), readFileSync(example('fe-ga-pd.xrd'), 'utf8'));
  });
});

describe('materials libraries: a folder of patterns and a sample table', () => {
  let dir: string;
  const xy = (axis: number[], f: (t: number) => number) => axis.map((t) => `${t} ${f(t)}`).join('\n') + '\n';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-library-'));
    const axis = Array.from({ length: 11 }, (_, i) => 20 + i);
    writeFileSync(join(dir, 'A1.xy'), xy(axis, (t) => t));
    writeFileSync(join(dir, 'A2.xy'), xy(axis, (t) => 2 * t));
    writeFileSync(join(dir, 'B1.xy'), xy(axis.map((t) => t + 0.5), (t) => t)); // another axis
    writeFileSync(join(dir, 'extra.xy'), xy(axis, () => 1));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads positions and at.% (semicolons, decimal commas), resamples a file on another axis and says so', () => {
    const table = 'name;x (mm);y (mm);Co;Ni\nA1;-5;0;50;50\nA2.xy;5;0;25,5;74,5\nB1;0;5;100;0\n';
    const { collection, notes } = importFolder(dir, { table: { text: table, file: 'samples.csv' }, waferDiameter: 100 });
    assert.deepEqual(collection.samples.map((s) => s.id), ['A1', 'A2', 'B1']);
    assert.deepEqual(collection.samples[1].composition, { Co: 0.255, Ni: 0.745 });
    assert.equal(collection.samples[2].y, 5);
    assert.equal(collection.twoTheta.length, 11);
    assert.equal(collection.samples[2].intensity[1], 21, 'B1 (intensity = its 2θ) interpolated onto the first axis at 21°');
    assert.equal(collection.samples[2].intensity[0], 20.5, 'below its range: its first value');
    assert.ok(notes.some((n) => /at\.%/.test(n)));
    assert.ok(notes.some((n) => /1 of 3 files have a different 2θ axis .*B1\.xy.*resampled linearly onto the first file's axis/.test(n)));
    assert.ok(notes.some((n) => /extra\.xy/.test(n)), 'the file the table leaves out is named');
    assert.match(collection.note!, /resampled/);
    const union = importFolder(dir, { table: { text: table, file: 'samples.csv' }, axis: 'union' }).collection;
    assert.equal(union.twoTheta[0], 20);
    assert.equal(union.twoTheta[union.twoTheta.length - 1], 30.5);
    const back = parseCollection(writeCollection(collection), 'lib.xrd');
    assert.deepEqual(back.samples.map((s) => [s.id, s.x, s.y]), collection.samples.map((s) => [s.id, s.x, s.y]));
  });

  it('locates bad rows and missing files as file:line:column', () => {
    const bad = 'file,x,y,Fe\nA1,1,2,0.5\nA2,abc,2,0.5\nA9,1,2,0.5\n';
    assert.throws(() => importFolder(dir, { table: { text: bad, file: 'pos.csv' } }), (e: Error) => /^pos\.csv:3:4: x \(mm\): not a number: "abc"$/m.test(e.message));
    const missing = 'file,x,y\nA1,1,2\n  A9 ,1,2\n';
    assert.throws(() => importFolder(dir, { table: { text: missing, file: 'pos.csv' } }), (e: Error) => /^pos\.csv:3:3: no pattern file "A9" in /m.test(e.message));
    const tabs = 'id\tFe\tGa\nA1\t0.5\t0.5\nA1\t0.2\t0.8\n';
    assert.throws(() => importFolder(dir, { table: { text: tabs, file: 't.tsv' } }), /t\.tsv:3:1: sample "A1" is listed twice \(first on line 2\)/);
    assert.throws(() => importFolder(dir, { table: { text: 'x,y\n1,2\n', file: 'n.csv' } }), /n\.csv:1:1: no sample column/);
    assert.match(parseSampleTable('file,x,y,Y\nA1,1,2,3\n', 'y.csv').table!.elements.join(), /^Y$/, 'a bare capital Y is yttrium');
  });

  it('names an unreadable pattern file with its line', () => {
    writeFileSync(join(dir, 'broken.xy'), '20 1\n21 2\n22 x\n');
    try {
      assert.throws(() => importFolder(dir, { table: { text: 'file\nbroken.xy\n', file: 'b.csv' } }), /broken\.xy:3:4: not a finite number: "x"/);
    } finally {
      rmSync(join(dir, 'broken.xy'));
    }
  });
});

describe('collections stay fast when large', () => {
  it('writes and parses 300 samples × 3,000 points in seconds, not minutes (no per-value location bookkeeping)', () => {
    const points = 3000;
    const random = new Random(3);
    const c: Collection = {
      title: 'big',
      kind: 'library',
      twoTheta: Float64Array.from({ length: points }, (_, i) => 10 + i * 0.02),
      samples: Array.from({ length: 300 }, (_, i) => ({ id: `s${i}`, x: i, y: -i, composition: { Fe: 0.5, Ga: 0.5 }, intensity: Float64Array.from({ length: points }, () => random.float() * 1000) })),
    };
    const t0 = performance.now();
    const text = writeCollection(c);
    const t1 = performance.now();
    const back = parseCollection(text, 'big.xrd');
    const t2 = performance.now();
    assert.equal(back.samples.length, 300);
    // Generous for a loaded CI machine: ~0.5 s each on an idle core here.
    assert.ok(t1 - t0 < 8000 && t2 - t1 < 8000, `write ${(t1 - t0).toFixed(0)} ms, parse ${(t2 - t1).toFixed(0)} ms`);
    // A problem in a large file is still located.
    const broken = text.replace('"id":"s299","x":299', '"id":"s299","x":"far"');
    assert.throws(() => parseCollection(broken, 'big.xrd'), /big\.xrd:\d+:\d+: samples\.299\.x: expected a number/);
  });
});

describe('the simulated Co–Ni–Cr–Re spread and its phase map', () => {
  const { plan, config } = planWorkspaceConfig(readFileSync(example('latent-xrd.json'), 'utf8'), example('latent-xrd.json'), 'latent-xrd.json');
  const elements = config.training!.compositionElements!;
  const map = phaseMapFromPlan(plan.phases, elements);
  const name = (phase: number) => plan.phases[phase].name;

  it('single phase at and near each region centre; lever-rule mixtures between two regions', () => {
    for (const p of map.phases) {
      const at = phasesAt(map, p.centre);
      assert.equal(at.region, 'single');
      assert.equal(name(at.shares[0].phase), p.name);
    }
    const [hcp, fcc] = map.phases;
    const mix = (t: number) => Array.from(hcp.centre, (v, i) => (1 - t) * v + t * fcc.centre[i]);
    const middle = phasesAt(map, mix(0.5));
    assert.equal(middle.region, 'two-phase');
    assert.deepEqual(middle.shares.map((s) => name(s.phase)).sort(), [hcp.name, fcc.name].sort());
    assert.ok(middle.atomFractions.every((a) => Math.abs(a - 0.5) < 1e-9), 'the midpoint of a tie-line is half and half, of the atoms');
    // The simulator draws volume fractions: half the atoms each is volume in proportion to each
    // phase's volume per atom, computed here from the CIFs' cells without the map.
    const perAtom = (phase: number) => {
      const { cell, atoms } = plan.phases[phase].structure;
      const volume = cell.a * cell.b * cell.c * Math.sqrt(1 - Math.cos((cell.alpha * Math.PI) / 180) ** 2 - Math.cos((cell.beta * Math.PI) / 180) ** 2 - Math.cos((cell.gamma * Math.PI) / 180) ** 2 + 2 * Math.cos((cell.alpha * Math.PI) / 180) * Math.cos((cell.beta * Math.PI) / 180) * Math.cos((cell.gamma * Math.PI) / 180));
      return volume / atoms.reduce((sum, a) => sum + a.occupancy, 0);
    };
    const [v0, v1] = middle.shares.map((s) => perAtom(s.phase));
    assert.ok(Math.abs(middle.shares[0].fraction - v0 / (v0 + v1)) < 1e-9, `volume fraction ${middle.shares[0].fraction} against ${v0 / (v0 + v1)}`);
    assert.ok(Math.abs(v0 - v1) > 0.01, 'the two phases differ in volume per atom, so this checks the conversion');
    // Lever rule: the amount of fcc grows linearly along the tie-line between the two boundaries.
    const gap = Math.hypot(...Array.from(hcp.centre, (v, i) => v - fcc.centre[i]));
    const t = (SINGLE_PHASE_RADIUS + 0.25 * (gap - 2 * SINGLE_PHASE_RADIUS)) / gap;
    const quarter = phasesAt(map, mix(t));
    const fccShare = quarter.atomFractions[quarter.shares.findIndex((s) => name(s.phase) === fcc.name)];
    assert.ok(Math.abs(fccShare - 0.25) < 1e-9, `fcc ${fccShare}`);
  });

  it('the committed spread: single-phase samples lie in their regions, the others are two-phase mixtures', () => {
    const c = parseCollection(readFileSync(example('co-ni-cr-re-spread.xrd'), 'utf8'), 'spread.xrd');
    const fresh = simulateSpread(plan, elements, { pitch: 6 });
    assert.equal(c.samples.length, fresh.collection.samples.length, 'the committed file is `latent-xrd wafer --pitch 6`');
    const counts: Record<string, number> = {};
    fresh.truth.regions.forEach((r, i) => {
      const s = fresh.collection.samples[i];
      const comp = elements.map((e) => s.composition![e]);
      const key = r.region === 'single' ? name(r.shares[0].phase) : r.shares.map((x) => name(x.phase)).sort().join(' + ');
      counts[key] = (counts[key] ?? 0) + 1;
      if (r.region === 'single') {
        const centre = map.phases.find((p) => p.phase === r.shares[0].phase)!.centre;
        assert.ok(Math.hypot(...comp.map((v, k) => v - centre[k])) <= SINGLE_PHASE_RADIUS);
      } else {
        assert.equal(r.shares.length, 2);
        assert.ok(Math.abs(r.shares[0].fraction + r.shares[1].fraction - 1) < 1e-12);
      }
      assert.ok(Math.abs(s.composition!.Co - c.samples[i].composition!.Co) < 1e-5);
    });
    for (const p of map.phases) assert.ok(counts[p.name] >= 10, `${p.name}: ${counts[p.name]} single-phase samples`);
    assert.ok(Object.keys(counts).filter((k) => k.includes('+')).length >= 4, JSON.stringify(counts));
    // The sample nearest the wafer centre (equal parts of all four) is a mixture.
    const centre = fresh.collection.samples.findIndex((s) => s.x === 0 && s.y === 0);
    assert.equal(fresh.truth.regions[centre].region, 'two-phase');
  });

  it('training compositions: pure rows inside their phase region, mixture rows by the lever rule', () => {
    const phases = plan.phases.length;
    const fractions = new Float32Array(3 * phases);
    fractions[0] = 1; // pure hcp
    fractions[phases + 1] = 1; // pure fcc
    fractions[2 * phases] = 0.5; // hcp + fcc, half and half
    fractions[2 * phases + 1] = 0.5;
    const c = compositionsForRows(map, fractions, phases, new Random(1));
    const n = elements.length;
    for (let r = 0; r < 3; r++) assert.ok(Math.abs(c.subarray(r * n, r * n + n).reduce((a, b) => a + b, 0) - 1) < 1e-6);
    const hcpCentre = map.phases[0].centre;
    assert.ok(Math.hypot(...Array.from(c.subarray(0, n), (v, k) => v - hcpCentre[k])) <= SINGLE_PHASE_RADIUS + 1e-6);
    assert.equal(phasesAt(map, c.subarray(0, n)).region, 'single');
    assert.equal(phasesAt(map, c.subarray(2 * n, 3 * n)).region, 'two-phase');
  });

  it('a mixture row\'s composition weighs its phases by their atoms, not their volumes: the lever rule both ways', () => {
    // Regions of radius 0: every phase's composition is its centre, so the round trip is exact.
    const point = phaseMapFromPlan(plan.phases, elements, 0);
    const [a, b] = point.phases;
    const composition = Array.from(a.centre, (v, i) => 0.3 * v + 0.7 * b.centre[i]);
    const region = phasesAt(point, composition);
    assert.ok(Math.abs(region.atomFractions[region.shares.findIndex((s) => s.phase === b.phase)] - 0.7) < 1e-9);
    const phases = plan.phases.length;
    const fractions = new Float32Array(phases);
    for (const s of region.shares) fractions[s.phase] = s.fraction;
    const back = compositionsForRows(point, fractions, phases, new Random(2));
    composition.forEach((v, i) => assert.ok(Math.abs(back[i] - v) < 1e-6, `element ${elements[i]}: ${back[i]} against ${v}`));
  });
});

describe('scoring a collection', () => {
  const spec: ModelSpec = { points: 64, hidden: [16, 8], latent: 2, compositionElements: ['Fe', 'Ga', 'Pd'], beta: 1 };
  const manifest = testManifest(spec, { grid: { min: 37, max: 48, points: 64 } });
  before(async () => {
    await initBackend('wasm');
  });

  it('scores every sample of an imported library with its composition fed to a cVAE', () => {
    const { collection } = importFeGaPd(fixture('Fe-Ga-Pd'));
    const scorer = new Scorer({ manifest, members: [buildVae(spec, 1)] });
    const { samples, compositionElements, steps } = scoreCollection(scorer, collection, {}, 10);
    assert.equal(samples.length, collection.samples.length);
    assert.deepEqual(compositionElements, ['Fe', 'Ga', 'Pd']);
    assert.ok(samples.every((s, i) => s.id === collection.samples[i].id && s.composition && s.latent.length === 2 && s.pValue > 0 && ['known', 'novel'].includes(s.verdict)));
    assert.match(steps.join(' '), /resampled 551 points/);
    // A composition changes a cVAE's reconstruction, so the same pattern scores differently.
    const swapped: Collection = { ...collection, samples: collection.samples.map((s) => ({ ...s, composition: { Fe: 0.1, Ga: 0.1, Pd: 0.8 } })) };
    assert.notEqual(scoreCollection(scorer, swapped).samples[0].bce, samples[0].bce);
    assert.throws(() => compositionsFor([{ id: 'q' }], ['Fe', 'Ga', 'Pd']), /needs every sample's composition; these have none: q/);
    assert.throws(() => compositionsFor([{ id: 'w', composition: { W: 1 } }], ['Fe', 'Ga', 'Pd']), /cannot score samples made mostly of other elements: w \(W 1\.000\)/);
  });
});

describe('latent-xrd import', () => {
  it('imports the Bi–Cu–V–O arrays and the Fe–Ga–Pd folder from the command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-import-'));
    try {
      const r = await cli('import', 'npy', '--xrd', 'test/fixtures/libraries/Bi-Cu-V-O/XRD.npy', '--q', 'test/fixtures/libraries/Bi-Cu-V-O/Q.npy', '--composition', 'test/fixtures/libraries/Bi-Cu-V-O/composition.npy', '--elements', 'Bi,Cu,V', '-o', join(dir, 'bcv.xrd'));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /wrote 307 samples × 1197 points \(307 with compositions, 0 with positions\)/);
      const f = await cli('import', 'fe-ga-pd', 'test/fixtures/libraries/Fe-Ga-Pd', '-o', join(dir, 'fgp.xrd'));
      assert.equal(f.code, 0, f.stderr);
      assert.equal(parseCollection(readFileSync(join(dir, 'fgp.xrd'), 'utf8')).samples.length, 24);
      const bad = await cli('import', 'npy', '--xrd', 'test/fixtures/libraries/Bi-Cu-V-O/XRD.npy', '--q', 'test/fixtures/libraries/Bi-Cu-V-O/Q.npy', '--q-unit', 'A^-1', '-o', join(dir, 'x.xrd'));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /Q = 14\.0066 A\^-1 is beyond 4π\/λ/);
      const none = await cli('import', 'zip');
      assert.match(none.stderr, /say what to import — folder, fe-ga-pd or npy \(not "zip"\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('latent-xrd score on a collection', () => {
  it('prints every sample with position, composition and score; a cVAE gets the compositions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-score-'));
    try {
      await initBackend('wasm');
      const spec: ModelSpec = { points: 32, hidden: [8], latent: 2, compositionElements: ['Fe', 'Ga', 'Pd'], beta: 1 };
      const manifest = testManifest(spec, { grid: { min: 37, max: 48, points: 32 } });
      await saveModel(join(dir, 'model'), [buildVae(spec, 1)], manifest);
      const { collection } = importFeGaPd(fixture('Fe-Ga-Pd'));
      collection.samples.forEach((s, i) => Object.assign(s, { x: i, y: -i }));
      writeFileSync(join(dir, 'lib.xrd'), writeCollection(collection));
      const r = await cli('score', '--model', join(dir, 'model'), join(dir, 'lib.xrd'), '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.kind, 'cvae');
      const c = out.collections[0];
      assert.deepEqual(c.compositionElements, ['Fe', 'Ga', 'Pd']);
      assert.equal(c.samples.length, 24);
      assert.deepEqual(Object.keys(c.samples[3]).slice(0, 5), ['id', 'x', 'y', 'composition', 'latent']);
      assert.equal(c.samples[3].x, 3);
      for (const k of ['bce', 'bceExcess', 'mse', 'pValue', 'verdict', 'nearestPhase', 'coverage']) assert.ok(k in c.samples[0], k);
      const text = await cli('score', '--model', join(dir, 'model'), join(dir, 'lib.xrd'));
      assert.match(text.stdout, /24 samples, \d+ novel \(compositions over Fe, Ga, Pd fed to the cVAE\)/);
      assert.match(text.stdout, /^ {2}4 at \(3\.0, -3\.0\) mm Fe0\.\d\d Ga0\.\d\d Pd0\.\d\d: (KNOWN|NOVEL)/m);
      // The map as the editor draws it: on the wafer here (the samples were given positions).
      const mapped = await cli('score', '--model', join(dir, 'model'), join(dir, 'lib.xrd'), '--map', join(dir, 'map.svg'), '--colour-by', 'pValue');
      assert.equal(mapped.code, 0, mapped.stderr);
      const svg = readFileSync(join(dir, 'map.svg'), 'utf8');
      assert.equal((svg.match(/class="sample"/g) ?? []).length, 24);
      assert.match(svg, /p-value/);
      assert.match(svg, /⌀ \d+ mm/);
      const wrong = await cli('score', '--model', join(dir, 'model'), join(dir, 'lib.xrd'), '--map', join(dir, 'x.svg'), '--colour-by', 'hue');
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /--colour-by must be error, pValue or phase/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
