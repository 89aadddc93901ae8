// A materials library as the paper's Figure 4a draws it: every sample where it sits, coloured by
// what the model says of it. Samples sit on the wafer when the library has positions, or on a
// ternary composition diagram when it has only compositions. The geometry and colours are
// computed here, once, for both the interactive editor (webview) and the exported SVG.
import { scaleSequentialLog } from 'd3-scale';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';
import type { Verdict } from '../analysis/verdict';

export interface MapSample {
  id: string;
  x?: number;
  y?: number;
  composition?: Record<string, number>;
  bceExcess?: number;
  pValue?: number;
  nearestPhase?: string;
  verdict?: Verdict;
  flagged?: boolean;
}

/** How the library map may colour its samples, and lay them out: one list each, for the types and the message checks. */
export const MAP_COLOURINGS = ['error', 'pValue', 'phase'] as const;
export const MAP_LAYOUTS = ['wafer', 'composition', 'grid'] as const;
export type MapColouring = (typeof MAP_COLOURINGS)[number];
export type MapLayoutKind = (typeof MAP_LAYOUTS)[number];

/** What each colouring and layout is called, in the editor, the CLI and the figures. */
export const COLOURING_LABELS: Record<MapColouring, string> = { error: 'reconstruction error', pValue: 'p-value', phase: 'nearest known phase' };
export const LAYOUT_LABELS: Record<MapLayoutKind, string> = { wafer: 'wafer positions', composition: 'composition (ternary)', grid: 'file order' };

export interface MapLayout {
  kind: MapLayoutKind;
  /** Square drawing area's side, in the caller's units (SVG pixels). */
  size: number;
  /** Each sample's centre, in drawing coordinates (y down). */
  points: [number, number][];
  /** Marker radius that keeps neighbours apart. */
  radius: number;
  wafer?: { cx: number; cy: number; r: number; diameterMm: number };
  ternary?: TernaryFrame;
  /** What the picture leaves out, in words (e.g. elements not on the triangle). */
  note?: string;
}

export interface TernaryFrame {
  corners: [string, string, string];
  /** Bottom-left, bottom-right, top. */
  vertices: [[number, number], [number, number], [number, number]];
  /** Lines of constant fraction (20 % steps) of each corner element, with a label at one end. */
  gridLines: { from: [number, number]; to: [number, number]; label: string; at: [number, number] }[];
}

/** Layouts this collection supports, best first: positions beat compositions beat a plain grid. */
export function availableLayouts(samples: readonly MapSample[]): MapLayoutKind[] {
  const kinds: MapLayoutKind[] = [];
  if (samples.length && samples.every((s) => s.x !== undefined && s.y !== undefined)) kinds.push('wafer');
  if (compositionElements(samples).length >= 3) kinds.push('composition');
  kinds.push('grid');
  return kinds;
}

/** Elements that occur in the samples' compositions, most abundant (mean fraction) first. */
export function compositionElements(samples: readonly MapSample[]): string[] {
  const sums = new Map<string, number>();
  for (const s of samples) for (const [element, f] of Object.entries(s.composition ?? {})) sums.set(element, (sums.get(element) ?? 0) + f);
  return [...sums.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([e]) => e);
}

export interface LayoutOptions {
  kind?: MapLayoutKind;
  size?: number;
  waferDiameterMm?: number;
  /** Three elements for the triangle's corners; default the three most abundant. */
  corners?: string[];
}

export function mapLayout(samples: readonly MapSample[], options: LayoutOptions = {}): MapLayout {
  const size = options.size ?? 360;
  const available = availableLayouts(samples);
  const kind = options.kind && available.includes(options.kind) ? options.kind : available[0];
  if (kind === 'wafer') return waferLayout(samples, size, options.waferDiameterMm);
  if (kind === 'composition') return ternaryLayout(samples, size, options.corners);
  return gridLayout(samples, size);
}

