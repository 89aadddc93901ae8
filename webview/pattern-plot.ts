// A diffraction pattern plot: the pattern, the model's reconstruction over it, the residual
// below, zoom and pan on 2θ (wheel, drag, double-click resets), and a hover readout of 2θ,
// d-spacing and intensity. SVG: a few thousand points per line draw fast and stay crisp.
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, type ZoomTransform } from 'd3-zoom';
import { axisBottom, axisLeft } from 'd3-axis';
import type { PatternPayload, PeakLabel, SeriesPayload, UnexplainedPeakPayload } from '../src/protocol/webview';
import { el, fmt } from './dom';

const CU_KALPHA1 = 1.540562;
const MARGIN = { top: 12, right: 16, bottom: 34, left: 52 };

export interface PlotOptions {
  peaks?: PeakLabel[];
  /** Extra patterns on the same grid as `main` (e.g. varied draws), drawn thin. */
  extras?: number[][];
  height?: number;
  /** Also draw the data as measured and the subtracted background (display scale of the file). */
  asMeasured?: boolean;
}

interface Line {
  x: number[];
  y: number[];
  className: string;
  label: string;
}

/** Draws into `container` and returns a function that redraws at the new size. */
export function patternPlot(container: HTMLElement, pattern: PatternPayload, options: PlotOptions = {}): () => void {
  const model = pattern.model;
  // With a model, show what the model saw (the prepared pattern on its grid) and its reconstruction.
  const main: SeriesPayload = model ? model.prepared : pattern.measured;
  const lines: Line[] = [{ x: main.twoTheta, y: main.values, className: 'series-measured', label: model ? 'pattern (as the model sees it)' : 'pattern' }];
  if (model) lines.push({ x: main.twoTheta, y: model.reconstruction, className: 'series-reconstruction', label: `reconstruction (${model.name})` });
  if (model && options.asMeasured) {
    lines.push({ x: pattern.measured.twoTheta, y: pattern.measured.values, className: 'series-raw', label: 'as measured (scaled)' });
    if (model.background) lines.push({ x: model.background.twoTheta, y: model.background.values, className: 'series-background', label: 'background (subtracted)' });
  }
  for (const extra of options.extras ?? []) lines.push({ x: main.twoTheta, y: extra, className: 'series-extra', label: 'varied draw' });
  const residual = model ? main.values.map((v, i) => v - model.reconstruction[i]) : undefined;
  const unexplained = model?.score.unexplainedPeaks ?? [];
  const wavelength = pattern.wavelength ?? CU_KALPHA1;

  container.replaceChildren();
  container.classList.add('pattern-plot');
  const legend = el('div', { class: 'legend' }, ...lines.filter((l, i) => l.className !== 'series-extra' || i === lines.findIndex((m) => m.className === 'series-extra')).map((l) => el('span', { class: `key ${l.className}` }, l.label)));
  const readout = el('div', { class: 'readout', 'aria-live': 'polite' }, 'hover the plot for 2θ, d and intensity; wheel to zoom, drag to pan, double-click to reset');
  const svgNode = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svgNode.setAttribute('class', 'plot');
  svgNode.setAttribute('role', 'img');
  svgNode.setAttribute('aria-label', `${pattern.title}: intensity against 2θ`);
  container.append(legend, svgNode, readout);

  let transform: ZoomTransform = zoomIdentity;
  const xDomain: [number, number] = [main.twoTheta[0], main.twoTheta[main.twoTheta.length - 1]];

  /** Builds the plot at the container's size; zooming only moves what depends on 2θ. */
  const draw = () => {
    const width = Math.max(320, container.clientWidth);
    const mainHeight = options.height ?? Math.max(220, Math.min(420, window.innerHeight * 0.5));
    const residualHeight = residual ? 110 : 0;
    const height = mainHeight + residualHeight;
    const svg = select(svgNode).attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
    svg.selectAll('*').remove();
    const x0 = scaleLinear().domain(xDomain).range([MARGIN.left, width - MARGIN.right]);
    const yMax = Math.max(1, ...lines.map((l) => Math.max(...l.y)));
    const y = scaleLinear().domain([Math.min(0, ...main.values), yMax * 1.08]).range([mainHeight - MARGIN.bottom, MARGIN.top]);
    const clipId = `clip-${Math.random().toString(36).slice(2)}`;
    svg.append('clipPath').attr('id', clipId).append('rect').attr('x', MARGIN.left).attr('y', 0).attr('width', width - MARGIN.left - MARGIN.right).attr('height', height);
    const plotArea = svg.append('g').attr('clip-path', `url(#${clipId})`);
    const paths = lines.map((l) => plotArea.append('path').attr('class', `series ${l.className}`));
    const peakLayer = plotArea.append('g');
    const xAxis = svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${mainHeight - MARGIN.bottom})`);
    svg.append('g').attr('class', 'axis').attr('transform', `translate(${MARGIN.left},0)`).call(axisLeft(y).ticks(5));
    svg.append('text').attr('class', 'axis-label').attr('x', (MARGIN.left + width - MARGIN.right) / 2).attr('y', mainHeight - 4).attr('text-anchor', 'middle').text('2θ (°)');
    svg.append('text').attr('class', 'axis-label').attr('transform', `translate(12,${mainHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('intensity (scaled)');
    let residualPath: Selection<SVGPathElement, unknown, null, undefined> | undefined;
    let yr: ReturnType<typeof scaleLinear<number, number>> | undefined;
    if (residual) {
      const top = mainHeight + 4;
      const extent = Math.max(0.05, ...residual.map(Math.abs));
      yr = scaleLinear().domain([-extent, extent]).range([height - MARGIN.bottom + 20, top]);
      const g = svg.append('g').attr('clip-path', `url(#${clipId})`);
      g.append('line').attr('class', 'zero').attr('x1', MARGIN.left).attr('x2', width - MARGIN.right).attr('y1', yr(0)).attr('y2', yr(0));
      residualPath = g.append('path').attr('class', 'series series-residual');
      svg.append('g').attr('class', 'axis').attr('transform', `translate(${MARGIN.left},0)`).call(axisLeft(yr).ticks(3));
      svg.append('text').attr('class', 'axis-label').attr('transform', `translate(12,${(top + height) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('residual');
    }
    const cursor = svg.append('line').attr('class', 'cursor').attr('y1', MARGIN.top).attr('y2', height - 10).style('display', 'none');
    const overlay = svg.append('rect').attr('class', 'overlay').attr('x', MARGIN.left).attr('y', 0).attr('width', width - MARGIN.left - MARGIN.right).attr('height', height);
    // Over the overlay, so that hovering a marker reads out its peak.
    const unexplainedLayer = svg.append('g').attr('clip-path', `url(#${clipId})`).attr('class', 'unexplained-peaks');
    let x = transform.rescaleX(x0);

    const update = () => {
      x = transform.rescaleX(x0);
      lines.forEach((l, k) => paths[k].attr('d', line<number>().x((_, i) => x(l.x[i])).y((v) => y(v))(l.y) ?? ''));
      if (residualPath && residual && yr) residualPath.attr('d', line<number>().x((_, i) => x(main.twoTheta[i])).y((v) => yr!(v))(residual) ?? '');
      xAxis.call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 80))));
      peakLayer.selectAll('*').remove();
      drawUnexplained(unexplainedLayer, unexplained, x, (t) => y(main.values[nearestIndex(main.twoTheta, t)]), readout);
      if (options.peaks) {
        // hkl labels on the strongest visible peaks, at most one per ~60 px.
        const visible = options.peaks.filter((p) => x(p.twoTheta) >= MARGIN.left && x(p.twoTheta) <= width - MARGIN.right);
        const taken: number[] = [];
        for (const p of [...visible].sort((a, b) => b.intensity - a.intensity)) {
          const px = x(p.twoTheta);
          peakLayer.append('line').attr('class', 'peak-tick').attr('x1', px).attr('x2', px).attr('y1', mainHeight - MARGIN.bottom).attr('y2', mainHeight - MARGIN.bottom - 6);
          if (taken.some((t) => Math.abs(t - px) < 60) || p.intensity < 2) continue;
          taken.push(px);
          peakLayer.append('text').attr('class', 'peak-label').attr('x', px).attr('y', y(Math.min(yMax, p.intensity / 100)) - 6).attr('text-anchor', 'middle').text(p.hkl.split(' (')[0]);
        }
      }
    };
    overlay
      .on('mousemove', (event: MouseEvent) => {
        const i = nearestIndex(main.twoTheta, x.invert(event.offsetX));
        const d = wavelength / (2 * Math.sin((main.twoTheta[i] * Math.PI) / 360));
        cursor.attr('x1', x(main.twoTheta[i])).attr('x2', x(main.twoTheta[i])).style('display', null);
        readout.textContent =
          `2θ ${main.twoTheta[i].toFixed(3)}°   d ${d.toFixed(4)} Å   intensity ${fmt(main.values[i])}` +
          (model ? `   reconstruction ${fmt(model.reconstruction[i])}   residual ${fmt(residual![i])}` : '');
      })
      .on('mouseleave', () => cursor.style('display', 'none'));
    const behaviour = zoom<SVGRectElement, unknown>()
      .scaleExtent([1, 200])
      .translateExtent([[MARGIN.left, 0], [width - MARGIN.right, height]])
      .extent([[MARGIN.left, 0], [width - MARGIN.right, height]])
      .filter((event: Event) => event.type !== 'dblclick')
      .on('zoom', (event: { transform: ZoomTransform }) => {
        transform = event.transform;
        svgNode.dataset.zoom = transform.k.toFixed(3);
        update();
      });
    overlay.call(behaviour);
    overlay.property('__zoom', transform);
    overlay.on('dblclick', () => overlay.call(behaviour.transform, zoomIdentity));
    update();
  };
  draw();
  svgNode.dataset.points = String(main.twoTheta.length);
  svgNode.dataset.reconstruction = model ? 'yes' : 'no';
  svgNode.dataset.unexplainedPeaks = String(unexplained.length);
  return draw;
}

