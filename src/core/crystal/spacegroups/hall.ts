// Hall symbols (S. R. Hall, Acta Cryst. A37, 517 (1981); International Tables B §1.4) to the
// full list of symmetry operations: the lattice symbol gives the centring translations and
// perhaps the inversion, each matrix symbol a generator; the group is their closure.
import type { SymmetryOperation, Vec3 } from '../types';
import { composeOperations, operationKey, reduceFraction } from '../symop';

type Matrix = SymmetryOperation['rotation'];

const IDENTITY: Matrix = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Proper rotations N about x, y, z (International Tables B, Table 1.4.2.4). */
const AXIS_ROTATIONS: Record<'x' | 'y' | 'z', Record<number, Matrix>> = {
  x: {
    1: IDENTITY,
    2: [1, 0, 0, 0, -1, 0, 0, 0, -1],
    3: [1, 0, 0, 0, 0, -1, 0, 1, -1],
    4: [1, 0, 0, 0, 0, -1, 0, 1, 0],
    6: [1, 0, 0, 0, 1, -1, 0, 1, 0],
  },
  y: {
    1: IDENTITY,
    2: [-1, 0, 0, 0, 1, 0, 0, 0, -1],
    3: [-1, 0, 1, 0, 1, 0, -1, 0, 0],
    4: [0, 0, 1, 0, 1, 0, -1, 0, 0],
    6: [0, 0, 1, 0, 1, 0, -1, 0, 1],
  },
  z: {
    1: IDENTITY,
    2: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    3: [0, -1, 0, 1, -1, 0, 0, 0, 1],
    4: [0, -1, 0, 1, 0, 0, 0, 0, 1],
    6: [1, -1, 0, 1, 0, 0, 0, 0, 1],
  },
};

/** Two-fold axes along face diagonals, ′ and ″, perpendicular to the preceding axis. */
const DIAGONAL_TWOFOLDS: Record<'x' | 'y' | 'z', { prime: Matrix; doublePrime: Matrix }> = {
  x: { prime: [-1, 0, 0, 0, 0, -1, 0, -1, 0], doublePrime: [-1, 0, 0, 0, 0, 1, 0, 1, 0] },
  y: { prime: [0, 0, -1, 0, -1, 0, -1, 0, 0], doublePrime: [0, 0, 1, 0, -1, 0, 1, 0, 0] },
  z: { prime: [0, -1, 0, -1, 0, 0, 0, 0, -1], doublePrime: [0, 1, 0, 1, 0, 0, 0, 0, -1] },
};

/** Three-fold along the body diagonal a+b+c. */
const BODY_DIAGONAL_THREEFOLD: Matrix = [0, 0, 1, 1, 0, 0, 0, 1, 0];

const CENTRING: Record<string, Vec3[]> = {
  P: [],
  A: [[0, 0.5, 0.5]],
  B: [[0.5, 0, 0.5]],
  C: [[0.5, 0.5, 0]],
  I: [[0.5, 0.5, 0.5]],
  R: [[2 / 3, 1 / 3, 1 / 3], [1 / 3, 2 / 3, 2 / 3]],
  S: [[1 / 3, 1 / 3, 2 / 3], [2 / 3, 2 / 3, 1 / 3]],
  T: [[1 / 3, 2 / 3, 1 / 3], [2 / 3, 1 / 3, 2 / 3]],
  F: [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]],
};

const TRANSLATION_LETTERS: Record<string, Vec3> = {
  a: [0.5, 0, 0],
  b: [0, 0.5, 0],
  c: [0, 0, 0.5],
  n: [0.5, 0.5, 0.5],
  u: [0.25, 0, 0],
  v: [0, 0.25, 0],
  w: [0, 0, 0.25],
  d: [0.25, 0.25, 0.25],
};

function negate(m: Matrix): Matrix {
  return m.map((v) => -v || 0) as Matrix;
}

export class HallSymbolError extends Error {}

