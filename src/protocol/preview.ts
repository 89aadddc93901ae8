// The calls of the CIF preview worker (src/worker/preview-worker.ts), made by the extension host
// through the one RPC (src/shared/rpc/). The worker keeps the last previewed structures, so "simulate
// with variation" draws from them without re-reading the CIF.
import type { Diagnostic } from '../core/diagnostics';
import type { StructurePreview } from '../core/synth/structure-preview';

export interface PreviewMethods {
  /** `config`: the workspace's latent-xrd.json nearest the CIF, whose grid, radiation and variation the preview draws with. */
  preview: {
    params: { text: string; config?: { text: string; shownPath: string } };
    result: { previews: StructurePreview[]; diagnostics: Diagnostic[]; settingsNote?: string };
  };
  /** `count` varied patterns of block `block` of the last preview (none for a block it does not have). */
  vary: { params: { block: number; count: number; seed: number }; result: Float32Array[] };
  /** The CIF's diagnostics as the Problems panel shows them (parser and structure), nothing kept. */
  diagnose: { params: { text: string }; result: Diagnostic[] };
}
