// The messages between the extension host and its webviews: one definition for both sides,
// and a validator each side runs on what it receives (a webview is a web page; the host
// trusts nothing it sends, and the page trusts only messages of the shapes below).
// Payloads that carry a core result are derived from its type (a field added there is a field
// here); the maps' data are the view models' own types (src/shared), which the webview draws.
import { COLLECTION_COLOURINGS, MAP_LAYOUTS, type CollectionColouring, type MapLayoutKind, type MapSample } from '../shared/collection-map';
import type { LatentMap } from '../shared/latent-map';
import type { PatternScore, Reliability } from '../core/model/score-result';
import type { UnexplainedPeak } from '../core/analysis/unexplained-peaks';
import type { LabelledPeak, StructureSummary } from '../core/synth/preview-types';
import type { ThresholdInForce } from '../core/analysis/verdict';
import { isRpcReply, isRpcRequest, type RpcReply, type RpcRequest } from '../shared/rpc/envelope';

/** A point on a 2θ axis, for plots. Plain arrays: messages are serialised as JSON. */
export interface SeriesPayload {
  twoTheta: number[];
  values: number[];
}

/** A pattern's score as the page shows it: the core's PatternScore (its numbers, verdict, nearest phase, unexplained peaks) and how it was made. */
export interface ScorePayload extends Pick<PatternScore, 'latent' | 'bce' | 'bceExcess' | 'mse' | 'pValue' | 'verdict' | 'nearestPhase' | 'calibratedOver' | 'unexplainedPeaks'> {
  /** The verdict as shown (core/analysis/verdict.ts verdictLabel): with "(unreliable model)" when the model's checks fell short. */
  verdictLabel: string;
  /** The threshold in force and where it comes from (the model's, or the setting). */
  threshold: Pick<ThresholdInForce, 'pThreshold' | 'description'>;
  /** The model's held-out checks (core/model/reliability.ts); absent: not recorded, unknown. */
  reliability?: Reliability;
  /** Fraction of the model's 2θ range the measurement covers (always known once prepared). */
  coverage: number;
  /** What was done to the data before scoring. */
  steps: string[];
}

/** An unexplained peak: 2θ (°) on the model's axis, d (Å) at the model's wavelength, height over the strongest line, height in noise σ. */
export type UnexplainedPeakPayload = UnexplainedPeak;

/** A pattern with, when a model is active, the model's view of it. */
export interface PatternPayload {
  title: string;
  /** As measured (or simulated), scaled to [0, 1] for display. */
  measured: SeriesPayload;
  /** Kα1 (Å) as the file states it; absent when the file does not say. */
  wavelength?: number;
  /** The reader that read the file ("xrdml", "bruker-raw", …). */
  format?: string;
  /** Header values of the file, as [name, value]. */
  fileMeta?: [string, string][];
  model?: {
    name: string;
    /** On the model's grid: what the model saw and what it reconstructed. */
    prepared: SeriesPayload;
    reconstruction: number[];
    score: ScorePayload;
    /** The subtracted background, on the display scale of `measured`. */
    background?: SeriesPayload;
  };
  /** Why there is no reconstruction (no model, a conditional model, …). */
  modelNote?: string;
}

/** A labelled line of the ideal pattern (core/synth/structure-preview.ts). */
export type PeakLabel = LabelledPeak;

/** A structure of the CIF: its summary (core/synth/preview-types.ts), ideal pattern and lines, and the model's view of it. */
export interface StructurePayload extends StructureSummary {
  wavelength: number;
  ideal: SeriesPayload;
  peaks: PeakLabel[];
  /** Where this structure's varied patterns fall on the active model's latent map (map plane, x y pairs). */
  latent?: { points: number[]; model: string };
  /** The ideal pattern scored by the active model. */
  pattern?: PatternPayload;
}

export interface ProblemPayload {
  severity: 'error' | 'warning' | 'info';
  message: string;
  line?: number;
  column?: number;
}

/** The latent map (src/shared/latent-map.ts) with the error threshold in force, always known to the host. */
export interface LatentMapPayload extends LatentMap {
  errorThreshold: number;
}

/** A sample as the library map shows it (see src/shared/collection-map), and why it has no score. */
export interface CollectionSample extends MapSample {
  error?: string;
}

/** The library map's drawing choices, set in the editor and used again by Export. */
export interface CollectionView {
  by: CollectionColouring;
  layout: MapLayoutKind;
  /** Three elements on the ternary diagram's corners. */
  corners?: string[];
}

export interface CollectionPayload {
  title: string;
  kind: 'library' | 'synthetic';
  waferDiameter?: number;
  samples: CollectionSample[];
  modelNote?: string;
  /** Why the model's verdicts cannot be trusted (its held-out checks fell short, or were never recorded), and the threshold in force. */
  modelWarning?: string;
  /** The collection's note and source facts (axis converted, wavelength not stated, …). */
  about?: string[];
}

export type HostToWebview =
  | { type: 'pattern'; pattern: PatternPayload }
  | { type: 'structures'; file: string; structures: StructurePayload[]; problems: ProblemPayload[]; modelNote?: string; map?: LatentMapPayload }
  | { type: 'variations'; block: number; seed: number; patterns: number[][] }
  | { type: 'latentMap'; map?: LatentMapPayload; note?: string }
  | { type: 'collection'; collection: CollectionPayload }
  | { type: 'sample'; index: number; pattern: PatternPayload }
  | { type: 'error'; title: string; message: string; problems: ProblemPayload[] }
  | RpcRequest<PageMethods>;

