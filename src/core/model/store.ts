// A saved model is a folder:
//   manifest.json           what it is: grid, phases, composition elements, training, metrics,
//                           calibration; read by `score`, the extension and people
//   encoder/model.json      TensorFlow.js layers format (+ weights.bin), convertible to Keras
//   decoder/model.json        with tensorflowjs_converter
//   ensemble/<k>/{encoder,decoder}/   further ensemble members (k ≥ 1), same format
// Written to a temporary folder and renamed into place as a whole.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './backend';
import type { VaeModels } from './vae';
import { UserError } from '../diagnostics';
import { readManifest, type ModelManifest } from './manifest';
import { recogniseModelFolder } from './model-folder';
import { writeAtomically, writeNewFile } from '../util/atomic';

export { MANIFEST_FORMAT, MANIFEST_VERSION, readManifest, checkGrid, type Calibration, type ModelManifest } from './manifest';

async function saveLayersModel(model: tfl.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      writeNewFile(join(dir, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeNewFile(join(dir, 'model.json'), JSON.stringify(modelJson));
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

/**
 * Writes the folder atomically: a reader never sees half a model, an old model survives a
 * failure. Every file is flushed to the disk and read back before the folder is renamed into place.
 */
export async function saveModel(dir: string, members: VaeModels[], manifest: ModelManifest): Promise<void> {
  await writeAtomically(
    dir,
    async (temporary) => {
      mkdirSync(temporary, { recursive: true });
      for (let k = 0; k < members.length; k++) {
        const base = k === 0 ? temporary : join(temporary, 'ensemble', String(k));
        await saveLayersModel(members[k].encoder, join(base, 'encoder'));
        await saveLayersModel(members[k].decoder, join(base, 'decoder'));
      }
      writeNewFile(join(temporary, 'manifest.json'), JSON.stringify(manifest, null, 1));
    },
    recogniseModelFolder,
  );
}

export interface LoadedModel {
  manifest: ModelManifest;
  members: VaeModels[];
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
