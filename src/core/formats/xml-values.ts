// Numbers inside XML elements, with errors that name the element and its line.
import { errorAtLine } from './located';
import { parseNumber } from './text';
import type { XmlElement } from './xml';

export function numberList(element: XmlElement, file: string): number[] {
  const tokens = element.text.trim() === '' ? [] : element.text.trim().split(/\s+/);
  return tokens.map((token, index) => {
    const value = parseNumber(token);
    if (!Number.isFinite(value)) throw errorAtLine(file, element.line, 1, `<${element.name}> value ${index + 1} is not a finite number: "${token.slice(0, 30)}"`);
    return value;
  });
}

export function numberIn(element: XmlElement, file: string): number {
  const value = parseNumber(element.text.trim());
  if (!Number.isFinite(value)) throw errorAtLine(file, element.line, 1, `<${element.name}> is not a finite number: "${element.text.trim().slice(0, 30)}"`);
  return value;
}

/** An optional number: absent or unparsable values are simply not stated. */
export function optionalNumber(element: XmlElement | undefined): number | undefined {
  if (!element) return undefined;
  const value = parseNumber(element.text.trim());
  return Number.isFinite(value) ? value : undefined;
}
