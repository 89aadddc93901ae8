import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { decodeCifBytes, parseCif, parseCifNumber, type CifFile } from '../../src/core/cif';

const SYNTAX = path.join(__dirname, '../../../test/fixtures/cif/syntax');

function load(name: string): CifFile {
  return parseCif(decodeCifBytes(readFileSync(path.join(SYNTAX, name))));
}

/** `line:column code` for every diagnostic with the given severity (or all). */
function diag(file: CifFile, severity?: string): string[] {
  return file.diagnostics
    .filter((d) => !severity || d.severity === severity)
    .map((d) => `${d.range?.line}:${d.range?.column} ${d.code}`);
}

function assertWellFormed(file: CifFile, text: string): void {
  assert.ok(Array.isArray(file.blocks));
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const d of file.diagnostics) {
    assert.ok(d.message.length > 0);
    if (!d.range) continue;
    assert.ok(d.range.line >= 1 && d.range.line <= lines, `line ${d.range.line} of ${lines}`);
    assert.ok(d.range.column >= 1);
    assert.ok(d.range.endLine > d.range.line || (d.range.endLine === d.range.line && d.range.endColumn >= d.range.column));
  }
  // Every value must be readable.
  const visit = (b: CifFile['blocks'][number]): void => {
    for (const c of b.columns) {
      for (let r = 0; r < c.rowCount; r++) {
        c.str(r);
        c.number(r);
        c.range(r);
        c.data(r);
      }
    }
    b.saveFrames.forEach(visit);
  };
  file.blocks.forEach(visit);
}

describe('CIF parser: all syntax fixtures', () => {
  const files = readdirSync(SYNTAX).filter((f) => f !== 'SOURCE.md');
  it('has all 137 files', () => assert.equal(files.length, 137));
  for (const name of files) {
    it(`parses ${name} without throwing`, () => {
      const text = decodeCifBytes(readFileSync(path.join(SYNTAX, name)));
      const file = parseCif(text);
      assertWellFormed(file, text);
    });
  }
});

