// Finding and reading the workspace's latent-xrd.json, and the two commands that write it:
// Create Workspace Config and Add Structure to Training Set (an edit of the open document,
// so it can be undone like any other).
import * as vscode from 'vscode';
import { basename, dirname, relative } from 'node:path';
import { applyEdits, modify, parse as parseJsonc } from 'jsonc-parser';
import { planWorkspaceConfig, type DatasetPlan } from '../../core/synth/dataset';
import type { SynthConfig } from '../../core/synth/config';
import { UserError } from '../../core/diagnostics';
import { readStructures } from '../../core/crystal/structure';
import { starterConfig, starterPhase } from '../../core/synth/starter-config';
import { requireTrust } from './trust';
import { toDiagnostic } from '../language/cif-language';

export const CONFIG_NAME = 'latent-xrd.json';

/** The workspace's config; asks when there are several. */
export async function pickConfig(): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles(`**/${CONFIG_NAME}`, '**/node_modules/**', 20);
  if (found.length <= 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Which latent-xrd.json?' },
  );
  return picked?.uri;
}

let configDiagnostics: vscode.DiagnosticCollection | undefined;

/** Reads and plans a config; its errors go to the Problems panel (with line and column) and are thrown. */
export async function loadConfig(uri: vscode.Uri): Promise<{ config: SynthConfig; plan: DatasetPlan; configDir: string }> {
  configDiagnostics ??= vscode.languages.createDiagnosticCollection('latent-xrd-config');
  const text = (await vscode.workspace.openTextDocument(uri)).getText();
  try {
    const loaded = planWorkspaceConfig(text, uri.fsPath, vscode.workspace.asRelativePath(uri));
    configDiagnostics.set(uri, loaded.warnings.map(toDiagnostic));
    return loaded;
  } catch (e) {
    if (e instanceof UserError) configDiagnostics.set(uri, e.diagnostics.map(toDiagnostic));
    throw e;
  }
}

export async function createConfig(): Promise<vscode.Uri | undefined> {
  if (!(await requireTrust('write files'))) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Open a folder first: the config lives in the workspace.');
    return undefined;
  }
  const target = vscode.Uri.joinPath(folder.uri, CONFIG_NAME);
  try {
    await vscode.workspace.fs.stat(target);
    await vscode.window.showTextDocument(target);
    void vscode.window.showInformationMessage(`${CONFIG_NAME} already exists; opened it.`);
    return target;
  } catch {
    // absent: create it
  }
  const cifs = await vscode.workspace.findFiles('**/*.cif', '**/node_modules/**', 50);
  const phases = [];
  for (const cif of cifs) {
    const text = Buffer.from(await vscode.workspace.fs.readFile(cif)).toString('utf8');
    const structure = readStructures(text).structures[0];
    if (!structure) continue;
    phases.push(starterPhase(relative(folder.uri.fsPath, cif.fsPath), basename(cif.fsPath, '.cif'), structure.spaceGroup.hermannMauguin));
  }
  const config = starterConfig(phases);
  await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(config, null, 2) + '\n'));
  await vscode.window.showTextDocument(target);
  void vscode.window.showInformationMessage(
    phases.length ? `Created ${CONFIG_NAME} with ${phases.length} phase(s) from the workspace's CIFs. Mark an unknown phase with "role": "unknown".` : `Created ${CONFIG_NAME}; add phases (CIF files) to it.`,
  );
  return target;
}

/** The code lens and command: the CIF (one data block) becomes a known phase of the config. */
export async function addToTrainingSet(uri?: vscode.Uri, blockName?: string): Promise<boolean> {
  uri ??= vscode.window.activeTextEditor?.document.uri;
  if (!uri || !(await requireTrust('change the training set'))) return false;
  const configUri = (await pickConfig()) ?? (await createConfig());
  if (!configUri) return false;
  const document = await vscode.workspace.openTextDocument(configUri);
  const text = document.getText();
  const cif = relative(dirname(configUri.fsPath), uri.fsPath);
  const current = parseJsonc(text) as { phases?: { cif?: string; block?: string }[] } | undefined;
  const phases = current?.phases ?? [];
  if (phases.some((p) => p.cif === cif && (!blockName || !p.block || p.block === blockName))) {
    void vscode.window.showInformationMessage(`${cif} is already in ${vscode.workspace.asRelativePath(configUri)}.`);
    return false;
  }
  const structure = readStructures(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')).structures.find((s) => !blockName || s.blockName === blockName);
  const phase = starterPhase(cif, basename(uri.fsPath, '.cif'), structure?.spaceGroup.hermannMauguin);
  const edits = modify(text, ['phases', phases.length], phase, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  const updated = applyEdits(text, edits);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(configUri, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), updated);
  await vscode.workspace.applyEdit(edit);
  await document.save();
  void vscode.window.showInformationMessage(`Added ${phase.name} to ${vscode.workspace.asRelativePath(configUri)}.`);
  return true;
}
