#!/usr/bin/env node
// The `latent-xrd` command: a thin launcher for the bundled CLI (built by `npm install`).
require('../out/cli.js').main();
