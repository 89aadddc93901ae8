// Commands that write large outputs (synth, train, reproduce) stop cleanly on every terminating
// signal, not only Ctrl-C: a terminal closed (SIGHUP) or a job killed by a scheduler (SIGTERM)
// must not leave a 150 MB temporary file behind, nor a half-written output in place of the old.
import { constants } from 'node:os';
import { abandonWritesInProgress } from '../core/util/atomic';
import type { CommandContext } from './args';

const TERMINATING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `work` with the terminating signals turned into its AbortSignal: the first one asks it
 * to stop (it stops at its next check and removes its temporary files, and the command exits
 * with its "cancelled" error); a second one removes every temporary file and folder this thread
 * is writing and ends the process at once.
 */
export async function stoppableBySignals<T>(ctx: CommandContext, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      ctx.err(`\n${name}: stopping at the next check; what is half-written is removed (send it again to stop at once)\n`);
      controller.abort(name);
      return;
    }
    abandonWritesInProgress();
    process.exit(128 + constants.signals[name]);
  };
  for (const name of TERMINATING) process.on(name, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const name of TERMINATING) process.off(name, onSignal);
  }
}