/** The operations of the group a Hall symbol names, or throws HallSymbolError saying why. */
export function parseHallSymbol(symbol: string): SymmetryOperation[] {
  const text = symbol.trim();
  // An origin shift "(vx vy vz)" in twelfths may follow the matrix symbols.
  const shiftMatch = /\(([^)]*)\)\s*$/.exec(text);
  let shift: Vec3 = [0, 0, 0];
  let body = text;
  if (shiftMatch) {
    const parts = shiftMatch[1].trim().split(/[\s,]+/).map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) {
      throw new HallSymbolError(`origin shift "${shiftMatch[0]}" must be three numbers (in twelfths)`);
    }
    shift = parts.map((p) => p / 12) as Vec3;
    body = text.slice(0, shiftMatch.index).trim();
  }
  // Jana writes the matrix symbols separated by semicolons (`-R 3;-2"c`).
  const tokens = body.split(/[\s;]+/).filter(Boolean);
  if (tokens.length === 0) throw new HallSymbolError('empty Hall symbol');
  const latticeToken = tokens[0];
  const centrosymmetric = latticeToken.startsWith('-');
  const latticeLetter = latticeToken.replace(/^-/, '').toUpperCase();
  if (!(latticeLetter in CENTRING)) throw new HallSymbolError(`unknown lattice symbol "${latticeToken}"`);

  const generators: SymmetryOperation[] = [];
  for (const c of CENTRING[latticeLetter]) generators.push({ rotation: IDENTITY, translation: c });
  if (centrosymmetric) generators.push({ rotation: negate(IDENTITY), translation: [0, 0, 0] });

  let previousOrder = 0;
  let previousAxis: 'x' | 'y' | 'z' = 'z';
  tokens.slice(1).forEach((token, position) => {
    const m = /^(-?)([12346])([xyz'"*]?)([1-5]?)([abcnuvwd]*)$/.exec(token);
    if (!m) throw new HallSymbolError(`cannot read matrix symbol "${token}"`);
    const [, improper, orderText, axisText, screwText, letters] = m;
    const order = Number(orderText);
    let rotation: Matrix;
    let axis: 'x' | 'y' | 'z' | 'diagonal' = 'z';
    if (axisText === 'x' || axisText === 'y' || axisText === 'z') {
      axis = axisText;
    } else if (axisText === "'" || axisText === '"' || axisText === '*') {
      axis = 'diagonal';
    } else if (position === 0) {
      axis = 'z';
    } else if (position === 1 && order === 2) {
      // Hall's defaults: a 2 after a 2 or 4 is along a; after a 3 or 6 along a−b (′).
      axis = previousOrder === 2 || previousOrder === 4 ? 'x' : 'diagonal';
    } else if (position === 2 && order === 3) {
      axis = 'diagonal';
    } else if (order !== 1) {
      throw new HallSymbolError(`matrix symbol "${token}" needs an axis`);
    }

    if (axis === 'diagonal') {
      if (axisText === '*' || (axisText === '' && order === 3)) {
        if (order !== 3) throw new HallSymbolError(`"*" is for three-fold axes only ("${token}")`);
        rotation = BODY_DIAGONAL_THREEFOLD;
      } else {
        if (order !== 2) throw new HallSymbolError(`face-diagonal axes are two-fold only ("${token}")`);
        rotation = axisText === '"' ? DIAGONAL_TWOFOLDS[previousAxis].doublePrime : DIAGONAL_TWOFOLDS[previousAxis].prime;
      }
    } else {
      rotation = AXIS_ROTATIONS[axis][order];
      if (!rotation) throw new HallSymbolError(`no ${order}-fold rotation ("${token}")`);
    }
    if (improper) rotation = negate(rotation);

    const translation: Vec3 = [0, 0, 0];
    if (screwText) {
      const fraction = Number(screwText) / order;
      if (axis === 'diagonal') throw new HallSymbolError(`screw component on a diagonal axis ("${token}")`);
      translation['xyz'.indexOf(axis)] += fraction;
    }
    for (const letter of letters) {
      const t = TRANSLATION_LETTERS[letter];
      for (let i = 0; i < 3; i++) translation[i] += t[i];
    }
    generators.push({ rotation, translation: translation.map(reduceFraction) as Vec3 });
    previousOrder = order;
    if (axis !== 'diagonal') previousAxis = axis;
  });

  let operations = closeGroup(generators);
  if (shift.some((v) => v !== 0)) {
    // A change of origin by v: x' = R(x − v) + t + v, i.e. t' = t + v − R·v.
    operations = operations.map((op) => {
      const R = op.rotation;
      const rv = [0, 1, 2].map((r) => R[r * 3] * shift[0] + R[r * 3 + 1] * shift[1] + R[r * 3 + 2] * shift[2]);
      return {
        rotation: op.rotation,
        translation: [0, 1, 2].map((i) => reduceFraction(op.translation[i] + shift[i] - rv[i])) as Vec3,
      };
    });
  }
  return operations;
}

/** Multiplies generators until nothing new appears; the identity comes first. */
export function closeGroup(generators: SymmetryOperation[]): SymmetryOperation[] {
  const identity: SymmetryOperation = { rotation: IDENTITY, translation: [0, 0, 0] };
  const seen = new Map<string, SymmetryOperation>([[operationKey(identity), identity]]);
  const queue: SymmetryOperation[] = [identity];
  for (let i = 0; i < queue.length; i++) {
    for (const g of generators) {
      const product = composeOperations(g, queue[i]);
      const key = operationKey(product);
      if (!seen.has(key)) {
        if (seen.size >= 192) throw new HallSymbolError('the generators do not close into a space group (more than 192 operations)');
        seen.set(key, product);
        queue.push(product);
      }
    }
  }
  return queue;
}
