/**
 * Network -> ONNX ModelProto (API.md "ONNX"), built from the network as typed values (its shape, seed and parameters).
 *
 * Graph: input `input` [N, layers[0]] -> per layer l: Gemm(h, layer{l}.weight [out, in], layer{l}.bias [out],
 * transB = 1) then the activation -> ... -> output `output` [N, layers.at(-1)]. fastnn's weights are already out × in
 * (row j = neuron j), which is Gemm's B with transB = 1, so they are written as they are.
 * Activations: sigmoid/tanh/relu/softmax(axis -1) as the ONNX ops, identity as no node, and leaky-relu as
 * Max(z, Mul(z, α)) with α a scalar initializer of the graph's dtype: ONNX Runtime has no float64 LeakyRelu kernel, and
 * LeakyRelu's `alpha` attribute is a float32, so α = 0.01 could not even be stated exactly in it.
 */
import type { Activation } from '../backend.js';
import { describeValue } from '../check.js';
import { OptionError } from '../errors.js';
import type { NetworkModel } from '../net/model.js';
import { Writer } from './proto.js';
import {
  ATTR,
  ATTR_TYPE,
  DIM,
  DTYPE,
  ENTRY,
  GRAPH,
  IR_VERSION,
  META,
  MODEL,
  NODE,
  OPSET,
  OPSET_VERSION,
  SHAPE,
  TENSOR,
  TENSOR_TYPE,
  TYPE,
  VALUE_INFO,
} from './schema.js';

/** The element type of an exported ONNX model's tensors (ONNX's DOUBLE or FLOAT). */
export type OnnxDtype = 'float64' | 'float32';
/** The options of toONNX. */
export interface ToOnnxOptions {
  /** The tensors' element type; default 'float64' (exact). 'float32' rounds the parameters with Math.fround. */
  dtype?: OnnxDtype;
}

/** An attribute value for `node()`: an int, a float, a string, or a tensor (a `tensor()` TensorProto). */
export type AttrValue = { int: number } | { float: number } | { string: string } | { tensor: Writer };

/** NodeProto. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name?: string,
  attrs: Record<string, AttrValue> = {},
): Writer {
  const w = new Writer();
  for (const i of inputs) w.string(NODE.input, i);
  for (const o of outputs) w.string(NODE.output, o);
  if (name !== undefined) w.string(NODE.name, name);
  w.string(NODE.opType, opType);
  for (const [k, v] of Object.entries(attrs)) {
    const a = new Writer().string(ATTR.name, k);
    if ('int' in v) a.int64(ATTR.i, v.int).int64(ATTR.type, ATTR_TYPE.INT);
    else if ('float' in v) a.float(ATTR.f, v.float).int64(ATTR.type, ATTR_TYPE.FLOAT);
    else if ('string' in v) a.string(ATTR.s, v.string).int64(ATTR.type, ATTR_TYPE.STRING);
    else a.message(ATTR.t, v.tensor).int64(ATTR.type, ATTR_TYPE.TENSOR);
    w.message(NODE.attribute, a);
  }
  return w;
}

/** How a tensor's values are stored: raw_data (little-endian bytes), or float_data / double_data. */
export type TensorStorage = 'raw' | 'typed';

/** TensorProto holding `values` as float32 (values are rounded with Math.fround) or float64. */
export function tensor(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
  dtype: OnnxDtype,
  storage: TensorStorage = 'raw',
): Writer {
  const size = dtype === 'float64' ? 8 : 4;
  const bytes = new Uint8Array(values.length * size);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (size === 8) dv.setFloat64(i * 8, values[i]!, true);
    else dv.setFloat32(i * 4, values[i]!, true);
  }
  const w = new Writer()
    .packedInt64(TENSOR.dims, dims)
    .int64(TENSOR.dataType, dtype === 'float64' ? DTYPE.DOUBLE : DTYPE.FLOAT);
  w.string(TENSOR.name, name);
  if (storage === 'raw') w.rawBytes(TENSOR.rawData, bytes);
  else w.rawBytes(dtype === 'float64' ? TENSOR.doubleData : TENSOR.floatData, bytes); // packed repeated = same bytes
  return w;
}

