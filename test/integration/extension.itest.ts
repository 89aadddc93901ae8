// Integration tests: inside a real VS Code extension host (code-server's), against the real
// `vscode` API, on a copy of test/fixtures/workspace. Run by scripts/vscode/test-integration.mjs.
import * as assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, until, workspaceFile } from './helpers';

/** TensorFlow.js modules loaded in this process (the extension host). */
function tensorFlowOnHost(): string[] {
  return Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
}
import { PATTERN_EDITOR } from '../../src/extension/editors/pattern-editor';
import { COLLECTION_EDITOR } from '../../src/extension/editors/collection-editor';
import { EarlyTextEditors, defaultEditors } from '../../src/extension/early-text-editors';
import { reliabilityState } from '../../src/core/model/reliability';
import { verdictLabel } from '../../src/core/analysis/verdict';
import { trainingSettings } from '../../src/core/model/training-run';

const manifest = JSON.parse(readFileSync(`${__dirname}/../../../package.json`, 'utf8'));

/** The 20-byte pattern file: two points, ±1e308. */
const HOSTILE_XY = '20 -1e308\n50 1e308\n';
/** The file the scoring worker sleeps on (test-only fault injection, set by scripts/vscode/test-integration.mjs). */
const STALL_FILE = 'stall-forever.xy';

