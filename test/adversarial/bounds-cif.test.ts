// CIFs whose numbers describe no crystal: a cell without volume, symmetry operations that are not
// a group or not symmetries at all, occupancies that no site can have. Each is a located error
// (the line of the offending item), and a command that prints one exits 2.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import type { Diagnostic } from '../../src/core/diagnostics';
import { describeRun, runCliProcess } from './helpers';

/** A one-site CIF; lines 2–7 are a, b, c, α, β, γ; `body` starts on line 8. */
function cif(cell: { a?: string; b?: string; c?: string; alpha?: string; beta?: string; gamma?: string }, body: string): string {
  return [
    'data_t',
    `_cell_length_a ${cell.a ?? '4'}`,
    `_cell_length_b ${cell.b ?? '4'}`,
    `_cell_length_c ${cell.c ?? '4'}`,
    `_cell_angle_alpha ${cell.alpha ?? '90'}`,
    `_cell_angle_beta ${cell.beta ?? '90'}`,
    `_cell_angle_gamma ${cell.gamma ?? '90'}`,
    body,
  ].join('\n');
}

const ONE_SITE = "loop_ _symmetry_equiv_pos_as_xyz 'x,y,z'\nloop_ _atom_site_label _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z\nCu1 0.1 0.2 0.3\n";

function errors(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error' && d.code === code);
}

describe('adversarial: cells that enclose no volume or are not cells', () => {
  it('α = β = γ = 120° (V = 0) is refused at the angle, not drawn as six peaks', () => {
    const r = readStructures(cif({ alpha: '120', beta: '120', gamma: '120' }, ONE_SITE));
    assert.equal(r.structures.length, 0);
    const [e] = errors(r.diagnostics, 'structure.bad-cell');
    assert.ok(e, JSON.stringify(r.diagnostics));
    assert.match(e.message, /enclose no volume/);
    assert.equal(e.range!.line, 5);
  });

  it('one angle equal to the sum of the other two (60° + 60° = 120°) is refused at that angle', () => {
    const r = readStructures(cif({ alpha: '60', beta: '60', gamma: '120' }, ONE_SITE));
    assert.equal(r.structures.length, 0);
    assert.equal(errors(r.diagnostics, 'structure.bad-cell')[0].range!.line, 7);
  });

  it('a nearly flat cell (γ = 179.99°) is refused: its volume is a rounding error of a·b·c', () => {
    const r = readStructures(cif({ gamma: '179.99' }, ONE_SITE));
    assert.equal(r.structures.length, 0);
    const [e] = errors(r.diagnostics, 'structure.bad-cell');
    assert.match(e.message, /almost no volume/);
    assert.equal(e.range!.line, 7);
  });

  for (const [angle, line] of [['200', 5], ['180', 5], ['1e999', 5]] as const) {
    it(`α = ${angle} is refused at its line`, () => {
      const r = readStructures(cif({ alpha: angle }, ONE_SITE));
      assert.equal(r.structures.length, 0);
      const e = r.diagnostics.find((d) => d.severity === 'error' && d.code?.endsWith('-cell'));
      assert.ok(e, JSON.stringify(r.diagnostics));
      assert.equal(e.range!.line, line);
    });
  }

  it('a rhombohedral cell with α = β = γ = 20° (steep, but a cell) is still read', () => {
    const r = readStructures(cif({ alpha: '20', beta: '20', gamma: '20' }, ONE_SITE));
    assert.equal(r.structures.length, 1, JSON.stringify(r.diagnostics));
  });
});

