/**
 * ONNX ModelProto -> the typed model a Network loads (API.md "ONNX"). Reads fastnn's own exports and dense networks written
 * by other tools: a chain from the one graph input to the one graph output of layers
 *   Gemm(h, B, C?) [alpha = beta = 1, transA = 0, transB 0 or 1]   or   MatMul(h, W) [+ Add(·, b)]
 * each followed by at most one activation: Sigmoid, Tanh, Relu, LeakyRelu, Softmax (axis -1 or 1, last layer only),
 * Identity, fastnn's Max(z, Mul(z, α)), or nothing (identity). Parameters are initializers (or Constant nodes) of type
 * float or double, in raw_data, float_data or double_data. Anything else is refused with an NnError naming the node.
 *
 * Everything read from the bytes is checked; the only exceptions that leave this module are NnError and OptionError.
 */
import type { Activation, Loss } from '../backend.js';
import { NnError, OptionError } from '../errors.js';
import type { NetworkModel } from '../net/model.js';
import { randomSeed } from '../net/options.js';
import {
  OP,
  decodeModel,
  describe,
  dimsText,
  listSome,
  quote,
  refuse,
  type Model,
  type OnnxNode,
  type Tensor,
  type ValueInfo,
} from './decode.js';
import { ProtoError } from './proto.js';
import { ATTR_TYPE, DTYPE, META } from './schema.js';

/** The op types fastnn can map onto its layers. */
const SUPPORTED = [
  'Gemm',
  'MatMul',
  'Add',
  'Sigmoid',
  'Tanh',
  'Relu',
  'LeakyRelu',
  'Softmax',
  'Softplus',
  'Identity',
  'Mul',
  'Max',
  'Abs',
  'Neg',
  'Exp',
  'Log',
  'Constant',
];
const ACT_OPS: Record<string, Activation> = {
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Relu: 'relu',
  Softplus: 'softplus',
  Identity: 'identity',
};
/** LeakyRelu's default alpha: the float32 attribute value 0.01f. */
const LEAKY_DEFAULT = Math.fround(0.01);

function attrs(n: OnnxNode, allowed: Record<string, 'int' | 'float'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of n.attrs) {
    // own keys only: a name from the file such as 'toString' or '__proto__' must not find Object.prototype's
    if (!Object.hasOwn(allowed, a.name))
      refuse(
        `${describe(n)} has attribute ${quote(a.name)}, which fastnn does not read (it reads ${Object.keys(allowed).join('|') || 'none'})`,
      );
    const kind = allowed[a.name]!;
    const v = kind === 'int' ? a.i : a.f;
    const want = kind === 'int' ? ATTR_TYPE.INT : ATTR_TYPE.FLOAT;
    if (v === undefined || a.other || (a.type !== 0 && a.type !== want))
      refuse(`${describe(n)}: attribute ${quote(a.name)} must be one ${kind}`);
    out.set(a.name, v);
  }
  return out;
}

interface Layer {
  nIn: number;
  nOut: number;
  weights: Float64Array; // nOut × nIn
  biases: Float64Array;
  act: Activation;
}

