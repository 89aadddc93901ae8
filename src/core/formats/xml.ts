// A small XML reader for instrument files (XRDML, Bruker BRML): elements, attributes, text and
// the line each element starts on. These files are machine-written and well-formed, so there
// is no DTD, namespace or encoding machinery; what it does check is what a damaged file shows —
// a document cut off, a closing tag that does not match — each reported with its line.
import { errorAtLine, lineColumnAt, quoteForMessage } from './located';

export interface XmlElement {
  /** Local name (namespace prefix dropped). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
  line: number;
}

export function parseXml(text: string, file: string): XmlElement {
  const fail = (offset: number, message: string) => {
    const at = lineColumnAt(text, offset);
    return errorAtLine(file, at.line, at.column, message);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const advanceLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (text.charCodeAt(k) === 10) line++;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? text.length : lt;
    if (textEnd > i) {
      const chunk = text.slice(i, textEnd);
      if (stack.length) stack[stack.length - 1].text += decodeEntities(chunk, () => fail(i, 'a malformed character reference'));
      else if (chunk.trim() !== '') throw fail(i, root ? 'text after the end of the document' : `not XML: text before the first element`);
      advanceLines(i, textEnd);
      i = textEnd;
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) i = skipTo(lt, '-->', 'a comment');
    else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt);
      if (end < 0) throw fail(lt, 'the file ends inside a CDATA section');
      if (stack.length) stack[stack.length - 1].text += text.slice(lt + 9, end);
      advanceLines(lt, end);
      i = end + 3;
    } else if (text.startsWith('<?', lt)) i = skipTo(lt, '?>', 'a processing instruction');
    else if (text.startsWith('<!', lt)) i = skipTo(lt, '>', 'a declaration');
    else if (text.startsWith('</', lt)) {
      const end = text.indexOf('>', lt);
      if (end < 0) throw fail(lt, 'the file ends inside a closing tag');
      const name = localName(text.slice(lt + 2, end).trim());
      const open = stack.pop();
      if (!open) throw fail(lt, `</${name}> closes nothing`);
      if (open.name !== name) throw fail(lt, `</${name}> closes <${open.name}> (opened on line ${open.line})`);
      advanceLines(lt, end);
      i = end + 1;
    } else {
      const end = findTagEnd(lt);
      if (end < 0) throw fail(lt, 'the file ends inside a tag (the document is cut off)');
      const selfClosing = text.charCodeAt(end - 1) === 47; /* / */
      const body = text.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameMatch = /^[^\s/>]+/.exec(body);
      if (!nameMatch) throw fail(lt, 'a tag without a name');
      const element: XmlElement = { name: localName(nameMatch[0]), attributes: parseAttributes(body.slice(nameMatch[0].length), lt), children: [], text: '', line };
      if (stack.length) stack[stack.length - 1].children.push(element);
      else if (root) throw fail(lt, `a second root element <${element.name}>`);
      else root = element;
      if (!selfClosing) stack.push(element);
      advanceLines(lt, end);
      i = end + 1;
    }
  }
  if (stack.length) {
    const open = stack[stack.length - 1];
    throw errorAtLine(file, open.line, 1, `the file ends inside <${open.name}> (opened on line ${open.line}); the XML is cut off`);
  }
  if (!root) throw fail(0, 'not XML: no element');
  return root;

  function skipTo(from: number, terminator: string, what: string): number {
    const end = text.indexOf(terminator, from);
    if (end < 0) throw fail(from, `the file ends inside ${what}`);
    advanceLines(from, end);
    return end + terminator.length;
  }

  function findTagEnd(from: number): number {
    let quote = 0;
    for (let k = from + 1; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 62) return k;
      else if (c === 60) failAt(k);
    }
    return -1;
  }

  function failAt(k: number): never {
    throw fail(k, 'a "<" inside a tag (a tag is not closed)');
  }

  function parseAttributes(body: string, tagOffset: number): Record<string, string> {
    const attributes: Record<string, string> = {};
    const pattern = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
    let rest = body;
    for (const m of body.matchAll(pattern)) {
      attributes[localName(m[1])] = decodeEntities(m[3] ?? m[4] ?? '', () => fail(tagOffset, 'a malformed character reference in an attribute'));
      rest = rest.replace(m[0], '');
    }
    if (rest.trim() !== '') throw fail(tagOffset, `a malformed attribute: ${quoteForMessage(rest.trim())}`);
    return attributes;
  }
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, bad: () => Error): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;\s&]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw bad();
    if (name in NAMED) return NAMED[name];
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? parseInt(name.slice(1), 10) : Number.NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) throw bad();
    return String.fromCodePoint(code);
  });
}

/** Direct children named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every descendant named `name`, in document order. */
export function descendants(element: XmlElement, name: string, found: XmlElement[] = []): XmlElement[] {
  for (const c of element.children) {
    if (c.name === name) found.push(c);
    descendants(c, name, found);
  }
  return found;
}
