// The Content-Security-Policy of every webview (no vscode here, so the unit tests read it): nothing
// by default; scripts only with the page's nonce; styles, fonts and images only from the
// extension's own files (styles set by scripts go through the CSSOM, which the policy allows);
// no 'unsafe-inline', no 'unsafe-eval'.
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}
