/**
 * CIF numbers: `3.5240(2)`, `.5(5)`, `-0(5)`, `1.2e-3(4)`, `12.`. The standard uncertainty in
 * brackets counts units of the last digit of the mantissa, scaled by the exponent:
 * `1.2e-3(4)` is 1.2e-3 ± 0.4e-3.
 */
export interface CifNumber {
  value: number;
  /** Standard uncertainty, when the file gives one. */
  su?: number;
}

const D0 = 48;
const D9 = 57;

function isDigit(c: number): boolean {
  return c >= D0 && c <= D9;
}

/** The number written in `text[start, end)`, or undefined when it is not a CIF number. */
export function parseCifNumberSpan(text: string, start: number, end: number): CifNumber | undefined {
  let p = start;
  let c = text.charCodeAt(p);
  if (c === 43 /* + */ || c === 45 /* - */) c = text.charCodeAt(++p);
  let intDigits = 0;
  while (p < end && isDigit(text.charCodeAt(p))) {
    p++;
    intDigits++;
  }
  let decimals = 0;
  if (p < end && text.charCodeAt(p) === 46 /* . */) {
    p++;
    while (p < end && isDigit(text.charCodeAt(p))) {
      p++;
      decimals++;
    }
  }
  if (intDigits + decimals === 0) return undefined;
  let exponent = 0;
  c = text.charCodeAt(p);
  if (p < end && (c === 101 || c === 69) /* e E */) {
    let q = p + 1;
    let sign = 1;
    const s = text.charCodeAt(q);
    if (s === 43 || s === 45) {
      sign = s === 45 ? -1 : 1;
      q++;
    }
    const expStart = q;
    let e = 0;
    while (q < end && isDigit(text.charCodeAt(q))) {
      e = e * 10 + (text.charCodeAt(q) - D0);
      q++;
    }
    if (q === expStart) return undefined;
    exponent = sign * e;
    p = q;
  }
  const mantissaEnd = p;
  if (p === end) {
    const value = Number(text.slice(start, mantissaEnd));
    return Number.isFinite(value) ? { value } : undefined;
  }
  if (text.charCodeAt(p) !== 40 /* ( */) return undefined;
  p++;
  const suStart = p;
  while (p < end && isDigit(text.charCodeAt(p))) p++;
  if (p === suStart || p !== end - 1 || text.charCodeAt(p) !== 41 /* ) */) return undefined;
  const value = Number(text.slice(start, mantissaEnd));
  if (!Number.isFinite(value)) return undefined;
  // Built from the decimal text so 3.5240(2) gives exactly 0.0002, not 2 × 1e-4 rounded twice.
  const su = Number(`${text.slice(suStart, p)}e${exponent - decimals}`);
  return { value, su };
}

export function parseCifNumber(text: string): CifNumber | undefined {
  return parseCifNumberSpan(text, 0, text.length);
}
