/**
 * Decoding an ONNX ModelProto's wire format into the few structures fromONNX reads (src/onnx/import.ts): nodes,
 * initializers, the graph's inputs and outputs, opset and metadata. Every field is checked; malformed bytes give
 * NnError naming what was malformed.
 */
import { NnError } from '../errors.js';
import { FieldReader, ProtoError } from './proto.js';
import {
  ATTR,
  DIM,
  DTYPE,
  ENTRY,
  GRAPH,
  MODEL,
  NODE,
  OPSET,
  SHAPE,
  SINGULAR,
  TENSOR,
  TENSOR_TYPE,
  TYPE,
  VALUE_INFO,
} from './schema.js';

export const OP = 'Network.fromONNX';

/**
 * Most nodes a graph may have. A dense layer is at most 8 nodes (Gemm and softplus written out as 7 ops), so this
 * allows 12,500 layers; past it the file is not a network fastnn could load, and refusing it from the count alone
 * keeps a hostile file from costing more than one pass over its bytes.
 */
export const MAX_ONNX_NODES = 100_000;

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

/** A name from the file, quoted for a message: long names are cut (the file may hold megabytes in one name). */
export function quote(s: string): string {
  return `'${s.length > 80 ? `${s.slice(0, 80)}…` : s}'`;
}

export function describe(n: OnnxNode): string {
  const op = n.opType.length > 80 ? `${n.opType.slice(0, 80)}…` : n.opType;
  return n.name ? `${op} node ${quote(n.name)}` : `${op} node #${n.index}`;
}

/** Up to `max` items of a list for a message, then how many more there are. */
export function listSome<T>(items: readonly T[], show: (item: T) => string, max = 3): string {
  const shown: string[] = [];
  for (let i = 0; i < items.length && i < max; i++) shown.push(show(items[i]!));
  return items.length > max ? `${shown.join(', ')} and ${items.length - max} more` : shown.join(', ');
}

/** dims for a message (a hostile file may declare millions). */
export function dimsText(dims: readonly number[]): string {
  return dims.length > 8 ? `[${dims.slice(0, 8).join(', ')}, … (${dims.length} dims)]` : `[${dims.join(', ')}]`;
}

/**
 * A guard for one message's singular fields (schema.ts SINGULAR says why a repeated one is refused): call it with
 * each field number as the fields are read. `where` names the message in the refusal.
 */
function singular(message: keyof typeof SINGULAR, where: () => string): (no: number) => void {
  const names: Readonly<Record<number, string>> = SINGULAR[message];
  let seen = 0; // bit `no` set once field `no` was read (singular field numbers are all below 32)
  return (no) => {
    if (no >= 32 || !Object.hasOwn(names, no)) return;
    if (seen & (1 << no)) {
      refuse(
        `${where()} has more than one '${names[no]}' field (${message} field ${no}); fastnn refuses a repeated singular field rather than merge the copies or keep the last one (re-export the model)`,
      );
    }
    seen |= 1 << no;
  };
}

// ---------------------------------------------------------------------------------------------- decoding

function decodeTensor(f: FieldReader, what: string): Tensor {
  const dims: number[] = [];
  let dataType = 0,
    name = '';
  const reals: number[] = [];
  let raw: Uint8Array | undefined;
  let sawFloat = false,
    sawDouble = false;
  const once = singular('TensorProto', () => (name ? `${what} ${quote(name)}` : what));
  while (f.next()) {
    once(f.no);
    switch (f.no) {
      case TENSOR.dims:
        f.pushInts(dims, `${what}.dims`);
        break;
      case TENSOR.dataType:
        dataType = f.int(`${what}.data_type`);
        break;
      case TENSOR.name:
        name = f.string(`${what}.name`);
        break;
      case TENSOR.rawData:
        raw = f.bytes(`${what}.raw_data`);
        break;
      case TENSOR.floatData:
        sawFloat = true;
        f.pushReals(reals, 4, `${what}.float_data`);
        break;
      case TENSOR.doubleData:
        sawDouble = true;
        f.pushReals(reals, 8, `${what}.double_data`);
        break;
      case TENSOR.docString:
        break;
      case TENSOR.segment:
        refuse(`${what}${name ? ` ${quote(name)}` : ''} is segmented, which fastnn does not read`);
      case TENSOR.externalData:
      case TENSOR.dataLocation:
        if (f.wt === 0 && f.v === 0 && f.no === TENSOR.dataLocation) break; // DEFAULT location
        refuse(
          `${what}${name ? ` ${quote(name)}` : ''} keeps its data in an external file; save the model with its data inside`,
        );
      default:
        // int32_data, string_data, int64_data, uint64_data: not float tensors; refused below by data_type.
        break;
    }
  }
  const label = `${what} ${quote(name)}`;
  if (dataType !== DTYPE.FLOAT && dataType !== DTYPE.DOUBLE) {
    refuse(`${label} has data_type ${dataType}, expected 1 (float) or 11 (double)`);
  }
  for (const d of dims) if (d < 0) refuse(`${label} has a negative dimension ${d}`);
  let count = 1;
  for (let i = 0; i < dims.length; i++) count *= dims[i]!;
  let values: Float64Array;
  if (raw !== undefined) {
    if (reals.length > 0) refuse(`${label} has both raw_data and typed data`);
    const size = dataType === DTYPE.DOUBLE ? 8 : 4;
    if (raw.length !== count * size)
      refuse(`${label} has ${raw.length} bytes of raw_data, expected ${count * size} for dims ${dimsText(dims)}`);
    values = new Float64Array(count);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) values[i] = size === 8 ? dv.getFloat64(i * 8, true) : dv.getFloat32(i * 4, true);
  } else {
    if (dataType === DTYPE.FLOAT && sawDouble) refuse(`${label} is float but holds double_data`);
    if (dataType === DTYPE.DOUBLE && sawFloat) refuse(`${label} is double but holds float_data`);
    if (reals.length !== count)
      refuse(`${label} holds ${reals.length} values, expected ${count} for dims ${dimsText(dims)}`);
    values = Float64Array.from(reals);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) refuse(`${label}[${i}] is ${values[i]}, expected a finite number`);
  }
  return { name, dims, values };
}

