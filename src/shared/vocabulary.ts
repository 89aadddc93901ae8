// The words every layer speaks about a pattern and a sample, declared once: the core decides
// verdicts (core/analysis/verdict.ts) and reads samples (core/formats/collection.ts), the
// protocol carries them, and the view models here and the webview draw them. They live in
// src/shared, the layer below all others, so that the webview can use them without reaching
// into the core, and the core re-exports them under its own names.

/** The two answers the model gives about a pattern; a mixture's role in training names the one it should get. */
export type KnownOrNovel = 'known' | 'novel';

/**
 * 'outside-range': too little of the model's 2θ range was measured (coverage below
 * MIN_COVERAGE_FOR_VERDICT, core/analysis/verdict.ts) for either KNOWN or NOVEL to mean anything.
 */
export type Verdict = KnownOrNovel | 'outside-range';

/** Which sample of a collection, and where it sits: on the wafer and in composition space. */
export interface SampleIdentity {
  id: string;
  /** Position on the wafer (mm from its centre). */
  x?: number;
  y?: number;
  /** Element → fraction (normalised to sum 1 when read). */
  composition?: Record<string, number>;
}
