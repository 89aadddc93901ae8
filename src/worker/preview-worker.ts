// The CIF preview worker: structure, peaks and the ideal pattern of a CIF's text, varied draws
// of them, and the CIF's diagnostics as you type, off the extension host (a large CIF takes seconds: a MOF or a 27 kB
// organometallic with ten thousand reflections).
import { parentPort } from 'node:worker_threads';
import { previewCif, previewOptionsFromConfig, type StructurePreviewer } from '../core/synth/structure-preview';
import { readStructures } from '../core/crystal/structure';
import type { PreviewReply, PreviewRequest } from '../protocol/preview';

let previewers: StructurePreviewer[] = [];
const post = (m: PreviewReply) => parentPort!.postMessage(m);

parentPort!.on('message', (request: PreviewRequest) => {
  try {
    if (request.type === 'preview') {
      const settings = request.config && previewOptionsFromConfig(request.config.text, request.config.shownPath);
      const result = previewCif(request.text, settings?.options);
      previewers = result.previewers;
      post({ id: request.id, type: 'preview', previews: previewers.map((p) => p.preview), diagnostics: result.diagnostics, settingsNote: settings?.note });
    } else if (request.type === 'diagnose') {
      post({ id: request.id, type: 'diagnose', diagnostics: readStructures(request.text).diagnostics });
    } else {
      const previewer = previewers[request.block];
      post({ id: request.id, type: 'vary', patterns: previewer ? previewer.drawVariations(request.count, request.seed) : [] });
    }
  } catch (e) {
    post({ id: request.id, type: 'failed', message: (e as Error).message ?? String(e) });
  }
});
