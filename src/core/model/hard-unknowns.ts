// Per-unknown-phase novelty of a trained VAE and of every baseline: each unknown phase's pure
// patterns ranked against the known test patterns. The training pipeline computes the same table
// for the unknown phases of its dataset (Evaluation.noveltyTasks); this scores patterns from
// anywhere, e.g. unknown phases simulated after training.
import { encodeAndReconstruct, type VaeModels } from './vae';
import type { Baselines } from '../analysis/baselines';
import { noveltyTable, noveltyWinners, perUnknownPhase, unknownPhaseTask, type MethodScores, type NoveltyTable, type TaskWinner } from '../analysis/novelty-tasks';

export interface UnknownPatterns {
  name: string;
  /** Pure patterns of the phase (rows × the model's points), prepared as the training patterns were. */
  patterns: Float32Array;
}

export interface HardUnknownReport {
  /** { phase: { method: AUROC } }: "vae" (excess BCE, the novelty score), "vaeBce", "vaeMse", then each baseline. */
  auroc: Record<string, Record<string, number>>;
  table: NoveltyTable;
  winners: Record<string, TaskWinner>;
}

/**
 * AUROC of each unknown phase's patterns against the known test patterns (prepared as the
 * training patterns were), for the VAE's three errors and, given fitted baselines, each baseline.
 */
export function hardUnknownAurocs(models: VaeModels, baselines: Baselines | undefined, known: Float32Array, unknowns: UnknownPatterns[]): HardUnknownReport {
  const points = models.spec.points;
  const scores = (patterns: Float32Array): MethodScores => {
    const rows = patterns.length / points;
    if (!Number.isInteger(rows)) throw new RangeError(`patterns of ${points} points expected, got ${patterns.length} numbers`);
    const e = encodeAndReconstruct(models, patterns, rows);
    return { vae: e.bceExcess, vaeBce: e.bce, vaeMse: e.mse, ...(baselines ? baselines.score(patterns, rows) : {}) };
  };
  const table = noveltyTable(scores(known), Object.fromEntries(unknowns.map((u) => [unknownPhaseTask(u.name), scores(u.patterns)])));
  return { auroc: perUnknownPhase(table), table, winners: noveltyWinners(table, { vaeMethod: 'vae', vaeMethods: ['vaeBce', 'vaeMse'] }) };
}
