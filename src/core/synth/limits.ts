// How large a synthetic dataset or a simulated wafer may be: each limit once, for the config
// validator, the planner and the command line (which name their own key or option).
/**
 * The most patterns one dataset may hold: 60 times the paper's 16,000; at 2048 points, 8 GB of
 * float32. Mostly a guard against a typo (`"count": 1e9`) before a plan lists its jobs.
 */
export const MAX_PATTERNS = 1_000_000;

/**
 * The most values (patterns × points) a dataset holds in memory while it is written, in one
 * chunk: 128 MB of float32, the documented 1024 patterns at up to 32,768 points.
 */
export const MAX_CHUNK_VALUES = 2 ** 25;

/** Patterns per chunk when the config does not say: 1024, or fewer when its grid is very fine. */
export function defaultChunkSize(points: number): number {
  return Math.max(1, Math.min(1024, Math.floor(MAX_CHUNK_VALUES / points)));
}

/** The largest wafer a simulated library may cover, mm: 450 mm is the largest wafer made. */
export const MAX_WAFER_DIAMETER_MM = 450;

/**
 * The most intensity values (samples × grid points) a simulated wafer may hold: 16.8 million,
 * 134 MB as numbers and about as much as the collection's text (a string may not exceed 512 MB).
 * A 100 mm wafer at a 1 mm pitch on the paper's grid (7,800 samples × 2048 points) fits.
 */
export const MAX_COLLECTION_VALUES = 2 ** 24;

/** Why a wafer of this diameter and pitch (mm) on a grid of `points` cannot be simulated, naming the setting. */
export function waferProblem(diameter: number, pitch: number, points: number): { setting: 'diameter' | 'pitch'; message: string } | undefined {
  if (!(diameter > 0 && diameter <= MAX_WAFER_DIAMETER_MM)) return { setting: 'diameter', message: `a wafer is at most ${MAX_WAFER_DIAMETER_MM} mm across; got ${diameter} mm` };
  if (!(pitch > 0)) return { setting: 'pitch', message: `the pitch must be a positive number of mm; got ${pitch}` };
  const samples = waferSampleCount(diameter, pitch);
  if (samples === 0) return { setting: 'pitch', message: `a pitch of ${pitch} mm leaves no sample on a ${diameter} mm wafer` };
  if (samples * points > MAX_COLLECTION_VALUES) {
    return {
      setting: 'pitch',
      message: `${samples} samples × ${points} points is more than the ${MAX_COLLECTION_VALUES} values a simulated wafer may hold; use a coarser pitch, a smaller wafer or fewer grid points`,
    };
  }
  return undefined;
}

/** The sample positions of a wafer: a square grid of `pitch` mm, each sample at least pitch/2 inside the rim. */
export function waferPositions(diameter: number, pitch: number): { x: number; y: number; row: number; column: number }[] {
  const radius = diameter / 2;
  const half = Math.floor(radius / pitch);
  const positions: { x: number; y: number; row: number; column: number }[] = [];
  for (let j = half, row = 0; j >= -half; j--, row++) {
    for (let i = -half; i <= half; i++) {
      const x = i * pitch;
      const y = j * pitch;
      if (Math.hypot(x, y) > radius - pitch / 2) continue;
      positions.push({ x, y, row, column: i + half });
    }
  }
  return positions;
}

function waferSampleCount(diameter: number, pitch: number): number {
  // Estimated from the area without listing when the square of positions is huge (past the limit then).
  const perSide = 2 * Math.floor(diameter / 2 / pitch) + 1;
  if (perSide * perSide > 4 * MAX_COLLECTION_VALUES) return Math.round((Math.PI / 4) * perSide * perSide);
  return waferPositions(diameter, pitch).length;
}
