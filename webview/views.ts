// The four pages: a pattern file, a CIF preview, a collection, and the latent-map view.
import type { CollectionPayload, HostToWebview, LatentMapPayload, PatternPayload, StructurePayload } from '../src/protocol/webview';
import { app, button, checkbox, el, fmt, select, showError } from './dom';
import { send, loadState, saveState } from './host';
import { patternPlot } from './pattern-plot';
import { patternHeader } from './pattern-header';
import { latentCanvas } from './latent-canvas';
import type { MapColouring } from '../src/shared/colour-scales';
import { LATENT_COLOURING_LABELS, fileMarks, pointMarks } from '../src/shared/latent-map';

export const redraws: (() => void)[] = [];
window.addEventListener('resize', () => redraws.forEach((r) => r()));

export function resetRedraws(): void {
  redraws.length = 0;
}

// ---- pattern file ---------------------------------------------------------------------------

export function showPattern(pattern: PatternPayload): void {
  resetRedraws();
  const root = app();
  const plot = el('div', { class: 'plot-container' });
  const state = loadState<{ asMeasured?: boolean }>() ?? {};
  const toolbar = el('div', { class: 'toolbar' }, button('Reopen as Text', () => send({ type: 'reopenAsText' })));
  if (pattern.model) {
    // A crystallographer checks the background before trusting a score: show it on demand.
    const label = pattern.model.background ? 'show the data as measured and the subtracted background' : 'show the data as measured';
    toolbar.append(
      checkbox(label, !!state.asMeasured, (asMeasured) => {
        saveState({ ...(loadState<object>() ?? {}), asMeasured });
        showPattern(pattern);
      }, { 'data-action': 'as-measured' }),
    );
  }
  root.replaceChildren(toolbar, patternHeader(pattern), plot);
  redraws.push(patternPlot(plot, pattern, { asMeasured: !!state.asMeasured }));
  root.dataset.state = pattern.model ? 'scored' : 'plotted';
}

// ---- CIF preview ------------------------------------------------------------------------------

export function showStructures(m: Extract<HostToWebview, { type: 'structures' }>): void {
  resetRedraws();
  const root = app();
  if (m.structures.length === 0) {
    showError(m.file, 'No structure to preview: the CIF has no data block with a cell and atom sites that can be built.', m.problems, false);
    return;
  }
  const sections = m.structures.map((s, block) => structureSection(s, block, m.modelNote));
  const problems = m.problems.filter((p) => p.severity !== 'info');
  root.replaceChildren(
    ...(problems.length ? [el('details', { class: 'problems-summary' }, el('summary', {}, `${problems.length} problem(s) in ${m.file}`), el('ul', { class: 'problems' }, ...problems.map((p) => el('li', { class: p.severity }, `${p.line !== undefined ? `line ${p.line}: ` : ''}${p.message}`))))] : []),
    ...sections,
  );
  root.dataset.state = 'previewed';
}

const variationState = new Map<number, { seed: number; patterns: number[][] }>();