/** ValueInfoProto for a 2-D tensor; a string dim is symbolic (dim_param). */
export function valueInfo(name: string, dtype: OnnxDtype, dims: readonly (number | string)[]): Writer {
  const shape = new Writer();
  for (const d of dims) {
    const dim = typeof d === 'string' ? new Writer().string(DIM.param, d) : new Writer().int64(DIM.value, d);
    shape.message(SHAPE.dim, dim);
  }
  const tt = new Writer()
    .int64(TENSOR_TYPE.elemType, dtype === 'float64' ? DTYPE.DOUBLE : DTYPE.FLOAT)
    .message(TENSOR_TYPE.shape, shape);
  return new Writer().string(VALUE_INFO.name, name).message(VALUE_INFO.type, new Writer().message(TYPE.tensorType, tt));
}

export interface GraphParts {
  name: string;
  nodes: Writer[];
  initializers: Writer[];
  inputs: Writer[];
  outputs: Writer[];
  opset?: number;
  metadata?: Record<string, string>;
  producer?: string;
}

/** ModelProto around one graph (default domain, opset 13 unless given). */
export function model(g: GraphParts): Uint8Array {
  const graph = new Writer();
  for (const n of g.nodes) graph.message(GRAPH.node, n);
  graph.string(GRAPH.name, g.name);
  for (const t of g.initializers) graph.message(GRAPH.initializer, t);
  for (const i of g.inputs) graph.message(GRAPH.input, i);
  for (const o of g.outputs) graph.message(GRAPH.output, o);
  const m = new Writer().int64(MODEL.irVersion, IR_VERSION);
  if (g.producer !== undefined) m.string(MODEL.producerName, g.producer);
  m.message(MODEL.graph, graph);
  m.message(MODEL.opsetImport, new Writer().string(OPSET.domain, '').int64(OPSET.version, g.opset ?? OPSET_VERSION));
  for (const [k, v] of Object.entries(g.metadata ?? {}))
    m.message(MODEL.metadataProps, new Writer().string(ENTRY.key, k).string(ENTRY.value, v));
  return m.finish();
}

const OP: Record<Exclude<Activation, 'identity' | 'leaky-relu' | 'softplus'>, string> = {
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  softmax: 'Softmax',
};

/** A per-column affine map x' = (x - shift) / scale (an estimator's input scaling; its inverse undoes target scaling). */
export interface OnnxAffine {
  readonly shift: ArrayLike<number>;
  readonly scale: ArrayLike<number>;
}

/**
 * What an estimator adds around the network: `input` written as Sub(shift), Div(scale) in front of the first layer,
 * `output` undone as Mul(scale), Add(shift) after the last, and metadata entries.
 */
export interface OnnxWrap {
  input?: OnnxAffine | null;
  output?: OnnxAffine | null;
  metadata?: Record<string, string>;
}

