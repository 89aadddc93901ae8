// Fits a laboratory instrument's profile to a measured line-position standard (LaB6, Si, …):
// the Caglioti U, V, W of the Gaussian width, an instrumental Lorentzian X, Y, the zero shift
// of the 2θ scale and the axial-divergence asymmetry, drawn with exactly the profile the
// simulator draws (profile.ts), so that synthetic patterns can vary around what was measured.
//
// The fit is a Pawley fit (Pawley 1981, J. Appl. Cryst. 14, 357): line positions from the
// standard's certified cell, one free intensity per line (so neither texture nor the structure's
// scattering has to be right), a Chebyshev background with an air-scatter term. The seven
// profile parameters are refined by Levenberg–Marquardt on the residual with the intensities
// and background solved by linear least squares at every step (variable projection, Golub &
// Pereyra 1973), after a coarse search of the zero shift so a scale off by up to 1° is found.
import type { CrystalStructure } from '../crystal/types';
import type { MeasuredPattern } from '../formats/pattern';
import type { Radiation } from '../synth/simulator';
import { buildPhaseModel } from '../synth/phase';
import { reciprocalMetric } from '../diffraction/lattice';
import { MAX_ZERO_SHIFT_DEG, type InstrumentProfile } from './profile-keys';
export type { InstrumentProfile } from './profile-keys';
import { axialSplit, gaussianFwhm, lorentzianFwhm, splitPseudoVoigt, tchWidthAndEta, type ProfileParameters } from '../diffraction/profile';

const DEG = 180 / Math.PI;

export interface FittedLine {
  hkl: [number, number, number];
  /** Kα1 line position with the fitted zero shift (deg). */
  twoTheta: number;
  /** Fitted FWHM there (deg). */
  fwhm: number;
  /** Fitted integrated intensity of the Kα1 line (counts·deg). */
  intensity: number;
}

export interface CalibrationResult {
  instrument: InstrumentProfile;
  /** Weighted-profile R factor of the fit, and the expected one (counting statistics alone). */
  rwp: number;
  rexp: number;
  /** Share of the weighted signal above the background that the lines explain (1 − χ²_fit / χ²_background). */
  explained: number;
  range: [number, number];
  points: number;
  lines: FittedLine[];
  /** The points fitted and the fitted curve there. */
  twoTheta: Float64Array;
  observed: Float64Array;
  fitted: Float64Array;
}

export interface CalibrationOptions {
  radiation: Radiation;
  /** 2θ range to fit (deg); default: every measured point with counts. */
  range?: [number, number];
}

/** A fit refused: the reason is for the user. */
export class CalibrationRefused extends Error {}

/** Least share of the above-background signal the standard's lines must explain: below it the file is not that standard. */
export const MIN_EXPLAINED = 0.9;
/** The zero shift searched: a scale off by more is a different problem (wrong wavelength, wrong standard). */
export const ZERO_SEARCH_DEG = MAX_ZERO_SHIFT_DEG;
/** Plausible laboratory line widths (deg): outside, the fit described something else. */
export const FWHM_RANGE: [number, number] = [0.01, 1.5];
const BACKGROUND_TERMS = 9; // Chebyshev T0…T8, plus the air-scatter term
const WINDOW_FWHM = 30; // each line is evaluated within ±30 FWHM (its Lorentzian tail beyond is left to the background)

/** Profile parameters in fitting order. */
type Parameters = [u: number, v: number, w: number, x: number, y: number, zero: number, asymmetry: number];
const STEPS: Parameters = [1e-5, 1e-5, 1e-6, 1e-4, 1e-4, 1e-4, 1e-4];

interface Column {
  from: number;
  to: number; // exclusive
  values: Float64Array;
}

