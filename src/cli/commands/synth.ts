import type { Command, CommandContext } from '../args';
import { parseCommandArgs, parseThreads } from '../args';
import { defaultThreads, poolDrawer } from '../../worker/synth-pool';
import { generateDataset, type DatasetPlan } from '../../core/synth/dataset';
import { loadWorkspaceConfig } from '../io';
import { stoppableBySignals } from '../interrupt';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'Generate a synthetic training dataset (HDF5) from a latent-xrd.json config',
  usage: [
    'latent-xrd synth --config latent-xrd.json [-o dataset.h5] [--threads N|all] [--quiet]',
    '',
    'Patterns are drawn on --threads worker threads (default: all cores); the dataset is the same',
    'whatever the number (pattern i draws from its own generator, seeded by the config\'s seed and i).',
    'Writes `patterns` (N × points, float32), `two_theta`, `labels`, `phase_names`, `fractions`',
    '(volume), `weight_fractions`, `phase_densities` and `parameters/*` — open it in Python with',
    'h5py.File("dataset.h5").',
  ].join('\n'),
  async run(argv, ctx) {
    const { values } = parseCommandArgs('synth', argv, {
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
      threads: { type: 'string' },
    }, false);
    const threads = parseThreads('--threads', values.threads, defaultThreads());
    const configPath = values.config ?? 'latent-xrd.json';
    const { plan } = loadWorkspaceConfig(ctx, configPath, values.output);
    ctx.err(
      `${plan.total} patterns (${plan.phases.map((p) => p.name + (p.role === 'unknown' ? ' [unknown]' : '')).join(', ')}), ` +
        `${plan.grid.points} points over 2θ ${plan.grid.min}–${plan.grid.max}°, seed ${plan.seed}, ${threads} thread${threads === 1 ? '' : 's'} → ${plan.output}\n`,
    );
    await stoppableBySignals(ctx, (signal) => generateWithProgress(ctx, plan, values.quiet ?? false, signal, threads));
    return 0;
  },
};

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
