// Small WebAssembly SIMD functions for the hot loops that tfjs leaves to JavaScript or to slow
// kernels.
//
// adam: Adam's update. It reads the gradient and the old weights where tfjs keeps them, updates
// the moments (kept in that memory too) and writes the new weights into a fresh tensor's storage
// — no copies between JavaScript and the backend, and two elements per instruction instead of
// one. The arithmetic is exactly FusedAdam's JavaScript loop (adam.ts), operation by operation:
// float32 values widened to float64, every product, sum, square root and quotient in float64
// (wasm has no fused multiply-add, so nothing is contracted), each result rounded once to
// float32 when stored. The results are therefore bit-identical to the JavaScript loop (a unit
// test checks it). Measured on 1.1 M weights: ≈ 2.8 ms against ≈ 6.9 ms for the JavaScript loop.
//
// transpose: a float32 matrix transposed in 4 × 4 blocks (four loads, eight shuffles, four
// stores), for the matMul wrapper in backend.ts; the backend's own Transpose kernel moves one
// element at a time. Pure data movement: bit-identical.
//
// errorSums: the per-row sums behind the reconstruction errors (analysis/errors.ts), four points
// per instruction with a float32 logarithm (Cephes' logf: range reduction on the exponent bits,
// then a degree-8 polynomial, ≈ 1 ulp), each four-point partial sum widened and added in float64.
// Scoring spent about as long in its JavaScript error loop (four logarithms a point) as in the
// model's matMuls.
//
// The modules are assembled here from their opcodes (there is no compiler in the build): one
// function each, one imported memory.
/** The parts of the WebAssembly API used here (the project's type libraries do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory & { grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export const webAssembly = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;


/** adam(wOld, wNew, m, s, g, count, rate, beta1, beta2, epsilon): byte offsets; count a multiple of 4. */
export type AdamKernel = (wOld: number, wNew: number, m: number, s: number, g: number, count: number, rate: number, beta1: number, beta2: number, epsilon: number) => void;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const simd = (op: number, ...immediates: number[]) => [0xfd, ...uleb(op), ...immediates];
const get = (local: number) => [0x20, ...uleb(local)];
const set = (local: number) => [0x21, ...uleb(local)];
const tee = (local: number) => [0x22, ...uleb(local)];
const i32Add = 0x6a;
const i32Sub = 0x6b;
const i32Mul = 0x6c;
const i32And = 0x71;
const i32Shl = 0x74;
/** i32.const, any value (signed LEB128). */
const i32Const = (v: number): number[] => [0x41, ...sleb(v)];
const f32x4 = { splat: simd(0x13), gt: simd(0x44), lt: simd(0x43), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6), min: simd(0xe8), max: simd(0xe9), fromInt: simd(0xfa) };
const f64Sub = 0xa1;
const v128Load = simd(0x00, 0, 0); // align 2^0 (a hint only), offset 0
const v128Store = simd(0x0b, 0, 0);
const shuffle = (lanes: number[]) => simd(0x0d, ...lanes);
/** Bytes 8–15 (the upper two float32 lanes) moved down. */
const UPPER_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** The lower halves of two vectors joined: two float32 lanes from each. */
const JOIN_LOWER = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const f64x2 = {
  splat: simd(0x14),
  add: simd(0xf0),
  sub: simd(0xf1),
  mul: simd(0xf2),
  div: simd(0xf3),
  sqrt: simd(0xef),
  promoteLow: simd(0x5f), // f64x2.promote_low_f32x4
  demote: simd(0x5e), // f32x4.demote_f64x2_zero
};