describe('CIF parser: diagnostics', () => {
  it('unclosed quotes end at the line end and parsing goes on', () => {
    const f = load('unclosed-quote.cif');
    assert.deepEqual(diag(f, 'error'), ['3:9 cif.unclosed-quote', '4:7 cif.unclosed-quote', '6:7 cif.unclosed-quote', '7:1 cif.value-without-tag']);
    const b = f.blocks[0];
    assert.equal(b.value('_tag1.1'), 'this is unclosed value');
    assert.equal(b.value('_tag3'), 'value');
    assert.equal(b.value('_tag4'), 'this');
    assert.equal(b.value('_tag5'), 'value');
  });
  it('a quote that runs into the next tag (broken loop)', () => {
    const f = load('4025758-broken-loop.cif');
    assert.deepEqual(diag(f), ['10:31 cif.unclosed-quote']);
    assert.equal(f.blocks[0].loops[0].rowCount, 1);
  });
  it('CRLF lines count once (weird-unclosed-quote)', () => {
    const f = load('weird-unclosed-quote.cif');
    assert.deepEqual(diag(f), ['12:35 cif.unclosed-quote']);
    assert.equal(f.blocks[0].name, '(5)');
    assert.equal(f.blocks[0].value('_computing_publication_material'), 'SHELXL-97 (Sheldrick, 1997), PARST (Nardelli, 1983, 1995)');
  });
  it('loop with a missing value', () => {
    const f = load('err_loop_01.cif');
    assert.deepEqual(diag(f), ['8:4 cif.loop-value-count']);
    const loop = f.blocks[0].loop('_two')!;
    assert.equal(loop.rowCount, 2);
    assert.equal(loop.column('_three')!.kind(1), 'absent');
    assert.equal(loop.column('_two')!.str(1), 'five');
  });
  it('duplicate tags keep the first value', () => {
    const f = load('duplicate-tags.cif');
    assert.deepEqual(diag(f), [
      '3:1 cif.duplicate-tag',
      '5:1 cif.duplicate-tag',
      '8:1 cif.duplicate-tag',
      '19:1 cif.duplicate-tag',
      '22:1 cif.duplicate-tag',
    ]);
    assert.equal(f.blocks[0].value('_same_line'), '3');
    assert.deepEqual(f.blocks[0].column('_inloop_tag')!.strings(), ['1', '5', '9', '3']);
    assert.deepEqual(diag(load('line-number-test.cif')), ['15:1 cif.duplicate-tag']);
  });
  it('a reserved word as a value leaves the tag without a value', () => {
    const f = load('data_string_error_01.cif');
    assert.deepEqual(diag(f), ['3:1 cif.missing-value']);
    assert.deepEqual(f.blocks.map((b) => b.name), ['block', 'cool']);
    assert.equal(f.blocks[0].value('_tag0'), 'data_cool');
    assert.deepEqual(diag(load('data_string_error_02.cif')), ['12:1 cif.empty-block-name']);
  });
  it('values without tags, reported once per run', () => {
    assert.deepEqual(diag(load('err_pos_01.cif')), ['1:1 cif.value-without-tag']);
    assert.match(load('err_pos_01.cif').diagnostics[0].message, /7 values/);
    assert.deepEqual(diag(load('stray.cif')), ['1:1 cif.value-without-tag']);
    const extra = load('extra-values.cif');
    assert.deepEqual(diag(extra), ['3:57 cif.value-without-tag']);
    assert.match(extra.diagnostics[0].message, /must be quoted/);
    assert.equal(extra.blocks[0].value('_symmetry_space_group_name_H-M'), 'R 3');
    assert.equal(extra.blocks[0].value('_some_third_tag'), '3');
  });
  it('unclosed text field', () => {
    assert.deepEqual(diag(load('err_textfield_01.cif')), ['1:1 cif.value-without-tag', '9:1 cif.unclosed-text-field']);
  });
  it('global_, stop_ and stray save_', () => {
    assert.deepEqual(diag(load('reserved_tags_01.cif')), [
      '2:1 cif.reserved-word',
      '3:14 cif.reserved-word',
      '4:17 cif.value-without-tag',
      '5:1 cif.unexpected-save-end',
    ]);
    assert.deepEqual(diag(load('global_errors_01.cif')), ['2:1 cif.reserved-word']);
    assert.deepEqual(diag(load('stop_errors_01.cif')), ['2:1 cif.reserved-word']);
    // Words merely starting with a reserved word are ordinary values.
    const s3 = load('stop_errors_03.cif');
    assert.deepEqual(diag(s3), []);
    assert.equal(s3.blocks[0].value('_tag1'), 'stop_asda');
  });
  it('save frames: unterminated, nested, empty', () => {
    assert.deepEqual(diag(load('save_block_02.cif')), ['4:1 cif.unclosed-save-frame', '15:1 cif.unclosed-save-frame']);
    const e = load('empty_save_frame.cif');
    assert.deepEqual(diag(e), []);
    assert.deepEqual(e.blocks[0].saveFrames.map((s) => s.name), ['not_empty_1', 'empty', 'not_empty_2']);
    assert.equal(e.blocks[0].saveFrame('NOT_EMPTY_2')!.value('_item_2'), 'value_2');
  });
  it('content before any data_ block', () => {
    const f = load('headerless.cif');
    assert.deepEqual(diag(f), ['1:1 cif.no-data-block']);
    assert.equal(f.blocks[0].name, '');
    assert.equal(f.blocks[0].value('_tag2'), 'value');
  });
  it('Ctrl-Z and control characters are warnings, not errors', () => {
    assert.deepEqual(diag(load('ctrl-z.cif')), ['9:181 cif.ctrl-z']);
    assert.equal(load('ctrl-z.cif').blocks[0].number('_refine_diff_density_rms')!.value, 0.06);
    const ill = load('illegal_ascii_symbols.cif');
    assert.equal(diag(ill, 'error').length, 0);
    assert.ok(diag(ill, 'warning').every((d) => d.endsWith('cif.control-character')));
    assert.equal(diag(ill, 'warning')[0], '4:20 cif.control-character');
  });
  it('reserved characters in CIF 1.1 values are warnings', () => {
    const f = load('unquoted-closing-bracket.cif');
    assert.deepEqual(diag(f), ['3:17 cif.reserved-character']);
    assert.equal(f.blocks[0].value('_tag_1'), ']');
    assert.equal(f.blocks[0].value('_tag_2'), ']');
  });
  it('a tag right after a closing semicolon', () => {
    const f = load('tag-immediately-following-textfield.cif');
    assert.deepEqual(diag(f), ['5:2 cif.missing-whitespace']);
    assert.equal(f.blocks[0].value('_tag1'), 'value');
    assert.equal(f.blocks[0].value('_tag2'), 'value');
  });
  it('a badly prefixed text field is kept as written', () => {
    const f = load('unprefix-test.cif');
    assert.deepEqual(diag(f), ['20:1 cif.bad-line-prefix']);
    assert.equal(f.blocks[0].value('_badly_prefixed'), 'CIF>\\\nCINEMA\nCIF>PDF\nCIFERBLAT');
  });
});

