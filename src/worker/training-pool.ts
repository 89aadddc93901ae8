// Training on every core: starts the gradient workers of data-parallel training
// (training-shard-worker.ts) over shared memory and sends them each step
// (core/model/data-parallel.ts holds what they compute and how the shares are combined).
// A worker that fails or dies fails the step it was on and every later one: training stops
// with its error rather than waiting for it.
import { Worker } from 'node:worker_threads';
import { DataParallelOptimizer, SharedBarrier, sharedTraining, type DataParallelSetup, type ShardRunner, type ShardStep, type ShardTerms, type StartGradientWorkers } from '../core/model/data-parallel';
import type { TimedProducts } from '../core/model/roofline';
import type { GradientWorkerInput, GradientWorkerReply, GradientWorkerRequest } from '../protocol/gradient-workers';
import { workerScript } from './host';

/** Starts `threads` gradient workers on `train` and resolves once every one has its backend and model. */
export const startGradientWorkers: StartGradientWorkers = async (spec, backend, threads, train) => {
  const setup = sharedTraining(spec, backend, threads, train);
  const pool = new GradientPool(setup);
  await pool.ready;
  return new DataParallelOptimizer(setup, train, pool);
};

function unexpected(reply: GradientWorkerReply): never {
  throw new Error(`a training worker answered ${reply.type} to another request`);
}

interface Round {
  id: number;
  replies: (GradientWorkerReply | undefined)[];
  resolve: (replies: GradientWorkerReply[]) => void;
  reject: (e: Error) => void;
}

class GradientPool implements ShardRunner {
  private readonly workers: Worker[];
  private readonly barrier: SharedBarrier;
  readonly ready: Promise<void>;
  private round: Round | undefined;
  private nextId = 1;
  private failure: Error | undefined;
  private closed = false;

  constructor(setup: DataParallelSetup) {
    this.barrier = new SharedBarrier(setup.control, setup.threads);
    let started = 0;
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // The name list of host.ts's workerScript gains this worker when that module is next changed.
    const script = workerScript('training-shard-worker' as Parameters<typeof workerScript>[0]);
    this.workers = Array.from({ length: setup.threads }, (_, index) => {
      const worker = new Worker(script, { workerData: { setup, index } satisfies GradientWorkerInput });
      worker.on('message', (m: GradientWorkerReply) => {
        if (m.type === 'ready') {
          if (++started === setup.threads) readyResolve();
        } else if (m.type === 'failed' && m.id === undefined) {
          this.fail(new Error(`a training worker could not start: ${m.message}`));
          readyReject(this.failure!);
        } else this.answer(index, m);
      });
      worker.on('error', (e) => {
        this.fail(e);
        readyReject(this.failure!);
      });
      worker.on('exit', (code) => {
        if (this.closed) return;
        this.fail(new Error(`a training worker exited (code ${code}) before training finished`));
        readyReject(this.failure!);
      });
      return worker;
    });
  }

  async step(step: ShardStep): Promise<ShardTerms[]> {
    const replies = await this.ask((id) => ({ id, type: 'step', step }));
    return replies.map((r) => (r.type === 'stepped' ? r.terms : unexpected(r)));
  }

  async roofline(batch: number, repeats: number): Promise<TimedProducts[]> {
    const replies = await this.ask((id) => ({ id, type: 'roofline', batch, repeats }));
    return replies.map((r) => (r.type === 'roofline' ? r.timed : unexpected(r)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail(new Error('the training workers were stopped'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Sends one request to every worker; one round at a time (the loop awaits each step). */
  private ask(request: (id: number) => GradientWorkerRequest): Promise<GradientWorkerReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.round) return Promise.reject(new Error('a training step was asked for before the last one finished'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.round = { id, replies: this.workers.map(() => undefined), resolve, reject };
      const message = request(id);
      for (const worker of this.workers) worker.postMessage(message);
    });
  }

  private answer(index: number, m: Exclude<GradientWorkerReply, { type: 'ready' }>): void {
    const round = this.round;
    if (!round || m.id !== round.id) return;
    if (m.type === 'failed') {
      // A worker stopped by another's failure waits for that one's message, which names the cause.
      if (!m.aborted) this.fail(Object.assign(new Error(`training worker ${index + 1}: ${m.message}`), { stack: m.stack }));
      return;
    }
    round.replies[index] = m;
    if (round.replies.every((r) => r !== undefined)) {
      this.round = undefined;
      round.resolve(round.replies as GradientWorkerReply[]);
    }
  }

  /** A failure ends the pool: the barrier lets every waiting worker go, and the round in progress rejects. */
  private fail(e: Error): void {
    this.failure ??= e;
    this.barrier.abort();
    const round = this.round;
    this.round = undefined;
    round?.reject(this.failure);
  }
}
