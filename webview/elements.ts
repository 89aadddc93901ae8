// The webviews' controls: @vscode-elements/elements (Lit web components drawn with VS Code's own
// --vscode-* theme variables, the successor of the deprecated @vscode/webview-ui-toolkit).
// Only the components the pages use are imported, so the bundle carries no others. Their styles
// are constructable stylesheets (adoptedStyleSheets), which the webviews' strict CSP
// (style-src = the webview's own origin, no 'unsafe-inline') allows.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
