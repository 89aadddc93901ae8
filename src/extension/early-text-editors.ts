// Pattern and collection files opened in the first seconds after the window opens, before VS Code
// has read the extension's contributions, open as plain text, and would stay text until reopened.
// At activation (onStartupFinished at the latest) such tabs are reopened in the editor the file's
// type has by default, in the same group, keeping focus and preview state. A file the user chose
// to read as text ("Reopen as Text", or VS Code's "Reopen Editor With…") is left as it is: every
// text tab of such a file opened while the extension runs is a choice, remembered per workspace.
import * as vscode from 'vscode';

/** A custom editor that is a file type's default (package.json: priority "default"), and its file names. */
export interface DefaultEditor {
  viewType: string;
  /** The selector's filenamePatterns, as regular expressions on the file's base name. */
  names: RegExp[];
}

interface CustomEditorContribution {
  viewType: string;
  priority?: string;
  selector?: { filenamePattern?: string }[];
}

/** A selector's filenamePattern (`*.xy`, `*.xy.gz`: `*` and `?` only) as a case-insensitive match of a base name. */
function filenamePatternToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`, 'i');
}

/** The default editors the manifest contributes: one place (package.json) says which files they open. */
export function defaultEditors(packageJSON: { contributes?: { customEditors?: CustomEditorContribution[] } }): DefaultEditor[] {
  return (packageJSON.contributes?.customEditors ?? [])
    .filter((e) => (e.priority ?? 'default') === 'default')
    .map((e) => ({
      viewType: e.viewType,
      names: (e.selector ?? []).flatMap((s) => (s.filenamePattern ? [filenamePatternToRegExp(s.filenamePattern)] : [])),
    }));
}

export function defaultEditorFor(uri: vscode.Uri, editors: DefaultEditor[]): string | undefined {
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  return editors.find((e) => e.names.some((n) => n.test(name)))?.viewType;
}

const CHOSEN_AS_TEXT = 'latentXrd.openedAsTextByChoice';
/** Enough for any real workspace; the oldest choices are forgotten first. */
const MAX_REMEMBERED = 500;

export class EarlyTextEditors implements vscode.Disposable {
  /** Files reopened in their editor at activation (for the integration tests and the log). */
  readonly reopened: vscode.Uri[] = [];
  private readonly listener: vscode.Disposable;

  constructor(private readonly state: vscode.Memento, private readonly editors: DefaultEditor[]) {
    // From now on the default editors are registered: a text tab of their files is a user's choice.
    this.listener = vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.opened) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText && defaultEditorFor(input.uri, this.editors)) this.remember(input.uri, true);
        else if (input instanceof vscode.TabInputCustom && defaultEditorFor(input.uri, this.editors) === input.viewType) this.remember(input.uri, false);
      }
    });
  }

  private chosen(): string[] {
    return this.state.get<string[]>(CHOSEN_AS_TEXT, []);
  }

  private remember(uri: vscode.Uri, asText: boolean): void {
    const key = uri.toString();
    const others = this.chosen().filter((k) => k !== key);
    void this.state.update(CHOSEN_AS_TEXT, asText ? [...others, key].slice(-MAX_REMEMBERED) : others);
  }

  /**
   * Reopens every text tab of a file with a default editor, unless the user chose text for it or
   * it has unsaved changes (closing it would ask). Returns the files reopened.
   */
  async reopen(): Promise<vscode.Uri[]> {
    const chosen = new Set(this.chosen());
    const done: vscode.Uri[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (!(input instanceof vscode.TabInputText) || tab.isDirty || chosen.has(input.uri.toString())) continue;
        const viewType = defaultEditorFor(input.uri, this.editors);
        if (!viewType) continue;
        const focused = tab.isActive && group.isActive;
        await vscode.commands.executeCommand('vscode.openWith', input.uri, viewType, { viewColumn: group.viewColumn, preserveFocus: !focused, preview: tab.isPreview });
        // The text tab, found again: the group's tabs changed when the editor opened.
        const stale = vscode.window.tabGroups.all
          .find((g) => g.viewColumn === group.viewColumn)
          ?.tabs.filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === input.uri.toString());
        if (stale && stale.length > 0) await vscode.window.tabGroups.close(stale, true);
        done.push(input.uri);
      }
    }
    this.reopened.push(...done);
    return done;
  }

  dispose(): void {
    this.listener.dispose();
  }
}
