// `node scripts/check-machine.mjs test|start`: what `npm test` or `npm start` needs and this machine
// lacks (scripts/prerequisites.mjs), with the one `apt-get install` line that adds it; exit 1 then.
// Prints nothing when all is there. `npm test` runs it first, so nothing fails half an hour in.
import { codeServerInstalled } from './vscode/code-server.mjs';
import { describeMissing, missingFor } from './prerequisites.mjs';

const purpose = process.argv[2];
if (purpose !== 'test' && purpose !== 'start') {
  console.error('usage: node scripts/check-machine.mjs test|start');
  process.exit(2);
}
const message = describeMissing(missingFor(purpose, { codeServerReady: codeServerInstalled() }));
if (message) {
  console.error(message);
  process.exit(1);
}
