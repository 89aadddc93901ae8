// How much a pattern file may hold. Real scans have at most ~10⁵ points (the LaB6 standard of the
// shared data has 17,381; a 0.001° step over 5–150° gives 145,000), so a limit ten times that
// never meets a real file, while a hostile or damaged one (/dev/zero, a 2 MB gzip that inflates
// to 2 GB, a header promising 400 million points) is refused before it costs memory or time.

/** Points of one pattern (every range of the file together). */
export const MAX_PATTERN_POINTS = 1_000_000;

/**
 * Bytes of one pattern file as it is parsed (after gzip, and every BRML member together). The
 * most verbose real format spends 74 bytes a point (a BRML <Datum> of nine values); 128 bytes a
 * point at the point limit leaves room for headers and wider rows.
 */
export const MAX_PATTERN_BYTES = 128 * MAX_PATTERN_POINTS;

/**
 * What a reader says when a file declares `count` points, or (without a count) holds more than
 * MAX_PATTERN_POINTS, found as it reads them.
 */
export function tooManyPoints(count?: number): string {
  const most = MAX_PATTERN_POINTS.toLocaleString('en-US');
  return `${count === undefined ? `more than ${most} points, the most` : `${count} points is more than`} a pattern may have (${count === undefined ? '' : `${most}; `}real scans have up to ~100,000)`;
}

/** What a reader says when a file (or what it inflates to) is past MAX_PATTERN_BYTES. */
export function tooManyBytes(what: string): string {
  return `${what} more than ${MAX_PATTERN_BYTES / 1e6} MB, more than any pattern file (${MAX_PATTERN_POINTS.toLocaleString('en-US')} points at most); not read`;
}

/**
 * Samples of one collection (an .xrd file, an imported library): a 100 mm wafer measured at a
 * 1 mm pitch has ~8,000 spots; the real libraries of the shared data have 278 and 307.
 */
export const MAX_COLLECTION_SAMPLES = 100_000;

/**
 * Values of one array a library is imported from (a .npy of samples × points; 400 MB as
 * doubles): 10,000 samples of 5,000 points. The real ones have 3–4 × 10⁵. Checked against the
 * shape the header declares, before anything is allocated.
 */
export const MAX_LIBRARY_VALUES = 50_000_000;

/**
 * Bytes of any other file a user names (a config, a CIF, an .xrd collection, a table, a .npy
 * array): the largest of them, a library array at MAX_LIBRARY_VALUES doubles, is 400 MB. A read
 * past this (a device, a FIFO, a damaged file) stops with a message instead of taking the memory.
 */
export const MAX_INPUT_FILE_BYTES = 2 ** 30;
