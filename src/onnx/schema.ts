/**
 * Field numbers of the ONNX messages fastnn reads and writes (onnx/onnx.proto, IR version 7+). One place, shared by
 * the exporter and the importer.
 */
export const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const;
export const OPSET = { domain: 1, version: 2 } as const;
export const ENTRY = { key: 1, value: 2 } as const;
export const GRAPH = {
  node: 1,
  name: 2,
  initializer: 5,
  docString: 10,
  input: 11,
  output: 12,
  valueInfo: 13,
  sparseInitializer: 15,
} as const;
export const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 } as const;
export const ATTR = {
  name: 1,
  f: 2,
  i: 3,
  s: 4,
  t: 5,
  g: 6,
  floats: 7,
  ints: 8,
  strings: 9,
  tensors: 10,
  graphs: 11,
  docString: 13,
  type: 20,
  refAttrName: 21,
} as const;
/** AttributeProto.AttributeType values used here. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4 } as const;
export const TENSOR = {
  dims: 1,
  dataType: 2,
  segment: 3,
  floatData: 4,
  int32Data: 5,
  stringData: 6,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
  uint64Data: 11,
  docString: 12,
  externalData: 13,
  dataLocation: 14,
} as const;
/** TensorProto.DataType values: the two fastnn reads (and writes). */
export const DTYPE = { FLOAT: 1, DOUBLE: 11 } as const;
export const VALUE_INFO = { name: 1, type: 2, docString: 3 } as const;
export const TYPE = { tensorType: 1, denotation: 6 } as const;
export const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
export const SHAPE = { dim: 1 } as const;
export const DIM = { value: 1, param: 2, denotation: 3 } as const;

/**
 * The singular fields of every message fastnn decodes, with their onnx.proto names. Protobuf merges a repeated
 * singular message and keeps the last repeated scalar; a model file that repeats one was written by hand or damaged,
 * and either choice would load a network nobody exported, so the decoder refuses it, naming the field.
 */
export const SINGULAR = {
  ModelProto: {
    [MODEL.irVersion]: 'ir_version',
    [MODEL.producerName]: 'producer_name',
    [MODEL.producerVersion]: 'producer_version',
    [MODEL.domain]: 'domain',
    [MODEL.modelVersion]: 'model_version',
    [MODEL.docString]: 'doc_string',
    [MODEL.graph]: 'graph',
  },
  OperatorSetIdProto: { [OPSET.domain]: 'domain', [OPSET.version]: 'version' },
  StringStringEntryProto: { [ENTRY.key]: 'key', [ENTRY.value]: 'value' },
  GraphProto: { [GRAPH.name]: 'name', [GRAPH.docString]: 'doc_string' },
  NodeProto: { [NODE.name]: 'name', [NODE.opType]: 'op_type', [NODE.docString]: 'doc_string', [NODE.domain]: 'domain' },
  AttributeProto: {
    [ATTR.name]: 'name',
    [ATTR.f]: 'f',
    [ATTR.i]: 'i',
    [ATTR.s]: 's',
    [ATTR.t]: 't',
    [ATTR.g]: 'g',
    [ATTR.type]: 'type',
    [ATTR.docString]: 'doc_string',
    [ATTR.refAttrName]: 'ref_attr_name',
  },
  TensorProto: {
    [TENSOR.dataType]: 'data_type',
    [TENSOR.segment]: 'segment',
    [TENSOR.name]: 'name',
    [TENSOR.rawData]: 'raw_data',
    [TENSOR.docString]: 'doc_string',
    [TENSOR.dataLocation]: 'data_location',
  },
  ValueInfoProto: { [VALUE_INFO.name]: 'name', [VALUE_INFO.type]: 'type', [VALUE_INFO.docString]: 'doc_string' },
  TypeProto: { [TYPE.tensorType]: 'tensor_type', [TYPE.denotation]: 'denotation' },
  'TypeProto.Tensor': { [TENSOR_TYPE.elemType]: 'elem_type', [TENSOR_TYPE.shape]: 'shape' },
  'TensorShapeProto.Dimension': { [DIM.value]: 'dim_value', [DIM.param]: 'dim_param', [DIM.denotation]: 'denotation' },
} as const satisfies Record<string, Record<number, string>>;

/** IR version 7 (ONNX 1.8) is the first to carry opset 13, the opset fastnn writes. */
export const IR_VERSION = 7;
export const OPSET_VERSION = 13;
/** metadata_props keys fastnn writes, so its own exports load back with their loss, seed and slope. */
export const META = { loss: 'fastnn.loss', seed: 'fastnn.seed', leakySlope: 'fastnn.leakySlope' } as const;
