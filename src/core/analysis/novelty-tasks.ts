// Every novelty score on every novelty task, and per task which method wins. A task is a set of
// patterns that should look novel, ranked against the held-out known test patterns; a method is
// a novelty score (the VAE's, or a baseline's). The summary says plainly when a baseline beats
// the VAE.
import { auroc, averagePrecision } from './metrics';

/** Per method, the scores of some patterns (higher = more novel). */
export type MethodScores = Record<string, ArrayLike<number>>;

export interface NoveltyTaskResult {
  /** Patterns in the task (the positives). */
  count: number;
  auroc: Record<string, number>;
  averagePrecision: Record<string, number>;
}

export interface NoveltyTable {
  /** Known test patterns every task is ranked against. */
  knownCount: number;
  methods: string[];
  tasks: Record<string, NoveltyTaskResult>;
}

/**
 * AUROC and average precision of every method on every task, each task's patterns against the
 * same known patterns. Every method must score the known patterns and every task.
 */
export function noveltyTable(known: MethodScores, tasks: Record<string, MethodScores>): NoveltyTable {
  const methods = Object.keys(known);
  const table: NoveltyTable = { knownCount: methods.length ? known[methods[0]].length : 0, methods, tasks: {} };
  for (const [task, scores] of Object.entries(tasks)) {
    const result: NoveltyTaskResult = { count: NaN, auroc: {}, averagePrecision: {} };
    for (const method of methods) {
      const positives = scores[method];
      if (!positives) throw new RangeError(`novelty task "${task}" has no scores of ${method}`);
      result.count = positives.length;
      result.auroc[method] = auroc(positives, known[method]);
      result.averagePrecision[method] = averagePrecision(positives, known[method]);
    }
    table.tasks[task] = result;
  }
  return table;
}

export interface TaskWinner {
  /** The method(s) with the highest AUROC (several when tied). */
  winners: string[];
  auroc: number;
  /** The VAE's AUROC by its reported novelty score, when the table has it. */
  vaeAuroc?: number;
  bestBaseline?: string;
  bestBaselineAuroc?: number;
  /** A baseline ranks this task's patterns better than the VAE's reported score does. */
  baselineBeatsVae?: boolean;
  summary: string;
}

/**
 * Per task, which method wins. `vaeMethod` names the VAE's reported score (the one compared with
 * the baselines); methods in `vaeMethods` (the VAE's other error measures) are listed in the
 * table but count neither as baselines nor as the VAE. AUROC differences below `tolerance` tie.
 */
export function noveltyWinners(
  table: NoveltyTable,
  options: { vaeMethod?: string; vaeMethods?: string[]; tolerance?: number } = {},
): Record<string, TaskWinner> {
  const vaeMethod = options.vaeMethod && table.methods.includes(options.vaeMethod) ? options.vaeMethod : undefined;
  const vaeMethods = new Set([...(options.vaeMethods ?? []), ...(vaeMethod ? [vaeMethod] : [])]);
  const baselines = table.methods.filter((m) => !vaeMethods.has(m));
  const tolerance = options.tolerance ?? 1e-9;
  const out: Record<string, TaskWinner> = {};
  for (const [task, result] of Object.entries(table.tasks)) {
    const contenders = [...(vaeMethod ? [vaeMethod] : []), ...baselines].filter((m) => Number.isFinite(result.auroc[m]));
    const top = Math.max(...contenders.map((m) => result.auroc[m]));
    const winners = contenders.filter((m) => result.auroc[m] >= top - tolerance);
    const w: TaskWinner = { winners, auroc: top, summary: '' };
    const bestBaseline = baselines.filter((m) => Number.isFinite(result.auroc[m])).sort((a, b) => result.auroc[b] - result.auroc[a])[0];
    if (bestBaseline) [w.bestBaseline, w.bestBaselineAuroc] = [bestBaseline, result.auroc[bestBaseline]];
    if (vaeMethod) {
      w.vaeAuroc = result.auroc[vaeMethod];
      w.baselineBeatsVae = bestBaseline !== undefined && result.auroc[bestBaseline] > w.vaeAuroc + tolerance;
    }
    const f = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
    w.summary =
      contenders.length === 0
        ? `${task}: no method could be scored`
        : vaeMethod === undefined
          ? `${task}: ${winners.join(' = ')} wins (AUROC ${f(top)})`
          : w.baselineBeatsVae
            ? `${task}: a baseline beats the VAE: ${bestBaseline} ${f(w.bestBaselineAuroc)} against the VAE's ${f(w.vaeAuroc)}`
            : winners.length > 1 && winners.includes(vaeMethod)
              ? `${task}: the VAE ties with ${winners.filter((m) => m !== vaeMethod).join(', ')} (AUROC ${f(top)})`
              : `${task}: the VAE wins (AUROC ${f(w.vaeAuroc)}; best baseline ${bestBaseline ?? 'none'} ${f(w.bestBaselineAuroc)})`;
    out[task] = w;
  }
  return out;
}

/** Task name of one unknown phase's pure patterns. */
export function unknownPhaseTask(phase: string): string {
  return `unknownPhase:${phase}`;
}

/**
 * Per-unknown-phase AUROC of every method, from a table whose tasks include unknownPhaseTask(name)
 * for each phase: { phase: { method: AUROC } }.
 */
export function perUnknownPhase(table: NoveltyTable): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [task, result] of Object.entries(table.tasks)) {
    if (task.startsWith('unknownPhase:')) out[task.slice('unknownPhase:'.length)] = { ...result.auroc };
  }
  return out;
}
