// The user's preprocessing choices (settings latentXrd.preprocessing.*), read in one place and
// passed to every scoring call: the pattern editor, the ranking, collections and the watch folder.
// Only settings the user has set are passed: a model that records its preprocessing fills in the
// rest from its record, and refuses a set value that contradicts it (model-preprocessing.ts) —
// the settings' defaults would otherwise contradict every model trained another way.
import * as vscode from 'vscode';
import { BACKGROUND_METHODS, type BackgroundMethod, type PreprocessOptions } from '../core/preprocess/options';

export function preprocessOptions(): PreprocessOptions {
  const config = vscode.workspace.getConfiguration('latentXrd.preprocessing');
  const background = userValue<string>(config, 'background');
  return {
    background: BACKGROUND_METHODS.includes(background as BackgroundMethod) ? (background as BackgroundMethod) : undefined,
    stripKAlpha2: userValue<boolean>(config, 'stripKAlpha2'),
  };
}

/** The value the user set (folder, workspace or user settings, most specific first), else undefined. */
function userValue<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const set = config.inspect<T>(key);
  return set?.workspaceFolderValue ?? set?.workspaceValue ?? set?.globalValue;
}

export function affectsPreprocessing(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('latentXrd.preprocessing');
}
