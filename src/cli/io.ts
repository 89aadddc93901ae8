import { existsSync, statSync } from 'node:fs';
import { readFileBounded } from '../core/formats/file';
import { MAX_INPUT_FILE_BYTES } from '../core/formats/limits';
import { dirname, join, resolve } from 'node:path';
import { readStructureFile } from '../core/crystal/structure';
import type { CrystalStructure } from '../core/crystal/types';
import { UserError, formatDiagnostic, type Diagnostic } from '../core/diagnostics';
import type { SynthConfig } from '../core/synth/config';
import { planWorkspaceConfig, type DatasetPlan } from '../core/synth/dataset';
import type { CommandContext } from './args';

/** Reads a file the user named, with an error that says which file when it cannot be read. */
export function readUserFile(cwd: string, path: string): Uint8Array {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new UserError(`${path}: no such file`);
  if (statSync(full).isDirectory()) throw new UserError(`${path}: is a folder, not a file`);
  return readFileBounded(full, MAX_INPUT_FILE_BYTES, path);
}

/**
 * What one file's (or sample's) failure says in a list of results: a user error's message with
 * its location; anything else by its kind and message, cut short — never a stack trace, and
 * never the end of the run for the other files.
 */
export function failureMessage(e: unknown): string {
  if (e instanceof UserError) return e.message;
  const error = e instanceof Error ? e : new Error(String(e));
  const message = error.message.length > 200 ? `${error.message.slice(0, 200)}… (${error.message.length} characters)` : error.message;
  return `could not be processed (${error.name}: ${message}); please report it with the file`;
}

export interface LoadedStructures {
  structures: CrystalStructure[];
  diagnostics: Diagnostic[];
}

/**
 * Reads every structure of a CIF. A file with no usable structure is a user error carrying the
 * parser's diagnostics (each with its line and column).
 */
export function loadStructures(cwd: string, path: string): LoadedStructures {
  readUserFile(cwd, path); // says which file when it is missing or a folder
  const result = readStructureFile(resolve(cwd, path));
  if (result.structures.length === 0) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    throw new UserError(
      `${path}: no usable crystal structure` + (errors.length ? '' : ' (no data block has a cell and atom sites)'),
      result.diagnostics,
      path,
    );
  }
  return result;
}

/** Picks one data block: by name when asked, else the first; lists the names when the name is wrong. */
export function pickStructure(loaded: LoadedStructures, path: string, blockName?: string): CrystalStructure {
  if (!blockName) return loaded.structures[0];
  const found = loaded.structures.find((s) => s.blockName.toLowerCase() === blockName.toLowerCase());
  if (!found) {
    const names = loaded.structures.map((s) => s.blockName).join(', ');
    throw new UserError(`${path}: no data block "${blockName}" with a structure; blocks with structures: ${names}`);
  }
  return found;
}

/**
 * Prints a file's diagnostics and returns the command's exit code: 2 when any is an error (the
 * result printed above it may be wrong: a symmetry list that is not a group, a site left out),
 * 0 when there are only warnings and notes.
 */
export function printDiagnostics(err: (t: string) => void, path: string, diagnostics: Diagnostic[]): number {
  for (const d of diagnostics) err(formatDiagnostic(d, path) + '\n');
  return diagnostics.some((d) => d.severity === 'error') ? 2 : 0;
}

export function diagnosticJson(d: Diagnostic) {
  return {
    severity: d.severity,
    message: d.message,
    code: d.code,
    line: d.range?.line,
    column: d.range?.column,
  };
}

/** The installed package's folder (holds examples/ and schemas/), found from the running bundle. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Reads and validates a latent-xrd.json (warnings printed, errors thrown with line and column) and plans its dataset. */
export function loadWorkspaceConfig(ctx: CommandContext, configPath: string, outputOverride?: string): { config: SynthConfig; plan: DatasetPlan; configDir: string } {
  const text = new TextDecoder().decode(readUserFile(ctx.cwd, configPath));
  const loaded = planWorkspaceConfig(text, resolve(ctx.cwd, configPath), configPath, outputOverride && resolve(ctx.cwd, outputOverride));
  for (const d of loaded.warnings) ctx.err(formatDiagnostic(d, configPath) + '\n');
  return loaded;
}
