/**
 * Loading untrusted input (docs/reliability.md "Loading untrusted models"):
 * - fromONNX stays linear in the file: one tensor feeding every node (Add(x, x), Relu(x)) is refused quickly,
 *   below the node cap by the chain check, above it by the cap (MAX_ONNX_NODES), each with a typed error;
 * - names from the file never reach Object.prototype (attribute 'toString', 'constructor', '__proto__');
 * - a repeated singular field (two `graph` fields, two op_types, ...), two initializers or two attributes of one
 *   name, two definitions of one tensor, two metadata entries or opset imports of one key are refused, naming it;
 * - every array a caller hands in is checked element by element, holes included: a sparse array is a typed error
 *   naming the index, and nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { NnError, OptionError, ShapeError } from '../src/errors.js';
import { matrix } from '../src/matrix.js';
import { Network, type LayerParameters, type NetworkJSON } from '../src/network.js';
import { MAX_ONNX_NODES } from '../src/onnx/decode.js';
import { model, node, tensor, valueInfo } from '../src/onnx/export.js';
import { Writer } from '../src/onnx/proto.js';
import { paramBits } from './helpers/data.js';
import { fanOutModel } from './helpers/wire.js';

/** fromONNX's outcome: the error it threw (the test then checks its class), or null after loading. */
async function outcome(bytes: Uint8Array): Promise<unknown> {
  try {
    (await Network.fromONNX(bytes)).dispose();
    return null;
  } catch (e) {
    return e;
  }
}

async function refused(bytes: Uint8Array, ...fragments: (string | RegExp)[]): Promise<Error> {
  const e = await outcome(bytes);
  expect(e, 'fromONNX should refuse').toBeInstanceOf(NnError);
  for (const f of fragments) expect((e as Error).message).toMatch(f);
  return e as Error;
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const W = (): Writer => tensor('W', [2, 3], [1, 2, 3, 4, 5, 6], 'float64');
const B = (v = 0): Writer => tensor('b', [2], [v, -v], 'float64');
const gemm = (extra?: (w: Writer) => void): Writer => {
  const n = node('Gemm', ['x', 'W', 'b'], ['y'], 'fc', { transB: { int: 1 } });
  extra?.(n);
  return n;
};
function oneLayer(
  o: { nodes?: Writer[]; inits?: Writer[]; inputs?: Writer[]; metadata?: Record<string, string> } = {},
): Uint8Array {
  return model({
    name: 'g',
    nodes: o.nodes ?? [gemm()],
    initializers: o.inits ?? [W(), B()],
    inputs: o.inputs ?? [valueInfo('x', 'float64', ['N', 3])],
    outputs: [valueInfo('y', 'float64', ['N', 2])],
    ...(o.metadata ? { metadata: o.metadata } : {}),
  });
}
/** An attribute written field by field. */
const attr = (fields: (w: Writer) => Writer): Writer => fields(new Writer());

describe('fromONNX time on fan-out graphs (linear, with a node cap)', () => {
  it('N Add(x, x) nodes just below the cap: refused by the chain check, naming the count and a few nodes', async () => {
    const bytes = fanOutModel(MAX_ONNX_NODES, 'Add');
    expect(bytes.length).toBeGreaterThan(2e6);
    const e = await refused(
      bytes,
      `tensor 'x' feeds ${MAX_ONNX_NODES} nodes (Add node #0, Add node #1, Add node #2 and ${MAX_ONNX_NODES - 3} more)`,
    );
    expect(e.message.length).toBeLessThan(300);
  });
  it('a 5 MB file of Add(x, x) nodes and 150,000 Relu nodes reading one tensor: refused by the node cap', async () => {
    const add = fanOutModel(250_000, 'Add');
    expect(add.length).toBeGreaterThan(5e6);
    await refused(
      add,
      `the graph has 250000 nodes, more than the ${MAX_ONNX_NODES} fastnn reads`,
      'MAX_ONNX_NODES',
      'export it as a chain of Gemm',
    );
    await refused(fanOutModel(150_000, 'Relu'), `the graph has 150000 nodes, more than the ${MAX_ONNX_NODES}`);
  });
  it('a node reading one tensor twice still counts once (Max(z, z) style), and a real chain under the cap loads', async () => {
    const net = await Network.create({ layers: [3, 4, 4, 2], activation: 'softplus', seed: 5 });
    const back = await Network.fromONNX(net.toONNX());
    expect(paramBits(back.getParameters())).toEqual(paramBits(net.getParameters()));
    net.dispose();
    back.dispose();
  });
});

describe('fromONNX: names from the file are looked up as own keys only', () => {
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`a Gemm attribute named '${name}' is an unknown attribute`, async () => {
      const n = node('Gemm', ['x', 'W', 'b'], ['y'], 'fc', { transB: { int: 1 } }).message(
        5,
        attr((w) => w.string(1, name).int64(3, 1).int64(20, 2)),
      );
      const e = await refused(
        oneLayer({ nodes: [n] }),
        `Gemm node 'fc' has attribute '${name}', which fastnn does not read (it reads alpha|beta|transA|transB)`,
      );
      expect(e.message).not.toMatch(/object Object|function/);
    });
  }
  it('an activation node with a prototype-named attribute, and Object.prototype unchanged after all of them', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort().join();
    const relu = node('Gemm', ['x', 'W', 'b'], ['z'], 'fc', { transB: { int: 1 } });
    const act = node('Relu', ['z'], ['y'], 'r').message(
      5,
      attr((w) => w.string(1, '__proto__').float(2, 1).int64(20, 1)),
    );
    await refused(
      oneLayer({ nodes: [relu, act] }),
      "Relu node 'r' has attribute '__proto__', which fastnn does not read (it reads none)",
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join()).toBe(before);
  });
});