/** Writes the network `net` as an ONNX model. */
export function toOnnx(net: NetworkModel, options: unknown = {}, wrap: OnnxWrap = {}): Uint8Array {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionError(`toONNX: options must be an object like { dtype: 'float32' }, received ${String(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (k !== 'dtype') throw new OptionError(`toONNX: unknown option '${k}' (expected dtype)`);
  }
  const dtypeOpt = (options as { dtype?: unknown }).dtype;
  if (dtypeOpt !== undefined && dtypeOpt !== 'float64' && dtypeOpt !== 'float32') {
    throw new OptionError(`toONNX: dtype must be 'float64' or 'float32', received ${describeValue(dtypeOpt)}`);
  }
  // default: the network's own element type (a float32 network writes float32)
  const dtype: OnnxDtype = dtypeOpt ?? net.dtype;
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const { layers, activations } = net;
  const L = layers.length - 1;
  const nodes: Writer[] = [];
  const inits: Writer[] = [];
  const slope = round(net.leakySlope);
  if (activations.includes('leaky-relu')) inits.push(tensor('leaky_slope', [], [slope], dtype));
  let h = 'input';
  if (wrap.input) {
    const n = layers[0]!;
    inits.push(
      tensor('input.shift', [n], Array.from(wrap.input.shift, round), dtype),
      tensor('input.scale', [n], Array.from(wrap.input.scale, round), dtype),
    );
    nodes.push(
      node('Sub', ['input', 'input.shift'], ['input.centered'], 'input.sub'),
      node('Div', ['input.centered', 'input.scale'], ['input.scaled'], 'input.div'),
    );
    h = 'input.scaled';
  }
  const last = wrap.output ? 'output.scaled' : 'output';
  for (let l = 0; l < L; l++) {
    const nIn = layers[l]!,
      nOut = layers[l + 1]!;
    const p = net.parameters[l]!;
    const wName = `layer${l}.weight`,
      bName = `layer${l}.bias`;
    inits.push(tensor(wName, [nOut, nIn], p.weights, dtype), tensor(bName, [nOut], p.biases, dtype));
    const act = activations[l]!;
    const out = l === L - 1 ? last : `layer${l}.a`;
    const z = act === 'identity' ? out : `layer${l}.z`;
    nodes.push(node('Gemm', [h, wName, bName], [z], `layer${l}.gemm`, { transB: { int: 1 } }));
    if (act === 'leaky-relu') {
      nodes.push(node('Mul', [z, 'leaky_slope'], [`layer${l}.scaled`], `layer${l}.leaky_mul`));
      nodes.push(node('Max', [z, `layer${l}.scaled`], [out], `layer${l}.leaky_max`));
    } else if (act === 'softplus') {
      // ONNX Runtime has no float64 Softplus kernel: max(z, 0) + log(1 + exp(-|z|)), every op with a double kernel
      if (!activations.slice(0, l).includes('softplus')) inits.push(tensor('one', [], [1], dtype));
      const t = (k: string): string => `layer${l}.softplus_${k}`;
      nodes.push(
        node('Relu', [z], [t('relu')], t('relu')),
        node('Abs', [z], [t('abs')], t('abs')),
        node('Neg', [t('abs')], [t('neg')], t('neg')),
        node('Exp', [t('neg')], [t('exp')], t('exp')),
        node('Add', [t('exp'), 'one'], [t('1p')], t('1p')),
        node('Log', [t('1p')], [t('log')], t('log')),
        node('Add', [t('relu'), t('log')], [out], t('sum')),
      );
    } else if (act === 'softmax') {
      nodes.push(node('Softmax', [z], [out], `layer${l}.softmax`, { axis: { int: -1 } }));
    } else if (act !== 'identity') {
      nodes.push(node(OP[act], [z], [out], `layer${l}.${act}`));
    }
    h = out;
  }
  if (wrap.output) {
    const n = layers[L]!;
    inits.push(
      tensor('output.scale', [n], Array.from(wrap.output.scale, round), dtype),
      tensor('output.shift', [n], Array.from(wrap.output.shift, round), dtype),
    );
    nodes.push(
      node('Mul', [last, 'output.scale'], ['output.unscaled'], 'output.mul'),
      node('Add', ['output.unscaled', 'output.shift'], ['output'], 'output.add'),
    );
  }
  return model({
    name: 'fastnn',
    producer: 'fastnn',
    nodes,
    initializers: inits,
    inputs: [valueInfo('input', dtype, ['N', layers[0]!])],
    outputs: [valueInfo('output', dtype, ['N', layers[L]!])],
    metadata: {
      [META.loss]: net.loss,
      [META.seed]: String(net.seed),
      [META.leakySlope]: String(slope),
      ...wrap.metadata,
    },
  });
}
