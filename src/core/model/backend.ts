// Chooses and prepares the TensorFlow.js backend. tfjs-node (native libtensorflow) when it loads,
// otherwise the wasm backend, whose matrix products are taken over: transposed operands are
// transposed first (DESIGN.md: its transposed matMul is ~40× slower), and the products go to a
// SIMD GEMM kernel (wasm-kernels.ts) that needs no packing of its right operand.
import * as tf from '@tensorflow/tfjs-core';
// Gradients of every op: tfjs-core's Node bundle registers none; tfjs-layers' bundle registers
// them all (into the one shared registry) when it loads.
import '@tensorflow/tfjs-layers';
import { gemmKernel, transposeKernel, webAssembly, type WasmMemory } from './wasm-kernels';
import { DEFAULT_BACKEND, type BackendName, type BackendPreference } from './backend-preference';

export type { BackendName, BackendPreference };

export interface BackendInfo {
  /** The tfjs backend name actually in use. */
  name: BackendName;
  /** Why another one was not used (e.g. tfjs-node failed to load), for the user to see. */
  notes: string[];
}

let ready: Promise<BackendInfo> | undefined;

/**
 * Loads the backend once per process (or worker). `auto` tries tfjs-node, then wasm, then the
 * plain JavaScript cpu backend; an explicit name is used or fails with the reason.
 */
export function initBackend(preference: BackendPreference = DEFAULT_BACKEND): Promise<BackendInfo> {
  ready ??= chooseBackend(preference);
  return ready;
}

