// What the write-safety tests share: small workspaces, a snapshot of a folder's files (to show
// that nothing was lost), the command line run under a real file-size limit, and the command
// line as a child process the test can send signals to.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { HANG_GUARD_MS, cliScript, root, supervise, type ProcessResult, type SupervisedChild } from './helpers';

const examples = join(root, 'examples/paper-demo');

/** A workspace with two CIFs and a latent-xrd.json: 256-point patterns, a few seconds of work at most. */
export function writesWorkspace(config: Record<string, unknown> = {}, parent?: string): string {
  const dir = parent ? join(parent, 'project') : mkdtempSync(join(tmpdir(), 'latent-xrd-writes-'));
  mkdirSync(dir, { recursive: true });
  for (const f of ['Ni-fcc.cif', 'Cr-bcc.cif']) copyFileSync(join(examples, f), join(dir, f));
  writeConfig(dir, config);
  return dir;
}

export function writeConfig(dir: string, config: Record<string, unknown> = {}): void {
  const full = {
    phases: [
      { name: 'Ni', cif: 'Ni-fcc.cif', count: 40 },
      { name: 'Cr', cif: 'Cr-bcc.cif', count: 40 },
    ],
    grid: { twoThetaMin: 20, twoThetaMax: 90, points: 256 },
    seed: 7,
    chunkSize: 32,
    output: 'dataset.h5',
    ...config,
    training: { epochs: 1, batchSize: 16, klWarmupEpochs: 1, hidden: [64, 32], ...(config.training as object | undefined) },
  };
  writeFileSync(join(dir, 'latent-xrd.json'), JSON.stringify(full, null, 2));
}

/** Every file and link under `dir` with the SHA-256 of its content: equal snapshots, nothing lost or changed. */
export function snapshot(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const stats = lstatSync(path);
      const key = relative(dir, path);
      if (stats.isSymbolicLink()) found[key] = `-> ${readlinkSync(path)}`;
      else if (stats.isDirectory()) {
        found[key + '/'] = 'folder';
        walk(path);
      } else found[key] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return found;
}

/** Names under `dir` (recursively) that are Latent XRD's temporaries or set-aside versions. */
export function leftovers(dir: string): string[] {
  return Object.keys(snapshot(dir)).filter((name) => /\.(tmp|old)-\d+-[0-9a-z]+\/?$/.test(name));
}

/** A started command: its process, its output so far, and its end. */
export interface RunningCli extends SupervisedChild {
  child: ChildProcessWithoutNullStreams;
}

/** Starts `latent-xrd ...args` as its own process, for a test that signals it while it works. */
export function startCli(args: string[], cwd: string, guardMs = HANG_GUARD_MS): RunningCli {
  const child = spawn(process.execPath, [cliScript, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, ...supervise(child, guardMs) };
}

/**
 * Runs `latent-xrd ...args` with its files limited to `kib` KiB (RLIMIT_FSIZE, `ulimit -f`): a
 * real write failure (EFBIG) at that size, as a full disk gives ENOSPC. SIGXFSZ is ignored so
 * that the write fails instead of the kernel killing the process; Node keeps an ignored signal
 * ignored across exec.
 */
export function runWithFileSizeLimit(kib: number, args: string[], cwd: string): Promise<ProcessResult> {
  const child = spawn('bash', ['-c', `trap '' XFSZ; ulimit -f ${kib}; exec "$0" "$@"`, process.execPath, cliScript, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  return supervise(child, HANG_GUARD_MS).done;
}

/**
 * Whether the file-size limit works on this machine (bash, `ulimit -f`, SIGXFSZ ignorable): a
 * probe writes 64 KiB under a 16 KiB limit and must get EFBIG. Undefined when it works, else
 * what happened instead, so a test fails saying so rather than passing without its mechanism.
 */
export function fileSizeLimitProblem(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-fsize-'));
  const probe = `try { require('fs').writeFileSync(${JSON.stringify(join(dir, 'probe'))}, Buffer.alloc(65536)); console.log('wrote'); } catch (e) { console.log(e.code); }`;
  const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 16; exec "$0" -e "$1"`, process.execPath, probe], { encoding: 'utf8' });
  if (r.error) return `bash could not be run: ${r.error.message}`;
  if (r.stdout.trim() !== 'EFBIG') return `a 64 KiB write under "ulimit -f 16" gave ${JSON.stringify(r.stdout.trim())} (signal ${r.signal}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}), not EFBIG`;
  return undefined;
}

/** Polls until `check` holds; false when the guard runs out first. */
export async function waitUntil(check: () => boolean, guardMs = HANG_GUARD_MS): Promise<boolean> {
  const until = Date.now() + guardMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** A process id that is not running (a child that has exited; checked with signal 0). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const pid = Number(r.stdout.trim());
  try {
    process.kill(pid, 0);
    throw new Error(`process ${pid} still runs`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
  return pid;
}
