import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/core/crystal/structure';
import { crystalDensity } from '../../src/core/crystal/density';

const fixtures = join(__dirname, '../../../test/fixtures/cif');

/**
 * The density each file's authors computed from the same cell (`_exptl_crystal_density_diffrn`,
 * written by the refinement software of AMCSD, COD and the journals): a reference no one here
 * wrote. Atomic weights have been revised since most of these were published, and the files
 * round to 3–4 digits, so 0.3 % is the agreement to expect.
 */
const WITH_PUBLISHED_DENSITY = [
  'amcsd/Aluminium.cif', 'amcsd/Beryllium.cif', 'amcsd/Cobalt.cif', 'amcsd/Copper.cif', 'amcsd/Diamond.cif',
  'amcsd/Gold.cif', 'amcsd/Iron.cif', 'amcsd/KCl.cif', 'amcsd/Niobium.cif', 'amcsd/Ruby.cif',
  'amcsd/Ruthenium.cif', 'amcsd/Silicon.cif', 'amcsd/Silver.cif', 'amcsd/Vanadium.cif',
  'complex/Sr3LiRuO6.cif',
  // Its water molecules are listed as oxygen only; the formula's hydrogen is counted in.
  'cod/amcsd-00599.cif',
];

describe('crystal density from the unit cell', () => {
  for (const file of WITH_PUBLISHED_DENSITY) {
    it(`${file}: ρ = Z·M/(N_A·V) agrees with the file's own _exptl_crystal_density_diffrn to 0.3 %`, () => {
      const text = readFileSync(join(fixtures, file), 'utf8');
      const published = Number(/_exptl_crystal_density_diffrn\s+([0-9.]+)/.exec(text)![1]);
      const { density, problem } = crystalDensity(readStructures(text).structures[0]);
      assert.equal(problem, undefined);
      assert.ok(Math.abs(density / published - 1) < 3e-3, `${density.toFixed(4)} g/cm³ against ${published}`);
    });
  }

  it('a pymatgen CIF (formula = the cell\'s content, Z = formula units) is not counted Z times', () => {
    // MnO and LiF rock salt, four formula units in the cell; formula masses from the IUPAC
    // weights (Mn 54.938, O 15.999, Li 6.94, F 18.998) and the file's own _cell_volume.
    for (const [file, formulaMass] of [['MnO_225.cif', 70.937], ['LiF_225.cif', 25.938]] as const) {
      const text = readFileSync(join(fixtures, '../xrd-autoanalyzer/cif', file), 'utf8');
      const volume = Number(/_cell_volume\s+([0-9.]+)/.exec(text)![1]);
      const expected = (4 * formulaMass) / (0.602214076 * volume);
      const { density } = crystalDensity(readStructures(text).structures[0]);
      assert.ok(Math.abs(density / expected - 1) < 1e-4, `${file}: ${density} against ${expected}`);
    }
  });

  it('an atom without an atomic weight is named, not turned into a number', () => {
    const structure = readStructures(readFileSync(join(fixtures, 'amcsd/Copper.cif'), 'utf8')).structures[0];
    const { density, problem } = crystalDensity({ ...structure, atoms: structure.atoms.map((a) => ({ ...a, element: 'Es' })) });
    assert.ok(Number.isNaN(density));
    assert.match(problem!, /"Es"/);
  });
});
