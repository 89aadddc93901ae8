// The extension's settings are named in one module (src/extension/setting-keys.ts) and declared,
// with their defaults, in package.json alone: the two agree, the defaults agree with the engine's,
// and nothing else in the extension reads the configuration. The starter config of Create
// Workspace Config is the defaults written out.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SETTING_TYPES, SETTINGS_SECTION, settingId, type SettingKey } from '../../src/extension/setting-keys';
import { BACKEND_PREFERENCES, DEFAULT_BACKEND } from '../../src/core/model/backend-preference';
import { BACKGROUND_METHODS, DEFAULT_PREPROCESS_OPTIONS } from '../../src/core/preprocess/options';
import { parseBackend } from '../../src/cli/args';
import { starterConfig, starterPhase, STARTER_PHASE_COUNT } from '../../src/core/synth/starter-config';
import { DEFAULT_GRID, validateConfig } from '../../src/core/synth/config';
import { DEFAULT_TRAINING_CONFIG } from '../../src/core/model/training-config';
import { configSchema } from '../../src/core/synth/schema';
import { DEFAULT_MAP_POINTS } from '../../src/shared/latent-map';

const root = join(__dirname, '../../..');
const declared: Record<string, { type: string | string[]; default?: unknown; enum?: unknown[] }> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes.configuration.properties;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the extension settings module and package.json', () => {
  const keys = Object.keys(SETTING_TYPES) as SettingKey[];

  it('name the same settings, with the same types, each with a declared default', () => {
    assert.deepEqual(keys.map(settingId).sort(), Object.keys(declared).sort());
    for (const key of keys) {
      const d = declared[settingId(key)];
      assert.deepEqual(d.type, SETTING_TYPES[key], key);
      assert.ok('default' in d, `${key} declares its default`);
    }
    assert.equal(settingId('backend'), `${SETTINGS_SECTION}.backend`);
  });

  it('offer the backends the engine knows, defaulting as the CLI does', () => {
    assert.deepEqual(declared['latentXrd.backend'].enum, [...BACKEND_PREFERENCES]);
    assert.equal(declared['latentXrd.backend'].default, DEFAULT_BACKEND);
    assert.equal(parseBackend(undefined), DEFAULT_BACKEND);
  });

  it('offer the engine\'s background methods and its preprocessing defaults', () => {
    assert.deepEqual(declared['latentXrd.preprocessing.background'].enum, [...BACKGROUND_METHODS]);
    assert.equal(declared['latentXrd.preprocessing.background'].default, DEFAULT_PREPROCESS_OPTIONS.background);
    assert.equal(declared['latentXrd.preprocessing.stripKAlpha2'].default, DEFAULT_PREPROCESS_OPTIONS.stripKAlpha2);
  });

  it('cap the latent map at the points the exported figures draw', () => {
    assert.equal(declared['latentXrd.latentMap.maxTrainingPoints'].default, DEFAULT_MAP_POINTS);
  });

  it('leave the novelty threshold to the model unless it is set', () => {
    assert.equal(declared['latentXrd.noveltyPValueThreshold'].default, null);
  });

  it('are read through src/extension/settings.ts alone, with no default written in code', () => {
    const readers = sourceFiles(join(root, 'src'))
      .filter((f) => /getConfiguration\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    assert.deepEqual(readers, ['src/extension/settings.ts']);
    assert.doesNotMatch(readFileSync(join(root, 'src/extension/settings.ts'), 'utf8'), /\.get<[^>]*>\([^)]*,/, 'no fallback value beside package.json\'s default');
  });
});

describe('the starter config (Create Workspace Config)', () => {
  const config = starterConfig([starterPhase('Ni-fcc.cif', 'Ni-fcc', 'F m -3 m'), starterPhase('cifs/Cr-bcc.cif', 'Cr-bcc')]);

  it('is a valid config whose values are the defaults, written out', () => {
    const text = JSON.stringify(config, null, 2);
    const validated = validateConfig(text);
    assert.deepEqual(validated.diagnostics, []);
    assert.deepEqual(config.grid, DEFAULT_GRID);
    for (const [key, value] of Object.entries(config.training!)) assert.deepEqual(value, DEFAULT_TRAINING_CONFIG[key as keyof typeof DEFAULT_TRAINING_CONFIG], key);
    const schema = configSchema() as { properties: Record<string, { default?: unknown }> };
    for (const key of ['radiation', 'seed', 'output'] as const) assert.equal(config[key], schema.properties[key].default, key);
  });

  it('names a phase after its file and space group, with the starter count', () => {
    assert.deepEqual(config.phases, [
      { name: 'Ni-fcc (Fm-3m)', cif: 'Ni-fcc.cif', count: STARTER_PHASE_COUNT },
      { name: 'Cr-bcc', cif: 'cifs/Cr-bcc.cif', count: STARTER_PHASE_COUNT },
    ]);
  });
});
