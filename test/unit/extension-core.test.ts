// The engine parts the extension stands on, tested without VS Code: the .xrd collection
// format (and its JSON Schema), the latent plane, CIF outline and hovers, the CIF preview,
// the simulated wafer, pattern reading, and the webview message validators.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import Ajv from 'ajv';
import { parseCollection, writeCollection, type Collection } from '../../src/core/formats/collection';
import { readPattern, isPatternFile, PATTERN_EXTENSIONS } from '../../src/core/formats';
import { latentPlane } from '../../src/core/analysis/latent-plane';
import { parseCif } from '../../src/core/cif';
import { cifHover, cifSymbols } from '../../src/core/cif/language';
import { previewCif, previewOptionsFromConfig } from '../../src/core/synth/structure-preview';
import { WAVELENGTHS } from '../../src/core/diffraction/wavelengths';
import { computePeaks } from '../../src/core/diffraction/peaks';
import { readStructureFile } from '../../src/core/crystal/structure';
import { simulateWafer } from '../../src/core/synth/wafer';
import { planWorkspaceConfig } from '../../src/core/synth/dataset';
import { UserError } from '../../src/core/diagnostics';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol/webview';
import { contentSecurityPolicy } from '../../src/extension/webview-csp';
import { SCORING_TIME_LIMIT_SECONDS } from '../../src/protocol/scoring';

const root = join(__dirname, '../../..');
const fixture = (...p: string[]) => join(root, 'test/fixtures', ...p);

function smallCollection(): Collection {
  return {
    title: 'two samples',
    kind: 'library',
    wavelength: 1.540562,
    waferDiameter: 100,
    twoTheta: Float64Array.from([20, 20.5, 21]),
    samples: [
      { id: 'A1', x: -10, y: 5, composition: { Fe: 0.25, Ga: 0.75 }, intensity: Float64Array.from([1, 2, 3]) },
      { id: 'A2', intensity: Float64Array.from([3, 2, 1]), flagged: true, note: 'cracked' },
    ],
  };
}

describe('.xrd collections', () => {
  it('round-trips through writeCollection and parseCollection', () => {
    const c = smallCollection();
    const back = parseCollection(writeCollection(c), 'two.xrd');
    assert.equal(back.title, c.title);
    assert.deepEqual(Array.from(back.twoTheta), [20, 20.5, 21]);
    assert.equal(back.samples.length, 2);
    assert.deepEqual(back.samples[0].composition, { Fe: 0.25, Ga: 0.75 });
    assert.equal(back.samples[0].x, -10);
    assert.equal(back.samples[1].flagged, true);
    assert.equal(back.samples[1].note, 'cracked');
    assert.deepEqual(Array.from(back.samples[1].intensity), [3, 2, 1]);
  });

  it('normalises compositions to fractions that sum to 1', () => {
    const text = writeCollection(smallCollection()).replace('"Fe":0.25,"Ga":0.75', '"Fe":1,"Ga":3');
    assert.deepEqual(parseCollection(text).samples[0].composition, { Fe: 0.25, Ga: 0.75 });
  });

  it('says where a collection is broken: file, line and column', () => {
    const text = writeCollection(smallCollection()).replace('[3,2,1]', '[3,"x",1]');
    assert.throws(
      () => parseCollection(text, 'bad.xrd'),
      (e: unknown) => e instanceof UserError && /^bad\.xrd:\d+:\d+: samples\.1\.intensity\.1: not a finite number \(sample A2, point 2\)/.test(e.message) && e.diagnostics[0].range!.line === text.split('\n').findIndex((l) => l.includes('"x",1')) + 1,
    );
    assert.throws(() => parseCollection('{"format": "latent-xrd-collection", "grid": {"min": 1, "max": 2, "points": 3}, "samples": [{"intensity": [1, 2]}]}', 'short.xrd'), /has 2 points but the 2θ axis has 3/);
    assert.throws(() => parseCollection('{ "format": ', 'cut.xrd'), /cut\.xrd:1:\d+: not valid JSON/);
  });

  it('agrees with its JSON Schema on what is valid (the schema drives the editor, the parser the tool)', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas/xrd-collection.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const good = JSON.parse(writeCollection(smallCollection())) as Record<string, unknown>;
    assert.ok(validate(good), JSON.stringify(validate.errors));
    const wafer = JSON.parse(readFileSync(fixture('workspace/wafer.xrd'), 'utf8'));
    assert.ok(validate(wafer), JSON.stringify(validate.errors));
    for (const bad of [{ ...good, format: 'other' }, { ...good, samples: [] }, { ...good, samples: [{ id: 'x', intensity: [1, 2, 3], colour: 'red' }] }]) {
      assert.equal(validate(bad), false);
      assert.throws(() => parseCollection(JSON.stringify(bad)));
    }
  });
});

