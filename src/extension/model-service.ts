// Which model is active, and the scoring worker that scores with it. The manifest is read on the
// host (model card, status bar); TensorFlow.js and the weights load in the scoring worker, on the
// first request that needs them, and stay loaded until the model changes.
import * as vscode from 'vscode';
import { modelRevision } from '../core/model/novelty-calibration';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { readManifest, type ModelManifest } from '../core/model/manifest';
import { pathInConfigFolder } from '../core/synth/config-paths';
import type { LatentMapBase, ScoringSettings } from '../protocol/scoring';
import { ScoringWorker, type ScoringWorkerOptions } from '../worker/scoring-host';
import { ScoringPool, defaultScoringThreads } from '../worker/scoring-pool';
import { log } from './output';
import { preprocessOptions, setting, settingId, updateSetting } from './settings';
import { DEFAULT_TRAINING_CONFIG } from '../core/model/training-config';
import { requireTrust } from './commands/trust';
import { thresholdInForce, type ThresholdInForce } from '../core/analysis/verdict';

export interface ActiveModel {
  dir: string;
  manifest: ModelManifest;
  /** Folder name relative to the workspace, for people. */
  name: string;
}

export class ModelService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ActiveModel | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<string>();
  /** The weights and backend have loaded (the backend's name): for the status bar and model card. */
  readonly onDidLoad = this.loaded.event;
  private active: ActiveModel | undefined;
  private backendName: string | undefined;
  private mapBase: { key: string; base: Promise<LatentMapBase> } | undefined;
  private readonly watcher: vscode.FileSystemWatcher;
  /**
   * Read, parse and score off the extension host, each file under a time limit, in two workers:
   * what the user opened (editors, the map, the watch folder) never waits behind a workspace
   * scan, which may spend a time limit on a hostile file.
   */
  readonly scoring = new ScoringWorker(this.workerOptions('editors'));
  /** The workspace scan scores on every core: one worker per core, batches handed out as each finishes. */
  readonly scanning = new ScoringPool(defaultScoringThreads(), this.workerOptions('workspace scan'));

  private workerOptions(lane: string): ScoringWorkerOptions {
    return {
      timeLimitSeconds: () => setting('scoring.timeLimitSeconds'),
      onLoaded: ({ model, backend, notes, ms }) => {
        this.backendName = backend;
        log(`loaded ${model} on ${backend} in ${ms} ms for the ${lane}${notes.length ? ` (${notes.join('; ')})` : ''}`);
        this.loaded.fire(backend);
      },
      log: (message) => log(`${lane}: ${message}`),
    };
  }

  constructor() {
    // A model folder is replaced as a whole (renamed into place): its manifest appearing or
    // changing means a new model.
    this.watcher = vscode.workspace.createFileSystemWatcher('**/manifest.json');
    const refresh = () => void this.refresh();
    this.watcher.onDidCreate(refresh);
    this.watcher.onDidChange(refresh);
    this.watcher.onDidDelete(refresh);
  }

  get current(): ActiveModel | undefined {
    return this.active;
  }

  get backend(): string | undefined {
    return this.backendName;
  }

  /** Finds the active model again (setting, then the config's training.model, then any). */
  async refresh(): Promise<ActiveModel | undefined> {
    const dir = await this.findModelDir();
    let next: ActiveModel | undefined;
    if (dir) {
      try {
        next = { dir, manifest: readManifest(dir), name: workspaceRelative(dir) };
      } catch (e) {
        log(`model ${dir}: ${(e as Error).message}`);
      }
    }
    // A recalibrated model keeps its creation date but gives other verdicts: compared by revision.
    const same = next?.dir === this.active?.dir && next !== undefined && this.active !== undefined && modelRevision(next.manifest) === modelRevision(this.active.manifest);
    if (!same) {
      this.active = next;
      this.mapBase = undefined;
      log(next ? `active model: ${next.name} (${next.manifest.kind}, phases ${next.manifest.phases.join(', ')})` : 'no active model');
      this.changed.fire(next);
    }
    return this.active;
  }

  /**
   * The Select Model command: makes `dir` (else the one picked from the workspace's model
   * folders) the active model, remembered in the workspace settings. A write, so only in a
   * trusted workspace (asked before anything is picked).
   */
  async select(dir?: string): Promise<boolean> {
    if (!(await requireTrust('change the workspace settings'))) return false;
    if (!dir) {
      const found = await findModelFolders();
      if (found.length === 0) {
        void vscode.window.showWarningMessage('No model folders in the workspace (a folder with a latent-xrd manifest.json). Train one first.');
        return false;
      }
      const picked = await vscode.window.showQuickPick(found.map((d) => ({ label: workspaceRelative(d), dir: d })), { title: 'Latent XRD: active model' });
      if (!picked) return false;
      dir = picked.dir;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    await updateSetting('model', folder ? relative(folder.uri.fsPath, dir) || '.' : dir, folder?.uri, vscode.ConfigurationTarget.Workspace);
    await this.refresh();
    return true;
  }

  /**
   * What every scoring request scores with now: the active model (if any), the preprocessing and
   * the novelty threshold override (the setting; null: the model's own — the worker decides with
   * core/analysis/verdict.ts thresholdInForce, as `threshold()` does here for the views).
   */
  settings(): ScoringSettings {
    const active = this.active;
    return {
      model: active && { dir: active.dir, created: modelRevision(active.manifest), name: active.name, backend: setting('backend') },
      preprocessing: preprocessOptions(),
      // The override (null, the default: the model's own threshold).
      pThreshold: setting('noveltyPValueThreshold'),
      pThresholdName: `the setting ${settingId('noveltyPValueThreshold')}`,
    };
  }

  /** The threshold in force for the active model (undefined: no model); a setting that is not a p-value throws its UserError. */
  threshold(): ThresholdInForce | undefined {
    if (!this.active) return undefined;
    const { pThreshold, pThresholdName } = this.settings();
    return thresholdInForce(this.active.manifest, pThreshold, pThresholdName);
  }

  /** The active model's part of the latent map (reference points, KNN regions), computed once per model in the worker. */
  latentMapBase(maxPoints: number): Promise<LatentMapBase> | undefined {
    const settings = this.settings();
    if (!settings.model) return undefined;
    const key = `${settings.model.dir}|${settings.model.created}|${maxPoints}`;
    if (this.mapBase?.key !== key) {
      const base = this.scoring.map(maxPoints, settings);
      this.mapBase = { key, base };
      // A failure is not remembered: the next look tries again.
      base.catch(() => this.mapBase?.base === base && (this.mapBase = undefined));
    }
    return this.mapBase.base;
  }

  private async findModelDir(): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const root = folder.uri.fsPath;
    const chosen = setting('model', folder.uri);
    if (chosen) return isAbsolute(chosen) ? chosen : join(root, chosen);
    // The model the workspace config trains.
    const configs = await vscode.workspace.findFiles('**/latent-xrd.json', '**/node_modules/**', 5);
    for (const config of configs) {
      try {
        const text = (await vscode.workspace.fs.readFile(config)).toString();
        const named = (JSON.parse(text) as { training?: { model?: string } }).training?.model ?? DEFAULT_TRAINING_CONFIG.model;
        const dir = pathInConfigFolder(dirname(config.fsPath), named, 'training.model');
        if (existsSync(join(dir, 'manifest.json'))) return dir;
      } catch {
        // A broken config is reported by the config's own diagnostics; keep looking.
      }
    }
    const found = await findModelFolders();
    return found[0];
  }

  dispose(): void {
    this.scoring.dispose();
    this.scanning.dispose();
    this.watcher.dispose();
    this.changed.dispose();
    this.loaded.dispose();
  }
}

/** Every model folder in the workspace (a folder whose manifest.json is a latent-xrd model). */
export async function findModelFolders(): Promise<string[]> {
  const manifests = await vscode.workspace.findFiles('**/manifest.json', '**/node_modules/**', 100);
  const dirs: string[] = [];
  for (const uri of manifests) {
    try {
      readManifest(dirname(uri.fsPath));
      dirs.push(dirname(uri.fsPath));
    } catch {
      // some other tool's manifest.json
    }
  }
  return dirs.sort();
}

export function workspaceRelative(path: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return path;
  const r = relative(folder.uri.fsPath, path);
  return r && !r.startsWith('..') ? r : path;
}
