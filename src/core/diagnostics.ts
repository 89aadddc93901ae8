/**
 * Problems a user can cause (a bad file, a bad config) are values, not exceptions: each has a
 * severity, a message a scientist can act on, and where it is. Lines and columns are 1-based
 * (as people and compilers print them); the extension converts to VS Code's 0-based ranges.
 */
// The shape of a diagnostic is shared with the webviews and the RPC envelope (src/shared).
import type { Diagnostic } from '../shared/diagnostic';
export type { Diagnostic, Severity, SourceRange } from '../shared/diagnostic';

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
