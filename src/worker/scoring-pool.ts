// Scoring on every core: several scoring workers (scoring-host.ts), each with its own model
// and its own time limits. A request of many patterns is cut into batches the workers take in
// turn as they finish the last; the results come back in the order of the items. A file that
// hangs or crashes a worker costs that file only (its ScoringWorker restarts and goes on), and
// the other workers are not held up by it. No vscode here: the extension host and the CLI use it.
import { availableParallelism } from 'node:os';
import { SCORING_BATCH, type ItemResult, type PatternSource, type ScoringCalls, type ScoringSettings } from '../protocol/scoring';
import { ScoringWorker, type ScoringWorkerOptions } from './scoring-host';
import type { Collection } from '../core/formats/collection';
import type { CollectionResults } from '../core/library/score';

/** Scoring threads when none are asked for: every core the process may use. */
export function defaultScoringThreads(): number {
  return Math.max(1, availableParallelism());
}

export class ScoringPool {
  private readonly workers: ScoringWorker[] = [];
  /** Requests each worker holds (sent or queued): new single requests go to the least busy. */
  private readonly busy: number[] = [];
  private disposed = false;
  readonly threads: number;

  constructor(threads: number = defaultScoringThreads(), private readonly options: ScoringWorkerOptions = {}) {
    this.threads = Math.max(1, Math.floor(threads) || 1);
  }

  /** Workers stopped and replaced (past a time limit, or dead), over all threads. */
  get restarts(): number {
    return this.workers.reduce((sum, w) => sum + w.restarts, 0);
  }

  /** Loads the model on every thread now (the first answer; a thread that cannot load says why). */
  async load(settings: ScoringSettings): Promise<ScoringCalls['load']['result']> {
    const loaded = await Promise.all(Array.from({ length: this.threads }, (_, k) => this.on(k, (w) => w.load(settings))));
    return loaded[0];
  }

  /**
   * Scores every item: batches of `batchSize` items go to the threads as each finishes its last
   * one, and each item's result is put at its own index. Each item gets its score or its error.
   */
  async score(items: PatternSource[], settings: ScoringSettings, batchSize = SCORING_BATCH): Promise<ItemResult[]> {
    if (items.length <= batchSize || this.threads === 1) return this.on(this.leastBusy(), (w) => w.score(items, settings, batchSize));
    const results: ItemResult[] = new Array(items.length);
    const size = Math.max(1, Math.min(batchSize, Math.ceil(items.length / this.threads)));
    let next = 0;
    const lane = async (k: number) => {
      while (next < items.length) {
        const first = next;
        next = Math.min(items.length, next + size);
        const part = await this.on(k, (w) => w.score(items.slice(first, next), settings, batchSize));
        part.forEach((r, i) => (results[first + i] = r));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.threads, Math.ceil(items.length / size)) }, (_, k) => lane(k)));
    return results;
  }

  /**
   * Every sample of a collection (parsed by the caller), in slices scored on all threads and put
   * back in the collection's order. A slice whose worker is stopped (past its time limit, or
   * dead) gives each of its samples that error; the other slices are scored.
   */
  async collectionSamples(collection: Collection, settings: ScoringSettings): Promise<CollectionResults> {
    const total = collection.samples.length;
    const size = Math.max(SCORING_BATCH, Math.ceil(total / (2 * this.threads)));
    const slices: { first: number; results?: CollectionResults; error?: string }[] = [];
    for (let first = 0; first < total; first += size) slices.push({ first });
    let next = 0;
    const lane = async (k: number) => {
      while (next < slices.length) {
        const slice = slices[next++];
        const part = { ...collection, samples: collection.samples.slice(slice.first, slice.first + size) };
        try {
          slice.results = (await this.on(k, (w) => w.samples(part, slice.first, total, settings))).results;
        } catch (e) {
          slice.error = (e as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.threads, slices.length) }, (_, k) => lane(k)));
    const samples: CollectionResults['samples'] = [];
    for (const slice of slices) {
      if (slice.results) samples.push(...slice.results.samples);
      else {
        for (const s of collection.samples.slice(slice.first, slice.first + size)) {
          const where = { ...(s.x !== undefined ? { x: s.x } : {}), ...(s.y !== undefined ? { y: s.y } : {}), ...(s.composition ? { composition: s.composition } : {}) };
          samples.push({ id: s.id, ...where, error: `not scored: ${slice.error}` });
        }
      }
    }
    const scored = slices.find((s) => s.results)?.results;
    return { samples, steps: scored?.steps ?? [], ...(scored?.compositionElements ? { compositionElements: scored.compositionElements } : {}) };
  }

  parse(bytes: Uint8Array, name: string): Promise<ScoringCalls['parse']['result']> {
    return this.on(this.leastBusy(), (w) => w.parse(bytes, name));
  }

  plot(...args: Parameters<ScoringWorker['plot']>): ReturnType<ScoringWorker['plot']> {
    return this.on(this.leastBusy(), (w) => w.plot(...args));
  }

  collection(...args: Parameters<ScoringWorker['collection']>): ReturnType<ScoringWorker['collection']> {
    return this.on(this.leastBusy(), (w) => w.collection(...args));
  }

  mapPoints(...args: Parameters<ScoringWorker['mapPoints']>): ReturnType<ScoringWorker['mapPoints']> {
    return this.on(this.leastBusy(), (w) => w.mapPoints(...args));
  }

  map(...args: Parameters<ScoringWorker['map']>): ReturnType<ScoringWorker['map']> {
    return this.on(this.leastBusy(), (w) => w.map(...args));
  }

  dispose(): void {
    this.disposed = true;
    for (const worker of this.workers) worker.dispose();
  }

  private worker(k: number): ScoringWorker {
    if (this.disposed) throw new Error('the scoring worker was stopped');
    while (this.workers.length <= k) {
      this.workers.push(new ScoringWorker(this.options));
      this.busy.push(0);
    }
    return this.workers[k];
  }

  private async on<T>(k: number, call: (worker: ScoringWorker) => Promise<T>): Promise<T> {
    const worker = this.worker(k);
    this.busy[k]++;
    try {
      return await call(worker);
    } finally {
      this.busy[k]--;
    }
  }

  private leastBusy(): number {
    let best = 0;
    for (let k = 0; k < this.threads; k++) {
      const load = this.busy[k] ?? 0;
      if (k >= this.workers.length) return load < (this.busy[best] ?? 0) ? k : best;
      if (load < this.busy[best]) best = k;
    }
    return best;
  }
}
