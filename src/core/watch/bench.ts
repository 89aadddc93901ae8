// `latent-xrd bench watch`: an instrument (a worker thread) writes N pattern files into a fresh
// folder as fast as it can; the watcher scores them with a paper-sized model. Reports whether
// every file was scored exactly once, and the delay from a file's close to its score.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initBackend, type BackendPreference } from '../model/backend';
import { PAPER_SPEC, type ModelSpec } from '../model/architecture';
import { buildVae } from '../model/vae';
import { Scorer } from '../model/score';
import type { ModelManifest } from '../model/store';
import { paperSimulator } from '../synth/bench';
import { gridValues } from '../diffraction/render';
import { Random } from '../util/random';
import { readPattern } from '../formats';
import { MeasurementWatcher, WATCH_DEFAULTS, type ScoreRequest } from './watcher';
import { modelScoring, type FileScore } from './model-scoring';
import { WRITER_SOURCE, type WriterInput, type WriterOutput } from './bench-writer';

export interface WatchBenchResult {
  backend: string;
  filesWritten: number;
  scored: number;
  scoredExactlyOnce: number;
  duplicates: number;
  missing: number;
  failed: number;
  closeToScoreMedianMs: number;
  closeToScoreP99Ms: number;
  closeToScoreMaxMs: number;
  throughputFilesPerSecond: number;
  writerFilesPerSecond: number;
  largestBatch: number;
  debounceMs: number;
  settleMs: number;
  pointsPerFile: number;
}

/**
 * The model `bench score` uses: the paper's architecture on 2048 points, untrained (its weights
 * do not change the time a score takes), with a synthetic reference set and calibration.
 */
function benchModel(points: number): Scorer {
  const spec: ModelSpec = { ...PAPER_SPEC, points };
  const manifest: ModelManifest = {
    format: 'latent-xrd-model',
    formatVersion: 1,
    software: { name: 'latent-xrd', version: 'bench' },
    created: new Date().toISOString(),
    kind: 'vae',
    spec,
    grid: { min: 20, max: 90, points },
    phases: ['Ni', 'Cr', 'Co'],
    reference: { latent: Array.from({ length: 6000 }, (_, i) => Math.sin(i)), labels: Array.from({ length: 3000 }, (_, i) => i % 3) },
    calibration: { metric: 'bceExcess', errors: Array.from({ length: 1500 }, (_, i) => i / 1500), pThreshold: 0.01, errorThreshold: 0.99 },
    training: {},
    metrics: {},
    ensemble: [{ seed: 1, path: '.' }],
  };
  return new Scorer({ manifest, members: [buildVae(spec, 1)] });
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
  const scorer = benchModel(points);
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
  try {
    await watcher.start();
    const writerInput: WriterInput = { dir, texts, files, chunks: options.chunks ?? 4 };
    const writerStart = performance.timeOrigin + performance.now();
    const written = await new Promise<WriterOutput>((done, fail) => {
      const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: writerInput });
      worker.once('message', done);
      worker.once('error', fail);
    });
    const writerSeconds = (written.closedAt[written.closedAt.length - 1] - writerStart) / 1000;
    // Wait until every file has been reported, then a little longer (two settle intervals and a
    // rescan) so a duplicate score, if the watcher made one, would be counted.
    const allReported = () => scoredAt.size + failed >= files;
    await new Promise<void>((done) => {
      const hangGuard = setTimeout(done, 120_000 + files * 50);
      progress = () => {
        if (allReported()) {
          clearTimeout(hangGuard);
          done();
        }
      };
      progress();
    });
    await new Promise((r) => setTimeout(r, 2 * settleMs + WATCH_DEFAULTS.scanIntervalMs + 200));
    await watcher.stop();

    const closed = new Map(written.names.map((n, i) => [n, written.closedAt[i]]));
    const delays: number[] = [];
    let duplicates = 0;
    let exactlyOnce = 0;
    let lastScore = 0;
    for (const [name, times] of scoredAt) {
      duplicates += times.length - 1;
      if (times.length === 1) exactlyOnce++;
      const close = closed.get(name);
      if (close !== undefined) delays.push(times[0] - close);
      lastScore = Math.max(lastScore, ...times);
    }
    delays.sort((a, b) => a - b);
    const firstClose = Math.min(...written.closedAt);
    return {
      backend: backend.name,
      filesWritten: written.names.length,
      scored: [...scoredAt.values()].reduce((n, t) => n + t.length, 0),
      scoredExactlyOnce: exactlyOnce,
      duplicates,
      missing: written.names.filter((n) => !scoredAt.has(n)).length,
      failed,
      closeToScoreMedianMs: quantile(delays, 0.5),
      closeToScoreP99Ms: quantile(delays, 0.99),
      closeToScoreMaxMs: delays[delays.length - 1] ?? NaN,
      throughputFilesPerSecond: scoredAt.size / ((lastScore - firstClose) / 1000),
      writerFilesPerSecond: files / writerSeconds,
      largestBatch,
      debounceMs: WATCH_DEFAULTS.debounceMs,
      settleMs,
      pointsPerFile: points,
    };
  } finally {
    await watcher.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
