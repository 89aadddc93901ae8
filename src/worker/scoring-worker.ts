// The scoring worker: reads pattern files, parses them, and scores them with the active model, off
// the extension host's thread (and off `latent-xrd watch`'s). Each step of the work is announced
// as it begins and ends (src/protocol/scoring.ts), so the host can stop a worker that one file
// keeps busy past the time limit, and retry the others on a fresh one. The model is loaded here,
// on first use: TensorFlow.js never loads on the host's thread.
import { basename } from 'node:path';
import { readPattern, type MeasuredPattern } from '../core/formats';
import { parseCollection, type Collection } from '../core/formats/collection';
import { errorInFile } from '../core/formats/located';
import { UserError } from '../core/diagnostics';
import { latentMapBase } from '../core/analysis/latent-map-base';
import { nonFiniteScoreNumber, thresholdInForce, verdictFor } from '../core/analysis/verdict';
import { latentPlane, type LatentPlane } from '../core/analysis/latent-plane';
import { measuredSpan, type MeasuredSpan, type PatternScore, type Scorer } from '../core/model/score';
import type { ModelManifest } from '../core/model/manifest';
import {
  TEST_CRASH_FILE_VARIABLE,
  TEST_STALL_FILE_VARIABLE,
  type ItemResult,
  type ModelRef,
  type PatternSource,
  type ScoringCall,
  type ScoringMethods,
  type ScoringProgress,
  type ScoringSettings,
  type StepScope,
} from '../protocol/scoring';
import type { RequestContext, RpcHandlers } from '../shared/rpc/server';
import { patternPayload } from './pattern-payload';
import { readRegularFile } from './pattern-file';
import { serveParent } from './worker-rpc';

/** Files read at once: enough to hide the file system's latency, few enough not to flood it. */
const READS_IN_FLIGHT = 16;

/** How each request still running reports its progress, by its id. */
const reporters = new Map<number, (progress: ScoringProgress) => void>();
const report = (id: number, progress: ScoringProgress) => reporters.get(id)?.(progress);

let lastStep = 0;

/** Runs `work` as one step of request `id`: the host's clock for the time limit runs from its begin to its end. */
async function step<T>(id: number, scope: StepScope, work: () => T | Promise<T>): Promise<T> {
  const s = ++lastStep;
  report(id, { type: 'begin', step: s, scope });
  try {
    return await work();
  } finally {
    report(id, { type: 'end', step: s });
  }
}

const one = (index: number, patterns = 1): StepScope => ({ kind: 'items', items: [index], patterns });

const stallFile = process.env[TEST_STALL_FILE_VARIABLE];
const crashFile = process.env[TEST_CRASH_FILE_VARIABLE];

/** Test-only (see TEST_STALL_FILE_VARIABLE): a named file sleeps forever, or ends the worker. */
function injectedFault(name: string): void {
  const base = basename(name);
  if (stallFile && base === stallFile) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (crashFile && base === crashFile) process.exit(70);
}

// ---- the model ------------------------------------------------------------------------------

interface LoadedModel {
  key: string;
  ref: ModelRef;
  manifest: ModelManifest;
  scorer: Scorer;
  plane: LatentPlane;
  engine: typeof import('./model-engine');
}

let loaded: LoadedModel | undefined;

async function modelFor(id: number, ref: ModelRef): Promise<LoadedModel> {
  const key = `${ref.dir}\n${ref.created}\n${ref.backend}`;
  if (loaded?.key === key) return loaded;
  loaded = undefined;
  return step(id, { kind: 'load' }, async () => {
    const started = Date.now();
    const engine = await import('./model-engine');
    const backend = await engine.initBackend(ref.backend);
    const model = await engine.loadModel(ref.dir).catch((e: unknown) => {
      // Missing or damaged weights are the folder's problem, said with the folder's name.
      throw e instanceof UserError ? e : new UserError(`${ref.dir}: ${(e as Error)?.message ?? String(e)}`);
    });
    const { manifest } = model;
    loaded = { key, ref, manifest, scorer: new engine.Scorer(model), plane: latentPlane(manifest.reference.latent, manifest.spec.latent), engine };
    report(id, { type: 'loaded', model: ref.name, backend: backend.name, notes: backend.notes, ms: Date.now() - started });
    return loaded;
  });
}

