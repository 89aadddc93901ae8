// A model folder holds what `saveModel` (or `export --onnx`) writes and nothing else:
// manifest.json, the calibration patterns (calibration-patterns.bin), and model.json +
// weights.bin of each member's encoder and decoder, or their encoder.onnx and decoder.onnx
// (ensemble/<k>/ for members after the first).
// A folder with anything more (a measurement, a note, a project) is not Latent XRD's to replace.
// Kept apart from store.ts so that checking a folder does not load TensorFlow.js.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALIBRATION_PATTERNS_FILE, MANIFEST_FORMAT } from './manifest';
import { refuseToReplace, type Recogniser } from '../util/replaceable';

const MEMBER_FILES = ['model.json', 'weights.bin'];
const MEMBER_PARTS = ['encoder', 'decoder'];
/** A member exported to ONNX (latent-xrd export --onnx): these files in place of, or beside, the folders. */
const MEMBER_ONNX_FILES = ['encoder.onnx', 'decoder.onnx'];

function entryKind(path: string): 'folder' | 'file' | 'other' {
  const stats = lstatSync(path);
  return stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'other';
}

/** The first entry of a member's folder that is not its encoder/ or decoder/ (model.json + weights.bin); `skip` names the root's own. */
function foreignInMember(base: string, shown: string, skip: string[] = []): string | undefined {
  for (const part of readdirSync(base)) {
    if (skip.includes(part)) continue;
    if (MEMBER_ONNX_FILES.includes(part) && entryKind(join(base, part)) === 'file') continue;
    if (!MEMBER_PARTS.includes(part) || entryKind(join(base, part)) !== 'folder') return shown + part;
    for (const file of readdirSync(join(base, part))) {
      if (!MEMBER_FILES.includes(file) || entryKind(join(base, part, file)) !== 'file') return `${shown}${part}/${file}`;
    }
  }
  return undefined;
}

/** Why `dir` is not a model folder Latent XRD wrote, or undefined when it is one. */
export const recogniseModelFolder: Recogniser = (dir) => {
  if (entryKind(dir) !== 'folder') return 'it is not a folder, so not a model folder';
  // An empty folder (made for the model to go in) holds nothing to lose.
  if (readdirSync(dir).length === 0) return undefined;
  let manifest: { format?: unknown } | null;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return 'it is not a model folder written by Latent XRD (no readable manifest.json)';
  }
  if (manifest?.format !== MANIFEST_FORMAT || entryKind(join(dir, 'manifest.json')) !== 'file') return 'its manifest.json is not that of a Latent XRD model';
  let foreign = foreignInMember(dir, '', ['manifest.json', 'ensemble', CALIBRATION_PATTERNS_FILE]);
  if (!foreign && readdirSync(dir).includes(CALIBRATION_PATTERNS_FILE) && entryKind(join(dir, CALIBRATION_PATTERNS_FILE)) !== 'file') foreign = CALIBRATION_PATTERNS_FILE;
  const ensemble = join(dir, 'ensemble');
  if (!foreign && readdirSync(dir).includes('ensemble')) {
    if (entryKind(ensemble) !== 'folder') foreign = 'ensemble';
    else {
      for (const k of readdirSync(ensemble)) {
        foreign = /^[1-9]\d*$/.test(k) && entryKind(join(ensemble, k)) === 'folder' ? foreignInMember(join(ensemble, k), `ensemble/${k}/`) : `ensemble/${k}`;
        if (foreign) break;
      }
    }
  }
  return foreign && `it holds ${foreign}, which a model folder does not`;
};

/**
 * The model folder a training run is to write, checked before any work is done: an existing
 * folder is replaced only when it is one of Latent XRD's own models.
 */
export function checkModelTarget(dir: string): string {
  refuseToReplace(dir, recogniseModelFolder);
  return dir;
}
