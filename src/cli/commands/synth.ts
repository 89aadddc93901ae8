// `latent-xrd synth`: draws the dataset a latent-xrd.json plans, on --threads synthesis workers,
// with a progress line (cli/progress.ts).
import type { Command } from '../args';
import { parseCommandArgs, parseThreads } from '../args';
import { defaultThreads } from '../../worker/synth-pool';
import { loadWorkspaceConfig } from '../io';
import { stoppableBySignals } from '../interrupt';
import { generateWithProgress } from '../progress';

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