function waferLayout(samples: readonly MapSample[], size: number, diameterMm?: number): MapLayout {
  const farthest = Math.max(1, ...samples.map((s) => Math.hypot(s.x!, s.y!)));
  // A stated diameter is the wafer; without one, draw a wafer just larger than the farthest sample.
  const radiusMm = diameterMm && diameterMm / 2 >= farthest ? diameterMm / 2 : farthest * 1.08;
  const r = size / 2 - 6;
  const c = size / 2;
  const points = samples.map((s): [number, number] => [c + (s.x! / radiusMm) * r, c - (s.y! / radiusMm) * r]);
  return { kind: 'wafer', size, points, radius: markerRadius(points, size), wafer: { cx: c, cy: c, r, diameterMm: radiusMm * 2 } };
}

function ternaryLayout(samples: readonly MapSample[], size: number, wanted?: string[]): MapLayout {
  const elements = compositionElements(samples);
  const corners = (wanted && wanted.length === 3 && wanted.every((e) => elements.includes(e)) ? wanted : elements.slice(0, 3)) as [string, string, string];
  const margin = 28;
  const side = size - 2 * margin;
  const height = (side * Math.sqrt(3)) / 2;
  const bottom = margin + (size - 2 * margin + height) / 2;
  const vertices: TernaryFrame['vertices'] = [
    [margin, bottom],
    [margin + side, bottom],
    [margin + side / 2, bottom - height],
  ];
  const at = (f: [number, number, number]): [number, number] => [
    f[0] * vertices[0][0] + f[1] * vertices[1][0] + f[2] * vertices[2][0],
    f[0] * vertices[0][1] + f[1] * vertices[1][1] + f[2] * vertices[2][1],
  ];
  let largestOmitted = 0;
  const points = samples.map((s) => {
    const f = corners.map((e) => s.composition?.[e] ?? 0) as [number, number, number];
    const total = f[0] + f[1] + f[2];
    const all = Object.values(s.composition ?? {}).reduce((a, b) => a + b, 0);
    largestOmitted = Math.max(largestOmitted, all > 0 ? 1 - total / all : 0);
    // A sample with none of the three corner elements has no place on this triangle: its centre.
    return at(total > 0 ? [f[0] / total, f[1] / total, f[2] / total] : [1 / 3, 1 / 3, 1 / 3]);
  });
  const gridLines: TernaryFrame['gridLines'] = [];
  for (let corner = 0; corner < 3; corner++) {
    for (const level of [0.2, 0.4, 0.6, 0.8]) {
      const a = (corner + 1) % 3;
      const b = (corner + 2) % 3;
      const from = [0, 0, 0] as [number, number, number];
      const to = [0, 0, 0] as [number, number, number];
      from[corner] = level;
      from[a] = 1 - level;
      to[corner] = level;
      to[b] = 1 - level;
      gridLines.push({ from: at(from), to: at(to), label: `${Math.round(level * 100)}`, at: at(from) });
    }
  }
  const omitted = elements.filter((e) => !corners.includes(e));
  const note = omitted.length
    ? `${corners.join('–')} renormalised to 100 %; ${omitted.join(', ')} left out (up to ${(largestOmitted * 100).toFixed(0)} at.% of a sample)`
    : undefined;
  return { kind: 'composition', size, points, radius: markerRadius(points, size), ternary: { corners, vertices, gridLines }, note };
}

function gridLayout(samples: readonly MapSample[], size: number): MapLayout {
  const side = Math.max(1, Math.ceil(Math.sqrt(samples.length)));
  const cell = (size - 40) / side;
  const points = samples.map((_, i): [number, number] => [20 + ((i % side) + 0.5) * cell, 20 + (Math.floor(i / side) + 0.5) * cell]);
  return { kind: 'grid', size, points, radius: Math.max(2, Math.min(14, cell / 2.4)), note: 'no positions or compositions: samples in file order' };
}

