// Synthesis on every core: a pool of synthesis workers (synth-worker.ts) that draws ranges of a
// planned dataset for generateDataset (core/synth/dataset.ts), which writes them in order.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { DatasetPlan, PatternBlock, PatternDrawer } from '../core/synth/dataset';
import { localDrawer } from '../core/synth/dataset';
import type { SynthMethods, SynthWorkerInput } from '../protocol/synthesis';
import { workerScript } from './host';
import { WorkerChannel } from './worker-rpc';

/** Threads used when none are asked for: every core the process may use. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A drawer over `threads` worker threads (one: the calling thread, no worker). A worker that
 * fails or dies fails every range still asked for, so the dataset is not written.
 */
export function poolDrawer(threads: number): (plan: DatasetPlan) => PatternDrawer {
  return (plan) => (threads <= 1 ? localDrawer(plan) : new SynthPool(plan, threads));
}

interface Pending {
  first: number;
  count: number;
  resolve: (block: PatternBlock) => void;
  reject: (e: Error) => void;
}

type SynthWorker = WorkerChannel<SynthMethods>;

class SynthPool implements PatternDrawer {
  readonly concurrency: number;
  private readonly workers: SynthWorker[] = [];
  private readonly idle: SynthWorker[] = [];
  private readonly busy = new Map<SynthWorker, Pending>();
  private readonly queue: Pending[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly plan: DatasetPlan, threads: number) {
    this.concurrency = threads;
  }

  draw(first: number, count: number): Promise<PatternBlock> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the synthesis workers were stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push({ first, count, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('the synthesis workers were stopped'));
    await Promise.all(this.workers.map((w) => w.dispose()));
  }

  private pump(): void {
    while (this.queue.length && !this.failure) {
      const worker = this.idle.pop() ?? (this.workers.length < this.concurrency ? this.start() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.call('draw', { first: job.first, count: job.count }).then(
        (block) => {
          if (this.busy.get(worker) !== job) return;
          this.busy.delete(worker);
          this.idle.push(worker);
          job.resolve(block);
          this.pump();
        },
        (e: Error) => {
          if (this.busy.get(worker) === job) this.fail(e, job);
        },
      );
    }
  }

  private start(): SynthWorker {
    const worker: SynthWorker = new WorkerChannel({
      what: 'synthesis',
      restart: false,
      start: () => new Worker(workerScript('synth-worker'), { workerData: { plan: this.plan } satisfies SynthWorkerInput }),
      // An idle worker that dies fails the pool too: the dataset would be drawn short of a thread.
      onStopped: (e) => {
        if (!this.closed) this.fail(e);
      },
    });
    this.workers.push(worker);
    return worker;
  }

  /** A failure ends the pool: the failed range and every other one asked for reject. */
  private fail(e: Error, job?: Pending): void {
    this.failure ??= e;
    job?.reject(e);
    this.failAll(this.failure);
  }

  private failAll(e: Error): void {
    for (const job of this.busy.values()) job.reject(e);
    this.busy.clear();
    for (const job of this.queue.splice(0)) job.reject(e);
  }
}
