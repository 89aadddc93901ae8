// Small DOM helpers: elements with text (never innerHTML with data), and the error panel.
import type { ProblemPayload } from '../src/protocol/webview';
import { send } from './host';

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

export function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
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
