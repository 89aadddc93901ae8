// The library map's geometry: where a sample sits on the wafer or the ternary diagram, and what
// colour it gets. Checked against positions anyone can compute by hand.
import { strict as assert } from 'node:assert';
import { availableLayouts, compositionElements, mapColours, mapLayout, type MapSample } from '../../src/shared/collection-map';
import { collectionMapSvg } from '../../src/core/report/collection-map-svg';

const near = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

describe('collection map', () => {
  const ternary: MapSample[] = [
    { id: 'pure Fe', composition: { Fe: 1 } },
    { id: 'pure Ga', composition: { Ga: 1 } },
    { id: 'pure Pd', composition: { Pd: 1 } },
    { id: 'centre', composition: { Fe: 1 / 3, Ga: 1 / 3, Pd: 1 / 3 } },
    { id: 'FeGa edge', composition: { Fe: 0.5, Ga: 0.5 } },
  ];

  it('offers the wafer only when every sample has a position, and the triangle when there are three elements', () => {
    assert.deepEqual(availableLayouts(ternary), ['composition', 'grid']);
    assert.deepEqual(availableLayouts([{ id: 'a', x: 0, y: 0 }, { id: 'b', x: 1, y: 2 }]), ['wafer', 'grid']);
    assert.deepEqual(availableLayouts([{ id: 'a', x: 0, y: 0 }, { id: 'b' }]), ['grid']);
  });

  it('puts pure elements on the vertices, the equimolar sample on the centroid and a binary on its edge', () => {
    const layout = mapLayout(ternary, { kind: 'composition', corners: ['Fe', 'Ga', 'Pd'], size: 400 });
    const [a, b, c] = layout.ternary!.vertices;
    assert.deepEqual(layout.points[0], a);
    assert.deepEqual(layout.points[1], b);
    assert.deepEqual(layout.points[2], c);
    near(layout.points[3][0], (a[0] + b[0] + c[0]) / 3);
    near(layout.points[3][1], (a[1] + b[1] + c[1]) / 3);
    near(layout.points[4][0], (a[0] + b[0]) / 2);
    near(layout.points[4][1], a[1]);
    // An equilateral triangle.
    near(Math.hypot(b[0] - a[0], b[1] - a[1]), Math.hypot(c[0] - a[0], c[1] - a[1]));
    assert.equal(layout.ternary!.gridLines.length, 12);
  });

  it('renormalises onto the chosen three corners and says which elements it left out', () => {
    const quaternary: MapSample[] = [
      { id: 's1', composition: { Co: 0.4, Ni: 0.3, Cr: 0.2, Re: 0.1 } },
      { id: 's2', composition: { Co: 0.2, Ni: 0.5, Cr: 0.2, Re: 0.1 } },
    ];
    assert.deepEqual(compositionElements(quaternary), ['Ni', 'Co', 'Cr', 'Re']);
    const layout = mapLayout(quaternary, { kind: 'composition', corners: ['Co', 'Ni', 'Cr'] });
    const [a, b, c] = layout.ternary!.vertices;
    const f = [0.4 / 0.9, 0.3 / 0.9, 0.2 / 0.9];
    near(layout.points[0][0], f[0] * a[0] + f[1] * b[0] + f[2] * c[0]);
    assert.match(layout.note!, /Re left out \(up to 10 at\.%/);
  });

  it('places wafer samples by their position in mm, y up', () => {
    const layout = mapLayout([{ id: 'c', x: 0, y: 0 }, { id: 'top', x: 0, y: 50 }, { id: 'right', x: 25, y: 0 }], { waferDiameterMm: 100, size: 212 });
    const w = layout.wafer!;
    assert.deepEqual(layout.points[0], [w.cx, w.cy]);
    near(layout.points[1][1], w.cy - w.r);
    near(layout.points[2][0], w.cx + w.r / 2);
  });

  it('colours by error on a log scale, by p-value, and by phase with a legend; unscored samples have no colour', () => {
    const scored: MapSample[] = [
      { id: 'a', bceExcess: 1, pValue: 0.5, nearestPhase: 'Ni' },
      { id: 'b', bceExcess: 100, pValue: 1e-6, nearestPhase: 'Co' },
      { id: 'c' },
    ];
    const byError = mapColours(scored, 'error');
    assert.equal(byError.fill[2], undefined);
    assert.notEqual(byError.fill[0], byError.fill[1]);
    assert.ok(byError.legend.kind === 'scale' && byError.legend.domain[0] === 1 && byError.legend.domain[1] === 100);
    const byPhase = mapColours(scored, 'phase');
    assert.ok(byPhase.legend.kind === 'categories');
    assert.deepEqual(byPhase.legend.entries.map((e) => e.label), ['Co', 'Ni']);
    // p below the floor takes the floor's colour rather than falling off the scale.
    assert.equal(mapColours(scored, 'pValue').fill[1], mapColours([{ id: 'x', pValue: 1e-4 }], 'pValue').fill[0]);
  });

  it('writes an SVG with one marker per sample, the corners named and the novel ones outlined', () => {
    const svg = collectionMapSvg(
      ternary.map((s, i) => ({ ...s, bceExcess: i + 1, verdict: i === 4 ? 'novel' : 'known' })),
      { title: 'Fe–Ga–Pd <test>', by: 'error' },
    );
    assert.equal((svg.match(/class="sample"/g) ?? []).length, ternary.length);
    assert.match(svg, />Fe<\/text>/);
    assert.match(svg, /Fe–Ga–Pd &lt;test&gt;/);
    assert.equal((svg.match(/stroke="#d62728"/g) ?? []).length, 1);
  });
});
