// A collection's scores as CSV (the collection editor's Export): one row per sample, where it
// is, what it is made of, and what the model says of it.
import type { Collection } from '../formats/collection';
import type { PatternScore } from '../model/score';
import { csvText } from './csv';
import { peaksCell } from '../analysis/unexplained-peaks';

/** What the map showed of each sample: its verdict, or why it has none. */
export interface ShownSample {
  verdict?: string;
  error?: string;
}

export function collectionScoresCsv(c: Collection, payload: { samples: readonly ShownSample[] }, scores: readonly (PatternScore | undefined)[]): string {
  const elements = [...new Set(c.samples.flatMap((s) => Object.keys(s.composition ?? {})))];
  const dims = Math.max(0, ...scores.map((s) => s?.latent.length ?? 0));
  const header = ['id', 'x_mm', 'y_mm', ...elements.map((e) => `${e}_fraction`), 'verdict', 'p_value', 'bce_excess', 'bce', 'mse', 'nearest_phase', 'coverage', ...Array.from({ length: dims }, (_, d) => `z${d + 1}`), 'unexplained_peaks', 'flagged', 'error'];
  const rows = c.samples.map((s, i) => {
    const score = scores[i];
    const shown = payload.samples[i];
    return [s.id, s.x ?? '', s.y ?? '', ...elements.map((e) => s.composition?.[e] ?? ''), shown?.verdict ?? '', score?.pValue ?? '', score?.bceExcess ?? '', score?.bce ?? '', score?.mse ?? '', score?.nearestPhase ?? '', score?.coverage ?? '', ...Array.from({ length: dims }, (_, d) => score?.latent[d] ?? ''), peaksCell(score?.unexplainedPeaks), s.flagged ? 'yes' : '', shown?.error ?? ''];
  });
  return csvText(header, rows);
}
