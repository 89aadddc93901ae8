import { resolve } from 'node:path';
import { writeFileAtomic } from '../../core/util/atomic';
import { patternTextHeader, recognisePatternText } from '../../core/report/output-marks';
import type { Command } from '../args';
import { parseCommandArgs, parseGridPoints, parseInteger, parseTwoThetaRange } from '../args';
import { UserError } from '../../core/diagnostics';
import { Random } from '../../core/util/random';
import { DEFAULT_AUGMENTATION, Simulator, buildPhaseModel, radiationFor } from '../../core/synth';
import { gridValues } from '../../core/diffraction/render';
import { loadStructures, pickStructure, printDiagnostics } from '../io';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Draw one powder pattern of a CIF on a 2θ grid, varied as in training unless --ideal',
  usage: [
    'latent-xrd simulate FILE.cif [--points 2048] [--two-theta 20:90] [--wavelength CuKa|CuKa1|Å]',
    '                     [--seed N] [--ideal] [--block NAME] -o OUT.xy',
    '',
    'CuKa draws the Kα1/Kα2 doublet (ratio 0.5); CuKa1 or a number of Å a single line.',
    'Without -o the pattern is written to stdout. Intensities are normalised to [0, 1].',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('simulate', argv, {
      points: { type: 'string' },
      'two-theta': { type: 'string' },
      wavelength: { type: 'string' },
      seed: { type: 'string' },
      ideal: { type: 'boolean' },
      block: { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    if (positionals.length !== 1) throw new UserError('simulate: give exactly one CIF file');
    const path = positionals[0];
    const points = values.points ? parseGridPoints('--points', values.points) : 2048;
    const [min, max] = values['two-theta'] ? parseTwoThetaRange('--two-theta', values['two-theta']) : [20, 90];
    const seed = values.seed ? parseInteger('--seed', values.seed, 0) : 1;
    const radiation = radiationFor(values.wavelength ?? 'CuKa');
    const loaded = loadStructures(ctx.cwd, path);
    const structure = pickStructure(loaded, path, values.block);
    const grid = { min, max, points };
    const phase = buildPhaseModel(structure.blockName, structure, {
      wavelength: radiation.kalpha1,
      twoThetaMax: max + 5,
      textureAxes: DEFAULT_AUGMENTATION.textureAxes,
    });
    const simulator = new Simulator({ phases: [phase], grid, radiation, augmentation: DEFAULT_AUGMENTATION, ideal: values.ideal });
    const pattern = new Float32Array(points);
    simulator.draw([{ phase: 0, fraction: 1 }], new Random(seed), pattern);

    const twoTheta = gridValues(grid);
    const lines = [
      `${patternTextHeader('simulate', path)} (data_${structure.blockName})`,
      `# ${values.ideal ? 'ideal pattern' : `varied as in training, seed ${seed}`}; λ Kα1 ${radiation.kalpha1} Å${radiation.kalpha2 ? `, Kα2 ${radiation.kalpha2} Å (ratio ${radiation.ratio})` : ''}`,
      '# 2theta_deg intensity_normalised',
    ];
    for (let i = 0; i < points; i++) lines.push(`${twoTheta[i].toFixed(5)} ${pattern[i].toPrecision(7)}`);
    const text = lines.join('\n') + '\n';
    if (values.output) {
      const target = resolve(ctx.cwd, values.output);
      writeFileAtomic(target, text, recognisePatternText);
      ctx.err(`wrote ${points} points to ${values.output}\n`);
    } else {
      ctx.out(text);
    }
    return printDiagnostics(ctx.err, path, loaded.diagnostics);
  },
};
