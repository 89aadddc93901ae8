import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve, dirname } from 'node:path';
import type { Command } from '../args';
import { parseCommandArgs, parseTwoThetaRange } from '../args';
import { UserError } from '../../core/diagnostics';
import { readPatternFile } from '../../core/formats';
import { DEFAULT_RADIATION, radiationFor } from '../../core/synth/radiation';
import { validateConfig, type SynthConfig } from '../../core/synth/config';
import { parseJsonWithLocations } from '../../core/util/json-locations';
import { writeFileAtomic } from '../../core/util/atomic';
import { notAFile } from '../../core/util/replaceable';
import { calibrateInstrument, CalibrationRefused, type CalibrationResult } from '../../core/instrument/calibrate';
import { CALIBRATED_BY, InstrumentSectionRefused, withInstrumentSection, type InstrumentSection } from '../../core/instrument/section';
import { loadStructures, pickStructure, printDiagnostics } from '../io';

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'Fit the instrument profile to a measured standard (LaB6) and write it into latent-xrd.json',
  usage: [
    'latent-xrd calibrate STANDARD.xye --cif LaB6.cif [--config latent-xrd.json] [--wavelength CuKa]',
    '                     [--two-theta LO:HI] [--block NAME] [--dry-run] [--json]',
    '',
    'A Pawley fit of the standard: line positions from the CIF\'s (certified) cell, intensities',
    'free, a Chebyshev background with air scatter, and the profile the simulator draws —',
    'Caglioti U, V, W, instrumental Lorentzian X, Y, zero shift and axial-divergence asymmetry.',
    'The result is written as the "instrument" section of the config (replacing only a section',
    'this command wrote); training then varies around it (docs/realism.md). The wavelength is',
    '--wavelength, else the config\'s "radiation", else CuKa. A fit whose lines explain under',
    '90 % of the signal above background, or whose widths or zero shift are not a laboratory',
    'instrument\'s, is refused with the reason. --dry-run fits and prints without writing.',
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('calibrate', argv, {
      cif: { type: 'string' },
      config: { type: 'string', short: 'c' },
      wavelength: { type: 'string' },
      'two-theta': { type: 'string' },
      block: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UserError('calibrate: give exactly one measured pattern of the standard');
    if (!values.cif) throw new UserError('calibrate: --cif STANDARD.cif is required (the standard\'s structure and certified cell, e.g. LaB6 from NIST SRM 660)');
    const standard = positionals[0];
    const configPath = values.config ?? 'latent-xrd.json';
    const configFile = resolve(ctx.cwd, configPath);
    const dryRun = values['dry-run'] ?? false;

    // The config is read first: its radiation is the default wavelength, and a config that
    // cannot take the result is better refused before the fit than after.
    let configText: string | undefined;
    let config: SynthConfig | undefined;
    if (existsSync(configFile)) {
      const why = notAFile(configFile, 'a latent-xrd.json config');
      if (why) throw new UserError(`${configPath}: ${why}`);
      configText = readFileSync(configFile, 'utf8');
      const checked = validateConfig(configText);
      if (!checked.config) throw new UserError(`${configPath}: the config has errors; fix them before calibrating`, checked.diagnostics, configPath);
      config = checked.config;
    } else if (!dryRun) {
      throw new UserError(`${configPath}: no such config; calibrate writes the instrument into an existing latent-xrd.json (its phases first), or use --dry-run`);
    }

    const radiationSpec = values.wavelength ?? config?.radiation ?? DEFAULT_RADIATION;
    let radiation;
    try {
      radiation = radiationFor(radiationSpec);
    } catch (e) {
      throw new UserError(`--wavelength: ${(e as Error).message}`);
    }
    const range = values['two-theta'] ? parseTwoThetaRange('--two-theta', values['two-theta']) : undefined;
    const pattern = readPatternFile(resolve(ctx.cwd, standard), standard);
    // A calibration holds for the tube it was measured with: a file that states another
    // wavelength than the one the patterns will be drawn with is refused, not fitted.
    if (!values.wavelength && pattern.wavelength !== undefined && Math.abs(pattern.wavelength - radiation.kalpha1) > 1e-3) {
      throw new UserError(
        `${standard}: the file states λ = ${pattern.wavelength} Å, but ${config?.radiation !== undefined ? `the config's radiation is ${JSON.stringify(config.radiation)}` : 'the default radiation is CuKa'} (Kα1 ${radiation.kalpha1} Å): calibrate with a scan from the tube the patterns are drawn for, or give --wavelength`,
      );
    }
    const loaded = loadStructures(ctx.cwd, values.cif);
    const structure = pickStructure(loaded, values.cif, values.block);

    let result: CalibrationResult;
    try {
      result = calibrateInstrument(pattern, structure, { radiation, range });
    } catch (e) {
      if (e instanceof CalibrationRefused) throw new UserError(`${standard}: calibration refused: ${e.message}`);
      throw e;
    }

    const fromConfig = (path: string) => relative(dirname(configFile), resolve(ctx.cwd, path)) || path;
    const section: InstrumentSection = {
      ...roundAll(result.instrument),
      calibration: {
        by: CALIBRATED_BY,
        standard: fromConfig(standard),
        cif: fromConfig(values.cif),
        radiation: typeof radiationSpec === 'string' ? radiationSpec : JSON.stringify(radiationSpec),
        rwp: round(result.rwp, 4),
        explained: round(result.explained, 4),
        range: [Number(result.range[0].toFixed(3)), Number(result.range[1].toFixed(3))],
      },
    };

    let written = false;
    if (!dryRun && configText !== undefined) {
      let text: string;
      try {
        text = withInstrumentSection(configText, section);
      } catch (e) {
        if (e instanceof InstrumentSectionRefused) throw new UserError(`${configPath}: ${e.message}`);
        throw e;
      }
      const checked = validateConfig(text);
      if (!checked.config) throw new UserError(`${configPath}: the fitted instrument was not written: it would make the config invalid`, checked.diagnostics, configPath);
      writeFileAtomic(configFile, text, (path) => notAFile(path, 'a latent-xrd.json config') ?? (isJsonObject(path) ? undefined : 'it is no longer a JSON config'));
      written = true;
    }

    if (values.json) {
      ctx.out(JSON.stringify({ instrument: section, rexp: result.rexp, points: result.points, lines: result.lines, written: written ? configPath : null }) + '\n');
    } else {
      ctx.out(report(standard, result, radiationSpec) + (written ? `written: "instrument" in ${configPath}\n` : dryRun ? 'not written (--dry-run)\n' : ''));
    }
    return printDiagnostics(ctx.err, values.cif, loaded.diagnostics);
  },
};

function isJsonObject(path: string): boolean {
  try {
    const v = parseJsonWithLocations(readFileSync(path, 'utf8')).value;
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

function round(v: number, digits: number): number {
  return Number(v.toPrecision(digits));
}

function roundAll<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v as number, 5)])) as T;
}