describe('CIF parser: values', () => {
  it('quotes with embedded quotes (CIF 1.1 rule)', () => {
    const f = load('save_block_01.cif');
    assert.deepEqual(diag(f), []);
    assert.equal(f.blocks[0].saveFrames[0].value('_something'), 'good \'like&*(" anything els\'e');
    const v = load('valid-unquoted-strings.cif').blocks[0].column('_tag')!;
    assert.deepEqual(v.strings(), [
      "unquoted-str'ing-with-single-'quotes'-inside-it",
      'unquoted-str"ing-with-double-"quotes"-inside-it',
      'unquoted-str"ing-with-various-\'quotes"-inside-it',
      'unquoted-string-with-a-#comment',
    ]);
    const t = parseCif(`data_q\n_a 'it's'\n_b "say "hi"now"\n_c ''\n_d 'x'#c\n`).blocks[0];
    assert.equal(t.value('_a'), "it's");
    assert.equal(t.value('_b'), 'say "hi"now');
    assert.equal(t.column('_c')!.str(), '');
    assert.equal(t.column('_c')!.kind(), 'quoted');
    assert.equal(t.value('_d'), "x'#c");
  });
  it('text fields: conventional, folded, prefixed', () => {
    const u = load('unfolding.cif').blocks[0];
    assert.equal(u.value('_tag1'), 'this is to be unfolded');
    assert.equal(u.value('_tag2'), 'this is not\\\n to be\\\n unfolded');
    assert.equal(u.value('_tag3'), '\\this should\\\n not be unfolded');
    assert.equal(u.value('_tag4'), 'testing how such construction works');
    assert.equal(load('multiline-text-field.cif').blocks[0].value('_text_field_tag'), '  \\\n  This is not \\\n  a folded line');
    assert.equal(load('multiline-text-field-unfold.cif').blocks[0].value('_text_field_tag'), '    This is not   a folded line');
    assert.equal(load('multiline-text-field-unprefix.cif').blocks[0].value('_text_field_tag'), '\\\nThis is not \\\na folded line');
    assert.equal(load('multiline-text-field-unprefix-unfold.cif').blocks[0].value('_text_field_tag'), 'This is not a folded line');
    const p = load('unprefix-test.cif').blocks[0];
    assert.equal(p.value('_example'), 'data_example\n_text\n;This is an embedded multiline value\n;');
    assert.equal(load('folded_title.cif').blocks[0].value('_publ_section_title'), ' This is publication section title');
    assert.equal(load('strange-multiline.cif').blocks[0].column('_chemical_name_systematic')!.kind(), 'text-field');
  });
  it('numbers with standard uncertainties', () => {
    const s = load('strange-numbers.cif').blocks[0].column('_tag')!;
    const got = Array.from({ length: s.rowCount }, (_, i) => s.number(i));
    assert.deepEqual(got.slice(0, 5), [
      { value: -0, su: 5 },
      { value: 0, su: 5 },
      { value: -0.5, su: 0.5 },
      { value: 0.5, su: 0.5 },
      { value: 0.5, su: 0.5 },
    ]);
    const e = load('su-of-numbers-with-exponents.cif').blocks[0];
    assert.deepEqual(e.column('_positive_exp')!.number(3), { value: 420, su: 150 });
    assert.deepEqual(e.column('_negative_exp')!.number(3), { value: 0.00042, su: 0.00015 });
    assert.deepEqual(e.column('_negative_exp')!.number(6), { value: 1.5e-123, su: 8e-124 });
    const ns = load('numbers-and-strings.cif').blocks[0];
    const strings = ns.column('_string')!;
    for (let i = 0; i < strings.rowCount; i++) {
      if (strings.kind(i) === 'unquoted') assert.equal(strings.number(i), undefined, strings.str(i));
    }
    assert.deepEqual(ns.column('_real')!.number(1), { value: 10, su: 10 });
    assert.deepEqual(ns.column('_real')!.number(18), { value: 6, su: 5 });
    assert.deepEqual(load('err_float_03.cif').blocks[0].number('_tag2'), { value: 0.012, su: 0.004 });
  });
  it('parseCifNumber', () => {
    assert.deepEqual(parseCifNumber('3.5240(2)'), { value: 3.524, su: 0.0002 });
    assert.deepEqual(parseCifNumber('.5(5)'), { value: 0.5, su: 0.5 });
    assert.deepEqual(parseCifNumber('-0(5)'), { value: -0, su: 5 });
    assert.deepEqual(parseCifNumber('1.2e-3(4)'), { value: 0.0012, su: 0.0004 });
    assert.deepEqual(parseCifNumber('0.25'), { value: 0.25 });
    assert.deepEqual(parseCifNumber('12'), { value: 12 });
    for (const bad of ['', '?', '.', '-', 'e5', '1e', '1(', '1()', '1(2', '1(2)x', '0x10', 'Infinity', '1,5', ' 1'])
      assert.equal(parseCifNumber(bad), undefined, bad);
  });
  it('newline mixes: CR, CRLF, LF', () => {
    const f = load('weird-newlines.cif');
    assert.deepEqual(diag(f), []);
    const c = f.blocks[0].column('_tag')!;
    assert.deepEqual(c.number(), { value: 0.1, su: 0.4 });
    assert.equal(c.range().line, 3);
    const mixed = parseCif('data_m\r\n_a 1\r_b 2\n_c\r\n;\r\nline1\r\nline2\r\n;\r\n_d ?');
    assert.equal(mixed.blocks[0].value('_c'), 'line1\nline2');
    assert.equal(mixed.blocks[0].column('_d')!.range().line, 9);
    assert.equal(mixed.blocks[0].column('_b')!.range().line, 3);
  });
  it('several data blocks, save frames and non-ASCII (CIF 2.0)', () => {
    const f = load('cif2-unicode-multiblock.cif');
    assert.equal(f.version, '2.0');
    assert.deepEqual(diag(f), []);
    assert.deepEqual(f.blocks.map((b) => b.name), ['žinios_1', 'žinios_2']);
    const b = f.blocks[1];
    assert.equal(b.value('_kryptis'), 'Šiaurė');
    assert.deepEqual(b.column('_gyvūnas')!.strings(), ['menkė', 'šliužas', 'varnėnas']);
    assert.deepEqual(b.saveFrames.map((s) => s.name), ['upės', 'jūros', 'rieduliai']);
    assert.deepEqual(load('data_block_01.cif').blocks.map((x) => x.name), ['testas', 'antras']);
  });
  it('CIF 2.0 lists and tables', () => {
    const f = load('cif2-unicode-deeply-nested-numeric.cif');
    assert.deepEqual(diag(f), []);
    const d = f.blocks[0].column('_sudėtinga_struktūra')!.data();
    assert.equal(d.type, 'table');
    if (d.type !== 'table') return;
    const kate = d.entries[0];
    assert.equal(kate.key, 'Katė');
    assert.equal(kate.value.type, 'list');
    const g = parseCif("#\\#CIF_2.0\ndata_x\n_l [1 'two' [3 ?] {'k':v}]\n_t {'a':1 'b':\"\"\"x\ny\"\"\"}\n_u [1 2\n_v 3");
    const l = g.blocks[0].column('_l')!.data();
    assert.equal(l.type === 'list' && l.items.length, 4);
    const t = g.blocks[0].column('_t')!.data();
    assert.ok(t.type === 'table' && t.entries[1].value.type === 'string' && t.entries[1].value.text === 'x\ny');
    assert.deepEqual(diag(g), ['6:4 cif.unclosed-list']);
    assert.equal(g.blocks[0].value('_v'), '3');
  });
  it('tag lookup is case-insensitive and accepts DDLm dotted names', () => {
    const f = load('cases.cif').blocks[0];
    assert.ok(f.has('_TAG_having_differrent_cases_USED'));
    assert.ok(f.column('_atom_site_uiso_or_equiv')!.isMissing());
    const d = parseCif('data_d\n_cell.length_a 3.61\nloop_ _atom_site.label _atom_site.fract_x Cu1 0 Cu2 0.5').blocks[0];
    assert.equal(d.number('_cell_length_a')!.value, 3.61);
    assert.equal(d.number('_CELL.LENGTH_A')!.value, 3.61);
    const loop = d.loop('_atom_site_fract_y', '_atom_site_label')!;
    assert.deepEqual(loop.column('_atom_site_fract_x')!.strings(), ['0', '0.5']);
    assert.deepEqual(loop.tags, ['_atom_site.label', '_atom_site.fract_x']);
  });
  it('missing values: ? and .', () => {
    const d = parseCif("data_m\n_a ?\n_b .\n_c '?'").blocks[0];
    assert.equal(d.column('_a')!.kind(), 'unknown');
    assert.equal(d.column('_b')!.kind(), 'inapplicable');
    assert.equal(d.value('_a'), undefined);
    assert.equal(d.value('_c'), '?');
  });
});