function decodeAttr(f: FieldReader, what: string): Attr {
  const a: Attr = { name: '', type: 0, other: false };
  const once = singular('AttributeProto', () => (a.name ? `${what} ${quote(a.name)}` : what));
  while (f.next()) {
    once(f.no);
    switch (f.no) {
      case ATTR.name:
        a.name = f.string(`${what}.name`);
        break;
      case ATTR.type:
        a.type = f.int(`${what}.type`);
        break;
      case ATTR.f:
        if (f.wt !== 5) throw new ProtoError(`${what}.f has wire type ${f.wt}, expected 5`);
        a.f = new DataView(f.b.buffer, f.b.byteOffset + f.start, 4).getFloat32(0, true);
        break;
      case ATTR.i:
        a.i = f.int(`${what}.i`);
        break;
      case ATTR.s:
        a.s = f.string(`${what}.s`);
        break;
      case ATTR.t:
        a.t = decodeTensor(f.message(`${what}.t`), `${what}.t`);
        break;
      case ATTR.docString:
      case ATTR.refAttrName:
        break;
      default:
        a.other = true;
    }
  }
  return a;
}

function decodeNode(f: FieldReader, index: number): OnnxNode {
  const n: OnnxNode = { index, opType: '', domain: '', name: '', inputs: [], outputs: [], attrs: [] };
  // labels are constants here (wire errors give the byte offset): a string built per field of every node was a
  // measurable share of decoding a large graph
  const once = singular('NodeProto', () => `node #${index}`);
  while (f.next()) {
    once(f.no);
    switch (f.no) {
      case NODE.input:
        n.inputs.push(f.string('node.input'));
        break;
      case NODE.output:
        n.outputs.push(f.string('node.output'));
        break;
      case NODE.name:
        n.name = f.string('node.name');
        break;
      case NODE.opType:
        n.opType = f.string('node.op_type');
        break;
      case NODE.domain:
        n.domain = f.string('node.domain');
        break;
      case NODE.attribute:
        n.attrs.push(decodeAttr(f.message('node.attribute'), `node #${index}.attribute #${n.attrs.length}`));
        break;
      default:
        break; // doc_string, overload, metadata
    }
  }
  if (n.attrs.length > 1) {
    // ONNX Runtime refuses this too ("Attribute 'x' appeared multiple times")
    const names = new Set<string>();
    for (const a of n.attrs) {
      if (names.has(a.name)) refuse(`${describe(n)} has more than one attribute named ${quote(a.name)}`);
      names.add(a.name);
    }
  }
  return n;
}

