// Scoring measured or simulated patterns against a saved model: latent position, reconstruction,
// errors, p-value against the calibration sample, verdict, nearest known phase.
import { checkGrid, type LoadedModel } from './store';
import { UserError } from '../diagnostics';
import type { Grid } from '../diffraction/render';
import { encodeAndReconstruct } from './vae';
import { pValue } from '../analysis/metrics';
import { KnnClassifier } from '../analysis/knn';
import type { MeasuredPattern } from '../formats/pattern';
import { prepareForModel, type PreparedPattern, type PreprocessOptions } from '../preprocess/prepare';

export interface PatternScore {
  latent: number[];
  /** Mean BCE per point, as in training. */
  bce: number;
  /** BCE above the pattern's own entropy: what the model got wrong (the novelty score). */
  bceExcess: number;
  mse: number;
  pValue: number;
  verdict: 'known' | 'novel';
  nearestPhase: string;
  /** Distance in the latent plane to the nearest training pattern of that phase. */
  nearestDistance: number;
  /** Ensemble spread of the excess BCE (standard deviation over members), when there are several. */
  bceSpread?: number;
}

export class Scorer {
  private readonly knn: KnnClassifier;

  constructor(readonly model: LoadedModel) {
    const { reference, spec } = model.manifest;
    this.knn = new KnnClassifier(Float32Array.from(reference.latent), Int32Array.from(reference.labels), spec.latent, 5);
  }

  /**
   * Scores `count` patterns on the model's grid (rows of `patterns`). Given the grid they are on
   * (`options.grid`, named `options.what`), a different grid is refused with both grids named:
   * resample first (preprocess/prepare.ts does).
   */
  score(
    patterns: Float32Array,
    count: number,
    options: { compositions?: Float32Array; keepReconstructions?: boolean; grid?: Grid; what?: string } = {},
  ): { scores: PatternScore[]; reconstructions?: Float32Array } {
    const { manifest, members } = this.model;
    if (options.grid) checkGrid(manifest, options.grid, options.what ?? 'these patterns');
    if (patterns.length < count * manifest.grid.points) throw new Error(`expected ${count} patterns of ${manifest.grid.points} points`);
    const latentDims = manifest.spec.latent;
    const first = encodeAndReconstruct(members[0], patterns, count, options);
    const others = members.slice(1).map((m) => encodeAndReconstruct(m, patterns, count, { compositions: options.compositions }));
    const calibration = manifest.calibration.errors;
    const scores: PatternScore[] = [];
    for (let i = 0; i < count; i++) {
      const latent = Array.from(first.mean.subarray(i * latentDims, (i + 1) * latentDims));
      const error = first[manifest.calibration.metric][i];
      const p = pValue(calibration, error);
      const { index, distance2 } = this.knn.nearest(latent, 0, 1);
      const score: PatternScore = {
        latent,
        bce: first.bce[i],
        bceExcess: first.bceExcess[i],
        mse: first.mse[i],
        pValue: p,
        verdict: p < manifest.calibration.pThreshold ? 'novel' : 'known',
        nearestPhase: manifest.phases[this.knn.labelAt(index[0])] ?? 'none',
        nearestDistance: Math.sqrt(distance2[0]),
      };
      if (others.length) {
        const all = [first.bceExcess[i], ...others.map((o) => o.bceExcess[i])];
        const mean = all.reduce((s, v) => s + v, 0) / all.length;
        score.bceSpread = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / (all.length - 1));
      }
      scores.push(score);
    }
    return { scores, reconstructions: first.reconstructions };
  }

  /**
   * One measured pattern, the way every face of the tool scores a file: preprocessed onto the
   * model's grid (preprocess/prepare.ts, steps recorded; the model's wavelength unless
   * `options` names another), then scored, with the reconstruction kept for plots.
   */
  scoreMeasured(measured: MeasuredPattern, options: PreprocessOptions = {}): { score: PatternScore; prepared: PreparedPattern; reconstruction: Float32Array } {
    if (this.model.manifest.kind === 'cvae') throw new UserError('a conditional model needs a composition for each pattern; score single files against a plain VAE');
    const prepared = prepareForModel(measured, this.model.manifest.grid, { modelWavelength: this.model.manifest.wavelength, ...options });
    const { scores, reconstructions } = this.score(prepared.pattern, 1, { keepReconstructions: true });
    return { score: scores[0], prepared, reconstruction: reconstructions! };
  }
}