/** A hover's Markdown as read: escapes and the &nbsp; of MarkdownString.appendText undone, emphasis kept. */
const hoverText = (hovers: vscode.Hover[]) =>
  hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value)))
    .join('\n')
    .replace(/&nbsp;/g, ' ')
    .replace(/\\([\\`*_{}[\]()#+\-!~>.])/g, '$1');

/** Counts the ticks of a 20 ms timer of the extension host while `work` runs: a blocked host ticks about once. */
async function ticking<T>(work: () => Thenable<T>): Promise<{ value: T; ticks: number; seconds: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const started = Date.now();
  try {
    return { value: await work(), ticks, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

/** The file scripts/vscode/test-integration.mjs has the workbench open as it starts. */
const OPENED_AT_START = 'sigma-simulated.xy';

/** Every tab showing `uri`, in any group. */
const tabsOf = (uri: vscode.Uri) =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => (t.input as { uri?: vscode.Uri } | undefined)?.uri?.toString() === uri.toString());
const isPatternTab = (t: vscode.Tab) => t.input instanceof vscode.TabInputCustom && t.input.viewType === PATTERN_EDITOR;
const isTextTab = (t: vscode.Tab) => t.input instanceof vscode.TabInputText;

/** A workspaceState of its own, for an instance that has seen no choice yet. */
class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T {
    return (this.values.has(key) ? this.values.get(key) : fallback) as T;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

describe('Latent XRD in a real extension host', function () {
  // First: it looks at the editors the window opened with.
  it('a pattern file opened with the window, before the extension had started, ends in the pattern editor, not as text', async () => {
    const latent = await api();
    const uri = workspaceFile('patterns', OPENED_AT_START);
    await until(`${OPENED_AT_START} in the pattern editor and in no text editor`, () => tabsOf(uri).some(isPatternTab) && !tabsOf(uri).some(isTextTab));
    const how = latent.earlyTextEditors.reopened.some((u) => u.toString() === uri.toString()) ? 'opened as text, then reopened at activation' : 'opened in the pattern editor directly';
    console.log(`${OPENED_AT_START}: ${how}`);
  });

  it('reopens a pattern file left as text in the pattern editor, in its group; one the user chose to read as text stays text', async () => {
    const latent = await api();
    const uri = workspaceFile('patterns', 'co-simulated.xy');
    // As the race leaves it: a text tab nobody chose. The instance is made after the tab opened, so
    // (like the extension at activation) it has not seen it open.
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    await until('the text tab', () => tabsOf(uri).some(isTextTab));
    const column = tabsOf(uri).find(isTextTab)!.group.viewColumn;
    const fresh = new EarlyTextEditors(new MemoryMemento(), defaultEditors(manifest));
    try {
      assert.deepEqual((await fresh.reopen()).map((u) => u.toString()), [uri.toString()]);
      assert.ok(tabsOf(uri).some((t) => isPatternTab(t) && t.group.viewColumn === column), 'the pattern editor is in the text tab\'s group');
      assert.ok(!tabsOf(uri).some(isTextTab), 'the text tab is closed');
    } finally {
      fresh.dispose();
    }
    // Now chosen: "Reopen as Text" while the extension runs. The extension's own instance saw it,
    // and leaves it at the next activation.
    await vscode.commands.executeCommand('latentXrd.reopenAsText');
    await until('the text tab the user asked for', () => tabsOf(uri).some(isTextTab));
    await until('the choice remembered', async () => (await latent.earlyTextEditors.reopen()).length === 0 && tabsOf(uri).some(isTextTab));
    await vscode.window.tabGroups.close(tabsOf(uri));
  });

  it('activates without loading TensorFlow.js, and registers every command it contributes', async () => {
    const latent = await api();
    assert.ok(latent.activatedInMs >= 0);
    // Models load in the scoring worker; the host never loads TensorFlow.js (once it did, through
    // an import of the watch folder's index at activation).
    assert.deepEqual(tensorFlowOnHost(), []);
    const registered = await vscode.commands.getCommands(true);
    for (const c of manifest.contributes.commands as { command: string }[]) assert.ok(registered.includes(c.command), `${c.command} is not registered`);
    console.log(`activated in ${latent.activatedInMs} ms`);
  });

  it('reports CIF parser diagnostics in the Problems panel, with line and column', async () => {
    const uri = workspaceFile('broken-loop.cif');
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.languageId, 'cif');
    const diagnostics = await until('CIF diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length > 0 && d;
    });
    const error = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, 'an error diagnostic');
    assert.ok(error.range.start.line > 0, 'located on a line');
  });

  it('updates diagnostics as the CIF is edited', async () => {
    const uri = workspaceFile('Ni-fcc.cif');
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    assert.equal(vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, 0);
    await editor.edit((e) => e.insert(new vscode.Position(document.lineCount, 0), "\nloop_\n_atom_site_label\n'unterminated\n"));
    await until('a diagnostic after the edit', () => vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
    await vscode.commands.executeCommand('undo');
    await until('the diagnostic gone after undo', () => !vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('hovers a cell parameter with the derived volume and a site with its multiplicity', async () => {
    const uri = workspaceFile('Ni-fcc.cif');
    const document = await vscode.workspace.openTextDocument(uri);
    const text = document.getText();
    const at = (needle: string) => document.positionAt(text.indexOf(needle) + 2);
    const cellHover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at('_cell_length_a'));
    const cellText = hoverText(cellHover);
    assert.match(cellText, /Derived cell volume: \*\*43\.\d+ Å³\*\*/);
    const siteLine = text.split(/\r?\n/).findIndex((l) => /^\s*Ni\d?\s/.test(l));
    const siteHover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(siteLine, 1));
    const siteText = hoverText(siteHover);
    assert.match(siteText, /Multiplicity in the cell: \*\*4\*\*/);
  });

  it('hovers a site label as text: Markdown in a label (a link) is escaped, not rendered', async () => {
    const ni = readFileSync(workspaceFile('Ni-fcc.cif').fsPath, 'utf8');
    const uri = workspaceFile('hostile-label.cif');
    writeFileSync(uri.fsPath, ni.replace(/^Ni1 Ni /m, "'[x](https://example.com)' Ni "));
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const line = document.getText().split(/\r?\n/).findIndex((l) => l.startsWith("'[x]"));
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 2));
      const raw = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
      assert.match(hoverText(hovers), /Site \*\*\[x\]\(https:\/\/example\.com\)\*\*/, raw);
      // Every bracket in the Markdown is escaped: nothing the file says becomes a link.
      assert.doesNotMatch(raw, /(^|[^\\])[[\]()]/, raw);
    } finally {
      unlinkSync(uri.fsPath);
    }
  });

  it('lists data blocks and loops as document symbols, and offers the training-set code lens', async () => {
    const uri = workspaceFile('Ni-fcc.cif');
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.ok(symbols.length >= 1);
    assert.match(symbols[0].name, /^data_/);
    assert.ok(symbols[0].children.some((c) => c.name.startsWith('loop_')));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.some((l) => l.command?.command === 'latentXrd.addToTrainingSet'));
  });

  it('validates latent-xrd.json against its JSON Schema', async () => {
    const uri = workspaceFile('bad-config', 'latent-xrd.json');
    await vscode.window.showTextDocument(uri);
    const diagnostics = await until('a schema diagnostic on the bad config', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length > 0 && d;
    }, 60_000);
    assert.ok(diagnostics.some((d) => /epochz|not allowed|Property/i.test(d.message)), diagnostics.map((d) => d.message).join('; '));
  });

  it('trains a model from the command palette command in a worker, keeping the host responsive', async function () {
    this.timeout(600_000);
    const latent = await api();
    const outcome = await vscode.commands.executeCommand<{ status: string; value?: { modelDir: string; eventLoopDelayMs: { p99: number }; backend: string } }>('latentXrd.trainModel', { config: workspaceFile('latent-xrd.json') });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    assert.ok(existsSync(`${outcome.value!.modelDir}/manifest.json`));
    console.log(`training: backend ${outcome.value!.backend}, extension-host event-loop delay p99 ${outcome.value!.eventLoopDelayMs.p99} ms`);
    await until('the new model active', () => latent.models.current?.dir === outcome.value!.modelDir);
  });

  it('selects a model folder (remembered in the workspace settings) and keeps an existing config', async () => {
    const latent = await api();
    const dir = latent.models.current!.dir;
    await vscode.commands.executeCommand('latentXrd.selectModel', dir);
    assert.equal(vscode.workspace.getConfiguration('latentXrd').get('model'), 'model');
    assert.equal(latent.models.current?.dir, dir);
    const config = workspaceFile('latent-xrd.json');
    const before = Buffer.from(await vscode.workspace.fs.readFile(config)).toString('utf8');
    const created = await vscode.commands.executeCommand<vscode.Uri>('latentXrd.createConfig');
    assert.equal(created.toString(), config.toString());
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(config)).toString('utf8'), before, 'an existing config is opened, not overwritten');
  });

  it('trains a cVAE config from the command palette as `latent-xrd train` does (compositions from the phase map), the active model kept', async function () {
    this.timeout(600_000);
    const latent = await api();
    const active = latent.models.current!.dir;
    // A second config in its own folder, removed again: the other tests see one config.
    const lab = workspaceFile('cvae-lab');
    mkdirSync(lab.fsPath);
    try {
      for (const cif of ['Co-hcp.cif', 'Ni-fcc.cif', 'Cr-bcc.cif']) copyFileSync(workspaceFile(cif).fsPath, join(lab.fsPath, cif));
      const training = { compositionElements: ['Co', 'Ni', 'Cr'], beta: 1, epochs: 2, klWarmupEpochs: 1, batchSize: 32 };
      const config = {
        phases: [
          { name: 'Co', cif: 'Co-hcp.cif', count: 100, composition: { Co: 0.7, Ni: 0.2, Cr: 0.1 } },
          { name: 'Ni', cif: 'Ni-fcc.cif', count: 100, composition: { Co: 0.15, Ni: 0.7, Cr: 0.15 } },
          { name: 'Cr', cif: 'Cr-bcc.cif', count: 100, composition: { Co: 0.05, Ni: 0.2, Cr: 0.75 } },
        ],
        grid: { twoThetaMin: 20, twoThetaMax: 90, points: 512 },
        output: 'data.h5',
        training,
      };
      writeFileSync(join(lab.fsPath, 'latent-xrd.json'), JSON.stringify(config, null, 2));
      const outcome = await vscode.commands.executeCommand<{ status: string; message?: string; value?: { modelDir: string } }>('latentXrd.trainModel', { config: vscode.Uri.joinPath(lab, 'latent-xrd.json') });
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      assert.equal(outcome.value!.modelDir, join(lab.fsPath, 'model'));
      const trained = JSON.parse(readFileSync(join(lab.fsPath, 'model', 'manifest.json'), 'utf8'));
      assert.equal(trained.kind, 'cvae');
      assert.deepEqual(trained.spec.compositionElements, ['Co', 'Ni', 'Cr']);
      // The training the CLI would run on this config (core/model/training-run.ts), to the key.
      assert.deepEqual(trained.training.config, trainingSettings(training));
      assert.equal(latent.models.current?.dir, active, 'the latentXrd.model setting keeps the active model');
    } finally {
      rmSync(lab.fsPath, { recursive: true, force: true });
    }
  });

  it('opens an .xy file in the pattern editor with the reconstruction', async () => {
    const latent = await api();
    const uri = workspaceFile('patterns', 'ni-simulated.xy');
    await vscode.commands.executeCommand('vscode.openWith', uri, PATTERN_EDITOR);
    await until('the pattern plotted', () => (latent.patternEditor.open.get(uri.toString())?.rendered ?? 0) > 0);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === PATTERN_EDITOR);
  });

  it('scores the workspace: every pattern file ranked, the unreadable one listed with its error', async () => {
    const ranked = await vscode.commands.executeCommand<{ file: string; verdict?: string; error?: string }[]>('latentXrd.scoreWorkspace');
    const names = ranked.map((r) => r.file.split('/').pop());
    assert.ok(names.includes('ni-simulated.xy'));
    const bad = ranked.find((r) => r.file.endsWith('malformed.xy'));
    assert.ok(bad?.error && /malformed\.xy:\d+:\d+/.test(bad.error), JSON.stringify(bad));
    const sigma = ranked.find((r) => r.file.endsWith('sigma-simulated.xy'));
    const ni = ranked.find((r) => r.file.endsWith('ni-simulated.xy'));
    assert.ok(sigma && ni);
    assert.ok(ranked.indexOf(sigma) < ranked.indexOf(ni), 'the unknown σ phase ranks above simulated Ni');
  });

  it('one threshold in every view: the model\'s unless the setting overrides it; the model\'s reliability shown with its verdicts', async function () {
    this.timeout(120_000);
    const latent = await api();
    const active = latent.models.current!;
    const reliability = reliabilityState(active.manifest);
    assert.equal(typeof active.manifest.reliability?.reliable, 'boolean', 'a model trained now records its held-out checks');
    const rows = latent.ranking.getChildren();
    const warning = rows.find((r) => 'kind' in r && r.kind === 'model-warning');
    assert.equal(!!warning, reliability.reliable !== true, 'a warning row above the files exactly when the model is not reliable');
    const card = latent.modelCard.getChildren();
    const reliabilityRow = card.find((r) => r.label === 'Unreliable model' || r.label === 'Reliability')!;
    assert.equal(reliabilityRow.label, reliability.reliable === false ? 'Unreliable model' : 'Reliability');
    if (reliability.reliable === false) assert.equal(reliabilityRow.children?.length, reliability.reasons.length);
    const uri = workspaceFile('patterns', 'ni-simulated.xy');
    await vscode.commands.executeCommand('vscode.openWith', uri, PATTERN_EDITOR);
    const editorState = () => latent.patternEditor.open.get(uri.toString());
    const settings = vscode.workspace.getConfiguration('latentXrd');
    const agree = async (pThreshold: number, source: 'model' | 'override') => {
      assert.deepEqual([latent.models.threshold()?.pThreshold, latent.models.threshold()?.source], [pThreshold, source]);
      assert.match(latent.modelCard.getChildren().find((r) => r.label === 'Novelty threshold')?.description ?? '', source === 'model' ? /the model's/ : /from the setting/);
      // Every scored file in the ranking at this threshold, and the editor's badge for the same file.
      const ranked = await until(`the ranking at p < ${pThreshold}`, () => {
        const scored = latent.scores.list.filter((f) => f.score);
        const expected = (s: { pValue: number; coverage?: number }) => (s.coverage !== undefined && s.coverage < 0.5 ? 'outside-range' : s.pValue < pThreshold ? 'novel' : 'known');
        return scored.length > 0 && scored.every((f) => f.score!.verdict === expected(f.score!)) && scored;
      });
      const ni = ranked.find((f) => f.uri.toString() === uri.toString())!;
      const label = verdictLabel(ni.score!.verdict, reliability.reliable);
      await until(`the editor's badge ${label}`, () => editorState()?.lastVerdict === label);
    };
    await agree(active.manifest.calibration.pThreshold, 'model');
    // p = 1 for no pattern but the most typical: with 0.999 as the threshold nearly every file turns novel.
    await settings.update('noveltyPValueThreshold', 0.999, vscode.ConfigurationTarget.Workspace);
    try {
      await agree(0.999, 'override');
    } finally {
      await settings.update('noveltyPValueThreshold', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await agree(active.manifest.calibration.pThreshold, 'model');
  });

  it('rescores when a pattern file is added', async () => {
    const latent = await api();
    const source = workspaceFile('patterns', 'ni-simulated.xy');
    const copy = workspaceFile('patterns', 'ni-copy.xy');
    await vscode.workspace.fs.copy(source, copy, { overwrite: true });
    await until('the new file scored', () => latent.scores.list.some((f) => f.uri.toString() === copy.toString() && f.score));
    await vscode.workspace.fs.delete(copy);
    await until('the deleted file gone', () => !latent.scores.list.some((f) => f.uri.toString() === copy.toString()));
  });

  it('scores a thousand pattern files in batches as they arrive, the host turning meanwhile; a newer rescan supersedes an older one', async function () {
    this.timeout(600_000);
    const latent = await api();
    assert.ok(latent.models.current, 'an active model (the training test above made one)');
    const before = new Set(latent.scores.list.map((f) => f.uri.toString()));
    // Copies of a known (Ni) and a novel (σ) pattern, each a quarter of the points (a different
    // quarter by turn) with the intensities scaled a little: small files, all different.
    const sources = ['ni-simulated.xy', 'sigma-simulated.xy'].map((n) => readFileSync(workspaceFile('patterns', n).fsPath, 'utf8').trimEnd().split('\n'));
    const folder = workspaceFile('many-patterns');
    mkdirSync(folder.fsPath, { recursive: true });
    const count = 1000;
    const written = new Set<string>();
    for (let k = 0; k < count; k++) {
      const lines = sources[k % 2];
      const header = lines.filter((l) => l.startsWith('#'));
      const data = lines.filter((l) => !l.startsWith('#')).filter((_, j) => j % 4 === (k >> 1) % 4);
      const scale = 1 + ((k % 25) - 12) * 0.004;
      const body = data.map((l) => {
        const [t, y] = l.trim().split(/\s+/);
        return `${t} ${(Number(y) * scale).toFixed(6)}`;
      });
      const uri = vscode.Uri.joinPath(folder, `scan-${String(k).padStart(4, '0')}.xy`);
      writeFileSync(uri.fsPath, [...header, ...body].join('\n') + '\n');
      written.add(uri.toString());
    }
    const allScored = () => latent.scores.list.filter((f) => written.has(f.uri.toString()) && f.score).length === count;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const started = Date.now();
    try {
      // The file watcher picks them up: the whole folder is read and scored in batches.
      await until('every new file scored', allScored, 300_000);
      const arrived = (Date.now() - started) / 1000;
      assert.ok(latent.scores.ranked().filter((f) => written.has(f.uri.toString())).length === count, 'all in the ranking');

      // A full rescan, timed: the scoring rate.
      const rescanStarted = Date.now();
      await latent.scores.rescanAll();
      const rescan = (Date.now() - rescanStarted) / 1000;
      const files = latent.scores.list.length;
      assert.ok(allScored() && files === before.size + count, `${files} files after the rescan`);

      // A rescan started while another is part way through: the older stops, and awaiting it
      // gives the newer's whole list.
      const older = latent.scores.rescanAll();
      while (!(latent.scores.list.length > 0 && latent.scores.list.length < files)) await new Promise((r) => setImmediate(r));
      let newerDone = false;
      void latent.scores.rescanAll().then(() => (newerDone = true));
      await older;
      assert.ok(newerDone, 'the superseded rescan resolves once the newer one has finished');
      assert.ok(allScored() && latent.scores.list.length === files, `${latent.scores.list.length} files after the superseded rescan`);

      const seconds = (Date.now() - started) / 1000;
      console.log(
        `${count} pattern files: all scored ${arrived.toFixed(1)} s after they were written; a full rescan of ${files} files took ${rescan.toFixed(1)} s (${Math.round(files / rescan)} files/s); ${ticks} timer ticks of the host in ${seconds.toFixed(1)} s`,
      );
      // Blocked, the host would run the 20 ms timer about once in all that time.
      assert.ok(ticks >= Math.max(3, seconds * 10), `${ticks} ticks in ${seconds} s`);
    } finally {
      clearInterval(timer);
      // Deleting the folder takes its files off the list (one delete event, for the folder).
      await vscode.workspace.fs.delete(folder, { recursive: true });
    }
    await until('the folder\'s files gone from the list', () => !latent.scores.list.some((f) => written.has(f.uri.toString())), 60_000);
    assert.deepEqual(new Set(latent.scores.list.map((f) => f.uri.toString())), before);
  });

  it('scores the workspace with the 20-byte file and a file that never finishes among ordinary ones: those two get errors, the others verdicts, the host keeps turning', async function () {
    this.timeout(300_000);
    const latent = await api();
    assert.equal(process.env.LATENT_XRD_TEST_STALL_FILE, STALL_FILE, 'the extension host has the test-only stall file set (scripts/vscode/test-integration.mjs)');
    const settings = vscode.workspace.getConfiguration('latentXrd');
    await settings.update('scoring.timeLimitSeconds', 3, vscode.ConfigurationTarget.Workspace);
    const hostile = workspaceFile('patterns', 'p.xy');
    const stall = workspaceFile('patterns', STALL_FILE);
    writeFileSync(hostile.fsPath, HOSTILE_XY);
    copyFileSync(workspaceFile('patterns', 'co-simulated.xy').fsPath, stall.fsPath);
    const restartsBefore = latent.models.scanning.restarts;
    try {
      const { value: ranked, ticks, seconds } = await ticking(() => vscode.commands.executeCommand<{ file: string; verdict?: string; error?: string }[]>('latentXrd.scoreWorkspace'));
      const byName = new Map(ranked.map((r) => [r.file.split('/').pop()!, r]));
      assert.match(byName.get('p.xy')?.error ?? '', /^p\.xy: /, JSON.stringify(byName.get('p.xy')));
      assert.equal(byName.get('p.xy')?.verdict, undefined, 'no verdict on ±1e308');
      assert.match(byName.get(STALL_FILE)?.error ?? '', /not scored: reading and scoring it took longer than the time limit of 3 s, so it was stopped/, JSON.stringify(byName.get(STALL_FILE)));
      for (const name of ['ni-simulated.xy', 'co-simulated.xy', 'sigma-simulated.xy', 'TiO2-measured.xy']) assert.match(byName.get(name)?.verdict ?? '', /^(known|novel)$/, `${name}: ${JSON.stringify(byName.get(name))}`);
      assert.ok(latent.models.scanning.restarts > restartsBefore, 'the stuck worker was replaced');
      console.log(`hostile workspace: scored in ${seconds.toFixed(1)} s, ${ticks} timer ticks of the host meanwhile`);
      assert.ok(ticks >= Math.max(3, seconds * 10), `${ticks} ticks in ${seconds} s`);

      // The pattern editor on the stuck file: its own error after the time limit, the host free.
      const opened = await ticking(async () => {
        await vscode.commands.executeCommand('vscode.openWith', stall, PATTERN_EDITOR);
        return until('the pattern editor\'s error', () => (latent.patternEditor.open.get(stall.toString())?.failed ?? 0) > 0 && latent.patternEditor.open.get(stall.toString()), 60_000);
      });
      assert.match(opened.value.lastError ?? '', /^stall-forever\.xy: reading and scoring it took longer than the time limit of 3 s/);
      assert.ok(opened.ticks >= Math.max(3, opened.seconds * 10), `${opened.ticks} ticks in ${opened.seconds} s`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

      // A 170-byte collection asking for 400 million points: parsed in the worker, an error in its editor.
      const huge = workspaceFile('huge.xrd');
      writeFileSync(huge.fsPath, JSON.stringify({ format: 'latent-xrd-collection', version: 1, grid: { min: 20, max: 90, points: 400_000_000 }, samples: [{ id: 'a', intensity: [1, 2] }] }));
      try {
        const shown = await ticking(async () => {
          await vscode.commands.executeCommand('vscode.openWith', huge, COLLECTION_EDITOR);
          return until('the collection editor\'s error', () => latent.collectionEditor.errors.get(huge.toString()), 120_000);
        });
        assert.match(shown.value, /^huge\.xrd[: ]/);
        assert.ok(shown.ticks >= Math.max(3, shown.seconds * 10), `${shown.ticks} ticks in ${shown.seconds} s`);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      } finally {
        unlinkSync(huge.fsPath);
      }
    } finally {
      unlinkSync(hostile.fsPath);
      unlinkSync(stall.fsPath);
      await settings.update('scoring.timeLimitSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('the hostile files gone from the list', () => !latent.scores.list.some((f) => f.name === 'p.xy' || f.name === STALL_FILE), 60_000);
  });

  it('exports the scores as CSV', async () => {
    const target = workspaceFile('scores.csv');
    await vscode.commands.executeCommand('latentXrd.exportScores', target);
    const csv = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
    const [header, ...rows] = csv.trim().split('\n');
    assert.match(header, /^file,verdict,p_value,bce_excess,bce,mse,nearest_phase,coverage,(z\d+,)+unexplained_peaks,error$/);
    assert.ok(rows.length >= 3);
    // A scored file's coverage is a fraction of the model's range.
    const scored = rows.map((r) => r.split(',')).filter((cells) => cells[1] === 'known' || cells[1] === 'novel');
    assert.ok(scored.length >= 2 && scored.every((cells) => Number(cells[7]) > 0 && Number(cells[7]) <= 1), rows.join('\n'));
  });

  it('exports the latent map as SVG and PNG (drawn by the map view)', async () => {
    const folder = workspaceFile('figures');
    await vscode.workspace.fs.createDirectory(folder);
    const written = await vscode.commands.executeCommand<vscode.Uri[]>('latentXrd.exportFigures', folder);
    const names = written.map((u) => u.path.split('/').pop()).sort();
    assert.deepEqual(names, ['latent-map-by-error.png', 'latent-map-by-error.svg', 'latent-map-by-phase.png', 'latent-map-by-phase.svg']);
    const png = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'latent-map-by-phase.png'));
    assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.length > 5000, `a real picture (${png.length} bytes)`);
    const svg = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'latent-map-by-phase.svg'))).toString('utf8');
    assert.match(svg, /^<svg xmlns/);
  });

  it('opens the CIF preview beside the text and follows edits', async () => {
    const latent = await api();
    const uri = workspaceFile('Cr-bcc.cif');
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('latentXrd.openCifPreviewToSide');
    const controller = await until('a preview', () => [...latent.cifPreview.controllers][0]);
    await until('the preview rendered', () => controller.renders > 0);
    const before = controller.renders;
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const text = document.getText();
    const at = text.indexOf('2.88');
    assert.ok(at > 0, 'the fixture states a = 2.88… Å');
    await editor.edit((e) => e.replace(new vscode.Range(document.positionAt(at), document.positionAt(at + 4)), '2.95'));
    await until('the preview re-rendered after the edit', () => controller.renders > before);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('computes a large CIF preview off the extension host (the host keeps turning meanwhile)', async () => {
    const latent = await api();
    const uri = workspaceFile('large-mof.cif');
    const before = new Set(latent.cifPreview.controllers);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      await vscode.commands.executeCommand('latentXrd.openCifPreviewToSide', uri);
      const controller = await until('the new preview', () => [...latent.cifPreview.controllers].find((c) => !before.has(c)));
      const started = Date.now();
      await until('the large preview rendered', () => controller.renders > 0, 120_000);
      const seconds = (Date.now() - started) / 1000;
      console.log(`large CIF preview: ${seconds.toFixed(1)} s, ${ticks} timer ticks of the host meanwhile`);
      // Blocked, the host would run the 20 ms timer about once in all that time.
      assert.ok(ticks >= Math.max(3, seconds * 10), `${ticks} ticks in ${seconds} s`);
    } finally {
      clearInterval(timer);
    }
  });

  it('opens an .xrd collection; flagging a sample is an undoable edit of the document', async () => {
    const latent = await api();
    const uri = workspaceFile('wafer.xrd');
    await vscode.commands.executeCommand('vscode.openWith', uri, COLLECTION_EDITOR);
    await until('the collection rendered', () => (latent.collectionEditor.renders.get(uri.toString()) ?? 0) > 0);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.isDirty, false);
    await latent.collectionEditor.toggleFlag(document, 0, true);
    assert.equal(document.isDirty, true);
    assert.match(document.getText(), /"flagged": true/);
    await until('re-rendered with the flag', () => (latent.collectionEditor.renders.get(uri.toString()) ?? 0) > 1);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until('reverted', () => !document.isDirty);
    assert.doesNotMatch(document.getText(), /"flagged"/);
  });

  it('exports the library map as drawn (SVG and PNG) and the score of every sample (CSV)', async () => {
    const uri = workspaceFile('wafer.xrd');
    await vscode.commands.executeCommand('vscode.openWith', uri, COLLECTION_EDITOR);
    const samples = (JSON.parse(readFileSync(uri.fsPath, 'utf8')).samples as unknown[]).length;
    const target = workspaceFile('exported/wafer-map-error.svg');
    await vscode.workspace.fs.createDirectory(workspaceFile('exported'));
    const written = (await vscode.commands.executeCommand('latentXrd.exportCollection', uri, target)) as vscode.Uri[];
    assert.deepEqual(written.map((u) => u.fsPath.split('/').pop()), ['wafer-map-error.svg', 'wafer-map-error.png', 'wafer-scores.csv']);
    const svg = readFileSync(written[0].fsPath, 'utf8');
    assert.equal((svg.match(/class="sample"/g) ?? []).length, samples, 'one marker per sample');
    assert.match(svg, /excess BCE/, 'coloured by the model error, with its colour bar');
    const png = readFileSync(written[1].fsPath);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const csv = readFileSync(written[2].fsPath, 'utf8').trim().split('\n');
    assert.equal(csv.length, samples + 1);
    assert.match(csv[0], /^id,x_mm,y_mm,.*verdict,p_value,bce_excess/);
    assert.ok(csv.slice(1).every((line) => /,(known|novel),/.test(line)), 'every sample scored');
  });

  it('watches a measurement folder: files scored once, complete, as they arrive; novel ones announced; unreadable ones listed', async () => {
    const latent = await api();
    const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-watch-'));
    const settings = vscode.workspace.getConfiguration('latentXrd');
    // Every pattern less typical than the most typical calibration pattern counts as novel here,
    // so the notification is exercised whatever this small test model makes of σ.
    await settings.update('noveltyPValueThreshold', 0.999, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('latentXrd.watchFolder', vscode.Uri.file(dir), { includeExisting: false });
      assert.equal(latent.measurements.watching?.fsPath, dir);
      // Written in four pieces with pauses shorter than the settle time, as an instrument streams it.
      const text = readFileSync(workspaceFile('patterns', 'sigma-simulated.xy').fsPath, 'utf8');
      const lines = text.trimEnd().split('\n');
      const points = lines.filter((l) => /^\s*[\d.]/.test(l)).length;
      const run = join(dir, 'run-001.xy');
      for (let k = 0; k < 4; k++) {
        appendFileSync(run, lines.slice((k * lines.length) / 4, ((k + 1) * lines.length) / 4).join('\n') + '\n');
        await new Promise((r) => setTimeout(r, 80));
      }
      const entry = await until('the measurement scored', () => latent.scores.list.find((f) => f.uri.fsPath === run && f.score));
      assert.equal(latent.scores.newest, entry.uri.toString(), 'the newest on the map');
      await until('the novel notification', () => latent.measurements.notified.some((m) => m.includes('run-001.xy')));
      const reads = latent.measurements.history.filter((h) => h.path === run);
      assert.deepEqual(reads.map((h) => h.points), [points], 'read once, and whole');

      copyFileSync(workspaceFile('patterns', 'malformed.xy').fsPath, join(dir, 'run-002.xy'));
      const bad = await until('the unreadable file listed', () => latent.scores.list.find((f) => f.name === 'run-002.xy' && f.error));
      assert.match(bad.error!, /run-002\.xy:\d+:\d+/);

      // The 20-byte file arriving: listed with its error, no verdict; the next measurement is still scored.
      writeFileSync(join(dir, 'run-003.xy'), HOSTILE_XY);
      const hostile = await until('the 20-byte file listed', () => latent.scores.list.find((f) => f.name === 'run-003.xy' && (f.error || f.score)));
      assert.ok(hostile.error && !hostile.score, JSON.stringify({ error: hostile.error, score: hostile.score }));
      copyFileSync(workspaceFile('patterns', 'ni-simulated.xy').fsPath, join(dir, 'run-004.xy'));
      await until('the next measurement scored', () => latent.scores.list.find((f) => f.name === 'run-004.xy' && f.score));

      unlinkSync(run);
      await until('the deleted measurement gone', () => !latent.scores.list.some((f) => f.uri.fsPath === run));
    } finally {
      await vscode.commands.executeCommand('latentXrd.stopWatching');
      await settings.update('noveltyPValueThreshold', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal(latent.measurements.watching, undefined);
  });

  it('after training, scoring, maps, exports and the watch folder, TensorFlow.js is still not loaded on the host', () => {
    assert.deepEqual(tensorFlowOnHost(), []);
  });
});
