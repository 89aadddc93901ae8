// What the extension's adversarial tests share: the 20-byte pattern, ordinary patterns
// made on the spot, and a way to see that the asking thread kept turning.

/** The 20-byte file: two points, ±1e308. */
export const HOSTILE_XY = '20 -1e308\n50 1e308\n';

export function xy(points: number, seed = 1): string {
  let text = '# 2theta intensity\n';
  for (let i = 0; i < points; i++) text += `${(20 + (70 * i) / (points - 1)).toFixed(3)} ${100 + ((i * 53 * seed) % 700)}\n`;
  return text;
}

/** Counts the ticks of a 20 ms timer while `work` runs: a blocked thread ticks about once. */
/**
 * The asking thread kept turning while it waited: its 20 ms timer fired at least once per
 * 100 ms of the wait. A wait shorter than 100 ms cannot have frozen it, and asks for nothing.
 */
export function assertKeptTurning(ticks: number, seconds: number): void {
  if (ticks < Math.floor(seconds * 10)) throw new Error(`the asking thread froze: ${ticks} timer ticks in ${seconds.toFixed(2)} s (at least ${Math.floor(seconds * 10)} expected)`);
}

export async function ticking<T>(work: () => Promise<T>): Promise<{ value: T; ticks: number; seconds: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const started = Date.now();
  try {
    const value = await work();
    return { value, ticks, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}