describe('fromONNX refuses repeated singular fields and duplicate names, naming them', () => {
  it('two graph fields in ModelProto (protobuf would merge them)', async () => {
    const net = await Network.create({ layers: [3, 2], seed: 1 });
    const good = net.toONNX();
    net.dispose();
    const second = new Writer().message(7, new Writer().string(2, 'other')).finish();
    await refused(cat(good, second), "the model has more than one 'graph' field (ModelProto field 7)");
    await refused(cat(good, new Writer().int64(1, 7).finish()), "the model has more than one 'ir_version' field");
  });
  it('a node with two op_type fields, an attribute with two i fields, a tensor with two data_type fields', async () => {
    await refused(
      oneLayer({ nodes: [gemm((w) => w.string(4, 'Relu'))] }),
      "node #0 has more than one 'op_type' field (NodeProto field 4)",
    );
    const twoI = node('Gemm', ['x', 'W', 'b'], ['y'], 'fc').message(
      5,
      attr((w) => w.string(1, 'transB').int64(3, 1).int64(3, 0).int64(20, 2)),
    );
    await refused(
      oneLayer({ nodes: [twoI] }),
      "node #0.attribute #0 'transB' has more than one 'i' field (AttributeProto field 3)",
    );
    const b = B().int64(2, 1);
    await refused(
      oneLayer({ inits: [W(), b] }),
      "initializer 'b' has more than one 'data_type' field (TensorProto field 2)",
    );
  });
  it('a graph input with two names, a dimension with both dim_value and dim_param', async () => {
    await refused(
      oneLayer({ inputs: [valueInfo('x', 'float64', ['N', 3]).string(1, 'x2')] }),
      "graph.input #0 has more than one 'name' field (ValueInfoProto field 1)",
    );
    const shape = new Writer()
      .message(1, new Writer().string(2, 'N'))
      .message(1, new Writer().int64(1, 3).string(2, 'F'));
    const vi = new Writer()
      .string(1, 'x')
      .message(2, new Writer().message(1, new Writer().int64(1, 11).message(2, shape)));
    await refused(oneLayer({ inputs: [vi] }), 'graph.input #0.shape.dim #1 has both dim_value and dim_param');
  });
  it('two initializers with one name (ONNX Runtime would keep the last)', async () => {
    await refused(
      oneLayer({ inits: [W(), B(1), B(2)] }),
      "two initializers are named 'b'; a graph names each tensor once",
    );
  });
  it('two attributes with one name (ONNX Runtime refuses too)', async () => {
    await refused(
      oneLayer({
        nodes: [
          node('Gemm', ['x', 'W', 'b'], ['y'], 'fc', { transB: { int: 1 }, transA: { int: 0 } }).message(
            5,
            attr((w) => w.string(1, 'transA').int64(3, 0).int64(20, 2)),
          ),
        ],
      }),
      "Gemm node 'fc' has more than one attribute named 'transA'",
    );
  });
  it('a tensor defined twice: two nodes writing it, a node writing an initializer or the graph input, a Constant shadowing an initializer', async () => {
    await refused(
      oneLayer({ nodes: [gemm(), node('Relu', ['x'], ['y'], 'r')] }),
      "Relu node 'r' writes 'y', which Gemm node 'fc' already defines",
    );
    await refused(
      oneLayer({ nodes: [node('Relu', ['x'], ['b'], 'r'), gemm()] }),
      "Relu node 'r' writes 'b', which an initializer already defines",
    );
    await refused(
      oneLayer({ nodes: [node('Relu', ['y'], ['x'], 'r'), gemm()] }),
      "Relu node 'r' writes 'x', which a graph input already defines",
    );
    await refused(
      oneLayer({ nodes: [node('Constant', [], ['b'], 'k', { value: { tensor: B(3) } }), gemm()] }),
      "Constant node 'k' writes 'b', which an initializer already defines",
    );
    await refused(
      oneLayer({ inputs: [valueInfo('x', 'float64', ['N', 3]), valueInfo('x', 'float64', ['N', 3])] }),
      "the graph has two inputs named 'x'",
    );
  });
  it('two metadata entries with one key, two opset imports of the default domain', async () => {
    const m = new Writer().string(1, 'fastnn.loss').string(2, 'mse');
    await refused(
      cat(oneLayer({ metadata: { 'fastnn.loss': 'mse' } }), new Writer().message(14, m).finish()),
      "metadata_props has more than one entry with the key 'fastnn.loss'",
    );
    await refused(
      cat(oneLayer(), new Writer().message(8, new Writer().string(1, 'ai.onnx').int64(2, 7)).finish()),
      "opset_import names the domain 'ai.onnx' more than once",
    );
  });
  it('an initializer that is also listed as a graph input still loads (older exporters write that)', async () => {
    const bytes = oneLayer({ inputs: [valueInfo('x', 'float64', ['N', 3]), valueInfo('W', 'float64', [2, 3])] });
    expect(await outcome(bytes)).toBeNull();
  });
});

