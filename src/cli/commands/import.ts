// `latent-xrd import …`: materials libraries into .xrd collections (src/core/library/).
import { resolve, basename } from 'node:path';
import type { Command, CommandContext } from '../args';
import { parseCommandArgs } from '../args';
import { UserError } from '../../core/diagnostics';
import { writeFileAtomic } from '../../core/util/atomic';
import { recogniseCollection } from '../../core/report/output-marks';
import { writeCollection } from '../../core/formats/collection';
import { importFolder, type AxisChoice, type ImportResult } from '../../core/library/folder';
import { importFeGaPd } from '../../core/library/fe-ga-pd';
import { importNpy } from '../../core/library/npy-import';
import { readNpy } from '../../core/library/npy';
import type { QUnit } from '../../core/library/axis';
import { readUserFile } from '../io';

const USAGE = [
  'latent-xrd import folder DIR [--csv SAMPLES.csv] [--axis first|union] [--wafer-diameter MM] [--title T] -o OUT.xrd',
  'latent-xrd import fe-ga-pd DIR -o OUT.xrd',
  'latent-xrd import npy --xrd XRD.npy (--q Q.npy [--q-unit nm^-1|A^-1] [--wavelength Å] | --two-theta 2THETA.npy)',
  '                      [--composition composition.npy --elements Bi,Cu,V] [--title T] -o OUT.xrd',
  '',
  'folder    every pattern file in DIR (any format latent-xrd reads); with --csv, the samples',
  '          the table lists, with its positions and compositions. The table has a header row:',
  '          a sample column (file, name or id: the file name, with or without extension), x and',
  '          y in mm (optional), and one column per element (fractions or at.%, normalised).',
  '          Separated by commas, semicolons or tabs. Files on different 2θ axes are resampled',
  '          onto the first file\'s axis (--axis first) or one spanning all (--axis union).',
  'fe-ga-pd  the Fe–Ga–Pd library of Kusne et al. 2020 (FeGaPd_XRD.txt, FeGaPd_CMP.txt); its',
  '          wavelength and positions are not stated, and the collection says so.',
  'npy       NumPy arrays: intensities (samples × points), their Q or 2θ axis, compositions',
  '          (samples × elements). Q becomes 2θ at --wavelength (default Cu Kα1, 1.54056 Å); the',
  '          Q unit is inferred when not given (values past 4π/λ cannot be Å⁻¹).',
  '',
  'Bad table rows, missing files and unreadable files are reported as file:line:column.',
].join('\n');

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a materials library (pattern folder + table, Fe–Ga–Pd, NumPy arrays) into an .xrd collection',
  usage: USAGE,
  async run(argv, ctx) {
    const [kind, ...rest] = argv;
    let result: ImportResult;
    let output: string | undefined;
    if (kind === 'folder') {
      const { values, positionals } = parseCommandArgs('import', rest, {
        csv: { type: 'string' },
        axis: { type: 'string' },
        'wafer-diameter': { type: 'string' },
        title: { type: 'string' },
        output: { type: 'string', short: 'o' },
        out: { type: 'string' },
      });
      if (positionals.length !== 1) throw new UserError('import folder: name one folder of pattern files');
      const axis = values.axis ?? 'first';
      if (axis !== 'first' && axis !== 'union') throw new UserError(`--axis expects first or union; got "${axis}"`);
      output = values.output ?? values.out;
      result = importFolder(resolve(ctx.cwd, positionals[0]), {
        table: values.csv ? { text: new TextDecoder().decode(readUserFile(ctx.cwd, values.csv)), file: values.csv } : undefined,
        axis: axis as AxisChoice,
        title: values.title,
        waferDiameter: values['wafer-diameter'] ? positiveNumber('--wafer-diameter', values['wafer-diameter']) : undefined,
      });
    } else if (kind === 'fe-ga-pd') {
      const { values, positionals } = parseCommandArgs('import', rest, { output: { type: 'string', short: 'o' }, out: { type: 'string' } });
      if (positionals.length !== 1) throw new UserError('import fe-ga-pd: name the folder holding FeGaPd_XRD.txt and FeGaPd_CMP.txt');
      output = values.output ?? values.out;
      result = importFeGaPd(resolve(ctx.cwd, positionals[0]));
    } else if (kind === 'npy') {
      const { values } = parseCommandArgs('import', rest, {
        xrd: { type: 'string' },
        q: { type: 'string' },
        'q-unit': { type: 'string' },
        'two-theta': { type: 'string' },
        wavelength: { type: 'string' },
        composition: { type: 'string' },
        elements: { type: 'string' },
        title: { type: 'string' },
        output: { type: 'string', short: 'o' },
        out: { type: 'string' },
      }, false);
      if (!values.xrd) throw new UserError('import npy: name the intensities with --xrd XRD.npy');
      const qUnit = values['q-unit'];
      if (qUnit !== undefined && qUnit !== 'nm^-1' && qUnit !== 'A^-1') throw new UserError(`--q-unit expects nm^-1 or A^-1; got "${qUnit}"`);
      const npy = (file: string) => ({ array: readNpy(readUserFile(ctx.cwd, file), file), file });
      output = values.output ?? values.out;
      result = importNpy({
        intensities: npy(values.xrd),
        q: values.q ? { ...npy(values.q), unit: qUnit as QUnit | undefined } : undefined,
        twoTheta: values['two-theta'] ? npy(values['two-theta']) : undefined,
        composition: values.composition ? npy(values.composition) : undefined,
        elements: values.elements?.split(',').map((e) => e.trim()).filter(Boolean),
        wavelength: values.wavelength ? positiveNumber('--wavelength', values.wavelength) : undefined,
        title: values.title,
      });
    } else {
      throw new UserError(`import: say what to import — folder, fe-ga-pd or npy${kind ? ` (not "${kind}")` : ''}\n\nUsage: ${USAGE}`);
    }
    if (!output) throw new UserError(`import ${kind}: name the output with -o OUT.xrd`);
    return write(ctx, result, output);
  },
};

function positiveNumber(flag: string, text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new UserError(`${flag} expects a positive number; got "${text}"`);
  return v;
}

function write(ctx: CommandContext, { collection, notes }: ImportResult, output: string): number {
  for (const n of notes) ctx.err(`note: ${n}\n`);
  writeFileAtomic(resolve(ctx.cwd, output), writeCollection(collection), recogniseCollection);
  const withComposition = collection.samples.filter((s) => s.composition).length;
  const withPosition = collection.samples.filter((s) => s.x !== undefined).length;
  ctx.err(`wrote ${collection.samples.length} samples × ${collection.twoTheta.length} points (${withComposition} with compositions, ${withPosition} with positions) to ${basename(output)}\n`);
  return 0;
}
