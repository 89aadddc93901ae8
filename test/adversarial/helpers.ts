// What the adversarial tests share: the command line run as a separate process (a hang or a
// crash of the engine must show as a failed test, not stop mocha), and a small untrained model
// (what scoring does with hostile input does not depend on the weights).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { initBackend } from '../../src/core/model/backend';
import { buildVae } from '../../src/core/model/vae';
import { saveModel } from '../../src/core/model/store';
import type { ModelSpec } from '../../src/core/model/architecture';
import type { ModelManifest } from '../../src/core/model/store';
import { testManifest } from '../unit/model-fixtures';

export const root = join(__dirname, '../../..');
export const cliScript = join(root, 'bin/latent-xrd.js');

/**
 * How long a child process may run before the test calls it hung. Not a speed limit: every case
 * here finishes in well under a second on a working engine; the guard only turns "never ends"
 * into a failure with the output so far.
 */
export const HANG_GUARD_MS = 45_000;

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The hang guard had to kill it. */
  hung: boolean;
}

/** Runs `latent-xrd ...args` as its own process, killed (and reported `hung`) past the guard. */
export function runCliProcess(args: string[], options: { cwd?: string; guardMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ProcessResult> {
  const child = spawn(process.execPath, [cliScript, ...args], { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  return supervise(child, options.guardMs ?? HANG_GUARD_MS, options.input).done;
}

/** A child process under a hang guard: its output so far, and its end. */
export interface SupervisedChild {
  output(): { stdout: string; stderr: string };
  done: Promise<ProcessResult>;
}

/** Collects a child's output and kills it (reported `hung`) past the guard; `input` is its whole stdin. */
export function supervise(child: ChildProcessWithoutNullStreams, guardMs: number, input = ''): SupervisedChild {
  let stdout = '';
  let stderr = '';
  let hung = false;
  // Output is kept to its first megabyte: a runaway error message is itself a finding, and the
  // test must not be the thing that runs out of memory.
  const keep = (sofar: string, chunk: Buffer) => (sofar.length < 1 << 20 ? sofar + chunk.toString() : sofar);
  child.stdout.on('data', (c: Buffer) => (stdout = keep(stdout, c)));
  child.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
  const done = new Promise<ProcessResult>((resolve) => {
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, guardMs);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, hung });
    });
  });
  child.stdin.end(input);
  return { output: () => ({ stdout, stderr }), done };
}

/** A one-line account of a process result, for assertion messages. */
export function describeRun(r: ProcessResult): string {
  return `code ${r.code}${r.signal ? ` signal ${r.signal}` : ''}${r.hung ? ' (HUNG: killed by the guard)' : ''}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
}

/** A small untrained VAE on the paper's 20–90° range, saved as a model folder at `target`. */
export async function untrainedModel(target: string, options: { points?: number; latent?: number; manifest?: Partial<ModelManifest> } = {}): Promise<string> {
  await initBackend('wasm');
  const spec: ModelSpec = { points: options.points ?? 128, hidden: [32, 16], latent: options.latent ?? 2, compositionElements: [], beta: 1 };
  await saveModel(target, [buildVae(spec, 3)], testManifest(spec, options.manifest));
  return target;
}
