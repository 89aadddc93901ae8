// The model's part of a latent map, assembled in one place for every face that draws one: the
// scoring worker (the extension's map view, Export Figures, the CIF preview) and the paper
// report. Patterns are projected onto the model's plane (latent-plane.ts), subsampled to the
// cap, and the KNN decision regions (k = 5, as the classification) computed over the plane.
// What it looks like is the view model's business (src/shared/latent-map.ts).
import { KnnClassifier, decisionRegions } from './knn';
import type { LatentPlane } from './latent-plane';
import { subsamplePoints, type LatentMapBase, type MapRegions } from '../../shared/latent-map';

/** Patterns in latent space (n × the plane's dims) with what each is; a missing value is NaN on the map. */
export interface LatentSet {
  latent: ArrayLike<number>;
  /** Phase index into the map's phases (−1: none). */
  labels: ArrayLike<number>;
  twoThetaOfMax?: ArrayLike<number>;
  errors?: ArrayLike<number>;
}

/** The grid the regions are computed on: 120 × 120 cells are finer than a map is drawn (≤ 3 pixels a cell at 360 pixels). */
export const REGION_RESOLUTION = 120;
/** Neighbours that vote on a cell's phase: the k of the latent classification (analysis/evaluate.ts). */
export const REGION_NEIGHBOURS = 5;

/** KNN regions over the plane of labelled plane points (x, y pairs). */
export function planeRegions(points: Float32Array, labels: Int32Array): MapRegions {
  return decisionRegions(new KnnClassifier(points, labels, 2, REGION_NEIGHBOURS), points, REGION_RESOLUTION);
}

/**
 * `set` on the plane, at most `maxPoints` of it (evenly subsampled), with — when `regions` — the
 * KNN regions of all of it (not only the points drawn).
 */
export function latentMapBase(plane: LatentPlane, set: LatentSet, options: { maxPoints: number; regions: boolean }): LatentMapBase {
  const n = set.labels.length;
  const xy = plane.project(set.latent);
  const value = (values: ArrayLike<number> | undefined, i: number) => values?.[i] ?? NaN;
  const reference = subsamplePoints(
    {
      latent: Array.from(xy),
      labels: Array.from(set.labels),
      twoThetaOfMax: Array.from({ length: n }, (_, i) => value(set.twoThetaOfMax, i)),
      errors: Array.from({ length: n }, (_, i) => value(set.errors, i)),
    },
    options.maxPoints,
  );
  return { latentDims: plane.dims, axes: plane.axes, reference, regions: options.regions ? planeRegions(xy, Int32Array.from(set.labels)) : undefined };
}