/** The module's bytes. */
export function adamModuleBytes(): Uint8Array {
  // Parameters 0–5: wOld, wNew, m, s, g (byte offsets), count; 6–9: rate, beta1, beta2, epsilon.
  const [wOld, wNew, m, s, g, count, rate, beta1, beta2, epsilon] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // Locals: two i32 (byte index, end), then v128s.
  const [i, end, vBeta1, vC1, vBeta2, vC2, vRate, vEpsilon, t, gLo, gHi, mLo, mHi, sLo, sHi, wLo, wHi] = Array.from({ length: 17 }, (_, k) => 10 + k);
  const one = [0x44, ...new Uint8Array(Float64Array.of(1).buffer)]; // f64.const 1
  const body: number[] = [
    ...get(beta1), ...f64x2.splat, ...set(vBeta1),
    ...one, ...get(beta1), f64Sub, ...f64x2.splat, ...set(vC1),
    ...get(beta2), ...f64x2.splat, ...set(vBeta2),
    ...one, ...get(beta2), f64Sub, ...f64x2.splat, ...set(vC2),
    ...get(rate), ...f64x2.splat, ...set(vRate),
    ...get(epsilon), ...f64x2.splat, ...set(vEpsilon),
    ...get(count), 0x41, 2, i32Shl, ...set(end),
  ];
  /** Four float32 at base + i, widened into two f64x2 locals. */
  const load = (base: number, lo: number, hi: number) => [
    ...get(base), ...get(i), i32Add, ...v128Load, ...tee(t), ...f64x2.promoteLow, ...set(lo),
    ...get(t), ...get(t), ...shuffle(UPPER_HALF), ...f64x2.promoteLow, ...set(hi),
  ];
  /** Two f64x2 locals rounded to four float32 at base + i. */
  const store = (base: number, lo: number, hi: number) => [
    ...get(base), ...get(i), i32Add, ...get(lo), ...f64x2.demote, ...get(hi), ...f64x2.demote, ...shuffle(JOIN_LOWER), ...v128Store,
  ];
  // m ← β₁m + (1 − β₁)g;  s ← β₂s + (1 − β₂)g·g;  w ← w − (rate·m) / (√s + ε)  (adam.ts' order).
  const update = (gv: number, mv: number, sv: number, wv: number) => [
    ...get(vBeta1), ...get(mv), ...f64x2.mul, ...get(vC1), ...get(gv), ...f64x2.mul, ...f64x2.add, ...set(mv),
    ...get(vBeta2), ...get(sv), ...f64x2.mul, ...get(vC2), ...get(gv), ...f64x2.mul, ...get(gv), ...f64x2.mul, ...f64x2.add, ...set(sv),
    ...get(wv), ...get(vRate), ...get(mv), ...f64x2.mul, ...get(sv), ...f64x2.sqrt, ...get(vEpsilon), ...f64x2.add, ...f64x2.div, ...f64x2.sub, ...set(wv),
  ];
  body.push(
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(i), ...get(end), 0x4f /* i32.ge_u */, 0x0d, 1, // br_if out of the block
    ...load(g, gLo, gHi), ...load(m, mLo, mHi), ...load(s, sLo, sHi), ...load(wOld, wLo, wHi),
    ...update(gLo, mLo, sLo, wLo), ...update(gHi, mHi, sHi, wHi),
    ...store(m, mLo, mHi), ...store(s, sLo, sHi), ...store(wNew, wLo, wHi),
    ...get(i), 0x41, 16, i32Add, ...set(i),
    0x0c, 0, // br to the loop
    0x0b, 0x0b, // end loop, end block
  );
  return moduleBytes('adam', [I32, I32, I32, I32, I32, I32, F64, F64, F64, F64], [[2, I32], [15, V128]], body);
}

