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
// function each, one imported memory. Opcodes and locals are named (`op`, `simdOp`, `Locals`), and
// each builder has its module's WebAssembly text above it; a unit test pins every module's bytes.
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

// ── Encoding ────────────────────────────────────────────────────────────────────────────────
// Everything below writes WebAssembly's binary format (core spec, "Binary Format"; SIMD
// instructions from the fixed-width SIMD proposal, now in the core spec). An instruction is a
// number[] (its opcode and immediates); a function body is their concatenation.

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
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** Value types. */
const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
/** The block type of a block, loop or if that takes and leaves nothing. */
const VOID = 0x40;

/** The opcodes of the core instructions used here. */
const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, br_if: 0x0d,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  f64_store: 0x39,
  i32_const: 0x41, f32_const: 0x43, f64_const: 0x44,
  i32_gt_u: 0x4b, i32_ge_u: 0x4f,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_and: 0x71, i32_shl: 0x74,
  f64_add: 0xa0, f64_sub: 0xa1,
  /** The prefix of every SIMD instruction, followed by its sub-opcode (below) as unsigned LEB128. */
  simd: 0xfd,
} as const;

/** The sub-opcodes of the SIMD instructions used here (written after op.simd, LEB128: 0xad is two bytes). */
const simdOp = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_store: 0x0b, v128_const: 0x0c,
  i8x16_shuffle: 0x0d, i32x4_splat: 0x11, f32x4_splat: 0x13, f64x2_splat: 0x14, f64x2_extract_lane: 0x21,
  f32x4_lt: 0x43, f32x4_gt: 0x44,
  v128_and: 0x4e, v128_or: 0x50, v128_bitselect: 0x52,
  f32x4_demote_f64x2_zero: 0x5e, f64x2_promote_low_f32x4: 0x5f,
  i32x4_shr_u: 0xad, i32x4_sub: 0xb1,
  f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6, f32x4_min: 0xe8, f32x4_max: 0xe9,
  f64x2_sqrt: 0xef, f64x2_add: 0xf0, f64x2_sub: 0xf1, f64x2_mul: 0xf2, f64x2_div: 0xf3,
  f32x4_convert_i32x4_s: 0xfa,
} as const;

const simd = (sub: number, ...immediates: number[]): number[] => [op.simd, ...uleb(sub), ...immediates];
/** A load's or store's immediate: log2 of the alignment (a hint only) and the offset. */
const memarg = (alignLog2: number, offset = 0): number[] => [...uleb(alignLog2), ...uleb(offset)];

// Instructions, in the text format's names.
const get = (local: number): number[] => [op.local_get, ...uleb(local)];
const set = (local: number): number[] => [op.local_set, ...uleb(local)];
const tee = (local: number): number[] => [op.local_tee, ...uleb(local)];
const block = [op.block, VOID];
const loop = [op.loop, VOID];
const if_ = [op.if, VOID];
const end = [op.end];
/** br to the label `depth` enclosing constructs out (0: the innermost). */
const br = (depth: number): number[] => [op.br, ...uleb(depth)];
const brIf = (depth: number): number[] => [op.br_if, ...uleb(depth)];
const i32 = {
  /** i32.const, any value (signed LEB128). */
  const: (v: number): number[] => [op.i32_const, ...sleb(v)],
  add: [op.i32_add], sub: [op.i32_sub], mul: [op.i32_mul], and: [op.i32_and], shl: [op.i32_shl],
  geU: [op.i32_ge_u], gtU: [op.i32_gt_u],
};
const f32 = { const: (v: number): number[] => [op.f32_const, ...new Uint8Array(Float32Array.of(v).buffer)] };
const f64 = {
  const: (v: number): number[] => [op.f64_const, ...new Uint8Array(Float64Array.of(v).buffer)],
  add: [op.f64_add], sub: [op.f64_sub],
  store: (offset: number): number[] => [op.f64_store, ...memarg(3, offset)],
};
const v128 = {
  load: (alignLog2: number, offset = 0) => simd(simdOp.v128_load, ...memarg(alignLog2, offset)),
  store: (alignLog2: number, offset = 0) => simd(simdOp.v128_store, ...memarg(alignLog2, offset)),
  load32Splat: (alignLog2: number, offset = 0) => simd(simdOp.v128_load32_splat, ...memarg(alignLog2, offset)),
  const: (bytes: number[]) => simd(simdOp.v128_const, ...bytes),
  and: simd(simdOp.v128_and), or: simd(simdOp.v128_or), bitselect: simd(simdOp.v128_bitselect),
};
/** i8x16.shuffle: 16 byte lanes picked from two vectors (0–15 the first, 16–31 the second). */
const shuffle = (lanes: number[]) => simd(simdOp.i8x16_shuffle, ...lanes);
const i32x4 = { splat: simd(simdOp.i32x4_splat), shrU: simd(simdOp.i32x4_shr_u), sub: simd(simdOp.i32x4_sub) };
const f32x4 = {
  splat: simd(simdOp.f32x4_splat), gt: simd(simdOp.f32x4_gt), lt: simd(simdOp.f32x4_lt),
  add: simd(simdOp.f32x4_add), sub: simd(simdOp.f32x4_sub), mul: simd(simdOp.f32x4_mul),
  min: simd(simdOp.f32x4_min), max: simd(simdOp.f32x4_max),
  convertI32x4S: simd(simdOp.f32x4_convert_i32x4_s),
  demoteF64x2Zero: simd(simdOp.f32x4_demote_f64x2_zero),
};
const f64x2 = {
  splat: simd(simdOp.f64x2_splat),
  extractLane: (lane: number) => simd(simdOp.f64x2_extract_lane, lane),
  add: simd(simdOp.f64x2_add), sub: simd(simdOp.f64x2_sub), mul: simd(simdOp.f64x2_mul), div: simd(simdOp.f64x2_div),
  sqrt: simd(simdOp.f64x2_sqrt),
  promoteLowF32x4: simd(simdOp.f64x2_promote_low_f32x4),
};
/** Bytes 8–15 (the upper two float32 lanes) moved down. */
const UPPER_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** The lower halves of two vectors joined: two float32 lanes from each. */
const JOIN_LOWER = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * A function's parameters and locals, numbered as WebAssembly numbers them: the parameters
 * first, then the locals in the order they are asked for (consecutive locals of one type share
 * one declaration).
 */
class Locals {
  readonly paramTypes: number[] = [];
  readonly declarations: [count: number, type: number][] = [];
  private next = 0;

  param(type: number): number {
    if (this.declarations.length) throw new Error('parameters come before locals');
    this.paramTypes.push(type);
    return this.next++;
  }

