// A saved model is a folder:
//   manifest.json           what it is: grid, phases, composition elements, training, metrics,
//                           calibration; read by `score`, the extension and people
//   encoder/model.json      TensorFlow.js layers format (+ weights.bin), convertible to Keras
//   decoder/model.json        with tensorflowjs_converter
//   ensemble/<k>/{encoder,decoder}/   further ensemble members (k ≥ 1), same format
// Written to a temporary folder and renamed into place as a whole.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './backend';
import type { ModelSpec } from './architecture';
import type { VaeModels } from './vae';
import { UserError } from '../diagnostics';
import { writeAtomically } from '../util/atomic';
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
  reference: { latent: number[]; labels: number[] };
  calibration: Calibration;
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
  ensemble: { seed: number; path: string }[];
}

async function saveLayersModel(model: tfl.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      writeFileSync(join(dir, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
}

async function loadLayersModel(dir: string): Promise<tfl.LayersModel> {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const manifest = modelJson.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const buffers = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p))));
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
  return tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: manifest.flatMap((g) => g.weights), weightData: weightData.buffer }),
  );
}

/** Writes the folder atomically: a reader never sees half a model, an old model survives a failure. */
export async function saveModel(dir: string, members: VaeModels[], manifest: ModelManifest): Promise<void> {
  await writeAtomically(dir, async (temporary) => {
    mkdirSync(temporary, { recursive: true });
    for (let k = 0; k < members.length; k++) {
      const base = k === 0 ? temporary : join(temporary, 'ensemble', String(k));
      await saveLayersModel(members[k].encoder, join(base, 'encoder'));
      await saveLayersModel(members[k].decoder, join(base, 'decoder'));
    }
    writeFileSync(join(temporary, 'manifest.json'), JSON.stringify(manifest, null, 1));
  });
}

export interface LoadedModel {
  manifest: ModelManifest;
  members: VaeModels[];
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

export async function loadModel(dir: string): Promise<LoadedModel> {
  const manifest = readManifest(dir);
  const members: VaeModels[] = [];
  for (let k = 0; k < Math.max(1, manifest.ensemble.length); k++) {
    const base = k === 0 ? dir : join(dir, 'ensemble', String(k));
    const encoder = await loadLayersModel(join(base, 'encoder'));
    const decoder = await loadLayersModel(join(base, 'decoder'));
    // The same layers up to the sigmoid, as buildVae makes it (training computes BCE from logits).
    const decoderLogits = tfl.model({ inputs: decoder.inputs, outputs: decoder.getLayer('reconstruction_logits').output as tfl.SymbolicTensor, name: 'decoder_logits' });
    members.push({ spec: manifest.spec, encoder, decoder, decoderLogits });
  }
  const inputWidth = (members[0].encoder.inputs[0].shape[1] ?? 0) as number;
  if (inputWidth !== manifest.grid.points) {
    throw new UserError(`${dir}: the encoder takes ${inputWidth} points but the manifest's grid has ${manifest.grid.points}; the folder is inconsistent`);
  }
  return { manifest, members };
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
