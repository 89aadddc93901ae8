// What the long commands (synth, train, reproduce) print while they work: a dataset's generation
// as one line rewritten in a terminal (a line every 10 % in a log), and a line per training event,
// all on stderr so that stdout keeps only the result.
import type { CommandContext } from './args';
import type { PipelineEvent } from '../core/model/pipeline';
import { describeEvent } from '../core/model/progress';
import { generateDataset, type DatasetPlan } from '../core/synth/dataset';
import { defaultThreads, poolDrawer } from '../worker/synth-pool';

/** Generates a planned dataset with a progress line; `signal` (stoppableBySignals) cancels it cleanly. */
export async function generateWithProgress(ctx: CommandContext, plan: DatasetPlan, quiet: boolean, signal: AbortSignal, threads = defaultThreads()): Promise<void> {
  let lastPercent = -100;
  const result = await generateDataset(plan, {
    signal,
    drawer: poolDrawer(threads),
    onProgress: quiet
      ? undefined
      : (p) => {
          const percent = Math.floor((100 * p.done) / p.total);
          const line = `${p.done}/${p.total} patterns (${percent} %), ${Math.round(p.patternsPerSecond)} patterns/s`;
          // A terminal gets one line rewritten in place; a log gets a line every 10 %.
          if (process.stderr.isTTY) ctx.err(`\r  ${line}`);
          else if (percent >= lastPercent + 10 || p.done === p.total) {
            lastPercent = percent;
            ctx.err(`  ${line}\n`);
          }
        },
  });
  if (!quiet && process.stderr.isTTY) ctx.err('\n');
  ctx.err(`wrote ${result.patterns} patterns in ${result.seconds.toFixed(1)} s to ${result.path}\n`);
}

/** Training progress: one line per pipeline event. */
export function progressLine(ctx: CommandContext): (event: PipelineEvent) => void {
  return (event) => ctx.err(describeEvent(event) + '\n');
}
