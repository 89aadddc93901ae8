// k-nearest-neighbour classification in a low-dimensional space (the latent plane), with the
// decision regions over a grid for the latent-map plot.
import type { MapRegions } from '../../shared/latent-map';

export class KnnClassifier {
  /** The coordinate along which the points are widest: searched outwards from the query along it. */
  private readonly axis: number;
  /** Point indices in increasing order of that coordinate, and the coordinate in that order. */
  private readonly order: Int32Array;
  private readonly keys: Float64Array;

  constructor(
    /** Row-major points, `dims` numbers each. */
    private readonly points: Float32Array,
    private readonly labels: Int32Array,
    private readonly dims: number,
    private readonly k = 5,
  ) {
    const n = labels.length;
    let widest = -1;
    this.axis = 0;
    for (let j = 0; j < dims; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, points[i * dims + j]);
        hi = Math.max(hi, points[i * dims + j]);
      }
      if (hi - lo > widest) [widest, this.axis] = [hi - lo, j];
    }
    this.order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a * dims + this.axis] - points[b * dims + this.axis] || a - b);
    this.keys = Float64Array.from(this.order, (i) => points[i * dims + this.axis]);
  }

  labelAt(index: number): number {
    return index >= 0 ? this.labels[index] : -1;
  }

  get count(): number {
    return this.labels.length;
  }

  /**
   * Indices and squared distances of the k nearest stored points to `query`, nearest first (equal
   * distances: lower index first). Exact: the points are visited outwards from the query along the
   * widest coordinate, and a side stops once its gap along that coordinate alone is larger than
   * the k-th distance so far. Scoring asks this once per pattern; a brute-force pass over a few
   * thousand reference points took longer than the pattern's error computation.
   */
  nearest(query: ArrayLike<number>, offset = 0, k = this.k): { index: Int32Array; distance2: Float64Array } {
    const index = new Int32Array(k).fill(-1);
    const distance2 = new Float64Array(k).fill(Infinity);
    const { points, dims, order, keys } = this;
    const q = new Float64Array(dims);
    for (let j = 0; j < dims; j++) {
      q[j] = query[offset + j];
      // No point is at any distance from NaN: there is no nearest to find.
      if (!Number.isFinite(q[j])) throw new RangeError(`nearest neighbours of a point whose coordinate ${j + 1} is ${q[j]}`);
    }
    const key = q[this.axis];
    let above = lowerBound(keys, key);
    let below = above - 1;
    const n = keys.length;
    // Each round takes one point off one side, so n rounds visit every point at most once
    // (stored points with a NaN coordinate cannot stall it either).
    for (let visited = 0; visited < n; visited++) {
      const gapAbove = above < n ? keys[above] - key : Infinity;
      const gapBelow = below >= 0 ? key - keys[below] : Infinity;
      const gap = Math.min(gapAbove, gapBelow);
      if (gap * gap > distance2[k - 1]) break;
      const takeAbove = below < 0 || (above < n && !(gapAbove > gapBelow));
      const i = takeAbove ? order[above++] : order[below--];
      let d = 0;
      for (let j = 0, base = i * dims; j < dims; j++) {
        const t = points[base + j] - q[j];
        d += t * t;
      }
      // `!(d <= …)`: a stored point with a NaN coordinate is nobody's neighbour.
      if (!(d <= distance2[k - 1]) || (d === distance2[k - 1] && i > index[k - 1] && index[k - 1] >= 0)) continue;
      let p = k - 1;
      while (p > 0 && (distance2[p - 1] > d || (distance2[p - 1] === d && index[p - 1] > i))) {
        distance2[p] = distance2[p - 1];
        index[p] = index[p - 1];
        p--;
      }
      distance2[p] = d;
      index[p] = i;
    }
    return { index, distance2 };
  }

  /** Majority label of the k nearest (ties to the nearer neighbour's label). */
  predictOne(query: ArrayLike<number>, offset = 0): number {
    const { index } = this.nearest(query, offset);
    const votes = new Map<number, number>();
    let best = -1;
    let bestVotes = 0;
    for (const i of index) {
      if (i < 0) continue;
      const label = this.labels[i];
      const v = (votes.get(label) ?? 0) + 1;
      votes.set(label, v);
      if (v > bestVotes) {
        best = label;
        bestVotes = v;
      }
    }
    return best;
  }

  predict(queries: Float32Array): Int32Array {
    const n = queries.length / this.dims;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.predictOne(queries, i * this.dims);
    return out;
  }

  /** Distance to the k-th nearest neighbour: a novelty score (far from all training data). */
  kthDistance(queries: Float32Array): Float64Array {
    const n = queries.length / this.dims;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(this.nearest(queries, i * this.dims).distance2[this.k - 1]);
    return out;
  }
}

/** The regions' grid is the latent map's (rows × columns labels, row 0 at yMin): the view model draws it as it is. */
export type DecisionRegions = MapRegions;

/** KNN labels over a grid covering the 2-D points with a margin (what the latent plot shades). */
export function decisionRegions(knn: KnnClassifier, points: Float32Array, resolution = 120, margin = 0.05): DecisionRegions {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    xMin = Math.min(xMin, points[i]);
    xMax = Math.max(xMax, points[i]);
    yMin = Math.min(yMin, points[i + 1]);
    yMax = Math.max(yMax, points[i + 1]);
  }
  const dx = (xMax - xMin) * margin || 1;
  const dy = (yMax - yMin) * margin || 1;
  xMin -= dx;
  xMax += dx;
  yMin -= dy;
  yMax += dy;
  const labels: number[] = [];
  const q = new Float32Array(2);
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      q[0] = xMin + ((c + 0.5) / resolution) * (xMax - xMin);
      q[1] = yMin + ((r + 0.5) / resolution) * (yMax - yMin);
      labels.push(knn.predictOne(q));
    }
  }
  return { xMin, xMax, yMin, yMax, columns: resolution, rows: resolution, labels };
}

export interface Confusion {
  /** matrix[true][predicted] counts. */
  matrix: number[][];
  accuracy: number;
}

export function confusion(truth: Int32Array, predicted: Int32Array, classes: number): Confusion {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    if (predicted[i] >= 0 && predicted[i] < classes) matrix[truth[i]][predicted[i]]++;
    if (truth[i] === predicted[i]) correct++;
  }
  return { matrix, accuracy: truth.length ? correct / truth.length : NaN };
}

/** The first position in ascending `sorted` whose value is ≥ `value`. */
function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
