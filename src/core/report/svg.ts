// Figures as standalone SVG text (no DOM): d3 scales and shapes compute the geometry, this file
// writes the elements. The same figures the paper shows, for reports and `reproduce`.
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { line as d3line, area as d3area, curveBasis } from 'd3-shape';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';
import type { DecisionRegions } from '../analysis/knn';
import type { DistributionSummary } from '../analysis/metrics';

const WIDTH = 640;
const HEIGHT = 480;
const MARGIN = { top: 40, right: 150, bottom: 50, left: 64 };

export const PHASE_COLOURS = schemeTableau10;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function frame(body: string[], title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function axes(x: ScaleLinear<number, number>, y: ScaleLinear<number, number>, xLabel: string, yLabel: string): string[] {
  const out: string[] = [];
  const [x0, x1] = x.range();
  const [y0, y1] = y.range();
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/>`, `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>`);
  for (const t of x.ticks(6)) out.push(`<line x1="${x(t)}" y1="${y0}" x2="${x(t)}" y2="${y0 + 5}" stroke="black"/><text x="${x(t)}" y="${y0 + 18}" text-anchor="middle">${x.tickFormat(6)(t)}</text>`);
  for (const t of y.ticks(6)) out.push(`<line x1="${x0 - 5}" y1="${y(t)}" x2="${x0}" y2="${y(t)}" stroke="black"/><text x="${x0 - 8}" y="${y(t) + 4}" text-anchor="end">${y.tickFormat(6)(t)}</text>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  return out;
}

function legend(entries: { label: string; colour: string }[]): string[] {
  return entries.map(
    (e, i) => `<rect x="${WIDTH - MARGIN.right + 16}" y="${MARGIN.top + i * 20}" width="12" height="12" fill="${e.colour}"/>` + `<text x="${WIDTH - MARGIN.right + 34}" y="${MARGIN.top + i * 20 + 10}">${escape(e.label)}</text>`,
  );
}

function colourBar(domain: [number, number], label: string, colour: (t: number) => string): string[] {
  const x = WIDTH - MARGIN.right + 20;
  const top = MARGIN.top;
  const height = HEIGHT - MARGIN.top - MARGIN.bottom;
  const out: string[] = [];
  for (let k = 0; k < 50; k++) out.push(`<rect x="${x}" y="${top + (height * (49 - k)) / 50}" width="14" height="${height / 50 + 0.5}" fill="${colour(k / 49)}"/>`);
  const s = scaleLinear().domain(domain).range([top + height, top]);
  for (const t of s.ticks(5)) out.push(`<text x="${x + 20}" y="${s(t) + 4}">${s.tickFormat(5)(t)}</text>`);
  out.push(`<text transform="translate(${x + 80} ${top + height / 2}) rotate(90)" text-anchor="middle">${escape(label)}</text>`);
  return out;
}

export interface ScatterOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** x, y pairs. */
  points: Float32Array;
  /** Either a category per point (with names), or a value per point (viridis colour bar). */
  categories?: { of: Int32Array; names: string[] };
  values?: { of: ArrayLike<number>; label: string; log?: boolean };
  regions?: DecisionRegions;
  /** Points drawn over the others with a dark outline (e.g. the unknown phase). */
  highlight?: Float32Array;
  highlightLabel?: string;
  maxPoints?: number;
}

export function scatterSvg(o: ScatterOptions): string {
  const n = o.points.length / 2;
  let xs = [Infinity, -Infinity];
  let ys = [Infinity, -Infinity];
  const extend = (p: Float32Array) => {
    for (let i = 0; i < p.length; i += 2) {
      xs = [Math.min(xs[0], p[i]), Math.max(xs[1], p[i])];
      ys = [Math.min(ys[0], p[i + 1]), Math.max(ys[1], p[i + 1])];
    }
  };
  extend(o.points);
  if (o.highlight) extend(o.highlight);
  if (o.regions) {
    xs = [Math.min(xs[0], o.regions.xMin), Math.max(xs[1], o.regions.xMax)];
    ys = [Math.min(ys[0], o.regions.yMin), Math.max(ys[1], o.regions.yMax)];
  }
  const x = scaleLinear().domain(xs).nice().range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear().domain(ys).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const body: string[] = [];
  if (o.regions) {
    const r = o.regions;
    const w = (r.xMax - r.xMin) / r.columns;
    const h = (r.yMax - r.yMin) / r.rows;
    for (let row = 0; row < r.rows; row++) {
      for (let c = 0; c < r.columns; c++) {
        const label = r.labels[row * r.columns + c];
        const px = x(r.xMin + c * w);
        const py = y(r.yMin + (row + 1) * h);
        body.push(`<rect x="${px.toFixed(1)}" y="${py.toFixed(1)}" width="${(x(r.xMin + (c + 1) * w) - px + 0.3).toFixed(1)}" height="${(y(r.yMin + row * h) - py + 0.3).toFixed(1)}" fill="${PHASE_COLOURS[label % 10]}" fill-opacity="0.15"/>`);
      }
    }
  }
  const stride = Math.max(1, Math.ceil(n / (o.maxPoints ?? 6000)));
  let colourOf: (i: number) => string = () => '#4e79a7';
  const side: string[] = [];
  if (o.categories) {
    const cats = o.categories;
    colourOf = (i) => PHASE_COLOURS[cats.of[i] % 10];
    side.push(...legend(cats.names.map((label, k) => ({ label, colour: PHASE_COLOURS[k % 10] }))));
  } else if (o.values) {
    const v = o.values;
    const transform = (t: number) => (v.log ? Math.log10(Math.max(t, 1e-12)) : t);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.of.length; i++) {
      lo = Math.min(lo, transform(v.of[i]));
      hi = Math.max(hi, transform(v.of[i]));
    }
    const t = scaleLinear().domain([lo, hi]).range([0, 1]).clamp(true);
    colourOf = (i) => interpolateViridis(t(transform(v.of[i])));
    side.push(...colourBar([lo, hi], v.log ? `log10 ${v.label}` : v.label, interpolateViridis));
  }
  for (let i = 0; i < n; i += stride) body.push(`<circle cx="${x(o.points[2 * i]).toFixed(1)}" cy="${y(o.points[2 * i + 1]).toFixed(1)}" r="1.6" fill="${colourOf(i)}"/>`);
  if (o.highlight) {
    for (let i = 0; i < o.highlight.length; i += 2 * Math.max(1, Math.ceil(o.highlight.length / 2 / 1500))) {
      body.push(`<circle cx="${x(o.highlight[i]).toFixed(1)}" cy="${y(o.highlight[i + 1]).toFixed(1)}" r="2.2" fill="none" stroke="black" stroke-width="0.8"/>`);
    }
    if (o.highlightLabel) body.push(`<circle cx="${MARGIN.left + 10}" cy="${MARGIN.top - 8}" r="3" fill="none" stroke="black"/><text x="${MARGIN.left + 18}" y="${MARGIN.top - 4}">${escape(o.highlightLabel)}</text>`);
  }
  return frame([...body, ...axes(x, y, o.xLabel, o.yLabel), ...side], o.title);
}