function decodeValueInfo(f: FieldReader, what: string): ValueInfo {
  const v: ValueInfo = { name: '', elemType: 0, dims: undefined };
  const once = singular('ValueInfoProto', () => what);
  while (f.next()) {
    once(f.no);
    if (f.no === VALUE_INFO.name) v.name = f.string(`${what}.name`);
    else if (f.no === VALUE_INFO.type) {
      const onceType = singular('TypeProto', () => `${what}.type`);
      const t = f.message(`${what}.type`);
      while (t.next()) {
        onceType(t.no);
        if (t.no !== TYPE.tensorType) continue;
        const onceTensor = singular('TypeProto.Tensor', () => `${what}.type.tensor_type`);
        const tt = t.message(`${what}.type.tensor_type`);
        while (tt.next()) {
          onceTensor(tt.no);
          if (tt.no === TENSOR_TYPE.elemType) v.elemType = tt.int(`${what}.elem_type`);
          else if (tt.no === TENSOR_TYPE.shape) {
            v.dims = [];
            const d = tt.message(`${what}.shape`);
            while (d.next()) {
              if (d.no !== SHAPE.dim) continue;
              let dim: number | string | undefined;
              const onceDim = singular('TensorShapeProto.Dimension', () => `${what}.shape.dim #${v.dims!.length}`);
              const x = d.message(`${what}.shape.dim`);
              while (x.next()) {
                onceDim(x.no);
                if ((x.no === DIM.value || x.no === DIM.param) && dim !== undefined) {
                  refuse(
                    `${what}.shape.dim #${v.dims.length} has both dim_value and dim_param (one of them, as the oneof says)`,
                  );
                }
                if (x.no === DIM.value) dim = x.int(`${what}.dim_value`);
                else if (x.no === DIM.param) dim = x.string(`${what}.dim_param`);
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

function decodeGraph(f: FieldReader): Graph {
  const g: Graph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  let nodes = 0;
  for (const c = f.fork(); c.next();) if (c.no === GRAPH.node) nodes++;
  if (nodes > MAX_ONNX_NODES) {
    refuse(
      `the graph has ${nodes} nodes, more than the ${MAX_ONNX_NODES} fastnn reads (MAX_ONNX_NODES: a dense layer takes at most 8 nodes, so about ${Math.floor(MAX_ONNX_NODES / 8)} layers); this is not a dense network fastnn can load: check that the file is the model you meant, or export it as a chain of Gemm (or MatMul + Add) layers`,
    );
  }
  const once = singular('GraphProto', () => 'the graph');
  while (f.next()) {
    once(f.no);
    switch (f.no) {
      case GRAPH.node:
        g.nodes.push(decodeNode(f.message('graph.node'), g.nodes.length));
        break;
      case GRAPH.initializer: {
        const t = decodeTensor(f.message('graph.initializer'), 'initializer');
        // ONNX Runtime keeps the last with a warning; a second tensor under one name is a damaged or crafted file
        if (g.initializers.has(t.name))
          refuse(`two initializers are named ${quote(t.name)}; a graph names each tensor once (re-export the model)`);
        g.initializers.set(t.name, t);
        break;
      }
      case GRAPH.input:
        g.inputs.push(decodeValueInfo(f.message('graph.input'), `graph.input #${g.inputs.length}`));
        break;
      case GRAPH.output:
        g.outputs.push(decodeValueInfo(f.message('graph.output'), `graph.output #${g.outputs.length}`));
        break;
      case GRAPH.sparseInitializer:
        refuse('the graph has sparse initializers, which fastnn does not read');
      default:
        break; // name, doc_string, value_info, quantization_annotation
    }
  }
  return g;
}

export function decodeModel(b: Uint8Array): Model {
  let graph: Graph | undefined;
  let opset: number | undefined;
  let sawModelField = false;
  const metadata = new Map<string, string>();
  const domains = new Set<string>();
  const once = singular('ModelProto', () => 'the model');
  const f = new FieldReader(b);
  while (f.next()) {
    once(f.no);
    switch (f.no) {
      case MODEL.irVersion:
        f.int('ir_version');
        sawModelField = true;
        break;
      case MODEL.graph:
        graph = decodeGraph(f.message('graph'));
        break;
      case MODEL.opsetImport: {
        let domain = '',
          version: number | undefined;
        const onceOpset = singular('OperatorSetIdProto', () => `opset_import #${domains.size}`);
        const o = f.message('opset_import');
        while (o.next()) {
          onceOpset(o.no);
          if (o.no === OPSET.domain) domain = o.string('opset_import.domain');
          else if (o.no === OPSET.version) version = o.int('opset_import.version');
        }
        const key = domain === 'ai.onnx' ? '' : domain; // one domain, two spellings
        if (domains.has(key))
          refuse(
            `opset_import names the domain ${quote(domain)} more than once; which opset the model uses would be ambiguous`,
          );
        domains.add(key);
        if (key === '') opset = version;
        break;
      }
      case MODEL.metadataProps: {
        let k = '',
          v = '';
        const onceEntry = singular('StringStringEntryProto', () => `metadata_props #${metadata.size}`);
        const e = f.message('metadata_props');
        while (e.next()) {
          onceEntry(e.no);
          if (e.no === ENTRY.key) k = e.string('metadata_props.key');
          else if (e.no === ENTRY.value) v = e.string('metadata_props.value');
        }
        if (metadata.has(k)) refuse(`metadata_props has more than one entry with the key ${quote(k)}`);
        metadata.set(k, v);
        break;
      }
      default:
        break; // producer, domain, model_version, doc_string, training_info, functions
    }
  }
  if (graph === undefined) {
    throw new ProtoError(
      sawModelField ? 'the model has no graph' : 'no ir_version and no graph: this is not an ONNX ModelProto',
    );
  }
  return { opset, graph, metadata };
}

// ---------------------------------------------------------------------------------------------- mapping
