// `latent-xrd export --onnx`: a model folder whose members are ONNX files. The folder is a whole
// model — the manifest (with `onnx` naming the files), the calibration patterns, and
// encoder.onnx + decoder.onnx per member — so `score --model` takes it as it takes the original,
// and a model trained elsewhere scores in the extension when its files replace these.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedModel } from '../store';
import { CALIBRATION_PATTERNS_FILE, type ModelManifest, type OnnxMemberPaths } from '../manifest';
import { recogniseModelFolder } from '../model-folder';
import { encodeAndReconstruct, type EncodingMember, type VaeModels } from '../vae';
import { UserError } from '../../diagnostics';
import { syncFile, writeAtomically, writeNewFile } from '../../util/atomic';
import { Random } from '../../util/random';
import { memberToOnnx } from './export';
import { onnxMember, type OnnxMember } from './graph';

/** Where member k's ONNX files go in an exported folder. */
export function onnxPaths(k: number): OnnxMemberPaths {
  const base = k === 0 ? '' : `ensemble/${k}/`;
  return { encoder: `${base}encoder.onnx`, decoder: `${base}decoder.onnx` };
}

/** Largest difference, over probe patterns, allowed between the exported graphs and the model they came from. */
export const EXPORT_TOLERANCE = 1e-5;

function isLayersModel(m: EncodingMember): m is VaeModels {
  return 'encoder' in m && 'decoder' in m;
}

/**
 * Writes `model` (loaded from `modelDir`) to `outDir` as ONNX, atomically: each member's graphs
 * are read back, run on probe patterns beside the member they came from, and must agree to
 * EXPORT_TOLERANCE before the folder is renamed into place. `outDir` is replaced only when it is
 * an earlier model folder of Latent XRD, and never when it is `modelDir` itself.
 */
export async function exportOnnxFolder(model: LoadedModel, modelDir: string, outDir: string): Promise<{ files: string[] }> {
  if (resolve(outDir) === resolve(modelDir)) throw new UserError(`${outDir}: is the model being exported; choose another folder for the ONNX export`);
  const { manifest } = model;
  const paths = model.members.map((_, k) => onnxPaths(k));
  const exported: ModelManifest = { ...manifest, onnx: paths };
  const files: string[] = [];
  await writeAtomically(
    outDir,
    (temporary) => {
      mkdirSync(temporary, { recursive: true });
      model.members.forEach((member, k) => {
        const bytes = isLayersModel(member) ? memberToOnnx(member) : { encoder: (member as OnnxMember).onnx.encoder.bytes, decoder: (member as OnnxMember).onnx.decoder.bytes };
        if (k > 0) mkdirSync(join(temporary, 'ensemble', String(k)), { recursive: true });
        writeNewFile(join(temporary, paths[k].encoder), bytes.encoder);
        writeNewFile(join(temporary, paths[k].decoder), bytes.decoder);
        files.push(paths[k].encoder, paths[k].decoder);
        checkAgainst(member, onnxMember(manifest.spec, { encoder: { bytes: bytes.encoder, file: join(outDir, paths[k].encoder) }, decoder: { bytes: bytes.decoder, file: join(outDir, paths[k].decoder) } }), k);
      });
      if (manifest.calibration.patterns !== undefined) {
        const source = join(modelDir, CALIBRATION_PATTERNS_FILE);
        if (!existsSync(source)) throw new UserError(`${source}: missing; the manifest says the model keeps its calibration patterns`);
        copyFileSync(source, join(temporary, CALIBRATION_PATTERNS_FILE));
        syncFile(join(temporary, CALIBRATION_PATTERNS_FILE));
        files.push(CALIBRATION_PATTERNS_FILE);
      }
      writeNewFile(join(temporary, 'manifest.json'), JSON.stringify(exported, null, 1));
      files.push('manifest.json');
    },
    recogniseModelFolder,
  );
  return { files };
}

/** The exported graphs against their member on seeded probe patterns: a bad export is an error, not a file. */
function checkAgainst(member: EncodingMember, exported: OnnxMember, k: number): void {
  try {
    const { spec } = member;
    const rows = 16;
    const random = new Random(20210915 + k);
    const patterns = Float32Array.from({ length: rows * spec.points }, () => random.float());
    const elements = spec.compositionElements.length;
    const compositions = elements ? Float32Array.from({ length: rows * elements }, () => random.float()) : undefined;
    const a = encodeAndReconstruct(member, patterns, rows, { compositions, keepReconstructions: true });
    const b = encodeAndReconstruct(exported, patterns, rows, { compositions, keepReconstructions: true });
    for (const key of ['mean', 'logVar', 'reconstructions'] as const) {
      const x = a[key]!;
      const y = b[key]!;
      for (let i = 0; i < x.length; i++) {
        if (!(Math.abs(x[i] - y[i]) <= EXPORT_TOLERANCE)) throw new Error(`member ${k + 1}: the exported ${key} differs from the model's by ${Math.abs(x[i] - y[i])} at value ${i}`);
      }
    }
  } finally {
    exported.dispose();
  }
}
