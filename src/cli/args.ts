import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/diagnostics';
import { gridPointsProblem, twoThetaRangeProblem } from '../core/diffraction/grid-limits';
import { quoteForMessage } from '../core/formats/located';
import { BACKEND_PREFERENCES, DEFAULT_BACKEND, isBackendPreference, type BackendPreference } from '../core/model/backend-preference';

/** Options every command shares. */
export interface CommandContext {
  /** Where stdout goes (tests capture it). */
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  /** Stops a long-running command (`watch`) as SIGINT would; tests run it in-process with one. */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into user errors that name the command. */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UserError(`${command}: ${(e as Error).message.replace(/^.*?: /, '')} (see \`latent-xrd ${command} --help\`)`);
  }
}

/** `20:90` → [20, 90]. */
export function parseRange(flag: string, text: string): [number, number] {
  const m = /^\s*(-?[\d.eE+-]+)\s*:\s*(-?[\d.eE+-]+)\s*$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new UserError(`${flag} expects MIN:MAX with MIN < MAX, e.g. 20:90; got ${quoteForMessage(text)}`);
  }
  return [lo, hi];
}

/** `20:90` as a 2θ range in degrees, within what diffraction allows. */
export function parseTwoThetaRange(flag: string, text: string): [number, number] {
  const [lo, hi] = parseRange(flag, text);
  const problem = twoThetaRangeProblem(lo, hi);
  if (problem) throw new UserError(`${flag}: ${problem}`);
  return [lo, hi];
}

/** A grid's number of points, at most MAX_GRID_POINTS. */
export function parseGridPoints(flag: string, text: string): number {
  const points = parseInteger(flag, text, 2);
  const problem = gridPointsProblem(points);
  if (problem) throw new UserError(`${flag}: ${problem}`);
  return points;
}

export function parseInteger(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new UserError(`${flag} expects an integer ≥ ${min}; got ${quoteForMessage(text)}`);
  return v;
}

/** `--threads N` or `--threads all` (every core the process may use; also the default). */
export function parseThreads(flag: string, text: string | undefined, all: number): number {
  if (text === undefined || text === 'all') return all;
  return parseInteger(flag, text, 1);
}

/** `Fe=0.35,O=0.5` → { Fe: 0.35, O: 0.5 }. */
export function parseElementValues(flag: string, text: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Z][a-z]?)\s*=\s*([\d.eE+-]+)\s*$/.exec(part);
    if (!m || !Number.isFinite(Number(m[2]))) {
      throw new UserError(`${flag} expects Element=B pairs separated by commas, e.g. W=0.1526,O=0.5; got "${part}"`);
    }
    result[m[1]] = Number(m[2]);
  }
  return result;
}

/** A p-value threshold in (0, 1), e.g. `0.01`. */
export function parseProbability(flag: string, text: string): number {
  const v = Number(text);
  if (!(v > 0 && v < 1)) throw new UserError(`${flag} expects a p-value between 0 and 1, e.g. 0.01; got ${quoteForMessage(text)}`);
  return v;
}

/** `--backend auto|wasm|cpu|tensorflow` (absent: the default, auto). */
export function parseBackend(text: string | undefined): BackendPreference {
  if (text === undefined) return DEFAULT_BACKEND;
  if (!isBackendPreference(text)) throw new UserError(`--backend expects one of ${BACKEND_PREFERENCES.join(', ')}; got ${quoteForMessage(text)}`);
  return text;
}