/** One exported function `exported` with these parameter types, locals ([count, type]) and body, importing env.memory. */
function moduleBytes(exported: string, params: number[], locals: [number, number][], body: number[]): Uint8Array {
  const code = [...vector(locals.map(([count, type]) => [...uleb(count), type])), ...body, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vector([[0x60, ...vector(params.map((x) => [x])), 0]])), // type: params → nothing
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // import memory (min 0 pages)
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(7, vector([[...name(exported), 0x00, 0]])), // export it
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

/** transpose(source, target, rows, columns): byte offsets; rows and columns multiples of 4. */
export type TransposeKernel = (source: number, target: number, rows: number, columns: number) => void;

export function transposeModuleBytes(): Uint8Array {
  const [source, target, rows, columns] = [0, 1, 2, 3];
  const [r, c, rowBytes, columnBytes, p, q] = [4, 5, 6, 7, 8, 9];
  const [a0, a1, a2, a3, t0, t1, t2, t3] = [10, 11, 12, 13, 14, 15, 16, 17];
  // Lanes (32-bit) of two vectors x, y: x0 y0 x1 y1 / x2 y2 x3 y3; then the lower / upper halves.
  const INTERLEAVE_LOW = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const INTERLEAVE_HIGH = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const JOIN_UPPER = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  const loadRow = (k: number, into: number) => [...get(p), ...get(rowBytes), ...i32Const(k), i32Mul, i32Add, ...v128Load, ...set(into)];
  const storeColumn = (k: number, x: number, y: number, lanes: number[]) => [...get(q), ...get(columnBytes), ...i32Const(k), i32Mul, i32Add, ...get(x), ...get(y), ...shuffle(lanes), ...v128Store];
  const body = [
    ...get(columns), ...i32Const(2), i32Shl, ...set(rowBytes), // bytes per source row
    ...get(rows), ...i32Const(2), i32Shl, ...set(columnBytes), // bytes per target row
    0x02, 0x40, 0x03, 0x40, // block, loop over r (4 source rows at a time)
    ...get(r), ...get(rows), 0x4f, 0x0d, 1,
    ...i32Const(0), ...set(c),
    0x02, 0x40, 0x03, 0x40, // block, loop over c (4 source columns at a time)
    ...get(c), ...get(columns), 0x4f, 0x0d, 1,
    // p = source + r·rowBytes + 4c;  q = target + c·columnBytes + 4r
    ...get(source), ...get(r), ...get(rowBytes), i32Mul, i32Add, ...get(c), ...i32Const(2), i32Shl, i32Add, ...set(p),
    ...get(target), ...get(c), ...get(columnBytes), i32Mul, i32Add, ...get(r), ...i32Const(2), i32Shl, i32Add, ...set(q),
    ...loadRow(0, a0), ...loadRow(1, a1), ...loadRow(2, a2), ...loadRow(3, a3),
    ...get(a0), ...get(a1), ...shuffle(INTERLEAVE_LOW), ...set(t0),
    ...get(a0), ...get(a1), ...shuffle(INTERLEAVE_HIGH), ...set(t1),
    ...get(a2), ...get(a3), ...shuffle(INTERLEAVE_LOW), ...set(t2),
    ...get(a2), ...get(a3), ...shuffle(INTERLEAVE_HIGH), ...set(t3),
    ...storeColumn(0, t0, t2, JOIN_LOWER), ...storeColumn(1, t0, t2, JOIN_UPPER),
    ...storeColumn(2, t1, t3, JOIN_LOWER), ...storeColumn(3, t1, t3, JOIN_UPPER),
    ...get(c), ...i32Const(4), i32Add, ...set(c),
    0x0c, 0, 0x0b, 0x0b,
    ...get(r), ...i32Const(4), i32Add, ...set(r),
    0x0c, 0, 0x0b, 0x0b,
  ];
  return moduleBytes('transpose', [I32, I32, I32, I32], [[6, I32], [8, V128]], body);
}

function instantiate<K>(bytes: () => Uint8Array, exported: string, memory: WasmMemory, cache: WeakMap<WasmMemory, K | null>): K | undefined {
  let kernel = cache.get(memory);
  if (kernel === undefined) {
    try {
      if (!webAssembly) throw new Error('no WebAssembly');
      const instance = new webAssembly.Instance(new webAssembly.Module(bytes()), { env: { memory } });
      kernel = instance.exports[exported] as K;
    } catch {
      kernel = null;
    }
    cache.set(memory, kernel);
  }
  return kernel ?? undefined;
}

const adamKernels = new WeakMap<WasmMemory, AdamKernel | null>();
const transposeKernels = new WeakMap<WasmMemory, TransposeKernel | null>();

/** The Adam kernel bound to `memory`, or undefined where WebAssembly SIMD is not available. */
export function adamKernel(memory: WasmMemory): AdamKernel | undefined {
  return instantiate(adamModuleBytes, 'adam', memory, adamKernels);
}

/** The transpose kernel bound to `memory`, or undefined where WebAssembly SIMD is not available. */
export function transposeKernel(memory: WasmMemory): TransposeKernel | undefined {
  return instantiate(transposeModuleBytes, 'transpose', memory, transposeKernels);
}

/**
 * errorSums(y, p, out, rows, points): byte offsets; points a multiple of 4. For each row, three
 * float64 at out + 24·row: Σ [y·ln q + (1−y)·ln(1−q)] with q = p clipped to [ε, 1−ε] (the BCE,
 * negated); Σ [y·ln y + (1−y)·ln(1−y)] over 0 < y < 1 (the target's entropy, negated); Σ (y−p)².
 */
export type ErrorSumsKernel = (y: number, p: number, out: number, rows: number, points: number) => void;

/** Cephes logf's polynomial for ln(1+f) − f + f²/2 = f³·P(f), highest power first, and ln 2 in two parts. */
const LOGF_POLYNOMIAL = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];
const LN2_HIGH = 0.693359375;
const LN2_LOW = -2.12194440e-4;

