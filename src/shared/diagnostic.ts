// What a diagnostic is: one shape for the engine that finds problems (src/core/diagnostics.ts),
// the RPC that carries them across threads, and the views that show them. Lines and columns
// are 1-based (as people and compilers print them); the extension converts to VS Code's
// 0-based ranges.
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
