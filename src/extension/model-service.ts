// Which model is active, and the model itself once something needs it. The manifest is read
// without TensorFlow.js (model card, status bar); the weights and the backend load on the first
// score and are reused until the model changes.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { readManifest, type ModelManifest } from '../core/model/manifest';
import { pathInConfigFolder } from '../core/synth/config-paths';
import type { BackendPreference } from '../core/model/backend';
import type { Scorer } from '../core/model/score';
import { log } from './output';

export interface ActiveModel {
  dir: string;
  manifest: ModelManifest;
  /** Folder name relative to the workspace, for people. */
  name: string;
}

export interface LoadedEngine {
  scorer: Scorer;
  backend: string;
}

export class ModelService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ActiveModel | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<string>();
  /** The weights and backend have loaded (the backend's name): for the status bar and model card. */
  readonly onDidLoad = this.loaded.event;
  private active: ActiveModel | undefined;
  private engine: Promise<LoadedEngine> | undefined;
  private backendName: string | undefined;
  private readonly watcher: vscode.FileSystemWatcher;

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
    const same = next?.dir === this.active?.dir && next?.manifest.created === this.active?.manifest.created;
    if (!same) {
      this.active = next;
      this.engine = undefined;
      log(next ? `active model: ${next.name} (${next.manifest.kind}, phases ${next.manifest.phases.join(', ')})` : 'no active model');
      this.changed.fire(next);
    }
    return this.active;
  }

  /** Makes `dir` the active model (the Select Model command), remembered in the workspace settings. */
  async select(dir: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    await vscode.workspace.getConfiguration('latentXrd', folder?.uri).update('model', folder ? relative(folder.uri.fsPath, dir) || '.' : dir, vscode.ConfigurationTarget.Workspace);
    await this.refresh();
  }

  /** The scorer of the active model, loading TensorFlow.js and the weights the first time. */
  async scorer(): Promise<LoadedEngine | undefined> {
    const active = this.active ?? (await this.refresh());
    if (!active) return undefined;
    this.engine ??= this.load(active);
    try {
      return await this.engine;
    } catch (e) {
      this.engine = undefined;
      throw e;
    }
  }

  private async load(active: ActiveModel): Promise<LoadedEngine> {
    const started = Date.now();
    const engine = await import('./model-engine');
    const preference = vscode.workspace.getConfiguration('latentXrd').get<BackendPreference>('backend', 'auto');
    const backend = await engine.initBackend(preference);
    this.backendName = backend.name;
    const model = await engine.loadModel(active.dir);
    log(`loaded ${active.name} on ${backend.name} in ${Date.now() - started} ms${backend.notes.length ? ` (${backend.notes.join('; ')})` : ''}`);
    this.loaded.fire(backend.name);
    return { scorer: new engine.Scorer(model), backend: backend.name };
  }

  private async findModelDir(): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const root = folder.uri.fsPath;
    const setting = vscode.workspace.getConfiguration('latentXrd', folder.uri).get<string>('model', '');
    if (setting) return isAbsolute(setting) ? setting : join(root, setting);
    // The model the workspace config trains.
    const configs = await vscode.workspace.findFiles('**/latent-xrd.json', '**/node_modules/**', 5);
    for (const config of configs) {
      try {
        const text = (await vscode.workspace.fs.readFile(config)).toString();
        const named = (JSON.parse(text) as { training?: { model?: string } }).training?.model ?? 'model';
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
