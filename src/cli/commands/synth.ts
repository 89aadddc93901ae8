import type { Command, CommandContext } from '../args';
import { parseCommandArgs } from '../args';
import { generateDataset, type DatasetPlan } from '../../core/synth/dataset';
import { loadWorkspaceConfig } from '../io';
import { stoppableBySignals } from '../interrupt';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'Generate a synthetic training dataset (HDF5) from a latent-xrd.json config',
  usage: [
    'latent-xrd synth --config latent-xrd.json [-o dataset.h5] [--quiet]',
    '',
    'Writes `patterns` (N × points, float32), `two_theta`, `labels`, `phase_names`, `fractions`',
    '(volume), `weight_fractions`, `phase_densities` and `parameters/*` — open it in Python with',
    'h5py.File("dataset.h5").',
  ].join('\n'),
  async run(argv, ctx) {
    const { values } = parseCommandArgs('synth', argv, {
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
    }, false);
    const configPath = values.config ?? 'latent-xrd.json';
    const { plan } = loadWorkspaceConfig(ctx, configPath, values.output);
    ctx.err(
      `${plan.total} patterns (${plan.phases.map((p) => p.name + (p.role === 'unknown' ? ' [unknown]' : '')).join(', ')}), ` +
        `${plan.grid.points} points over 2θ ${plan.grid.min}–${plan.grid.max}°, seed ${plan.seed} → ${plan.output}\n`,
    );
    await stoppableBySignals(ctx, (signal) => generateWithProgress(ctx, plan, values.quiet ?? false, signal));
    return 0;
  },
};

/** Generates a planned dataset with a progress line; `signal` (stoppableBySignals) cancels it cleanly. */
export async function generateWithProgress(ctx: CommandContext, plan: DatasetPlan, quiet: boolean, signal: AbortSignal): Promise<void> {
  let lastPercent = -100;
  const result = await generateDataset(plan, {
    signal,
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
