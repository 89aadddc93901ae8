// Config globs ("cif": "cifs/**/*.cif") over folders a user could receive: symbolic links that
// lead back to an ancestor, links out of the project, trees too deep or too wide to walk. The
// walk must end, say what it did not enter, and refuse (not shorten) a search it had to cut.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandGlob, GLOB_DEPTH_LIMIT } from '../../src/core/util/glob';
import { planDataset } from '../../src/core/synth/dataset';
import { describeRun, root, runCliProcess } from './helpers';

const NI_CIF = join(root, 'examples/paper-demo/Ni-fcc.cif');

/** A synth config for one tiny dataset from the CIFs `cif` names. */
function tinyConfig(cif: string): string {
  return JSON.stringify({ phases: [{ cif, count: 1 }], grid: { twoThetaMin: 20, twoThetaMax: 90, points: 128 }, output: 'tiny.h5' });
}

describe('adversarial: config globs', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latent-xrd-glob-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two links to "." under "**/*.cif" (a walk that never ended): synth finishes with the one CIF and names both links', async () => {
    mkdirSync(join(dir, 'cifs'));
    copyFileSync(NI_CIF, join(dir, 'cifs', 'Ni.cif'));
    symlinkSync('.', join(dir, 'cifs', 'x'));
    symlinkSync('.', join(dir, 'cifs', 'y'));
    writeFileSync(join(dir, 'latent-xrd.json'), tinyConfig('cifs/**/*.cif'));
    const run = await runCliProcess(['synth', '--config', 'latent-xrd.json', '--quiet'], { cwd: dir, guardMs: 30_000 });
    assert.equal(run.hung, false, describeRun(run));
    assert.equal(run.code, 0, describeRun(run));
    for (const link of ['cifs/x', 'cifs/y']) assert.match(run.stderr, new RegExp(`warning: "cifs/\\*\\*/\\*\\.cif": "${link}" is a symbolic link to a folder and was not searched`), run.stderr);

    const { files, diagnostics } = expandGlob(dir, 'cifs/**/*.cif');
    assert.deepEqual(files, [join(dir, 'cifs', 'Ni.cif')]);
    assert.deepEqual(diagnostics.map((d) => d.severity), ['warning', 'warning']);
  });

  it('a link out of the tree is not searched (with a warning), and a pattern that names it reaches it', () => {
    mkdirSync(join(dir, 'project', 'cifs'), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    copyFileSync(NI_CIF, join(dir, 'project', 'cifs', 'Ni.cif'));
    copyFileSync(NI_CIF, join(dir, 'elsewhere', 'Outside.cif'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'project', 'cifs', 'shared'));
    const project = join(dir, 'project');

    const wide = expandGlob(project, 'cifs/**/*.cif');
    assert.deepEqual(wide.files, [join(project, 'cifs', 'Ni.cif')]);
    assert.equal(wide.diagnostics.length, 1);
    assert.equal(wide.diagnostics[0].severity, 'warning');
    assert.match(wide.diagnostics[0].message, /"cifs\/shared" is a symbolic link to a folder and was not searched .* like "cifs\/shared\/\*\.cif", does/);

    const named = expandGlob(project, 'cifs/shared/*.cif');
    assert.deepEqual(named.files, [join(project, 'cifs', 'shared', 'Outside.cif')]);
    assert.deepEqual(named.diagnostics, []);

    // The dataset planner passes the warning on and still plans the phase it found.
    const { plan, diagnostics } = planDataset({ phases: [{ cif: 'cifs/**/*.cif', count: 1 }], grid: { twoThetaMin: 20, twoThetaMax: 90, points: 128 } }, project);
    assert.ok(plan, JSON.stringify(diagnostics));
    assert.deepEqual(plan.phases.map((p) => p.name), ['Ni']);
    assert.ok(diagnostics.some((d) => d.code === 'config.glob-link'), JSON.stringify(diagnostics));
  });

  it(`a tree deeper than ${GLOB_DEPTH_LIMIT} folders under "**": an error naming where it stopped, and no dataset from a partial list`, () => {
    const deep = join(dir, 'cifs', ...Array.from({ length: GLOB_DEPTH_LIMIT + 2 }, (_, i) => `d${i}`));
    mkdirSync(deep, { recursive: true });
    copyFileSync(NI_CIF, join(dir, 'cifs', 'Ni.cif'));
    copyFileSync(NI_CIF, join(deep, 'Deep.cif'));
    const { diagnostics } = expandGlob(dir, 'cifs/**/*.cif');
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(diagnostics));
    assert.equal(errors[0].code, 'config.glob-bound');
    assert.match(errors[0].message, new RegExp(`^"cifs/\\*\\*/\\*\\.cif": the search stopped: "cifs" holds folders more than ${GLOB_DEPTH_LIMIT} deep \\("cifs/d0/d1/`));

    const planned = planDataset({ phases: [{ cif: 'cifs/**/*.cif', count: 1 }] }, dir);
    assert.equal(planned.plan, undefined, 'a cut search is not a smaller dataset');
    assert.ok(planned.diagnostics.some((d) => d.code === 'config.glob-bound'));
  });

  it('a folder with more entries than the bound: an error, not a shorter list', () => {
    mkdirSync(join(dir, 'cifs'));
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, 'cifs', `s${i}.cif`), '');
    const within = expandGlob(dir, 'cifs/*.cif', { entries: 30, depth: GLOB_DEPTH_LIMIT });
    assert.equal(within.files.length, 30);
    assert.deepEqual(within.diagnostics, []);
    const over = expandGlob(dir, 'cifs/*.cif', { entries: 29, depth: GLOB_DEPTH_LIMIT });
    assert.deepEqual(over.diagnostics.map((d) => d.code), ['config.glob-bound']);
    assert.match(over.diagnostics[0].message, /the search stopped: it looked at 29 entries under "cifs" without finishing; name a narrower folder or pattern$/);
  });

  it('without "**", looks only as deep as the pattern reaches (a deep tree beside the CIFs is not walked)', () => {
    mkdirSync(join(dir, 'cifs', ...Array.from({ length: GLOB_DEPTH_LIMIT + 2 }, (_, i) => `d${i}`)), { recursive: true });
    copyFileSync(NI_CIF, join(dir, 'cifs', 'Ni.cif'));
    const { files, diagnostics } = expandGlob(dir, 'cifs/*.cif', { entries: 3, depth: GLOB_DEPTH_LIMIT });
    assert.deepEqual(files, [join(dir, 'cifs', 'Ni.cif')]);
    assert.deepEqual(diagnostics, []);
  });

  it('orders the files the same under every locale (a Swedish machine sorted "å" after "z")', async () => {
    mkdirSync(join(dir, 'cifs'));
    for (const name of ['z', 'å']) copyFileSync(NI_CIF, join(dir, 'cifs', `${name}.cif`));
    writeFileSync(join(dir, 'latent-xrd.json'), tinyConfig('cifs/*.cif'));
    const orders = [];
    for (const locale of ['en_US.UTF-8', 'sv_SE.UTF-8']) {
      const run = await runCliProcess(['synth', '--config', 'latent-xrd.json', '--quiet'], { cwd: dir, env: { LC_ALL: locale, LANG: locale } });
      assert.equal(run.code, 0, describeRun(run));
      orders.push(/\d+ patterns \(([^)]*)\)/.exec(run.stderr + run.stdout)?.[1]);
    }
    assert.deepEqual(orders, ['å, z', 'å, z']);
  });
});
