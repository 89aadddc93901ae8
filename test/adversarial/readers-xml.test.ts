// Hostile XML (issue 11, Major 4 and 5, Minor, Keep): deep nesting must not overflow the stack,
// a long attribute or many attributes must cost their length once, character references must
// name XML characters, and a DTD's entities (external or expanding) are never read. Each case
// runs the command line as its own process under the hang guard, or reads in-process where
// nothing can hang.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { zipSync, strToU8 } from 'fflate';
import { readPattern } from '../../src/core/formats';
import { descendants, firstDescendant, MAX_XML_DEPTH, MAX_XML_ELEMENTS, type XmlElement } from '../../src/core/formats/xml';
import { UserError } from '../../src/core/diagnostics';
import { describeRun, runCliProcess } from './helpers';
import { xrdmlText } from '../unit/instrument-files';

const bytes = (s: string) => new TextEncoder().encode(s);
const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-readers-xml-'));
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `latent-xrd read FILE` as its own process: a user error (exit 2) whose message matches. */
async function readRefused(path: string, message: RegExp) {
  const r = await runCliProcess(['read', path]);
  assert.equal(r.code, 2, describeRun(r));
  assert.match(r.stderr, message, describeRun(r));
  assert.doesNotMatch(r.stderr, /internal error|RangeError|at \w+ \(/, describeRun(r));
}

describe('readers: hostile XML', () => {
  it('a 140 KB .xrdml of deep nesting is a located error (exit 2), not a stack overflow (rc 70)', async () => {
    const depth = 20_000;
    const path = file('deep.xrdml', `<?xml version="1.0"?>\n<xrdMeasurements>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</xrdMeasurements>\n`);
    await readRefused(path, new RegExp(`deep\\.xrdml:2:\\d+: elements nested more than ${MAX_XML_DEPTH} deep \\(at <a>\\)`));
  });

  it('a 524-byte .brml whose RawData nests deeply is a located error, not a stack overflow', async () => {
    // Deflate packs the repetition: the archive stays small, the XML is 160 KB deep.
    const xml = `<RawData>${'<b>'.repeat(20_000)}${'</b>'.repeat(20_000)}</RawData>`;
    const archive = zipSync({ 'Experiment0/RawData0.xml': strToU8(xml) }, { level: 9 });
    assert.ok(archive.length < 1024, `${archive.length} bytes`);
    await readRefused(file('deep.brml', archive), /deep\.brml\/Experiment0\/RawData0\.xml:1:\d+: elements nested more than \d+ deep/);
  });

  it('a walk of the tree keeps its own stack: 200,000 levels are walked, in document order', () => {
    const root: XmlElement = { name: 'root', attributes: {}, children: [], text: '', line: 1 };
    let tip = root;
    for (let i = 0; i < 200_000; i++) {
      const next: XmlElement = { name: i % 2 ? 'odd' : 'even', attributes: {}, children: [], text: String(i), line: i + 2 };
      tip.children.push(next);
      tip = next;
    }
    const odd = descendants(root, 'odd');
    assert.equal(odd.length, 100_000);
    assert.deepEqual([odd[0].text, odd[odd.length - 1].text], ['1', '199999']);
    assert.equal(firstDescendant(root, 'odd')?.text, '1');
  });

  it('nesting up to the limit is read', () => {
    const wrap = MAX_XML_DEPTH - 10;
    const xml = xrdmlText({ angles: ['10', '11'], counts: ['1', '2'] }).replace('<scan ', `${'<w>'.repeat(wrap)}<scan `).replace('</scan>', `</scan>${'</w>'.repeat(wrap)}`);
    assert.equal(readPattern(bytes(xml), 'nested.xrdml').twoTheta.length, 2);
  });

  it('one attribute of 400,000 characters, or 100,000 attributes, cost their length once (ends well within the hang guard)', async () => {
    // Before: each attribute was removed from the rest of the tag by a search from its start, so
    // 20,000 attributes took 22 s and these never finished within the guard.
    await readRefused(file('long-name.xrdml', `<xrdMeasurements ${'x'.repeat(400_000)}/>`), /long-name\.xrdml:1:18: a malformed attribute: "x{40}"… \(400000 characters\)/);
    const many = Array.from({ length: 100_000 }, (_, i) => `a${i}="${i}"`).join(' ');
    await readRefused(file('many.xrdml', `<xrdMeasurements ${many}/>`), /many\.xrdml:1:1: no <scan> in the file/);
    const value = file('long-value.xrdml', `<xrdMeasurements a="${'v'.repeat(400_000)}" b="&bad;"/>`);
    await readRefused(value, /long-value\.xrdml:1:400026: "&bad;" is neither a character reference nor one of the five predefined entities/);
  });

  it('&#0;, &#xD800; and other references to characters XML does not have are refused at their line and column', () => {
    for (const reference of ['&#0;', '&#xD800;', '&#xFFFE;', '&#x110000;', '&#1;']) {
      const xml = `<xrdMeasurements>\n<sample><id>ab${reference}</id></sample></xrdMeasurements>`;
      assert.throws(() => readPattern(bytes(xml), 'c.xrdml'), new RegExp(`^UserError: c\\.xrdml:2:15: the character reference "${reference}" is not a character XML allows`), reference);
    }
    assert.throws(() => readPattern(bytes('<xrdMeasurements a="&#0;"/>'), 'd.xrdml'), /^UserError: d\.xrdml:1:21: the character reference "&#0;" is not a character XML allows/);
    // Well-formed references still read: a tab, a non-BMP character, the predefined entities.
    const ok = xrdmlText({ angles: ['10', '11'], counts: ['1', '2'] }).replace('<xrdMeasurement ', '<sample><id>a&#9;&#x1F600;&lt;&amp;</id></sample><xrdMeasurement ');
    assert.equal(readPattern(bytes(ok), 'ok.xrdml').meta?.sample, 'a\t😀<&');
  });

  it('XXE: a DTD declaring an external entity is refused, and the entity never read (kept)', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE xrdMeasurements [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<xrdMeasurements><sample><id>&xxe;</id></sample></xrdMeasurements>';
    assert.throws(
      () => readPattern(bytes(xxe), 'xxe.xrdml'),
      (e: unknown) => e instanceof UserError && /^xxe\.xrdml:2:1: a document type with declarations .* is not read/.test(e.message) && !/root:/.test(e.message),
    );
    // Without the declaration the reference alone names nothing it could expand.
    const reference = '<xrdMeasurements><sample><id>&xxe;</id></sample></xrdMeasurements>';
    assert.throws(() => readPattern(bytes(reference), 'ref.xrdml'), /^UserError: ref\.xrdml:1:30: "&xxe;" is neither a character reference nor one of the five predefined entities/);
  });

  it('entity expansion ("billion laughs") is refused before anything expands (kept)', () => {
    const lol = ['<?xml version="1.0"?>', '<!DOCTYPE lolz [', ' <!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`), ']>', '<xrdMeasurements>&lol9;</xrdMeasurements>'].join('\n');
    assert.throws(() => readPattern(bytes(lol), 'lol.xrdml'), /^UserError: lol\.xrdml:2:1: a document type with declarations/);
    // An external DTD without declarations is only skipped: it is never fetched.
    const external = xrdmlText({ angles: ['10', '11'], counts: ['1', '2'] }).replace('<xrdMeasurements', '<!DOCTYPE xrdMeasurements SYSTEM "http://127.0.0.1:9/x.dtd">\n<xrdMeasurements');
    assert.equal(readPattern(bytes(external), 'ext.xrdml').twoTheta.length, 2);
  });

  it(`more than ${MAX_XML_ELEMENTS.toLocaleString('en-US')} elements is refused at the first one past the limit`, async () => {
    const path = file('many-elements.xrdml', `<xrdMeasurements>\n${'<e/>'.repeat(MAX_XML_ELEMENTS)}</xrdMeasurements>`);
    await readRefused(path, /many-elements\.xrdml:2:\d+: more than 2,000,000 elements/);
  });
});
