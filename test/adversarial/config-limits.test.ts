// A latent-xrd.json that would make a model no one can load, or a dataset from a structure whose
// file has errors: refused at the config, before anything is generated or trained.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/core/synth/config';
import { planDataset } from '../../src/core/synth/dataset';
import { MODEL_LIMITS } from '../../src/core/model/manifest';

const nickel = `data_Ni
_cell_length_a 3.5238
_cell_length_b 3.5238
_cell_length_c 3.5238
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
SYMMETRY_OPS
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Ni1 Ni 0 0 0
`;

function configWithTraining(training: object): string {
  return JSON.stringify({ phases: [{ cif: 'Ni.cif', count: 10 }], training }, null, 2);
}

describe('adversarial: config sizes a model could not be loaded with', () => {
  it('training.latent, hidden and ensemble beyond the model-folder limits are config errors naming the key', () => {
    const cases: [object, RegExp][] = [
      [{ latent: 100000 }, /training\.latent/],
      [{ latent: MODEL_LIMITS.latent + 1 }, /training\.latent/],
      [{ hidden: Array.from({ length: MODEL_LIMITS.hiddenLayers + 1 }, () => 8) }, /training\.hidden/],
      [{ ensemble: MODEL_LIMITS.ensemble + 1 }, /training\.ensemble/],
      // 2048 points into a first layer of a million: 2·10⁹ weights, 8 GB of float32.
      [{ hidden: [1_000_000] }, /training\.hidden.*weights/],
    ];
    for (const [training, where] of cases) {
      const r = validateConfig(configWithTraining(training));
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.ok(errors.length > 0, `accepted ${JSON.stringify(training)}`);
      assert.ok(errors.some((d) => where.test(d.message) && d.range), `${JSON.stringify(training)}: ${JSON.stringify(errors)}`);
    }
    // The limits themselves are trainable.
    const atLimit = validateConfig(configWithTraining({ latent: MODEL_LIMITS.latent, ensemble: 2, hidden: [64, 32] }));
    assert.deepEqual(atLimit.diagnostics.filter((d) => d.severity === 'error'), []);
  });
});

describe('adversarial: a dataset from a CIF with errors', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'latent-xrd-config-limits-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a structure built despite an error (symmetry operations that are not a group) is not used; the error is named', () => {
    writeFileSync(join(dir, 'Ni.cif'), nickel.replace('SYMMETRY_OPS', "loop_\n_symmetry_equiv_pos_as_xyz\n'x,y,z'\n'x+0.3,y,z'"));
    const { plan, diagnostics } = planDataset({ phases: [{ cif: 'Ni.cif', count: 10 }] }, dir);
    assert.equal(plan, undefined);
    const error = diagnostics.find((d) => d.severity === 'error');
    assert.match(error?.message ?? '', /Ni\.cif: not used until its errors are fixed: .*Ni\.cif:\d+:\d+: error: /);
  });

  it('the same structure with a closed group is planned', () => {
    writeFileSync(join(dir, 'Ni.cif'), nickel.replace('SYMMETRY_OPS', "loop_\n_symmetry_equiv_pos_as_xyz\n'x,y,z'\n'-x,-y,-z'"));
    const { plan, diagnostics } = planDataset({ phases: [{ cif: 'Ni.cif', count: 10 }] }, dir);
    assert.ok(plan, JSON.stringify(diagnostics));
  });
});