/** The threshold in force for this request (core/analysis/verdict.ts decides: the setting, else the model's). */
const thresholdFor = (settings: ScoringSettings, manifest: ModelManifest) => thresholdInForce(manifest, settings.pThreshold, settings.pThresholdName);

/** The verdict at the threshold in force; verdictFor refuses a non-finite score. */
const withVerdict = (score: PatternScore, settings: ScoringSettings, manifest: ModelManifest): PatternScore => ({
  ...score,
  verdict: verdictFor(score, thresholdFor(settings, manifest)),
});

const hasNumbers = (score: PatternScore) => nonFiniteScoreNumber(score) === undefined;

function mapPoint(model: LoadedModel, latent: number[]): [number, number] {
  const p = model.plane.project(latent);
  return [p[0], p[1]];
}

// ---- reading --------------------------------------------------------------------------------

/** A user error named with its file (a reader's names it already; preprocessing's does not), anything else as the file's failure. */
function describeFailure(name: string, e: unknown): Pick<ItemResult, 'error' | 'diagnostics'> {
  if (e instanceof UserError) return { error: e.message.startsWith(name) ? e.message : `${name}: ${e.message}`, diagnostics: e.diagnostics };
  return { error: `${name}: could not be read (${(e as Error)?.message ?? String(e)})` };
}

