// Symmetry operations in the forms CIFs write them: `x,y,z`, `1/2-x, y+1/2, -z`, `x-y,x,z+.5`,
// `-X+Y, Z, 0.25+Y`, with or without spaces, any case. One parser for the operation loops and
// for tests that compare generated groups against files.
import type { SymmetryOperation, Vec3 } from './types';

export type SymopParseResult =
  | { ok: true; operation: SymmetryOperation }
  | { ok: false; message: string; /** 0-based offset into the text */ offset: number };

const AXES: Record<string, number> = { x: 0, y: 1, z: 2 };

export function parseSymmetryOperation(text: string): SymopParseResult {
  const rotation: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const translation: Vec3 = [0, 0, 0];
  let row = 0;
  let i = 0;
  const n = text.length;
  let termsInRow = 0;
  while (i <= n) {
    // skip blanks
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n || text[i] === ',') {
      if (termsInRow === 0) return { ok: false, message: `component ${row + 1} of the operation is empty`, offset: i };
      row++;
      termsInRow = 0;
      if (i >= n) break;
      if (row > 2) return { ok: false, message: 'an operation has three components (x, y, z); found more', offset: i };
      i++;
      continue;
    }
    let sign = 1;
    if (text[i] === '+' || text[i] === '-') {
      sign = text[i] === '-' ? -1 : 1;
      i++;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    }
    const ch = (text[i] ?? '').toLowerCase();
    if (ch in AXES) {
      rotation[row * 3 + AXES[ch]] += sign;
      i++;
    } else if ((ch >= '0' && ch <= '9') || ch === '.') {
      const start = i;
      while (i < n && /[0-9.]/.test(text[i])) i++;
      let value = Number(text.slice(start, i));
      if (!Number.isFinite(value)) return { ok: false, message: `"${text.slice(start, i)}" is not a number`, offset: start };
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      if (text[i] === '/') {
        i++;
        while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
        const dStart = i;
        while (i < n && /[0-9.]/.test(text[i])) i++;
        const denominator = Number(text.slice(dStart, i));
        if (!(denominator > 0)) return { ok: false, message: 'a fraction needs a positive denominator', offset: dStart };
        value /= denominator;
      }
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      // `2x` / `1/2*x` style coefficients are not crystallographic, but a coefficient times an axis is legal.
      if (text[i] === '*') i++;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      const axis = (text[i] ?? '').toLowerCase();
      if (axis in AXES) {
        rotation[row * 3 + AXES[axis]] += sign * value;
        i++;
      } else {
        translation[row] += sign * value;
      }
    } else {
      return { ok: false, message: `unexpected "${text[i] ?? 'end of text'}" in symmetry operation`, offset: i };
    }
    termsInRow++;
  }
  if (row !== 3) return { ok: false, message: `an operation has three components (x, y, z); found ${row}`, offset: n };
  for (const r of rotation) {
    if (!Number.isInteger(r)) return { ok: false, message: 'rotation coefficients must be integers', offset: 0 };
  }
  return {
    ok: true,
    operation: {
      rotation: rotation as SymmetryOperation['rotation'],
      translation: translation.map(reduceFraction) as Vec3,
    },
  };
}

/** Reduce a translation to [0, 1), snapping values within 1e-8 of an integer. */
export function reduceFraction(t: number): number {
  let r = t - Math.floor(t);
  if (r > 1 - 1e-8 || r < 1e-8) r = 0;
  return r;
}

export function applyOperation(op: SymmetryOperation, p: Vec3): Vec3 {
  const R = op.rotation;
  return [
    R[0] * p[0] + R[1] * p[1] + R[2] * p[2] + op.translation[0],
    R[3] * p[0] + R[4] * p[1] + R[5] * p[2] + op.translation[1],
    R[6] * p[0] + R[7] * p[1] + R[8] * p[2] + op.translation[2],
  ];
}

/** (a ∘ b)(x) = a(b(x)), translations reduced to [0, 1). */
export function composeOperations(a: SymmetryOperation, b: SymmetryOperation): SymmetryOperation {
  const A = a.rotation;
  const B = b.rotation;
  const rotation = [0, 0, 0, 0, 0, 0, 0, 0, 0] as SymmetryOperation['rotation'];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      rotation[r * 3 + c] = A[r * 3] * B[c] + A[r * 3 + 1] * B[3 + c] + A[r * 3 + 2] * B[6 + c];
    }
  }
  const t = applyOperation({ rotation: A, translation: a.translation }, b.translation);
  return { rotation, translation: t.map(reduceFraction) as Vec3 };
}

