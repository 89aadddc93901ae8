// Collects the diagnostics of reading one structure from a CIF block: the CIF readers
// (cif-cell, cif-symmetry, cif-sites) and the site expansion report into one list, in order.
import type { Diagnostic, Severity, SourceRange } from '../diagnostics';

/** Diagnostics in the order they were added. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  add(severity: Severity, code: string, message: string, range?: SourceRange): void {
    this.list.push(range ? { severity, code, message, range } : { severity, code, message });
  }
}
