// What the watch-folder adversarial tests share: a watcher whose "score" is what it read (point
// count and last intensity, so a half-read file shows), every event recorded, and waits that end
// on events, with hang guards rather than speed limits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeasurementWatcher, type MeasurementWatcherOptions, type ScoredFile, type FileFailure, type RemovedFile, type SkippedPath } from '../../src/core/watch';
import { cliScript } from './helpers';

export const WATCH_HANG_GUARD_MS = 45_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, condition: () => boolean, guardMs = WATCH_HANG_GUARD_MS): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > guardMs) throw new Error(`hang guard: still waiting for ${what}`);
    await sleep(10);
  }
}

/** "2θ intensity" lines after a header; the intensities are distinct multi-digit numbers, so a cut number shows. */
export function xy(points: number, seed = 0): string {
  let text = '# 2theta intensity\n';
  for (let i = 0; i < points; i++) text += `${(20 + (70 * i) / (points - 1)).toFixed(4)} ${lastIntensity(i, seed)}\n`;
  return text;
}

function lastIntensity(i: number, seed: number): number {
  return 10000 + ((i * 37 + seed * 11) % 80000);
}

/** The intensity xy(points, seed) ends with. */
export function finalIntensity(points: number, seed = 0): number {
  return lastIntensity(points - 1, seed);
}

export interface Read {
  points: number;
  last: number;
}

export type Recorder = ReturnType<typeof recordingWatcher>;

/** A watcher over `dir` scoring what it read, with every event kept in arrival order. */
export function recordingWatcher(dir: string, options: Partial<MeasurementWatcherOptions<Read>> = {}) {
  const scored: ScoredFile<Read>[] = [];
  const failed: FileFailure[] = [];
  const retrying: FileFailure[] = [];
  const removed: RemovedFile[] = [];
  const skipped: SkippedPath[] = [];
  const watchErrors: Error[] = [];
  const log: string[] = [];
  const watcher = new MeasurementWatcher<Read>({
    directory: dir,
    score: (m) => ({ points: m.twoTheta.length, last: m.intensity[m.intensity.length - 1] }),
    debounceMs: 30,
    scanIntervalMs: 400,
    ...options,
  });
  watcher.on('scored', (e) => (scored.push(e), log.push(`scored ${e.file.name}`)));
  watcher.on('failed', (e) => (failed.push(e), log.push(`failed ${e.file.name}`)));
  watcher.on('retrying', (e) => retrying.push(e));
  watcher.on('removed', (e) => (removed.push(e), log.push(`removed ${e.name}`)));
  watcher.on('skipped', (e) => skipped.push(e));
  watcher.on('watchError', (e) => watchErrors.push(e));
  const scoresOf = (name: string) => scored.filter((s) => s.file.name === name);
  return { watcher, scored, failed, retrying, removed, skipped, watchErrors, log, scoresOf };
}

/** A fresh temporary folder per test, and every watcher stopped and folder removed after it. */
export function watchSandbox() {
  const state = { dir: '', stops: [] as (() => Promise<void>)[] };
  beforeEach(() => {
    state.dir = mkdtempSync(join(tmpdir(), 'latent-xrd-adv-watch-'));
    state.stops = [];
  });
  afterEach(async () => {
    for (const stop of state.stops) await stop();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir;
    },
    watch(options: Partial<MeasurementWatcherOptions<Read>> & { directory?: string } = {}): Recorder {
      const recorder = recordingWatcher(options.directory ?? state.dir, options);
      state.stops.push(() => recorder.watcher.stop());
      return recorder;
    },
  };
}

/**
 * `latent-xrd watch …` as its own process, for tests that signal it: output so far, and its exit
 * (SIGKILLed and marked hung past the guard, so a watch that ignores signals fails the test).
 */
export function spawnWatch(args: string[], cwd: string, guardMs = WATCH_HANG_GUARD_MS) {
  const child = spawn(process.execPath, [cliScript, 'watch', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '', hung: false };
  child.stdout.on('data', (d: Buffer) => (output.stdout += d));
  child.stderr.on('data', (d: Buffer) => (output.stderr += d));
  const guard = setTimeout(() => {
    output.hung = true;
    child.kill('SIGKILL');
  }, guardMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      done({ code, signal });
    }),
  );
  /** Every complete stdout line, parsed (a line cut short would throw here). */
  const lines = () => output.stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, output, exited, lines };
}
