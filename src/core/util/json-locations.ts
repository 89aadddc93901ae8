import type { SourceRange } from '../diagnostics';
import { LineIndex } from './lines';

/**
 * JSON with the position of every value, so a config problem can point at its line and column
 * (as the editor's Problems panel and the CLI's `file:line:col` need). Strict JSON only.
 */
export interface LocatedJson {
  value: unknown;
  /** Range of the value at a path like ['phases', 2, 'count']; the nearest parent when absent. */
  locate(path: (string | number)[]): SourceRange;
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly range: SourceRange) {
    super(message);
  }
}

/**
 * How deep values may nest. JSON.parse takes any depth, but this parser recurses, and no config
 * or collection nests beyond a few levels: deeper is an error at the value, not a stack overflow.
 */
export const MAX_JSON_DEPTH = 500;

const NUMBER_OR_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

export function parseJsonWithLocations(text: string): LocatedJson {
  const ranges = new Map<string, SourceRange>();
  const lines = new LineIndex(text);
  const range = (start: number, end: number): SourceRange => lines.range(start, end);
  let i = 0;
  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, range(i, Math.min(i + 1, text.length)));
  };
  const skip = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const key = (path: (string | number)[]) => JSON.stringify(path);

  function parseValue(path: (string | number)[]): unknown {
    skip();
    if (path.length > MAX_JSON_DEPTH) fail(`values nested more than ${MAX_JSON_DEPTH} deep`);
    const start = i;
    const ch = text[i];
    let value: unknown;
    if (ch === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skip();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          skip();
          if (text[i] !== '"') fail('expected a property name in double quotes');
          const name = parseString();
          skip();
          if (text[i] !== ':') fail('expected ":" after the property name');
          i++;
          obj[name] = parseValue([...path, name]);
          skip();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; break; }
          fail('expected "," or "}"');
        }
      }
      value = obj;
    } else if (ch === '[') {
      i++;
      const arr: unknown[] = [];
      skip();
      if (text[i] === ']') i++;
      else {
        for (let n = 0; ; n++) {
          arr.push(parseValue([...path, n]));
          skip();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ']') { i++; break; }
          fail('expected "," or "]"');
        }
      }
      value = arr;
    } else if (ch === '"') {
      value = parseString();
    } else {
      // At the position itself, however long the number: a window would cut a 400-digit one.
      NUMBER_OR_LITERAL.lastIndex = i;
      const m = NUMBER_OR_LITERAL.exec(text);
      if (!m) fail(i >= text.length ? 'unexpected end of the file' : `unexpected "${ch}"`);
      i += m![0].length;
      value = JSON.parse(m![0]);
    }
    ranges.set(key(path), range(start, i));
    return value;
  }

  function parseString(): string {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') fail('a string may not span lines');
      i++;
    }
    if (i >= text.length) {
      i = start;
      fail('string not closed');
    }
    i++;
    return JSON.parse(text.slice(start, i));
  }

  const value = parseValue([]);
  skip();
  if (i < text.length) fail('unexpected text after the JSON value');
  return {
    value,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const r = ranges.get(key(path.slice(0, n)));
        if (r) return r;
      }
      return range(0, 0);
    },
  };
}
