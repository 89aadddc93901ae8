// Live scoring of a measurement folder: the watcher (no model inside; scoring is injected) and
// the scorer adapter for a loaded model.
export { MeasurementWatcher, WATCH_DEFAULTS, LONGEST_WAIT_MS } from './watcher';
export type { MeasurementWatcherOptions, MeasurementWatcherEvents, WatchedFile, ScoreRequest, ScoredFile, FileFailure, RemovedFile, SkippedPath } from './watcher';
export type { FileVersion } from './file-version';
export { modelScoring, type FileScore } from './model-scoring';
