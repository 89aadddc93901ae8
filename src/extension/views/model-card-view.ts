// The model card: which model is active, what it knows, how well, and on which backend.
import * as vscode from 'vscode';
import { calibrationInForce } from '../../core/model/novelty-calibration';
import { describePreprocessing } from '../../core/preprocess/model-preprocessing';
import type { ModelService } from '../model-service';
import { settingChanged, settingId } from '../settings';
import { noveltyMeaning } from '../../core/model/manifest';
import { reliabilityState } from '../../core/model/reliability';
import type { ThresholdInForce } from '../../core/analysis/verdict';

interface Row {
  label: string;
  description?: string;
  tooltip?: string;
  children?: Row[];
  icon?: string;
}

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v));

export class ModelCardView implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly models: ModelService) {
    this.subscriptions = [
      models.onDidChange(() => this.changed.fire()),
      models.onDidLoad(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => settingChanged(e, 'noveltyPValueThreshold') && this.changed.fire()),
    ];
  }

  getChildren(element?: Row): Row[] {
    if (element) return element.children ?? [];
    const active = this.models.current;
    if (!active) return [{ label: 'No model', description: 'train one or select a model folder', icon: 'info' }];
    const m = active.manifest;
    const metrics = m.metrics as Record<string, unknown>;
    const headline = ['knnAccuracy', 'medianErrorRatioUnknownToKnown', 'aurocUnknown', 'aurocMixtures', 'gnbAccuracy'].filter((k) => typeof metrics[k] === 'number');
    const reliability = reliabilityState(m);
    let threshold: ThresholdInForce | undefined;
    let thresholdProblem: string | undefined;
    try {
      threshold = this.models.threshold();
    } catch (e) {
      thresholdProblem = (e as Error).message;
    }
    return [
      {
        label: reliability.reliable === false ? 'Unreliable model' : 'Reliability',
        description: reliability.reliable === false ? reliability.reasons.join('; ') : reliability.reliable ? 'held-out checks met' : 'unknown (not recorded)',
        tooltip: reliability.summary,
        icon: reliability.reliable === false ? 'warning' : reliability.reliable ? 'verified' : 'question',
        children: reliability.reasons.map((r) => ({ label: r, icon: 'close' })),
      },
      { label: active.name, description: `${m.kind.toUpperCase()} · latent ${m.spec.latent} · β ${m.spec.beta}`, icon: 'folder-library', tooltip: active.dir },
      { label: 'Backend', description: this.models.backend ?? 'not loaded yet (loads on first score)', icon: 'server-process' },
      { label: 'Phases', description: String(m.phases.length), icon: 'symbol-class', children: m.phases.map((p) => ({ label: p })) },
      { label: 'NOVEL means', description: m.mixtures?.role === 'known' ? 'something the known phases do not explain' : 'not a pure known phase', tooltip: noveltyMeaning(m), icon: 'question' },
      { label: 'Grid', description: `2θ ${m.grid.min}–${m.grid.max}°, ${m.grid.points} points${m.wavelength ? `, λ ${m.wavelength} Å` : ''}`, icon: 'graph-line' },
      threshold
        ? {
            label: 'Novelty threshold',
            description: threshold.source === 'model' ? `p < ${threshold.pThreshold}, the model's (excess BCE > ${m.calibration.errorThreshold.toPrecision(3)})` : `p < ${threshold.pThreshold}, from the setting (the model's: p < ${m.calibration.pThreshold})`,
            tooltip: `${threshold.description}. Set ${settingId('noveltyPValueThreshold')} to override the model's threshold; leave it unset (null) for the model's.`,
            icon: 'law',
          }
        : { label: 'Novelty threshold', description: `invalid setting: ${thresholdProblem}`, icon: 'error' },
      { label: 'Calibration', description: m.calibration.source?.kind === 'measured' ? 'your measured known patterns' : 'held-out synthetic patterns', tooltip: calibrationInForce(m), icon: 'beaker' },
      { label: 'Preprocessing', description: m.preprocessing ? describePreprocessing(m.preprocessing) : 'not recorded (older model): the settings apply', icon: 'filter' },
      { label: 'Metrics', description: `${headline.length} measured on held-out data`, icon: 'pulse', children: headline.map((k) => ({ label: k, description: fmt(metrics[k]) })) },
      { label: 'Created', description: `${m.created.slice(0, 19).replace('T', ' ')} by latent-xrd ${m.software.version}`, icon: 'history' },
    ];
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, row.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    if (row.icon) item.iconPath = new vscode.ThemeIcon(row.icon);
    return item;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
