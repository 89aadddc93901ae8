// How large a synthetic dataset may be: each limit once, for the config
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