export function calibrateInstrument(pattern: MeasuredPattern, structure: CrystalStructure, options: CalibrationOptions): CalibrationResult {
  const { radiation } = options;
  // The points to fit: measured ones (σ > 0 where the file gives σ; counts present) in range.
  const keep: number[] = [];
  const [lo, hi] = options.range ?? [-Infinity, Infinity];
  for (let i = 0; i < pattern.twoTheta.length; i++) {
    const t = pattern.twoTheta[i];
    if (!(t >= lo && t <= hi && t > 0)) continue;
    if (pattern.sigma ? !(pattern.sigma[i] > 0) : !(pattern.intensity[i] > 0)) continue;
    keep.push(i);
  }
  if (keep.length < 50) throw new CalibrationRefused(`only ${keep.length} measured points${options.range ? ` in 2θ ${lo}–${hi}°` : ''}; a calibration needs a scan of the standard`);
  const x = Float64Array.from(keep, (i) => pattern.twoTheta[i]);
  const y = Float64Array.from(keep, (i) => pattern.intensity[i]);
  const weight = Float64Array.from(keep, (i) => {
    const s = pattern.sigma ? pattern.sigma[i] : Math.sqrt(Math.max(pattern.intensity[i], 1));
    return 1 / (s * s);
  });
  const n = x.length;
  const xMin = x[0];
  const xMax = x[n - 1];
  if (!y.some((v) => v > 0)) throw new CalibrationRefused('the pattern has no counts');

  // The standard's lines: 1/d of every family of non-extinct reflections up to the range's end.
  const phase = buildPhaseModel(structure.blockName, structure, { wavelength: radiation.kalpha1, twoThetaMax: Math.min(179, xMax + ZERO_SEARCH_DEG + 1), textureAxes: [] });
  const metric = reciprocalMetric(structure.cell);
  const families: { s: number; hkl: [number, number, number] }[] = [];
  for (let f = 0; f < phase.familyCount; f++) {
    // The family's member with the most non-negative indices names it (100, not -100).
    let i = phase.familyStart[f];
    const score = (j: number) => [0, 1, 2].reduce((s, c) => s + (phase.hkl[3 * j + c] >= 0 ? 1 : 0), 0);
    for (let j = i + 1; j < phase.familyStart[f + 1]; j++) if (score(j) > score(i)) i = j;
    const [h, k, l] = [phase.hkl[3 * i], phase.hkl[3 * i + 1], phase.hkl[3 * i + 2]];
    const g2 = metric[0] * h * h + metric[1] * k * k + metric[2] * l * l + 2 * (metric[3] * h * k + metric[4] * h * l + metric[5] * k * l);
    const twoTheta = 2 * Math.asin((radiation.kalpha1 * Math.sqrt(g2)) / 2) * DEG;
    if (twoTheta > xMin - ZERO_SEARCH_DEG - 1 && twoTheta < xMax + ZERO_SEARCH_DEG + 1) families.push({ s: Math.sqrt(g2), hkl: [h, k, l] });
  }
  const inside = families.filter((f) => {
    const t = 2 * Math.asin((radiation.kalpha1 * f.s) / 2) * DEG;
    return t > xMin && t < xMax;
  }).length;
  if (inside < 3) throw new CalibrationRefused(`the CIF puts ${inside} line${inside === 1 ? '' : 's'} in the measured 2θ ${xMin.toFixed(2)}–${xMax.toFixed(2)}°; a calibration needs at least 3`);

  const wavelengths = radiation.kalpha2 ? [radiation.kalpha1, radiation.kalpha2] : [radiation.kalpha1];
  const ratios = radiation.kalpha2 ? [1, radiation.ratio] : [1];

  // Background: Chebyshev polynomials over the range and air scatter, (sin θ_min / sin θ)².
  const background: Column[] = [];
  const u = Float64Array.from(x, (t) => (2 * (t - xMin)) / (xMax - xMin) - 1);
  let previous = new Float64Array(n).fill(1);
  let current = Float64Array.from(u);
  background.push({ from: 0, to: n, values: previous });
  background.push({ from: 0, to: n, values: current });
  for (let k = 2; k < BACKGROUND_TERMS; k++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = 2 * u[i] * current[i] - previous[i];
    background.push({ from: 0, to: n, values: next });
    previous = current;
    current = next;
  }
  const sinLow = Math.sin((xMin * Math.PI) / 360);
  background.push({ from: 0, to: n, values: Float64Array.from(x, (t) => (sinLow / Math.sin((t * Math.PI) / 360)) ** 2) });
  const step = (xMax - xMin) / (n - 1);
  const indexAt = (t: number) => Math.min(n, Math.max(0, Math.round((t - xMin) / step)));

  /** One column per family for the given profile; positions, widths and the split as the simulator draws them. */
  function lineColumns(p: Parameters): { columns: Column[]; fwhm: Float64Array; position: Float64Array } {
    const profile: ProfileParameters = { u: p[0], v: p[1], w: p[2], x: p[3], y: p[4] };
    const columns: Column[] = [];
    const fwhm = new Float64Array(families.length);
    const position = new Float64Array(families.length);
    families.forEach((family, f) => {
      let from = n;
      let to = 0;
      const lines: { centre: number; fwhm: number; eta: number; a: number; ratio: number }[] = [];
      for (let w = 0; w < wavelengths.length; w++) {
        const sinTheta = (wavelengths[w] * family.s) / 2;
        if (sinTheta >= 1) continue;
        const centre = 2 * Math.asin(sinTheta) * DEG + p[5];
        const shape = tchWidthAndEta(gaussianFwhm(profile, centre), lorentzianFwhm(profile, centre));
        if (w === 0) {
          fwhm[f] = shape.fwhm;
          position[f] = centre;
        }
        lines.push({ centre, fwhm: shape.fwhm, eta: shape.eta, a: axialSplit(p[6], centre), ratio: ratios[w] });
        from = Math.min(from, indexAt(centre - WINDOW_FWHM * shape.fwhm));
        to = Math.max(to, indexAt(centre + WINDOW_FWHM * shape.fwhm) + 1);
      }
      to = Math.min(to, n);
      const values = new Float64Array(Math.max(0, to - from));
      for (const line of lines) {
        for (let i = from; i < to; i++) values[i - from] += line.ratio * splitPseudoVoigt(x[i] - line.centre, line.fwhm, line.eta, line.a);
      }
      columns.push({ from, to, values });
    });
    return { columns, fwhm, position };
  }

  /** Weighted linear least squares for the given columns: coefficients and χ². */
  function solveLinear(columns: Column[]): { coefficients: Float64Array; chi2: number; model: Float64Array } {
    const m = columns.length;
    const normal = new Float64Array(m * m);
    const rhs = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      const ca = columns[a];
      let r = 0;
      for (let i = ca.from; i < ca.to; i++) r += weight[i] * ca.values[i - ca.from] * y[i];
      rhs[a] = r;
      for (let b = 0; b <= a; b++) {
        const cb = columns[b];
        const from = Math.max(ca.from, cb.from);
        const to = Math.min(ca.to, cb.to);
        let s = 0;
        for (let i = from; i < to; i++) s += weight[i] * ca.values[i - ca.from] * cb.values[i - cb.from];
        normal[a * m + b] = s;
        normal[b * m + a] = s;
      }
    }
    const coefficients = solveSymmetric(normal, rhs, m);
    const model = new Float64Array(n);
    columns.forEach((c, a) => {
      const k = coefficients[a];
      for (let i = c.from; i < c.to; i++) model[i] += k * c.values[i - c.from];
    });
    let chi2 = 0;
    for (let i = 0; i < n; i++) {
      const d = y[i] - model[i];
      chi2 += weight[i] * d * d;
    }
    return { coefficients, chi2, model };
  }

  const evaluate = (p: Parameters) => {
    const lines = lineColumns(p);
    return { ...lines, ...solveLinear([...lines.columns, ...background]) };
  };
  const residuals = (p: Parameters): Float64Array => {
    const { model } = evaluate(p);
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = Math.sqrt(weight[i]) * (y[i] - model[i]);
    return r;
  };

  // A typical laboratory profile to start from (FWHM ≈ 0.1° at low angle), and the zero shift
  // with the least χ² on a 0.01° grid: a few times finer than a line is wide.
  let p: Parameters = [0.004, -0.002, 0.004, 0, 0.02, 0, 0];
  let bestZero = 0;
  let bestChi2 = Infinity;
  for (let z = -ZERO_SEARCH_DEG; z <= ZERO_SEARCH_DEG + 1e-9; z += 0.01) {
    const chi2 = evaluate([p[0], p[1], p[2], p[3], p[4], z, 0]).chi2;
    if (chi2 < bestChi2) {
      bestChi2 = chi2;
      bestZero = z;
    }
  }
  p[5] = bestZero;

  // Levenberg–Marquardt with a forward-difference Jacobian of the projected residual.
  let r = residuals(p);
  let chi2 = sumSquares(r);
  let lambda = 1e-3;
  for (let iteration = 0; iteration < 100; iteration++) {
    const jacobian = STEPS.map((h, j) => {
      const q = [...p] as Parameters;
      q[j] += h;
      const rq = residuals(q);
      for (let i = 0; i < n; i++) rq[i] = (rq[i] - r[i]) / h;
      return rq;
    });
    const np = STEPS.length;
    const jtj = new Float64Array(np * np);
    const jtr = new Float64Array(np);
    for (let a = 0; a < np; a++) {
      for (let b = 0; b <= a; b++) {
        const s = dot(jacobian[a], jacobian[b]);
        jtj[a * np + b] = s;
        jtj[b * np + a] = s;
      }
      jtr[a] = -dot(jacobian[a], r);
    }
    let improved = false;
    for (let attempt = 0; attempt < 12; attempt++) {
      const damped = Float64Array.from(jtj);
      for (let a = 0; a < np; a++) damped[a * np + a] += lambda * (jtj[a * np + a] || 1);
      const delta = solveSymmetric(damped, jtr, np);
      const q = p.map((v, j) => v + delta[j]) as Parameters;
      const rq = residuals(q);
      const chi2q = sumSquares(rq);
      if (chi2q < chi2) {
        const relative = (chi2 - chi2q) / chi2;
        p = q;
        r = rq;
        chi2 = chi2q;
        lambda = Math.max(lambda / 3, 1e-9);
        improved = relative > 1e-8;
        break;
      }
      lambda *= 4;
    }
    if (!improved) break;
  }

  const final = evaluate(p);
  const instrument: InstrumentProfile = { cagliotiU: p[0], cagliotiV: p[1], cagliotiW: p[2], lorentzianX: p[3], lorentzianY: p[4], zeroShiftDeg: p[5], axialAsymmetry: p[6] };
  const names = Object.entries(instrument).filter(([, v]) => !Number.isFinite(v)).map(([k]) => k);
  if (names.length || !Number.isFinite(final.chi2)) throw new CalibrationRefused(`the fit did not converge: ${names.length ? names.join(', ') + ' not finite' : 'χ² not finite'}`);

  let weightedSignal = 0;
  for (let i = 0; i < n; i++) weightedSignal += weight[i] * y[i] * y[i];
  const backgroundOnly = solveLinear(background).chi2;
  const explained = 1 - final.chi2 / backgroundOnly;
  const lines: FittedLine[] = families
    .map((family, f) => ({ hkl: family.hkl, twoTheta: final.position[f], fwhm: final.fwhm[f], intensity: final.coefficients[f] }))
    .filter((l) => l.twoTheta > xMin && l.twoTheta < xMax);
  const result: CalibrationResult = {
    instrument,
    rwp: Math.sqrt(final.chi2 / weightedSignal),
    rexp: Math.sqrt(Math.max(n - STEPS.length - families.length - background.length, 1) / weightedSignal),
    explained,
    range: [xMin, xMax],
    points: n,
    lines,
    twoTheta: x,
    observed: y,
    fitted: final.model,
  };
  refuseImplausible(result);
  return result;
}

