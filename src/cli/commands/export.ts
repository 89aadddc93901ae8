import { resolve } from 'node:path';
import type { Command } from '../args';
import { parseBackend, parseCommandArgs } from '../args';
import { UserError } from '../../core/diagnostics';
import { initBackend } from '../../core/model/backend';
import { loadModel } from '../../core/model/store';
import { EXPORT_TOLERANCE, exportOnnxFolder } from '../../core/model/onnx/folder';
import { ONNX_NAMES } from '../../core/model/onnx/export';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a trained model as ONNX (encoder and decoder), for other engines and back',
  usage: [
    'latent-xrd export --onnx --model DIR --out DIR2 [--backend auto|wasm|cpu]',
    '',
    'Writes DIR2 as a model folder whose members are ONNX files (opset 13): encoder.onnx takes',
    `"${ONNX_NAMES.pattern}" [batch, points] (and "${ONNX_NAMES.composition}" for a conditional model) and gives`,
    `"${ONNX_NAMES.mean}" and "${ONNX_NAMES.logVar}" [batch, latent]; decoder.onnx takes "${ONNX_NAMES.z}" [batch, latent] (and`,
    `"${ONNX_NAMES.composition}") and gives "${ONNX_NAMES.reconstruction}" [batch, points] in [0, 1]. Ensemble members go to`,
    'ensemble/<k>/. The manifest is copied with `onnx` naming the files, and the calibration',
    'patterns with it, so `latent-xrd score --model DIR2` scores as the original does; a model',
    'trained elsewhere scores in Latent XRD when its ONNX files take these places. Before the',
    `folder is written, the exported graphs are run beside the model on probe patterns and must`,
    `agree to ${EXPORT_TOLERANCE}. DIR2 is replaced only when it is an earlier model folder of Latent XRD.`,
  ].join('\n'),
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs('export', argv, {
      onnx: { type: 'boolean' },
      model: { type: 'string', short: 'm' },
      out: { type: 'string', short: 'o' },
      backend: { type: 'string' },
    });
    if (positionals.length) throw new UserError(`export: unexpected ${positionals.map((p) => `"${p}"`).join(' ')} (see \`latent-xrd export --help\`)`);
    if (!values.onnx) throw new UserError('export: name the format with --onnx (the one format export writes)');
    if (!values.model) throw new UserError('export: name the model folder with --model DIR');
    if (!values.out) throw new UserError('export: name the folder to write with --out DIR2');
    await initBackend(parseBackend(values.backend));
    const modelDir = resolve(ctx.cwd, values.model);
    const outDir = resolve(ctx.cwd, values.out);
    const model = await loadModel(modelDir);
    try {
      const { files } = await exportOnnxFolder(model, modelDir, outDir);
      ctx.out(`wrote ${values.out}: ${files.join(', ')}\n`);
    } finally {
      for (const m of model.members) m.dispose();
    }
    return 0;
  },
};
