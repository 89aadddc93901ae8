// How many reflections one phase may have, and what to tell the user when a cell has more. The
// count grows as V·(sin θmax / λ)³, so a large cell, a short wavelength or a wide 2θ range can ask
// for more than memory holds (a 200 Å cell at Cu Kα: 26 million points, 3.3 GB) or than a
// lifetime of structure factors; the count is known from the reciprocal volume before anything is
// listed, so such a request is refused at once, with the 2θ range that would fit.

/**
 * The most reciprocal-lattice points one phase may list (symmetry equivalents and Friedel mates
 * counted): about 30 bytes each as listed, 60 more in a phase model. A 68 Å cubic cell reaches it
 * at Cu Kα up to 90°; IRMOF-1 (V = 17,200 Å³) stays below it at Mo Kα up to 95°. Past it, lines
 * are far denser than a pattern can show: a million points make tens of thousands of distinct
 * lines even in a cubic group, several per point of a 2048-point grid.
 */
export const MAX_REFLECTIONS = 1_000_000;

/**
 * The most atom × reflection terms the structure factors of one phase may take (a sine and a
 * cosine each; measured 0.85–1.0 × 10⁷ a second on this project's 2-core machine under a load
 * of 6, so at most about 30 s): a cell with thousands of atoms is refused before minutes of
 * work, not after. The 616-atom organometallic of the test fixtures takes 1.6 × 10⁷ terms at
 * Cu Kα up to 95° (1.6 s) and 1.7 × 10⁸ at Mo Kα (19 s); IRMOF-1 1.4 × 10⁸ at Mo Kα (16 s).
 */
export const MAX_STRUCTURE_FACTOR_TERMS = 250_000_000;

/**
 * How many points a cell with `atoms` atoms may list: MAX_REFLECTIONS, or fewer when the
 * structure factors would exceed MAX_STRUCTURE_FACTOR_TERMS (each Friedel pair |F(h)|² = |F(−h)|²
 * is computed once, so the terms are atoms × count / 2).
 */
export function reflectionAllowance(atoms: number): number {
  return Math.min(MAX_REFLECTIONS, Math.floor((2 * MAX_STRUCTURE_FACTOR_TERMS) / Math.max(atoms, 1)));
}

/**
 * Reciprocal-lattice points with gMin ≤ |g| ≤ gMax (Å⁻¹) of a cell of volume V (Å³): the
 * shell's volume times the density of points, V. Exact up to the points near its surfaces.
 */
export function estimateReflectionCount(volume: number, gMin: number, gMax: number): number {
  return ((4 * Math.PI) / 3) * (gMax ** 3 - gMin ** 3) * volume;
}

/** What the refusal says about the request it refuses. */
export interface ReflectionRequest {
  blockName: string;
  volume: number;
  atoms: number;
  wavelength: number;
  /** The 2θ range searched, degrees. */
  twoThetaMin: number;
  twoThetaMax: number;
  gMin: number;
  gMax: number;
}

/** Reflections a request has, or more than: `at least` when the search stopped at the allowance. */
export function reflectionBudgetMessage(request: ReflectionRequest, count: number, atLeast: boolean): string {
  const allowance = reflectionAllowance(request.atoms);
  const { gMin, gMax, wavelength } = request;
  // Where the range would have to end for the count to fit, scaling the shell's volume.
  const gFit = Math.cbrt(gMin ** 3 + (gMax ** 3 - gMin ** 3) * Math.min(1, allowance / count));
  const fit = 2 * Math.asin(Math.min(1, (wavelength * gFit) / 2)) * (180 / Math.PI);
  const why = allowance < MAX_REFLECTIONS ? ` for a cell of ${request.atoms} atoms (at most ${formatCount(MAX_STRUCTURE_FACTOR_TERMS)} atom × reflection terms)` : '';
  return (
    `data_${request.blockName}: ${atLeast ? 'more than' : 'about'} ${formatCount(count)} reflections lie within 2θ ${round(request.twoThetaMin)}–${round(request.twoThetaMax)}° ` +
    `at λ = ${wavelength} Å (cell volume ${round(request.volume)} Å³); Latent XRD computes at most ${formatCount(allowance)} per phase${why}. ` +
    `Lower the top of the 2θ range by about ${round(Math.max(0.1, request.twoThetaMax - fit))}°, or use a longer wavelength.`
  );
}

function round(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function formatCount(n: number): string {
  if (!Number.isFinite(n) || n >= 1e12) return n.toPrecision(2);
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))} million`;
  return String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}