describe('adversarial: symmetry operations that are not symmetries or not a group', () => {
  const sites = 'loop_ _atom_site_label _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z\nCu1 0.1 0.2 0.3\n';

  it('a non-unimodular operation (2*x,y,z) is an error at its line and left out', () => {
    const r = readStructures(cif({}, `loop_ _symmetry_equiv_pos_as_xyz\n'x,y,z'\n'2*x,y,z'\n${sites}`));
    const [e] = errors(r.diagnostics, 'structure.bad-symop');
    assert.ok(e, JSON.stringify(r.diagnostics));
    assert.match(e.message, /determinant 2/);
    assert.equal(e.range!.line, 10);
    assert.equal(r.structures[0].operations.length, 1);
  });

  it('a singular operation (x,x,z) is an error at its line', () => {
    const r = readStructures(cif({}, `loop_ _symmetry_equiv_pos_as_xyz\n'x,y,z'\n'x,x,z'\n${sites}`));
    const [e] = errors(r.diagnostics, 'structure.bad-symop');
    assert.match(e.message, /singular/);
    assert.equal(e.range!.line, 10);
  });

  it('a list that is not closed (x+0.3,y,z alone) is an error at the operation, with the product it lacks', () => {
    const r = readStructures(cif({}, `loop_ _symmetry_equiv_pos_as_xyz\n'x+0.3,y,z'\n${sites}`));
    const [e] = errors(r.diagnostics, 'structure.symmetry-not-group');
    assert.ok(e, JSON.stringify(r.diagnostics));
    assert.equal(e.range!.line, 9);
    assert.match(e.message, /x\+0\.6,y,z/);
  });

  it('a four-fold axis without its square (-x,-y,z) is an error', () => {
    const r = readStructures(cif({}, `loop_ _symmetry_equiv_pos_as_xyz\n'x,y,z'\n'-y,x,z'\n'y,-x,z'\n${sites}`));
    const [e] = errors(r.diagnostics, 'structure.symmetry-not-group');
    assert.ok(e, JSON.stringify(r.diagnostics));
    assert.match(e.message, /-x,-y,z/);
  });

  it('translations written to four decimals (R centring as 0.6667, 0.3333) still make a group', () => {
    const r = readStructures(cif({}, `loop_ _symmetry_equiv_pos_as_xyz\n'x,y,z'\n'x+0.6667,y+0.3333,z+0.3333'\n'x+0.3333,y+0.6667,z+0.6667'\n${sites}`));
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('thousands of distinct operations are refused before a quadratic group check', () => {
    const ops = Array.from({ length: 2000 }, (_, k) => `'x+${k}/2000,y,z'`).join('\n');
    const r = readStructures(cif({}, `loop_ _symmetry_equiv_pos_as_xyz\n${ops}\n${sites}`));
    assert.equal(r.structures.length, 0);
    assert.match(errors(r.diagnostics, 'structure.bad-symop')[0].message, /2000 distinct symmetry operations/);
  });
});

describe('adversarial: occupancies no site can have', () => {
  const loop = (occupancies: string[]) =>
    cif({}, "loop_ _symmetry_equiv_pos_as_xyz 'x,y,z'\nloop_ _atom_site_label _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z _atom_site_occupancy\n" + occupancies.map((o, i) => `Cu${i + 1} 0.${i + 1} 0 0 ${o}`).join('\n') + '\n');

  for (const [occupancy, why] of [['-0.5', /negative/], ['1.5', /exceeds 1/], ['1.05(1)', /exceeds 1/], ['abc', /not a number/]] as const) {
    it(`occupancy ${occupancy} is a located error and the site is left out (not "1 assumed")`, () => {
      const r = readStructures(loop(['1', occupancy]));
      const [e] = errors(r.diagnostics, 'structure.bad-occupancy');
      assert.ok(e, JSON.stringify(r.diagnostics));
      assert.match(e.message, why);
      assert.equal(e.range!.line, 11);
      assert.deepEqual(r.structures[0].sites.map((s) => s.label), ['Cu1']);
    });
  }

  for (const occupancy of ['1.005', '1.04(2)', '0', '.']) {
    it(`occupancy ${occupancy} (rounding, within 3 s.u., empty, or unknown) is accepted`, () => {
      const r = readStructures(loop(['1', occupancy]));
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.equal(r.structures[0].sites.length, 2);
    });
  }
});

describe('adversarial: an error diagnostic gives exit code 2, warnings do not', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lxrd-bounds-cif-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const occupancyCif = cif({}, "loop_ _symmetry_equiv_pos_as_xyz 'x,y,z'\nloop_ _atom_site_label _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z _atom_site_occupancy\nCu1 0 0 0 1\nCu2 0.5 0.5 0.5 -1\n");

  for (const command of [['structure'], ['peaks'], ['simulate', '--points', '64']]) {
    it(`${command[0]} prints its result and the located error, and exits 2`, async () => {
      const file = join(dir, 'negative-occupancy.cif');
      writeFileSync(file, occupancyCif);
      const r = await runCliProcess([command[0], file, ...command.slice(1)]);
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /negative-occupancy\.cif:11:\d+: error: site Cu2 left out: occupancy "-1" is negative/);
      assert.notEqual(r.stdout, '');
    });
  }

  it('warnings alone (no symmetry given, 90° assumed) leave the exit code 0', async () => {
    const file = join(dir, 'warnings.cif');
    writeFileSync(file, 'data_w\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\nloop_ _atom_site_label _atom_site_fract_x _atom_site_fract_y _atom_site_fract_z\nCu1 0 0 0\n');
    const r = await runCliProcess(['peaks', file]);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stderr, /warning:/);
  });
});
