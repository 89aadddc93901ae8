// Two small WebAssembly SIMD functions that work directly in the tfjs wasm backend's memory.
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
// The modules are assembled here from their opcodes (there is no compiler in the build): one
// function each, one imported memory.
/** The parts of the WebAssembly API used here (the project's type libraries do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
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
    ...get(count), 0x41, 2, 0x74 /* i32.shl */, ...set(end),
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
  const i32Mul = 0x6c;
  const i32Const = (v: number) => [0x41, v]; // 0 ≤ v < 64
  // Lanes (32-bit) of two vectors x, y: x0 y0 x1 y1 / x2 y2 x3 y3; then the lower / upper halves.
  const INTERLEAVE_LOW = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const INTERLEAVE_HIGH = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const JOIN_UPPER = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  const loadRow = (k: number, into: number) => [...get(p), ...get(rowBytes), ...i32Const(k), i32Mul, i32Add, ...v128Load, ...set(into)];
  const storeColumn = (k: number, x: number, y: number, lanes: number[]) => [...get(q), ...get(columnBytes), ...i32Const(k), i32Mul, i32Add, ...get(x), ...get(y), ...shuffle(lanes), ...v128Store];
  const body = [
    ...get(columns), ...i32Const(2), 0x74, ...set(rowBytes), // bytes per source row
    ...get(rows), ...i32Const(2), 0x74, ...set(columnBytes), // bytes per target row
    0x02, 0x40, 0x03, 0x40, // block, loop over r (4 source rows at a time)
    ...get(r), ...get(rows), 0x4f, 0x0d, 1,
    ...i32Const(0), ...set(c),
    0x02, 0x40, 0x03, 0x40, // block, loop over c (4 source columns at a time)
    ...get(c), ...get(columns), 0x4f, 0x0d, 1,
    // p = source + r·rowBytes + 4c;  q = target + c·columnBytes + 4r
    ...get(source), ...get(r), ...get(rowBytes), i32Mul, i32Add, ...get(c), ...i32Const(2), 0x74, i32Add, ...set(p),
    ...get(target), ...get(c), ...get(columnBytes), i32Mul, i32Add, ...get(r), ...i32Const(2), 0x74, i32Add, ...set(q),
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
