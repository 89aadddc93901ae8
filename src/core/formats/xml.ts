// A small XML reader for instrument files (XRDML, Bruker BRML): elements, attributes, text and
// the line each element starts on. These files are machine-written and well-formed, so there
// is no DTD, namespace or encoding machinery; what it does check is what a damaged or hostile
// file shows — a document cut off, a closing tag that does not match, a reference to an entity
// or to a character XML does not have, nesting or element counts no instrument writes — each
// reported with its line. Every step is linear in the text, and no walk recurses.
import { errorAtLine, lineColumnAt, quoteForMessage, quoteName } from './located';
import { MAX_PATTERN_POINTS } from './limits';

export interface XmlElement {
  /** Local name (namespace prefix dropped). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
  line: number;
}

/** Elements open at once: instrument files nest about ten deep; a thousand-deep file is not one. */
export const MAX_XML_DEPTH = 100;

/** Elements in one document: BRML writes one <Datum> per point, so twice the point limit. */
export const MAX_XML_ELEMENTS = 2 * MAX_PATTERN_POINTS;

// Shared by every element without children or attributes (a BRML <Datum> has neither): a million
// rows cost no million empty arrays and objects.
const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function parseXml(text: string, file: string): XmlElement {
  const fail = (offset: number, message: string) => {
    const at = lineColumnAt(text, offset);
    return errorAtLine(file, at.line, at.column, message);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
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
      const chunkStart = i;
      if (stack.length) stack[stack.length - 1].text += decodeReferences(chunk, (offset, message) => fail(chunkStart + offset, message));
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
    else if (text.startsWith('<!DOCTYPE', lt)) {
      const end = text.indexOf('>', lt);
      const subset = text.indexOf('[', lt);
      if (subset >= 0 && (end < 0 || subset < end)) {
        throw fail(lt, 'a document type with declarations (<!DOCTYPE … [ … ]>) is not read: instrument files have none, and its entities could expand without limit or name other files');
      }
      i = skipTo(lt, '>', 'a document type declaration');
    } else if (text.startsWith('<!', lt)) i = skipTo(lt, '>', 'a declaration');
    else if (text.startsWith('</', lt)) {
      const end = text.indexOf('>', lt);
      if (end < 0) throw fail(lt, 'the file ends inside a closing tag');
      const name = localName(text.slice(lt + 2, end).trim());
      const open = stack.pop();
      if (!open) throw fail(lt, `</${quoteName(name)}> closes nothing`);
      if (open.name !== name) throw fail(lt, `</${quoteName(name)}> closes <${quoteName(open.name)}> (opened on line ${open.line})`);
      advanceLines(lt, end);
      i = end + 1;
    } else {
      const end = findTagEnd(lt);
      if (end < 0) throw fail(lt, 'the file ends inside a tag (the document is cut off)');
      const selfClosing = text.charCodeAt(end - 1) === 47; /* / */
      const body = text.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameMatch = /^[^\s/>]+/.exec(body);
      if (!nameMatch) throw fail(lt, 'a tag without a name');
      if (++elements > MAX_XML_ELEMENTS) throw fail(lt, `more than ${MAX_XML_ELEMENTS.toLocaleString('en-US')} elements; more than an instrument file of the largest pattern holds`);
      if (stack.length >= MAX_XML_DEPTH) throw fail(lt, `elements nested more than ${MAX_XML_DEPTH} deep (at <${quoteName(localName(nameMatch[0]))}>); instrument files nest about ten`);
      const element: XmlElement = { name: localName(nameMatch[0]), attributes: parseAttributes(body, nameMatch[0].length, lt), children: NO_CHILDREN, text: '', line };
      if (stack.length) {
        const parent = stack[stack.length - 1];
        if (parent.children === NO_CHILDREN) parent.children = [];
        parent.children.push(element);
      }
      else if (root) throw fail(lt, `a second root element <${quoteName(element.name)}>`);
      else root = element;
      if (!selfClosing) stack.push(element);
      advanceLines(lt, end);
      i = end + 1;
    }
  }
  if (stack.length) {
    const open = stack[stack.length - 1];
    throw errorAtLine(file, open.line, 1, `the file ends inside <${quoteName(open.name)}> (opened on line ${open.line}); the XML is cut off`);
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
      else if (c === 60) throw fail(k, 'a "<" inside a tag (a tag is not closed)');
    }
    return -1;
  }

