/**
 * Decoding an ONNX ModelProto's wire format into the few structures fromONNX reads (src/onnx/import.ts): nodes,
 * initializers, the graph's inputs and outputs, opset and metadata. Every field is checked; malformed bytes give
 * NnError naming what was malformed.
 */
import { NnError } from '../errors.js';
import { bytesOf, int, ProtoError, pushInts, pushReals, readFields, utf8 } from './proto.js';
import { ATTR, DIM, DTYPE, ENTRY, GRAPH, MODEL, NODE, OPSET, SHAPE, TENSOR, TENSOR_TYPE, TYPE, VALUE_INFO } from './schema.js';

export const OP = 'Network.fromONNX';

export interface Attr {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: Tensor;
  /** repeated / graph fields present (never valid for the attributes fastnn reads) */
  other: boolean;
}
export interface OnnxNode {
  index: number;
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attr[];
}
export interface Tensor {
  name: string;
  dims: number[];
  values: Float64Array;
}
export interface ValueInfo {
  name: string;
  elemType: number;
  dims: (number | string | undefined)[] | undefined;
}
export interface Graph {
  nodes: OnnxNode[];
  initializers: Map<string, Tensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}
export interface Model {
  opset: number | undefined;
  graph: Graph;
  metadata: Map<string, string>;
}

/** Refusal of a well-formed model fastnn cannot represent. */
export function refuse(msg: string): never {
  throw new NnError(`${OP}: ${msg}`);
}

export function describe(n: OnnxNode): string {
  return n.name ? `${n.opType} node '${n.name}'` : `${n.opType} node #${n.index}`;
}

// ---------------------------------------------------------------------------------------------- decoding

function decodeTensor(b: Uint8Array, what: string): Tensor {
  const dims: number[] = [];
  let dataType = 0, name = '';
  const reals: number[] = [];
  let raw: Uint8Array | undefined;
  let sawFloat = false, sawDouble = false;
  for (const f of readFields(b)) {
    switch (f.no) {
      case TENSOR.dims: pushInts(dims, f, `${what}.dims`); break;
      case TENSOR.dataType: dataType = int(f, `${what}.data_type`); break;
      case TENSOR.name: name = utf8(bytesOf(f, `${what}.name`)); break;
      case TENSOR.rawData: raw = bytesOf(f, `${what}.raw_data`); break;
      case TENSOR.floatData: sawFloat = true; pushReals(reals, f, 4, `${what}.float_data`); break;
      case TENSOR.doubleData: sawDouble = true; pushReals(reals, f, 8, `${what}.double_data`); break;
      case TENSOR.docString: break;
      case TENSOR.segment: refuse(`${what}${name ? ` '${name}'` : ''} is segmented, which fastnn does not read`);
      case TENSOR.externalData: case TENSOR.dataLocation:
        if (f.wt === 0 && f.v === 0 && f.no === TENSOR.dataLocation) break; // DEFAULT location
        refuse(`${what}${name ? ` '${name}'` : ''} keeps its data in an external file; save the model with its data inside`);
      default:
        // int32_data, string_data, int64_data, uint64_data: not float tensors; refused below by data_type.
        break;
    }
  }
  const label = `${what} '${name}'`;
  if (dataType !== DTYPE.FLOAT && dataType !== DTYPE.DOUBLE) {
    refuse(`${label} has data_type ${dataType}, expected 1 (float) or 11 (double)`);
  }
  for (const d of dims) if (d < 0) refuse(`${label} has a negative dimension ${d}`);
  const count = dims.reduce((a, d) => a * d, 1);
  let values: Float64Array;
  if (raw !== undefined) {
    if (reals.length > 0) refuse(`${label} has both raw_data and typed data`);
    const size = dataType === DTYPE.DOUBLE ? 8 : 4;
    if (raw.length !== count * size) refuse(`${label} has ${raw.length} bytes of raw_data, expected ${count * size} for dims [${dims.join(', ')}]`);
    values = new Float64Array(count);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) values[i] = size === 8 ? dv.getFloat64(i * 8, true) : dv.getFloat32(i * 4, true);
  } else {
    if (dataType === DTYPE.FLOAT && sawDouble) refuse(`${label} is float but holds double_data`);
    if (dataType === DTYPE.DOUBLE && sawFloat) refuse(`${label} is double but holds float_data`);
    if (reals.length !== count) refuse(`${label} holds ${reals.length} values, expected ${count} for dims [${dims.join(', ')}]`);
    values = Float64Array.from(reals);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) refuse(`${label}[${i}] is ${values[i]}, expected a finite number`);
  }
  return { name, dims, values };
}

function decodeAttr(b: Uint8Array, what: string): Attr {
  const a: Attr = { name: '', type: 0, other: false };
  for (const f of readFields(b)) {
    switch (f.no) {
      case ATTR.name: a.name = utf8(bytesOf(f, `${what}.name`)); break;
      case ATTR.type: a.type = int(f, `${what}.type`); break;
      case ATTR.f:
        if (f.wt !== 5) throw new ProtoError(`${what}.f has wire type ${f.wt}, expected 5`);
        a.f = new DataView(f.v.buffer, f.v.byteOffset, 4).getFloat32(0, true);
        break;
      case ATTR.i: a.i = int(f, `${what}.i`); break;
      case ATTR.s: a.s = utf8(bytesOf(f, `${what}.s`)); break;
      case ATTR.t: a.t = decodeTensor(bytesOf(f, `${what}.t`), `${what}.t`); break;
      case 13: case 21: break; // doc_string, ref_attr_name
      default: a.other = true;
    }
  }
  return a;
}