/** The bytes of every file item, READS_IN_FLIGHT at a time, each read its own step. */
async function readAll(id: number, items: PatternSource[], results: ItemResult[]): Promise<(Uint8Array | undefined)[]> {
  const bytes: (Uint8Array | undefined)[] = items.map((item) => (item.kind === 'bytes' ? item.bytes : undefined));
  const files = items.flatMap((item, i) => (item.kind === 'file' ? [i] : []));
  let next = 0;
  const reader = async () => {
    while (next < files.length) {
      const i = files[next++];
      const item = items[i] as Extract<PatternSource, { kind: 'file' }>;
      try {
        const read = await step(id, one(i), () => readRegularFile(item.path, item.name));
        if (read === 'gone') results[i].gone = true;
        else bytes[i] = read;
      } catch (e) {
        Object.assign(results[i], describeFailure(item.name, e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, files.length) }, reader));
  return bytes;
}

function parsed(item: PatternSource, bytes: Uint8Array | undefined): MeasuredPattern {
  if (item.kind === 'measured') return item.measured;
  return readPattern(bytes!, item.name);
}

// ---- the calls ------------------------------------------------------------------------------

/** A call as the handlers read it: its params, and the id its steps are reported under. */
type Handler<K extends ScoringCall> = (request: { id: number } & ScoringMethods[K]['params']) => Promise<ScoringMethods[K]['result']>;

const conditionalNote = (ref: ModelRef) => `${ref.name} is a conditional model: it needs a composition for each pattern`;

const handlers: { [K in ScoringCall]: Handler<K> } = {
  async load({ id, settings }) {
    if (!settings.model) throw new UserError('no model to load');
    const { engine } = await modelFor(id, settings.model);
    const backend = await engine.initBackend(settings.model.backend);
    return { backend: backend.name, notes: backend.notes };
  },

  async score({ id, items, batchSize, settings }) {
    const results: ItemResult[] = items.map(() => ({}));
    const bytes = await readAll(id, items, results);
    const readable = items.flatMap((item, i) => (results[i].error || results[i].gone ? [] : [i]));
    let model: LoadedModel | undefined;
    let modelProblem: string | undefined;
    if (settings.model && readable.length) {
      try {
        model = await modelFor(id, settings.model);
        if (model.manifest.kind === 'cvae') modelProblem = conditionalNote(settings.model);
      } catch (e) {
        modelProblem = `the model could not be loaded: ${(e as Error).message}`;
      }
    }
    const scorable = !!model && !modelProblem;
    const points = model?.manifest.grid.points ?? 0;
    const size = Math.max(1, Math.min(batchSize, readable.length));
    const batch = new Float32Array(scorable ? size * points : 0);
    let rows: number[] = [];
    let spans: MeasuredSpan[] = [];
    const scoreRows = async () => {
      if (!rows.length) return;
      const inBatch = rows;
      const inBatchSpans = spans;
      rows = [];
      spans = [];
      // Each pattern keeps its own outcome: one the model gives a non-finite number for is that file's error.
      const { results: scored } = await step(id, { kind: 'items', items: inBatch, patterns: inBatch.length }, () => model!.scorer.scoreEach(batch, inBatch.length, { spans: inBatchSpans }));
      inBatch.forEach((i, row) => {
        const outcome = scored[row];
        try {
          if (outcome.error) throw outcome.error;
          results[i].score = withVerdict(outcome.score, settings, model!.manifest);
          results[i].mapPoint = mapPoint(model!, outcome.score.latent);
        } catch (e) {
          results[i] = describeFailure(items[i].name, e);
        }
      });
    };
    for (const i of readable) {
      const item = items[i];
      try {
        await step(id, one(i), () => {
          injectedFault(item.name);
          const measured = parsed(item, bytes[i]);
          bytes[i] = undefined;
          if (!scorable) return;
          const prepared = model!.scorer.prepare(measured, settings.preprocessing);
          batch.set(prepared.pattern, rows.length * points);
          spans.push(measuredSpan(prepared, points));
          rows.push(i);
          Object.assign(results[i], { coverage: prepared.coverage, steps: prepared.steps, ...(prepared.operations ? { operations: prepared.operations } : {}) });
        });
      } catch (e) {
        Object.assign(results[i], describeFailure(item.name, e));
        continue;
      }
      if (modelProblem) results[i].error = modelProblem;
      if (rows.length === size) await scoreRows();
    }
    await scoreRows();
    return results;
  },

  async plot({ id, source, title, composition, settings }) {
    const results: ItemResult[] = [{}];
    const [bytes] = await readAll(id, [source], results);
    if (results[0].gone) throw errorInFile(source.name, 'no longer exists');
    if (results[0].error) throw new UserError(results[0].error, results[0].diagnostics);
    let model: LoadedModel | undefined;
    let modelNote: string | undefined;
    if (!settings.model) modelNote = 'No model yet: train one (Latent XRD: Train Model) to see its reconstruction and a novelty score.';
    else {
      try {
        model = await modelFor(id, settings.model);
        if (model.manifest.kind === 'cvae' && !composition) modelNote = `${conditionalNote(settings.model)} (the samples of an .xrd library carry them)`;
      } catch (e) {
        modelNote = `the model could not be loaded: ${(e as Error).message}`;
      }
    }
    return step(id, one(0), () => {
      injectedFault(source.name);
      const measured = parsed(source, bytes);
      if (!model || modelNote) return { ...patternPayload(title, measured), modelNote };
      try {
        const scored = model.engine.scoreWithComposition(model.scorer, measured, composition, settings.preprocessing, title);
        const score = withVerdict(scored.score, settings, model.manifest);
        return patternPayload(title, measured, { name: settings.model!.name, grid: model.manifest.grid, ...scored, score, threshold: thresholdFor(settings, model.manifest), reliability: model.manifest.reliability });
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        return { ...patternPayload(title, measured), modelNote: e.message };
      }
    });
  },

  async parse({ id, bytes, name }) {
    return step(id, one(0), () => {
      injectedFault(name);
      return readPattern(bytes, name);
    });
  },

  async collection({ id, text, name, settings }) {
    const collection = await step(id, one(0), () => {
      injectedFault(name);
      return parseCollection(text, name);
    });
    if (!settings.model) return { collection };
    let model: LoadedModel;
    try {
      model = await modelFor(id, settings.model);
    } catch (e) {
      return { collection, scoreError: `the model could not be loaded: ${(e as Error).message}` };
    }
    const key = `${model.key}|${JSON.stringify(settings.preprocessing)}|${scoringInputsHash(collection)}`;
    if (lastCollectionScores?.key !== key) {
      try {
        const samples = await step(id, one(0, collection.samples.length), () => model.engine.scoreCollection(model.scorer, collection, settings.preprocessing).samples);
        lastCollectionScores = { key, scores: samples };
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        return { collection, scoreError: e.message };
      }
    }
    // A sample without a finite score is shown without one (the map has no colour for NaN).
    return { collection, scores: lastCollectionScores.scores.map((s) => (hasNumbers(s) ? withVerdict(s, settings, model.manifest) : undefined)) };
  },

  async samples({ id, collection, first, total, settings }) {
    if (!settings.model) throw new UserError('no model: nothing to score the samples with');
    const model = await modelFor(id, settings.model);
    const results = await step(id, one(0, collection.samples.length), () => model.engine.scoreCollectionSamples(model.scorer, collection, settings.preprocessing, 512, { first, total }));
    // Verdicts at the threshold in force (an override of the model's own, when the asker gave one).
    return { results: { ...results, samples: results.samples.map((s) => ('error' in s ? s : { ...s, verdict: withVerdict(s, settings, model.manifest).verdict })) } };
  },

  async mapPoints({ id, grid, patterns, settings }) {
    if (!settings.model) throw new UserError('no model: nothing to place on the latent map');
    const model = await modelFor(id, settings.model);
    return step(id, one(0, patterns.length), () => {
      const twoTheta = Float64Array.from({ length: grid.points }, (_, k) => grid.min + (k * (grid.max - grid.min)) / (grid.points - 1));
      return patterns.flatMap((pattern) => {
        const { score } = model.scorer.scoreMeasured({ twoTheta, intensity: Float64Array.from(pattern) }, settings.preprocessing);
        return hasNumbers(score) ? mapPoint(model, score.latent) : [];
      });
    });
  },

  async map({ id, maxPoints, settings }) {
    if (!settings.model) throw new UserError('no model: no latent map');
    const model = await modelFor(id, settings.model);
    const m = model.manifest;
    return step(id, one(0), () => latentMapBase(model.plane, m.reference, { maxPoints, regions: true }));
  },
};

/** The last collection scored: an edit that only flags a sample changes nothing the scores depend on. */
let lastCollectionScores: { key: string; scores: PatternScore[] } | undefined;

/** A fingerprint (FNV-1a over the exact bits) of what a score depends on in the collection: axis, wavelength, intensities, compositions. */
function scoringInputsHash(c: Collection): string {
  let h = 0x811c9dc5;
  const words = (values: Float64Array) => {
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
  };
  const text = (t: string) => {
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
  };
  words(c.twoTheta);
  text(String(c.wavelength));
  for (const s of c.samples) {
    words(s.intensity);
    text(JSON.stringify(s.composition ?? null));
  }
  return `${c.samples.length}:${(h >>> 0).toString(16)}`;
}

/** A handler with its progress reported under the request's id (each call runs its own steps). */
const reporting =
  (handler: Handler<ScoringCall>) =>
  async (params: ScoringMethods[ScoringCall]['params'], { messageId, progress }: RequestContext<ScoringProgress>) => {
    reporters.set(messageId, progress);
    try {
      return await handler({ ...params, id: messageId } as Parameters<Handler<ScoringCall>>[0]);
    } finally {
      reporters.delete(messageId);
    }
  };

serveParent<ScoringMethods>(Object.fromEntries(Object.entries(handlers).map(([type, handler]) => [type, reporting(handler as Handler<ScoringCall>)])) as unknown as RpcHandlers<ScoringMethods>);