  /** name="value" pairs after the tag's name, in one pass (a long value costs its length once). */
  function parseAttributes(body: string, from: number, tagOffset: number): Record<string, string> {
    let attributes = NO_ATTRIBUTES;
    const at = (k: number) => tagOffset + 1 + k;
    let k = from;
    for (;;) {
      while (k < body.length && isSpace(body.charCodeAt(k))) k++;
      if (k >= body.length) return attributes;
      if (attributes === NO_ATTRIBUTES) attributes = {};
      const nameStart = k;
      while (k < body.length && !isSpace(body.charCodeAt(k)) && body.charCodeAt(k) !== 61 /* = */) k++;
      const name = body.slice(nameStart, k);
      while (k < body.length && isSpace(body.charCodeAt(k))) k++;
      if (body.charCodeAt(k) !== 61 || name === '') throw fail(at(nameStart), `a malformed attribute: ${quoteForMessage(body.slice(nameStart).trim())}`);
      k++;
      while (k < body.length && isSpace(body.charCodeAt(k))) k++;
      const quote = body.charCodeAt(k);
      if (quote !== 34 && quote !== 39) throw fail(at(nameStart), `the attribute ${quoteForMessage(name)} has no quoted value`);
      const end = body.indexOf(quote === 34 ? '"' : "'", k + 1);
      if (end < 0) throw fail(at(nameStart), `the value of the attribute ${quoteForMessage(name)} is not closed`);
      const valueStart = k + 1;
      attributes[localName(name)] = decodeReferences(body.slice(valueStart, end), (offset, message) => fail(at(valueStart + offset), message));
      k = end + 1;
    }
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

const PREDEFINED = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"]]);

/** The characters XML allows (XML 1.0, production [2] Char): no NUL, no lone surrogates, no U+FFFE/FFFF. */
function isXmlCharacter(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/** Text with its references replaced: the five predefined entities and character references, nothing else. */
function decodeReferences(s: string, bad: (offset: number, message: string) => Error): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;\s&]*)(;?)/g, (whole: string, name: string, semicolon: string, offset: number) => {
    if (!semicolon) throw bad(offset, `"&" starts no reference (a reference ends in ";"; "&" itself is written &amp;): ${quoteForMessage(whole)}`);
    const predefined = PREDEFINED.get(name);
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9a-fA-F]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]+$/.test(name) ? parseInt(name.slice(1), 10) : undefined;
    if (code === undefined) throw bad(offset, `${quoteForMessage(whole)} is neither a character reference nor one of the five predefined entities (&lt; &gt; &amp; &quot; &apos;); entity declarations are not read`);
    if (!isXmlCharacter(code)) throw bad(offset, `the character reference ${quoteForMessage(whole)} is not a character XML allows (no NUL, control characters, surrogates or U+FFFE/FFFF)`);
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

/** Every descendant named `name`, in document order (a walk with its own stack, however deep the tree). */
export function descendants(element: XmlElement, name: string, limit = Infinity): XmlElement[] {
  const found: XmlElement[] = [];
  const pending: XmlElement[] = [];
  const pushChildren = (e: XmlElement) => {
    for (let k = e.children.length - 1; k >= 0; k--) pending.push(e.children[k]);
  };
  pushChildren(element);
  while (pending.length && found.length < limit) {
    const e = pending.pop()!;
    if (e.name === name) found.push(e);
    pushChildren(e);
  }
  return found;
}

/** The first descendant named `name` in document order. */
export function firstDescendant(element: XmlElement, name: string): XmlElement | undefined {
  return descendants(element, name, 1)[0];
}
