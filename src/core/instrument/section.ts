// The `instrument` section of latent-xrd.json: a calibrated laboratory instrument
// (`latent-xrd calibrate`), which the synthetic patterns then vary around. Its rules (validated
// with a JSON location), the augmentation it implies, and writing it into a config file without
// touching anything else there.
import type { AugmentationConfig } from '../synth/augmentation';
import type { Distribution } from '../synth/distributions';
import { parseJsonWithLocations } from '../util/json-locations';
import { INSTRUMENT_PROFILE_KEYS, MAX_ZERO_SHIFT_DEG, type InstrumentProfile } from './profile-keys';

/** What `latent-xrd calibrate` records about the fit, and the mark that it wrote the section. */
export interface CalibrationRecord {
  /** Always "latent-xrd calibrate": a section without it is the user's, and is not replaced. */
  by: string;
  standard?: string;
  cif?: string;
  radiation?: string;
  rwp?: number;
  explained?: number;
  range?: [number, number];
}

export type InstrumentSection = Partial<InstrumentProfile> & { calibration?: CalibrationRecord };

export const CALIBRATED_BY = 'latent-xrd calibrate';
export const INSTRUMENT_KEYS = [...INSTRUMENT_PROFILE_KEYS, 'calibration'] as const;
export const CALIBRATION_KEYS = ['by', 'standard', 'cif', 'radiation', 'rwp', 'explained', 'range'] as const;

/**
 * How far synthetic patterns vary around a calibrated instrument, relative to each fitted
 * value: specimens on one diffractometer differ in transparency, flatness and packing, which
 * change the measured profile by tens of percent (Klug & Alexander 1974, ch. 6; Cheary &
 * Coelho 1992): ±20 %. The sample's own size and strain broadening vary on top (augmentation).
 */
export const PROFILE_SPREAD = 0.2;
/** A calibrated goniometer's zero is reproducible to about ±0.01° (step size of a lab scan); ±0.02° around the fitted value. */
export const ZERO_SPREAD_DEG = 0.02;

type Problem = (path: (string | number)[], message: string) => void;

/** Checks an `instrument` section; `twoThetaRange` is the config's grid, over which the widths must be positive. */
export function validateInstrumentSection(value: unknown, problem: Problem, twoThetaRange: [number, number]): void {
  const path = ['instrument'];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem(path, 'must be an object (written by `latent-xrd calibrate`)');
  const section = value as Record<string, unknown>;
  for (const k of Object.keys(section)) {
    if (!(INSTRUMENT_KEYS as readonly string[]).includes(k)) problem([...path, k], `unknown setting "${k}" (known: ${INSTRUMENT_KEYS.join(', ')})`);
  }
  let numeric = true;
  for (const k of INSTRUMENT_PROFILE_KEYS) {
    const v = section[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problem([...path, k], 'must be a finite number');
      numeric = false;
    }
  }
  if (!numeric) return;
  const s = section as InstrumentSection;
  if (s.zeroShiftDeg !== undefined && Math.abs(s.zeroShiftDeg) > MAX_ZERO_SHIFT_DEG) problem([...path, 'zeroShiftDeg'], `must be within ±${MAX_ZERO_SHIFT_DEG}° (a larger offset is a wrong wavelength or standard, not a zero shift)`);
  if (s.axialAsymmetry !== undefined && !(Math.abs(s.axialAsymmetry) <= 1)) problem([...path, 'axialAsymmetry'], 'must be within ±1');
  // The widths the section gives must be positive over the grid the patterns are drawn on.
  const [lo, hi] = twoThetaRange;
  for (let n = 0; n <= 100; n++) {
    const twoTheta = lo + ((hi - lo) * n) / 100;
    const t = Math.tan((twoTheta * Math.PI) / 360);
    if (s.cagliotiU !== undefined && s.cagliotiV !== undefined && s.cagliotiW !== undefined) {
      const h2 = s.cagliotiU * t * t + s.cagliotiV * t + s.cagliotiW;
      if (!(h2 > 0)) return problem(path, `cagliotiU, V, W give a Gaussian FWHM² of ${h2.toPrecision(3)} deg² at 2θ = ${twoTheta.toFixed(1)}°: it must be positive over the grid`);
    }
    const hl = (s.lorentzianX ?? 0) * t + (s.lorentzianY ?? 0) / Math.cos((twoTheta * Math.PI) / 360);
    if (hl < 0) return problem(path, `lorentzianX, Y give a Lorentzian FWHM of ${hl.toPrecision(3)}° at 2θ = ${twoTheta.toFixed(1)}°: it must not be negative`);
  }
  if (section.calibration !== undefined) {
    const c = section.calibration;
    const at = [...path, 'calibration'];
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return problem(at, 'must be an object');
    for (const k of Object.keys(c)) {
      if (!(CALIBRATION_KEYS as readonly string[]).includes(k)) problem([...at, k], `unknown entry "${k}" (known: ${CALIBRATION_KEYS.join(', ')})`);
    }
    if (typeof (c as Record<string, unknown>).by !== 'string') problem([...at, 'by'], 'must say which program fitted the instrument');
  }
}

