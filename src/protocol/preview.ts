// Messages between the CIF preview worker and the extension host. The worker keeps the last
// previewed structures, so "simulate with variation" draws from them without re-reading the CIF.
import type { Diagnostic } from '../core/diagnostics';
import type { StructurePreview } from '../core/synth/structure-preview';

export type PreviewRequest =
  /** `config`: the workspace's latent-xrd.json nearest the CIF, whose grid, radiation and variation the preview draws with. */
  | { id: number; type: 'preview'; text: string; config?: { text: string; shownPath: string } }
  | { id: number; type: 'vary'; block: number; count: number; seed: number }
  /** The CIF's diagnostics as the Problems panel shows them (parser and structure), nothing kept. */
  | { id: number; type: 'diagnose'; text: string };

export type PreviewReply =
  | { id: number; type: 'preview'; previews: StructurePreview[]; diagnostics: Diagnostic[]; settingsNote?: string }
  | { id: number; type: 'vary'; patterns: Float32Array[] }
  | { id: number; type: 'diagnose'; diagnostics: Diagnostic[] }
  | { id: number; type: 'failed'; message: string };
