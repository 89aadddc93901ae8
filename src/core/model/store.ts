// A saved model is a folder:
//   manifest.json           what it is: grid, phases, composition elements, training, metrics,
//                           calibration; read by `score`, the extension and people
//   encoder/model.json      TensorFlow.js layers format (+ weights.bin), convertible to Keras
//   decoder/model.json        with tensorflowjs_converter
//   ensemble/<k>/{encoder,decoder}/   further ensemble members (k ≥ 1), same format
// or, when the manifest names them (`onnx`, written by `latent-xrd export --onnx` or by hand for
// a model trained elsewhere), each member's encoder and decoder as ONNX files instead.
// Written to a temporary folder and renamed into place as a whole.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './backend';
import { buildVae, type EncodingMember, type VaeModels } from './vae';
import { onnxMember } from './onnx/graph';
import { UserError } from '../diagnostics';
import { quoteForMessage } from '../formats/located';
import { CALIBRATION_PATTERNS_FILE, MODEL_LIMITS, readManifest, type ModelManifest } from './manifest';
import { recogniseModelFolder } from './model-folder';
import { writeAtomically, writeNewFile } from '../util/atomic';

export { MANIFEST_FORMAT, MANIFEST_VERSION, MODEL_LIMITS, readManifest, checkGrid, validateManifest, noveltyMeaning, type Calibration, type MixtureTraining, type ModelManifest } from './manifest';

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

/**
 * Fills `model` (built from the manifest's spec) with the weights saved in `dir`. The saved
 * topology is not rebuilt: a model.json could declare layers of any size, and the spec, checked
 * against MODEL_LIMITS, is what says what the model is. Each listed weight must be one the model
 * has, of its shape, in float32, the files must hold exactly those bytes, and every weight must
 * be finite; anything else is a UserError naming the file (and the byte of a bad number).
 */
