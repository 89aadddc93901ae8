import type { Command } from '../args';
import { parseCommandArgs } from '../args';
import { UserError } from '../../core/diagnostics';
import { cellVolume } from '../../core/crystal/cell';
import { formula } from '../../core/crystal/formula';
import type { CrystalStructure } from '../../core/crystal/types';
import { diagnosticJson, loadStructures, printDiagnostics } from '../io';

function describe(s: CrystalStructure) {
  return {
    block: s.blockName,
    formula: formula(s),
    cell: { ...s.cell, volume: cellVolume(s.cell) },
    spaceGroup: {
      hermannMauguin: s.spaceGroup.hermannMauguin,
      hall: s.spaceGroup.hall,
      number: s.spaceGroup.number,
      operations: s.operations.length,
      operationsFrom: s.spaceGroup.operationsSource,
    },
    sites: s.sites.length,
    atomsInCell: s.atoms.length,
  };
}

function formulaText(f: Record<string, number>): string {
  return Object.entries(f)
    .map(([el, n]) => `${el}${Math.abs(n - 1) < 1e-9 ? '' : +n.toFixed(4)}`)
    .join(' ');
}

export const structureCommand: Command = {
  name: 'structure',
  summary: 'Read a CIF: formula, cell, space group and sites of every data block',
  usage: 'latent-xrd structure FILE.cif [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('structure', argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UserError('structure: give exactly one CIF file');
    const path = positionals[0];
    const loaded = loadStructures(ctx.cwd, path);
    const structures = loaded.structures.map(describe);
    if (values.json) {
      ctx.out(JSON.stringify({ file: path, structures, diagnostics: loaded.diagnostics.map(diagnosticJson) }, null, 2) + '\n');
    } else {
      for (const s of structures) {
        const c = s.cell;
        ctx.out(
          [
            `data_${s.block}`,
            `  formula      ${formulaText(s.formula)} (per unit cell)`,
            `  cell         a=${c.a} b=${c.b} c=${c.c} Å  α=${c.alpha} β=${c.beta} γ=${c.gamma}°  V=${c.volume.toFixed(3)} Å³`,
            `  space group  ${s.spaceGroup.hermannMauguin ?? '?'}${s.spaceGroup.number ? ` (No. ${s.spaceGroup.number})` : ''}, ${s.spaceGroup.operations} operations (from the ${s.spaceGroup.operationsFrom.replace(/-/g, ' ')})`,
            `  sites        ${s.sites} in the asymmetric unit, ${s.atomsInCell} in the cell`,
            '',
          ].join('\n'),
        );
      }
    }
    return printDiagnostics(ctx.err, path, loaded.diagnostics);
  },
};