/** `value` ± spread·|value| as a distribution (a constant when the value is 0). */
function around(value: number, spread: number): Distribution {
  const half = Math.abs(value) * spread;
  return half > 0 ? { dist: 'uniform', min: value - half, max: value + half } : value;
}

/**
 * The augmentation a calibrated instrument implies: its profile ±20 %, its zero ±0.02°. The
 * config's own `augmentation` entries still win (dataset.ts merges them last).
 */
export function instrumentAugmentation(section: InstrumentSection | undefined): Partial<AugmentationConfig> {
  if (!section) return {};
  const out: Partial<AugmentationConfig> = {};
  if (section.cagliotiU !== undefined) out.cagliotiU = around(section.cagliotiU, PROFILE_SPREAD);
  if (section.cagliotiV !== undefined) out.cagliotiV = around(section.cagliotiV, PROFILE_SPREAD);
  if (section.cagliotiW !== undefined) out.cagliotiW = around(section.cagliotiW, PROFILE_SPREAD);
  if (section.lorentzianX !== undefined) out.instrumentLorentzianX = around(section.lorentzianX, PROFILE_SPREAD);
  if (section.lorentzianY !== undefined) out.instrumentLorentzianY = around(section.lorentzianY, PROFILE_SPREAD);
  if (section.axialAsymmetry !== undefined) out.axialAsymmetry = around(section.axialAsymmetry, PROFILE_SPREAD);
  if (section.zeroShiftDeg !== undefined) {
    out.zeroShiftDeg = { dist: 'uniform', min: section.zeroShiftDeg - ZERO_SPREAD_DEG, max: section.zeroShiftDeg + ZERO_SPREAD_DEG };
  }
  return out;
}

/** A problem with writing the section: the reason is for the user. */
export class InstrumentSectionRefused extends Error {}

/**
 * The config text with `section` as its `instrument` entry: an earlier section that
 * `latent-xrd calibrate` wrote is replaced in place, none is added at the end; every other
 * byte of the file stays as it was. A section the user wrote (no calibration mark) is refused.
 */
export function withInstrumentSection(text: string, section: InstrumentSection): string {
  const located = parseJsonWithLocations(text); // throws JsonSyntaxError on a damaged file
  const root = located.value;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new InstrumentSectionRefused('the config is not a JSON object');
  const offsets = lineOffsets(text);
  const offset = (line: number, column: number) => offsets[line - 1] + column - 1;
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n'; // the file's own line ends
  const rendered = JSON.stringify(section, null, indent.length && indent[0] === ' ' ? indent.length : '\t').replace(/\n/g, `${eol}${indent}`);
  const existing = (root as Record<string, unknown>).instrument;
  if (existing !== undefined) {
    const by = typeof existing === 'object' && existing !== null ? (existing as { calibration?: { by?: unknown } }).calibration?.by : undefined;
    if (by !== CALIBRATED_BY) {
      throw new InstrumentSectionRefused(`its "instrument" section was not written by \`${CALIBRATED_BY}\` (no "calibration": { "by": "${CALIBRATED_BY}" }), so it is not replaced: remove it or move it away first`);
    }
    const r = located.locate(['instrument']);
    return text.slice(0, offset(r.line, r.column)) + rendered + text.slice(offset(r.endLine, r.endColumn));
  }
  // Insert after the last member: the root's closing brace is the last "}" of the file.
  const close = text.lastIndexOf('}');
  let end = close;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  const empty = text[end - 1] === '{';
  return text.slice(0, end) + `${empty ? '' : ','}${eol}${indent}"instrument": ${rendered}${eol}` + text.slice(close);
}

function lineOffsets(text: string): number[] {
  // The same line ends as LineIndex (util/lines.ts): CRLF, lone CR, lone LF.
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
