// The benchmark's instrument: a worker thread (so its writes never wait on the watcher's event
// loop) that writes each file in a few chunks, as fast as it can, and notes when it closed it.
// Kept as source text run with `eval`, so the bundles need no extra entry point.
export interface WriterInput {
  dir: string;
  /** File contents to cycle through. */
  texts: string[];
  files: number;
  chunks: number;
  /** File names start with this. */
  prefix: string;
  /** Pause between files (0: as fast as possible). */
  gapMs: number;
}

export interface WriterOutput {
  names: string[];
  /** Epoch milliseconds (sub-millisecond) at which each file was closed. */
  closedAt: number[];
}

export const WRITER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { openSync, writeSync, closeSync } = require('node:fs');
const { join } = require('node:path');
const { dir, texts, files, chunks, prefix, gapMs } = workerData;
const pause = new Int32Array(new SharedArrayBuffer(4));
const buffers = texts.map((t) => Buffer.from(t, 'utf8'));
const names = [];
const closedAt = [];
for (let i = 0; i < files; i++) {
  if (gapMs > 0 && i > 0) Atomics.wait(pause, 0, 0, gapMs);
  const name = prefix + String(i).padStart(6, '0') + '.xy';
  const bytes = buffers[i % buffers.length];
  const fd = openSync(join(dir, name), 'w');
  // Chunk boundaries fall mid-line, as an instrument's buffered writes do.
  const step = Math.ceil(bytes.length / chunks);
  for (let offset = 0; offset < bytes.length; offset += step) writeSync(fd, bytes, offset, Math.min(step, bytes.length - offset));
  closeSync(fd);
  closedAt.push(performance.timeOrigin + performance.now());
  names.push(name);
}
parentPort.postMessage({ names, closedAt });
`;
