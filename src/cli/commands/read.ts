import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs } from '../args';
import { UserError } from '../../core/diagnostics';
import { readPatternFile, writeXy } from '../../core/formats';
import type { MeasuredPattern } from '../../core/formats/pattern';
import { writeFileAtomic } from '../../core/util/atomic';
import { patternTextHeader, recognisePatternText } from '../../core/report/output-marks';

export const readCommand: Command = {
  name: 'read',
  summary: 'Read a measured pattern file (.xy, .xrdml, Bruker .raw/.brml, Rigaku .ras/.asc, .uxd, GSAS, .gz) and show or convert it',
  usage: [
    'latent-xrd read FILE [--json] [--out FILE.xy]',
    '',
    'Without --json prints a short summary (format, points, 2θ range, wavelength, header values).',
    '--json prints {"format", "wavelength", "twoTheta": […], "intensity": […], "meta": {…}}',
    '(with "sigma" when the file has uncertainties). --out writes the pattern as .xy text.',
    'An unreadable file is reported with where it is unreadable (line and column, byte offset,',
    'element or point) and exit code 2, as every error a file or an argument causes.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('read', argv, {
      json: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
    });
    if (positionals.length !== 1) throw new UserError('read: give exactly one pattern file');
    const file = positionals[0];
    const pattern = readPatternFile(resolve(ctx.cwd, file), file);
    if (values.out) writeFileAtomic(resolve(ctx.cwd, values.out), `${patternTextHeader('read', file)}\n${writeXy(pattern, { source: file })}`, recognisePatternText);
    if (values.json) ctx.out(JSON.stringify(patternJson(pattern)) + '\n');
    else ctx.out(summary(file, pattern) + (values.out ? `written: ${values.out}\n` : ''));
    return 0;
  },
};

function patternJson(p: MeasuredPattern) {
  return {
    format: p.format,
    ...(p.wavelength !== undefined ? { wavelength: p.wavelength } : {}),
    ...(p.wavelength2 !== undefined ? { wavelength2: p.wavelength2 } : {}),
    ...(p.kAlpha2Ratio !== undefined ? { kAlpha2Ratio: p.kAlpha2Ratio } : {}),
    twoTheta: Array.from(p.twoTheta),
    intensity: Array.from(p.intensity),
    ...(p.sigma ? { sigma: Array.from(p.sigma) } : {}),
    meta: p.meta ?? {},
  };
}

function summary(file: string, p: MeasuredPattern): string {
  const n = p.twoTheta.length;
  let max = -Infinity;
  for (const v of p.intensity) max = Math.max(max, v);
  const lines = [
    `${file}: ${p.format ?? 'pattern'}, ${n} points, 2θ ${p.twoTheta[0]}–${p.twoTheta[n - 1]}°, intensity max ${max}${p.sigma ? ', with σ' : ''}`,
    `wavelength: ${p.wavelength !== undefined ? `Kα1 ${p.wavelength} Å` : 'not stated'}${p.wavelength2 !== undefined ? `, Kα2 ${p.wavelength2} Å` : ''}${p.kAlpha2Ratio !== undefined ? `, Kα2/Kα1 ${p.kAlpha2Ratio}` : ''}`,
  ];
  for (const [key, value] of Object.entries(p.meta ?? {})) lines.push(`${key}: ${value}`);
  return lines.join('\n') + '\n';
}
