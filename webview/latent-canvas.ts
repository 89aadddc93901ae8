// The latent map on a canvas (tens of thousands of points stay smooth): KNN decision regions
// as an image, training points coloured by phase, 2θ of maximum or error, and marked points
// (workspace files, a structure's draws) on top. Hover names a marked point; click reports it.
import { scaleLinear, scaleSequentialLog, scaleSequential } from 'd3-scale';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';
import type { LatentMapPayload } from '../src/protocol/webview';
import { el, fmt, themeColour } from './dom';

export type ColourBy = 'phase' | 'twoTheta' | 'error';

export interface Marked {
  latent: number[];
  name: string;
  novel?: boolean;
  focused?: boolean;
  newest?: boolean;
  key?: string;
}

export interface LatentCanvasOptions {
  colourBy: ColourBy;
  marked: Marked[];
  onClick?: (m: Marked) => void;
  height?: number;
}

export function latentCanvas(container: HTMLElement, map: LatentMapPayload, options: LatentCanvasOptions): () => void {
  container.replaceChildren();
  const canvas = el('canvas', { class: 'latent-canvas', role: 'img', 'aria-label': `latent map of ${map.model}` });
  const tip = el('div', { class: 'readout', 'aria-live': 'polite' }, `${map.reference.labels.length} training points · ${options.marked.length} marked`);
  const legend = el('div', { class: 'legend' });
  container.append(legend, canvas, tip);
  canvas.dataset.points = String(map.reference.labels.length);
  canvas.dataset.marked = String(options.marked.length);

  const ref = map.reference;
  const n = ref.labels.length;
  let xs = [Infinity, -Infinity];
  let ys = [Infinity, -Infinity];
  const extend = (x: number, y: number) => {
    xs = [Math.min(xs[0], x), Math.max(xs[1], x)];
    ys = [Math.min(ys[0], y), Math.max(ys[1], y)];
  };
  for (let i = 0; i < n; i++) extend(ref.latent[2 * i], ref.latent[2 * i + 1]);
  for (const m of options.marked) extend(m.latent[0], m.latent[1]);
  if (map.regions) {
    extend(map.regions.x0, map.regions.y0);
    extend(map.regions.x1, map.regions.y1);
  }

  const colourOf = (() => {
    if (options.colourBy === 'twoTheta' && ref.twoThetaOfMax.every(Number.isFinite)) {
      const s = scaleSequential(interpolateViridis).domain([Math.min(...ref.twoThetaOfMax), Math.max(...ref.twoThetaOfMax)]);
      legend.replaceChildren(el('span', {}, `colour: 2θ of the strongest peak, ${fmt(s.domain()[0])}° (purple) to ${fmt(s.domain()[1])}° (yellow)`));
      return (i: number) => s(ref.twoThetaOfMax[i]);
    }
    if (options.colourBy === 'error' && ref.errors.every(Number.isFinite)) {
      const positive = ref.errors.map((e) => Math.max(e, 1e-6));
      const s = scaleSequentialLog(interpolateViridis).domain([Math.min(...positive), Math.max(...positive, map.errorThreshold)]);
      legend.replaceChildren(el('span', {}, `colour: reconstruction error (excess BCE, log) ${fmt(s.domain()[0])} to ${fmt(s.domain()[1])}; novel above ${fmt(map.errorThreshold)}`));
      return (i: number) => s(positive[i]);
    }
    legend.replaceChildren(
      ...map.phases.map((p, k) => {
        const key = el('span', { class: 'key-swatch' }, p);
        // Through the CSSOM: the CSP (no 'unsafe-inline') refuses a style attribute.
        key.style.setProperty('--swatch', schemeTableau10[k % 10]);
        return key;
      }),
    );
    return (i: number) => schemeTableau10[ref.labels[i] % 10];
  })();

  const byColour = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const colour = colourOf(i);
    let members = byColour.get(colour);
    if (!members) byColour.set(colour, (members = []));
    members.push(i);
  }
  let hitTargets: { x: number; y: number; m: Marked }[] = [];
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
    const x = scaleLinear().domain(xs).nice().range([pad, width - 8]);
    const y = scaleLinear().domain(ys).nice().range([height - pad, 8]);
    ctx.clearRect(0, 0, width, height);
    if (map.regions) {
      // The regions as a one-pixel-per-cell image, scaled up: one drawImage, not 14,400 rectangles.
      const r = map.regions;
      const cells = new OffscreenCanvas(r.columns, r.rows);
      const cellCtx = cells.getContext('2d')!;
      const image = cellCtx.createImageData(r.columns, r.rows);
      const rgb = schemeTableau10.map((c) => [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)]);
      for (let row = 0; row < r.rows; row++) {
        for (let c = 0; c < r.columns; c++) {
          const [cr, cg, cb] = rgb[r.labels[row * r.columns + c] % 10];
          const o = ((r.rows - 1 - row) * r.columns + c) * 4; // image rows run top-down, latent y bottom-up
          image.data[o] = cr;
          image.data[o + 1] = cg;
          image.data[o + 2] = cb;
          image.data[o + 3] = 41; // ≈ 0.16 opacity
        }
      }
      cellCtx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(cells, x(r.x0), y(r.y1), x(r.x1) - x(r.x0), y(r.y0) - y(r.y1));
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
    ctx.globalAlpha = 0.75;
    // Points grouped by colour: one fillStyle per colour, not per point (20,000 points stay fast).
    for (const [colour, members] of byColour) {
      ctx.fillStyle = colour;
      for (const i of members) ctx.fillRect(x(ref.latent[2 * i]) - 1.25, y(ref.latent[2 * i + 1]) - 1.25, 2.5, 2.5);
    }
    ctx.globalAlpha = 1;
    hitTargets = [];
    const novelColour = themeColour('--vscode-charts-red', '#e5534b');
    for (const m of options.marked) {
      const px = x(m.latent[0]);
      const py = y(m.latent[1]);
      hitTargets.push({ x: px, y: py, m });
      ctx.beginPath();
      ctx.arc(px, py, m.focused ? 7 : 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = m.novel ? novelColour : themeColour('--vscode-editor-background', '#fff');
      ctx.fill();
      ctx.lineWidth = m.focused ? 3 : 1.5;
      ctx.strokeStyle = m.focused ? themeColour('--vscode-focusBorder', '#007fd4') : fg;
      ctx.stroke();
      if (m.newest) {
        ctx.beginPath();
        ctx.arc(px, py, 11, 0, 2 * Math.PI);
        ctx.strokeStyle = themeColour('--vscode-charts-yellow', '#d7ba7d');
        ctx.lineWidth = 2;
        ctx.stroke();
      }
    }
    canvas.dataset.drawMs = (performance.now() - started).toFixed(1);
  };
  const hit = (event: MouseEvent) => hitTargets.find((t) => Math.hypot(t.x - event.offsetX, t.y - event.offsetY) < 8);
  canvas.addEventListener('mousemove', (event) => {
    const t = hit(event);
    canvas.style.cursor = t && options.onClick ? 'pointer' : 'default';
    if (t) tip.textContent = `${t.m.name} (${t.m.latent.map((v) => v.toFixed(2)).join(', ')})${t.m.novel ? ' · novel' : ''}`;
  });
  canvas.addEventListener('click', (event) => {
    const t = hit(event);
    if (t && options.onClick) options.onClick(t.m);
  });
  draw();
  return draw;
}
