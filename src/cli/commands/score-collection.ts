// `latent-xrd score --model M lib.xrd`: every sample of a collection, with its position and
// composition beside its score (kept apart from score.ts, which scores single pattern files).
import type { CommandContext } from '../args';
import { UserError } from '../../core/diagnostics';
import type { LoadedModel } from '../../core/model/store';
import { Scorer } from '../../core/model/score';
import { parseCollection } from '../../core/formats/collection';
import { scoreCollection } from '../../core/library/score';
import { readUserFile } from '../io';
import { resolve } from 'node:path';
import { COLOURING_LABELS, collectionMapSvg, type MapColouring } from '../../core/report/collection-map';
import { writeFileAtomic } from '../../core/util/atomic';
import { recogniseMapSvg } from '../../core/report/output-marks';
import type { PreprocessOptions } from '../../core/preprocess/options';

export const isCollectionFile = (file: string) => file.toLowerCase().endsWith('.xrd');

export function scoreCollectionFiles(
  ctx: CommandContext,
  model: LoadedModel,
  modelName: string,
  files: string[],
  json: boolean,
  preprocess: PreprocessOptions = {},
  figure: { map?: string; colourBy?: string } = {},
): number {
  if (!files.every(isCollectionFile)) throw new UserError('score: give either .xrd collections or pattern files, not both in one run');
  const colourBy = (figure.colourBy ?? 'error') as MapColouring;
  if (!Object.hasOwn(COLOURING_LABELS, colourBy)) throw new UserError(`score: --colour-by must be error, pValue or phase; got "${figure.colourBy}"`);
  if (figure.map && files.length !== 1) throw new UserError('score: --map draws one collection; give one .xrd file');
  const scorer = new Scorer(model);
  const collections = files.map((file) => {
    const collection = parseCollection(new TextDecoder().decode(readUserFile(ctx.cwd, file)), file);
    const { samples, steps, compositionElements } = scoreCollection(scorer, collection, preprocess);
    if (figure.map) {
      const subtitle = `${COLOURING_LABELS[colourBy]} · model ${modelName}`;
      writeFileAtomic(resolve(ctx.cwd, figure.map), collectionMapSvg(samples, { title: collection.title, subtitle, by: colourBy, waferDiameterMm: collection.waferDiameter }), recogniseMapSvg);
    }
    return { file, title: collection.title, compositionElements, steps, samples };
  });
  if (json) {
    // Sample fields in reading order: who and where first, then the score.
    const ordered = collections.map((c) => ({
      ...c,
      samples: c.samples.map(({ id, x, y, composition, ...score }) => ({ id, x, y, composition, ...score })),
    }));
    ctx.out(JSON.stringify({ model: modelName, kind: model.manifest.kind, phases: model.manifest.phases, collections: ordered }, null, 2) + '\n');
    return 0;
  }
  for (const c of collections) {
    const novel = c.samples.filter((s) => s.verdict === 'novel').length;
    ctx.out(`${c.file}: ${c.title} — ${c.samples.length} samples, ${novel} novel${c.compositionElements ? ` (compositions over ${c.compositionElements.join(', ')} fed to the cVAE)` : ''}\n`);
    for (const s of c.samples) {
      const where = s.x !== undefined ? ` at (${s.x.toFixed(1)}, ${s.y!.toFixed(1)}) mm` : '';
      const composition = s.composition ? ' ' + Object.entries(s.composition).map(([e, v]) => `${e}${v.toFixed(2)}`).join(' ') : '';
      ctx.out(`  ${s.id}${where}${composition}: ${s.verdict.toUpperCase()} (p = ${s.pValue.toPrecision(3)}), excess BCE ${s.bceExcess.toPrecision(3)}, nearest ${s.nearestPhase}\n`);
    }
  }
  return 0;
}
