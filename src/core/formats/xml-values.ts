// Numbers inside XML elements, with errors that name the element and its line.
import { errorAtLine } from './located';
import { NumberColumn, type Fail } from './ranges';
import { headerNumber } from './stated';
import { badNumber, eachField, parseNumber } from './text';
import type { XmlElement } from './xml';

/** Errors at an element's line, naming it. */
export function atElement(element: XmlElement, file: string): Fail {
  return (message) => errorAtLine(file, element.line, 1, `<${element.name}>: ${message}`);
}

/** The element's white-space separated numbers, read one at a time into a typed array. */
export function numberList(element: XmlElement, file: string): Float64Array {
  const values = new NumberColumn(atElement(element, file));
  let index = 0;
  eachField(element.text, false, (token) => {
    index++;
    const value = parseNumber(token);
    if (!Number.isFinite(value)) throw errorAtLine(file, element.line, 1, `<${element.name}> value ${index} is ${badNumber(token)}`);
    values.push(value);
  });
  return values.values();
}

export function numberIn(element: XmlElement, file: string): number {
  const text = element.text.trim();
  const value = parseNumber(text);
  if (!Number.isFinite(value)) throw errorAtLine(file, element.line, 1, `<${element.name}> is ${badNumber(text)}`);
  return value;
}

/** A number the element states, undefined when the element is absent or empty. */
export function statedNumber(element: XmlElement | undefined, text: string | undefined, file: string): number | undefined {
  return element ? headerNumber(text, 'the value', atElement(element, file)) : undefined;
}
