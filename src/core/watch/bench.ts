// `latent-xrd bench watch`: an instrument (a worker thread) writes N pattern files into a fresh
// folder as fast as it can, then 50 more at a steady pace; the watcher scores them with a
// paper-sized model. Reports whether every file was scored exactly once, and the delay from a
// file's close to its score, in the burst (a backlog) and at the steady pace (none).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initBackend, type BackendPreference } from '../model/backend';
import { PAPER_SPEC } from '../model/architecture';
import { untrainedScorer } from '../model/bench';
import { paperSimulator } from '../synth/bench';
import { gridValues } from '../diffraction/render';
import { Random } from '../util/random';
import { readPattern } from '../formats';
import { MeasurementWatcher, WATCH_DEFAULTS, type ScoreRequest } from './watcher';
import { modelScoring, type FileScore } from './model-scoring';
import { WRITER_SOURCE, type WriterInput, type WriterOutput } from './bench-writer';

const PACED_FILES = 50;
const PACED_GAP_MS = 20;

export interface WatchBenchResult {
  backend: string;
  filesWritten: number;
  scored: number;
  scoredExactlyOnce: number;
  duplicates: number;
  missing: number;
  failed: number;
  /** Files written back to back, as fast as the writer can. */
  burstFiles: number;
  /** From a burst file's close to its score. */
  closeToScoreMedianMs: number;
  closeToScoreP99Ms: number;
  closeToScoreMaxMs: number;
  /** Burst files ÷ time from the first close to the last score. */
  throughputFilesPerSecond: number;
  writerFilesPerSecond: number;
  largestBatch: number;
  /** Then files PACED_GAP_MS apart: the delay when there is no backlog (settle + read + score). */
  pacedFiles: number;
  pacedGapMs: number;
  pacedCloseToScoreMedianMs: number;
  pacedCloseToScoreP99Ms: number;
  debounceMs: number;
  settleMs: number;
  pointsPerFile: number;
}