describe('pattern files', () => {
  it('reads by extension, refuses binary data with the file named', () => {
    assert.ok(isPatternFile('a/b/Scan.XY') && isPatternFile('x.xye') && !isPatternFile('x.cif'));
    const p = readPattern(readFileSync(fixture('workspace/patterns/TiO2-measured.xy')), 'TiO2-measured.xy');
    assert.equal(p.twoTheta[0], 10);
    assert.equal(p.twoTheta.length, 9001);
    assert.throws(() => readPattern(Uint8Array.from([0x50, 0, 1, 2]), 'scan.raw'), /^UserError: scan\.raw: a binary file|scan\.raw: a binary file/);
  });

  it('locates the bad line of a malformed file', () => {
    assert.throws(() => readPattern(readFileSync(fixture('workspace/patterns/malformed.xy')), 'malformed.xy'), /malformed\.xy:42:6: not a finite number: "not-a-number"$/);
  });
});

describe('the latent plane', () => {
  it('is the latent itself for a 2-D model', () => {
    const plane = latentPlane([1, 2, 3, 4], 2);
    assert.deepEqual(Array.from(plane.project([5, 6])), [5, 6]);
    assert.deepEqual(plane.axes, ['z₁', 'z₂']);
  });

  it('is the two principal axes of the reference for a larger latent', () => {
    // Points spread along (1, 1, 0, 0) most, then (0, 0, 1, 0); the 4th axis is flat.
    const ref: number[] = [];
    for (let i = -20; i <= 20; i++) for (const j of [-1, 1]) ref.push(i * 0.5, i * 0.5, j * 0.7, 0);
    const plane = latentPlane(ref, 4);
    const [a, b] = plane.project([1, 1, 0, 0]);
    assert.ok(Math.abs(Math.abs(a) - Math.SQRT2) < 1e-6, `first axis along (1,1,0,0): ${a}`);
    assert.ok(Math.abs(b) < 1e-6);
    const [c, d] = plane.project([0, 0, 1, 0]);
    assert.ok(Math.abs(c) < 1e-6 && Math.abs(Math.abs(d) - 1) < 1e-6, `${c} ${d}`);
  });
});

describe('CIF outline and hovers', () => {
  const text = readFileSync(join(root, 'examples/paper-demo/Co-hcp.cif'), 'utf8');
  const file = parseCif(text);
  /** The hover as the editor emphasises it (its parts are text; only ** is added). */
  const shown = (hover: NonNullable<ReturnType<typeof cifHover>>) => hover.paragraphs.map((parts) => parts.map((p) => (p.strong ? `**${p.text}**` : p.text)).join('')).join('\n\n');

  it('outlines data blocks with their loops', () => {
    const symbols = cifSymbols(file);
    assert.equal(symbols.length, 1);
    assert.match(symbols[0].name, /^data_/);
    assert.ok(symbols[0].children.some((s) => s.name === 'loop_ _atom_site'));
    assert.ok(symbols[0].range.endLine > symbols[0].range.line);
  });

  it('hovers a cell length with the derived volume (hcp Co: 22.16 Å³, as its _cell_volume)', () => {
    const lines = text.split(/\r?\n/);
    const line = lines.findIndex((l) => l.startsWith('_cell_length_a')) + 1;
    const hover = cifHover(file, line, 3);
    assert.ok(hover);
    assert.match(shown(hover), /Derived cell volume: \*\*22\.16\d Å³\*\*/);
  });

  it('hovers an atom site with its element and multiplicity (Co at 2c of P6₃/mmc: 2)', () => {
    const lines = text.split(/\r?\n/);
    const row = lines.findIndex((l) => /^Co\s+0\.33333/.test(l)) + 1;
    const hover = cifHover(file, row, 2);
    assert.ok(hover, 'a hover on the site row');
    assert.match(shown(hover), /Site \*\*Co\d*\*\*: Co/);
    assert.match(shown(hover), /Multiplicity in the cell: \*\*2\*\*/);
  });

  it('gives the file\'s own words (tags, site labels) as text parts, for the editor to escape', () => {
    const ni = readFileSync(fixture('workspace', 'Ni-fcc.cif'), 'utf8');
    const hostile = ni.replace(/^Ni1 Ni /m, "'[x](https://example.com)' Ni ");
    const row = hostile.split(/\r?\n/).findIndex((l) => l.startsWith("'[x]")) + 1;
    assert.ok(row > 0, 'the fixture has a site row to rename');
    const hover = cifHover(parseCif(hostile), row, 2);
    assert.ok(hover, 'a hover on the renamed site');
    assert.deepEqual(
      hover.paragraphs.flat().find((p) => p.text.includes('[x]')),
      { text: '[x](https://example.com)', strong: true },
    );
    assert.match(shown(hover), /Multiplicity in the cell: \*\*4\*\*/);
  });
});

