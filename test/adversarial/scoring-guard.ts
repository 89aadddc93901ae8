// In-process checks of code that used to spin forever: a synchronous endless loop cannot be
// stopped by mocha's timeout, so each probe runs in a worker thread started from the same test
// bundle, and the worker is terminated (and the probe reported hung) past the guard.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../src/core/diagnostics';
import { HANG_GUARD_MS } from './helpers';

export type Probe = (arg: any) => unknown | Promise<unknown>;

export interface ProbeOutcome {
  hung: boolean;
  result?: unknown;
  /** `Name: message` of what the probe threw. */
  error?: string;
  userError?: boolean;
}

/**
 * In a worker started by `inWorker`, runs the probe it names, posts the outcome and returns true;
 * in mocha's own thread returns false (the test file then declares its tests).
 */
export function serveProbe(probes: Record<string, Probe>): boolean {
  if (isMainThread || !workerData?.probe) return false;
  (async () => {
    try {
      parentPort!.postMessage({ result: await probes[workerData.probe](workerData.arg) });
    } catch (e) {
      parentPort!.postMessage({ error: `${(e as Error).name}: ${(e as Error).message}`, userError: e instanceof UserError });
    }
  })();
  return true;
}

/** Runs `probe` (served by the test bundle `file`) with `arg` in a worker, under the hang guard. */
export function inWorker(file: string, probe: string, arg?: unknown, guardMs = HANG_GUARD_MS): Promise<ProbeOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: { probe, arg } });
    const guard = setTimeout(() => {
      void worker.terminate();
      resolve({ hung: true });
    }, guardMs);
    worker.once('message', (m: Omit<ProbeOutcome, 'hung'>) => {
      clearTimeout(guard);
      void worker.terminate();
      resolve({ hung: false, ...m });
    });
    worker.once('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}