/** Two-column text of a few simulated paper patterns, in counts, as a diffractometer writes them. */
function patternTexts(examplesDir: string, count: number, points: number): string[] {
  const grid = { min: 20, max: 90, points };
  const simulator = paperSimulator(examplesDir, grid);
  const twoTheta = gridValues(grid);
  const random = new Random(11);
  const row = new Float32Array(points);
  return Array.from({ length: count }, (_, k) => {
    simulator.draw([{ phase: k % 3, fraction: 1 }], random, row);
    let text = '# 2theta counts\n';
    for (let i = 0; i < points; i++) text += `${twoTheta[i].toFixed(4)} ${Math.round(20 + 5000 * row[i])}\n`;
    return text;
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

export async function benchWatch(options: { examplesDir: string; files?: number; backend?: BackendPreference; settleMs?: number; chunks?: number }): Promise<WatchBenchResult> {
  const backend = await initBackend(options.backend ?? 'wasm');
  const files = options.files ?? 1000;
  const points = 2048;
  const settleMs = options.settleMs ?? WATCH_DEFAULTS.settleMs;
  // The model `bench score` uses: the paper's architecture, untrained (weights do not change the time).
  const scorer = untrainedScorer({ ...PAPER_SPEC, points });
  const scoring = modelScoring(scorer);
  let largestBatch = 1;
  const texts = patternTexts(options.examplesDir, 24, points);
  // Warm-up outside the timed run (kernel setup, JIT), one pattern and one batch.
  const sample = { measured: readPattern(new TextEncoder().encode(texts[0]), 'warm-up.xy'), file: { path: 'warm-up.xy', name: 'warm-up.xy', version: { size: 0, mtimeMs: 0, ino: 0 } } };
  scoring.score(sample.measured, sample.file);
  scoring.scoreBatch!(Array.from({ length: WATCH_DEFAULTS.maxBatch }, () => sample));
  const dir = mkdtempSync(join(tmpdir(), 'latent-xrd-bench-watch-'));
  const scoredAt = new Map<string, number[]>();
  let failed = 0;
  const watcher = new MeasurementWatcher<FileScore>({
    directory: dir,
    score: scoring.score,
    scoreBatch: (requests: ScoreRequest[]) => {
      largestBatch = Math.max(largestBatch, requests.length);
      return scoring.scoreBatch!(requests);
    },
    settleMs,
  });
  let progress = () => {};
  watcher.on('scored', ({ file, scoredAt: at }) => {
    scoredAt.set(file.name, [...(scoredAt.get(file.name) ?? []), at]);
    progress();
  });
  watcher.on('failed', () => {
    failed++;
    progress();
  });
  const written: WriterOutput = { names: [], closedAt: [] };
  const reported = () => scoredAt.size + failed;
  /** Resolves once `count` files in all have been reported (or the hang guard fires). */
  const allReported = (count: number) =>
    new Promise<void>((done) => {
      const hangGuard = setTimeout(done, 120_000 + count * 50);
      progress = () => {
        if (reported() >= count) {
          clearTimeout(hangGuard);
          done();
        }
      };
      progress();
    });
  const write = async (input: Omit<WriterInput, 'dir' | 'texts'>) => {
    const out = await new Promise<WriterOutput>((done, fail) => {
      const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { ...input, dir, texts } satisfies WriterInput });
      worker.once('message', done);
      worker.once('error', fail);
    });
    written.names.push(...out.names);
    written.closedAt.push(...out.closedAt);
    return out;
  };
  try {
    await watcher.start();
    // The burst: every file as fast as the writer can.
    const burstStart = performance.timeOrigin + performance.now();
    const burst = await write({ files, chunks: options.chunks ?? 4, prefix: 'burst-', gapMs: 0 });
    const writerSeconds = (burst.closedAt[burst.closedAt.length - 1] - burstStart) / 1000;
    await allReported(files);
    // Then files at a pace the watcher keeps up with: the delay without a backlog.
    const paced = Math.min(PACED_FILES, files);
    await write({ files: paced, chunks: options.chunks ?? 4, prefix: 'paced-', gapMs: PACED_GAP_MS });
    await allReported(files + paced);
    // A little longer (two settle intervals and a rescan) so a duplicate score, if the watcher
    // made one, would be counted.
    await new Promise((r) => setTimeout(r, 2 * settleMs + WATCH_DEFAULTS.scanIntervalMs + 200));
    await watcher.stop();

    const closed = new Map(written.names.map((n, i) => [n, written.closedAt[i]]));
    const delays = { burst: [] as number[], paced: [] as number[] };
    let duplicates = 0;
    let exactlyOnce = 0;
    let lastBurstScore = 0;
    for (const [name, times] of scoredAt) {
      duplicates += times.length - 1;
      if (times.length === 1) exactlyOnce++;
      const close = closed.get(name);
      const phase = name.startsWith('burst-') ? 'burst' : 'paced';
      if (close !== undefined) delays[phase].push(times[0] - close);
      if (phase === 'burst') lastBurstScore = Math.max(lastBurstScore, ...times);
    }
    delays.burst.sort((a, b) => a - b);
    delays.paced.sort((a, b) => a - b);
    return {
      backend: backend.name,
      filesWritten: written.names.length,
      scored: [...scoredAt.values()].reduce((n, t) => n + t.length, 0),
      scoredExactlyOnce: exactlyOnce,
      duplicates,
      missing: written.names.filter((n) => !scoredAt.has(n)).length,
      failed,
      burstFiles: files,
      closeToScoreMedianMs: quantile(delays.burst, 0.5),
      closeToScoreP99Ms: quantile(delays.burst, 0.99),
      closeToScoreMaxMs: delays.burst[delays.burst.length - 1] ?? NaN,
      throughputFilesPerSecond: files / ((lastBurstScore - burst.closedAt[0]) / 1000),
      writerFilesPerSecond: files / writerSeconds,
      largestBatch,
      pacedFiles: paced,
      pacedGapMs: PACED_GAP_MS,
      pacedCloseToScoreMedianMs: quantile(delays.paced, 0.5),
      pacedCloseToScoreP99Ms: quantile(delays.paced, 0.99),
      debounceMs: WATCH_DEFAULTS.debounceMs,
      settleMs,
      pointsPerFile: points,
    };
  } finally {
    await watcher.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