export function errorSumsModuleBytes(epsilon: number): Uint8Array {
  const [y, p, out, rows, points] = [0, 1, 2, 3, 4];
  const [r, j, rowEnd] = [5, 6, 7];
  let next = 8;
  const v128 = () => next++;
  // Constants, splatted once.
  const [cEpsilon, cOne, cHalf, cTiny, cZero, cSqrt2, cLn2High, cLn2Low, cMantissa, cOneBits, cBias] = Array.from({ length: 11 }, v128);
  const cPoly = LOGF_POLYNOMIAL.map(v128);
  // Working registers.
  const [vy, vp, lq, lc, ly, lyc, term, sumBce, sumEntropy, sumSquares] = Array.from({ length: 10 }, v128);
  const [lx, le, lm, lbig, lf, lz] = Array.from({ length: 6 }, v128);
  const locals = next - 8;

  const f32 = (v: number) => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
  const i32x4 = { splat: simd(0x11), shrU: simd(0xad), sub: simd(0xb1) };
  const v = { and: simd(0x4e), or: simd(0x50), bitselect: simd(0x52) };
  const splatF = (value: number, into: number) => [...f32(value), ...f32x4.splat, ...set(into)];
  const splatI = (value: number, into: number) => [...i32Const(value), ...i32x4.splat, ...set(into)];

  /** ln of the four positive float32 lanes `argument` leaves on the stack, into `into`. */
  const ln = (argument: number[], into: number) => [
    ...argument, ...tee(lx),
    ...i32Const(23), ...i32x4.shrU, ...get(cBias), ...i32x4.sub, ...set(le), // unbiased exponent
    ...get(lx), ...get(cMantissa), ...v.and, ...get(cOneBits), ...v.or, ...set(lm), // mantissa in [1, 2)
    ...get(lm), ...get(cSqrt2), ...f32x4.gt, ...set(lbig), // all ones where the mantissa is above √2:
    ...get(lm), ...get(cHalf), ...f32x4.mul, ...get(lm), ...get(lbig), ...v.bitselect, ...get(cOne), ...f32x4.sub, ...set(lf), // f = m/2 − 1 there, else m − 1
    ...get(le), ...get(lbig), ...i32x4.sub, ...f32x4.fromInt, ...set(le), // and the exponent one higher
    ...get(lf), ...get(lf), ...f32x4.mul, ...set(lz),
    ...get(cPoly[0]),
    ...cPoly.slice(1).flatMap((c) => [...get(lf), ...f32x4.mul, ...get(c), ...f32x4.add]),
    ...get(lf), ...f32x4.mul, ...get(lz), ...f32x4.mul,
    ...get(le), ...get(cLn2Low), ...f32x4.mul, ...f32x4.add,
    ...get(lz), ...get(cHalf), ...f32x4.mul, ...f32x4.sub,
    ...get(lf), ...f32x4.add,
    ...get(le), ...get(cLn2High), ...f32x4.mul, ...f32x4.add,
    ...set(into),
  ];
  /** sum += the four float32 lanes of `term`, widened to float64. */
  const accumulate = (sum: number) => [
    ...get(sum), ...get(term), ...f64x2.promoteLow, ...f64x2.add, ...get(term), ...get(term), ...shuffle(UPPER_HALF), ...f64x2.promoteLow, ...f64x2.add, ...set(sum),
  ];
  const storeSum = (sum: number, field: number) => [
    ...get(out), ...get(r), ...i32Const(24), i32Mul, i32Add,
    ...get(sum), ...simd(0x21, 0), ...get(sum), ...simd(0x21, 1), 0xa0 /* f64.add */,
    0x39, 3, ...uleb(field * 8), // f64.store align 8, offset
  ];
  const zero = (local: number) => [...get(cZero), ...set(local)];

  const body = [
    ...splatF(epsilon, cEpsilon), ...splatF(1, cOne), ...splatF(0.5, cHalf),
    ...splatF(1e-30, cTiny), ...splatF(0, cZero), ...splatF(Math.SQRT2, cSqrt2), ...splatF(LN2_HIGH, cLn2High), ...splatF(LN2_LOW, cLn2Low),
    ...splatI(0x007fffff, cMantissa), ...splatI(0x3f800000, cOneBits), ...splatI(127, cBias),
    ...LOGF_POLYNOMIAL.flatMap((c, k) => splatF(c, cPoly[k])),
    0x02, 0x40, 0x03, 0x40, // block, loop over rows
    ...get(r), ...get(rows), 0x4f, 0x0d, 1,
    ...zero(sumBce), ...zero(sumEntropy), ...zero(sumSquares),
    ...get(j), ...get(points), ...i32Const(2), i32Shl, i32Add, ...set(rowEnd),
    0x02, 0x40, 0x03, 0x40, // block, loop over the row's points, four at a time
    ...get(j), ...get(rowEnd), 0x4f, 0x0d, 1,
    ...get(y), ...get(j), i32Add, ...v128Load, ...set(vy),
    ...get(p), ...get(j), i32Add, ...v128Load, ...set(vp),
    // q = p clipped to [ε, 1 − ε], and 1 − q; the complement is clipped on its own, since 1 − ε
    // is not a float32 (and 1 − p is exact for p near 1).
    ...ln([...get(vp), ...get(cEpsilon), ...f32x4.max, ...get(cOne), ...f32x4.min], lq),
    ...ln([...get(cOne), ...get(vp), ...f32x4.sub, ...get(cEpsilon), ...f32x4.max], lc),
    // y·ln q + (1−y)·ln(1−q)
    ...get(vy), ...get(lq), ...f32x4.mul, ...get(cOne), ...get(vy), ...f32x4.sub, ...get(lc), ...f32x4.mul, ...f32x4.add, ...set(term),
    ...accumulate(sumBce),
    // y·ln y + (1−y)·ln(1−y), kept only where 0 < y < 1 (the arguments are kept positive for ln)
    ...ln([...get(vy), ...get(cTiny), ...f32x4.max], ly),
    ...ln([...get(cOne), ...get(vy), ...f32x4.sub, ...get(cTiny), ...f32x4.max], lyc),
    ...get(vy), ...get(ly), ...f32x4.mul, ...get(cOne), ...get(vy), ...f32x4.sub, ...get(lyc), ...f32x4.mul, ...f32x4.add,
    ...get(vy), ...get(cZero), ...f32x4.gt, ...v.and, ...get(vy), ...get(cOne), ...f32x4.lt, ...v.and, ...set(term),
    ...accumulate(sumEntropy),
    ...get(vy), ...get(vp), ...f32x4.sub, ...tee(term), ...get(term), ...f32x4.mul, ...set(term),
    ...accumulate(sumSquares),
    ...get(j), ...i32Const(16), i32Add, ...set(j),
    0x0c, 0, 0x0b, 0x0b,
    ...storeSum(sumBce, 0), ...storeSum(sumEntropy, 1), ...storeSum(sumSquares, 2),
    ...get(r), ...i32Const(1), i32Add, ...set(r),
    0x0c, 0, 0x0b, 0x0b,
  ];
  return moduleBytes('errorSums', [I32, I32, I32, I32, I32], [[3, I32], [locals, V128]], body);
}

