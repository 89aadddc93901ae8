// `latent-xrd score --model M lib.xrd`: every sample of a collection, with its position and
// composition beside its score (kept apart from score.ts, which scores single pattern files).
import type { CommandContext } from '../args';
import { UserError } from '../../core/diagnostics';
import type { LoadedModel } from '../../core/model/store';
import { Scorer } from '../../core/model/score';
import { parseCollection, type Collection } from '../../core/formats/collection';
import { sampleFailures, scoreCollectionSamples, type CollectionResults, type SampleScore } from '../../core/library/score';
import { failureMessage, readUserFile } from '../io';
import { resolve } from 'node:path';
import { COLLECTION_COLOURINGS, COLOURING_LABELS, type CollectionColouring } from '../../shared/collection-map';
import { collectionMapSvg } from '../../core/report/collection-map-svg';
import { writeFileAtomic } from '../../core/util/atomic';
import { recogniseMapSvg } from '../../core/report/output-marks';
import type { PreprocessOptions } from '../../core/preprocess/options';
import { NO_UNEXPLAINED_LINE } from '../../core/analysis/unexplained-peaks';
import { thresholdInForce, verdictLabel, type ThresholdInForce } from '../../core/analysis/verdict';
import { reliabilityState } from '../../core/model/reliability';
import { ScoringPool } from '../../worker/scoring-pool';
import type { ModelRef, ScoringSettings } from '../../protocol/scoring';

/** Samples past which a collection is scored on worker threads unless --threads says how many. */
const PARALLEL_SAMPLES = 128;

export const isCollectionFile = (file: string) => file.toLowerCase().endsWith('.xrd');

/**
 * Scores each collection file, sample by sample. A file that cannot be read, or a sample that
 * cannot be scored, is listed with its error and the rest are scored; the exit code is then 1.
 */
export async function scoreCollectionFiles(
  ctx: CommandContext,
  model: LoadedModel,
  modelName: string,
  files: string[],
  json: boolean,
  preprocess: PreprocessOptions = {},
  figure: { map?: string; colourBy?: string } = {},
  threshold: ThresholdInForce = thresholdInForce(model.manifest),
  /** Scores the samples on worker threads (the model loaded again in each, from `model.dir`). */
  parallel?: { threads: number; model: ModelRef; always?: boolean },
): Promise<number> {
  if (!files.every(isCollectionFile)) throw new UserError('score: give either .xrd collections or pattern files, not both in one run');
  const colourBy = (figure.colourBy ?? 'error') as CollectionColouring;
  if (!Object.hasOwn(COLOURING_LABELS, colourBy)) throw new UserError(`score: --colour-by must be ${COLLECTION_COLOURINGS.slice(0, -1).join(', ')} or ${COLLECTION_COLOURINGS.at(-1)}; got "${figure.colourBy}"`);
  if (figure.map && files.length !== 1) throw new UserError('score: --map draws one collection; give one .xrd file');
  const scorer = new Scorer(model, { threshold });
  const reliability = reliabilityState(model.manifest);
  const pool = parallel && parallel.threads > 1 ? new ScoringPool(parallel.threads) : undefined;
  const settings: ScoringSettings | undefined = parallel && { model: parallel.model, preprocessing: preprocess, pThreshold: threshold.source === 'override' ? threshold.pThreshold : undefined, pThresholdName: '--threshold' };
  const collections = [];
  try {
    for (const file of files) collections.push(await scoreOne(file));
  } finally {
    pool?.dispose();
  }
  async function scoreOne(file: string) {
    let collection: Collection;
    let results: CollectionResults;
    try {
      collection = parseCollection(new TextDecoder().decode(readUserFile(ctx.cwd, file)), file);
      // A library of hundreds of samples on every core; the result is the same as on this thread.
      // (A small one here: starting the workers and loading the model in each would take longer.)
      results = pool && (parallel!.always || collection.samples.length > PARALLEL_SAMPLES) ? await pool.collectionSamples(collection, settings!) : scoreCollectionSamples(scorer, collection, preprocess);
    } catch (e) {
      return { file, error: failureMessage(e) };
    }
    const { samples, steps, compositionElements } = results;
    if (figure.map) {
      const subtitle = `${COLOURING_LABELS[colourBy]} · model ${modelName}`;
      writeFileAtomic(resolve(ctx.cwd, figure.map), collectionMapSvg(samples, { title: collection.title, subtitle, by: colourBy, waferDiameterMm: collection.waferDiameter }), recogniseMapSvg);
    }
    return { file, title: collection.title, compositionElements, steps, samples, failed: sampleFailures(results).length };
  }
  const someFailed = collections.some((c) => 'error' in c || c.failed > 0);
  if (json) {
    // Sample fields in reading order: who and where first, then the score (or the error).
    const ordered = collections.map((c) =>
      'error' in c ? c : { ...c, failed: undefined, samples: c.samples.map(({ id, x, y, composition, ...score }) => ({ id, x, y, composition, ...score })) },
    );
    const { pThreshold, source, description } = threshold;
    ctx.out(JSON.stringify({ model: modelName, kind: model.manifest.kind, phases: model.manifest.phases, threshold: { pThreshold, source, description }, reliability, collections: ordered }, null, 2) + '\n');
    return someFailed ? 1 : 0;
  }
  if (reliability.reliable === false) ctx.out(`WARNING: model ${modelName}: ${reliability.summary}\n${reliability.reasons.map((r) => `  - ${r}\n`).join('')}`);
  for (const c of collections) {
    if ('error' in c) {
      ctx.out(`${c.file}: not scored — ${c.error}\n`);
      continue;
    }
    const scored = c.samples.filter((s): s is SampleScore => !('error' in s));
    const novel = scored.filter((s) => s.verdict === 'novel').length;
    const failed = c.failed ? `, ${c.failed} not scored` : '';
    ctx.out(`${c.file}: ${c.title} — ${c.samples.length} samples, ${novel} novel${failed}${c.compositionElements ? ` (compositions over ${c.compositionElements.join(', ')} fed to the cVAE)` : ''}\n`);
    for (const s of c.samples) {
      const where = s.x !== undefined ? ` at (${s.x.toFixed(1)}, ${s.y!.toFixed(1)}) mm` : '';
      const composition = s.composition ? ' ' + Object.entries(s.composition).map(([e, v]) => `${e}${v.toFixed(2)}`).join(' ') : '';
      if ('error' in s) ctx.out(`  ${s.id}${where}${composition}: not scored — ${s.error}\n`);
      else {
        const peaks = s.unexplainedPeaks ?? [];
        const lines = peaks.length ? `, unexplained peaks at ${peaks.map((p) => `${p.twoTheta.toFixed(2)}°`).join(', ')}` : s.verdict === 'novel' ? `; ${NO_UNEXPLAINED_LINE}` : '';
        const covers = s.coverage < 1 ? `, covers ${(100 * s.coverage).toFixed(0)} %` : '';
        ctx.out(`  ${s.id}${where}${composition}: ${verdictLabel(s.verdict, reliability.reliable)} (p = ${s.pValue.toPrecision(3)}), excess BCE ${s.bceExcess.toPrecision(3)}, nearest ${s.nearestPhase}${covers}${lines}\n`);
      }
    }
  }
  ctx.out(`(novel at ${threshold.description}${reliability.reliable === null ? `; ${reliability.summary}` : ''}.)\n`);
  return someFailed ? 1 : 0;
}
