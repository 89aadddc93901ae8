/**
 * Problems a user can cause (a bad file, a bad config) are values, not exceptions: each has a
 * severity, a message a scientist can act on, and where it is. Lines and columns are 1-based
 * (as people and compilers print them); the extension converts to VS Code's 0-based ranges.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Where in the file; absent only for problems about the file as a whole. */
  range?: SourceRange;
  /** A stable machine-readable code, e.g. `cif.unclosed-quote`. */
  code?: string;
}

/** `file:line:column: severity: message`, the form editors and terminals link to. */
export function formatDiagnostic(d: Diagnostic, fileName?: string): string {
  const where = d.range ? `${d.range.line}:${d.range.column}` : '';
  const prefix = [fileName, where].filter(Boolean).join(':');
  return `${prefix ? prefix + ': ' : ''}${d.severity}: ${d.message}`;
}

/** A user-facing failure that carries its diagnostics (thrown only across API boundaries). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
    /** The file the diagnostics' lines and columns refer to. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A long run the user stopped; whatever it was writing was not written. */
export class CancelledError extends UserError {
  constructor(what: string) {
    super(`${what} cancelled; nothing was written`);
  }
}
