// `npm run demo:cli`: the engine on the paper's demo phases from the command line (structure, peaks,
// simulate, synth, a quick reproduction, score). Builds first if needed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const cli = join(root, 'bin/latent-xrd.js');
if (!existsSync(join(root, 'out/cli.js'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

const run = (...args) => {
  console.log(`\n$ latent-xrd ${args.join(' ')}`);
  execFileSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root });
};

for (const cif of ['Ni-fcc.cif', 'Cr-bcc.cif', 'Co-hcp.cif', 'FeCr-sigma.cif']) run('structure', `examples/paper-demo/${cif}`);
run('peaks', 'examples/paper-demo/Co-hcp.cif', '--two-theta', '20:90');
const outDir = join(root, '.demo');
mkdirSync(outDir, { recursive: true });
run('simulate', 'examples/paper-demo/Ni-fcc.cif', '--seed', '1', '-o', '.demo/Ni-fcc-varied.xy');
run('simulate', 'examples/paper-demo/FeCr-sigma.cif', '--seed', '2', '-o', '.demo/sigma-varied.xy');
run('synth', '--config', 'examples/paper-demo/latent-xrd.json', '-o', '.demo/paper-dataset.h5');
// A quick version of the paper's study: a VAE trained on the three known phases, its metrics
// and figures (SVG) — then the two simulated measurements scored against it.
run('reproduce', '--quick', '--out', '.demo/reproduce');
run('score', '--model', '.demo/reproduce/model', '.demo/Ni-fcc-varied.xy', '.demo/sigma-varied.xy');
console.log(`\nThe paper's dataset: ${join(outDir, 'paper-dataset.h5')} (open it with h5py.File in Python).`);
console.log(`The quick reproduction (metrics.json, figures *.svg, data *.csv, model/): ${join(outDir, 'reproduce')}`);
console.log(`Speed: npx latent-xrd bench synth | train | score`);

