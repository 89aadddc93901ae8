// Hostile bytes read off mocha's thread: each case goes to a worker thread running the readers
// (readPattern, parseCollection, readNpy) under a hang guard, so a reader that never ends, or
// dies, fails its case with the input instead of stalling or killing the run. The worker runs the
// compiled test file that imports this module (mocha's globals stubbed), so the readers it runs
// are the ones the test was built with.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readPattern } from '../../src/core/formats';
import { parseCollection } from '../../src/core/formats/collection';
import { readNpy } from '../../src/core/library/npy';
import { UserError } from '../../src/core/diagnostics';
import { implausibleWavelength } from '../../src/core/diffraction/wavelengths';
import { HANG_GUARD_MS } from './helpers';

const ROLE = 'latent-xrd readers worker';

export type ReaderKind = 'pattern' | 'collection' | 'npy';

export interface ReaderCase {
  kind: ReaderKind;
  /** The file name the reader is given (it chooses the format and starts every message). */
  name: string;
  bytes: Uint8Array;
}

/** Every number a reader returned, by what it is (arrays flattened). */
export type ReadNumbers = Record<string, number[]>;

export type ReaderOutcome =
  | { outcome: 'read'; numbers: ReadNumbers; wavelengths: (number | undefined)[]; ratio?: number }
  | { outcome: 'error'; userError: boolean; message: string }
  | { outcome: 'hung' }
  | { outcome: 'crashed'; message: string };

function readInThisThread(c: ReaderCase): ReaderOutcome {
  try {
    if (c.kind === 'pattern') {
      const p = readPattern(c.bytes, c.name);
      const numbers: ReadNumbers = { twoTheta: Array.from(p.twoTheta), intensity: Array.from(p.intensity) };
      if (p.sigma) numbers.sigma = Array.from(p.sigma);
      return { outcome: 'read', numbers, wavelengths: [p.wavelength, p.wavelength2], ratio: p.kAlpha2Ratio };
    }
    if (c.kind === 'collection') {
      const col = parseCollection(new TextDecoder().decode(c.bytes), c.name);
      const numbers: ReadNumbers = { twoTheta: Array.from(col.twoTheta), intensity: col.samples.flatMap((s) => Array.from(s.intensity)) };
      numbers.positions = col.samples.flatMap((s) => [s.x, s.y].filter((v): v is number => v !== undefined));
      numbers.composition = col.samples.flatMap((s) => Object.values(s.composition ?? {}));
      return { outcome: 'read', numbers, wavelengths: [col.wavelength, col.source?.conversionWavelength] };
    }
    const array = readNpy(c.bytes, c.name);
    return { outcome: 'read', numbers: { data: Array.from(array.data) }, wavelengths: [] };
  } catch (e) {
    return { outcome: 'error', userError: e instanceof UserError, message: e instanceof UserError ? e.message : String((e as Error).stack ?? e) };
  }
}

if (!isMainThread && workerData?.role === ROLE) {
  parentPort!.on('message', (c: ReaderCase) => parentPort!.postMessage(readInThisThread(c)));
}

/** A worker thread that reads cases one at a time; a hung or crashed one is replaced for the next case. */
export class ReaderWorker {
  private worker: Worker | undefined;

  read(c: ReaderCase, guardMs = HANG_GUARD_MS): Promise<ReaderOutcome> {
    const worker = (this.worker ??= this.start());
    return new Promise((resolve) => {
      const finish = (outcome: ReaderOutcome) => {
        clearTimeout(guard);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(outcome);
      };
      const onMessage = (outcome: ReaderOutcome) => finish(outcome);
      const onError = (e: Error) => {
        this.worker = undefined;
        finish({ outcome: 'crashed', message: String(e.stack ?? e) });
      };
      const onExit = (code: number) => {
        this.worker = undefined;
        finish({ outcome: 'crashed', message: `the worker exited with code ${code}` });
      };
      const guard = setTimeout(() => {
        this.worker = undefined;
        void worker.terminate();
        finish({ outcome: 'hung' });
      }, guardMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(c);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    // The compiled test file that imported this module, loaded with mocha's globals as no-ops.
    const code = `
      for (const name of ['describe', 'it', 'before', 'after', 'beforeEach', 'afterEach']) globalThis[name] = () => {};
      require(require('node:worker_threads').workerData.file);
    `;
    return new Worker(code, { eval: true, workerData: { role: ROLE, file: __filename } });
  }
}

/**
 * Where an error message says the problem is: after the file's name, a line and column (also of
 * a member, "file/member:3:1"), a byte offset, or a point of the pattern. Undefined when it says
 * none of these.
 */
export function locationOf(message: string, name: string): string | undefined {
  if (!message.startsWith(name)) return undefined;
  return /^(\/[^:]*)?:\d+:\d+: |^: byte \d+: |^: point \d+ of \d+/.exec(message.slice(name.length))?.[0];
}

/**
 * What is wrong with an outcome, or undefined when it is what a reader owes: numbers that are all
 * finite, 2θ that strictly increases, plausible wavelengths and a Kα2 ratio in [0, 1] — or a
 * UserError that starts with the file's name (and, unless it is about the file as a whole, says
 * where). `wholeFile` lists the messages allowed without a line, byte or point.
 */
export function outcomeProblem(c: ReaderCase, r: ReaderOutcome, wholeFile: RegExp): string | undefined {
  if (r.outcome === 'hung') return 'the reader did not finish within the hang guard';
  if (r.outcome === 'crashed') return `the reader's thread died: ${r.message}`;
  if (r.outcome === 'error') {
    if (!r.userError) return `not a UserError: ${r.message}`;
    if (locationOf(r.message, c.name) !== undefined) return undefined;
    if (r.message.startsWith(`${c.name}: `) && wholeFile.test(r.message.slice(c.name.length + 2))) return undefined;
    return `an error without a location: ${r.message}`;
  }
  for (const [what, values] of Object.entries(r.numbers)) {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return `${what}[${bad}] is ${values[bad]}`;
  }
  const x = r.numbers.twoTheta ?? [];
  for (let i = 1; i < x.length; i++) if (!(x[i] > x[i - 1])) return `2θ does not increase at ${i}: ${x[i - 1]}, ${x[i]}`;
  for (const w of r.wavelengths) if (w !== undefined && implausibleWavelength(w)) return `wavelength ${w} passed`;
  if (r.ratio !== undefined && !(r.ratio >= 0 && r.ratio <= 1)) return `Kα2 ratio ${r.ratio} passed`;
  return undefined;
}
