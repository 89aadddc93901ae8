/**
 * The value of a semicolon text field. Conventionally an empty first line (right after the
 * opening `;`) is not part of the value. The CIF 2.0 / CIF 1.1-compatible text protocols are
 * honoured: a first line `\` folds lines ending in `\`; a first line `PREFIX\` strips PREFIX
 * from every line (and `PREFIX\\` also folds) — the way a CIF can carry lines starting with `;`.
 */
export interface TextFieldProblem {
  message: string;
}

const PROTOCOL_LINE = /^([^\\]*?)(\\\\?)[ \t]*$/;
const FOLD_END = /\\[ \t]*$/;

export function textFieldValue(raw: string, onProblem?: (p: TextFieldProblem) => void): string {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  const first = lines[0];
  const m = first.includes('\\') ? PROTOCOL_LINE.exec(first) : null;
  if (m) {
    const prefix = m[1];
    const fold = prefix === '' || m[2] === '\\\\';
    let body = lines.slice(1);
    if (prefix !== '') {
      const bad = body.findIndex((l) => !l.startsWith(prefix));
      if (bad >= 0) {
        onProblem?.({
          message: `text field declares the line prefix "${prefix}" but line ${bad + 2} of the field does not start with it; prefix not removed`,
        });
        return conventional(lines);
      }
      body = body.map((l) => l.slice(prefix.length));
    }
    return fold ? unfold(body) : body.join('\n');
  }
  return conventional(lines);
}

function conventional(lines: string[]): string {
  const start = lines[0].trim() === '' && lines.length > 1 ? 1 : 0;
  return lines.slice(start).join('\n');
}

function unfold(lines: string[]): string {
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const folded = FOLD_END.exec(l);
    if (folded) out += l.slice(0, folded.index);
    else out += l + (i < lines.length - 1 ? '\n' : '');
  }
  return out;
}
