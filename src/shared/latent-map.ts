// The latent map as a view model: the model's training points on its latent plane over their
// KNN decision regions, coloured by phase, 2θ of maximum, error or p-value, with marked points
// (workspace files, a structure's draws) and outlined groups (the unknown phase of a report) on
// top. Everything a picture of it needs — the data's shape, the point cap, the colours and
// legends, the plane window and its mapping to pixels, the marks' sizes, hit tests — is decided
// here, once, and drawn by the webview canvas (webview/latent-canvas.ts), the SVG of Export
// Figures and the paper report (core/report/latent-map-svg.ts): the screen and the figures show
// the same map. A full-size map editor (zoom and pan: another `PlaneWindow`; hover: `nearestMark`;
// lasso: `pointsInPolygon`) draws from the same model.
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { errorScale, linearScale, phaseColour, pValueScale, type MapColouring, type MapLegend } from './colour-scales';
import type { Verdict } from './vocabulary';

/**
 * Training points drawn at most (evenly subsampled above; the setting
 * latentXrd.latentMap.maxTrainingPoints overrides it on screen and in Export Figures). The canvas
 * draws 20,000 in a few milliseconds; the SVG writes them as one path per colour (~15 bytes a
 * point). The figures once stopped at 6,000 and so showed a sparser map than the screen.
 */
export const DEFAULT_MAP_POINTS = 20_000;
/** Outlined points drawn at most: beyond this the outlines merge into a blot. */
export const MAX_OUTLINED_POINTS = 1500;
/**
 * Opacity of the KNN regions under the points: the screen's (41/255 ≈ 0.16), which the figures
 * now share (they had 0.15): light enough for the points over it to keep their colours.
 */
export const REGION_OPACITY = 0.16;
/** A training point: a square this many pixels wide, at this opacity (dense clusters darken). */
export const POINT_SIZE = 2.5;
export const POINT_OPACITY = 0.75;
/** Marked points: radius and outline width (pixels), larger when focused; the newest gets a ring. */
export const MARK_STYLE = { radius: 4.5, focusedRadius: 7, stroke: 1.5, focusedStroke: 3, newestRing: 11, newestStroke: 2, outlineRadius: 2.2, outlineStroke: 0.8 } as const;
/** How close (pixels) a pointer must be to a mark to hover or click it. */
export const HIT_RADIUS = 8;
/** The marks' colours in print; on screen the theme's, with these as fallbacks. */
export const PRINT_PALETTE = { foreground: '#333333', background: '#ffffff', novel: '#e5534b', focus: '#007fd4', newest: '#d7ba7d' } as const;

/** Points on the map's plane with what each is (NaN: not known). */
export interface MapPoints {
  /** x, y pairs on the plane (the latent itself for a 2-D latent, its two principal axes otherwise). */
  latent: number[];
  /** Phase index into the map's `phases` (−1: none, e.g. a mixture). */
  labels: number[];
  /** 2θ (°) of the strongest peak. */
  twoThetaOfMax: number[];
  /** Reconstruction error (excess BCE). */
  errors: number[];
  /** p-values, when known. */
  pValues?: number[];
}

/** KNN labels over a grid on the plane: rows × columns, row 0 at yMin (core/analysis/knn.ts computes them). */
export interface MapRegions {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  columns: number;
  rows: number;
  labels: number[];
}

/** The part of the map that depends only on the model: its training reference and KNN regions. */
export interface LatentMapBase {
  latentDims: number;
  /** Axis names: z₁, z₂ for a 2-D latent; principal axes of the latent for a larger one. */
  axes: [string, string];
  reference: MapPoints;
  regions?: MapRegions;
}

/** A scored pattern file on the map. */
export interface MappedFile {
  file: string;
  name: string;
  /** x, y on the plane. */
  latent: number[];
  bceExcess: number;
  verdict: Verdict;
  pValue: number;
}

export interface LatentMap extends LatentMapBase {
  model: string;
  phases: string[];
  /** Scored pattern files (the workspace's), drawn as marks. */
  files: MappedFile[];
  /** The file shown in the active editor, and the newest to arrive (its key, `file`). */
  focused?: string;
  newest?: string;
  /** Excess BCE above which a pattern is novel, at the threshold in force. */
  errorThreshold?: number;
}

/** A point marked on the map. */
export interface MapMark {
  /** What a click on it reports (a file's URI). */
  key?: string;
  name: string;
  x: number;
  y: number;
  novel?: boolean;
  focused?: boolean;
  newest?: boolean;
}

/** A group of points outlined (hollow circles) over the map, named in the legend. */
export interface OutlinedPoints {
  label: string;
  /** x, y pairs on the plane. */
  latent: number[];
}

/** The labels of the latent map's colourings (the 2θ one only for maps whose points know it). */
export const LATENT_COLOURING_LABELS: Record<MapColouring, string> = { phase: 'phase', twoTheta: '2θ of maximum', error: 'reconstruction error', pValue: 'p-value' };

// ---- subsampling ----------------------------------------------------------------------------

