// CIF language support over the engine's own parser: its diagnostics in the Problems panel as
// you type, hovers (cell parameters with the derived volume, a site's element and
// multiplicity), the outline (data blocks, loops) and an "Add to training set" code lens.
import * as vscode from 'vscode';
import { parseCif } from '../../core/cif';
import { cifHover, cifSymbols, type CifSymbol, type HoverPart } from '../../core/cif/language';
import { PreviewWorker } from '../../worker/host';
import { log } from '../output';
import type { CifFile } from '../../core/cif';
import type { Diagnostic, SourceRange } from '../../core/diagnostics';

const SELECTOR: vscode.DocumentSelector = { language: 'cif' };

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.line - 1, r.column - 1, r.endLine - 1, Math.max(r.endColumn - 1, r.column));
}

export function toDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(d.range ? toRange(d.range) : new vscode.Range(0, 0, 0, 0), d.message, severity);
  diagnostic.source = 'latent-xrd';
  if (d.code) diagnostic.code = d.code;
  return diagnostic;
}

/** Parsed once per document version, shared by hover, outline and code lens. */
class ParseCache {
  private readonly cache = new Map<string, { version: number; file: CifFile }>();
  get(document: vscode.TextDocument): CifFile {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.file;
    const file = parseCif(document.getText());
    this.cache.set(key, { version: document.version, file });
    return file;
  }
  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }
}

/** The hover's text as Markdown: every part appended as text (escaped), only the emphasis is Markdown. */
function hoverMarkdown(paragraphs: HoverPart[][]): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString();
  paragraphs.forEach((parts, i) => {
    if (i > 0) markdown.appendMarkdown('\n\n');
    for (const part of parts) {
      if (part.strong) markdown.appendMarkdown('**');
      markdown.appendText(part.text);
      if (part.strong) markdown.appendMarkdown('**');
    }
  });
  return markdown;
}

function toSymbol(s: CifSymbol): vscode.DocumentSymbol {
  const kind = s.kind === 'loop' ? vscode.SymbolKind.Array : s.kind === 'saveFrame' ? vscode.SymbolKind.Struct : vscode.SymbolKind.Module;
  const symbol = new vscode.DocumentSymbol(s.name, s.detail, kind, toRange(s.range), toRange(s.selection));
  symbol.children = s.children.map(toSymbol);
  return symbol;
}

export function registerCifLanguage(context: vscode.ExtensionContext): vscode.DiagnosticCollection {
  const diagnostics = vscode.languages.createDiagnosticCollection('cif');
  const parses = new ParseCache();
  const timers = new Map<string, NodeJS.Timeout>();

  // Structure diagnostics include the parser's; both carry line and column. Building a structure
  // can take seconds (a million atom images), so it happens in a worker, never on the host.
  let worker: PreviewWorker | undefined;
  const check = async (document: vscode.TextDocument) => {
    if (document.languageId !== 'cif') return;
    const version = document.version;
    worker ??= new PreviewWorker();
    try {
      const found = await worker.diagnose(document.getText());
      // An edit or a close meanwhile: its own check brings the current diagnostics.
      if (document.isClosed || document.version !== version) return;
      diagnostics.set(document.uri, found.map(toDiagnostic));
    } catch (e) {
      log(`${document.uri.fsPath}: diagnostics could not be computed: ${(e as Error).message}`);
    }
  };
  const schedule = (document: vscode.TextDocument) => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => void check(document), 200));
  };

  context.subscriptions.push(
    diagnostics,
    vscode.workspace.onDidOpenTextDocument((d) => void check(d)),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      diagnostics.delete(d.uri);
      parses.forget(d);
    }),
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover(document, position) {
        const hover = cifHover(parses.get(document), position.line + 1, position.character + 1);
        return hover ? new vscode.Hover(hoverMarkdown(hover.paragraphs), toRange(hover.range)) : undefined;
      },
    }),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      provideDocumentSymbols(document) {
        return cifSymbols(parses.get(document)).map(toSymbol);
      },
    }),
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      provideCodeLenses(document) {
        const file = parses.get(document);
        const structural = file.blocks.filter((b) => b.has('_cell_length_a') && (b.has('_atom_site_fract_x') || b.has('_atom_site_label')));
        return structural.map(
          (b) => new vscode.CodeLens(toRange(b.range), { command: 'latentXrd.addToTrainingSet', title: '$(add) Add to training set', tooltip: 'Add this structure as a known phase in latent-xrd.json', arguments: [document.uri, b.name] }),
        );
      },
    }),
  );
  vscode.workspace.textDocuments.forEach((d) => void check(d));
  context.subscriptions.push({ dispose: () => worker?.dispose() });
  return diagnostics;
}
