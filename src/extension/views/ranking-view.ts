// The novelty ranking: the workspace's pattern files, most novel first, with a verdict badge;
// clicking one opens it in the pattern editor.
import * as vscode from 'vscode';
import type { FileScore, WorkspaceScores } from '../workspace-scores';
import { workspaceRelative, type ModelService } from '../model-service';
import { PATTERN_EDITOR } from '../editors/pattern-editor';
import { unexplainedSummary } from '../../core/analysis/unexplained-peaks';
import { reliabilityState } from '../../core/model/reliability';
import { verdictLabel } from '../../core/analysis/verdict';

/** The row above the files when the active model's verdicts cannot be trusted (or it is not known whether they can). */
export interface ModelWarningRow {
  kind: 'model-warning';
  label: string;
  description: string;
  tooltip: string;
  reliable: boolean | null;
}

export type RankingRow = FileScore | ModelWarningRow;

const isWarning = (row: RankingRow): row is ModelWarningRow => (row as ModelWarningRow).kind === 'model-warning';

export class RankingView implements vscode.TreeDataProvider<RankingRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly scores: WorkspaceScores, private readonly models: ModelService) {
    this.subscriptions = [scores.onDidChange(() => this.changed.fire()), models.onDidChange(() => this.changed.fire())];
  }

  /** The warning row for the active model, when its reliability is not established. */
  modelWarning(): ModelWarningRow | undefined {
    const active = this.models.current;
    if (!active) return undefined;
    const r = reliabilityState(active.manifest);
    if (r.reliable === true) return undefined;
    return {
      kind: 'model-warning',
      label: r.reliable === false ? `Unreliable model: ${active.name}` : `Reliability unknown: ${active.name}`,
      description: r.reliable === false ? r.reasons.join('; ') : 'saved before its held-out checks were recorded',
      tooltip: [r.summary, ...r.reasons.map((x) => `- ${x}`)].join('\n'),
      reliable: r.reliable,
    };
  }

  getChildren(element?: RankingRow): RankingRow[] {
    if (element) return [];
    const warning = this.modelWarning();
    return [...(warning ? [warning] : []), ...this.scores.ranked()];
  }

  getTreeItem(entry: RankingRow): vscode.TreeItem {
    if (isWarning(entry)) {
      const row = new vscode.TreeItem(entry.label);
      row.description = entry.description;
      row.tooltip = entry.tooltip;
      row.iconPath = new vscode.ThemeIcon(entry.reliable === false ? 'warning' : 'question', new vscode.ThemeColor(entry.reliable === false ? 'problemsWarningIcon.foreground' : 'problemsInfoIcon.foreground'));
      row.contextValue = 'modelWarning';
      return row;
    }
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
      const active = this.models.current;
      const label = verdictLabel(s.verdict, active ? reliabilityState(active.manifest).reliable : null).toLowerCase();
      const coverage = s.coverage !== undefined && s.coverage < 1 ? ` · covers ${(100 * s.coverage).toFixed(0)} %` : '';
      item.description = `${label} · p ${s.pValue < 0.001 ? '< 0.001' : s.pValue.toFixed(3)} · ${s.bceExcess.toPrecision(3)}${coverage}`;
      item.iconPath =
        s.verdict === 'novel'
          ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.red'))
          : s.verdict === 'outside-range'
            ? new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('disabledForeground'))
            : new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
      let threshold = '';
      try {
        threshold = this.models.threshold()?.description ?? '';
      } catch (e) {
        threshold = (e as Error).message;
      }
      item.tooltip = new vscode.MarkdownString(
        `**${where}**\n\n| | |\n|---|---|\n| verdict | ${label} |\n| p-value | ${s.pValue.toPrecision(3)} |\n| novel at | ${threshold} |\n| coverage | ${s.coverage === undefined ? 'n/a' : `${(100 * s.coverage).toFixed(1)} % of the model's 2θ range`} |\n| excess BCE | ${s.bceExcess.toPrecision(4)} |\n| BCE | ${s.bce.toPrecision(4)} |\n| MSE | ${s.mse.toPrecision(3)} |\n| nearest phase | ${s.nearestPhase} |\n| latent | (${s.latent.map((v) => v.toFixed(2)).join(', ')}) |` +
          (s.unexplainedPeaks ? `\n\n${unexplainedSummary(s.unexplainedPeaks, s.verdict === 'novel') ?? 'no unexplained peak'}` : ''),
      );
      item.contextValue = s.verdict;
    } else {
      item.description = 'not scored (no model)';
    }
    return item;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
