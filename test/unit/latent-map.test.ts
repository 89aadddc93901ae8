// The latent map's view model (src/shared/latent-map.ts) and its SVG: colours, legends, scales,
// point caps, regions and marks, and that the figure draws what the model says (the screen's
// canvas draws the same model). Expected values are worked out by hand from the definitions.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MAP_POINTS, MAX_OUTLINED_POINTS, PRINT_PALETTE, REGION_OPACITY, availableColourings, fileMarks, groupByColour, latentMapModel, mapExtent,
  nearestMark, panWindow, planeScales, pointColours, pointMarks, pointsInPolygon, regionRgba, subsampleIndices, subsamplePoints, zoomWindow,
  type LatentMap, type MapPoints,
} from '../../src/shared/latent-map';
import { ERROR_FLOOR, NO_PHASE_COLOUR, PHASE_COLOURS, P_VALUE_FLOOR, errorScale, phaseColour, pValueScale } from '../../src/shared/colour-scales';
import { mapColours } from '../../src/shared/collection-map';
import { latentMapSvg } from '../../src/core/report/latent-map-svg';

const root = join(__dirname, '../../..');

function points(n: number, over: Partial<MapPoints> = {}): MapPoints {
  return {
    latent: Array.from({ length: 2 * n }, (_, k) => (k % 2 ? Math.cos(k) : Math.sin(k)) * 2),
    labels: Array.from({ length: n }, (_, i) => i % 3),
    twoThetaOfMax: Array.from({ length: n }, (_, i) => 20 + i),
    errors: Array.from({ length: n }, (_, i) => 10 ** (-3 + (i % 4))),
    ...over,
  };
}

function map(n: number, over: Partial<LatentMap> = {}): LatentMap {
  return { model: 'm', phases: ['Fe', 'Ni', 'Cr'], latentDims: 2, axes: ['z₁', 'z₂'], reference: points(n), files: [], errorThreshold: 0.5, ...over };
}