/** What the host asks of a page and waits for, through the one RPC (src/shared/rpc/). */
export interface PageMethods {
  /** Draw this SVG onto a canvas and send back a PNG, base64 (the browser has the fonts). */
  rasterize: { params: { svg: string; scale: number }; result: { png: string } };
}

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'drawVariations'; block: number; count: number; seed: number }
  | { type: 'openFile'; file: string }
  | { type: 'reopenAsText' }
  | { type: 'selectSample'; index: number }
  | { type: 'toggleFlag'; index: number }
  /** How the library map is drawn now (remembered by the host for Export). */
  | { type: 'collectionView'; view: CollectionView }
  | { type: 'exportCollection' }
  | RpcReply<PageMethods>;

// ---- validation -------------------------------------------------------------------------

type Check = (v: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isInteger = (min: number, max: number): Check => (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isArray: Check = (v) => Array.isArray(v);
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = (...values: string[]): Check => (v) => typeof v === 'string' && values.includes(v);

function shape(fields: Record<string, Check>): Check {
  return (v) => isObject(v) && Object.entries(fields).every(([k, check]) => check((v as Record<string, unknown>)[k]));
}

const fromWebview: Record<WebviewToHost['type'], Check> = {
  ready: shape({}),
  drawVariations: shape({ block: isInteger(0, 1000), count: isInteger(1, 64), seed: isInteger(0, 2 ** 31) }),
  openFile: shape({ file: isString }),
  reopenAsText: shape({}),
  selectSample: shape({ index: isInteger(0, 10_000_000) }),
  toggleFlag: shape({ index: isInteger(0, 10_000_000) }),
  collectionView: (v) => {
    if (!shape({ view: shape({ by: oneOf(...COLLECTION_COLOURINGS), layout: oneOf(...MAP_LAYOUTS) }) })(v)) return false;
    const corners = (v as { view: { corners?: unknown } }).view.corners;
    return corners === undefined || (Array.isArray(corners) && corners.length === 3 && corners.every((c) => typeof c === 'string' && c.length <= 8));
  },
  exportCollection: shape({}),
  // A page's answer to a host request: an error, or a result of its method's shape.
  reply: (v) => isRpcReply(v) && hasOwn(pageResults, v.method) && ('error' in v || pageResults[v.method as keyof PageMethods](v.result)),
};

const hasOwn = (table: object, key: string) => Object.prototype.hasOwnProperty.call(table, key);

/** The shapes of what the host asks of a page, and of the page's results. */
const pageParams: Record<keyof PageMethods, Check> = { rasterize: shape({ svg: isString, scale: isNumber }) };
const pageResults: Record<keyof PageMethods, Check> = { rasterize: shape({ png: isString }) };

/** At most this many unexplained peaks in a message (the scorer reports up to 20). */
const MAX_UNEXPLAINED_PEAKS = 100;
const isUnexplainedPeak = shape({ twoTheta: isNumber, d: isNumber, relativeHeight: isNumber, sigmas: isNumber });

/**
 * A pattern payload whose model score, if any, carries well-formed unexplained peaks (or none):
 * the page draws a marker at each, so each must be four finite numbers.
 */
const isPatternPayload: Check = (v) => {
  if (!isObject(v)) return false;
  const model = (v as { model?: unknown }).model;
  if (model === undefined) return true;
  const score = isObject(model) ? (model as { score?: unknown }).score : undefined;
  if (!isObject(score)) return false;
  const peaks = (score as { unexplainedPeaks?: unknown }).unexplainedPeaks;
  return peaks === undefined || (Array.isArray(peaks) && peaks.length <= MAX_UNEXPLAINED_PEAKS && peaks.every(isUnexplainedPeak));
};

const fromHost: Record<HostToWebview['type'], Check> = {
  pattern: shape({ pattern: isPatternPayload }),
  structures: (v) =>
    shape({ file: isString, structures: isArray, problems: isArray })(v) &&
    (v as { structures: unknown[] }).structures.every((s) => !isObject(s) || (s as { pattern?: unknown }).pattern === undefined || isPatternPayload((s as { pattern?: unknown }).pattern)),
  variations: shape({ block: isNumber, seed: isNumber, patterns: isArray }),
  latentMap: shape({}),
  collection: shape({ collection: isObject }),
  sample: shape({ index: isNumber, pattern: isPatternPayload }),
  error: shape({ title: isString, message: isString, problems: isArray }),
  request: (v) => isRpcRequest(v) && hasOwn(pageParams, v.method) && pageParams[v.method as keyof PageMethods](v.params),
};

function validate<T extends { type: string }>(table: Record<string, Check>, message: unknown): T | undefined {
  if (!isObject(message)) return undefined;
  const type = (message as { type?: unknown }).type;
  if (typeof type !== 'string' || !hasOwn(table, type)) return undefined;
  return table[type](message) ? (message as T) : undefined;
}

/** The host's check on what a webview sent: undefined for anything not of a known shape. */
export function parseWebviewMessage(message: unknown): WebviewToHost | undefined {
  return validate<WebviewToHost>(fromWebview, message);
}

/** The webview's check on what the host sent. */
export function parseHostMessage(message: unknown): HostToWebview | undefined {
  return validate<HostToWebview>(fromHost, message);
}