describe('the CIF preview', () => {
  it('shows the same peaks as `latent-xrd peaks`, an ideal pattern on [0, 1], and seeded variations', () => {
    const path = join(root, 'examples/paper-demo/Ni-fcc.cif');
    const { previewers, diagnostics } = previewCif(readFileSync(path, 'utf8'));
    assert.equal(diagnostics.filter((d) => d.severity === 'error').length, 0);
    const { preview } = previewers[0];
    const reference = computePeaks(readStructureFile(path).structures[0], { wavelength: preview.wavelength, twoThetaRange: [20, 90] }).peaks;
    assert.deepEqual(preview.peaks.map((p) => p.twoTheta), reference.map((p) => p.twoTheta));
    assert.equal(preview.peaks[0].hkl, '(1 1 1)');
    assert.equal(preview.summary.spaceGroupNumber, 225);
    assert.ok(Math.abs(preview.summary.volume - 43.756) < 1e-3);
    assert.equal(Math.max(...preview.ideal), 1);
    const a = previewers[0].drawVariations(2, 5);
    const b = previewers[0].drawVariations(2, 5);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0], a[1]);
  });

  it('draws on the grid, with the radiation and the variation of the workspace\'s latent-xrd.json, around its calibrated instrument', () => {
    const cif = readFileSync(join(root, 'examples/paper-demo/Ni-fcc.cif'), 'utf8');
    const config = (instrument: string) =>
      JSON.stringify({ phases: [{ cif: 'Ni-fcc.cif', count: 1 }], grid: { twoThetaMin: 30, twoThetaMax: 80, points: 1001 }, radiation: 'CuKa1', ...(instrument ? { instrument: JSON.parse(instrument) } : {}) });
    const plain = previewOptionsFromConfig(config(''), 'latent-xrd.json');
    assert.equal(plain.note, 'drawn as latent-xrd.json draws its training patterns');
    const { preview } = previewCif(cif, plain.options).previewers[0];
    assert.deepEqual(preview.grid, { min: 30, max: 80, points: 1001 });
    assert.equal(preview.wavelength, WAVELENGTHS.CuKa1);
    // A calibrated zero shift of 0.5° (±0.02° around it) moves every drawn line by about that much.
    const shifted = previewOptionsFromConfig(config('{ "zeroShiftDeg": 0.5, "calibration": { "by": "latent-xrd calibrate" } }'), 'latent-xrd.json');
    assert.match(shifted.note, /around its calibrated instrument/);
    const centroid = (y: ArrayLike<number>, grid: { min: number; max: number; points: number }) => {
      // Ni 111 (44.5°): the intensity-weighted mean 2θ within ±1.5°.
      const step = (grid.max - grid.min) / (grid.points - 1);
      let sum = 0;
      let weight = 0;
      for (let i = 0; i < grid.points; i++) {
        const t = grid.min + i * step;
        if (Math.abs(t - 44.5) < 1.5) {
          sum += t * y[i];
          weight += y[i];
        }
      }
      return sum / weight;
    };
    const meanShift = (options: ReturnType<typeof previewOptionsFromConfig>['options']) => {
      const previewer = previewCif(cif, options).previewers[0];
      const ideal = centroid(previewer.preview.ideal, previewer.preview.grid);
      const drawn = previewer.drawVariations(8, 3);
      return drawn.reduce((s, y) => s + centroid(y, previewer.preview.grid) - ideal, 0) / drawn.length;
    };
    const calibrated = meanShift(shifted.options);
    assert.ok(Math.abs(Math.abs(calibrated) - 0.5) < 0.15, `mean shift of Ni 111 around a 0.5° zero: ${calibrated}°`);
    assert.ok(Math.abs(meanShift(plain.options)) < 0.2);
    // A config with errors leaves the defaults, and says so.
    const broken = previewOptionsFromConfig('{ "phases": 3 }', 'latent-xrd.json');
    assert.deepEqual(broken.options, {});
    assert.match(broken.note, /^latent-xrd\.json has errors \(.*\): the preview draws with its own defaults$/);
  });

  it('never throws on a broken CIF: diagnostics say why', () => {
    const { previewers, diagnostics } = previewCif(readFileSync(fixture('workspace/broken-loop.cif'), 'utf8'));
    assert.equal(previewers.length, 0);
    assert.ok(diagnostics.some((d) => d.severity === 'error' && d.range));
  });
});

