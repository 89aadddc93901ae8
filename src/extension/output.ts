// The extension's output channel: what ran, how long it took, what failed (with stacks that
// never reach a notification).
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function outputChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Latent XRD', { log: true });
  return channel;
}

export function log(message: string): void {
  outputChannel().info(message);
}

export function logError(message: string): void {
  outputChannel().error(message);
}