/** Signed LEB128, for i32.const. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const errorSumsKernels = new WeakMap<WasmMemory, ErrorSumsKernel | null>();

/** The error-sums kernel (clipping at `epsilon`) bound to `memory`, or undefined where WebAssembly SIMD is not available. */
export function errorSumsKernel(memory: WasmMemory, epsilon: number): ErrorSumsKernel | undefined {
  return instantiate(() => errorSumsModuleBytes(epsilon), 'errorSums', memory, errorSumsKernels);
}

/**
 * gemm(a, b, c, bias, m, k, n, flags, panel): c[m × n] = a[m × k] · b[k × n] (+ bias[n] if
 * flags & 1, then max(·, 0) if flags & 2), row-major float32 at byte offsets; n a multiple of 8.
 * `panel`: 32·k bytes of scratch, 16-byte aligned.
 *
 * Eight columns of b at a time are first copied into the panel (contiguous and aligned: tfjs
 * storage is only 8-byte aligned, and a column strip is read once per four rows of a; with fewer
 * than four rows in all, it is read in place), then every
 * four rows of a are multiplied with it into a 4 × 8 tile held in eight registers: per k, two
 * panel loads, four splatted elements of a, eight multiplies and eight adds (no fused
 * multiply-add in wasm SIMD); the last rows, fewer than four, one at a time. Each sum runs over k in order from the bias, one rounding per step.
 */
