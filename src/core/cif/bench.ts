// How fast the CIF reader is, as a ratio to the simplest thing that touches every byte: splitting
// the same text on whitespace. Both run in the same process, on the same text, best of several
// rounds, so the ratio means the same on a busy machine as on a quiet one.
import { parseCif } from './parser';

export interface CifBench {
  file: string;
  bytes: number;
  msPerParse: number;
  megabytesPerSecond: number;
  /** The same text split on whitespace (no CIF rules at all). */
  whitespaceSplitMs: number;
  /** Parse time ÷ split time: what the tokenizer, loops, values and diagnostics cost on top. */
  parseToSplitRatio: number;
}

function bestOf(rounds: number, repeats: number, action: () => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) action();
    best = Math.min(best, (performance.now() - t0) / repeats);
  }
  return best;
}

export function benchCif(text: string, file: string, repeats = 50): CifBench {
  let sink = 0;
  for (let i = 0; i < 10; i++) sink += parseCif(text).blocks.length + text.split(/\s+/).length; // warm-up
  const msPerParse = bestOf(5, repeats, () => (sink += parseCif(text).blocks.length));
  const whitespaceSplitMs = bestOf(5, repeats, () => (sink += text.split(/\s+/).length));
  if (sink < 0) throw new Error('unreachable'); // keeps the work from being optimised away
  const bytes = Buffer.byteLength(text, 'latin1');
  return { file, bytes, msPerParse, megabytesPerSecond: bytes / 1e6 / (msPerParse / 1e3), whitespaceSplitMs, parseToSplitRatio: msPerParse / whitespaceSplitMs };
}
