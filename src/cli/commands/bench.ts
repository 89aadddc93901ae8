import { join } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseInteger } from '../args';
import { UserError } from '../../core/diagnostics';
import { benchSynth } from '../../core/synth/bench';
import { packageRoot } from '../io';

/** Prints a result object as an aligned two-column table. */
function table(result: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  return Object.entries(result)
    .map(([k, v]) => `${k.padEnd(width)}  ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmarks: `bench synth` (pattern synthesis speed against the naive evaluation)',
  usage: [
    'latent-xrd bench synth [--patterns 15000] [--naive 300] [--json]',
    '',
    'Prints the figures as a table, or as JSON with --json. Speeds are ratios measured in the',
    'same run, so they mean the same on a busy machine.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('bench', argv, {
      json: { type: 'boolean' },
      patterns: { type: 'string' },
      naive: { type: 'string' },
    });
    const which = positionals[0];
    if (which !== 'synth') throw new UserError(`bench: name a benchmark: synth${which ? ` (not "${which}")` : ''}`);
    const result = benchSynth({
      examplesDir: join(packageRoot(), 'examples', 'paper-demo'),
      patterns: values.patterns ? parseInteger('--patterns', values.patterns, 1) : undefined,
      naivePatterns: values.naive ? parseInteger('--naive', values.naive, 1) : undefined,
    });
    const report = { benchmark: 'synth', ...result };
    ctx.out(values.json ? JSON.stringify(report, null, 2) + '\n' : table(report) + '\n');
    return 0;
  },
};