describe('CIF parser: robustness and speed', () => {
  const realFiles = ['1100846.cif', '1101169.cif', 'test.cif', 'cif2-unicode-save-frames.cif', 'unprefix-test.cif'].map((n) =>
    decodeCifBytes(readFileSync(path.join(SYNTAX, n))),
  );
  it('random strings never throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.boolean(), (s, cif2) => {
        const text = (cif2 ? '#\\#CIF_2.0\n' : '') + s;
        assertWellFormed(parseCif(text), text);
      }),
      { numRuns: 2000 },
    );
  });
  it('random CIF-ish token soup never throws', () => {
    const piece = fc.constantFrom('data_a', 'save_f', 'save_', 'loop_', '_t', '_u', 'v', "'", '"', "'''", '"""', ';', '\n;', '[', ']', '{', '}', ':', '?', '.', '#c', ' ', '\n', '\r', '\r\n', '\t', '\x1a', '\x00', '1.5(3)', 'global_', 'stop_', '\\');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), fc.boolean(), (parts, cif2) => {
        const text = (cif2 ? '#\\#CIF_2.0\n' : '') + parts.join('');
        assertWellFormed(parseCif(text), text);
      }),
      { numRuns: 3000 },
    );
  });
  it('mutated real CIFs never throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: realFiles.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 5 })), { minLength: 1, maxLength: 8 }),
        (which, edits) => {
          let text = realFiles[which];
          for (const [at, del, ins] of edits) {
            const p = at % (text.length + 1);
            text = text.slice(0, p) + ins + text.slice(p + del);
          }
          assertWellFormed(parseCif(text), text);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('deep nesting does not overflow the stack', () => {
    const f = parseCif('#\\#CIF_2.0\ndata_x\n_t ' + '['.repeat(100000) + ' 1');
    assert.ok(f.diagnostics.some((d) => d.code === 'cif.nesting-too-deep'));
  });
  it('binary garbage does not flood the diagnostics', () => {
    const junk = Array.from({ length: 200000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const f = parseCif(junk);
    assert.ok(f.diagnostics.length <= 1001);
  });
  // Its speed is measured by `latent-xrd bench cif` (against a whitespace split of the same text),
  // not asserted here: these machines are shared and wall-clock limits would only test the load.
});
