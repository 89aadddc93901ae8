// The novelty ranking: the workspace's pattern files, most novel first, with a verdict badge;
// clicking one opens it in the pattern editor.
import * as vscode from 'vscode';
import type { FileScore, WorkspaceScores } from '../workspace-scores';
import { workspaceRelative } from '../model-service';
import { PATTERN_EDITOR } from '../editors/pattern-editor';
import { unexplainedSummary } from '../../core/analysis/unexplained-peaks';

export class RankingView implements vscode.TreeDataProvider<FileScore>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly scores: WorkspaceScores) {
    this.subscription = scores.onDidChange(() => this.changed.fire());
  }

  getChildren(element?: FileScore): FileScore[] {
    return element ? [] : this.scores.ranked();
  }

  getTreeItem(entry: FileScore): vscode.TreeItem {
    const item = new vscode.TreeItem(entry.name);
    item.resourceUri = entry.uri;
    item.command = { command: 'vscode.openWith', title: 'Open', arguments: [entry.uri, PATTERN_EDITOR] };
    const where = workspaceRelative(entry.uri.fsPath);
    if (entry.error) {
      item.description = 'unreadable';
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.tooltip = `${where}\n${entry.error}`;
      item.contextValue = 'unreadable';
    } else if (entry.score) {
      const s = entry.score;
      item.description = `${s.verdict} · p ${s.pValue < 0.001 ? '< 0.001' : s.pValue.toFixed(3)} · ${s.bceExcess.toPrecision(3)}`;
      item.iconPath = s.verdict === 'novel' ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.red')) : new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
      item.tooltip = new vscode.MarkdownString(
        `**${where}**\n\n| | |\n|---|---|\n| verdict | ${s.verdict} |\n| p-value | ${s.pValue.toPrecision(3)} |\n| excess BCE | ${s.bceExcess.toPrecision(4)} |\n| BCE | ${s.bce.toPrecision(4)} |\n| MSE | ${s.mse.toPrecision(3)} |\n| nearest phase | ${s.nearestPhase} |\n| latent | (${s.latent.map((v) => v.toFixed(2)).join(', ')}) |` +
          (s.unexplainedPeaks ? `\n\n${unexplainedSummary(s.unexplainedPeaks, s.verdict === 'novel') ?? 'no unexplained peak'}` : ''),
      );
      item.contextValue = s.verdict;
    } else {
      item.description = 'not scored (no model)';
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
