// The .xrd page: a materials library on its wafer (or its ternary composition diagram) coloured
// by what the model says of each sample, beside the selected sample's pattern over its
// reconstruction — the paper's Figure 4. Geometry and colours come from src/shared/collection-map,
// the model the exported SVG draws too, so the editor and the figure cannot disagree.
import type { CollectionPayload, CollectionView, HostToWebview } from '../src/protocol/webview';
import { COLOURING_LABELS, LAYOUT_LABELS, availableLayouts, compositionElements, mapColours, mapLayout, type MapColours } from '../src/shared/collection-map';
import { app, button, el, fmt, select } from './dom';
import { loadState, saveState, send } from './host';
import { patternPlot } from './pattern-plot';
import { patternHeader } from './pattern-header';
import { redraws, resetRedraws } from './views';

const SVG = 'http://www.w3.org/2000/svg';

let current: CollectionPayload | undefined;
let view: CollectionView = loadState<{ collectionView?: CollectionView }>()?.collectionView ?? { by: 'error', layout: 'wafer' };
let selected = -1;

export function showCollection(c: CollectionPayload): void {
  resetRedraws();
  current = c;
  const layouts = availableLayouts(c.samples);
  if (!layouts.includes(view.layout)) view = { ...view, layout: layouts[0] };
  const elements = compositionElements(c.samples);
  if (view.layout === 'composition' && !(view.corners?.length === 3 && view.corners.every((e) => elements.includes(e)))) view = { ...view, corners: elements.slice(0, 3) };
  remember();

  const controls = [
    select('colour by', Object.entries(COLOURING_LABELS), view.by, (by) => update({ by: by as CollectionView['by'] })),
    layouts.length > 1 ? select('place samples by', layouts.map((l) => [l, LAYOUT_LABELS[l]]), view.layout, (layout) => update({ layout: layout as CollectionView['layout'] })) : undefined,
    view.layout === 'composition' && elements.length > 3 ? cornerPicker(elements) : undefined,
  ];
  const map = el('div', { class: 'wafer' });
  const detail = el('div', { class: 'sample-detail' }, el('p', { class: 'note' }, 'Click a sample to see its pattern over its reconstruction.'));
  const novel = c.samples.filter((s) => s.verdict === 'novel').length;
  const unreadable = c.samples.filter((s) => s.error).length;
  app().replaceChildren(
    el(
      'div',
      { class: 'toolbar' },
      el('h1', {}, c.title),
      ...controls,
      button('Export Map and Scores…', () => send({ type: 'exportCollection' }), { 'data-action': 'export' }),
      button('Reopen as Text', () => send({ type: 'reopenAsText' })),
    ),
    ...(c.about ?? []).map((line) => el('p', { class: 'note about' }, line)),
    ...(c.modelWarning ? [el('p', { class: 'model-warning', 'data-reliability': 'unreliable' }, c.modelWarning)] : []),
    el('p', { class: 'note' }, c.modelNote ?? `${c.samples.length} samples; ${novel} novel, ${c.samples.filter((s) => s.flagged).length} flagged${unreadable ? `, ${unreadable} not scored` : ''}`),
    el('div', { class: 'collection-layout' }, map, detail),
  );
  map.append(...drawMap(c));
  const root = app();
  root.dataset.state = 'collection';
  root.dataset.samples = String(c.samples.length);
  root.dataset.layout = view.layout;
  root.dataset.colourBy = view.by;
  if (selected >= 0 && selected < c.samples.length) send({ type: 'selectSample', index: selected });
}

function update(change: Partial<CollectionView>): void {
  view = { ...view, ...change };
  if (current) showCollection(current);
}

/** The host keeps the choice for Export; the page keeps it across reloads. */
function remember(): void {
  saveState({ ...(loadState<object>() ?? {}), collectionView: view });
  send({ type: 'collectionView', view });
}

/** More than three elements: the user chooses the triangle's corners (the rest are renormalised away). */
function cornerPicker(elements: string[]): HTMLLabelElement {
  const triples: [string, string][] = [];
  for (let i = 0; i < elements.length; i++)
    for (let j = i + 1; j < elements.length; j++)
      for (let k = j + 1; k < elements.length; k++) triples.push([[elements[i], elements[j], elements[k]].join(','), [elements[i], elements[j], elements[k]].join('–')]);
  return select('corners', triples, (view.corners ?? []).join(','), (v) => update({ corners: v.split(',') }));
}