function decodeNode(b: Uint8Array, index: number): OnnxNode {
  const n: OnnxNode = { index, opType: '', domain: '', name: '', inputs: [], outputs: [], attrs: [] };
  const what = `node #${index}`;
  for (const f of readFields(b)) {
    switch (f.no) {
      case NODE.input: n.inputs.push(utf8(bytesOf(f, `${what}.input`))); break;
      case NODE.output: n.outputs.push(utf8(bytesOf(f, `${what}.output`))); break;
      case NODE.name: n.name = utf8(bytesOf(f, `${what}.name`)); break;
      case NODE.opType: n.opType = utf8(bytesOf(f, `${what}.op_type`)); break;
      case NODE.domain: n.domain = utf8(bytesOf(f, `${what}.domain`)); break;
      case NODE.attribute: n.attrs.push(decodeAttr(bytesOf(f, `${what}.attribute`), `${what}.attribute`)); break;
      default: break; // doc_string, overload, metadata
    }
  }
  return n;
}

function decodeValueInfo(b: Uint8Array, what: string): ValueInfo {
  const v: ValueInfo = { name: '', elemType: 0, dims: undefined };
  for (const f of readFields(b)) {
    if (f.no === VALUE_INFO.name) v.name = utf8(bytesOf(f, `${what}.name`));
    else if (f.no === VALUE_INFO.type) {
      for (const t of readFields(bytesOf(f, `${what}.type`))) {
        if (t.no !== TYPE.tensorType) continue;
        for (const tt of readFields(bytesOf(t, `${what}.type.tensor_type`))) {
          if (tt.no === TENSOR_TYPE.elemType) v.elemType = int(tt, `${what}.elem_type`);
          else if (tt.no === TENSOR_TYPE.shape) {
            v.dims = [];
            for (const d of readFields(bytesOf(tt, `${what}.shape`))) {
              if (d.no !== SHAPE.dim) continue;
              let dim: number | string | undefined;
              for (const x of readFields(bytesOf(d, `${what}.shape.dim`))) {
                if (x.no === DIM.value) dim = int(x, `${what}.dim_value`);
                else if (x.no === DIM.param) dim = utf8(bytesOf(x, `${what}.dim_param`));
              }
              v.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

function decodeGraph(b: Uint8Array): Graph {
  const g: Graph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  for (const f of readFields(b)) {
    switch (f.no) {
      case GRAPH.node: g.nodes.push(decodeNode(bytesOf(f, 'graph.node'), g.nodes.length)); break;
      case GRAPH.initializer: {
        const t = decodeTensor(bytesOf(f, 'graph.initializer'), 'initializer');
        g.initializers.set(t.name, t);
        break;
      }
      case GRAPH.input: g.inputs.push(decodeValueInfo(bytesOf(f, 'graph.input'), 'graph.input')); break;
      case GRAPH.output: g.outputs.push(decodeValueInfo(bytesOf(f, 'graph.output'), 'graph.output')); break;
      case GRAPH.sparseInitializer: refuse('the graph has sparse initializers, which fastnn does not read');
      default: break; // name, doc_string, value_info, quantization_annotation
    }
  }
  return g;
}

export function decodeModel(b: Uint8Array): Model {
  let graph: Graph | undefined;
  let opset: number | undefined;
  let sawModelField = false;
  const metadata = new Map<string, string>();
  for (const f of readFields(b)) {
    switch (f.no) {
      case MODEL.irVersion: int(f, 'ir_version'); sawModelField = true; break;
      case MODEL.graph: graph = decodeGraph(bytesOf(f, 'graph')); break;
      case MODEL.opsetImport: {
        let domain = '', version: number | undefined;
        for (const o of readFields(bytesOf(f, 'opset_import'))) {
          if (o.no === OPSET.domain) domain = utf8(bytesOf(o, 'opset_import.domain'));
          else if (o.no === OPSET.version) version = int(o, 'opset_import.version');
        }
        if (domain === '' || domain === 'ai.onnx') opset = version;
        break;
      }
      case MODEL.metadataProps: {
        let k = '', v = '';
        for (const e of readFields(bytesOf(f, 'metadata_props'))) {
          if (e.no === ENTRY.key) k = utf8(bytesOf(e, 'metadata_props.key'));
          else if (e.no === ENTRY.value) v = utf8(bytesOf(e, 'metadata_props.value'));
        }
        metadata.set(k, v);
        break;
      }
      default: break; // producer, domain, model_version, doc_string, training_info, functions
    }
  }
  if (graph === undefined) {
    throw new ProtoError(sawModelField ? 'the model has no graph' : 'no ir_version and no graph: this is not an ONNX ModelProto');
  }
  return { opset, graph, metadata };
}

// ---------------------------------------------------------------------------------------------- mapping

