import * as vscode from 'vscode';

/** Training, generation and writing wait for a trusted workspace; viewing does not. */
export async function requireTrust(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(`Latent XRD does not ${what} in an untrusted workspace. Trust the workspace to allow it.`, 'Manage Workspace Trust');
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
