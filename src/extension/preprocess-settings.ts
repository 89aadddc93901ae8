// The user's preprocessing choices (settings latentXrd.preprocessing.*), read in one place and
// passed to every scoring call: the pattern editor, the ranking, collections and the watch folder.
import * as vscode from 'vscode';
import { BACKGROUND_METHODS, type BackgroundMethod, type PreprocessOptions } from '../core/preprocess/options';

export function preprocessOptions(): PreprocessOptions {
  const config = vscode.workspace.getConfiguration('latentXrd.preprocessing');
  const background = config.get<string>('background');
  return {
    background: BACKGROUND_METHODS.includes(background as BackgroundMethod) ? (background as BackgroundMethod) : undefined,
    stripKAlpha2: config.get<boolean>('stripKAlpha2') ?? undefined,
  };
}

export function affectsPreprocessing(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('latentXrd.preprocessing');
}