describe('the simulated wafer', () => {
  it('puts single-phase samples near the sources, the unknown phase in the centre, all inside the wafer', () => {
    const configPath = fixture('workspace/latent-xrd.json');
    const { plan } = planWorkspaceConfig(readFileSync(configPath, 'utf8'), configPath, 'latent-xrd.json');
    const { collection, truth } = simulateWafer(plan, ['Ni', 'Cr', 'Co'], { pitch: 20 });
    assert.equal(collection.samples.length, truth.region.length);
    const centre = collection.samples.findIndex((s) => s.x === 0 && s.y === 0);
    assert.equal(truth.region[centre], 'unknown');
    const top = collection.samples.reduce((best, s, i) => ((s.y ?? 0) > (collection.samples[best].y ?? 0) ? i : best), 0);
    assert.equal(truth.region[top], 'single');
    assert.ok((collection.samples[top].composition!.Ni ?? 0) >= 0.5, 'the top of the wafer is Ni-rich (source at 90°)');
    for (const s of collection.samples) {
      assert.ok(Math.hypot(s.x!, s.y!) <= 50);
      const sum = Object.values(s.composition!).reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9);
    }
    assert.doesNotThrow(() => parseCollection(writeCollection(collection)));
  });
});

describe('webview messages', () => {
  it('accepts the messages of the protocol', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.ok(parseWebviewMessage({ type: 'drawVariations', block: 0, count: 3, seed: 7 }));
    assert.ok(parseWebviewMessage({ type: 'reply', inReplyTo: 2, method: 'rasterize', result: { png: 'iVBOR' } }));
    assert.ok(parseWebviewMessage({ type: 'collectionView', view: { by: 'pValue', layout: 'composition', corners: ['Fe', 'Ga', 'Pd'] } }));
    assert.ok(parseHostMessage({ type: 'error', title: 't', message: 'm', problems: [] }));
  });

  it('rejects anything else, whatever a page sends', () => {
    assert.equal(parseWebviewMessage({ type: 'drawVariations', block: 0, count: 1e9, seed: 7 }), undefined);
    assert.equal(parseWebviewMessage({ type: 'openFile' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'toString' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'reply', inReplyTo: 1, method: 'rasterize' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'collectionView', view: { by: 'pValue', layout: 'composition', corners: ['Fe', 'Ga'] } }), undefined);
    assert.equal(parseWebviewMessage({ type: 'collectionView', view: { by: 'colour', layout: 'wafer' } }), undefined);
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const m = parseWebviewMessage(value);
        return m === undefined || (typeof m === 'object' && typeof (m as { type: unknown }).type === 'string');
      }),
    );
    fc.assert(fc.property(fc.object(), (o) => parseWebviewMessage({ ...o, type: 'selectSample', index: -1 }) === undefined));
  });
});

describe('the webviews\' Content-Security-Policy', () => {
  const csp = contentSecurityPolicy('https://webview.example', 'abc123');
  const directive = (name: string) => csp.split(/;\s*/).find((d) => d.startsWith(`${name} `));

  it('allows nothing by default, scripts only by nonce, styles and fonts only from the extension', () => {
    assert.equal(directive('default-src'), "default-src 'none'");
    assert.equal(directive('script-src'), "script-src 'nonce-abc123'");
    assert.equal(directive('style-src'), 'style-src https://webview.example');
    assert.equal(directive('font-src'), 'font-src https://webview.example');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(directive('connect-src'), undefined, 'no network');
  });
});

describe('package.json agrees with the engine', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
  const editor = manifest.contributes.customEditors.find((e: { viewType: string }) => e.viewType === 'latentXrd.patternEditor');
  const selected: string[] = editor.selector.map((s: { filenamePattern: string }) => s.filenamePattern.replace(/^\*/, ''));
  const glob: string = manifest.contributes.configuration.properties['latentXrd.patternFiles'].default;
  const globbed = glob.replace(/^\*\*\/\*\.\{|\}$/g, '').split(',').map((e) => `.${e}`);
  // A generic .txt is not claimed by default (it is read when opened through the CLI or added to the glob).
  const claimed = PATTERN_EXTENSIONS.filter((e) => e !== '.txt');

  it('opens every format the readers read in the pattern editor, and nothing else', () => {
    assert.deepEqual([...selected].sort(), [...claimed].sort());
  });

  it('states the scoring time limit the engine uses by default', () => {
    const setting = manifest.contributes.configuration.properties['latentXrd.scoring.timeLimitSeconds'];
    assert.equal(setting.default, SCORING_TIME_LIMIT_SECONDS);
  });

  it('scores every such format in the workspace by default', () => {
    assert.deepEqual([...globbed].sort(), [...claimed].sort());
  });
});
