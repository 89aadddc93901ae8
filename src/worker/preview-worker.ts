// The CIF preview worker: structure, peaks and the ideal pattern of a CIF's text, and varied
// draws of them, off the extension host (a large CIF takes seconds: a MOF or a 27 kB
// organometallic with ten thousand reflections).
import { parentPort } from 'node:worker_threads';
import { previewCif, type StructurePreviewer } from '../core/synth/structure-preview';
import type { PreviewReply, PreviewRequest } from '../protocol/preview';

let previewers: StructurePreviewer[] = [];
const post = (m: PreviewReply) => parentPort!.postMessage(m);

parentPort!.on('message', (request: PreviewRequest) => {
  try {
    if (request.type === 'preview') {
      const result = previewCif(request.text);
      previewers = result.previewers;
      post({ id: request.id, type: 'preview', previews: previewers.map((p) => p.preview), diagnostics: result.diagnostics });
    } else {
      const previewer = previewers[request.block];
      post({ id: request.id, type: 'vary', patterns: previewer ? previewer.drawVariations(request.count, request.seed) : [] });
    }
  } catch (e) {
    post({ id: request.id, type: 'failed', message: (e as Error).message ?? String(e) });
  }
});