/** Indices of at most `cap` of `count` items, evenly spaced from the first. */
export function subsampleIndices(count: number, cap: number): number[] {
  const stride = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(cap))));
  return Array.from({ length: Math.ceil(count / stride) }, (_, i) => i * stride);
}

/** At most `cap` of the points, evenly spaced. */
export function subsamplePoints(points: MapPoints, cap: number): MapPoints {
  const keep = subsampleIndices(points.labels.length, cap);
  if (keep.length === points.labels.length) return points;
  return {
    latent: keep.flatMap((i) => [points.latent[2 * i], points.latent[2 * i + 1]]),
    labels: keep.map((i) => points.labels[i]),
    twoThetaOfMax: keep.map((i) => points.twoThetaOfMax[i]),
    errors: keep.map((i) => points.errors[i]),
    ...(points.pValues ? { pValues: keep.map((i) => points.pValues![i]) } : {}),
  };
}

// ---- marks ----------------------------------------------------------------------------------

/** The map's files as marks: novel ones red, the focused one larger, the newest ringed. */
export function fileMarks(map: Pick<LatentMap, 'files' | 'focused' | 'newest'>): MapMark[] {
  return map.files.map((f) => ({ key: f.file, name: f.name, x: f.latent[0], y: f.latent[1], novel: f.verdict === 'novel', focused: f.file === map.focused, newest: f.file === map.newest }));
}

/** Marks at x, y pairs (a structure's varied draws), named by `name(i)`. */
export function pointMarks(latent: ArrayLike<number>, name: (i: number) => string): MapMark[] {
  const marks: MapMark[] = [];
  for (let i = 0; 2 * i + 1 < latent.length; i++) marks.push({ name: name(i), x: latent[2 * i], y: latent[2 * i + 1] });
  return marks;
}

// ---- colours ----------------------------------------------------------------------------------

const all = (values: readonly number[] | undefined) => !!values && values.length > 0 && values.every(Number.isFinite);

/** The colourings the map's points carry data for, phase first (always there). */
export function availableColourings(points: MapPoints): MapColouring[] {
  const kinds: MapColouring[] = ['phase'];
  if (all(points.twoThetaOfMax)) kinds.push('twoTheta');
  if (all(points.errors)) kinds.push('error');
  if (all(points.pValues)) kinds.push('pValue');
  return kinds;
}

export interface PointColours {
  /** The colouring drawn: the one asked for, or phase when the points lack its data. */
  by: MapColouring;
  /** One colour per reference point. */
  fill: string[];
  legend: MapLegend;
}

export function pointColours(map: Pick<LatentMap, 'reference' | 'phases' | 'errorThreshold'>, asked: MapColouring): PointColours {
  const ref = map.reference;
  const by = availableColourings(ref).includes(asked) ? asked : 'phase';
  if (by === 'twoTheta') {
    const scale = linearScale(ref.twoThetaOfMax, '2θ of the strongest peak (°)');
    return { by, fill: ref.twoThetaOfMax.map(scale.of), legend: scale.legend };
  }
  if (by === 'error') {
    const scale = errorScale(ref.errors, map.errorThreshold);
    return { by, fill: ref.errors.map(scale.of), legend: scale.legend };
  }
  if (by === 'pValue') {
    const scale = pValueScale();
    return { by, fill: ref.pValues!.map(scale.of), legend: scale.legend };
  }
  return { by, fill: ref.labels.map(phaseColour), legend: { kind: 'categories', entries: map.phases.map((label, k) => ({ label, colour: phaseColour(k) })) } };
}

/** Point indices by colour, in first-seen order: a renderer sets each colour once (20,000 points stay fast, and an SVG stays small). */
export function groupByColour(fill: readonly string[]): { colour: string; indices: number[] }[] {
  const groups = new Map<string, number[]>();
  fill.forEach((colour, i) => {
    let members = groups.get(colour);
    if (!members) groups.set(colour, (members = []));
    members.push(i);
  });
  return [...groups].map(([colour, indices]) => ({ colour, indices }));
}

/** A region cell's colour as bytes (an image's pixel): its phase's colour at REGION_OPACITY. */
export function regionRgba(label: number): [number, number, number, number] {
  const c = phaseColour(label);
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16), Math.round(REGION_OPACITY * 255)];
}

// ---- geometry -----------------------------------------------------------------------------------

/** A window onto the plane: the x and y ranges shown. Zoom and pan are other windows. */
export interface PlaneWindow {
  x: [number, number];
  y: [number, number];
}