/** How an unexplained peak is read out (hover and tooltip alike). */
export function describeUnexplained(p: UnexplainedPeakPayload): string {
  return `unexplained peak: 2θ ${p.twoTheta.toFixed(3)}°   d ${p.d.toFixed(4)} Å   ${(100 * p.relativeHeight).toFixed(1)} % of the strongest line (${p.sigmas.toFixed(0)} σ)`;
}

/**
 * A downward triangle above the pattern at each unexplained peak; hovering one reads it out
 * (2θ, d, relative height), and its <title> is the browser's tooltip.
 */
function drawUnexplained(
  layer: Selection<SVGGElement, unknown, null, undefined>,
  peaks: readonly UnexplainedPeakPayload[],
  x: (t: number) => number,
  yAt: (t: number) => number,
  readout: HTMLElement,
): void {
  layer.selectAll('*').remove();
  for (const p of peaks) {
    const px = x(p.twoTheta);
    const py = yAt(p.twoTheta) - 6;
    const marker = layer
      .append('path')
      .attr('class', 'unexplained-marker')
      .attr('d', `M${px - 5},${py - 9}L${px + 5},${py - 9}L${px},${py}Z`)
      .attr('data-two-theta', p.twoTheta.toFixed(3))
      .on('mouseenter', () => (readout.textContent = describeUnexplained(p)));
    marker.append('title').text(describeUnexplained(p));
  }
}

function nearestIndex(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid;
    else hi = mid;
  }
  return Math.abs(sorted[lo] - value) <= Math.abs(sorted[hi] - value) ? lo : hi;
}