/** Maps a decoded model onto fastnn's layers; refuses anything else, naming the node. */
function toLayers(m: Model): { layers: Layer[]; slope: number | undefined } {
  const g = m.graph;
  if (m.opset === undefined) refuse('the model imports no default-domain opset (opset_import with domain "")');
  if (m.opset < 7) refuse(`the model uses opset ${m.opset}; fastnn reads opset 7 or later`);
  // 1. The first node whose op fastnn cannot map at all.
  for (const n of g.nodes) {
    if ((n.domain !== '' && n.domain !== 'ai.onnx') || !SUPPORTED.includes(n.opType)) {
      refuse(
        `unsupported ${describe(n)}${n.domain ? ` (domain ${quote(n.domain)})` : ''}; fastnn reads dense layers: Gemm, or MatMul + Add, each followed by Sigmoid, Tanh, Relu, LeakyRelu, Softmax, Identity or nothing`,
      );
    }
  }
  // 2. Every tensor is defined once (ONNX graphs are in SSA form; ONNX Runtime refuses "Duplicate definition of
  // name"): graph inputs (an input may also be an initializer, as older exporters write them), initializers, node
  // outputs. A second definition would otherwise shadow the first silently.
  const defined = new Map<string, string>();
  for (const v of g.inputs) {
    if (defined.has(v.name)) refuse(`the graph has two inputs named ${quote(v.name)}`);
    defined.set(v.name, 'a graph input');
  }
  for (const name of g.initializers.keys()) if (!defined.has(name)) defined.set(name, 'an initializer');
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (o === '') continue; // an omitted optional output
      const by = defined.get(o);
      if (by !== undefined)
        refuse(`${describe(n)} writes ${quote(o)}, which ${by} already defines; a graph defines each tensor once`);
      defined.set(o, describe(n));
    }
  }
  // 3. Constants are parameters too.
  const params = new Map(g.initializers);
  const used = new Set<OnnxNode>();
  for (const n of g.nodes) {
    if (n.opType !== 'Constant') continue;
    const a = n.attrs[0];
    if (
      n.attrs.length !== 1 ||
      n.outputs.length !== 1 ||
      a === undefined ||
      (a.name !== 'value' && a.name !== 'value_float')
    ) {
      refuse(`${describe(n)}: fastnn reads Constant nodes with one 'value' (tensor) or 'value_float' attribute`);
    }
    if (a.name === 'value') {
      if (a.t === undefined) refuse(`${describe(n)}: attribute 'value' holds no tensor`);
      params.set(n.outputs[0]!, { ...a.t, name: n.outputs[0]! });
    } else {
      if (a.f === undefined) refuse(`${describe(n)}: attribute 'value_float' holds no float`);
      params.set(n.outputs[0]!, { name: n.outputs[0]!, dims: [], values: Float64Array.of(a.f) });
    }
    used.add(n);
  }
  // 4. One input (not an initializer) and one output.
  const inputs = g.inputs.filter((v) => !params.has(v.name));
  if (inputs.length !== 1)
    refuse(
      `the graph has ${inputs.length} inputs besides its initializers (${listSome(inputs, (v) => quote(v.name))}); fastnn reads exactly 1`,
    );
  if (g.outputs.length !== 1) refuse(`the graph has ${g.outputs.length} outputs; fastnn reads exactly 1`);
  const input = inputs[0]!,
    output = g.outputs[0]!;
  for (const v of [input, output]) {
    if (v.elemType !== 0 && v.elemType !== DTYPE.FLOAT && v.elemType !== DTYPE.DOUBLE)
      refuse(
        `graph ${v === input ? 'input' : 'output'} ${quote(v.name)} has element type ${v.elemType}, expected 1 (float) or 11 (double)`,
      );
    if (v.dims !== undefined && v.dims.length !== 2)
      refuse(
        `graph ${v === input ? 'input' : 'output'} ${quote(v.name)} has rank ${v.dims.length}, expected 2 ([batch, features])`,
      );
  }
  // Who reads each tensor, in one pass over the inputs (linear: a hostile file may make one tensor feed every node).
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i === '') continue;
      let list = consumers.get(i);
      if (list === undefined) consumers.set(i, (list = []));
      // nodes are visited in order, so a node reading a tensor twice (Max(z, z)) is already the list's last entry
      if (list[list.length - 1] !== n) list.push(n);
    }
  }
  const param = (n: OnnxNode, k: number, what: string): Tensor => {
    const name = n.inputs[k];
    const t = name === undefined ? undefined : params.get(name);
    if (t === undefined)
      refuse(`${describe(n)}: input ${k} (${quote(name ?? '')}) must be an initializer holding the ${what}`);
    return t;
  };
  const pending = (t: string): OnnxNode[] => (consumers.get(t) ?? []).filter((n) => !used.has(n));
  const next = (t: string): OnnxNode | undefined => {
    const list = pending(t);
    if (list.length > 1)
      refuse(
        `tensor ${quote(t)} feeds ${list.length} nodes (${listSome(list, describe)}); fastnn reads a chain of dense layers`,
      );
    return list[0];
  };
  const only = (n: OnnxNode, nIn: number, nOut: number): void => {
    const real = n.inputs.filter((i) => i !== '').length;
    if (n.inputs.length < nIn || real > nIn || n.outputs.length !== nOut)
      refuse(
        `${describe(n)} has ${n.inputs.length} inputs and ${n.outputs.length} outputs, expected ${nIn} and ${nOut}`,
      );
  };

  const layers: Layer[] = [];
  let slope: number | undefined;
  let cur = input.name;
  for (;;) {
    const n = next(cur);
    if (n === undefined) {
      if (cur === output.name && layers.length > 0) break;
      refuse(
        layers.length === 0
          ? `the graph input ${quote(cur)} feeds no Gemm or MatMul node`
          : `tensor ${quote(cur)} feeds no node, but the graph output is ${quote(output.name)}`,
      );
    }
    if (cur === output.name) refuse(`the graph output ${quote(cur)} also feeds ${describe(n)}`);
    // -- the dense part
    let layer: Omit<Layer, 'act'>;
    let z: string;
    if (n.opType === 'Gemm') {
      used.add(n);
      const a = attrs(n, { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' });
      if ((a.get('alpha') ?? 1) !== 1)
        refuse(`${describe(n)} has alpha ${a.get('alpha')}; fastnn reads Gemm with alpha = 1`);
      if ((a.get('beta') ?? 1) !== 1)
        refuse(`${describe(n)} has beta ${a.get('beta')}; fastnn reads Gemm with beta = 1`);
      if ((a.get('transA') ?? 0) !== 0)
        refuse(`${describe(n)} has transA ${a.get('transA')}; fastnn reads Gemm with transA = 0`);
      const transB = a.get('transB') ?? 0;
      if (transB !== 0 && transB !== 1) refuse(`${describe(n)} has transB ${transB}, expected 0 or 1`);
      if (n.inputs.length === 3 && n.inputs[2] === '') n.inputs.pop();
      only(n, n.inputs.length === 2 ? 2 : 3, 1);
      if (n.inputs[0] !== cur)
        refuse(`${describe(n)}: input 0 must be ${quote(cur)}, received ${quote(n.inputs[0] ?? '')}`);
      const B = param(n, 1, 'weights');
      if (B.dims.length !== 2)
        refuse(`${describe(n)}: weights ${quote(B.name)} have rank ${B.dims.length}, expected 2`);
      layer = dense(n, B, transB === 1);
      if (n.inputs.length === 3) layer.biases = bias(n, param(n, 2, 'biases'), layer.nOut);
      z = n.outputs[0]!;
    } else if (n.opType === 'MatMul') {
      used.add(n);
      attrs(n, {});
      only(n, 2, 1);
      if (n.inputs[0] !== cur)
        refuse(`${describe(n)}: input 0 must be ${quote(cur)}, received ${quote(n.inputs[0] ?? '')}`);
      const W = param(n, 1, 'weights');
      if (W.dims.length !== 2)
        refuse(`${describe(n)}: weights ${quote(W.name)} have rank ${W.dims.length}, expected 2`);
      layer = dense(n, W, false);
      z = n.outputs[0]!;
      const after = pending(z);
      const add = after.length === 1 && after[0]!.opType === 'Add' ? after[0] : undefined;
      if (add !== undefined) {
        if (z === output.name) refuse(`the graph output ${quote(z)} also feeds ${describe(add)}`);
        used.add(add);
        attrs(add, {});
        only(add, 2, 1);
        const k = add.inputs[0] === z ? 1 : 0;
        if (add.inputs[1 - k] !== z) refuse(`${describe(add)} does not add to ${quote(z)}`);
        layer.biases = bias(add, param(add, k, 'biases'), layer.nOut);
        z = add.outputs[0]!;
      }
    } else {
      refuse(`${describe(n)} reads ${quote(cur)} where fastnn expects a Gemm or MatMul node`);
    }
    const prev = layers[layers.length - 1];
    if (prev !== undefined && prev.nOut !== layer.nIn)
      refuse(`${describe(n)} takes ${layer.nIn} inputs, but the layer before has ${prev.nOut} outputs`);
    // -- the activation
    let act: Activation = 'identity';
    let out = z;
    const after = pending(z);
    if (z === output.name && after.length > 0) refuse(`the graph output ${quote(z)} also feeds ${describe(after[0]!)}`);
    const leaky = after.length === 2 && after.some((x) => x.opType === 'Mul') && after.some((x) => x.opType === 'Max');
    const softplus =
      after.length === 2 && after.some((x) => x.opType === 'Relu') && after.some((x) => x.opType === 'Abs');
    const an = leaky || softplus ? after[0] : next(z);
    if (softplus) {
      // fastnn's softplus: Add(Relu(z), Log(Add(Exp(Neg(Abs(z))), 1)))
      const relu = after.find((x) => x.opType === 'Relu')!;
      let t = after.find((x) => x.opType === 'Abs')!;
      for (const step of [relu, t]) {
        used.add(step);
        attrs(step, {});
        only(step, 1, 1);
      }
      for (const op of ['Neg', 'Exp', 'Add', 'Log']) {
        const nx = next(t.outputs[0]!);
        if (nx === undefined || nx.opType !== op)
          refuse(
            `${describe(t)}: expected its output to feed a ${op} node (softplus as Relu(z) + Log(1 + Exp(-Abs(z))))`,
          );
        used.add(nx);
        attrs(nx, {});
        if (op === 'Add') {
          only(nx, 2, 1);
          const k = nx.inputs[0] === t.outputs[0] ? 1 : 0;
          const one = param(nx, k, 'constant 1');
          if (one.values.length !== 1 || one.values[0] !== 1) refuse(`${describe(nx)}: expected to add the constant 1`);
        } else only(nx, 1, 1);
        t = nx;
      }
      const sum = next(relu.outputs[0]!);
      if (sum === undefined || sum.opType !== 'Add' || !sum.inputs.includes(t.outputs[0]!))
        refuse(`${describe(relu)}: expected Add(Relu(z), Log(…)) (softplus)`);
      used.add(sum);
      attrs(sum, {});
      only(sum, 2, 1);
      act = 'softplus';
      out = sum.outputs[0]!;
    } else if (
      an !== undefined &&
      !leaky &&
      (Object.hasOwn(ACT_OPS, an.opType) || an.opType === 'Softmax' || an.opType === 'LeakyRelu')
    ) {
      used.add(an);
      only(an, 1, 1);
      if (an.opType === 'Softmax') {
        const axis = attrs(an, { axis: 'int' }).get('axis') ?? (m.opset >= 13 ? -1 : 1);
        if (axis !== -1 && axis !== 1)
          refuse(`${describe(an)} has axis ${axis}; fastnn's softmax runs over the features (axis -1 or 1)`);
        act = 'softmax';
      } else if (an.opType === 'LeakyRelu') {
        act = 'leaky-relu';
        slope = sameSlope(an, slope, attrs(an, { alpha: 'float' }).get('alpha') ?? LEAKY_DEFAULT);
      } else {
        attrs(an, {});
        act = ACT_OPS[an.opType]!;
      }
      out = an.outputs[0]!;
    } else if (leaky) {
      // fastnn's leaky-relu: Max(z, Mul(z, α)); both nodes read z, in either order in the node list.
      const mul = after.find((x) => x.opType === 'Mul')!,
        max = after.find((x) => x.opType === 'Max')!;
      used.add(mul).add(max);
      attrs(mul, {});
      attrs(max, {});
      only(mul, 2, 1);
      only(max, 2, 1);
      const k = mul.inputs[0] === z ? 1 : 0;
      if (mul.inputs[1 - k] !== z) refuse(`${describe(mul)} does not multiply ${quote(z)}`);
      const alpha = param(mul, k, 'leaky-relu slope α');
      if (alpha.values.length !== 1)
        refuse(`${describe(mul)}: α ${quote(alpha.name)} has ${alpha.values.length} values, expected 1`);
      const s = mul.outputs[0]!;
      if (!((max.inputs[0] === z && max.inputs[1] === s) || (max.inputs[0] === s && max.inputs[1] === z))) {
        refuse(`${describe(max)} must take ${quote(z)} and ${quote(s)} (Max(z, Mul(z, α)))`);
      }
      if ((consumers.get(s) ?? []).length !== 1)
        refuse(`tensor ${quote(s)} of ${describe(mul)} feeds more than the Max`);
      slope = sameSlope(mul, slope, alpha.values[0]!);
      act = 'leaky-relu';
      out = max.outputs[0]!;
    }
    if (prev?.act === 'softmax')
      refuse(`${describe(n)} follows a Softmax; fastnn allows softmax only on the output layer`);
    layers.push({ ...layer, act });
    cur = out;
  }
  for (const n of g.nodes) {
    if (!used.has(n))
      refuse(
        `${describe(n)} is not part of the chain of dense layers from ${quote(input.name)} to ${quote(output.name)}`,
      );
  }
  checkDims(input, layers[0]!.nIn, 'input');
  checkDims(output, layers[layers.length - 1]!.nOut, 'output');
  return { layers, slope };
}

function sameSlope(n: OnnxNode, slope: number | undefined, alpha: number): number {
  if (!(alpha >= 0 && alpha <= 1))
    refuse(`${describe(n)} has leaky-relu slope ${alpha}; fastnn's leakySlope is in [0, 1]`);
  if (slope !== undefined && slope !== alpha)
    refuse(
      `${describe(n)} has leaky-relu slope ${alpha}, but an earlier layer has ${slope}; fastnn uses one slope per network`,
    );
  return alpha;
}

function checkDims(v: ValueInfo, features: number, which: string): void {
  const d = v.dims?.[1];
  if (typeof d === 'number' && d !== features)
    refuse(`graph ${which} ${quote(v.name)} declares ${d} features, but the layers have ${features}`);
}

/** A layer from a weight matrix: [out, in] when transposed (Gemm transB = 1), [in, out] otherwise. */
function dense(n: OnnxNode, W: Tensor, transposed: boolean): Omit<Layer, 'act'> {
  const [d0, d1] = W.dims as [number, number];
  const nIn = transposed ? d1 : d0,
    nOut = transposed ? d0 : d1;
  if (nIn < 1 || nOut < 1) refuse(`${describe(n)}: weights ${quote(W.name)} have shape [${W.dims.join(', ')}]`);
  let weights = W.values;
  if (!transposed) {
    weights = new Float64Array(nIn * nOut);
    for (let k = 0; k < nIn; k++) for (let j = 0; j < nOut; j++) weights[j * nIn + k] = W.values[k * nOut + j]!;
  }
  return { nIn, nOut, weights, biases: new Float64Array(nOut) };
}

/** Biases of shape [out] or [1, out]; a single value ([] or [1]) is broadcast as ONNX does. */
function bias(n: OnnxNode, t: Tensor, nOut: number): Float64Array {
  const d = t.dims;
  if (t.values.length === 1 && d.every((x) => x === 1)) return new Float64Array(nOut).fill(t.values[0]!);
  const ok = (d.length === 1 && d[0] === nOut) || (d.length === 2 && d[0] === 1 && d[1] === nOut);
  if (!ok)
    refuse(`${describe(n)}: biases ${quote(t.name)} have shape ${dimsText(d)}, expected [${nOut}] or [1, ${nOut}]`);
  return t.values;
}

/**
 * Reads ONNX bytes into the model `Network.fromONNX` loads (checked there, by `checkModel`). Loss: the model's `fastnn.loss` metadata if present (fastnn's
 * own exports), else cross-entropy after softmax and mse otherwise. Seed: `fastnn.seed`, else a random one.
 */
export function onnxToModel(model: unknown): NetworkModel {
  let bytes: Uint8Array;
  if (model instanceof Uint8Array) bytes = model;
  else if (model instanceof ArrayBuffer) bytes = new Uint8Array(model);
  else {
    const what =
      model === null
        ? 'null'
        : Array.isArray(model)
          ? 'an array'
          : typeof model === 'object'
            ? (model.constructor?.name ?? 'an object')
            : typeof model;
    throw new OptionError(`${OP}: model must be a Uint8Array or ArrayBuffer holding an ONNX file, received ${what}`);
  }
  let decoded: Model;
  try {
    decoded = decodeModel(bytes);
  } catch (e) {
    if (e instanceof NnError) throw e;
    if (e instanceof ProtoError)
      throw new NnError(`${OP}: the bytes are not a valid ONNX model (${e.message})`, { cause: e });
    throw new NnError(`${OP}: the bytes are not a valid ONNX model (${(e as Error)?.message ?? String(e)})`, {
      cause: e,
    });
  }
  const { layers, slope } = toLayers(decoded);
  const meta = decoded.metadata;
  const outAct = layers[layers.length - 1]!.act;
  const loss = (meta.get(META.loss) as Loss | undefined) ?? (outAct === 'softmax' ? 'cross-entropy' : 'mse');
  const metaSeed = meta.get(META.seed);
  const seed =
    metaSeed !== undefined && /^\d{1,10}$/.test(metaSeed) && Number(metaSeed) <= 0xffffffff
      ? Number(metaSeed)
      : randomSeed();
  const metaSlope = meta.get(META.leakySlope);
  const metaSlopeNum = metaSlope === undefined || metaSlope.trim() === '' ? NaN : Number(metaSlope);
  const leakySlope = slope ?? (metaSlopeNum >= 0 && metaSlopeNum <= 1 ? metaSlopeNum : 0.01);
  return {
    // an imported model trains as float64 whatever its tensors' type (its values are exact in float64)
    dtype: 'float64',
    layers: [layers[0]!.nIn, ...layers.map((l) => l.nOut)],
    activations: layers.map((l) => l.act),
    loss,
    leakySlope,
    dropout: layers.map(() => 0),
    seed,
    parameters: layers.map((l) => ({ weights: l.weights, biases: l.biases })),
  };
}
