// The one shape every reader returns and every consumer (preprocessing, scoring, the editors,
// the watch folder, library import) takes. Readers fill what their file states; nothing is
// guessed here — preprocessing decides what an absent wavelength means.

export interface MeasuredPattern {
  /** Degrees, strictly increasing after reading (descending scans are reversed). */
  twoTheta: Float64Array;
  /** Counts or counts/s as the file gives them, aligned with twoTheta. */
  intensity: Float64Array;
  /** Standard uncertainty of each intensity, when the file has it (.xye, GSAS ESD). */
  sigma?: Float64Array;
  /** Kα1 (or the monochromatic) wavelength in Å, when the file states it. */
  wavelength?: number;
  /** Kα2 wavelength in Å, when the file states it. */
  wavelength2?: number;
  /** Kα2/Kα1 intensity ratio, when the file states it (0 when the beam is monochromatic). */
  kAlpha2Ratio?: number;
  /** Short name of the format that was read: "xy", "xrdml", "bruker-raw", … */
  format?: string;
  /** Header values worth showing to a user (instrument, sample, dates, scan axis, step, …). */
  meta?: Record<string, string | number | boolean>;
}
