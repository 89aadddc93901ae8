import type { Command } from '../args';
import { parseCommandArgs, parseElementValues, parseTwoThetaRange } from '../args';
import { UserError } from '../../core/diagnostics';
import { computePeaks } from '../../core/diffraction/peaks';
import { loadStructures, pickStructure, printDiagnostics } from '../io';

export const peaksCommand: Command = {
  name: 'peaks',
  summary: 'Powder diffraction peaks of a CIF (2θ, intensity, d, hkl families), as pymatgen computes them',
  usage: [
    'latent-xrd peaks FILE.cif [--wavelength CuKa|CuKa1|MoKa|…|Å] [--two-theta MIN:MAX]',
    '                  [--debye-waller El=B,…] [--site-b] [--unscaled] [--table pymatgen|waasmaier-kirfel]',
    '                  [--block NAME] [--json]',
    '',
    'Defaults are pymatgen XRDCalculator\'s: CuKa = 1.54184 Å, 2θ 0:90, no Debye–Waller factor,',
    'strongest peak scaled to 100. --site-b uses the B/U values of the CIF\'s sites.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('peaks', argv, {
      wavelength: { type: 'string' },
      'two-theta': { type: 'string' },
      'debye-waller': { type: 'string' },
      'site-b': { type: 'boolean' },
      unscaled: { type: 'boolean' },
      table: { type: 'string' },
      block: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UserError('peaks: give exactly one CIF file');
    const path = positionals[0];
    const table = values.table ?? 'pymatgen';
    if (table !== 'pymatgen' && table !== 'waasmaier-kirfel') {
      throw new UserError(`--table must be "pymatgen" or "waasmaier-kirfel"; got "${table}"`);
    }
    const twoThetaRange = values['two-theta'] ? parseTwoThetaRange('--two-theta', values['two-theta']) : ([0, 90] as [number, number]);
    const loaded = loadStructures(ctx.cwd, path);
    const structure = pickStructure(loaded, path, values.block);
    const result = computePeaks(structure, {
      wavelength: values.wavelength ?? 'CuKa',
      twoThetaRange,
      debyeWaller: values['debye-waller'] ? parseElementValues('--debye-waller', values['debye-waller']) : undefined,
      useSiteBIso: values['site-b'] ?? false,
      scaled: !values.unscaled,
      scatteringTable: table,
    });
    if (values.json) {
      ctx.out(JSON.stringify({ file: path, block: structure.blockName, wavelength: result.wavelength, peaks: result.peaks }, null, 2) + '\n');
    } else {
      ctx.out(`data_${structure.blockName}  λ = ${result.wavelength} Å  (${result.peaks.length} peaks)\n`);
      ctx.out('     2θ (°)       d (Å)    intensity  hkl (multiplicity)\n');
      for (const p of result.peaks) {
        const hkls = p.hkls.map((h) => `(${h.hkl.join(' ')})×${h.multiplicity}`).join(' ');
        ctx.out(`${p.twoTheta.toFixed(4).padStart(11)} ${p.d.toFixed(5).padStart(11)} ${p.intensity.toFixed(3).padStart(12)}  ${hkls}\n`);
      }
    }
    return printDiagnostics(ctx.err, path, loaded.diagnostics);
  },
};
