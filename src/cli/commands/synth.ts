import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs } from '../args';
import { UserError, formatDiagnostic } from '../../core/diagnostics';
import { validateConfig } from '../../core/synth/config';
import { configDirectory, generateDataset, planDataset } from '../../core/synth/dataset';
import { readUserFile } from '../io';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'Generate a synthetic training dataset (HDF5) from a latent-xrd.json config',
  usage: [
    'latent-xrd synth --config latent-xrd.json [-o dataset.h5] [--quiet]',
    '',
    'Writes `patterns` (N × points, float32), `two_theta`, `labels`, `phase_names`, `fractions`',
    'and `parameters/*` — open it in Python with h5py.File("dataset.h5").',
  ].join('\n'),
  async run(argv, ctx) {
    const { values } = parseCommandArgs('synth', argv, {
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
    }, false);
    const configPath = values.config ?? 'latent-xrd.json';
    const text = new TextDecoder().decode(readUserFile(ctx.cwd, configPath));
    const validated = validateConfig(text);
    for (const d of validated.diagnostics.filter((d) => d.severity !== 'error')) ctx.err(formatDiagnostic(d, configPath) + '\n');
    if (!validated.config) throw new UserError(`${configPath}: the config has errors`, validated.diagnostics, configPath);
    const { plan, diagnostics } = planDataset(validated.config, configDirectory(resolve(ctx.cwd, configPath)), values.output && resolve(ctx.cwd, values.output));
    if (!plan) throw new UserError(`${configPath}: cannot make the dataset`, diagnostics, configPath);
    ctx.err(
      `${plan.total} patterns (${plan.phases.map((p) => p.name + (p.role === 'unknown' ? ' [unknown]' : '')).join(', ')}), ` +
        `${plan.grid.points} points over 2θ ${plan.grid.min}–${plan.grid.max}°, seed ${plan.seed} → ${plan.output}\n`,
    );
    let lastPercent = -100;
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      const result = await generateDataset(plan, {
        signal: controller.signal,
        onProgress: values.quiet
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
      if (!values.quiet && process.stderr.isTTY) ctx.err('\n');
      ctx.err(`wrote ${result.patterns} patterns in ${result.seconds.toFixed(1)} s to ${result.path}\n`);
    } finally {
      process.off('SIGINT', onSignal);
    }
    return 0;
  },
};
