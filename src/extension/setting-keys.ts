// The extension's settings (latentXrd.*): each one's key and the type of its value, written once.
// package.json's contributes.configuration declares them to VS Code with their defaults and
// descriptions, and VS Code answers a read with that default when the user set nothing — so no
// default is written in code. A unit test checks this list and package.json agree. No `vscode`
// here (settings.ts reads them), so that the test can load it.
import type { BackendPreference } from '../core/model/backend-preference';
import type { BackgroundMethod } from '../core/preprocess/options';

export const SETTINGS_SECTION = 'latentXrd';

/** Every setting's value, by its key under latentXrd. */
export interface SettingValues {
  model: string;
  noveltyPValueThreshold: number | null;
  backend: BackendPreference;
  patternFiles: string;
  'scoring.timeLimitSeconds': number;
  'latentMap.maxTrainingPoints': number;
  'preprocessing.background': BackgroundMethod;
  'preprocessing.stripKAlpha2': boolean;
}

export type SettingKey = keyof SettingValues;

/** Each setting's JSON type as package.json declares it (the unit test compares them). */
export const SETTING_TYPES: { readonly [K in SettingKey]: string | readonly string[] } = {
  model: 'string',
  noveltyPValueThreshold: ['number', 'null'],
  backend: 'string',
  patternFiles: 'string',
  'scoring.timeLimitSeconds': 'number',
  'latentMap.maxTrainingPoints': 'number',
  'preprocessing.background': 'string',
  'preprocessing.stripKAlpha2': 'boolean',
};

/** A group of settings read together (the scoring and preprocessing ones): a change to any of them is a change to it. */
export type SettingGroup = 'scoring' | 'preprocessing';

/** The full name, as in settings.json and package.json. */
export function settingId(key: SettingKey | SettingGroup): string {
  return `${SETTINGS_SECTION}.${key}`;
}