/** Refuses a fit that did not describe a standard's lines, with the reason. */
function refuseImplausible(result: CalibrationResult): void {
  const { instrument, explained, lines } = result;
  if (!(explained >= MIN_EXPLAINED)) {
    throw new CalibrationRefused(
      `the CIF's lines explain ${(100 * Math.max(explained, 0)).toFixed(1)} % of the signal above the background (at least ${100 * MIN_EXPLAINED} % for a standard): is the file a scan of this standard, at this wavelength?`,
    );
  }
  if (Math.abs(instrument.zeroShiftDeg) >= ZERO_SEARCH_DEG - 0.02) {
    throw new CalibrationRefused(`the zero shift came out at ${instrument.zeroShiftDeg.toFixed(3)}°, the edge of the ±${ZERO_SEARCH_DEG}° searched: the lines are not where the CIF and the wavelength put them`);
  }
  const wrong = lines.find((l) => !(l.fwhm >= FWHM_RANGE[0] && l.fwhm <= FWHM_RANGE[1]));
  if (wrong) {
    throw new CalibrationRefused(`the fitted width at ${wrong.twoTheta.toFixed(2)}° (${wrong.hkl.join(' ')}) is ${wrong.fwhm.toFixed(4)}°, outside the ${FWHM_RANGE[0]}–${FWHM_RANGE[1]}° of a laboratory instrument`);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function sumSquares(a: Float64Array): number {
  return dot(a, a);
}

/**
 * Solves the symmetric system A·x = b (A m×m, row-major) by Cholesky, after scaling A to unit
 * diagonal (columns differ by orders of magnitude: counts·deg against a constant background);
 * a column with no weight gets a zero coefficient.
 */
function solveSymmetric(matrix: Float64Array, b: Float64Array, m: number): Float64Array {
  const scale = new Float64Array(m);
  for (let a = 0; a < m; a++) scale[a] = matrix[a * m + a] > 0 ? 1 / Math.sqrt(matrix[a * m + a]) : 0;
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = matrix[i * m + j] * scale[i] * scale[j] + (i === j ? (scale[i] ? 1e-12 : 1) : 0);
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * m + j];
    }
  }
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i] * scale[i];
    for (let k = 0; k < i; k++) s -= l[i * m + k] * z[k];
    z[i] = s / l[i * m + i];
  }
  const out = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < m; k++) s -= l[k * m + i] * out[k];
    out[i] = s / l[i * m + i];
  }
  for (let i = 0; i < m; i++) out[i] *= scale[i];
  return out;
}
