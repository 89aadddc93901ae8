// A model member's encoder and decoder as ONNX graphs. The VAE is a stack of dense layers
// (model/vae.ts), so each layer is one Gemm node (x·W + b, W as tfjs-layers keeps it, inputs ×
// units) followed by Relu, the heads are Gemms, and the decoder ends in Sigmoid; a conditional
// model's inputs are joined by Concat, as its Concatenate layer does. Graph inputs and outputs
// keep the layer names: encoder (pattern[, composition]) → (z_mean, z_log_var); decoder
// (z[, composition]) → reconstruction. The batch dimension is symbolic ("batch").
import type { Tensor } from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { VaeModels } from '../vae';
import { SOFTWARE_VERSION } from '../../version';
import { ATTRIBUTE, encodeOnnxModel, IR_VERSION, ONNX_FLOAT, OPSET_VERSION, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './schema';

/** Names of the graphs' inputs and outputs (what a runtime feeds and fetches). */
export const ONNX_NAMES = {
  pattern: 'pattern',
  composition: 'composition',
  mean: 'z_mean',
  logVar: 'z_log_var',
  z: 'z',
  reconstruction: 'reconstruction',
} as const;

function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytes;
}

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  return { name, dims, data_type: ONNX_FLOAT, raw_data: littleEndian(values) };
}

function valueInfo(name: string, width: number): OnnxValueInfo {
  return { name, type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim: [{ dim_param: 'batch' }, { dim_value: width }] } } } };
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  /** y = x·W + b from a tfjs-layers Dense layer's kernel [inputs, units] and bias [units]. */
  dense(model: tfl.LayersModel, layerName: string, input: string, output: string): string {
    const [kernel, bias] = model.getLayer(layerName).getWeights() as Tensor[];
    const [inputs, units] = kernel.shape;
    this.initializers.push(floatTensor(`${layerName}/kernel`, [inputs, units], kernel.dataSync() as Float32Array));
    this.initializers.push(floatTensor(`${layerName}/bias`, [units], bias.dataSync() as Float32Array));
    this.nodes.push({ name: layerName, op_type: 'Gemm', input: [input, `${layerName}/kernel`, `${layerName}/bias`], output: [output] });
    return output;
  }

  unary(op: 'Relu' | 'Sigmoid', input: string, output: string): string {
    this.nodes.push({ name: `${output}/${op.toLowerCase()}`, op_type: op, input: [input], output: [output] });
    return output;
  }

  concat(inputs: string[], output: string): string {
    this.nodes.push({ name: output, op_type: 'Concat', input: inputs, output: [output], attribute: [{ name: 'axis', type: ATTRIBUTE.INT, i: 1 }] });
    return output;
  }

  graph(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[]): OnnxGraph {
    return { name, node: this.nodes, initializer: this.initializers, input: inputs, output: outputs };
  }
}

function modelBytes(graph: OnnxGraph, doc: string): Uint8Array {
  return encodeOnnxModel({
    ir_version: IR_VERSION,
    producer_name: 'latent-xrd',
    producer_version: SOFTWARE_VERSION,
    doc_string: doc,
    opset_import: [{ domain: '', version: OPSET_VERSION }],
    graph,
  });
}

/** The ONNX files (bytes) of one member's encoder and decoder. */
export function memberToOnnx(models: VaeModels): { encoder: Uint8Array; decoder: Uint8Array } {
  const { spec } = models;
  const elements = spec.compositionElements.length;
  const conditional = elements > 0;

  const enc = new GraphBuilder();
  let h: string = ONNX_NAMES.pattern;
  if (conditional) h = enc.concat([ONNX_NAMES.pattern, ONNX_NAMES.composition], 'pattern_and_composition');
  spec.hidden.forEach((_, i) => {
    const name = `encoder_dense_${i + 1}`;
    h = enc.unary('Relu', enc.dense(models.encoder, name, h, `${name}/linear`), name);
  });
  enc.dense(models.encoder, 'z_mean', h, ONNX_NAMES.mean);
  enc.dense(models.encoder, 'z_log_var', h, ONNX_NAMES.logVar);
  const encoderInputs = [valueInfo(ONNX_NAMES.pattern, spec.points), ...(conditional ? [valueInfo(ONNX_NAMES.composition, elements)] : [])];
  const encoder = enc.graph('encoder', encoderInputs, [valueInfo(ONNX_NAMES.mean, spec.latent), valueInfo(ONNX_NAMES.logVar, spec.latent)]);

  const dec = new GraphBuilder();
  let g: string = ONNX_NAMES.z;
  if (conditional) g = dec.concat([ONNX_NAMES.z, ONNX_NAMES.composition], 'z_and_composition');
  spec.hidden.forEach((_, i) => {
    const name = `decoder_dense_${i + 1}`;
    g = dec.unary('Relu', dec.dense(models.decoder, name, g, `${name}/linear`), name);
  });
  dec.unary('Sigmoid', dec.dense(models.decoder, 'reconstruction_logits', g, 'reconstruction_logits'), ONNX_NAMES.reconstruction);
  const decoderInputs = [valueInfo(ONNX_NAMES.z, spec.latent), ...(conditional ? [valueInfo(ONNX_NAMES.composition, elements)] : [])];
  const decoder = dec.graph('decoder', decoderInputs, [valueInfo(ONNX_NAMES.reconstruction, spec.points)]);

  const what = conditional ? `conditional VAE over ${spec.compositionElements.join(', ')}` : 'VAE';
  return {
    encoder: modelBytes(encoder, `Latent XRD ${what} encoder: ${ONNX_NAMES.pattern} [batch, ${spec.points}] in [0, 1] → ${ONNX_NAMES.mean}, ${ONNX_NAMES.logVar} [batch, ${spec.latent}]`),
    decoder: modelBytes(decoder, `Latent XRD ${what} decoder: ${ONNX_NAMES.z} [batch, ${spec.latent}] → ${ONNX_NAMES.reconstruction} [batch, ${spec.points}] in [0, 1]`),
  };
}
