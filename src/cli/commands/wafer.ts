import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseInteger } from '../args';
import { UserError } from '../../core/diagnostics';
import { writeFileAtomic } from '../../core/util/atomic';
import { recogniseCollection } from '../../core/report/output-marks';
import { writeCollection } from '../../core/formats/collection';
import { simulateWafer } from '../../core/synth/wafer';
import { simulateSpread } from '../../core/synth/spread';
import { loadWorkspaceConfig } from '../io';

export const waferCommand: Command = {
  name: 'wafer',
  summary: 'Simulate a composition-spread wafer (a materials-library demo) as an .xrd collection',
  usage: [
    'latent-xrd wafer [--config latent-xrd.json] --elements Ni,Cr,Co [--pitch 10] [--diameter 100] [--seed N] -o OUT.xrd',
    '',
    "Without phase compositions in the config: its first three known phases are the three source",
    "elements' phases; its first unknown phase appears in the centre of the wafer.",
    'With a "composition" on the phases (examples/materials-library): one source per element',
    '(two or more), and the phases the phase map over composition puts at each sample — single',
    'phases near their compositions, lever-rule mixtures between (src/core/synth/phase-map.ts).',
  ].join('\n'),
  async run(argv, ctx) {
    const { values } = parseCommandArgs('wafer', argv, {
      config: { type: 'string', short: 'c' },
      elements: { type: 'string' },
      pitch: { type: 'string' },
      diameter: { type: 'string' },
      seed: { type: 'string' },
      output: { type: 'string', short: 'o' },
    }, false);
    if (!values.output) throw new UserError('wafer: name the output with -o OUT.xrd');
    const { plan, config } = loadWorkspaceConfig(ctx, values.config ?? 'latent-xrd.json');
    const options = {
      pitch: values.pitch ? parseInteger('--pitch', values.pitch, 1) : undefined,
      diameter: values.diameter ? parseInteger('--diameter', values.diameter, 1) : undefined,
      seed: values.seed ? parseInteger('--seed', values.seed, 0) : undefined,
    };
    if (plan.phases.some((p) => p.composition)) {
      const elements = values.elements ? values.elements.split(',').map((e) => e.trim()).filter(Boolean) : config.training?.compositionElements;
      if (!elements || elements.length < 2) throw new UserError('wafer: name the source elements with --elements (or training.compositionElements in the config)');
      const { collection, truth } = simulateSpread(plan, elements, options);
      writeFileAtomic(resolve(ctx.cwd, values.output), writeCollection(collection), recogniseCollection);
      const single = truth.regions.filter((r) => r.region === 'single').length;
      ctx.err(`wrote ${collection.samples.length} samples (${single} single-phase, ${collection.samples.length - single} two-phase) to ${values.output}\n`);
      return 0;
    }
    const elements = (values.elements ?? 'A,B,C').split(',').map((e) => e.trim()).filter(Boolean);
    if (elements.length !== 3) throw new UserError('wafer: --elements takes three element names, one per source');
    const { collection, truth } = simulateWafer(plan, elements, options);
    writeFileAtomic(resolve(ctx.cwd, values.output), writeCollection(collection), recogniseCollection);
    const count = (r: string) => truth.region.filter((x) => x === r).length;
    ctx.err(`wrote ${collection.samples.length} samples (${count('single')} single-phase, ${count('two-phase')} two-phase, ${count('unknown')} unknown-phase) to ${values.output}\n`);
    return 0;
  },
};
