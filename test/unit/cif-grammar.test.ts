// The CIF TextMate grammar, tokenized by vscode-textmate with the Oniguruma regex engine: the
// same machinery VS Code colours the editor with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as textmate from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const root = join(__dirname, '../../..');

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === 'source.cif' ? textmate.parseRawGrammar(readFileSync(join(root, 'syntaxes/cif.tmLanguage.json'), 'utf8'), 'cif.tmLanguage.json') : null),
  });
  const grammar = await registry.loadGrammar('source.cif');
  if (!grammar) throw new Error('grammar not loaded');
  return grammar;
}

/** Every token of a text as [text, innermost scope]. */
function tokens(grammar: textmate.IGrammar, text: string): [string, string][] {
  let state = textmate.INITIAL;
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) out.push([line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
    state = r.ruleStack;
  }
  return out;
}

const scopeOf = (all: [string, string][], text: string) => all.find(([t]) => t === text)?.[1];

describe('CIF TextMate grammar', () => {
  let grammar: textmate.IGrammar;
  before(async () => {
    grammar = await loadGrammar();
  });

  it('scopes blocks, loops, tags, numbers with uncertainties, strings, placeholders and comments', () => {
    const all = tokens(grammar, [
      'data_Ni_fcc   # a comment',
      "_symmetry_space_group_name_H-M  'F m -3 m'",
      '_cell_length_a  3.5238(2)',
      '_cell_volume ?',
      'loop_',
      '_atom_site_label',
      '_atom_site_occupancy',
      'Ni1 .',
      ';',
      'a text field with _not_a_tag and 1.0',
      ';',
      'save_frame1',
    ].join('\n'));
    assert.equal(scopeOf(all, 'data_'), 'keyword.control.block.cif');
    assert.equal(scopeOf(all, 'Ni_fcc'), 'entity.name.section.cif');
    assert.equal(scopeOf(all, '# a comment'), 'comment.line.number-sign.cif');
    assert.equal(scopeOf(all, "'F m -3 m'"), 'string.quoted.single.cif');
    assert.equal(scopeOf(all, '_cell_length_a'), 'variable.other.tag.cif');
    assert.equal(scopeOf(all, '3.5238'), 'constant.numeric.cif');
    assert.equal(scopeOf(all, '(2)'), 'constant.numeric.uncertainty.cif');
    assert.equal(scopeOf(all, '?'), 'constant.language.placeholder.cif');
    assert.equal(scopeOf(all, '.'), 'constant.language.placeholder.cif');
    assert.equal(scopeOf(all, 'loop_'), 'keyword.control.loop.cif');
    assert.equal(scopeOf(all, 'a text field with _not_a_tag and 1.0'), 'string.unquoted.text-field.cif');
    assert.equal(scopeOf(all, 'save_'), 'keyword.control.save.cif');
  });

  it('does not take a # inside a quoted value or a value for a comment', () => {
    const all = tokens(grammar, "_chemical_name 'Fe#2 site'  _x a#b");
    assert.equal(scopeOf(all, "'Fe#2 site'"), 'string.quoted.single.cif');
    assert.ok(!all.some(([t, s]) => s.startsWith('comment') && t.includes('#b')));
  });

  it('tokenizes real CIFs (LiFePO4, a broken COD loop) into tags', () => {
    for (const name of ['complex/LiFePO4.cif', 'syntax/4025758-broken-loop.cif']) {
      const text = readFileSync(join(root, 'test/fixtures/cif', name), 'utf8');
      const all = tokens(grammar, text);
      assert.ok(all.some(([, s]) => s === 'variable.other.tag.cif'), name);
    }
  });
});
