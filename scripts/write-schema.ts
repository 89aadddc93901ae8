// Writes schemas/latent-xrd.schema.json from src/core/synth/schema.ts (run by scripts/build.mjs).
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../src/core/synth/schema';

const target = join(__dirname, '..', 'schemas', 'latent-xrd.schema.json');
const text = JSON.stringify(configSchema(), null, 2) + '\n';
let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {
  // first build
}
if (current !== text) writeFileSync(target, text);
