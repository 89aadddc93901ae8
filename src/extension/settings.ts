// Reading and writing the extension's settings (latentXrd.*, keys and types in setting-keys.ts):
// every view and command reads them here. A read without a user value gives package.json's
// default (VS Code fills it in), so the defaults live in package.json alone.
import * as vscode from 'vscode';
import { BACKGROUND_METHODS, type BackgroundMethod, type PreprocessOptions } from '../core/preprocess/options';
import { SETTINGS_SECTION, settingId, type SettingGroup, type SettingKey, type SettingValues } from './setting-keys';

export { settingId };

/** The value in force: the user's (folder, workspace, user settings, most specific first), else the default. */
export function setting<K extends SettingKey>(key: K, scope?: vscode.Uri): SettingValues[K] {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<SettingValues[K]>(key) as SettingValues[K];
}

/** The value the user set (folder, workspace or user settings, most specific first), else undefined: never the default. */
export function userSetting<K extends SettingKey>(key: K): SettingValues[K] | undefined {
  const set = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<SettingValues[K]>(key);
  return set?.workspaceFolderValue ?? set?.workspaceValue ?? set?.globalValue;
}

export function updateSetting<K extends SettingKey>(key: K, value: SettingValues[K], scope: vscode.Uri | undefined, target: vscode.ConfigurationTarget): Thenable<void> {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).update(key, value, target);
}

/** Whether a configuration change touches any of these settings (or groups). */
export function settingChanged(e: vscode.ConfigurationChangeEvent, ...keys: (SettingKey | SettingGroup)[]): boolean {
  return keys.some((key) => e.affectsConfiguration(settingId(key)));
}

/**
 * The user's preprocessing choices, passed to every scoring call: the pattern editor, the
 * ranking, collections and the watch folder. Only settings the user has set are passed: a model
 * that records its preprocessing fills in the rest from its record, and refuses a set value that
 * contradicts it (model-preprocessing.ts) — the settings' defaults would otherwise contradict
 * every model trained another way.
 */
export function preprocessOptions(): PreprocessOptions {
  const background = userSetting('preprocessing.background');
  return {
    background: BACKGROUND_METHODS.includes(background as BackgroundMethod) ? background : undefined,
    stripKAlpha2: userSetting('preprocessing.stripKAlpha2'),
  };
}