/** The drawing area in pixels (y grows down). */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Everything on the map: reference points, marks, outlined points and regions, with round ends (d3's nice). */
export function mapExtent(map: Pick<LatentMapBase, 'reference' | 'regions'>, marks: readonly MapMark[] = [], outlined?: OutlinedPoints): PlaneWindow {
  const xs = [Infinity, -Infinity];
  const ys = [Infinity, -Infinity];
  const extend = (x: number, y: number) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    xs[0] = Math.min(xs[0], x);
    xs[1] = Math.max(xs[1], x);
    ys[0] = Math.min(ys[0], y);
    ys[1] = Math.max(ys[1], y);
  };
  const pairs = (p: readonly number[]) => {
    for (let i = 0; i + 1 < p.length; i += 2) extend(p[i], p[i + 1]);
  };
  pairs(map.reference.latent);
  for (const m of marks) extend(m.x, m.y);
  if (outlined) pairs(outlined.latent);
  if (map.regions) {
    extend(map.regions.xMin, map.regions.yMin);
    extend(map.regions.xMax, map.regions.yMax);
  }
  const nice = (r: number[]): [number, number] => (Number.isFinite(r[0]) ? (scaleLinear().domain(r).nice().domain() as [number, number]) : [0, 1]);
  return { x: nice(xs), y: nice(ys) };
}

export interface PlaneScales {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
}

/** The window mapped onto the box: plane x to the right, plane y up. */
export function planeScales(window: PlaneWindow, box: PixelBox): PlaneScales {
  return { x: scaleLinear().domain(window.x).range([box.left, box.right]), y: scaleLinear().domain(window.y).range([box.bottom, box.top]) };
}

/** The window scaled by `factor` (< 1 zooms in) about the plane point `centre`. */
export function zoomWindow(window: PlaneWindow, centre: [number, number], factor: number): PlaneWindow {
  const about = (r: [number, number], c: number): [number, number] => [c + (r[0] - c) * factor, c + (r[1] - c) * factor];
  return { x: about(window.x, centre[0]), y: about(window.y, centre[1]) };
}

/** The window moved by dx, dy in plane units. */
export function panWindow(window: PlaneWindow, dx: number, dy: number): PlaneWindow {
  return { x: [window.x[0] + dx, window.x[1] + dx], y: [window.y[0] + dy, window.y[1] + dy] };
}

/** The region grid's cell (column, row) as a pixel rectangle. */
export function regionCell(r: MapRegions, scales: PlaneScales, column: number, row: number): { x: number; y: number; width: number; height: number } {
  const w = (r.xMax - r.xMin) / r.columns;
  const h = (r.yMax - r.yMin) / r.rows;
  const x = scales.x(r.xMin + column * w);
  const y = scales.y(r.yMin + (row + 1) * h);
  return { x, y, width: scales.x(r.xMin + (column + 1) * w) - x, height: scales.y(r.yMin + row * h) - y };
}

/** Pixel radius of a mark. */
export function markRadius(mark: MapMark): number {
  return mark.focused ? MARK_STYLE.focusedRadius : MARK_STYLE.radius;
}

/** The mark nearest the pixel (px, py) within HIT_RADIUS, if any. */
export function nearestMark(marks: readonly MapMark[], scales: PlaneScales, px: number, py: number, within = HIT_RADIUS): MapMark | undefined {
  let best: MapMark | undefined;
  let bestDistance = within;
  for (const m of marks) {
    const d = Math.hypot(scales.x(m.x) - px, scales.y(m.y) - py);
    if (d < bestDistance) [best, bestDistance] = [m, d];
  }
  return best;
}

/** Indices of the x, y pairs inside the polygon (plane units; even–odd rule): a lasso's selection. */
export function pointsInPolygon(latent: readonly number[], polygon: readonly [number, number][]): number[] {
  const inside: number[] = [];
  for (let i = 0; 2 * i + 1 < latent.length; i++) {
    const x = latent[2 * i];
    const y = latent[2 * i + 1];
    let odd = false;
    for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
      const [xa, ya] = polygon[a];
      const [xb, yb] = polygon[b];
      if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) odd = !odd;
    }
    if (odd) inside.push(i);
  }
  return inside;
}

// ---- the model a renderer draws -------------------------------------------------------------------

export interface LatentMapOptions {
  by: MapColouring;
  marks?: MapMark[];
  outlined?: OutlinedPoints;
}

export interface LatentMapModel {
  map: LatentMapBase & Pick<LatentMap, 'phases' | 'errorThreshold'>;
  colours: PointColours;
  /** Reference point indices by colour. */
  groups: { colour: string; indices: number[] }[];
  marks: MapMark[];
  /** At most MAX_OUTLINED_POINTS of the outlined points (the extent covers them all). */
  outlined?: OutlinedPoints;
  /** The whole map's window; zoom and pan draw other windows of the same model. */
  extent: PlaneWindow;
}

/** What the map looks like coloured `by`, with its marks: computed once, drawn at any size and window. */
export function latentMapModel(map: LatentMapModel['map'], options: LatentMapOptions): LatentMapModel {
  const colours = pointColours(map, options.by);
  const marks = options.marks ?? [];
  const extent = mapExtent(map, marks, options.outlined);
  let outlined = options.outlined;
  if (outlined) {
    const keep = subsampleIndices(outlined.latent.length / 2, MAX_OUTLINED_POINTS);
    outlined = { label: outlined.label, latent: keep.flatMap((i) => [outlined!.latent[2 * i], outlined!.latent[2 * i + 1]]) };
  }
  return { map, colours, groups: groupByColour(colours.fill), marks, outlined, extent };
}
