// What the CIF preview says about a structure, as types only (structure-preview.ts computes it):
// kept apart from the crystallography so that the messages to the webview
// (src/protocol/webview.ts) derive their payloads from these types and the webview's type
// check (DOM, no Node) can read them.
import type { CellParameters } from '../crystal/types';

export interface LabelledPeak {
  twoTheta: number;
  /** 0–100, strongest peak 100. */
  intensity: number;
  d: number;
  /** e.g. "(1 1 1)" or "(1 0 -1 1)"; the strongest family first when several coincide. */
  hkl: string;
}

export interface StructureSummary {
  blockName: string;
  formula: string;
  cell: CellParameters;
  volume: number;
  spaceGroup: string;
  spaceGroupNumber?: number;
  sites: number;
  atomsInCell: number;
}