describe('latent map view model', () => {
  it('caps the points by even subsampling, the rows kept together', () => {
    assert.deepEqual(subsampleIndices(10, 3), [0, 4, 8]);
    assert.deepEqual(subsampleIndices(3, 3), [0, 1, 2]);
    assert.equal(subsampleIndices(50_000, DEFAULT_MAP_POINTS).length, 16_667); // stride 3
    assert.ok(subsampleIndices(20_001, DEFAULT_MAP_POINTS).length <= DEFAULT_MAP_POINTS);
    const p = points(10);
    const kept = subsamplePoints(p, 3);
    assert.deepEqual(kept.labels, [0, 1, 2]);
    assert.deepEqual(kept.twoThetaOfMax, [20, 24, 28]);
    assert.deepEqual(kept.latent, [p.latent[0], p.latent[1], p.latent[8], p.latent[9], p.latent[16], p.latent[17]]);
    assert.equal(subsamplePoints(p, 100), p);
  });

  it('has one default point cap, the setting\'s', () => {
    const setting = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes.configuration.properties['latentXrd.latentMap.maxTrainingPoints'];
    assert.equal(setting.default, DEFAULT_MAP_POINTS);
  });

  it('colours by phase with the phases as the legend; a label past ten wraps, none is grey', () => {
    const m = map(4, { reference: points(4, { labels: [0, 12, -1, 2] }) });
    const c = pointColours(m, 'phase');
    assert.equal(c.by, 'phase');
    assert.deepEqual(c.fill, [PHASE_COLOURS[0], PHASE_COLOURS[2], NO_PHASE_COLOUR, PHASE_COLOURS[2]]);
    assert.ok(c.legend.kind === 'categories');
    assert.deepEqual(c.legend.entries, [{ label: 'Fe', colour: PHASE_COLOURS[0] }, { label: 'Ni', colour: PHASE_COLOURS[1] }, { label: 'Cr', colour: PHASE_COLOURS[2] }]);
  });

  it('colours by error on a log scale floored at 1e-6 and stretched to the threshold, which the legend marks', () => {
    const m = map(3, { reference: points(3, { errors: [0, 1e-3, 1e-2] }), errorThreshold: 0.5 });
    const c = pointColours(m, 'error');
    assert.ok(c.legend.kind === 'scale' && c.legend.log);
    assert.deepEqual(c.legend.domain, [ERROR_FLOOR, 0.5]);
    assert.deepEqual(c.legend.mark, { value: 0.5, label: 'novel above' });
    assert.deepEqual(c.legend.ticks.map((t) => +t.toPrecision(3)), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
    // A zero error takes the floor's colour (the bottom of the scale), not a colour off it.
    assert.equal(c.fill[0], c.legend.colour(0));
    assert.notEqual(c.fill[1], c.fill[2]);
    // The threshold is the top: an error at it is yellow, the scale's last colour.
    assert.equal(errorScale([1e-3], 0.5).of(0.5), c.legend.colour(1));
  });

  it('colours the library map and the latent map from one error scale and one p-value scale', () => {
    const values = [2e-4, 3e-3, 0.2];
    const library = mapColours(values.map((bceExcess, i) => ({ id: String(i), bceExcess })), 'error');
    assert.deepEqual(library.fill, values.map(errorScale(values).of));
    const onMap = pointColours(map(3, { reference: points(3, { errors: values }), errorThreshold: undefined }), 'error');
    assert.deepEqual(onMap.fill, library.fill);
    assert.equal(pValueScale().of(1e-9), pValueScale().of(P_VALUE_FLOOR));
  });

  it('colours by 2θ of maximum on a linear scale over the values', () => {
    const c = pointColours(map(5), 'twoTheta');
    assert.ok(c.legend.kind === 'scale' && !c.legend.log);
    assert.deepEqual(c.legend.domain, [20, 24]);
    assert.equal(c.fill[0], c.legend.colour(0));
    assert.equal(c.fill[4], c.legend.colour(1));
  });

  it('offers only the colourings the points have data for, and draws phase for the others', () => {
    const old = map(3, { reference: points(3, { twoThetaOfMax: [NaN, NaN, NaN], errors: [1, NaN, 2] }) });
    assert.deepEqual(availableColourings(old.reference), ['phase']);
    assert.equal(pointColours(old, 'error').by, 'phase');
    assert.equal(pointColours(old, 'pValue').by, 'phase');
    const withP = map(2, { reference: points(2, { pValues: [0.5, 1e-6] }) });
    assert.deepEqual(availableColourings(withP.reference), ['phase', 'twoTheta', 'error', 'pValue']);
    const c = pointColours(withP, 'pValue');
    assert.equal(c.by, 'pValue');
    assert.equal(c.fill[1], pValueScale().of(P_VALUE_FLOOR));
  });

  it('groups the points by colour, every point once', () => {
    const fill = ['a', 'b', 'a', 'c', 'b'];
    assert.deepEqual(groupByColour(fill), [
      { colour: 'a', indices: [0, 2] },
      { colour: 'b', indices: [1, 4] },
      { colour: 'c', indices: [3] },
    ]);
  });

  it('shades a region cell in its phase colour at the one region opacity', () => {
    assert.deepEqual(regionRgba(1), [parseInt(PHASE_COLOURS[1].slice(1, 3), 16), parseInt(PHASE_COLOURS[1].slice(3, 5), 16), parseInt(PHASE_COLOURS[1].slice(5, 7), 16), 41]);
    assert.equal(Math.round(REGION_OPACITY * 255), 41);
    assert.equal(phaseColour(-1), NO_PHASE_COLOUR);
  });

  it('frames points, marks and regions with round ends; maps plane y upwards; zooms and pans', () => {
    const m = map(0, { reference: { latent: [0.3, 0.2, 1.7, 0.9], labels: [0, 1], twoThetaOfMax: [1, 2], errors: [1, 2] }, regions: { xMin: -0.4, xMax: 1.8, yMin: 0.1, yMax: 1.1, columns: 1, rows: 1, labels: [0] } });
    // From -0.4 (regions) to 2.63 (the mark) across, -0.33 (the mark) to 1.1 (regions) up, ended on
    // d3's nice steps (span / 10 rounded to 1, 2 or 5 × 10ⁿ, until stable): 0.5 across, 0.2 up.
    const extent = mapExtent(m, [{ name: 'far', x: 2.63, y: -0.33 }]);
    assert.deepEqual(extent, { x: [-0.5, 3], y: [-0.4, 1.2] });
    const s = planeScales(extent, { left: 10, top: 0, right: 330, bottom: 150 });
    assert.equal(s.x(-0.5), 10);
    assert.equal(s.x(3), 330);
    assert.equal(s.y(-0.4), 150); // the bottom of the plane at the bottom of the box
    assert.equal(s.y(1.2), 0);
    assert.deepEqual(zoomWindow({ x: [0, 4], y: [0, 2] }, [1, 1], 0.5), { x: [0.5, 2.5], y: [0.5, 1.5] });
    assert.deepEqual(panWindow({ x: [0, 4], y: [0, 2] }, 1, -1), { x: [1, 5], y: [-1, 1] });
  });

  it('finds the mark under the pointer, and the points inside a lasso', () => {
    const marks = pointMarks([0, 0, 1, 1], (i) => `draw ${i + 1}`);
    assert.deepEqual(marks.map((m) => m.name), ['draw 1', 'draw 2']);
    const s = planeScales({ x: [0, 1], y: [0, 1] }, { left: 0, top: 0, right: 100, bottom: 100 });
    assert.equal(nearestMark(marks, s, 3, 97)?.name, 'draw 1');
    assert.equal(nearestMark(marks, s, 95, 5)?.name, 'draw 2');
    assert.equal(nearestMark(marks, s, 50, 50), undefined);
    assert.deepEqual(pointsInPolygon([0.5, 0.5, 2, 2, 0.1, 0.9], [[0, 0], [1, 0], [1, 1], [0, 1]]), [0, 2]);
  });

  it('marks the files as the view does: novel, focused, newest', () => {
    const m = map(2, {
      files: [
        { file: 'a', name: 'a.xy', latent: [0, 0], bceExcess: 1, verdict: 'novel', pValue: 0.001 },
        { file: 'b', name: 'b.xy', latent: [1, 1], bceExcess: 0.1, verdict: 'known', pValue: 0.4 },
      ],
      focused: 'b',
      newest: 'a',
    });
    assert.deepEqual(fileMarks(m), [
      { key: 'a', name: 'a.xy', x: 0, y: 0, novel: true, focused: false, newest: true },
      { key: 'b', name: 'b.xy', x: 1, y: 1, novel: false, focused: true, newest: false },
    ]);
  });

  it('outlines at most MAX_OUTLINED_POINTS, framing them all', () => {
    const many = Array.from({ length: 2 * 4000 }, (_, k) => (k === 2 * 3999 ? 50 : k % 7));
    const model = latentMapModel(map(3), { by: 'phase', outlined: { label: 'unknown phase', latent: many } });
    assert.ok(model.outlined!.latent.length / 2 <= MAX_OUTLINED_POINTS);
    assert.ok(model.extent.x[1] >= 50);
  });
});

describe('latent map SVG', () => {
  const m = map(30, {
    regions: { xMin: -3, xMax: 3, yMin: -3, yMax: 3, columns: 4, rows: 4, labels: [0, 0, 1, 1, 1, 1, 1, 1, 2, 0, 0, 2, 0, 0, 0, 0] },
    files: [
      { file: 'a', name: 'a <1>.xy', latent: [0.5, 0.5], bceExcess: 1, verdict: 'novel', pValue: 0.001 },
      { file: 'b', name: 'b.xy', latent: [-0.5, 0.5], bceExcess: 0.01, verdict: 'known', pValue: 0.4 },
    ],
    newest: 'b',
  });

  it('draws every point once, in the colours the model gives, over the regions at the region opacity', () => {
    for (const by of ['phase', 'error', 'twoTheta'] as const) {
      const svg = latentMapSvg(m, { title: 't', by, marks: fileMarks(m) });
      const paths = [...svg.matchAll(/<path class="map-points" d="([^"]*)" fill="none" stroke="([^"]+)"/g)];
      const drawn = paths.reduce((sum, p) => sum + (p[1].match(/h0/g) ?? []).length, 0);
      assert.equal(drawn, 30, by);
      const model = pointColours(m, by);
      assert.deepEqual(new Set(paths.map((p) => p[2])), new Set(model.fill), by);
      // The regions as runs of one phase along each row (2 + 1 + 3 + 1), together as wide as the grid.
      const cells = [...svg.matchAll(new RegExp(`<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="[^"]+" fill="([^"]+)" fill-opacity="${REGION_OPACITY}"/>`, 'g'))];
      assert.deepEqual(cells.map((c) => c[4]), [0, 1, 1, 2, 0, 2, 0].map(phaseColour));
      const rows = new Map<string, number>();
      for (const c of cells) rows.set(c[2], (rows.get(c[2]) ?? 0) + Number(c[3]));
      const widths = [...rows.values()];
      assert.equal(widths.length, 4);
      for (const w of widths) assert.ok(Math.abs(w - widths[0]) < 0.3, `${widths}`);
      assert.ok(!/NaN/.test(svg), by);
    }
  });

  it('marks the files as the screen does, the novel one red, the newest ringed, names escaped', () => {
    const svg = latentMapSvg(m, { title: 'by <error>', by: 'error', marks: fileMarks(m) });
    const marks = [...svg.matchAll(/<circle class="mark"[^>]*fill="([^"]+)"[^>]*><title>([^<]*)<\/title>/g)];
    assert.deepEqual(marks.map((x) => [x[1], x[2]]), [[PRINT_PALETTE.novel, 'a &lt;1&gt;.xy · novel'], [PRINT_PALETTE.background, 'b.xy']]);
    assert.equal((svg.match(new RegExp(`stroke="${PRINT_PALETTE.newest}"`, 'g')) ?? []).length, 1);
    assert.match(svg, /by &lt;error&gt;/);
    // The legend's colour bar with the threshold marked.
    assert.match(svg, /class="legend-mark"/);
    assert.match(svg, /novel above 0\.5/);
  });
});