function report(standard: string, r: CalibrationResult, radiation: unknown): string {
  const i = r.instrument;
  const rows: [string, string][] = [
    ['standard', `${standard} (${r.points} points, 2θ ${r.range[0].toFixed(2)}–${r.range[1].toFixed(2)}°, ${typeof radiation === 'string' ? radiation : JSON.stringify(radiation)})`],
    ['cagliotiU', `${i.cagliotiU.toPrecision(4)} deg²`],
    ['cagliotiV', `${i.cagliotiV.toPrecision(4)} deg²`],
    ['cagliotiW', `${i.cagliotiW.toPrecision(4)} deg²`],
    ['lorentzianX', `${i.lorentzianX.toPrecision(4)}°`],
    ['lorentzianY', `${i.lorentzianY.toPrecision(4)}°`],
    ['zeroShiftDeg', `${i.zeroShiftDeg.toFixed(4)}°`],
    ['axialAsymmetry', `${i.axialAsymmetry.toPrecision(4)}`],
    ['Rwp / Rexp', `${(100 * r.rwp).toFixed(2)} % / ${(100 * r.rexp).toFixed(2)} %`],
    ['explained', `${(100 * r.explained).toFixed(1)} % of the signal above background`],
  ];
  const lines = r.lines.map((l) => `  ${l.hkl.join(' ').padEnd(9)} 2θ ${l.twoTheta.toFixed(3).padStart(8)}°  FWHM ${l.fwhm.toFixed(4)}°`);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\nlines (Kα1, fitted):\n' + lines.join('\n') + '\n';
}