/** A canonical text key for an operation (rotation + reduced translation in 1/48ths where possible). */
export function operationKey(op: SymmetryOperation): string {
  return op.rotation.join(',') + '|' + op.translation.map((t) => Math.round(reduceFraction(t) * 1e6) / 1e6).join(',');
}

/** `x-y,x,z+1/2` — the conventional spelling, for display and for writing CIFs. */
export function formatSymmetryOperation(op: SymmetryOperation): string {
  const parts: string[] = [];
  for (let r = 0; r < 3; r++) {
    let s = '';
    for (let c = 0; c < 3; c++) {
      const v = op.rotation[r * 3 + c];
      if (v === 0) continue;
      const axis = 'xyz'[c];
      const mag = Math.abs(v) === 1 ? axis : `${Math.abs(v)}${axis}`;
      s += v < 0 ? `-${mag}` : s ? `+${mag}` : mag;
    }
    const t = reduceFraction(op.translation[r]);
    if (t !== 0) s += `+${fractionText(t)}`;
    parts.push(s || '0');
  }
  return parts.join(',');
}

function fractionText(t: number): string {
  for (const d of [2, 3, 4, 6, 8, 12, 24, 48]) {
    const num = Math.round(t * d);
    if (Math.abs(num / d - t) < 1e-6) return `${num}/${d}`;
  }
  return String(t);
}

/** det R of an operation's rotation part: ±1 for every symmetry of a lattice. */
export function rotationDeterminant(op: SymmetryOperation): number {
  const R = op.rotation;
  return R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
}

/**
 * Why an operation cannot be a symmetry of a crystal, or undefined. A symmetry maps the lattice
 * onto itself one to one, so its integer rotation part is invertible over the integers: det ±1
 * (`2*x,y,z` doubles the cell, `x,x,z` flattens it).
 */
export function nonSymmetryProblem(op: SymmetryOperation): string | undefined {
  const det = rotationDeterminant(op);
  if (det === 1 || det === -1) return undefined;
  return det === 0
    ? 'its rotation part is singular (determinant 0): it maps the cell onto a plane or a line'
    : `its rotation part has determinant ${det}, not ±1: it does not map the lattice onto itself`;
}

/**
 * The most distinct operations a list may hold: 192 is the order of the largest space groups
 * (Fm-3m and its kin) in their conventional cells; eight times that leaves room for a 2×2×2
 * supercell setting. Checking that a list is a group costs its length squared.
 */
export const MAX_SYMMETRY_OPERATIONS = 192 * 8;

/**
 * How far apart (in fractions of the cell) two translations may be and count as one when
 * checking that a list is a group: files write 1/3 as 0.333 or 0.3333, whose products miss
 * 2/3 or 1 by up to 1e-3; distinct translations of a space group differ by at least 1/24.
 */
export const TRANSLATION_TOLERANCE = 2e-3;

function sameTranslation(a: Vec3, b: Vec3): boolean {
  for (let i = 0; i < 3; i++) {
    const d = Math.abs(a[i] - b[i]) % 1;
    if (Math.min(d, 1 - d) > TRANSLATION_TOLERANCE) return false;
  }
  return true;
}

/**
 * The first product of two listed operations that the list lacks, or undefined when the list is
 * closed under composition (a finite closed set of symmetries is a group: it holds x,y,z and
 * every inverse). Indices are into `ops`; `product` = ops[first] ∘ ops[second].
 */
export function closureFailure(ops: readonly SymmetryOperation[]): { first: number; second: number; product: SymmetryOperation } | undefined {
  const byRotation = new Map<string, Vec3[]>();
  for (const op of ops) {
    const key = op.rotation.join(',');
    const list = byRotation.get(key);
    if (list) list.push(op.translation);
    else byRotation.set(key, [op.translation]);
  }
  for (let first = 0; first < ops.length; first++) {
    for (let second = 0; second < ops.length; second++) {
      const product = composeOperations(ops[first], ops[second]);
      const candidates = byRotation.get(product.rotation.join(','));
      if (!candidates || !candidates.some((t) => sameTranslation(t, product.translation))) return { first, second, product };
    }
  }
  return undefined;
}