function loadWeightsInto(model: tfl.LayersModel, dir: string): void {
  const modelJsonPath = join(dir, 'model.json');
  const modelJson = readJson(modelJsonPath) as { weightsManifest?: unknown };
  const groups = modelJson?.weightsManifest;
  if (!Array.isArray(groups)) throw new UserError(`${modelJsonPath}: weightsManifest: missing or not a list`);
  const expected = new Map(model.weights.map((w) => [w.originalName, w.shape as number[]]));
  const seen = new Set<string>();
  const values: Record<string, tf.Tensor> = {};
  try {
    groups.forEach((group: { paths?: unknown; weights?: unknown }, g) => {
      const where = `weightsManifest[${g}]`;
      if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw new UserError(`${modelJsonPath}: ${where}: must list paths and weights`);
      // Weight files sit beside model.json: a name, never a path out of the model folder.
      const files = (group.paths as unknown[]).map((p, k) => {
        if (typeof p !== 'string' || !/^[\w.-]+$/.test(p) || p === '.' || p === '..') throw new UserError(`${modelJsonPath}: ${where}.paths[${k}]: must be a file name in the model folder; got ${typeof p === 'string' ? quoteForMessage(p) : String(p)}`);
        return join(dir, p);
      });
      const specs = (group.weights as { name?: unknown; shape?: unknown; dtype?: unknown }[]).map((w, k) => {
        const key = `${modelJsonPath}: ${where}.weights[${k}]`;
        const name = typeof w?.name === 'string' ? w.name : undefined;
        const shape = expected.get(name ?? '');
        if (!name || !shape) throw new UserError(`${key}: ${name === undefined ? 'has no name' : `${quoteForMessage(name)} is not a weight of this model (${[...expected.keys()].join(', ')})`}`);
        if (seen.has(name)) throw new UserError(`${key}: ${name} is listed twice`);
        seen.add(name);
        if (w.dtype !== 'float32') throw new UserError(`${key}: ${name} is ${quoteForMessage(String(w.dtype))}; latent-xrd models hold float32`);
        if (!Array.isArray(w.shape) || w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
          throw new UserError(`${key}: ${name} has shape [${Array.isArray(w.shape) ? w.shape.slice(0, 8).join(', ') : String(w.shape)}], but the manifest's spec makes it [${shape.join(', ')}]`);
        }
        return { name, shape, size: shape.reduce((a, b) => a * b, 1) };
      });
      const needed = 4 * specs.reduce((sum, w) => sum + w.size, 0);
      let held = 0;
      for (const file of files) {
        if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${file}: missing (listed in ${modelJsonPath})`);
        held += statSync(file).size;
      }
      if (held !== needed) throw new UserError(`${files.join(' + ')}: ${held} bytes, but the weights listed in ${modelJsonPath} take ${needed}`);
      const bytes = new Uint8Array(needed);
      let offset = 0;
      for (const file of files) {
        const part = readFileSync(file);
        bytes.set(part, offset);
        offset += part.byteLength;
      }
      const all = new Float32Array(bytes.buffer, 0, needed / 4);
      let at = 0;
      for (const w of specs) {
        const data = all.subarray(at, at + w.size);
        for (let i = 0; i < data.length; i++) {
          if (!Number.isFinite(data[i])) throw new UserError(`${files.join(' + ')}: byte ${4 * (at + i)}: weight ${w.name} holds ${data[i]}; a model's weights are finite numbers`);
        }
        values[w.name] = tf.tensor(data, w.shape, 'float32');
        at += w.size;
      }
    });
    const missing = [...expected.keys()].filter((name) => !seen.has(name));
    if (missing.length) throw new UserError(`${modelJsonPath}: weights ${missing.join(', ')} are not listed`);
    model.loadWeights(values);
  } finally {
    for (const t of Object.values(values)) t.dispose();
  }
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new UserError(`${path}: missing; the model folder is incomplete`);
  try {
    if (statSync(path).size > MODEL_LIMITS.manifestBytes) throw new UserError(`${path}: larger than any model description (${MODEL_LIMITS.manifestBytes} bytes)`);
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: cannot be read as JSON (${(e as Error).message})`);
  }
}

/**
 * Writes the folder atomically: a reader never sees half a model, an old model survives a
 * failure. Every file is flushed to the disk and read back before the folder is renamed into place.
 */
export async function saveModel(dir: string, members: VaeModels[], manifest: ModelManifest, calibrationPatterns?: Float32Array): Promise<void> {
  const kept = manifest.calibration.patterns;
  if ((kept === undefined) !== (calibrationPatterns === undefined) || (calibrationPatterns && calibrationPatterns.length !== kept! * manifest.grid.points)) {
    throw new Error(`saveModel: calibration.patterns (${kept}) does not match the calibration patterns given (${calibrationPatterns?.length ?? 'none'} values)`);
  }
  await writeAtomically(
    dir,
    async (temporary) => {
      mkdirSync(temporary, { recursive: true });
      for (let k = 0; k < members.length; k++) {
        const base = k === 0 ? temporary : join(temporary, 'ensemble', String(k));
        await saveLayersModel(members[k].encoder, join(base, 'encoder'));
        await saveLayersModel(members[k].decoder, join(base, 'decoder'));
      }
      if (calibrationPatterns) writeNewFile(join(temporary, CALIBRATION_PATTERNS_FILE), littleEndianBytes(calibrationPatterns));
      writeNewFile(join(temporary, 'manifest.json'), JSON.stringify(manifest, null, 1));
    },
    recogniseModelFolder,
  );
}

export interface LoadedModel {
  manifest: ModelManifest;
  /** TensorFlow.js layers models (vae.ts), or ONNX graphs (onnx/graph.ts) when the manifest names them. */
  members: EncodingMember[];
  /** The calibration patterns (calibration.patterns rows on the grid), when the folder keeps them. */
  calibrationPatterns?: Float32Array;
}

function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytes;
}

/** The calibration patterns the manifest says the folder keeps: exactly that many values, each in [0, 1] as a prepared pattern's. */
function readCalibrationPatterns(dir: string, manifest: ModelManifest): Float32Array | undefined {
  const rows = manifest.calibration.patterns;
  if (rows === undefined) return undefined;
  const path = join(dir, CALIBRATION_PATTERNS_FILE);
  if (!existsSync(path)) throw new UserError(`${path}: missing; the manifest says the model keeps ${rows} calibration patterns`);
  const expected = rows * manifest.grid.points * 4;
  const size = statSync(path).size;
  if (size !== expected) throw new UserError(`${path}: ${size} bytes; ${rows} patterns of ${manifest.grid.points} float32 values are ${expected}`);
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(rows * manifest.grid.points);
  for (let i = 0; i < values.length; i++) {
    const v = view.getFloat32(4 * i, true);
    if (!(v >= 0 && v <= 1)) throw new UserError(`${path}: value ${i + 1} (pattern ${Math.floor(i / manifest.grid.points) + 1}) is ${v}; a calibration pattern lies in [0, 1]`);
    values[i] = v;
  }
  return values;
}

/** An ONNX file the manifest names (a path checked by validateManifest), read whole within the size any model of the limits can take. */
function readOnnxFile(dir: string, name: string): { bytes: Uint8Array; file: string } {
  const file = join(dir, name);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${file}: missing (named in ${join(dir, 'manifest.json')}: onnx)`);
  const most = 4 * MODEL_LIMITS.parameters + 2 ** 20;
  const size = statSync(file).size;
  if (size > most) throw new UserError(`${file}: ${size} bytes, more than any model within Latent XRD's limits takes (${most})`);
  return { bytes: new Uint8Array(readFileSync(file)), file };
}

/**
 * The model in `dir`: its manifest checked (manifest.ts), each member built from the manifest's
 * spec and filled with its saved weights (checked against that spec). Anything wrong with the
 * folder is a UserError naming the file.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const manifest = readManifest(dir);
  const calibrationPatterns = readCalibrationPatterns(dir, manifest);
  const members: EncodingMember[] = [];
  try {
    for (let k = 0; k < Math.max(1, manifest.ensemble.length); k++) {
      const onnx = manifest.onnx?.[k];
      if (onnx) {
        members.push(onnxMember(manifest.spec, { encoder: readOnnxFile(dir, onnx.encoder), decoder: readOnnxFile(dir, onnx.decoder) }));
        continue;
      }
      const base = k === 0 ? dir : join(dir, 'ensemble', String(k));
      const member = buildVae(manifest.spec, 0);
      members.push(member);
      loadWeightsInto(member.encoder, join(base, 'encoder'));
      loadWeightsInto(member.decoder, join(base, 'decoder'));
    }
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
  return { manifest, members, ...(calibrationPatterns ? { calibrationPatterns } : {}) };
}
