// The latent map on a canvas (tens of thousands of points stay smooth): it draws the view model
// (src/shared/latent-map.ts) — KNN decision regions as an image, training points coloured as the
// model says, marked points (workspace files, a structure's draws) on top — in the theme's
// colours. Export Figures writes the same model as SVG. Hover names a marked point; click reports it.
import type { MapColouring, MapLegend } from '../src/shared/colour-scales';
import {
  MARK_STYLE, POINT_OPACITY, POINT_SIZE, PRINT_PALETTE, latentMapModel, markRadius, nearestMark, planeScales, regionRgba,
  type LatentMap, type MapMark, type PlaneScales,
} from '../src/shared/latent-map';
import { el, fmt, themeColour } from './dom';

export interface LatentCanvasOptions {
  colourBy: MapColouring;
  marks: MapMark[];
  onClick?: (m: MapMark) => void;
  height?: number;
}

export function latentCanvas(container: HTMLElement, map: LatentMap, options: LatentCanvasOptions): () => void {
  container.replaceChildren();
  const model = latentMapModel(map, { by: options.colourBy, marks: options.marks });
  const canvas = el('canvas', { class: 'latent-canvas', role: 'img', 'aria-label': `latent map of ${map.model}` });
  const tip = el('div', { class: 'readout', 'aria-live': 'polite' }, `${map.reference.labels.length} training points · ${model.marks.length} marked`);
  const legend = el('div', { class: 'legend' }, ...legendNodes(model.colours.legend));
  container.append(legend, canvas, tip);
  canvas.dataset.points = String(map.reference.labels.length);
  canvas.dataset.marked = String(model.marks.length);
  canvas.dataset.colourBy = model.colours.by;

  const ref = map.reference.latent;
  let scales: PlaneScales | undefined;
  const draw = () => {
    const started = performance.now();
    const width = Math.max(240, container.clientWidth);
    const height = options.height ?? Math.max(240, Math.min(width, window.innerHeight - 120));
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const pad = 28;
    scales = planeScales(model.extent, { left: pad, top: 8, right: width - 8, bottom: height - pad });
    const { x, y } = scales;
    ctx.clearRect(0, 0, width, height);
    if (map.regions) {
      // The regions as a one-pixel-per-cell image, scaled up: one drawImage, not 14,400 rectangles.
      const r = map.regions;
      const cells = new OffscreenCanvas(r.columns, r.rows);
      const cellCtx = cells.getContext('2d')!;
      const image = cellCtx.createImageData(r.columns, r.rows);
      for (let row = 0; row < r.rows; row++) {
        for (let c = 0; c < r.columns; c++) {
          const o = ((r.rows - 1 - row) * r.columns + c) * 4; // image rows run top-down, latent y bottom-up
          image.data.set(regionRgba(r.labels[row * r.columns + c]), o);
        }
      }
      cellCtx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(cells, x(r.xMin), y(r.yMax), x(r.xMax) - x(r.xMin), y(r.yMin) - y(r.yMax));
    }
    // Axes: a frame with the axis names.
    const fg = themeColour('--vscode-foreground', '#888');
    ctx.strokeStyle = fg;
    ctx.fillStyle = fg;
    ctx.globalAlpha = 0.6;
    ctx.strokeRect(pad, 8, width - pad - 8, height - pad - 8);
    ctx.font = '11px sans-serif';
    ctx.fillText(map.axes[0], width / 2 - 20, height - 8);
    ctx.save();
    ctx.translate(12, height / 2 + 20);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(map.axes[1], 0, 0);
    ctx.restore();
    ctx.globalAlpha = POINT_OPACITY;
    // Points grouped by colour: one fillStyle per colour, not per point (20,000 points stay fast).
    const half = POINT_SIZE / 2;
    for (const { colour, indices } of model.groups) {
      ctx.fillStyle = colour;
      for (const i of indices) ctx.fillRect(x(ref[2 * i]) - half, y(ref[2 * i + 1]) - half, POINT_SIZE, POINT_SIZE);
    }
    ctx.globalAlpha = 1;
    const novelColour = themeColour('--vscode-charts-red', PRINT_PALETTE.novel);
    for (const m of model.marks) {
      const px = x(m.x);
      const py = y(m.y);
      ctx.beginPath();
      ctx.arc(px, py, markRadius(m), 0, 2 * Math.PI);
      ctx.fillStyle = m.novel ? novelColour : themeColour('--vscode-editor-background', PRINT_PALETTE.background);
      ctx.fill();
      ctx.lineWidth = m.focused ? MARK_STYLE.focusedStroke : MARK_STYLE.stroke;
      ctx.strokeStyle = m.focused ? themeColour('--vscode-focusBorder', PRINT_PALETTE.focus) : fg;
      ctx.stroke();
      if (m.newest) {
        ctx.beginPath();
        ctx.arc(px, py, MARK_STYLE.newestRing, 0, 2 * Math.PI);
        ctx.strokeStyle = themeColour('--vscode-charts-yellow', PRINT_PALETTE.newest);
        ctx.lineWidth = MARK_STYLE.newestStroke;
        ctx.stroke();
      }
    }
    canvas.dataset.drawMs = (performance.now() - started).toFixed(1);
  };
  const hit = (event: MouseEvent) => (scales ? nearestMark(model.marks, scales, event.offsetX, event.offsetY) : undefined);
  canvas.addEventListener('mousemove', (event) => {
    const m = hit(event);
    canvas.style.cursor = m && options.onClick ? 'pointer' : 'default';
    if (m) tip.textContent = `${m.name} (${m.x.toFixed(2)}, ${m.y.toFixed(2)})${m.novel ? ' · novel' : ''}`;
  });
  canvas.addEventListener('click', (event) => {
    const m = hit(event);
    if (m && options.onClick) options.onClick(m);
  });
  draw();
  return draw;
}

/** The legend in words (a scale) or as swatches (phases). */
function legendNodes(legend: MapLegend): HTMLElement[] {
  if (legend.kind === 'categories') {
    return legend.entries.map((e) => {
      const key = el('span', { class: 'key-swatch' }, e.label);
      // Through the CSSOM: the CSP (no 'unsafe-inline') refuses a style attribute.
      key.style.setProperty('--swatch', e.colour);
      return key;
    });
  }
  const [lo, hi] = legend.domain;
  const mark = legend.mark ? `; ${legend.mark.label} ${fmt(legend.mark.value)}` : '';
  return [el('span', {}, `colour: ${legend.label}${legend.log ? ', log' : ''}, ${fmt(lo)} (purple) to ${fmt(hi)} (yellow)${mark}`)];
}
