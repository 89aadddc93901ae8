// Small DOM helpers: elements with text (never innerHTML with data), and the error panel.
import type { ProblemPayload } from '../src/protocol/webview';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { send } from './host';
import './elements';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | undefined)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

export function app(): HTMLElement {
  const root = document.getElementById('app')!;
  root.setAttribute('aria-busy', 'false');
  return root;
}

/** A <vscode-button>: secondary unless its class names it `primary` (the page's one main action). */
export function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): VscodeButton {
  const b = el('vscode-button', attrs, label);
  b.secondary = !(attrs.class ?? '').split(/\s+/).includes('primary');
  b.addEventListener('click', onClick);
  return b;
}

/** A <vscode-checkbox> labelled by its own text; `onChange` gets the new state. */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, attrs: Record<string, string> = {}): VscodeCheckbox {
  const box = el('vscode-checkbox', attrs, label);
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  return box;
}

/**
 * A <vscode-single-select> of [value, text] options with `value` chosen, after its caption.
 * `label` names it for assistive technology (and the end-to-end tests); `onChange` gets the new value.
 */
export function select(label: string, options: [string, string][], value: string, onChange: (v: string) => void, caption = label): HTMLLabelElement {
  const box = el('vscode-single-select', { 'aria-label': label, label }, ...options.map(([v, text]) => el('vscode-option', v === value ? { value: v, selected: '' } : { value: v }, text)));
  box.addEventListener('change', () => onChange(box.value));
  return el('label', { class: 'select' }, `${caption} `, box);
}

/** A file that cannot be shown says why, where, and offers the text editor: never a blank page. */
export function showError(title: string, message: string, problems: ProblemPayload[], withReopen = true): void {
  const root = app();
  root.replaceChildren(
    el(
      'section',
      { class: 'error-panel', role: 'alert' },
      el('h2', {}, `Cannot show ${title}`),
      el('p', { class: 'error-message' }, message),
      problems.length
        ? el('ul', { class: 'problems' }, ...problems.map((p) => el('li', { class: p.severity }, `${p.line !== undefined ? `line ${p.line}, column ${p.column}: ` : ''}${p.message}`)))
        : undefined,
      withReopen ? button('Reopen as Text', () => send({ type: 'reopenAsText' }), { class: 'primary' }) : undefined,
    ),
  );
}

export function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(digits - 1);
  return v.toPrecision(digits);
}

/** Theme colours from VS Code's CSS variables, so light, dark and high-contrast all read well. */
export function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