/** Violins (kernel density, mirrored) with median and quartiles, on a log error axis. */
export function violinSvg(title: string, yLabel: string, groups: Record<string, DistributionSummary>): string {
  const names = Object.keys(groups);
  const all = names.flatMap((n) => [groups[n].min, groups[n].max]).filter((v) => v > 0);
  const y = scaleLinear().domain([Math.log10(Math.min(...all)), Math.log10(Math.max(...all))]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const slot = (WIDTH - MARGIN.left - MARGIN.right) / names.length;
  const body: string[] = [];
  names.forEach((name, k) => {
    const g = groups[name];
    const centre = MARGIN.left + slot * (k + 0.5);
    const maxDensity = Math.max(...g.density.value.map((v, i) => v * g.density.at[i]), 1e-12); // density in log space: p(x)·x
    const halfWidth = (d: number, at: number) => ((d * at) / maxDensity) * slot * 0.42;
    const points = g.density.at.map((at, i) => ({ at, w: halfWidth(g.density.value[i], at) })).filter((p) => p.at > 0);
    const shape = d3area<{ at: number; w: number }>()
      .y((p) => y(Math.log10(p.at)))
      .x0((p) => centre - p.w)
      .x1((p) => centre + p.w)
      .curve(curveBasis)(points);
    body.push(`<path d="${shape}" fill="${PHASE_COLOURS[k % 10]}" fill-opacity="0.6" stroke="${PHASE_COLOURS[k % 10]}"/>`);
    const q = (v: number) => y(Math.log10(Math.max(v, 1e-12)));
    body.push(`<line x1="${centre}" x2="${centre}" y1="${q(g.q1)}" y2="${q(g.q3)}" stroke="black" stroke-width="4"/>`);
    body.push(`<circle cx="${centre}" cy="${q(g.median)}" r="3.5" fill="white" stroke="black"/>`);
    body.push(`<text x="${centre}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${escape(name)} (n = ${g.count})</text>`);
  });
  const x = scaleLinear().domain([0, 1]).range([MARGIN.left, WIDTH - MARGIN.right]);
  const out = [`<line x1="${x(0)}" y1="${y.range()[0]}" x2="${x(1)}" y2="${y.range()[0]}" stroke="black"/>`, `<line x1="${x(0)}" y1="${y.range()[0]}" x2="${x(0)}" y2="${y.range()[1]}" stroke="black"/>`];
  for (const t of y.ticks(5)) out.push(`<text x="${MARGIN.left - 8}" y="${y(t) + 4}" text-anchor="end">${(10 ** t).toPrecision(2)}</text><line x1="${MARGIN.left - 5}" x2="${MARGIN.left}" y1="${y(t)}" y2="${y(t)}" stroke="black"/>`);
  out.push(`<text transform="translate(11 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  return frame([...body, ...out], title);
}

export interface Curve {
  label: string;
  x: number[];
  y: number[];
  lower?: number[];
  upper?: number[];
}

export function lineSvg(title: string, xLabel: string, yLabel: string, curves: Curve[]): string {
  const allX = curves.flatMap((c) => c.x);
  const allY = curves.flatMap((c) => [...c.y, ...(c.upper ?? []), ...(c.lower ?? [])]);
  const x = scaleLinear().domain([Math.min(...allX), Math.max(...allX)]).nice().range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear().domain([Math.min(0, ...allY), Math.max(...allY)]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const body: string[] = [];
  curves.forEach((c, k) => {
    const colour = PHASE_COLOURS[k % 10];
    const idx = c.x.map((_, i) => i);
    if (c.lower && c.upper) {
      const band = d3area<number>().x((i) => x(c.x[i])).y0((i) => y(c.lower![i])).y1((i) => y(c.upper![i]))(idx);
      body.push(`<path d="${band}" fill="${colour}" fill-opacity="0.2"/>`);
    }
    body.push(`<path d="${d3line<number>().x((i) => x(c.x[i])).y((i) => y(c.y[i]))(idx)}" fill="none" stroke="${colour}" stroke-width="2"/>`);
  });
  return frame([...body, ...axes(x, y, xLabel, yLabel), ...legend(curves.map((c, k) => ({ label: c.label, colour: PHASE_COLOURS[k % 10] })))], title);
}