async function chooseBackend(preference: BackendPreference): Promise<BackendInfo> {
  // Production mode: no debug checks, and no console banners advertising tfjs-node.
  tf.env().set('PROD', true);
  const notes: string[] = [];
  const order: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        // Optional dependency: absent or unable to load its native library on many machines.
        require('@tensorflow/tfjs-node');
      } else if (name === 'wasm') {
        require('@tensorflow/tfjs-backend-wasm');
      } else {
        require('@tensorflow/tfjs-backend-cpu');
      }
      if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start the ${name} backend`);
      await tf.ready();
      if (name === 'wasm') {
        installPlainMatMul();
        installFusedGemm();
      }
      return { name, notes };
    } catch (e) {
      notes.push(`${name}: ${firstLine(e)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be started (${notes.join('; ')})`);
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

let matMulInstalled = false;

/**
 * The wasm backend's XNNPACK matMul is fast only for untransposed operands; with transposeA or
 * transposeB it falls to a loop ~40× slower. Dense-layer gradients ask for exactly those
 * (xᵀ·dy, dy·Wᵀ), so this wraps the BatchMatMul kernel: transpose explicitly (cheap), then
 * multiply plainly (gemmProduct, else XNNPACK). A broadcast right operand is multiplied as one
 * 2-D product.
 */
function installPlainMatMul(): void {
  if (matMulInstalled) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) return;
  const transpose = tf.getKernel('Transpose', 'wasm');
  const reshape = tf.getKernel('Reshape', 'wasm');
  if (!transpose || !reshape) return;
  type Info = tf.TensorInfo;
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const backend = args.backend as { disposeData(id: tf.DataId): void };
    const temporaries: Info[] = [];
    const plain = (left: Info, right: Info): Info =>
      gemmProduct(left, right) ?? (original.kernelFunc({ inputs: { a: left, b: right }, backend: args.backend as never, attrs: { transposeA: false, transposeB: false } }) as Info);
    const swapLastTwo = (x: Info): Info => {
      const t = transposeLastTwo(x, transpose, args.backend);
      temporaries.push(t);
      return t;
    };
    // A·Bᵀ can be had as (B·Aᵀ)ᵀ, and Aᵀ·B as (Bᵀ·A)ᵀ: transpose whichever moves fewer numbers.
    const size = (x: Info) => x.shape.reduce((p, q) => p * q, 1);
    const outRows = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const outCols = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const twoD = a.shape.length === 2 || (a.shape.length === 3 && a.shape[0] === 1 && b.shape[0] === 1);
    if (twoD && transposeA !== transposeB) {
      const direct = size(transposeA ? a : b);
      const swapped = size(transposeA ? b : a) + outRows * outCols;
      if (swapped < direct) {
        // transposeB: A·Bᵀ = (B·Aᵀ)ᵀ, computed as B · transpose(A), then transposed back.
        // transposeA: Aᵀ·B = (Bᵀ·A)ᵀ, computed as transpose(B) · A, then transposed back.
        const product = transposeB ? plain(b, swapLastTwo(a)) : plain(swapLastTwo(b), a);
        temporaries.push(product);
        const result = swapLastTwo(product);
        temporaries.pop();
        for (const t of temporaries) backend.disposeData(t.dataId);
        return result;
      }
    }
    let left = transposeA ? swapLastTwo(a) : a;
    const right = transposeB ? swapLastTwo(b) : b;
    // [batch, m, k] × [1, k, n] (or a 2-D right operand) is one [batch·m, k] × [k, n] product.
    const leftBatch = left.shape.slice(0, -2).reduce((p, q) => p * q, 1);
    const rightBatch = right.shape.slice(0, -2).reduce((p, q) => p * q, 1);
    let outShape: number[] | undefined;
    if (leftBatch > 1 && rightBatch === 1) {
      const m = left.shape[left.shape.length - 2];
      const k = left.shape[left.shape.length - 1];
      outShape = [...left.shape.slice(0, -1), right.shape[right.shape.length - 1]];
      left = reshape.kernelFunc({ inputs: { x: left }, backend: args.backend as never, attrs: { shape: [1, leftBatch * m, k] } }) as Info;
      temporaries.push(left);
    }
    let out = plain(left, right);
    if (outShape) {
      const reshaped = reshape.kernelFunc({ inputs: { x: out }, backend: args.backend as never, attrs: { shape: outShape } }) as Info;
      // Reshape on wasm shares the data and bumps its reference count; drop the original handle.
      backend.disposeData(out.dataId);
      out = reshaped;
    }
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  matMulInstalled = true;
}

let fusedInstalled = false;

/**
 * The fused matMul (+ bias, + activation) that dense layers and step.ts use. A transposed operand
 * is transposed first: the backend's own kernel then takes a slow loop that also applies the bias
 * and the activation once per block of 48 along k, not once at the end (wrong for k > 48). A
 * product with a bias and no activation or ReLU then goes to gemmProduct, anything else to the
 * backend's kernel.
 */
function installFusedGemm(): void {
  if (fusedInstalled) return;
  const original = tf.getKernel('_FusedMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return;
  type Info = tf.TensorInfo;
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const inputs = args.inputs as { a: Info; b: Info; bias?: Info; preluActivationWeights?: Info };
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean; activation?: string };
    const temporaries: Info[] = [];
    const swapLastTwo = (x: Info): Info => {
      const t = transposeLastTwo(x, transpose, args.backend);
      temporaries.push(t);
      return t;
    };
    const a = attrs.transposeA ? swapLastTwo(inputs.a) : inputs.a;
    const b = attrs.transposeB ? swapLastTwo(inputs.b) : inputs.b;
    const simple = !inputs.preluActivationWeights && (attrs.activation === undefined || attrs.activation === 'linear' || attrs.activation === 'relu');
    const out =
      (simple && gemmProduct(a, b, inputs.bias, attrs.activation === 'relu')) ||
      (original.kernelFunc({ ...args, inputs: { ...inputs, a, b }, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as Info);
    for (const t of temporaries) (args.backend as { disposeData(id: tf.DataId): void }).disposeData(t.dataId);
    return out;
  };
  tf.unregisterKernel('_FusedMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  fusedInstalled = true;
}

/** Right operands seen before (weights, mostly): XNNPACK may hold them packed. */
const rightOperands = new WeakSet<tf.DataId>();

/**
 * a·b (+ bias[n], then ReLU) by the SIMD GEMM kernel in wasm-kernels.ts, for float32 matrices
 * (2-D, or 3-D with one batch) with columns a multiple of 8; undefined otherwise (the caller
 * uses XNNPACK). Why: XNNPACK first packs a product's right operand, and keeps the packed copy
 * only while that tensor lives; a training step's weights and gradients are new tensors every
 * step, and packing them took about as long as the products themselves (128 × 2048 by
 * 2048 × 256 with a new right operand: ≈ 10 ms, of which ≈ 6 ms multiplying). The kernel reads
 * the right operand as it is and multiplies at XNNPACK's packed speed or better.
 */
function gemmProduct(a: tf.TensorInfo, b: tf.TensorInfo, bias?: tf.TensorInfo, relu = false): tf.TensorInfo | undefined {
  const oneMatrix = (x: tf.TensorInfo) => x.dtype === 'float32' && (x.shape.length === 2 || (x.shape.length === 3 && x.shape[0] === 1));
  if (!oneMatrix(a) || !oneMatrix(b) || a.shape.length !== b.shape.length) return undefined;
  const rank = a.shape.length;
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[rank - 1];
  if (b.shape[rank - 2] !== k || n % 8 !== 0 || m * n * k === 0) return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return undefined;
  // A row or three by a matrix XNNPACK has already packed (a model's weights, scoring one
  // pattern) is faster there; the kernel pays off when each column strip serves many rows.
  const reused = rightOperands.has(b.dataId);
  rightOperands.add(b.dataId);
  if (m < 4 && reused) return undefined;
  const heap = wasmHeap();
  const kernel = heap && gemmKernel(heap.memory);
  if (!heap || !kernel) return undefined;
  const [left, right, shift] = [heap.offset(a), heap.offset(b), bias ? heap.offset(bias) : 0];
  if (left === undefined || right === undefined || shift === undefined) return undefined;
  const out = heap.output(rank === 3 ? [1, m, n] : [m, n]);
  const scratch = heap.output([8 * k + 4]);
  const panel = heap.offset(scratch)!;
  kernel(left, right, heap.offset(out)!, shift, m, k, n, (bias ? 1 : 0) | (relu ? 2 : 0), panel + ((16 - (panel % 16)) % 16));
  heap.dispose(scratch);
  return out;
}

/** x with its last two axes swapped, by the SIMD kernel where it can, else the backend's Transpose kernel; new storage either way. */
function transposeLastTwo(x: tf.TensorInfo, transpose: tf.KernelConfig, backend: unknown): tf.TensorInfo {
  const fast = fastTranspose(x);
  if (fast) return fast;
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
  return transpose.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as tf.TensorInfo;
}

/**
 * A float32 matrix (2-D, or 3-D with one batch) transposed by the SIMD kernel in wasm-kernels.ts
 * into new storage, when both sides are multiples of 4; undefined otherwise (the caller uses the
 * backend's Transpose kernel).
 */
function fastTranspose(x: tf.TensorInfo): tf.TensorInfo | undefined {
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || (rank !== 2 && !(rank === 3 && x.shape[0] === 1))) return undefined;
  const rows = x.shape[rank - 2];
  const columns = x.shape[rank - 1];
  if (rows % 4 !== 0 || columns % 4 !== 0 || rows * columns === 0) return undefined;
  const heap = wasmHeap();
  const kernel = heap && transposeKernel(heap.memory);
  const source = heap?.offset(x);
  if (!heap || !kernel || source === undefined) return undefined;
  const shape = [...x.shape.slice(0, -2), columns, rows];
  const out = heap.output(shape);
  kernel(source, heap.offset(out)!, rows, columns);
  return out;
}

export { tf };
export type { WasmMemory };

/**
 * A read-only view of a tensor's float32 storage inside the wasm backend's memory (no copy), or
 * undefined on other backends. Valid only until the next tfjs call (memory may grow); never
 * write through it (XNNPACK caches packed copies of weights keyed by their storage).
 */
export function wasmStorage(tensor: tf.Tensor): Float32Array | undefined {
  if (tf.getBackend() !== 'wasm' || tensor.dtype !== 'float32') return undefined;
  const backend = tf.backend() as unknown as {
    dataIdMap: { get(id: tf.DataId): { memoryOffset: number; refCount?: number } | undefined };
    wasm: { HEAPU8: Uint8Array };
  };
  const entry = backend.dataIdMap.get(tensor.dataId);
  if (!entry) return undefined;
  return new Float32Array(backend.wasm.HEAPU8.buffer, entry.memoryOffset, tensor.size);
}

/**
 * Direct access to the wasm backend's memory, for work done in place there (adam.ts), or
 * undefined on other backends (or a shared-memory build). Offsets are valid until the tensor is
 * disposed; typed-array views over `memory.buffer` only until the next allocation (it may grow).
 */
export interface WasmHeap {
  memory: WasmMemory;
  /** Byte offset of a float32 tensor's storage, or undefined if this backend does not hold it. */
  offset(tensor: tf.TensorInfo): number | undefined;
  /** A new float32 tensor with uninitialised storage in the backend's memory. */
  uninitialised(shape: number[]): tf.Tensor;
  /** The same as a kernel's output (a TensorInfo, not yet a tensor). */
  output(shape: number[]): tf.TensorInfo;
  /** Frees an output that never became a tensor (scratch space). */
  dispose(info: tf.TensorInfo): void;
}

export function wasmHeap(): WasmHeap | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as {
    dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined };
    makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
    disposeData(id: tf.DataId): void;
    wasm: { HEAPU8: Uint8Array; asm?: { memory?: unknown } };
  };
  const memory = backend.wasm?.asm?.memory;
  if (!webAssembly || !(memory instanceof webAssembly.Memory) || memory.buffer !== backend.wasm.HEAPU8.buffer || !(memory.buffer instanceof ArrayBuffer)) return undefined;
  if (typeof backend.makeOutput !== 'function' || typeof backend.dataIdMap?.get !== 'function') return undefined;
  return {
    memory,
    offset: (tensor) => (tensor.dtype === 'float32' ? backend.dataIdMap.get(tensor.dataId)?.memoryOffset : undefined),
    uninitialised: (shape) => tf.engine().makeTensorFromTensorInfo(backend.makeOutput(shape, 'float32')),
    output: (shape) => backend.makeOutput(shape, 'float32'),
    dispose: (info) => backend.disposeData(info.dataId),
  };
}
