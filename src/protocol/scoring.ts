// Messages between the scoring worker (src/worker/scoring-worker.ts) and its host
// (src/worker/scoring-host.ts, used by the extension host and `latent-xrd watch`). The worker
// reads, parses and scores; it announces each step of the work as it begins and ends, so the
// host can hold every file to a time limit and stop the worker when one exceeds it.
import type { Collection } from '../core/formats/collection';
import type { CollectionResults } from '../core/library/score';
import type { MeasuredPattern } from '../core/formats/pattern';
import type { Diagnostic } from '../core/diagnostics';
import type { Grid } from '../core/diffraction/render';
import type { BackendPreference } from '../core/model/backend';
import type { PatternScore } from '../core/model/score';
import type { PreprocessOptions } from '../core/preprocess/options';
import type { PreprocessStep } from '../core/preprocess/prepare';
import type { PatternPayload } from './webview';
import type { LatentMapBase } from '../shared/latent-map';

/**
 * Patterns scored in one model call (the batched model runs several times faster than one by
 * one), and the unit of the time limit: a step covering n patterns may take ceil(n / 64) limits.
 */
export const SCORING_BATCH = 64;

/** How long reading and scoring one file (or one batch of 64 patterns) may take by default. */
export const SCORING_TIME_LIMIT_SECONDS = 20;

/** How long loading TensorFlow.js and a model's weights may take before the load counts as hung. */
export const MODEL_LOAD_LIMIT_SECONDS = 120;

/** The model to score with: `created` tells a model folder replaced in place from the one loaded. */
export interface ModelRef {
  dir: string;
  created: string;
  /** What people call it (the folder relative to the workspace). */
  name: string;
  backend: BackendPreference;
}

/** What every request scores with. No model: files are still read (their errors shown), not scored. */
export interface ScoringSettings {
  model?: ModelRef;
  preprocessing: PreprocessOptions;
  /**
   * Below this p-value a pattern is novel: an override of the model's own threshold (undefined or
   * null: the model's; core/analysis/verdict.ts thresholdInForce decides), named in messages by
   * `pThresholdName` (the setting or flag that set it).
   */
  pThreshold?: number | null;
  pThresholdName?: string;
}

/** A pattern to score: a file the worker reads itself, bytes read elsewhere, or a pattern already read. */
export type PatternSource =
  | { kind: 'file'; path: string; name: string }
  | { kind: 'bytes'; bytes: Uint8Array; name: string }
  | { kind: 'measured'; measured: MeasuredPattern; name: string };

/** The outcome for one pattern of a batch: its score, or why it has none. */
export interface ItemResult {
  score?: PatternScore;
  /** Fraction of the model's 2θ range the measurement covers. */
  coverage?: number;
  /** What was done to the data before scoring. */
  steps?: string[];
  /** The same steps as data (what `latent-xrd score --json` lists as "operations"). */
  operations?: PreprocessStep[];
  /** The latent on the latent map's plane (x, y). */
  mapPoint?: [number, number];
  error?: string;
  diagnostics?: Diagnostic[];
  /** The file was gone when the worker looked (deleted meanwhile). */
  gone?: boolean;
}

export interface CollectionResult {
  collection: Collection;
  /** One per sample, when there is a model and it could score the collection (undefined: no finite score). */
  scores?: (PatternScore | undefined)[];
  /** Why the model could not score the collection (a user error: axis, compositions, …). */
  scoreError?: string;
}

/** The part of the latent map that depends only on the model (the training reference and its KNN regions). */
export type { LatentMapBase };

/** What a request asks, and what its answer carries. */
export interface ScoringCalls {
  load: { request: Record<string, never>; result: { backend: string; notes: string[] } };
  /** A pattern file's bytes parsed (the watch folder reads a file itself to know it is complete). */
  parse: { request: { bytes: Uint8Array; name: string }; result: MeasuredPattern };
  score: { request: { items: PatternSource[]; batchSize: number }; result: ItemResult[] };
  plot: { request: { source: PatternSource; title: string; composition?: Record<string, number> }; result: PatternPayload };
  collection: { request: { text: string; name: string }; result: CollectionResult };
  /**
   * Samples `first` … of a collection of `total` (a slice, parsed by the asker), each scored or
   * with its error, verdicts at the threshold in force: how a library is scored on every core.
   */
  samples: { request: { collection: Collection; first: number; total: number }; result: { results: CollectionResults } };
  /** Where simulated patterns on `grid` fall on the latent map: x, y per pattern. */
  mapPoints: { request: { grid: Grid; patterns: Float32Array[] }; result: number[] };
  map: { request: { maxPoints: number }; result: LatentMapBase };
}

export type ScoringCall = keyof ScoringCalls;

/**
 * The scoring worker's calls through the one RPC (src/shared/rpc/): each carries the settings it
 * scores with, and reports its steps as progress.
 */
export type ScoringMethods = { [K in ScoringCall]: { params: ScoringCalls[K]['request'] & { settings: ScoringSettings }; result: ScoringCalls[K]['result']; progress: ScoringProgress } };

/**
 * What a step of the work covers: loading the model, or items of the request (indices into a
 * `score` request's items; [0] for a request about one thing) with the patterns involved.
 */
export type StepScope = { kind: 'load' } | { kind: 'items'; items: number[]; patterns: number };

/** Said during a call: a step begun or ended (the host's clock for the time limit), a model loaded. */
export type ScoringProgress =
  | { type: 'begin'; step: number; scope: StepScope }
  | { type: 'end'; step: number }
  | { type: 'loaded'; model: string; backend: string; notes: string[]; ms: number };

/**
 * Test-only fault injection, read by the scoring worker alone: a file of exactly this base name
 * sleeps forever (LATENT_XRD_TEST_STALL_FILE) or ends the worker (LATENT_XRD_TEST_CRASH_FILE)
 * when its step begins. Real hangs and crashes depend on bugs that are fixed as they are found;
 * these stand in for the next one, so the tests of the time limit do not depend on a bug.
 */
export const TEST_STALL_FILE_VARIABLE = 'LATENT_XRD_TEST_STALL_FILE';
export const TEST_CRASH_FILE_VARIABLE = 'LATENT_XRD_TEST_CRASH_FILE';