describe('holes in arrays handed in are typed errors naming the index', () => {
  async function saved(optimizer = false): Promise<NetworkJSON> {
    const net = await Network.create({ layers: [2, 3, 1], seed: 3 });
    net.train(
      [
        [0, 1],
        [1, 0],
      ],
      [[1], [0]],
      { epochs: 1, learningRate: 0.1, batchSize: 1, optimizer: 'momentum' },
    );
    const j = net.toJSON({ optimizer });
    net.dispose();
    return j;
  }
  async function loadRefused(j: unknown, fragment: string): Promise<void> {
    const e = await Network.fromJSON(j).then(
      (n) => (n.dispose(), null),
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(NnError);
    expect((e as Error).message).toContain(fragment);
  }
  it('fromJSON: a hole in parameters, in a weights array, in activations, in optimizer.layers', async () => {
    const j = await saved(true);
    const holeAt = <T>(a: T[], i: number): T[] => {
      const b = a.slice();
      // eslint-disable-next-line @typescript-eslint/no-array-delete -- a hole is the input under test
      delete b[i];
      return b;
    };
    await loadRefused(
      { ...j, parameters: holeAt(j.parameters, 0) },
      'parameters[0] must be { weights, biases }, received a hole',
    );
    await loadRefused(
      { ...j, parameters: [{ ...j.parameters[0]!, weights: holeAt(j.parameters[0]!.weights, 4) }, j.parameters[1]] },
      'parameters[0].weights[4] is a hole',
    );
    await loadRefused({ ...j, activations: holeAt(j.activations, 1) }, 'activations[1] is a hole');
    await loadRefused(
      { ...j, optimizer: { ...j.optimizer!, layers: holeAt(j.optimizer!.layers, 1) } },
      'optimizer.layers[1] must be an object, received a hole',
    );
    await loadRefused(
      {
        ...j,
        optimizer: {
          ...j.optimizer!,
          layers: [{ ...j.optimizer!.layers[0]!, b: holeAt(j.optimizer!.layers[0]!.b!, 2) }, j.optimizer!.layers[1]],
        },
      },
      'optimizer.layers[0].b[2] is a hole',
    );
    // the same arrays without holes load
    (await Network.fromJSON(j)).dispose();
  });
  it('setParameters([, l1]) and a hole inside a layer: ShapeError, parameters unchanged', async () => {
    const net = await Network.create({ layers: [2, 3, 1], seed: 4 });
    const before = paramBits(net.getParameters());
    const [l0, l1] = net.getParameters();
    const sparse: LayerParameters[] = [];
    sparse[1] = l1!;
    expect(() => net.setParameters(sparse)).toThrow(ShapeError);
    expect(() => net.setParameters(sparse)).toThrow(
      'setParameters: layer 0 must be { weights, biases }, received a hole',
    );
    const w = Array.from(l0!.weights);
    // eslint-disable-next-line @typescript-eslint/no-array-delete -- a hole is the input under test
    delete w[3];
    expect(() => net.setParameters([{ weights: w as unknown as Float64Array, biases: l0!.biases }, l1!])).toThrow(
      'layer 0 weights[1][1] is a hole',
    );
    expect(paramBits(net.getParameters())).toEqual(before);
    net.dispose();
  });
  it('create({ layers: [2, , 1] }): OptionError naming layers[1]', async () => {
    // eslint-disable-next-line no-sparse-arrays
    const e = await Network.create({ layers: [2, , 1] as number[] }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(OptionError);
    expect((e as Error).message).toContain(
      'Network.create: layers[1] must be an integer in [1, 16777216], received a hole',
    );
  });
  it('predict / train data: a missing row or value is named as a hole; matrix() refuses a sparse data array', async () => {
    const net = await Network.create({ layers: [2, 1], seed: 6 });
    // eslint-disable-next-line no-sparse-arrays
    expect(() => net.predict([[1, 2], , [3, 4]] as unknown as number[][])).toThrow(
      'predict: x[1] must be an array of numbers, received a hole',
    );
    const before = paramBits(net.getParameters());
    // eslint-disable-next-line no-sparse-arrays
    expect(() => net.train([[1, 2]], [[,] as unknown as number[]], { epochs: 1, learningRate: 0.1 })).toThrow(
      'train: y[0][0] is a hole',
    );
    expect(paramBits(net.getParameters())).toEqual(before);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => net.predict([[1, ,] as unknown as number[]])).toThrow('predict: x[0][1] is a hole');
    // eslint-disable-next-line no-sparse-arrays
    expect(() => matrix(1, 3, [1, , 3] as unknown as number[])).toThrow('matrix: data[1] is a hole');
    expect(() => matrix(1, 2, [1, NaN])).not.toThrow(); // NaN itself is checked where the matrix is used
    net.dispose();
  });
});
