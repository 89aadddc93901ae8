// Export Figures (the latent map as the paper draws it, SVG and PNG) and Export Scores (every
// workspace pattern's score as CSV): the numbers a user takes into a paper or a notebook.
import * as vscode from 'vscode';
import { latentMapSvg } from '../../core/report/latent-map-svg';
import { availableColourings, fileMarks } from '../../shared/latent-map';
import type { WorkspaceScores } from '../workspace-scores';
import type { ModelService } from '../model-service';
import { latentMapPayload, type LatentMapView } from '../views/latent-map-view';
import { requireTrust } from './trust';
import { csvText } from '../../core/report/csv';
import { peaksCell } from '../../core/analysis/unexplained-peaks';

export function scoresCsv(scores: WorkspaceScores, models: ModelService): string {
  const dims = models.current?.manifest.spec.latent ?? 0;
  const header = ['file', 'verdict', 'p_value', 'bce_excess', 'bce', 'mse', 'nearest_phase', 'coverage', ...Array.from({ length: dims }, (_, d) => `z${d + 1}`), 'unexplained_peaks', 'error'];
  const rows = scores.ranked().map((f) => {
    const s = f.score;
    return [vscode.workspace.asRelativePath(f.uri), s?.verdict ?? '', s?.pValue ?? '', s?.bceExcess ?? '', s?.bce ?? '', s?.mse ?? '', s?.nearestPhase ?? '', s?.coverage ?? '', ...Array.from({ length: dims }, (_, d) => s?.latent[d] ?? ''), peaksCell(s?.unexplainedPeaks), f.error ?? ''];
  });
  return csvText(header, rows);
}

/**
 * Files an export writes that the user did not pick by name (the PNG and CSV beside a chosen
 * SVG, the figures in a chosen folder) replace nothing silently: when some already exist, one
 * modal question names them. The name picked in a save dialog was confirmed there.
 */
export async function mayReplace(uris: vscode.Uri[], pickedByName?: vscode.Uri): Promise<boolean> {
  const existing: vscode.Uri[] = [];
  for (const uri of uris) {
    if (uri.toString() === pickedByName?.toString()) continue;
    try {
      await vscode.workspace.fs.stat(uri);
      existing.push(uri);
    } catch {
      // absent: nothing to replace
    }
  }
  if (existing.length === 0) return true;
  const names = existing.map((u) => u.path.split('/').pop()).join(', ');
  const answer = await vscode.window.showWarningMessage(`${names} already ${existing.length === 1 ? 'exists' : 'exist'} in ${vscode.workspace.asRelativePath(vscode.Uri.joinPath(existing[0], '..'))}. Replace ${existing.length === 1 ? 'it' : 'them'}?`, { modal: true }, 'Replace');
  return answer === 'Replace';
}

async function chooseTarget(defaultName: string, filters: Record<string, string[]>, given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (given) return given;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined, filters });
}

export async function exportScores(scores: WorkspaceScores, models: ModelService, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (!(await requireTrust('write files'))) return undefined;
  await scores.ready;
  const uri = await chooseTarget('latent-xrd-scores.csv', { CSV: ['csv'] }, target);
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(scoresCsv(scores, models)));
  void vscode.window.showInformationMessage(`Wrote ${scores.list.length} scores to ${vscode.workspace.asRelativePath(uri)}`);
  return uri;
}

/** The latent map by phase and by error (with the workspace's files marked as on screen), as SVG and PNG. */
export async function exportFigures(scores: WorkspaceScores, models: ModelService, view: LatentMapView, targetFolder?: vscode.Uri): Promise<vscode.Uri[]> {
  if (!(await requireTrust('write files'))) return [];
  await scores.ready;
  const map = await latentMapPayload(models, scores);
  if (!map) {
    void vscode.window.showWarningMessage('No model: nothing to draw yet.');
    return [];
  }
  let folder = targetFolder;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export figures here', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    folder = picked?.[0];
  }
  if (!folder) return [];
  // The map as the view shows it (src/shared/latent-map.ts): the same points, regions, colours and marks.
  const marks = fileMarks(map);
  const figures: [string, string][] = [['latent-map-by-phase', latentMapSvg(map, { title: `Latent space of ${map.model}, by phase`, by: 'phase', marks })]];
  if (availableColourings(map.reference).includes('error')) {
    figures.push(['latent-map-by-error', latentMapSvg(map, { title: `Latent space of ${map.model}, by reconstruction error`, by: 'error', marks })]);
  }
  const targets = figures.flatMap(([name]) => ['svg', 'png'].map((ext) => vscode.Uri.joinPath(folder!, `${name}.${ext}`)));
  if (!(await mayReplace(targets))) return [];
  const written: vscode.Uri[] = [];
  for (const [name, svg] of figures) {
    const svgUri = vscode.Uri.joinPath(folder, `${name}.svg`);
    await vscode.workspace.fs.writeFile(svgUri, Buffer.from(svg));
    written.push(svgUri);
    const pngUri = vscode.Uri.joinPath(folder, `${name}.png`);
    await vscode.workspace.fs.writeFile(pngUri, await view.rasterize(svg));
    written.push(pngUri);
  }
  void vscode.window.showInformationMessage(`Exported ${written.length} figure files to ${vscode.workspace.asRelativePath(folder)}`);
  return written;
}
