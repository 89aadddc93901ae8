// Live scoring of a measurement folder: the watcher (no model inside; scoring is injected) and
// the scorer adapter for a loaded model.
export { MeasurementWatcher, WATCH_DEFAULTS } from './watcher';
export type { MeasurementWatcherOptions, MeasurementWatcherEvents, WatchedFile, ScoreRequest, ScoredFile, FileFailure, RemovedFile } from './watcher';
export type { FileVersion } from './file-version';
export { modelScoring, type FileScore } from './model-scoring';
