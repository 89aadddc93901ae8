// Figures as standalone SVG text (no DOM): d3 scales and shapes compute the geometry, this file
// writes the elements — the frame, axes and legends every figure shares, and the violin and line
// figures of the paper. The maps (latent-map-svg.ts, collection-map-svg.ts) draw their view
// models (src/shared) with these parts.
import { scaleLinear, scaleLog, type ScaleLinear } from 'd3-scale';
import { line as d3line, area as d3area, curveBasis } from 'd3-shape';
import { phaseColour, tickLabel, type MapLegend } from '../../shared/colour-scales';
import type { DistributionSummary } from '../analysis/metrics';

export const WIDTH = 640;
export const HEIGHT = 480;
export const MARGIN = { top: 40, right: 150, bottom: 50, left: 64 };

export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function frame(body: string[], title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

export function axes(x: ScaleLinear<number, number>, y: ScaleLinear<number, number>, xLabel: string, yLabel: string): string[] {
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

export function legend(entries: { label: string; colour: string }[]): string[] {
  return entries.map(
    (e, i) => `<rect x="${WIDTH - MARGIN.right + 16}" y="${MARGIN.top + i * 20}" width="12" height="12" fill="${e.colour}"/>` + `<text x="${WIDTH - MARGIN.right + 34}" y="${MARGIN.top + i * 20 + 10}">${escape(e.label)}</text>`,
  );
}

/**
 * A map's legend at (x, y), `height` tall: a swatch per category, or a colour bar with its ticks
 * (and its marked value, the error threshold, as a line across it) — one writer for every map.
 */
export function legendSvg(legend: MapLegend, x: number, y: number, height: number): string[] {
  if (legend.kind === 'categories') {
    return legend.entries.map((e, i) => `<rect x="${x}" y="${y + i * 20}" width="12" height="12" fill="${e.colour}"/><text x="${x + 18}" y="${y + i * 20 + 10}">${escape(e.label)}</text>`);
  }
  const out: string[] = [];
  const steps = 50;
  for (let k = 0; k < steps; k++) out.push(`<rect x="${x}" y="${(y + (height * (steps - 1 - k)) / steps).toFixed(2)}" width="14" height="${(height / steps + 0.5).toFixed(2)}" fill="${legend.colour(k / (steps - 1))}"/>`);
  const at = (legend.log ? scaleLog() : scaleLinear()).domain(legend.domain).range([y + height, y]);
  for (const t of legend.ticks) out.push(`<text x="${x + 20}" y="${(at(t) + 4).toFixed(1)}">${tickLabel(t)}</text>`);
  if (legend.mark) {
    const my = at(legend.mark.value).toFixed(1);
    out.push(`<line class="legend-mark" x1="${x - 4}" y1="${my}" x2="${x + 18}" y2="${my}" stroke="black" stroke-width="1.5"/>`);
  }
  const label = legend.mark ? `${legend.label}; line: ${legend.mark.label} ${tickLabel(legend.mark.value)}` : legend.label;
  out.push(`<text transform="translate(${x + 80} ${y + height / 2}) rotate(90)" text-anchor="middle">${escape(label)}</text>`);
  return out;
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
    body.push(`<path d="${shape}" fill="${phaseColour(k)}" fill-opacity="0.6" stroke="${phaseColour(k)}"/>`);
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
    const colour = phaseColour(k);
    const idx = c.x.map((_, i) => i);
    if (c.lower && c.upper) {
      const band = d3area<number>().x((i) => x(c.x[i])).y0((i) => y(c.lower![i])).y1((i) => y(c.upper![i]))(idx);
      body.push(`<path d="${band}" fill="${colour}" fill-opacity="0.2"/>`);
    }
    body.push(`<path d="${d3line<number>().x((i) => x(c.x[i])).y((i) => y(c.y[i]))(idx)}" fill="none" stroke="${colour}" stroke-width="2"/>`);
  });
  return frame([...body, ...axes(x, y, xLabel, yLabel), ...legend(curves.map((c, k) => ({ label: c.label, colour: phaseColour(k) })))], title);
}
