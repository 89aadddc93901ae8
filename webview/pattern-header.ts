// The score header above a pattern: error, p-value, verdict, nearest phase, coverage, and what
// was done to the data (so nothing about the number is hidden).
import type { PatternPayload, ScorePayload } from '../src/protocol/webview';
import { el, fmt } from './dom';
import { NO_UNEXPLAINED_LINE, describePeak } from '../src/core/analysis/unexplained-peaks';

export function patternHeader(pattern: PatternPayload): HTMLElement {
  const header = el('header', { class: 'score-header' }, el('h1', {}, pattern.title));
  if (pattern.format) {
    const facts = `${pattern.format} · ${pattern.measured.twoTheta.length} points, 2θ ${pattern.measured.twoTheta[0].toFixed(3)}–${pattern.measured.twoTheta[pattern.measured.twoTheta.length - 1].toFixed(3)}° · ${pattern.wavelength ? `λ ${pattern.wavelength} Å (from the file)` : 'no wavelength in the file'}`;
    header.append(
      pattern.fileMeta?.length
        ? el('details', { class: 'file-facts' }, el('summary', {}, facts), el('dl', {}, ...pattern.fileMeta.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])))
        : el('p', { class: 'file-facts' }, facts),
    );
  }
  const m = pattern.model;
  if (!m) {
    header.append(el('p', { class: 'note' }, pattern.modelNote ?? 'No model.'));
    return header;
  }
  const s = m.score;
  header.append(
    el(
      'div',
      { class: 'chips' },
      el(
        'span',
        { class: `badge verdict-${s.verdict}${s.reliability?.reliable === false ? ' unreliable' : ''}`, 'data-verdict': s.verdict, title: `novel at ${s.threshold.description}` },
        s.verdictLabel,
      ),
      el('span', { class: 'chip', title: 'mean binary cross-entropy per point above the pattern\'s own entropy: what the model got wrong' }, `excess BCE ${fmt(s.bceExcess)}`),
      el('span', { class: 'chip', title: 'fraction of held-out known patterns with an error at least as large' }, `p ${s.pValue < 0.001 ? '< 0.001' : fmt(s.pValue)}`),
      el('span', { class: 'chip' }, `nearest known phase ${s.nearestPhase}`),
      el('span', { class: 'chip' }, `BCE ${fmt(s.bce, 4)} · MSE ${fmt(s.mse)}`),
      el('span', { class: 'chip' }, `latent (${s.latent.map((v) => v.toFixed(2)).join(', ')})`),
      el(
        'span',
        {
          class: 'chip',
          title:
            s.coverage < 1
              ? `the errors count only the part that was measured, and the p-value is against ${s.calibratedOver === 'whole-range' ? 'whole calibration patterns (a bound: this model keeps no calibration patterns to cut alike)' : 'the calibration patterns cut to the same range'}; below half, no verdict`
              : '',
        },
        `covers ${(100 * s.coverage).toFixed(0)} % of the model's 2θ range${s.coverage < 1 ? ' (scored over that part)' : ''}`,
      ),
    ),
    ...(s.reliability?.reliable === false
      ? [el('p', { class: 'model-warning', 'data-reliability': 'unreliable' }, `The model's verdicts are unreliable: ${s.reliability.reasons.join('; ')}.`)]
      : []),
    ...unexplainedNote(s),
    el('details', { class: 'steps' }, el('summary', {}, `model: ${m.name}; preprocessing (${s.steps.length} steps)`), el('ol', {}, ...s.steps.map((t) => el('li', {}, t)))),
  );
  return header;
}

/** Where the pattern differs from the model: its unexplained peaks, or for NOVEL without one, that it is not a line. */
function unexplainedNote(s: ScorePayload): HTMLElement[] {
  const peaks = s.unexplainedPeaks ?? [];
  if (peaks.length) {
    const shown = peaks.slice(0, 6).map(describePeak).join('; ');
    const more = peaks.length > 6 ? ` and ${peaks.length - 6} more` : '';
    return [el('p', { class: 'unexplained', 'data-unexplained': String(peaks.length) }, `Unexplained peak${peaks.length > 1 ? 's' : ''} (▼ on the plot): ${shown}${more}`)];
  }
  if (s.verdict === 'novel' && s.unexplainedPeaks) {
    return [el('p', { class: 'unexplained', 'data-unexplained': '0' }, `${NO_UNEXPLAINED_LINE[0].toUpperCase()}${NO_UNEXPLAINED_LINE.slice(1)}.`)];
  }
  return [];
}