function structureSection(s: StructurePayload, block: number, modelNote?: string): HTMLElement {
  const c = s.cell;
  const plot = el('div', { class: 'plot-container' });
  const latent = el('div', { class: 'latent-container' });
  const section = el(
    'section',
    { class: 'structure', 'data-block': s.blockName },
    el('h1', {}, `data_${s.blockName}`),
    el(
      'div',
      { class: 'chips' },
      el('span', { class: 'chip' }, s.formula),
      el('span', { class: 'chip' }, `${s.spaceGroup}${s.spaceGroupNumber ? ` (No. ${s.spaceGroupNumber})` : ''}`),
      el('span', { class: 'chip' }, `a ${c.a.toFixed(4)} b ${c.b.toFixed(4)} c ${c.c.toFixed(4)} Å · α ${c.alpha} β ${c.beta} γ ${c.gamma}°`),
      el('span', { class: 'chip' }, `V ${s.volume.toFixed(2)} Å³`),
      el('span', { class: 'chip' }, `${s.sites} sites, ${s.atomsInCell} atoms in the cell`),
      el('span', { class: 'chip' }, `λ ${s.wavelength} Å, ${s.peaks.length} peaks`),
    ),
    el(
      'div',
      { class: 'toolbar' },
      button('Simulate with variation', () => {
        const seed = (variationState.get(block)?.seed ?? 0) + 1;
        send({ type: 'drawVariations', block, count: 3, seed });
      }, { 'data-action': 'vary' }),
      button('Ideal only', () => {
        variationState.delete(block);
        draw();
      }),
    ),
    plot,
    s.pattern ? patternHeader(s.pattern) : el('p', { class: 'note' }, modelNote ?? 'With a trained model, this structure\'s patterns appear over their reconstructions and on the latent map.'),
    latent,
    el('details', { class: 'peak-table' }, el('summary', {}, 'Peak list (as pymatgen computes it)'), peakTable(s)),
  );
  const draw = () => {
    const extras = variationState.get(block)?.patterns;
    const base: PatternPayload = s.pattern ?? { title: s.blockName, measured: s.ideal, wavelength: s.wavelength };
    redraws.push(patternPlot(plot, { ...base, wavelength: s.wavelength }, { peaks: s.peaks, extras }));
  };
  draw();
  structureRedraw.set(block, draw);
  if (s.latent && latestMap) {
    const marks = pointMarks(s.latent.points, (i) => `${s.blockName} varied draw ${i + 1}`);
    latent.append(el('h2', {}, `Where ${s.blockName}'s varied patterns fall in ${s.latent.model}'s latent space`));
    const canvasBox = el('div', {});
    latent.append(canvasBox);
    redraws.push(latentCanvas(canvasBox, latestMap, { colourBy: 'phase', marks, height: 260 }));
  }
  return section;
}

const structureRedraw = new Map<number, () => void>();
let latestMap: LatentMapPayload | undefined;

export function setStructureMap(map: LatentMapPayload | undefined): void {
  latestMap = map;
}

export function showVariations(m: Extract<HostToWebview, { type: 'variations' }>): void {
  variationState.set(m.block, { seed: m.seed, patterns: m.patterns });
  structureRedraw.get(m.block)?.();
  app().dataset.variations = String(m.seed);
}

function peakTable(s: StructurePayload): HTMLElement {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, el('th', {}, '2θ (°)'), el('th', {}, 'd (Å)'), el('th', {}, 'I'), el('th', {}, 'hkl'))),
    el('tbody', {}, ...s.peaks.map((p) => el('tr', {}, el('td', {}, p.twoTheta.toFixed(3)), el('td', {}, p.d.toFixed(4)), el('td', {}, p.intensity.toFixed(1)), el('td', {}, p.hkl)))),
  );
}

// ---- latent map view ----------------------------------------------------------------------------

export function showLatentMap(m: Extract<HostToWebview, { type: 'latentMap' }>): void {
  resetRedraws();
  const root = app();
  if (!m.map) {
    root.replaceChildren(el('p', { class: 'note' }, m.note ?? 'No model.'));
    root.dataset.state = 'empty';
    return;
  }
  const map = m.map;
  // Kept for the end-to-end benchmark, which redraws it scaled up to 20,000 points.
  (window as { __lastLatentMap?: LatentMapPayload }).__lastLatentMap = map;
  const state = loadState<{ colourBy?: MapColouring }>() ?? {};
  const colourBy: MapColouring = state.colourBy ?? 'phase';
  // The colourings every latent map offers (a model saved without 2θ or errors falls back to phase when drawn).
  const offered = (['phase', 'twoTheta', 'error'] as const).map((c): [string, string] => [c, LATENT_COLOURING_LABELS[c]]);
  const colourSelect = select('colour points by', offered, colourBy, (v) => {
    saveState({ ...state, colourBy: v as MapColouring });
    showLatentMap(m);
  }, 'colour by');
  const box = el('div', {});
  const novel = map.files.filter((f) => f.verdict === 'novel').length;
  root.replaceChildren(
    el('div', { class: 'toolbar' }, colourSelect),
    el('p', { class: 'note' }, `${map.model}: ${map.reference.labels.length} training points, ${map.files.length} workspace pattern(s), ${novel} novel`),
    box,
  );
  redraws.push(
    latentCanvas(box, map, {
      colourBy,
      marks: fileMarks(map),
      onClick: (f) => f.key && send({ type: 'openFile', file: f.key }),
    }),
  );
  root.dataset.state = 'mapped';
  root.dataset.files = String(map.files.length);
}