function drawMap(c: CollectionPayload): Node[] {
  const layout = mapLayout(c.samples, { kind: view.layout, corners: view.corners, waferDiameterMm: c.waferDiameter, size: 380 });
  const colours = mapColours(c.samples, view.by);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${layout.size} ${layout.size}`);
  svg.setAttribute('width', String(layout.size));
  svg.setAttribute('height', String(layout.size));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `samples by ${LAYOUT_LABELS[layout.kind]}, coloured by ${COLOURING_LABELS[view.by]}`);
  svg.setAttribute('class', `library-map ${layout.kind}`);
  if (layout.wafer) svg.append(svgNode('circle', { cx: layout.wafer.cx, cy: layout.wafer.cy, r: layout.wafer.r, class: 'wafer-outline' }));
  if (layout.ternary) {
    const t = layout.ternary;
    for (const g of t.gridLines) svg.append(svgNode('line', { x1: g.from[0], y1: g.from[1], x2: g.to[0], y2: g.to[1], class: 'ternary-grid' }));
    svg.append(svgNode('polygon', { points: t.vertices.map((p) => p.join(',')).join(' '), class: 'ternary-frame' }));
    const [a, b, top] = t.vertices;
    svg.append(svgText(t.corners[0], a[0], a[1] + 18, 'ternary-corner'), svgText(t.corners[1], b[0], b[1] + 18, 'ternary-corner'), svgText(t.corners[2], top[0], top[1] - 8, 'ternary-corner'));
  }
  c.samples.forEach((s, i) => {
    const [cx, cy] = layout.points[i];
    const dot = svgNode('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: layout.radius.toFixed(1), 'data-index': i, tabindex: 0 });
    dot.setAttribute('fill', colours.fill[i] ?? 'var(--vscode-disabledForeground)');
    dot.setAttribute('class', `sample${s.verdict === 'novel' ? ' novel' : ''}${s.flagged ? ' flagged' : ''}${i === selected ? ' selected' : ''}`);
    const title = document.createElementNS(SVG, 'title');
    const composition = s.composition ? ' · ' + Object.entries(s.composition).map(([e, v]) => `${e}${(100 * v).toFixed(0)}`).join(' ') : '';
    const where = s.x !== undefined && s.y !== undefined ? ` · (${s.x.toFixed(1)}, ${s.y.toFixed(1)}) mm` : '';
    const score = s.bceExcess !== undefined ? ` · excess BCE ${fmt(s.bceExcess)} · p ${fmt(s.pValue)} · ${s.verdict} · nearest ${s.nearestPhase}` : '';
    title.textContent = `${s.id}${where}${composition}${score}${s.error ? ` · ${s.error}` : ''}`;
    dot.append(title);
    const choose = () => {
      selected = i;
      svg.querySelectorAll('.sample.selected').forEach((n) => n.classList.remove('selected'));
      dot.classList.add('selected');
      send({ type: 'selectSample', index: i });
    };
    dot.addEventListener('click', choose);
    dot.addEventListener('keydown', (e) => ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') && choose());
    svg.append(dot);
  });
  const nodes: Node[] = [svg, legend(colours.legend)];
  if (layout.note) nodes.push(el('p', { class: 'note' }, layout.note));
  return nodes;
}

function legend(l: MapColours['legend']): HTMLElement {
  if (l.kind === 'categories') {
    return el('div', { class: 'map-legend' }, ...l.entries.map((e) => el('span', { class: 'legend-entry' }, swatch(e.colour), e.label)));
  }
  const stops = Array.from({ length: 11 }, (_, k) => `${l.colour(k / 10)} ${k * 10}%`).join(', ');
  const bar = el('span', { class: 'legend-bar' });
  bar.style.background = `linear-gradient(to right, ${stops})`;
  return el('div', { class: 'map-legend' }, el('span', {}, fmt(l.domain[0])), bar, el('span', {}, fmt(l.domain[1])), el('span', { class: 'legend-label' }, `${l.label} (log scale)`));
}

function swatch(colour: string): HTMLElement {
  const s = el('span', { class: 'legend-swatch' });
  s.style.background = colour;
  return s;
}

function svgNode(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag) as SVGElement;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function svgText(text: string, x: number, y: number, cls: string): SVGElement {
  const t = svgNode('text', { x, y, 'text-anchor': 'middle', class: cls });
  t.textContent = text;
  return t;
}

export function showSample(m: Extract<HostToWebview, { type: 'sample' }>): void {
  const detail = document.querySelector('.sample-detail') as HTMLElement | null;
  if (!detail || !current) return;
  const sample = current.samples[m.index];
  const plot = el('div', { class: 'plot-container' });
  detail.replaceChildren(
    patternHeader(m.pattern),
    el('div', { class: 'toolbar' }, button(sample?.flagged ? 'Unflag sample' : 'Flag sample', () => send({ type: 'toggleFlag', index: m.index }), { 'data-action': 'flag' })),
    plot,
  );
  redraws.push(patternPlot(plot, m.pattern, { height: 260 }));
  detail.dataset.sample = String(m.index);
}