  params(count: number, type: number): number[] {
    return Array.from({ length: count }, () => this.param(type));
  }

  local(type: number): number {
    const last = this.declarations[this.declarations.length - 1];
    if (last && last[1] === type) last[0]++;
    else this.declarations.push([1, type]);
    return this.next++;
  }

  locals(count: number, type: number): number[] {
    return Array.from({ length: count }, () => this.local(type));
  }
}

/** A module of one exported function `exported` (locals' signature → nothing) with this body, importing env.memory. */
function moduleBytes(exported: string, locals: Locals, body: number[]): Uint8Array {
  const code = [...vector(locals.declarations.map(([count, type]) => [...uleb(count), type])), ...body, ...end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // "\0asm", version 1
    ...section(1, vector([[0x60, ...vector(locals.paramTypes.map((x) => [x])), 0]])), // type: params → nothing
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // import memory (min 0 pages)
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(7, vector([[...name(exported), 0x00, 0]])), // export it
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

// The module in the WebAssembly text format. wabt's wat2wasm assembles this text to
// exactly the bytes built below (checked when written; the unit test pins the bytes).
//
// (module
//   (import "env" "memory" (memory 0))
//   (func (export "adam")
//     (param $wOld i32) (param $wNew i32) (param $m i32) (param $s i32) (param $g i32)
//     (param $count i32) (param $rate f64) (param $beta1 f64) (param $beta2 f64)
//     (param $epsilon f64)
//     (local $i i32) (local $end i32) (local $vBeta1 v128) (local $vC1 v128) (local $vBeta2 v128)
//     (local $vC2 v128) (local $vRate v128) (local $vEpsilon v128) (local $t v128)
//     (local $gLo v128) (local $gHi v128) (local $mLo v128) (local $mHi v128) (local $sLo v128)
//     (local $sHi v128) (local $wLo v128) (local $wHi v128)
//     local.get $beta1 f64x2.splat local.set $vBeta1
//     f64.const 1 local.get $beta1 f64.sub f64x2.splat local.set $vC1
//     local.get $beta2 f64x2.splat local.set $vBeta2
//     f64.const 1 local.get $beta2 f64.sub f64x2.splat local.set $vC2
//     local.get $rate f64x2.splat local.set $vRate
//     local.get $epsilon f64x2.splat local.set $vEpsilon
//     local.get $count i32.const 2 i32.shl local.set $end
//     block $done
//       loop $next
//         local.get $i local.get $end i32.ge_u br_if $done
//         local.get $g local.get $i i32.add v128.load align=1 local.tee $t f64x2.promote_low_f32x4
//         local.set $gLo
//         local.get $t local.get $t i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
//         f64x2.promote_low_f32x4 local.set $gHi
//         local.get $m local.get $i i32.add v128.load align=1 local.tee $t f64x2.promote_low_f32x4
//         local.set $mLo
//         local.get $t local.get $t i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
//         f64x2.promote_low_f32x4 local.set $mHi
//         local.get $s local.get $i i32.add v128.load align=1 local.tee $t f64x2.promote_low_f32x4
//         local.set $sLo
//         local.get $t local.get $t i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
//         f64x2.promote_low_f32x4 local.set $sHi
//         local.get $wOld local.get $i i32.add v128.load align=1 local.tee $t
//         f64x2.promote_low_f32x4 local.set $wLo
//         local.get $t local.get $t i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
//         f64x2.promote_low_f32x4 local.set $wHi
//         local.get $vBeta1 local.get $mLo f64x2.mul local.get $vC1 local.get $gLo f64x2.mul
//         f64x2.add local.set $mLo
//         local.get $vBeta2 local.get $sLo f64x2.mul local.get $vC2 local.get $gLo f64x2.mul
//         local.get $gLo f64x2.mul f64x2.add local.set $sLo
//         local.get $wLo local.get $vRate local.get $mLo f64x2.mul local.get $sLo f64x2.sqrt
//         local.get $vEpsilon f64x2.add f64x2.div f64x2.sub local.set $wLo
//         local.get $vBeta1 local.get $mHi f64x2.mul local.get $vC1 local.get $gHi f64x2.mul
//         f64x2.add local.set $mHi
//         local.get $vBeta2 local.get $sHi f64x2.mul local.get $vC2 local.get $gHi f64x2.mul
//         local.get $gHi f64x2.mul f64x2.add local.set $sHi
//         local.get $wHi local.get $vRate local.get $mHi f64x2.mul local.get $sHi f64x2.sqrt
//         local.get $vEpsilon f64x2.add f64x2.div f64x2.sub local.set $wHi
//         local.get $m local.get $i i32.add local.get $mLo f32x4.demote_f64x2_zero local.get $mHi
//         f32x4.demote_f64x2_zero i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
//         v128.store align=1
//         local.get $s local.get $i i32.add local.get $sLo f32x4.demote_f64x2_zero local.get $sHi
//         f32x4.demote_f64x2_zero i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
//         v128.store align=1
//         local.get $wNew local.get $i i32.add local.get $wLo f32x4.demote_f64x2_zero
//         local.get $wHi f32x4.demote_f64x2_zero
//         i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 v128.store align=1
//         local.get $i i32.const 16 i32.add local.set $i
//         br $next
//       end
//     end
//   )
// )
/** The Adam module's bytes. */
export function adamModuleBytes(): Uint8Array {
  const fn = new Locals();
  const [wOld, wNew, m, s, g, count] = fn.params(6, I32); // byte offsets, and the element count
  const [rate, beta1, beta2, epsilon] = fn.params(4, F64);
  const [i, end_] = fn.locals(2, I32); // byte index, and its end
  const [vBeta1, vC1, vBeta2, vC2, vRate, vEpsilon] = fn.locals(6, V128); // the constants, splatted
  const [t, gLo, gHi, mLo, mHi, sLo, sHi, wLo, wHi] = fn.locals(9, V128); // four elements: two f64x2 each
  const body: number[] = [
    ...get(beta1), ...f64x2.splat, ...set(vBeta1),
    ...f64.const(1), ...get(beta1), ...f64.sub, ...f64x2.splat, ...set(vC1),
    ...get(beta2), ...f64x2.splat, ...set(vBeta2),
    ...f64.const(1), ...get(beta2), ...f64.sub, ...f64x2.splat, ...set(vC2),
    ...get(rate), ...f64x2.splat, ...set(vRate),
    ...get(epsilon), ...f64x2.splat, ...set(vEpsilon),
    ...get(count), ...i32.const(2), ...i32.shl, ...set(end_),
  ];
  /** Four float32 at base + i, widened into two f64x2 locals. */
  const load = (base: number, lo: number, hi: number) => [
    ...get(base), ...get(i), ...i32.add, ...v128.load(0), ...tee(t), ...f64x2.promoteLowF32x4, ...set(lo),
    ...get(t), ...get(t), ...shuffle(UPPER_HALF), ...f64x2.promoteLowF32x4, ...set(hi),
  ];
  /** Two f64x2 locals rounded to four float32 at base + i. */
  const store = (base: number, lo: number, hi: number) => [
    ...get(base), ...get(i), ...i32.add, ...get(lo), ...f32x4.demoteF64x2Zero, ...get(hi), ...f32x4.demoteF64x2Zero, ...shuffle(JOIN_LOWER), ...v128.store(0),
  ];
  // m ← β₁m + (1 − β₁)g;  s ← β₂s + (1 − β₂)g·g;  w ← w − (rate·m) / (√s + ε)  (adam.ts' order).
  const update = (gv: number, mv: number, sv: number, wv: number) => [
    ...get(vBeta1), ...get(mv), ...f64x2.mul, ...get(vC1), ...get(gv), ...f64x2.mul, ...f64x2.add, ...set(mv),
    ...get(vBeta2), ...get(sv), ...f64x2.mul, ...get(vC2), ...get(gv), ...f64x2.mul, ...get(gv), ...f64x2.mul, ...f64x2.add, ...set(sv),
    ...get(wv), ...get(vRate), ...get(mv), ...f64x2.mul, ...get(sv), ...f64x2.sqrt, ...get(vEpsilon), ...f64x2.add, ...f64x2.div, ...f64x2.sub, ...set(wv),
  ];
  body.push(
    ...block, ...loop, // $done, $next
    ...get(i), ...get(end_), ...i32.geU, ...brIf(1), // out of $done
    ...load(g, gLo, gHi), ...load(m, mLo, mHi), ...load(s, sLo, sHi), ...load(wOld, wLo, wHi),
    ...update(gLo, mLo, sLo, wLo), ...update(gHi, mHi, sHi, wHi),
    ...store(m, mLo, mHi), ...store(s, sLo, sHi), ...store(wNew, wLo, wHi),
    ...get(i), ...i32.const(16), ...i32.add, ...set(i),
    ...br(0), // to $next
    ...end, ...end,
  );
  return moduleBytes('adam', fn, body);
}

/** transpose(source, target, rows, columns): byte offsets; rows and columns multiples of 4. */
export type TransposeKernel = (source: number, target: number, rows: number, columns: number) => void;

// The module in the WebAssembly text format. wabt's wat2wasm assembles this text to
// exactly the bytes built below (checked when written; the unit test pins the bytes).
//
// (module
//   (import "env" "memory" (memory 0))
//   (func (export "transpose")
//     (param $source i32) (param $target i32) (param $rows i32) (param $columns i32)
//     (local $r i32) (local $c i32) (local $rowBytes i32) (local $columnBytes i32) (local $p i32)
//     (local $q i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
//     (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
//     local.get $columns i32.const 2 i32.shl local.set $rowBytes
//     local.get $rows i32.const 2 i32.shl local.set $columnBytes
//     block $rowsDone
//       loop $rows
//         local.get $r local.get $rows i32.ge_u br_if $rowsDone
//         i32.const 0 local.set $c
//         block $columnsDone
//           loop $columns
//             local.get $c local.get $columns i32.ge_u br_if $columnsDone
//             local.get $source local.get $r local.get $rowBytes i32.mul i32.add local.get $c
//             i32.const 2 i32.shl i32.add local.set $p
//             local.get $target local.get $c local.get $columnBytes i32.mul i32.add local.get $r
//             i32.const 2 i32.shl i32.add local.set $q
//             local.get $p local.get $rowBytes i32.const 0 i32.mul i32.add v128.load align=1
//             local.set $a0
//             local.get $p local.get $rowBytes i32.const 1 i32.mul i32.add v128.load align=1
//             local.set $a1
//             local.get $p local.get $rowBytes i32.const 2 i32.mul i32.add v128.load align=1
//             local.set $a2
//             local.get $p local.get $rowBytes i32.const 3 i32.mul i32.add v128.load align=1
//             local.set $a3
//             local.get $a0 local.get $a1 i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
//             local.set $t0
//             local.get $a0 local.get $a1
//             i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 local.set $t1
//             local.get $a2 local.get $a3 i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
//             local.set $t2
//             local.get $a2 local.get $a3
//             i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 local.set $t3
//             local.get $q local.get $columnBytes i32.const 0 i32.mul i32.add local.get $t0
//             local.get $t2 i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
//             v128.store align=1
//             local.get $q local.get $columnBytes i32.const 1 i32.mul i32.add local.get $t0
//             local.get $t2 i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
//             v128.store align=1
//             local.get $q local.get $columnBytes i32.const 2 i32.mul i32.add local.get $t1
//             local.get $t3 i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
//             v128.store align=1
//             local.get $q local.get $columnBytes i32.const 3 i32.mul i32.add local.get $t1
//             local.get $t3 i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
//             v128.store align=1
//             local.get $c i32.const 4 i32.add local.set $c
//             br $columns
//           end
//         end
//         local.get $r i32.const 4 i32.add local.set $r
//         br $rows
//       end
//     end
//   )
// )
export function transposeModuleBytes(): Uint8Array {
  const fn = new Locals();
  const [source, target, rows, columns] = fn.params(4, I32);
  const [r, c, rowBytes, columnBytes, p, q] = fn.locals(6, I32);
  const [a0, a1, a2, a3, t0, t1, t2, t3] = fn.locals(8, V128);
  // Lanes (32-bit) of two vectors x, y: x0 y0 x1 y1 / x2 y2 x3 y3; then the lower / upper halves.
  const INTERLEAVE_LOW = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const INTERLEAVE_HIGH = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const JOIN_UPPER = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  const loadRow = (k: number, into: number) => [...get(p), ...get(rowBytes), ...i32.const(k), ...i32.mul, ...i32.add, ...v128.load(0), ...set(into)];
  const storeColumn = (k: number, x: number, y: number, lanes: number[]) => [...get(q), ...get(columnBytes), ...i32.const(k), ...i32.mul, ...i32.add, ...get(x), ...get(y), ...shuffle(lanes), ...v128.store(0)];
  const body = [
    ...get(columns), ...i32.const(2), ...i32.shl, ...set(rowBytes), // bytes per source row
    ...get(rows), ...i32.const(2), ...i32.shl, ...set(columnBytes), // bytes per target row
    ...block, ...loop, // $rowsDone, $rows: 4 source rows at a time
    ...get(r), ...get(rows), ...i32.geU, ...brIf(1),
    ...i32.const(0), ...set(c),
    ...block, ...loop, // $columnsDone, $columns: 4 source columns at a time
    ...get(c), ...get(columns), ...i32.geU, ...brIf(1),
    // p = source + r·rowBytes + 4c;  q = target + c·columnBytes + 4r
    ...get(source), ...get(r), ...get(rowBytes), ...i32.mul, ...i32.add, ...get(c), ...i32.const(2), ...i32.shl, ...i32.add, ...set(p),
    ...get(target), ...get(c), ...get(columnBytes), ...i32.mul, ...i32.add, ...get(r), ...i32.const(2), ...i32.shl, ...i32.add, ...set(q),
    ...loadRow(0, a0), ...loadRow(1, a1), ...loadRow(2, a2), ...loadRow(3, a3),
    ...get(a0), ...get(a1), ...shuffle(INTERLEAVE_LOW), ...set(t0),
    ...get(a0), ...get(a1), ...shuffle(INTERLEAVE_HIGH), ...set(t1),
    ...get(a2), ...get(a3), ...shuffle(INTERLEAVE_LOW), ...set(t2),
    ...get(a2), ...get(a3), ...shuffle(INTERLEAVE_HIGH), ...set(t3),
    ...storeColumn(0, t0, t2, JOIN_LOWER), ...storeColumn(1, t0, t2, JOIN_UPPER),
    ...storeColumn(2, t1, t3, JOIN_LOWER), ...storeColumn(3, t1, t3, JOIN_UPPER),
    ...get(c), ...i32.const(4), ...i32.add, ...set(c),
    ...br(0), ...end, ...end,
    ...get(r), ...i32.const(4), ...i32.add, ...set(r),
    ...br(0), ...end, ...end,
  ];
  return moduleBytes('transpose', fn, body);
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

// The module in the WebAssembly text format, with ε = 1e-7 (BCE_EPSILON: the one f32.const that
// depends on ε). wabt's wat2wasm assembles this text to exactly the bytes built below (checked
// when written; the unit test pins the bytes).
//
// (module
//   (import "env" "memory" (memory 0))
//   (func (export "errorSums")
//     (param $y i32) (param $p i32) (param $out i32) (param $rows i32) (param $points i32)
//     (local $r i32) (local $j i32) (local $rowEnd i32) (local $cEpsilon v128) (local $cOne v128)
//     (local $cHalf v128) (local $cTiny v128) (local $cZero v128) (local $cSqrt2 v128)
//     (local $cLn2High v128) (local $cLn2Low v128) (local $cMantissa v128) (local $cOneBits v128)
//     (local $cBias v128) (local $cPoly0 v128) (local $cPoly1 v128) (local $cPoly2 v128)
//     (local $cPoly3 v128) (local $cPoly4 v128) (local $cPoly5 v128) (local $cPoly6 v128)
//     (local $cPoly7 v128) (local $cPoly8 v128) (local $vy v128) (local $vp v128) (local $lq v128)
//     (local $lc v128) (local $ly v128) (local $lyc v128) (local $term v128) (local $sumBce v128)
//     (local $sumEntropy v128) (local $sumSquares v128) (local $lx v128) (local $le v128)
//     (local $lm v128) (local $lbig v128) (local $lf v128) (local $lz v128)
//     f32.const 1e-7 f32x4.splat local.set $cEpsilon
//     f32.const 1 f32x4.splat local.set $cOne
//     f32.const 0.5 f32x4.splat local.set $cHalf
//     f32.const 1e-30 f32x4.splat local.set $cTiny
//     f32.const 0 f32x4.splat local.set $cZero
//     f32.const 1.4142135 f32x4.splat local.set $cSqrt2
//     f32.const 0.6933594 f32x4.splat local.set $cLn2High
//     f32.const -0.00021219444 f32x4.splat local.set $cLn2Low
//     i32.const 0x7fffff i32x4.splat local.set $cMantissa
//     i32.const 0x3f800000 i32x4.splat local.set $cOneBits
//     i32.const 127 i32x4.splat local.set $cBias
//     f32.const 0.070376836 f32x4.splat local.set $cPoly0
//     f32.const -0.1151461 f32x4.splat local.set $cPoly1
//     f32.const 0.116769984 f32x4.splat local.set $cPoly2
//     f32.const -0.12420141 f32x4.splat local.set $cPoly3
//     f32.const 0.14249323 f32x4.splat local.set $cPoly4
//     f32.const -0.16668057 f32x4.splat local.set $cPoly5
//     f32.const 0.20000714 f32x4.splat local.set $cPoly6
//     f32.const -0.24999994 f32x4.splat local.set $cPoly7
//     f32.const 0.3333333 f32x4.splat local.set $cPoly8
//     block $rowsDone
//       loop $row
//         local.get $r local.get $rows i32.ge_u br_if $rowsDone
//         local.get $cZero local.set $sumBce
//         local.get $cZero local.set $sumEntropy
//         local.get $cZero local.set $sumSquares
//         local.get $j local.get $points i32.const 2 i32.shl i32.add local.set $rowEnd
//         block $pointsDone
//           loop $points
//             local.get $j local.get $rowEnd i32.ge_u br_if $pointsDone
//             local.get $y local.get $j i32.add v128.load align=1 local.set $vy
//             local.get $p local.get $j i32.add v128.load align=1 local.set $vp
//             local.get $vp local.get $cEpsilon f32x4.max local.get $cOne f32x4.min local.tee $lx
//             i32.const 23 i32x4.shr_u local.get $cBias i32x4.sub local.set $le
//             local.get $lx local.get $cMantissa v128.and local.get $cOneBits v128.or
//             local.set $lm
//             local.get $lm local.get $cSqrt2 f32x4.gt local.set $lbig
//             local.get $lm local.get $cHalf f32x4.mul local.get $lm local.get $lbig
//             v128.bitselect local.get $cOne f32x4.sub local.set $lf
//             local.get $le local.get $lbig i32x4.sub f32x4.convert_i32x4_s local.set $le
//             local.get $lf local.get $lf f32x4.mul local.set $lz
//             local.get $cPoly0 local.get $lf f32x4.mul local.get $cPoly1 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly2 f32x4.add local.get $lf f32x4.mul local.get $cPoly3
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly4 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly5 f32x4.add local.get $lf f32x4.mul local.get $cPoly6
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly7 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly8 f32x4.add local.get $lf f32x4.mul local.get $lz
//             f32x4.mul local.get $le local.get $cLn2Low f32x4.mul f32x4.add local.get $lz
//             local.get $cHalf f32x4.mul f32x4.sub local.get $lf f32x4.add local.get $le
//             local.get $cLn2High f32x4.mul f32x4.add local.set $lq
//             local.get $cOne local.get $vp f32x4.sub local.get $cEpsilon f32x4.max local.tee $lx
//             i32.const 23 i32x4.shr_u local.get $cBias i32x4.sub local.set $le
//             local.get $lx local.get $cMantissa v128.and local.get $cOneBits v128.or
//             local.set $lm
//             local.get $lm local.get $cSqrt2 f32x4.gt local.set $lbig
//             local.get $lm local.get $cHalf f32x4.mul local.get $lm local.get $lbig
//             v128.bitselect local.get $cOne f32x4.sub local.set $lf
//             local.get $le local.get $lbig i32x4.sub f32x4.convert_i32x4_s local.set $le
//             local.get $lf local.get $lf f32x4.mul local.set $lz
//             local.get $cPoly0 local.get $lf f32x4.mul local.get $cPoly1 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly2 f32x4.add local.get $lf f32x4.mul local.get $cPoly3
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly4 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly5 f32x4.add local.get $lf f32x4.mul local.get $cPoly6
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly7 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly8 f32x4.add local.get $lf f32x4.mul local.get $lz
//             f32x4.mul local.get $le local.get $cLn2Low f32x4.mul f32x4.add local.get $lz
//             local.get $cHalf f32x4.mul f32x4.sub local.get $lf f32x4.add local.get $le
//             local.get $cLn2High f32x4.mul f32x4.add local.set $lc
//             local.get $vy local.get $lq f32x4.mul local.get $cOne local.get $vy f32x4.sub
//             local.get $lc f32x4.mul f32x4.add local.set $term
//             local.get $sumBce local.get $term f64x2.promote_low_f32x4 f64x2.add local.get $term
//             local.get $term i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15
//             f64x2.promote_low_f32x4 f64x2.add local.set $sumBce
//             local.get $vy local.get $cTiny f32x4.max local.tee $lx i32.const 23 i32x4.shr_u
//             local.get $cBias i32x4.sub local.set $le
//             local.get $lx local.get $cMantissa v128.and local.get $cOneBits v128.or
//             local.set $lm
//             local.get $lm local.get $cSqrt2 f32x4.gt local.set $lbig
//             local.get $lm local.get $cHalf f32x4.mul local.get $lm local.get $lbig
//             v128.bitselect local.get $cOne f32x4.sub local.set $lf
//             local.get $le local.get $lbig i32x4.sub f32x4.convert_i32x4_s local.set $le
//             local.get $lf local.get $lf f32x4.mul local.set $lz
//             local.get $cPoly0 local.get $lf f32x4.mul local.get $cPoly1 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly2 f32x4.add local.get $lf f32x4.mul local.get $cPoly3
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly4 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly5 f32x4.add local.get $lf f32x4.mul local.get $cPoly6
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly7 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly8 f32x4.add local.get $lf f32x4.mul local.get $lz
//             f32x4.mul local.get $le local.get $cLn2Low f32x4.mul f32x4.add local.get $lz
//             local.get $cHalf f32x4.mul f32x4.sub local.get $lf f32x4.add local.get $le
//             local.get $cLn2High f32x4.mul f32x4.add local.set $ly
//             local.get $cOne local.get $vy f32x4.sub local.get $cTiny f32x4.max local.tee $lx
//             i32.const 23 i32x4.shr_u local.get $cBias i32x4.sub local.set $le
//             local.get $lx local.get $cMantissa v128.and local.get $cOneBits v128.or
//             local.set $lm
//             local.get $lm local.get $cSqrt2 f32x4.gt local.set $lbig
//             local.get $lm local.get $cHalf f32x4.mul local.get $lm local.get $lbig
//             v128.bitselect local.get $cOne f32x4.sub local.set $lf
//             local.get $le local.get $lbig i32x4.sub f32x4.convert_i32x4_s local.set $le
//             local.get $lf local.get $lf f32x4.mul local.set $lz
//             local.get $cPoly0 local.get $lf f32x4.mul local.get $cPoly1 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly2 f32x4.add local.get $lf f32x4.mul local.get $cPoly3
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly4 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly5 f32x4.add local.get $lf f32x4.mul local.get $cPoly6
//             f32x4.add local.get $lf f32x4.mul local.get $cPoly7 f32x4.add local.get $lf
//             f32x4.mul local.get $cPoly8 f32x4.add local.get $lf f32x4.mul local.get $lz
//             f32x4.mul local.get $le local.get $cLn2Low f32x4.mul f32x4.add local.get $lz
//             local.get $cHalf f32x4.mul f32x4.sub local.get $lf f32x4.add local.get $le
//             local.get $cLn2High f32x4.mul f32x4.add local.set $lyc
//             local.get $vy local.get $ly f32x4.mul local.get $cOne local.get $vy f32x4.sub
//             local.get $lyc f32x4.mul f32x4.add local.get $vy local.get $cZero f32x4.gt v128.and
//             local.get $vy local.get $cOne f32x4.lt v128.and local.set $term
//             local.get $sumEntropy local.get $term f64x2.promote_low_f32x4 f64x2.add
//             local.get $term local.get $term
//             i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 f64x2.promote_low_f32x4
//             f64x2.add local.set $sumEntropy
//             local.get $vy local.get $vp f32x4.sub local.tee $term local.get $term f32x4.mul
//             local.set $term
//             local.get $sumSquares local.get $term f64x2.promote_low_f32x4 f64x2.add
//             local.get $term local.get $term
//             i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 f64x2.promote_low_f32x4
//             f64x2.add local.set $sumSquares
//             local.get $j i32.const 16 i32.add local.set $j
//             br $points
//           end
//         end
//         local.get $out local.get $r i32.const 24 i32.mul i32.add local.get $sumBce
//         f64x2.extract_lane 0 local.get $sumBce f64x2.extract_lane 1 f64.add f64.store
//         local.get $out local.get $r i32.const 24 i32.mul i32.add local.get $sumEntropy
//         f64x2.extract_lane 0 local.get $sumEntropy f64x2.extract_lane 1 f64.add
//         f64.store offset=8
//         local.get $out local.get $r i32.const 24 i32.mul i32.add local.get $sumSquares
//         f64x2.extract_lane 0 local.get $sumSquares f64x2.extract_lane 1 f64.add
//         f64.store offset=16
//         local.get $r i32.const 1 i32.add local.set $r
//         br $row
//       end
//     end
//   )
// )
export function errorSumsModuleBytes(epsilon: number): Uint8Array {
  const fn = new Locals();
  const [y, p, out, rows, points] = fn.params(5, I32);
  const [r, j, rowEnd] = fn.locals(3, I32);
  const v = () => fn.local(V128);
  // Constants, splatted once.
  const [cEpsilon, cOne, cHalf, cTiny, cZero, cSqrt2, cLn2High, cLn2Low, cMantissa, cOneBits, cBias] = Array.from({ length: 11 }, v);
  const cPoly = LOGF_POLYNOMIAL.map(v);
  // Working registers.
  const [vy, vp, lq, lc, ly, lyc, term, sumBce, sumEntropy, sumSquares] = Array.from({ length: 10 }, v);
  const [lx, le, lm, lbig, lf, lz] = Array.from({ length: 6 }, v);

  const splatF = (value: number, into: number) => [...f32.const(value), ...f32x4.splat, ...set(into)];
  const splatI = (value: number, into: number) => [...i32.const(value), ...i32x4.splat, ...set(into)];

  /** ln of the four positive float32 lanes `argument` leaves on the stack, into `into`. */
  const ln = (argument: number[], into: number) => [
    ...argument, ...tee(lx),
    ...i32.const(23), ...i32x4.shrU, ...get(cBias), ...i32x4.sub, ...set(le), // unbiased exponent
    ...get(lx), ...get(cMantissa), ...v128.and, ...get(cOneBits), ...v128.or, ...set(lm), // mantissa in [1, 2)
    ...get(lm), ...get(cSqrt2), ...f32x4.gt, ...set(lbig), // all ones where the mantissa is above √2:
    ...get(lm), ...get(cHalf), ...f32x4.mul, ...get(lm), ...get(lbig), ...v128.bitselect, ...get(cOne), ...f32x4.sub, ...set(lf), // f = m/2 − 1 there, else m − 1
    ...get(le), ...get(lbig), ...i32x4.sub, ...f32x4.convertI32x4S, ...set(le), // and the exponent one higher
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
    ...get(sum), ...get(term), ...f64x2.promoteLowF32x4, ...f64x2.add, ...get(term), ...get(term), ...shuffle(UPPER_HALF), ...f64x2.promoteLowF32x4, ...f64x2.add, ...set(sum),
  ];
  const storeSum = (sum: number, field: number) => [
    ...get(out), ...get(r), ...i32.const(24), ...i32.mul, ...i32.add,
    ...get(sum), ...f64x2.extractLane(0), ...get(sum), ...f64x2.extractLane(1), ...f64.add,
    ...f64.store(field * 8),
  ];
  const zero = (local: number) => [...get(cZero), ...set(local)];

  const body = [
    ...splatF(epsilon, cEpsilon), ...splatF(1, cOne), ...splatF(0.5, cHalf),
    ...splatF(1e-30, cTiny), ...splatF(0, cZero), ...splatF(Math.SQRT2, cSqrt2), ...splatF(LN2_HIGH, cLn2High), ...splatF(LN2_LOW, cLn2Low),
    ...splatI(0x007fffff, cMantissa), ...splatI(0x3f800000, cOneBits), ...splatI(127, cBias),
    ...LOGF_POLYNOMIAL.flatMap((c, k) => splatF(c, cPoly[k])),
    ...block, ...loop, // $rowsDone, $row
    ...get(r), ...get(rows), ...i32.geU, ...brIf(1),
    ...zero(sumBce), ...zero(sumEntropy), ...zero(sumSquares),
    ...get(j), ...get(points), ...i32.const(2), ...i32.shl, ...i32.add, ...set(rowEnd),
    ...block, ...loop, // $pointsDone, $points: the row's points, four at a time
    ...get(j), ...get(rowEnd), ...i32.geU, ...brIf(1),
    ...get(y), ...get(j), ...i32.add, ...v128.load(0), ...set(vy),
    ...get(p), ...get(j), ...i32.add, ...v128.load(0), ...set(vp),
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
    ...get(vy), ...get(cZero), ...f32x4.gt, ...v128.and, ...get(vy), ...get(cOne), ...f32x4.lt, ...v128.and, ...set(term),
    ...accumulate(sumEntropy),
    ...get(vy), ...get(vp), ...f32x4.sub, ...tee(term), ...get(term), ...f32x4.mul, ...set(term),
    ...accumulate(sumSquares),
    ...get(j), ...i32.const(16), ...i32.add, ...set(j),
    ...br(0), ...end, ...end,
    ...storeSum(sumBce, 0), ...storeSum(sumEntropy, 1), ...storeSum(sumSquares, 2),
    ...get(r), ...i32.const(1), ...i32.add, ...set(r),
    ...br(0), ...end, ...end,
  ];
  return moduleBytes('errorSums', fn, body);
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

// The module in the WebAssembly text format. wabt's wat2wasm assembles this text to
// exactly the bytes built below (checked when written; the unit test pins the bytes).
//
// (module
//   (import "env" "memory" (memory 0))
//   (func (export "gemm")
//     (param $a i32) (param $b i32) (param $c i32) (param $bias i32) (param $m i32) (param $k i32)
//     (param $n i32) (param $flags i32) (param $panel i32)
//     (local $j0 i32) (local $i0 i32) (local $kk i32) (local $pa0 i32) (local $pa1 i32)
//     (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $rowA i32) (local $rowB i32)
//     (local $pc i32) (local $endJ i32) (local $strip i32) (local $stripStride i32)
//     (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
//     (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128) (local $b0 v128)
//     (local $b1 v128) (local $s v128) (local $bv0 v128) (local $bv1 v128) (local $zero v128)
//     local.get $k i32.const 2 i32.shl local.set $rowA
//     local.get $n i32.const 2 i32.shl local.set $rowB
//     local.get $rowB local.set $endJ
//     v128.const i32x4 0 0 0 0 local.set $zero
//     block $panelsDone
//       loop $panel
//         local.get $j0 local.get $endJ i32.ge_u br_if $panelsDone
//         local.get $zero local.set $bv0
//         local.get $zero local.set $bv1
//         local.get $flags i32.const 1 i32.and if
//           local.get $bias local.get $j0 i32.add local.tee $pb v128.load local.set $bv0
//           local.get $pb v128.load offset=16 local.set $bv1
//         end
//         local.get $b local.get $j0 i32.add local.tee $pb local.set $strip
//         local.get $rowB local.set $stripStride
//         local.get $m i32.const 4 i32.ge_u if
//           local.get $panel local.tee $pc local.set $strip
//           i32.const 32 local.set $stripStride
//           local.get $k local.set $kk
//           loop $copy
//             local.get $pc local.get $pb v128.load v128.store
//             local.get $pc local.get $pb v128.load offset=16 v128.store offset=16
//             local.get $pc i32.const 32 i32.add local.set $pc
//             local.get $pb local.get $rowB i32.add local.set $pb
//             local.get $kk i32.const 1 i32.sub local.tee $kk br_if $copy
//           end
//         end
//         i32.const 0 local.set $i0
//         block $tilesDone
//           loop $tile
//             local.get $i0 i32.const 4 i32.add local.get $m i32.gt_u br_if $tilesDone
//             local.get $a local.get $i0 local.get $rowA i32.mul i32.add local.tee $pa0
//             local.get $rowA i32.add local.tee $pa1 local.get $rowA i32.add local.tee $pa2
//             local.get $rowA i32.add local.set $pa3
//             local.get $panel local.set $pb
//             local.get $bv0 local.set $acc0
//             local.get $bv1 local.set $acc1
//             local.get $bv0 local.set $acc2
//             local.get $bv1 local.set $acc3
//             local.get $bv0 local.set $acc4
//             local.get $bv1 local.set $acc5
//             local.get $bv0 local.set $acc6
//             local.get $bv1 local.set $acc7
//             local.get $k local.set $kk
//             loop $k
//               local.get $pb v128.load local.set $b0
//               local.get $pb v128.load offset=16 local.set $b1
//               local.get $pa0 v128.load32_splat local.tee $s local.get $b0 f32x4.mul
//               local.get $acc0 f32x4.add local.set $acc0
//               local.get $s local.get $b1 f32x4.mul local.get $acc1 f32x4.add local.set $acc1
//               local.get $pa0 i32.const 4 i32.add local.set $pa0
//               local.get $pa1 v128.load32_splat local.tee $s local.get $b0 f32x4.mul
//               local.get $acc2 f32x4.add local.set $acc2
//               local.get $s local.get $b1 f32x4.mul local.get $acc3 f32x4.add local.set $acc3
//               local.get $pa1 i32.const 4 i32.add local.set $pa1
//               local.get $pa2 v128.load32_splat local.tee $s local.get $b0 f32x4.mul
//               local.get $acc4 f32x4.add local.set $acc4
//               local.get $s local.get $b1 f32x4.mul local.get $acc5 f32x4.add local.set $acc5
//               local.get $pa2 i32.const 4 i32.add local.set $pa2
//               local.get $pa3 v128.load32_splat local.tee $s local.get $b0 f32x4.mul
//               local.get $acc6 f32x4.add local.set $acc6
//               local.get $s local.get $b1 f32x4.mul local.get $acc7 f32x4.add local.set $acc7
//               local.get $pa3 i32.const 4 i32.add local.set $pa3
//               local.get $pb i32.const 32 i32.add local.set $pb
//               local.get $kk i32.const 1 i32.sub local.tee $kk br_if $k
//             end
//             local.get $flags i32.const 2 i32.and if
//               local.get $acc0 local.get $zero f32x4.max local.set $acc0
//               local.get $acc1 local.get $zero f32x4.max local.set $acc1
//               local.get $acc2 local.get $zero f32x4.max local.set $acc2
//               local.get $acc3 local.get $zero f32x4.max local.set $acc3
//               local.get $acc4 local.get $zero f32x4.max local.set $acc4
//               local.get $acc5 local.get $zero f32x4.max local.set $acc5
//               local.get $acc6 local.get $zero f32x4.max local.set $acc6
//               local.get $acc7 local.get $zero f32x4.max local.set $acc7
//             end
//             local.get $c local.get $i0 local.get $rowB i32.mul i32.add local.get $j0 i32.add
//             local.set $pc
//             local.get $pc local.get $acc0 v128.store
//             local.get $pc local.get $acc1 v128.store offset=16
//             local.get $pc local.get $rowB i32.add local.set $pc
//             local.get $pc local.get $acc2 v128.store
//             local.get $pc local.get $acc3 v128.store offset=16
//             local.get $pc local.get $rowB i32.add local.set $pc
//             local.get $pc local.get $acc4 v128.store
//             local.get $pc local.get $acc5 v128.store offset=16
//             local.get $pc local.get $rowB i32.add local.set $pc
//             local.get $pc local.get $acc6 v128.store
//             local.get $pc local.get $acc7 v128.store offset=16
//             local.get $pc local.get $rowB i32.add local.set $pc
//             local.get $i0 i32.const 4 i32.add local.set $i0
//             br $tile
//           end
//         end
//         block $lastDone
//           loop $last
//             local.get $i0 local.get $m i32.ge_u br_if $lastDone
//             local.get $a local.get $i0 local.get $rowA i32.mul i32.add local.set $pa0
//             local.get $strip local.set $pb
//             local.get $bv0 local.set $acc0
//             local.get $bv1 local.set $acc1
//             local.get $k local.set $kk
//             loop $k1
//               local.get $pa0 v128.load32_splat local.tee $s local.get $pb v128.load f32x4.mul
//               local.get $acc0 f32x4.add local.set $acc0
//               local.get $s local.get $pb v128.load offset=16 f32x4.mul local.get $acc1 f32x4.add
//               local.set $acc1
//               local.get $pa0 i32.const 4 i32.add local.set $pa0
//               local.get $pb local.get $stripStride i32.add local.set $pb
//               local.get $kk i32.const 1 i32.sub local.tee $kk br_if $k1
//             end
//             local.get $flags i32.const 2 i32.and if
//               local.get $acc0 local.get $zero f32x4.max local.set $acc0
//               local.get $acc1 local.get $zero f32x4.max local.set $acc1
//             end
//             local.get $c local.get $i0 local.get $rowB i32.mul i32.add local.get $j0 i32.add
//             local.tee $pc local.get $acc0 v128.store
//             local.get $pc local.get $acc1 v128.store offset=16
//             local.get $i0 i32.const 1 i32.add local.set $i0
//             br $last
//           end
//         end
//         local.get $j0 i32.const 32 i32.add local.set $j0
//         br $panel
//       end
//     end
//   )
// )
export function gemmModuleBytes(): Uint8Array {
  const fn = new Locals();
  const [a, b, c, bias, m, k, n, flags, panel] = fn.params(9, I32);
  const [j0, i0, kk, pa0, pa1, pa2, pa3, pb, rowA, rowB, pc, endJ, strip, stripStride] = fn.locals(14, I32);
  const [acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7, b0, b1, s, bv0, bv1, zero] = fn.locals(14, V128);
  const acc = [acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7];
  const pa = [pa0, pa1, pa2, pa3];
  const load = (offset: number) => v128.load(4, offset);
  const store = (offset: number) => v128.store(4, offset);
  const loadSplat32 = v128.load32Splat(2);
  const body = [
    ...get(k), ...i32.const(2), ...i32.shl, ...set(rowA),
    ...get(n), ...i32.const(2), ...i32.shl, ...set(rowB),
    ...get(rowB), ...set(endJ),
    ...v128.const(new Array(16).fill(0)), ...set(zero),
    ...block, ...loop, // $panelsDone, $panel: 8 columns = 32 bytes at a time
    ...get(j0), ...get(endJ), ...i32.geU, ...brIf(1),
    // The panel's bias, or zeros.
    ...get(zero), ...set(bv0), ...get(zero), ...set(bv1),
    ...get(flags), ...i32.const(1), ...i32.and, ...if_,
    ...get(bias), ...get(j0), ...i32.add, ...tee(pb), ...load(0), ...set(bv0),
    ...get(pb), ...load(16), ...set(bv1),
    ...end,
    // The strip b[·, j0 … j0 + 7]: read where it is when there are fewer than four rows (it is
    // read once), else first copied into the panel (pc runs over the panel here).
    ...get(b), ...get(j0), ...i32.add, ...tee(pb), ...set(strip),
    ...get(rowB), ...set(stripStride),
    ...get(m), ...i32.const(4), ...i32.geU, ...if_,
    ...get(panel), ...tee(pc), ...set(strip),
    ...i32.const(32), ...set(stripStride),
    ...get(k), ...set(kk),
    ...loop, // $copy
    ...get(pc), ...get(pb), ...load(0), ...store(0),
    ...get(pc), ...get(pb), ...load(16), ...store(16),
    ...get(pc), ...i32.const(32), ...i32.add, ...set(pc),
    ...get(pb), ...get(rowB), ...i32.add, ...set(pb),
    ...get(kk), ...i32.const(1), ...i32.sub, ...tee(kk), ...brIf(0), // to $copy while kk ≠ 0
    ...end,
    ...end,
    ...i32.const(0), ...set(i0),
    ...block, ...loop, // $tilesDone, $tile: 4 rows at a time, while four rows are left
    ...get(i0), ...i32.const(4), ...i32.add, ...get(m), ...i32.gtU, ...brIf(1),
    ...get(a), ...get(i0), ...get(rowA), ...i32.mul, ...i32.add, ...tee(pa0), ...get(rowA), ...i32.add, ...tee(pa1), ...get(rowA), ...i32.add, ...tee(pa2), ...get(rowA), ...i32.add, ...set(pa3),
    ...get(panel), ...set(pb),
    ...acc.flatMap((x, i) => [...get(i % 2 ? bv1 : bv0), ...set(x)]),
    ...get(k), ...set(kk),
    ...loop, // $k
    ...get(pb), ...load(0), ...set(b0),
    ...get(pb), ...load(16), ...set(b1),
    ...pa.flatMap((p, r) => [
      ...get(p), ...loadSplat32, ...tee(s), ...get(b0), ...f32x4.mul, ...get(acc[2 * r]), ...f32x4.add, ...set(acc[2 * r]),
      ...get(s), ...get(b1), ...f32x4.mul, ...get(acc[2 * r + 1]), ...f32x4.add, ...set(acc[2 * r + 1]),
      ...get(p), ...i32.const(4), ...i32.add, ...set(p),
    ]),
    ...get(pb), ...i32.const(32), ...i32.add, ...set(pb),
    ...get(kk), ...i32.const(1), ...i32.sub, ...tee(kk), ...brIf(0), // to $k while kk ≠ 0
    ...end,
    // Store the 4 × 8 tile, with ReLU if asked.
    ...get(flags), ...i32.const(2), ...i32.and, ...if_,
    ...acc.flatMap((x) => [...get(x), ...get(zero), ...f32x4.max, ...set(x)]),
    ...end,
    ...get(c), ...get(i0), ...get(rowB), ...i32.mul, ...i32.add, ...get(j0), ...i32.add, ...set(pc),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(pc), ...get(acc[2 * r]), ...store(0),
      ...get(pc), ...get(acc[2 * r + 1]), ...store(16),
      ...get(pc), ...get(rowB), ...i32.add, ...set(pc),
    ]),
    ...get(i0), ...i32.const(4), ...i32.add, ...set(i0),
    ...br(0), ...end, ...end,
    ...block, ...loop, // $lastDone, $last: the last rows (fewer than four), one at a time
    ...get(i0), ...get(m), ...i32.geU, ...brIf(1),
    ...get(a), ...get(i0), ...get(rowA), ...i32.mul, ...i32.add, ...set(pa0),
    ...get(strip), ...set(pb),
    ...get(bv0), ...set(acc0), ...get(bv1), ...set(acc1),
    ...get(k), ...set(kk),
    ...loop, // $k1
    ...get(pa0), ...loadSplat32, ...tee(s), ...get(pb), ...load(0), ...f32x4.mul, ...get(acc0), ...f32x4.add, ...set(acc0),
    ...get(s), ...get(pb), ...load(16), ...f32x4.mul, ...get(acc1), ...f32x4.add, ...set(acc1),
    ...get(pa0), ...i32.const(4), ...i32.add, ...set(pa0),
    ...get(pb), ...get(stripStride), ...i32.add, ...set(pb),
    ...get(kk), ...i32.const(1), ...i32.sub, ...tee(kk), ...brIf(0),
    ...end,
    ...get(flags), ...i32.const(2), ...i32.and, ...if_,
    ...[acc0, acc1].flatMap((x) => [...get(x), ...get(zero), ...f32x4.max, ...set(x)]),
    ...end,
    ...get(c), ...get(i0), ...get(rowB), ...i32.mul, ...i32.add, ...get(j0), ...i32.add, ...tee(pc), ...get(acc0), ...store(0),
    ...get(pc), ...get(acc1), ...store(16),
    ...get(i0), ...i32.const(1), ...i32.add, ...set(i0),
    ...br(0), ...end, ...end,
    ...get(j0), ...i32.const(32), ...i32.add, ...set(j0),
    ...br(0), ...end, ...end,
  ];
  return moduleBytes('gemm', fn, body);
}

const gemmKernels = new WeakMap<WasmMemory, GemmKernel | null>();

/** The GEMM kernel bound to `memory`, or undefined where WebAssembly SIMD is not available. */
export function gemmKernel(memory: WasmMemory): GemmKernel | undefined {
  return instantiate(gemmModuleBytes, 'gemm', memory, gemmKernels);
}
