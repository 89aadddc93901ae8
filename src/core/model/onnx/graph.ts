// An ONNX encoder and decoder as a scoring member (vae.ts EncodingMember): the graphs are
// decoded, checked against the manifest's spec, and run with TensorFlow.js's own kernels on the
// backend in use, synchronously, exactly as the tfjs-layers VAE is. So an exported model scores
// to the tfjs model's numbers, and a model trained elsewhere (PyTorch, Keras → ONNX) scores in
// the extension with the same manifest — as long as it is what Latent XRD's models are: dense
// layers and element-wise activations. The operators run are the ones such an export holds
// (SUPPORTED_OPS); anything else is refused with the node named, never guessed at.
import { tf } from '../backend';
import type { ModelSpec } from '../architecture';
import type { EncodingMember } from '../vae';
import { UserError } from '../../diagnostics';
import { MODEL_LIMITS } from '../manifest';
import { decodeOnnxModel, ONNX_FLOAT, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './schema';

/** Operators of the ONNX default domain that a dense model needs, and that are run here. */
export const SUPPORTED_OPS = ['Gemm', 'MatMul', 'Add', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Concat', 'Identity'] as const;

/** One half, ready to run: its weights on the backend and its nodes in order. */
interface LoadedGraph {
  file: string;
  inputs: string[];
  outputs: string[];
  nodes: OnnxNode[];
  weights: Map<string, tf.Tensor>;
}

function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a?.i ?? fallback;
}

function floatAttribute(node: OnnxNode, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a?.f ?? fallback;
}

/** The second dimension an input or output declares, when it declares one as a number. */
function declaredWidth(info: OnnxValueInfo): number | undefined {
  const dims = info.type?.tensor_type?.shape?.dim;
  return dims?.length === 2 && typeof dims[1].dim_value === 'number' ? dims[1].dim_value : undefined;
}

/**
 * Decodes and checks one graph: float32 weights held in the file (no external data), at most
 * MODEL_LIMITS.parameters of them, operators from SUPPORTED_OPS, every node's inputs defined
 * before it (ONNX requires the nodes in topological order), inputs and outputs of the widths
 * `expect` gives. Throws a UserError naming `file` and what is wrong.
 */
function loadGraph(bytes: Uint8Array, file: string, expect: { inputs: { what: string; width: number }[]; outputs: { what: string; width: number }[] }): LoadedGraph {
  const bad = (why: string) => new UserError(`${file}: ${why}`);
  let graph: OnnxGraph | undefined;
  let opsets: { domain?: string; version?: number }[] = [];
  try {
    const model = decodeOnnxModel(bytes);
    graph = model.graph;
    opsets = model.opset_import ?? [];
  } catch (e) {
    throw bad(`not an ONNX model (${(e as Error).message})`);
  }
  if (!graph) throw bad('not an ONNX model (it has no graph)');
  const foreign = opsets.find((o) => (o.domain ?? '') !== '' && o.domain !== 'ai.onnx');
  if (foreign) throw bad(`uses the operator set "${foreign.domain}"; Latent XRD runs only ONNX's default operators (${SUPPORTED_OPS.join(', ')})`);

  const weights = new Map<string, tf.Tensor>();
  try {
    let total = 0;
    for (const [k, t] of (graph.initializer ?? []).entries()) {
      const where = `initializer ${k + 1}${t.name ? ` (${t.name})` : ''}`;
      if (!t.name) throw bad(`${where}: has no name`);
      if (t.data_location === 1) throw bad(`${where}: its values are in an external file; export the model with its weights inside it`);
      if ((t.data_type ?? 0) !== ONNX_FLOAT) throw bad(`${where}: data type ${t.data_type ?? 'unset'}; Latent XRD runs float32 models (ONNX data type 1)`);
      const dims = t.dims ?? [];
      if (dims.length > 2 || dims.some((d) => !Number.isInteger(d) || d < 1)) throw bad(`${where}: shape [${dims.join(', ')}]; a dense layer's weights are a matrix or a vector`);
      const size = dims.reduce((a, b) => a * b, 1);
      total += size;
      if (total > MODEL_LIMITS.parameters) throw bad(`more than the ${MODEL_LIMITS.parameters} weights a model can have`);
      let values: Float32Array;
      if (t.raw_data && t.raw_data.byteLength > 0) {
        if (t.raw_data.byteLength !== 4 * size) throw bad(`${where}: ${t.raw_data.byteLength} bytes of values for shape [${dims.join(', ')}] (${4 * size} expected)`);
        const view = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
        values = new Float32Array(size);
        for (let i = 0; i < size; i++) values[i] = view.getFloat32(4 * i, true);
      } else {
        if ((t.float_data?.length ?? 0) !== size) throw bad(`${where}: ${t.float_data?.length ?? 0} values for shape [${dims.join(', ')}] (${size} expected)`);
        values = Float32Array.from(t.float_data!);
      }
      const at = values.findIndex((v) => !Number.isFinite(v));
      if (at >= 0) throw bad(`${where}: value ${at + 1} is ${values[at]}; a model's weights are finite numbers`);
      weights.set(t.name, tf.tensor(values, dims.length ? dims : [], 'float32'));
    }

    // Older exporters list the initializers among the graph's inputs too: those are not fed.
    const inputs = (graph.input ?? []).filter((i) => !weights.has(i.name ?? ''));
    const outputs = graph.output ?? [];
    const check = (kind: 'input' | 'output', infos: OnnxValueInfo[], expected: { what: string; width: number }[]) => {
      if (infos.length !== expected.length) throw bad(`${infos.length} ${kind}s; this model's manifest calls for ${expected.length} (${expected.map((e) => e.what).join(', ')})`);
      infos.forEach((info, i) => {
        if (!info.name) throw bad(`${kind} ${i + 1} has no name`);
        const type = info.type?.tensor_type?.elem_type;
        if (type !== undefined && type !== ONNX_FLOAT) throw bad(`${kind} "${info.name}" is of ONNX data type ${type}, not float32 (1)`);
        const width = declaredWidth(info);
        if (width !== undefined && width !== expected[i].width) throw bad(`${kind} "${info.name}" (${expected[i].what}) has width ${width}; the manifest's spec makes it ${expected[i].width}`);
      });
    };
    check('input', inputs, expect.inputs);
    check('output', outputs, expect.outputs);

    const defined = new Set<string>([...weights.keys(), ...inputs.map((i) => i.name!)]);
    const nodes = graph.node ?? [];
    nodes.forEach((node, k) => {
      const where = `node ${k + 1}${node.name ? ` (${node.name})` : ''}`;
      const op = node.op_type ?? '';
      if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') throw bad(`${where}: operator ${node.domain}.${op} is not one of ONNX's default operators`);
      if (!(SUPPORTED_OPS as readonly string[]).includes(op)) throw bad(`${where}: operator ${op || '(none)'} is not one Latent XRD runs (${SUPPORTED_OPS.join(', ')})`);
      for (const input of node.input ?? []) {
        if (input !== '' && !defined.has(input)) throw bad(`${where}: input "${input}" is not defined before it (nodes must be in topological order)`);
      }
      if (op === 'Gemm' && intAttribute(node, 'transA', 0) !== 0) throw bad(`${where}: Gemm with transA is not run by Latent XRD`);
      for (const output of node.output ?? []) defined.add(output);
    });
    for (const o of outputs) if (!defined.has(o.name!)) throw bad(`output "${o.name}" is computed by no node`);
    return { file, inputs: inputs.map((i) => i.name!), outputs: outputs.map((o) => o.name!), nodes, weights };
  } catch (e) {
    for (const t of weights.values()) t.dispose();
    throw e;
  }
}

/** Runs a graph on `feeds` (in its input order); returns its outputs (in order). Tensors made here are tidied by the caller. */
function run(graph: LoadedGraph, feeds: tf.Tensor2D[]): tf.Tensor[] {
  const values = new Map<string, tf.Tensor>(graph.weights);
  graph.inputs.forEach((name, i) => values.set(name, feeds[i]));
  const get = (name: string | undefined) => {
    const t = name ? values.get(name) : undefined;
    if (!t) throw new UserError(`${graph.file}: a node needs "${name}", which is not computed`);
    return t;
  };
  for (const node of graph.nodes) {
    const inputs = node.input ?? [];
    let out: tf.Tensor;
    switch (node.op_type) {
      case 'Gemm': {
        const alpha = floatAttribute(node, 'alpha', 1);
        const beta = floatAttribute(node, 'beta', 1);
        let y: tf.Tensor = tf.matMul(get(inputs[0]) as tf.Tensor2D, get(inputs[1]) as tf.Tensor2D, false, intAttribute(node, 'transB', 0) !== 0);
        if (alpha !== 1) y = tf.mul(y, alpha);
        if (inputs[2]) y = tf.add(y, beta === 1 ? get(inputs[2]) : tf.mul(get(inputs[2]), beta));
        out = y;
        break;
      }
      case 'MatMul':
        out = tf.matMul(get(inputs[0]) as tf.Tensor2D, get(inputs[1]) as tf.Tensor2D);
        break;
      case 'Add':
        out = tf.add(get(inputs[0]), get(inputs[1]));
        break;
      case 'Relu':
        out = tf.relu(get(inputs[0]));
        break;
      case 'LeakyRelu':
        out = tf.leakyRelu(get(inputs[0]), floatAttribute(node, 'alpha', 0.01));
        break;
      case 'Sigmoid':
        out = tf.sigmoid(get(inputs[0]));
        break;
      case 'Tanh':
        out = tf.tanh(get(inputs[0]));
        break;
      case 'Concat':
        out = tf.concat(inputs.map(get), intAttribute(node, 'axis', 1));
        break;
      case 'Identity':
        out = get(inputs[0]);
        break;
      default:
        throw new UserError(`${graph.file}: operator ${node.op_type} is not run by Latent XRD`);
    }
    values.set((node.output ?? [])[0], out);
  }
  return graph.outputs.map(get);
}

/** Checks that a graph's output is [rows, width]: a wrong graph is found at loading, not in a score. */
function checkShape(t: tf.Tensor, rows: number, width: number, file: string, what: string): void {
  if (t.rank !== 2 || t.shape[0] !== rows || t.shape[1] !== width) {
    throw new UserError(`${file}: ${what} comes out of shape [${t.shape.join(', ')}]; the manifest's spec makes it [${rows}, ${width}]`);
  }
}

/** The ONNX files of one member (their bytes, kept so that `export --onnx` can write them again). */
export interface OnnxMemberFiles {
  encoder: { bytes: Uint8Array; file: string };
  decoder: { bytes: Uint8Array; file: string };
}

export interface OnnxMember extends EncodingMember {
  readonly onnx: OnnxMemberFiles;
}

/**
 * An encoder and a decoder in ONNX as a scoring member for `spec`. The encoder takes
 * (pattern[, composition]) and gives (latent mean, log-variance) in that order; the decoder
 * takes (z[, composition]) and gives the reconstruction in [0, 1]. Both are run once on a zero
 * batch here, so a graph that does not fit the spec is refused at loading with its file named.
 */
export function onnxMember(spec: ModelSpec, files: OnnxMemberFiles): OnnxMember {
  const elements = spec.compositionElements.length;
  const composition = elements > 0 ? [{ what: 'composition', width: elements }] : [];
  const encoder = loadGraph(files.encoder.bytes, files.encoder.file, {
    inputs: [{ what: 'pattern', width: spec.points }, ...composition],
    outputs: [{ what: 'latent mean', width: spec.latent }, { what: 'latent log-variance', width: spec.latent }],
  });
  let decoder: LoadedGraph;
  try {
    decoder = loadGraph(files.decoder.bytes, files.decoder.file, { inputs: [{ what: 'z', width: spec.latent }, ...composition], outputs: [{ what: 'reconstruction', width: spec.points }] });
  } catch (e) {
    for (const t of encoder.weights.values()) t.dispose();
    throw e;
  }
  const member: OnnxMember = {
    spec,
    onnx: files,
    encode: (x, c) => {
      const [mean, logVar] = run(encoder, c ? [x, c] : [x]);
      return [mean as tf.Tensor2D, logVar as tf.Tensor2D];
    },
    decode: (z, c) => run(decoder, c ? [z, c] : [z])[0] as tf.Tensor2D,
    dispose: () => {
      for (const t of [...encoder.weights.values(), ...decoder.weights.values()]) t.dispose();
    },
  };
  try {
    tf.tidy(() => {
      const rows = 2;
      const c = elements > 0 ? tf.zeros([rows, elements]) as tf.Tensor2D : undefined;
      const [mean, logVar] = member.encode(tf.zeros([rows, spec.points]) as tf.Tensor2D, c);
      checkShape(mean, rows, spec.latent, files.encoder.file, 'the latent mean');
      checkShape(logVar, rows, spec.latent, files.encoder.file, 'the latent log-variance');
      checkShape(member.decode(mean, c), rows, spec.points, files.decoder.file, 'the reconstruction');
    });
  } catch (e) {
    member.dispose();
    if (e instanceof UserError) throw e;
    throw new UserError(`${files.encoder.file}, ${files.decoder.file}: the graphs do not run on a batch of patterns of this model (${(e as Error).message})`);
  }
  return member;
}