/** Half the typical nearest-neighbour distance, so markers touch but do not pile up. */
function markerRadius(points: [number, number][], size: number): number {
  if (points.length < 2) return 8;
  const step = Math.max(1, Math.floor(points.length / 200));
  const nearest: number[] = [];
  for (let i = 0; i < points.length; i += step) {
    let best = Infinity;
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      const d = Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]);
      if (d > 1e-9 && d < best) best = d;
    }
    if (Number.isFinite(best)) nearest.push(best);
  }
  nearest.sort((a, b) => a - b);
  const typical = nearest.length ? nearest[Math.floor(nearest.length / 2)] : size / 20;
  return Math.max(2, Math.min(14, typical / 2));
}

export interface MapColours {
  /** Per sample; undefined where the sample has no such value (unscored, unreadable). */
  fill: (string | undefined)[];
  legend: { kind: 'scale'; label: string; domain: [number, number]; log: true; colour: (t: number) => string } | { kind: 'categories'; entries: { label: string; colour: string }[] };
}

export const P_VALUE_FLOOR = 1e-4;

export function mapColours(samples: readonly MapSample[], by: MapColouring): MapColours {
  if (by === 'phase') {
    const phases = [...new Set(samples.map((s) => s.nearestPhase).filter((p): p is string => !!p))].sort();
    const colour = (p: string) => schemeTableau10[phases.indexOf(p) % schemeTableau10.length];
    return { fill: samples.map((s) => (s.nearestPhase ? colour(s.nearestPhase) : undefined)), legend: { kind: 'categories', entries: phases.map((p) => ({ label: p, colour: colour(p) })) } };
  }
  if (by === 'pValue') {
    const scale = scaleSequentialLog(interpolateViridis).domain([P_VALUE_FLOOR, 1]);
    return {
      fill: samples.map((s) => (s.pValue === undefined ? undefined : scale(Math.max(s.pValue, P_VALUE_FLOOR)))),
      legend: { kind: 'scale', label: 'p-value', domain: [P_VALUE_FLOOR, 1], log: true, colour: interpolateViridis },
    };
  }
  // Excess BCE spans decades between known and novel samples: a log scale shows both.
  const errors = samples.map((s) => s.bceExcess).filter((v): v is number => v !== undefined && v > 0);
  const domain: [number, number] = errors.length ? [Math.min(...errors), Math.max(...errors)] : [1, 10];
  if (domain[1] <= domain[0]) domain[1] = domain[0] * 10;
  const scale = scaleSequentialLog(interpolateViridis).domain(domain);
  return {
    fill: samples.map((s) => (s.bceExcess === undefined ? undefined : scale(Math.min(Math.max(s.bceExcess, domain[0]), domain[1])))),
    legend: { kind: 'scale', label: 'reconstruction error (excess BCE)', domain, log: true, colour: interpolateViridis },
  };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Follows the SVG's opening tag: how a later export recognises the file as Latent XRD's own map (report/output-marks.ts). */
export const MAP_SVG_MARK = '<!-- latent-xrd collection map -->';

/** The map as a standalone SVG (white background, legend at the right), for papers and reports. */
export function collectionMapSvg(samples: readonly MapSample[], options: { title: string; subtitle?: string; by: MapColouring } & LayoutOptions): string {
  const layout = mapLayout(samples, { ...options, size: options.size ?? 480 });
  const { fill, legend } = mapColours(samples, options.by);
  const legendWidth = 190;
  const top = options.subtitle ? 52 : 36;
  const width = layout.size + legendWidth;
  const height = layout.size + top + (layout.note ? 24 : 8);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    MAP_SVG_MARK,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" textLength="${Math.min(width - 16, options.title.length * 8)}" lengthAdjust="spacingAndGlyphs">${escape(options.title)}</text>`,
    options.subtitle ? `<text x="${width / 2}" y="40" text-anchor="middle" font-size="12" fill="#444">${escape(options.subtitle)}</text>` : '',
    `<g transform="translate(0 ${top})">`,
  ];
  out.push(...frameSvg(layout));
  layout.points.forEach(([x, y], i) => {
    const s = samples[i];
    const stroke = s.verdict === 'novel' ? ' stroke="#d62728" stroke-width="2"' : ' stroke="#555" stroke-width="0.5"';
    out.push(`<circle class="sample" cx="${x.toFixed(2)}" cy="${y.toFixed(2)}" r="${layout.radius.toFixed(2)}" fill="${fill[i] ?? '#cccccc'}"${stroke}><title>${escape(s.id)}</title></circle>`);
  });
  out.push('</g>');
  out.push(...legendSvg(legend, layout.size + 16, top + 8, layout.size - 16));
  if (layout.note) out.push(`<text x="8" y="${height - 8}" font-size="11" fill="#444">${escape(layout.note)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function frameSvg(layout: MapLayout): string[] {
  if (layout.wafer) {
    const w = layout.wafer;
    return [
      `<circle cx="${w.cx}" cy="${w.cy}" r="${w.r}" fill="none" stroke="#888"/>`,
      `<text x="${w.cx}" y="${layout.size - 2}" text-anchor="middle" font-size="10" fill="#666">⌀ ${w.diameterMm.toFixed(0)} mm</text>`,
    ];
  }
  if (layout.ternary) {
    const t = layout.ternary;
    const [a, b, c] = t.vertices;
    const out = [`<polygon points="${[a, b, c].map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' ')}" fill="none" stroke="#333"/>`];
    for (const g of t.gridLines) {
      out.push(`<line x1="${g.from[0].toFixed(1)}" y1="${g.from[1].toFixed(1)}" x2="${g.to[0].toFixed(1)}" y2="${g.to[1].toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${g.at[0].toFixed(1)}" y="${g.at[1].toFixed(1)}" font-size="9" fill="#888" text-anchor="middle" dy="-2">${g.label}</text>`);
    }
    out.push(`<text x="${a[0] - 4}" y="${a[1] + 16}" text-anchor="middle" font-weight="bold">${escape(t.corners[0])}</text>`);
    out.push(`<text x="${b[0] + 4}" y="${b[1] + 16}" text-anchor="middle" font-weight="bold">${escape(t.corners[1])}</text>`);
    out.push(`<text x="${c[0]}" y="${c[1] - 8}" text-anchor="middle" font-weight="bold">${escape(t.corners[2])}</text>`);
    return out;
  }
  return [];
}

function legendSvg(legend: MapColours['legend'], x: number, y: number, height: number): string[] {
  if (legend.kind === 'categories') {
    return legend.entries.map((e, i) => `<rect x="${x}" y="${y + i * 20}" width="12" height="12" fill="${e.colour}"/><text x="${x + 18}" y="${y + i * 20 + 10}">${escape(e.label)}</text>`);
  }
  const out: string[] = [];
  const steps = 50;
  for (let k = 0; k < steps; k++) out.push(`<rect x="${x}" y="${(y + (height * (steps - 1 - k)) / steps).toFixed(2)}" width="14" height="${(height / steps + 0.5).toFixed(2)}" fill="${legend.colour(k / (steps - 1))}"/>`);
  const [lo, hi] = legend.domain;
  const decades = [];
  for (let e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) decades.push(10 ** e);
  const ticks = decades.length >= 2 ? decades : [lo, hi];
  for (const t of ticks) {
    const ty = y + height - (height * (Math.log(t) - Math.log(lo))) / (Math.log(hi) - Math.log(lo));
    out.push(`<text x="${x + 20}" y="${(ty + 4).toFixed(1)}">${t >= 1e4 || t < 1e-2 ? t.toExponential(0) : String(+t.toPrecision(3))}</text>`);
  }
  out.push(`<text transform="translate(${x + 80} ${y + height / 2}) rotate(90)" text-anchor="middle">${escape(legend.label)}</text>`);
  return out;
}
