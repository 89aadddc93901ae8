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
    legend.replaceChildren(...map.phases.map((p, k) => el('span', { class: 'key-swatch', style: `--swatch:${schemeTableau10[k % 10]}` }, p)));
    return (i: number) => schemeTableau10[ref.labels[i] % 10];
  })();

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
      const r = map.regions;
      const w = (r.x1 - r.x0) / r.columns;
      const h = (r.y1 - r.y0) / r.rows;
      ctx.globalAlpha = 0.16;
      for (let row = 0; row < r.rows; row++) {
        for (let c = 0; c < r.columns; c++) {
          ctx.fillStyle = schemeTableau10[r.labels[row * r.columns + c] % 10];
          const px = x(r.x0 + c * w);
          const py = y(r.y0 + (row + 1) * h);
          ctx.fillRect(px, py, x(r.x0 + (c + 1) * w) - px + 0.5, y(r.y0 + row * h) - py + 0.5);
        }
      }
      ctx.globalAlpha = 1;
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
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colourOf(i);
      ctx.fillRect(x(ref.latent[2 * i]) - 1.25, y(ref.latent[2 * i + 1]) - 1.25, 2.5, 2.5);
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
