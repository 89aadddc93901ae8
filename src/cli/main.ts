import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, formatDiagnostic } from '../core/diagnostics';
import type { Command, CommandContext } from './args';
import { commands } from './commands';

function version(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `latent-xrd ${version()} — X-ray diffraction simulation, VAE training and novelty scoring`,
    '',
    'Usage: latent-xrd <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `latent-xrd <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code. Exported so tests run the CLI in-process. */
export async function runCli(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(helpText() + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    ctx.out(version() + '\n');
    return 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    ctx.err(`latent-xrd: unknown command "${name}"\n\n${helpText()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, ctx);
  } catch (e) {
    if (e instanceof UserError) {
      ctx.err(`latent-xrd ${name}: ${e.message}\n`);
      for (const d of e.diagnostics) ctx.err(`  ${formatDiagnostic(d, e.file)}\n`);
      return 2;
    }
    ctx.err(`latent-xrd ${name}: internal error — please report it with the command you ran.\n${(e as Error).stack ?? e}\n`);
    return 70;
  }
}

/** The process entry point, called by bin/latent-xrd.js. */
export function main(): void {
  // `latent-xrd peaks x.cif | head`: a reader that closes the pipe early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
