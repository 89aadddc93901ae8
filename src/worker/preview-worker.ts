// The CIF preview worker: structure, peaks and the ideal pattern of a CIF's text, varied draws
// of them, and the CIF's diagnostics as you type, off the extension host (a large CIF takes seconds: a MOF or a 27 kB
// organometallic with ten thousand reflections). Its calls: src/protocol/preview.ts.
import { previewCif, previewOptionsFromConfig, type StructurePreviewer } from '../core/synth/structure-preview';
import { readStructures } from '../core/crystal/structure';
import type { PreviewMethods } from '../protocol/preview';
import { serveParent } from './worker-rpc';

let previewers: StructurePreviewer[] = [];

serveParent<PreviewMethods>({
  preview({ text, config }) {
    const settings = config && previewOptionsFromConfig(config.text, config.shownPath);
    const result = previewCif(text, settings?.options);
    previewers = result.previewers;
    return { previews: previewers.map((p) => p.preview), diagnostics: result.diagnostics, settingsNote: settings?.note };
  },
  diagnose: ({ text }) => readStructures(text).diagnostics,
  vary({ block, count, seed }) {
    const previewer = previewers[block];
    return previewer ? previewer.drawVariations(count, seed) : [];
  },
});
