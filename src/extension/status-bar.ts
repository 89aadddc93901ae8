// The status-bar item: the active model and, once loaded, its backend. Clicking selects a model.
import * as vscode from 'vscode';
import type { ModelService } from './model-service';

export function createStatusBar(models: ModelService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('latentXrd.model', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Latent XRD model';
  item.command = 'latentXrd.selectModel';
  const update = () => {
    const active = models.current;
    item.text = active ? `$(graph-scatter) ${active.name}${models.backend ? ` · ${models.backend}` : ''}` : '$(graph-scatter) no model';
    item.tooltip = active ? `Latent XRD model ${active.dir}\nphases: ${active.manifest.phases.join(', ')}\nbackend: ${models.backend ?? 'loads on first score'}\nClick to select another model.` : 'No Latent XRD model: train one or click to select a model folder.';
    item.show();
  };
  update();
  return vscode.Disposable.from(item, models.onDidChange(update), models.onDidLoad(update));
}