export type GemmKernel = (a: number, b: number, c: number, bias: number, m: number, k: number, n: number, flags: number, panel: number) => void;

export function gemmModuleBytes(): Uint8Array {
  const [a, b, c, bias, m, k, n, flags, panel] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [j0, i0, kk, pa0, pa1, pa2, pa3, pb, rowA, rowB, pc, endJ, strip, stripStride] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const [acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7, b0, b1, s, bv0, bv1, zero] = Array.from({ length: 14 }, (_, i) => 23 + i);
  const acc = [acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7];
  const pa = [pa0, pa1, pa2, pa3];
  const load = (offset: number) => simd(0x00, 4, ...uleb(offset));
  const store = (offset: number) => simd(0x0b, 4, ...uleb(offset));
  const loadSplat32 = simd(0x09, 2, 0);
  const body = [
    ...get(k), ...i32Const(2), i32Shl, ...set(rowA),
    ...get(n), ...i32Const(2), i32Shl, ...set(rowB),
    ...get(rowB), ...set(endJ),
    ...simd(0x0c, ...new Array(16).fill(0)), ...set(zero),
    0x02, 0x40, 0x03, 0x40, // block, loop over column panels (8 columns = 32 bytes)
    ...get(j0), ...get(endJ), 0x4f, 0x0d, 1,
    // The panel's bias, or zeros.
    ...get(zero), ...set(bv0), ...get(zero), ...set(bv1),
    ...get(flags), ...i32Const(1), i32And, 0x04, 0x40, // if
    ...get(bias), ...get(j0), i32Add, ...tee(pb), ...load(0), ...set(bv0),
    ...get(pb), ...load(16), ...set(bv1),
    0x0b,
    // The strip b[·, j0 … j0 + 7]: read where it is when there are fewer than four rows (it is
    // read once), else first copied into the panel (pc runs over the panel here).
    ...get(b), ...get(j0), i32Add, ...tee(pb), ...set(strip),
    ...get(rowB), ...set(stripStride),
    ...get(m), ...i32Const(4), 0x4f /* i32.ge_u */, 0x04, 0x40,
    ...get(panel), ...tee(pc), ...set(strip),
    ...i32Const(32), ...set(stripStride),
    ...get(k), ...set(kk),
    0x03, 0x40,
    ...get(pc), ...get(pb), ...load(0), ...store(0),
    ...get(pc), ...get(pb), ...load(16), ...store(16),
    ...get(pc), ...i32Const(32), i32Add, ...set(pc),
    ...get(pb), ...get(rowB), i32Add, ...set(pb),
    ...get(kk), ...i32Const(1), i32Sub, ...tee(kk), 0x0d, 0,
    0x0b,
    0x0b,
    ...i32Const(0), ...set(i0),
    0x02, 0x40, 0x03, 0x40, // block, loop over row tiles (4 rows) while four rows are left
    ...get(i0), ...i32Const(4), i32Add, ...get(m), 0x4b /* i32.gt_u */, 0x0d, 1,
    ...get(a), ...get(i0), ...get(rowA), i32Mul, i32Add, ...tee(pa0), ...get(rowA), i32Add, ...tee(pa1), ...get(rowA), i32Add, ...tee(pa2), ...get(rowA), i32Add, ...set(pa3),
    ...get(panel), ...set(pb),
    ...acc.flatMap((x, i) => [...get(i % 2 ? bv1 : bv0), ...set(x)]),
    ...get(k), ...set(kk),
    0x03, 0x40, // loop over k
    ...get(pb), ...load(0), ...set(b0),
    ...get(pb), ...load(16), ...set(b1),
    ...pa.flatMap((p, r) => [
      ...get(p), ...loadSplat32, ...tee(s), ...get(b0), ...f32x4.mul, ...get(acc[2 * r]), ...f32x4.add, ...set(acc[2 * r]),
      ...get(s), ...get(b1), ...f32x4.mul, ...get(acc[2 * r + 1]), ...f32x4.add, ...set(acc[2 * r + 1]),
      ...get(p), ...i32Const(4), i32Add, ...set(p),
    ]),
    ...get(pb), ...i32Const(32), i32Add, ...set(pb),
    ...get(kk), ...i32Const(1), i32Sub, ...tee(kk), 0x0d, 0, // br_if loop while kk ≠ 0
    0x0b,
    // Store the 4 × 8 tile, with ReLU if asked.
    ...get(flags), ...i32Const(2), i32And, 0x04, 0x40,
    ...acc.flatMap((x) => [...get(x), ...get(zero), ...f32x4.max, ...set(x)]),
    0x0b,
    ...get(c), ...get(i0), ...get(rowB), i32Mul, i32Add, ...get(j0), i32Add, ...set(pc),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(pc), ...get(acc[2 * r]), ...store(0),
      ...get(pc), ...get(acc[2 * r + 1]), ...store(16),
      ...get(pc), ...get(rowB), i32Add, ...set(pc),
    ]),
    ...get(i0), ...i32Const(4), i32Add, ...set(i0),
    0x0c, 0, 0x0b, 0x0b,
    0x02, 0x40, 0x03, 0x40, // block, loop over the last rows (fewer than four), one at a time
    ...get(i0), ...get(m), 0x4f, 0x0d, 1,
    ...get(a), ...get(i0), ...get(rowA), i32Mul, i32Add, ...set(pa0),
    ...get(strip), ...set(pb),
    ...get(bv0), ...set(acc0), ...get(bv1), ...set(acc1),
    ...get(k), ...set(kk),
    0x03, 0x40,
    ...get(pa0), ...loadSplat32, ...tee(s), ...get(pb), ...load(0), ...f32x4.mul, ...get(acc0), ...f32x4.add, ...set(acc0),
    ...get(s), ...get(pb), ...load(16), ...f32x4.mul, ...get(acc1), ...f32x4.add, ...set(acc1),
    ...get(pa0), ...i32Const(4), i32Add, ...set(pa0),
    ...get(pb), ...get(stripStride), i32Add, ...set(pb),
    ...get(kk), ...i32Const(1), i32Sub, ...tee(kk), 0x0d, 0,
    0x0b,
    ...get(flags), ...i32Const(2), i32And, 0x04, 0x40,
    ...[acc0, acc1].flatMap((x) => [...get(x), ...get(zero), ...f32x4.max, ...set(x)]),
    0x0b,
    ...get(c), ...get(i0), ...get(rowB), i32Mul, i32Add, ...get(j0), i32Add, ...tee(pc), ...get(acc0), ...store(0),
    ...get(pc), ...get(acc1), ...store(16),
    ...get(i0), ...i32Const(1), i32Add, ...set(i0),
    0x0c, 0, 0x0b, 0x0b,
    ...get(j0), ...i32Const(32), i32Add, ...set(j0),
    0x0c, 0, 0x0b, 0x0b,
  ];
  return moduleBytes('gemm', [I32, I32, I32, I32, I32, I32, I32, I32, I32], [[14, I32], [14, V128]], body);
}

const gemmKernels = new WeakMap<WasmMemory, GemmKernel | null>();

/** The GEMM kernel bound to `memory`, or undefined where WebAssembly SIMD is not available. */
export function gemmKernel(memory: WasmMemory): GemmKernel | undefined {
  return instantiate(gemmModuleBytes, 'gemm', memory, gemmKernels);
}
