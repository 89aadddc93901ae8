import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseInteger } from '../args';
import { UserError } from '../../core/diagnostics';
import { writeFileAtomic } from '../../core/util/atomic';
import { writeCollection } from '../../core/formats/collection';
import { simulateWafer } from '../../core/synth/wafer';
import { loadWorkspaceConfig } from '../io';

export const waferCommand: Command = {
  name: 'wafer',
  summary: 'Simulate a composition-spread wafer (a materials-library demo) as an .xrd collection',
  usage: [
    'latent-xrd wafer [--config latent-xrd.json] --elements Ni,Cr,Co [--pitch 10] [--diameter 100] [--seed N] -o OUT.xrd',
    '',
    "The config's first three known phases are the three source elements' phases; its first",
    'unknown phase appears in the centre of the wafer. The phase map is in the README.',
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
    const elements = (values.elements ?? 'A,B,C').split(',').map((e) => e.trim()).filter(Boolean);
    if (elements.length !== 3) throw new UserError('wafer: --elements takes three element names, one per source');
    const { plan } = loadWorkspaceConfig(ctx, values.config ?? 'latent-xrd.json');
    const { collection, truth } = simulateWafer(plan, elements, {
      pitch: values.pitch ? parseInteger('--pitch', values.pitch, 1) : undefined,
      diameter: values.diameter ? parseInteger('--diameter', values.diameter, 1) : undefined,
      seed: values.seed ? parseInteger('--seed', values.seed, 0) : undefined,
    });
    writeFileAtomic(resolve(ctx.cwd, values.output), writeCollection(collection));
    const count = (r: string) => truth.region.filter((x) => x === r).length;
    ctx.err(`wrote ${collection.samples.length} samples (${count('single')} single-phase, ${count('two-phase')} two-phase, ${count('unknown')} unknown-phase) to ${values.output}\n`);
    return 0;
  },
};
