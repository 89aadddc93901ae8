// A materials library as the paper's Figure 4a draws it: every sample where it sits, coloured by
// what the model says of it. Samples sit on the wafer when the library has positions, or on a
// ternary composition diagram when it has only compositions. The geometry and colours are
// computed here, once, for both the interactive editor (webview/collection-page.ts) and the
// exported SVG (core/report/collection-map-svg.ts).
import { errorScale, phaseColour, pValueScale, type MapColouring, type MapLegend } from './colour-scales';
import type { SampleIdentity, Verdict } from './vocabulary';

export interface MapSample extends SampleIdentity {
  bceExcess?: number;
  pValue?: number;
  nearestPhase?: string;
  verdict?: Verdict;
  flagged?: boolean;
}

/** How the library map may colour its samples (of every map's colourings, those a scored sample has), and lay them out: one list each, for the types and the message checks. */
export const COLLECTION_COLOURINGS = ['error', 'pValue', 'phase'] as const satisfies readonly MapColouring[];
export const MAP_LAYOUTS = ['wafer', 'composition', 'grid'] as const;
export type CollectionColouring = (typeof COLLECTION_COLOURINGS)[number];
export type MapLayoutKind = (typeof MAP_LAYOUTS)[number];

/** What each colouring and layout is called, in the editor, the CLI and the figures. */
export const COLOURING_LABELS: Record<CollectionColouring, string> = { error: 'reconstruction error', pValue: 'p-value', phase: 'nearest known phase' };
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
  legend: MapLegend;
}

export function mapColours(samples: readonly MapSample[], by: CollectionColouring): MapColours {
  if (by === 'phase') {
    const phases = [...new Set(samples.map((s) => s.nearestPhase).filter((p): p is string => !!p))].sort();
    const colour = (p: string) => phaseColour(phases.indexOf(p));
    return { fill: samples.map((s) => (s.nearestPhase ? colour(s.nearestPhase) : undefined)), legend: { kind: 'categories', entries: phases.map((p) => ({ label: p, colour: colour(p) })) } };
  }
  const scale = by === 'pValue' ? pValueScale() : errorScale(samples.map((s) => s.bceExcess));
  const value = (s: MapSample) => (by === 'pValue' ? s.pValue : s.bceExcess);
  return { fill: samples.map((s) => (value(s) === undefined ? undefined : scale.of(value(s)!))), legend: scale.legend };
}
