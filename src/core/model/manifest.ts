// The model folder's manifest.json: what a model is (grid, phases, calibration, metrics).
// Read without TensorFlow.js, so the extension can show a model card and choose a model
// before it loads the heavy part.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from './architecture';
import { UserError } from '../diagnostics';
import type { Grid } from '../diffraction/render';

export const MANIFEST_FORMAT = 'latent-xrd-model';
export const MANIFEST_VERSION = 1;

export interface Calibration {
  /** Which per-pattern error the p-value is computed from. */
  metric: 'bceExcess' | 'bce' | 'mse';
  /** Held-out known patterns' errors, ascending (the p-value's reference sample). */
  errors: number[];
  /** p-value below which a pattern is called novel. */
  pThreshold: number;
  /** The error at that p-value, for people who want a raw number. */
  errorThreshold: number;
}

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  software: { name: 'latent-xrd'; version: string };
  created: string;
  kind: 'vae' | 'cvae';
  spec: ModelSpec;
  grid: Grid;
  wavelength?: number;
  /** Known phases in label order (label k = phases[k]). */
  phases: string[];
  /** Latent means of a subsample of training patterns with labels: nearest known phase. */
  reference: {
    latent: number[];
    labels: number[];
    /** Per reference point (absent in models saved before they were recorded). */
    twoThetaOfMax?: number[];
    errors?: number[];
  };
  calibration: Calibration;
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
  ensemble: { seed: number; path: string }[];
}

export function readManifest(dir: string): ModelManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new UserError(`${dir}: not a latent-xrd model folder (no manifest.json)`);
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (manifest.format !== MANIFEST_FORMAT) throw new UserError(`${path}: not a latent-xrd model manifest`);
  if (manifest.formatVersion > MANIFEST_VERSION) {
    throw new UserError(`${path}: written by a newer latent-xrd (format ${manifest.formatVersion}); update latent-xrd to read it`);
  }
  return manifest;
}

/** Refuses a pattern whose grid is not the model's, with both grids named. */
export function checkGrid(manifest: ModelManifest, grid: Grid, what: string): void {
  const g = manifest.grid;
  const same = g.points === grid.points && Math.abs(g.min - grid.min) < 1e-6 && Math.abs(g.max - grid.max) < 1e-6;
  if (!same) {
    throw new UserError(
      `${what}: its 2θ grid (${grid.points} points, ${grid.min}–${grid.max}°) is not the model's (${g.points} points, ${g.min}–${g.max}°); resample it first (latent-xrd score does)`,
    );
  }
}
