// Every CSV Latent XRD writes (scores of a workspace or a collection, reproduce's data) goes
// through one cell rule. Sample ids, file names and phase names come from files a user
// received: a cell beginning with = + - @ (or a tab or carriage return) is a formula to a
// spreadsheet — `=HYPERLINK(…)`, `+cmd|' /C calc'!A0` — so it is prefixed with an apostrophe,
// the OWASP rule, unless it is a plain number (a negative value stays a number). Cells with a
// quote, comma or line break are quoted (RFC 4180).

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One cell, neutralised and quoted as needed; numbers as they print. */
export function csvCell(value: unknown): string {
  let text = String(value ?? '');
  if (typeof value !== 'number' && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line. */
export function csvLine(fields: readonly unknown[]): string {
  return fields.map(csvCell).join(',');
}

/** A header and rows as CSV text (lines ended by \n). */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map(csvLine).join('\n') + '\n';
}
