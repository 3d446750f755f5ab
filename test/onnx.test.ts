/**
 * ONNX export and import (API.md "ONNX"), judged by ONNX Runtime (onnxruntime-web's WASM backend, in Node):
 * - every exported network, for every activation and loss pairing, several shapes and both dtypes, on 1 row and on
 *   many, runs in ONNX Runtime and gives `predict`'s values within tol·max(1, |a|, |b|) (1e-12 float64, 1e-5 float32);
 * - fromONNX(toONNX(net)) is the same network (float64 bit for bit; float32 = Math.fround of the parameters and slope),
 *   on every backend;
 * - graphs written node by node (MatMul + Add, Gemm transB 0/1, float_data / raw_data / double_data, LeakyRelu,
 *   Constant, other names) load, and the loaded network's predict equals ONNX Runtime on the same bytes;
 * - unsupported graphs are refused with an NnError naming the node; random and truncated bytes give only NnError.
 */
import fc from 'fast-check';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import type { Activation, Loss } from '../src/backend.js';
import { NnError, OptionError } from '../src/errors.js';
import { Network } from '../src/network.js';
import {
  model,
  node,
  tensor,
  valueInfo,
  type AttrValue,
  type OnnxDtype,
  type TensorStorage,
} from '../src/onnx/export.js';
import { FieldReader, ProtoError, readFields, Writer } from '../src/onnx/proto.js';
import { BACKENDS } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';

ort.env.wasm.numThreads = 1;

const TOL: Record<OnnxDtype, number> = { float64: 1e-12, float32: 1e-5 };
/** Largest relative error seen against ONNX Runtime, per dtype (printed at the end, for the report). */
const worst: Record<OnnxDtype, { err: number; where: string }> = {
  float64: { err: 0, where: '' },
  float32: { err: 0, where: '' },
};
let comparisons = 0;

afterAll(() => {
  console.log(
    `ONNX Runtime vs predict over ${comparisons} comparisons: largest |a-b|/max(1,|a|,|b|) float64 ${worst.float64.err.toExponential(3)} (${worst.float64.where}), ` +
      `float32 ${worst.float32.err.toExponential(3)} (${worst.float32.where})`,
  );
});

/** Runs the model in ONNX Runtime on `x` (rows), feeding its one input in `dtype`. */
async function runOrt(
  bytes: Uint8Array,
  x: number[][],
  dtype: OnnxDtype,
): Promise<{ data: Float64Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const flat = x.flat();
    const t =
      dtype === 'float64'
        ? new ort.Tensor('float64', Float64Array.from(flat), [x.length, x[0]!.length])
        : new ort.Tensor('float32', Float32Array.from(flat), [x.length, x[0]!.length]);
    const out = await session.run({ [session.inputNames[0]!]: t });
    const y = out[session.outputNames[0]!]!;
    expect(y.type).toBe(dtype);
    return { data: Float64Array.from(y.data as Float64Array | Float32Array), dims: y.dims };
  } finally {
    await session.release();
  }
}

/** Asserts |a-b| <= tol·max(1,|a|,|b|) element-wise and records the largest error. */
function expectAgree(ortOut: Float64Array, pred: Float64Array, dtype: OnnxDtype, where: string): void {
  expect(ortOut.length).toBe(pred.length);
  let maxErr = 0,
    at = -1;
  for (let i = 0; i < pred.length; i++) {
    const a = ortOut[i]!,
      b = pred[i]!;
    const e = Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
    if (!(e <= maxErr)) {
      maxErr = e;
      at = i;
    }
  }
  comparisons++;
  if (maxErr > worst[dtype].err) worst[dtype] = { err: maxErr, where };
  expect(maxErr, `${where}: element ${at}: ONNX Runtime ${ortOut[at]} vs predict ${pred[at]}`).toBeLessThanOrEqual(
    TOL[dtype],
  );
}

const HIDDEN: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'softplus', 'identity'];
const OUTPUT: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'softplus', 'identity', 'softmax'];
/** The tutorial's 2-2-1, small, deeper, wide, and MNIST-sized. */
const SHAPES: number[][] = [
  [2, 2, 1],
  [3, 7, 4],
  [5, 8, 8, 8, 3],
  [40, 96, 10],
  [784, 128, 10],
];
const lossesFor = (out: Activation): Loss[] =>
  out === 'softmax' ? ['cross-entropy'] : out === 'sigmoid' ? ['mse', 'binary-cross-entropy'] : ['mse'];

interface Case {
  layers: number[];
  hidden: Activation;
  output: Activation;
  loss: Loss;
  seed: number;
}
const CASES: Case[] = [];
let seed = 100;
for (const hidden of HIDDEN) {
  for (const output of OUTPUT) {
    for (const loss of lossesFor(output)) {
      for (const layers of SHAPES) {
        // MNIST-sized only with the outputs a classifier or a regressor would use: it is the slow shape.
        if (layers[0] === 784 && output !== 'softmax' && output !== 'identity') continue;
        CASES.push({ layers, hidden, output, loss, seed: seed++ });
      }
    }
  }
}

/** A network with some training behind it (so parameters are not just the initialisation) and a non-default slope. */
async function makeNet(c: Case): Promise<Network> {
  const net = await Network.create({
    layers: c.layers,
    activation: c.hidden,
    outputActivation: c.output,
    loss: c.loss,
    seed: c.seed,
    ...(c.layers.length === 3 && c.layers[0] === 2 ? { init: 'normal' as const } : {}), // the tutorial's N(0, 1)
    leakySlope: 0.05 + (c.seed % 7) * 0.04,
  });
  const x = randomRows(24, c.layers[0]!, c.seed);
  const nOut = c.layers[c.layers.length - 1]!;
  const y = randomRows(24, nOut, c.seed + 1).map((r) =>
    c.output === 'softmax' ? r.map((_, j) => (j === 0 ? 1 : 0)) : r.map((v) => (v + 1) / 2),
  );
  net.train(x, y, { epochs: 2, learningRate: 0.01, batchSize: 8 });
  // A precondition, not the subject: the exported parameters are finite (fromONNX refuses anything else).
  expect(
    net.getParameters().every((p) => p.weights.every(Number.isFinite) && p.biases.every(Number.isFinite)),
    `${c.seed}: finite parameters`,
  ).toBe(true);
  return net;
}

const label = (c: Case): string => `[${c.layers.join(',')}] ${c.hidden}/${c.output} ${c.loss}`;

describe('toONNX runs in ONNX Runtime and equals predict', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it.each(CASES.map((c) => [label(c), c] as const))(`${dtype} %s`, async (name, c) => {
      const net = await makeNet(c);
      try {
        const bytes = net.toONNX(dtype === 'float64' ? {} : { dtype });
        for (const rows of [1, 37]) {
          // float32 inputs: the values ONNX Runtime is fed are the float32 ones, and predict gets the same numbers.
          const x = randomRows(rows, c.layers[0]!, c.seed * 7 + rows, 3).map((r) =>
            dtype === 'float32' ? r.map(Math.fround) : r,
          );
          const got = await runOrt(bytes, x, dtype);
          expect(got.dims).toEqual([rows, c.layers[c.layers.length - 1]]);
          expectAgree(got.data, net.predict(x).data, dtype, `${dtype} ${name} ${rows} row(s)`);
        }
      } finally {
        net.dispose();
      }
    });
  }

  it('declares input `input` [N, n0] and output `output` [N, nL] with one symbolic batch dim, in the chosen dtype', async () => {
    const net = await Network.create({ layers: [6, 3, 2], activation: 'leaky-relu', seed: 1 });
    for (const dtype of ['float64', 'float32'] as const) {
      const s = await ort.InferenceSession.create(net.toONNX({ dtype }));
      expect(s.inputNames).toEqual(['input']);
      expect(s.outputNames).toEqual(['output']);
      const [i] = s.inputMetadata,
        [o] = s.outputMetadata;
      expect(i).toMatchObject({ name: 'input', isTensor: true, type: dtype, shape: ['N', 6] });
      expect(o).toMatchObject({ name: 'output', isTensor: true, type: dtype, shape: ['N', 2] });
      await s.release();
    }
    net.dispose();
  });

  it('writes opset 13 and leaky-relu as Max/Mul (no LeakyRelu node, which ONNX Runtime cannot run in float64)', async () => {
    const net = await Network.create({
      layers: [2, 3, 1],
      activation: 'leaky-relu',
      outputActivation: 'leaky-relu',
      seed: 2,
    });
    const text = new TextDecoder('latin1').decode(net.toONNX());
    expect(text).not.toContain('LeakyRelu');
    expect(text.match(/Max/g)?.length).toBe(2);
    // The same network with the op ONNX Runtime lacks in float64 is refused by ONNX Runtime: the reason for Max/Mul.
    const leaky = model({
      name: 'g',
      nodes: [node('LeakyRelu', ['x'], ['y'], 'l', { alpha: { float: 0.01 } })],
      initializers: [],
      inputs: [valueInfo('x', 'float64', ['N', 2])],
      outputs: [valueInfo('y', 'float64', ['N', 2])],
    });
    await expect(ort.InferenceSession.create(leaky)).rejects.toThrow(/implementation|LeakyRelu/i);
    net.dispose();
  });

  it('refuses bad options with OptionError', async () => {
    const net = await Network.create({ layers: [2, 1], seed: 1 });
    expect(() => net.toONNX({ dtype: 'float16' as 'float32' })).toThrow(OptionError);
    expect(() => net.toONNX({ dtype: 'float16' as 'float32' })).toThrow(
      /dtype must be 'float64' or 'float32', received 'float16'/,
    );
    expect(() => net.toONNX({ dtype: { bits: 32 } as never })).toThrow(
      /dtype must be 'float64' or 'float32', received an object$/,
    );
    expect(() => net.toONNX({ precision: 32 } as never)).toThrow(/unknown option 'precision'/);
    expect(() => net.toONNX(null as never)).toThrow(OptionError);
    net.dispose();
    expect(() => net.toONNX()).toThrow(/^toONNX: the network was disposed/);
  });
});

describe('fromONNX(toONNX(net)) round trip', () => {
  it.each(CASES.filter((_, i) => i % 3 === 0).map((c) => [label(c), c] as const))(
    'float64 exact, float32 = Math.fround: %s',
    async (_, c) => {
      const net = await makeNet(c);
      const json = net.toJSON();
      const back64 = await Network.fromONNX(net.toONNX());
      expect(back64.toJSON()).toEqual(json);
      expect(paramBits(back64.getParameters())).toEqual(paramBits(net.getParameters()));
      const back32 = await Network.fromONNX(net.toONNX({ dtype: 'float32' }).slice().buffer); // as an ArrayBuffer
      const j32 = back32.toJSON();
      expect({ ...j32, parameters: undefined, leakySlope: undefined }).toEqual({
        ...json,
        parameters: undefined,
        leakySlope: undefined,
      });
      expect(j32.leakySlope).toBe(Math.fround(json.leakySlope));
      const want = net
        .getParameters()
        .map((p) => ({ weights: p.weights.map(Math.fround), biases: p.biases.map(Math.fround) }));
      expect(paramBits(back32.getParameters())).toEqual(paramBits(want));
      for (const n of [net, back64, back32]) n.dispose();
    },
  );

  it('keeps -0 and extreme values exactly in float64', async () => {
    const net = await Network.create({ layers: [3, 2], activation: 'identity', seed: 5 });
    net.setParameters([
      {
        weights: Float64Array.of(-0, 5e-324, 1.7976931348623157e308, -Math.PI, 1 / 3, 2 ** 53 + 2),
        biases: Float64Array.of(-0, 0.1),
      },
    ]);
    const back = await Network.fromONNX(net.toONNX());
    expect(paramBits(back.getParameters())).toEqual(paramBits(net.getParameters()));
    net.dispose();
    back.dispose();
  });

  describe.each(BACKENDS)('loads onto $label', (bc) => {
    it('with the same parameters, and predict agrees with ONNX Runtime', async () => {
      const c: Case = {
        layers: [9, 16, 12, 5],
        hidden: 'leaky-relu',
        output: 'softmax',
        loss: 'cross-entropy',
        seed: 77,
      };
      const net = await makeNet(c);
      const backend = await bc.create();
      const bytes = net.toONNX();
      const back = await Network.fromONNX(bytes, backend);
      expect(back.backend).toBe(backend);
      expect(back.backend.name).toBe(bc.name);
      expect(paramBits(back.getParameters())).toEqual(paramBits(net.getParameters()));
      expect(back.leakySlope).toBe(net.leakySlope);
      const x = randomRows(33, 9, 5, 2);
      expectAgree((await runOrt(bytes, x, 'float64')).data, back.predict(x).data, 'float64', `fromONNX on ${bc.label}`);
      back.dispose();
      backend.dispose();
      // and by name, the backend owned by the network
      const named = await Network.fromONNX(bytes, bc.name);
      expect(named.backend.name).toBe(bc.name);
      expect(paramBits(named.getParameters())).toEqual(paramBits(net.getParameters()));
      named.dispose();
      net.dispose();
    });
  });
});

// ------------------------------------------------------------------------------------------- hand-built graphs

const rand = mulberry32(4242);
const vals = (n: number, scale = 1): number[] => Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

/** A hand-built model's bytes, the loaded network's predict vs ONNX Runtime on those bytes. */
async function checkAgainstOrt(bytes: Uint8Array, nIn: number, dtype: OnnxDtype, where: string): Promise<Network> {
  const net = await Network.fromONNX(bytes);
  for (const rows of [1, 21]) {
    const x = randomRows(rows, nIn, rows + nIn, 2).map((r) => (dtype === 'float32' ? r.map(Math.fround) : r));
    expectAgree((await runOrt(bytes, x, dtype)).data, net.predict(x).data, dtype, `${where} ${rows} row(s)`);
  }
  return net;
}

describe('fromONNX reads graphs written by other tools', () => {
  it('MatMul + Add (float64 raw_data), Relu, then MatMul + Add, Softmax; other names; loss cross-entropy', async () => {
    const w1 = vals(4 * 6),
      b1 = vals(6),
      w2 = vals(6 * 3),
      b2 = vals(3);
    const bytes = model({
      name: 'mlp',
      opset: 17,
      nodes: [
        node('MatMul', ['features', 'W1'], ['m1'], 'fc1'),
        node('Add', ['m1', 'B1'], ['z1'], 'fc1_bias'),
        node('Relu', ['z1'], ['h1'], 'act1'),
        node('MatMul', ['h1', 'W2'], ['m2']), // unnamed nodes are fine
        node('Add', ['B2', 'm2'], ['z2']), // bias first
        node('Softmax', ['z2'], ['probs'], 'sm', { axis: { int: 1 } }),
      ],
      initializers: [
        tensor('W1', [4, 6], w1, 'float64'),
        tensor('B1', [6], b1, 'float64'),
        tensor('W2', [6, 3], w2, 'float64'),
        tensor('B2', [3], b2, 'float64'),
      ],
      inputs: [valueInfo('features', 'float64', ['batch', 4])],
      outputs: [valueInfo('probs', 'float64', ['batch', 3])],
    });
    const net = await checkAgainstOrt(bytes, 4, 'float64', 'MatMul+Add');
    const j = net.toJSON();
    expect(j.layers).toEqual([4, 6, 3]);
    expect(j.activations).toEqual(['relu', 'softmax']);
    expect(j.loss).toBe('cross-entropy');
    // MatMul's W is in × out; fastnn's weights are out × in
    expect(net.getParameters()[0]!.weights[1 * 4 + 2]).toBe(w1[2 * 6 + 1]);
    expect(Array.from(net.getParameters()[1]!.biases)).toEqual(b2);
    net.dispose();
  });

  it("ONNX's own Softplus op (float32, as other tools write it) loads as softplus", async () => {
    const w1 = vals(3 * 4),
      b1 = vals(4),
      w2 = vals(2 * 4),
      b2 = vals(2);
    const bytes = model({
      name: 'softplus32',
      nodes: [
        node('Gemm', ['x', 'w1', 'b1'], ['z1'], 'dense_0', { transB: { int: 1 } }),
        node('Softplus', ['z1'], ['h1'], 'softplus_0'),
        node('Gemm', ['h1', 'w2', 'b2'], ['y'], 'dense_1', { transB: { int: 1 } }),
      ],
      initializers: [
        tensor('w1', [4, 3], w1, 'float32'),
        tensor('b1', [4], b1, 'float32'),
        tensor('w2', [2, 4], w2, 'float32'),
        tensor('b2', [2], b2, 'float32'),
      ],
      inputs: [valueInfo('x', 'float32', ['N', 3])],
      outputs: [valueInfo('y', 'float32', ['N', 2])],
    });
    const net = await checkAgainstOrt(bytes, 3, 'float32', 'Softplus float32');
    expect(net.toJSON().activations).toEqual(['softplus', 'identity']);
    net.dispose();
  });

  for (const storage of ['typed', 'raw'] as TensorStorage[]) {
    it(`Gemm transB 0 and 1 with float32 initializers in ${storage === 'raw' ? 'raw_data' : 'float_data'}; loss mse`, async () => {
      const w1 = vals(3 * 5),
        b1 = vals(5),
        w2 = vals(2 * 5),
        b2 = vals(2);
      const bytes = model({
        name: 'gemm32',
        nodes: [
          node('Gemm', ['x', 'w1', 'b1'], ['z1'], 'dense_0', {
            transB: { int: 0 },
            alpha: { float: 1 },
            beta: { float: 1 },
          }),
          node('Tanh', ['z1'], ['h1'], 'tanh_0'),
          node('Gemm', ['h1', 'w2', 'b2'], ['z2'], 'dense_1', { transB: { int: 1 } }),
          node('Sigmoid', ['z2'], ['y'], 'sigmoid_1'),
        ],
        initializers: [
          tensor('w1', [3, 5], w1, 'float32', storage),
          tensor('b1', [5], b1, 'float32', storage),
          tensor('w2', [2, 5], w2, 'float32', storage),
          tensor('b2', [1, 2], b2, 'float32', storage),
        ],
        inputs: [valueInfo('x', 'float32', ['N', 3])],
        outputs: [valueInfo('y', 'float32', ['N', 2])],
      });
      const net = await checkAgainstOrt(bytes, 3, 'float32', `Gemm float32 ${storage}`);
      const j = net.toJSON();
      expect(j.layers).toEqual([3, 5, 2]);
      expect(j.activations).toEqual(['tanh', 'sigmoid']);
      expect(j.loss).toBe('mse');
      const p = net.getParameters();
      expect(p[0]!.weights[4 * 3 + 2]).toBe(Math.fround(w1[2 * 5 + 4]!)); // transB 0: [in, out]
      expect(Array.from(p[1]!.weights)).toEqual(w2.map(Math.fround)); // transB 1: [out, in] as fastnn
      net.dispose();
    });
  }

  it('double_data, Gemm without C, identity between layers, Constant nodes, Max(Mul(α, z), z) in another order', async () => {
    const w1 = vals(6 * 4),
      w2 = vals(3 * 6),
      b2 = vals(3),
      alpha = 0.125;
    const bytes = model({
      name: 'mixed',
      nodes: [
        node('Constant', [], ['B2'], 'const_b2', { value: { tensor: tensor('', [3], b2, 'float64') } }),
        node('Gemm', ['in', 'W1'], ['z1'], 'g1', { transB: { int: 1 } }), // no bias, no activation
        node('Gemm', ['z1', 'W2', 'B2'], ['z2'], 'g2', { transB: { int: 1 } }),
        node('Max', ['s2', 'z2'], ['out'], 'max'),
        node('Mul', ['alpha', 'z2'], ['s2'], 'mul'),
      ],
      initializers: [
        tensor('W1', [6, 4], w1, 'float64', 'typed'),
        tensor('W2', [3, 6], w2, 'float64', 'typed'),
        tensor('alpha', [], [alpha], 'float64', 'typed'),
      ],
      inputs: [valueInfo('in', 'float64', ['N', 4])],
      outputs: [valueInfo('out', 'float64', ['N', 3])],
    });
    const net = await checkAgainstOrt(bytes, 4, 'float64', 'double_data/Constant/Max-Mul');
    const j = net.toJSON();
    expect(j.activations).toEqual(['identity', 'leaky-relu']);
    expect(j.leakySlope).toBe(alpha);
    expect(Array.from(net.getParameters()[0]!.biases)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(net.getParameters()[1]!.biases)).toEqual(b2);
    net.dispose();
  });

  it('LeakyRelu (float32, its float32 alpha) and Identity nodes', async () => {
    const w1 = vals(2 * 3),
      b1 = vals(3),
      w2 = vals(3),
      b2 = vals(1);
    const bytes = model({
      name: 'leaky32',
      opset: 13,
      nodes: [
        node('Gemm', ['x', 'w1', 'b1'], ['z1'], 'fc1', { transB: { int: 1 } }),
        node('LeakyRelu', ['z1'], ['h1'], 'lrelu', { alpha: { float: 0.2 } }),
        node('Gemm', ['h1', 'w2', 'b2'], ['z2'], 'fc2', { transB: { int: 1 } }),
        node('Identity', ['z2'], ['y'], 'id'),
      ],
      initializers: [
        tensor('w1', [3, 2], w1, 'float32'),
        tensor('b1', [3], b1, 'float32'),
        tensor('w2', [1, 3], w2, 'float32'),
        tensor('b2', [1], b2, 'float32'),
      ],
      inputs: [valueInfo('x', 'float32', ['N', 2])],
      outputs: [valueInfo('y', 'float32', ['N', 1])],
    });
    const net = await checkAgainstOrt(bytes, 2, 'float32', 'LeakyRelu float32');
    expect(net.toJSON().activations).toEqual(['leaky-relu', 'identity']);
    expect(net.leakySlope).toBe(Math.fround(0.2));
    net.dispose();
  });
});

// ------------------------------------------------------------------------------------------- refusals

async function expectRefused(bytes: Uint8Array | ArrayBuffer, ...fragments: (string | RegExp)[]): Promise<NnError> {
  let err: unknown;
  try {
    const n = await Network.fromONNX(bytes);
    n.dispose();
  } catch (e) {
    err = e;
  }
  expect(err, 'fromONNX should reject').toBeInstanceOf(NnError);
  for (const f of fragments) expect((err as Error).message).toMatch(f);
  return err as NnError;
}

/** A TensorProto's name (field 8), read back from its bytes. */
function tensorName(t: Writer): string {
  const f = readFields(t.finish()).find((x) => x.no === 8);
  return f ? new TextDecoder().decode(f.v as Uint8Array) : '';
}

/**
 * A one-layer graph x -[W,b]-> y with the given dense node(s); for refusal tests. Extra initializers named W or b
 * replace the default ones (a graph names each tensor once).
 */
function graph(
  nodes: ReturnType<typeof node>[],
  extra: {
    inits?: ReturnType<typeof tensor>[];
    inputs?: ReturnType<typeof valueInfo>[];
    outputs?: string[];
    opset?: number;
  } = {},
): Uint8Array {
  const inits = extra.inits ?? [];
  const given = new Set(inits.map(tensorName));
  const defaults = [
    ['W', tensor('W', [2, 3], vals(6), 'float64')],
    ['b', tensor('b', [2], vals(2), 'float64')],
  ] as const;
  return model({
    name: 'g',
    nodes,
    opset: extra.opset ?? 13,
    initializers: [...defaults.filter(([name]) => !given.has(name)).map(([, t]) => t), ...inits],
    inputs: extra.inputs ?? [valueInfo('x', 'float64', ['N', 3])],
    outputs: (extra.outputs ?? ['y']).map((o) => valueInfo(o, 'float64', ['N', 2])),
  });
}
const gemm = (
  out = 'y',
  attrs: Record<string, AttrValue> = { transB: { int: 1 } },
  name = 'fc',
): ReturnType<typeof node> => node('Gemm', ['x', 'W', 'b'], [out], name, attrs);

describe('fromONNX refuses what it cannot represent, naming the node', () => {
  it('a Conv node (op type and name)', async () => {
    const e = await expectRefused(
      graph([node('Conv', ['x', 'W'], ['c'], 'conv1'), node('Relu', ['c'], ['y'])]),
      'unsupported Conv',
      "'conv1'",
    );
    expect(e.message).toMatch(/^Network\.fromONNX: /);
  });
  it('an unnamed unsupported node by its index', async () => {
    await expectRefused(graph([gemm('z'), node('Elu', ['z'], ['y'])]), 'unsupported Elu node #1');
  });
  it('a node of another domain', async () => {
    const n = new Writer()
      .string(1, 'x')
      .string(2, 'y')
      .string(3, 'fused')
      .string(4, 'Gemm')
      .string(7, 'com.microsoft');
    await expectRefused(graph([n]), "Gemm node 'fused'", "domain 'com.microsoft'");
  });
  it('Gemm with alpha 2, beta 0.5, transA 1, an unknown attribute', async () => {
    await expectRefused(graph([gemm('y', { alpha: { float: 2 }, transB: { int: 1 } })]), "Gemm node 'fc' has alpha 2");
    await expectRefused(
      graph([gemm('y', { beta: { float: 0.5 }, transB: { int: 1 } })]),
      "Gemm node 'fc' has beta 0.5",
    );
    await expectRefused(graph([gemm('y', { transA: { int: 1 } })]), "Gemm node 'fc' has transA 1");
    await expectRefused(
      graph([gemm('y', { transB: { int: 1 }, gamma: { int: 1 } })]),
      "Gemm node 'fc' has attribute 'gamma'",
    );
  });
  it('Softmax over the batch axis, softmax on a hidden layer', async () => {
    await expectRefused(
      graph([gemm('z'), node('Softmax', ['z'], ['y'], 'sm', { axis: { int: 0 } })]),
      "Softmax node 'sm' has axis 0",
    );
    const deep = model({
      name: 'g',
      nodes: [
        gemm('z'),
        node('Softmax', ['z'], ['h'], 'sm'),
        node('Gemm', ['h', 'W2'], ['y'], 'fc2', { transB: { int: 1 } }),
      ],
      initializers: [
        tensor('W', [2, 3], vals(6), 'float64'),
        tensor('b', [2], vals(2), 'float64'),
        tensor('W2', [2, 2], vals(4), 'float64'),
      ],
      inputs: [valueInfo('x', 'float64', ['N', 3])],
      outputs: [valueInfo('y', 'float64', ['N', 2])],
    });
    await expectRefused(deep, "Gemm node 'fc2' follows a Softmax");
  });
  it('weights that are not initializers, a second input, a branch, a dangling node', async () => {
    await expectRefused(
      graph([node('MatMul', ['x', 'x2'], ['y'], 'mm')], {
        inputs: [valueInfo('x', 'float64', ['N', 3]), valueInfo('x2', 'float64', [3, 2])],
      }),
      '2 inputs',
    );
    await expectRefused(
      graph([node('MatMul', ['x', 'y0'], ['y'], 'mm')]),
      "MatMul node 'mm': input 1 ('y0') must be an initializer",
    );
    await expectRefused(
      graph([gemm('z'), node('Relu', ['z'], ['y'], 'r1'), node('Tanh', ['z'], ['t'], 't1')]),
      "tensor 'z' feeds 2 nodes",
    );
    await expectRefused(
      graph([gemm('y'), node('Tanh', ['b'], ['t'], 'stray')]),
      "Tanh node 'stray' is not part of the chain",
    );
  });
  it('mismatched widths, two leaky slopes, a slope above 1, output not reached, two outputs', async () => {
    await expectRefused(
      graph([gemm('z'), node('Gemm', ['z', 'W'], ['y'], 'fc2', { transB: { int: 1 } })]),
      "Gemm node 'fc2' takes 3 inputs, but the layer before has 2",
    );
    const two = graph(
      [
        gemm('z'),
        node('LeakyRelu', ['z'], ['h'], 'l1', { alpha: { float: 0.1 } }),
        node('Gemm', ['h', 'W2', 'b'], ['z2'], 'fc2', { transB: { int: 1 } }),
        node('LeakyRelu', ['z2'], ['y'], 'l2', { alpha: { float: 0.2 } }),
      ],
      { inits: [tensor('W2', [2, 2], vals(4), 'float64')] },
    );
    await expectRefused(two, "LeakyRelu node 'l2' has leaky-relu slope 0.2", 'one slope');
    await expectRefused(
      graph([gemm('z'), node('LeakyRelu', ['z'], ['y'], 'l', { alpha: { float: 3 } })]),
      "LeakyRelu node 'l' has leaky-relu slope 3",
    );
    await expectRefused(graph([gemm('z')]), "tensor 'z' feeds no node, but the graph output is 'y'");
    await expectRefused(graph([gemm('y')], { outputs: ['y', 'x'] }), '2 outputs');
  });
  it('int64 and external-data initializers, an old opset, no default opset', async () => {
    const i64 = new Writer().packedInt64(1, [2]).int64(2, 7).string(8, 'b').rawBytes(9, new Uint8Array(16));
    await expectRefused(graph([gemm()], { inits: [i64] }), "initializer 'b' has data_type 7");
    const ext = new Writer().packedInt64(1, [2]).int64(2, 11).string(8, 'b').int64(14, 1);
    await expectRefused(graph([gemm()], { inits: [ext] }), 'external file');
    await expectRefused(graph([gemm()], { opset: 6 }), 'opset 6');
    const noOpset = new Writer().int64(1, 7).message(7, new Writer().message(1, gemm())).finish();
    await expectRefused(noOpset, 'no default-domain opset');
  });
  it('wrong element counts, NaN weights, declared input width that does not match', async () => {
    await expectRefused(
      graph([gemm()], { inits: [tensor('b', [3], vals(3), 'float64')] }),
      "biases 'b' have shape [3], expected [2] or [1, 2]",
    );
    const short = new Writer().packedInt64(1, [2, 3]).int64(2, 11).string(8, 'W').rawBytes(9, new Uint8Array(40));
    await expectRefused(graph([gemm()], { inits: [short] }), "initializer 'W' has 40 bytes of raw_data, expected 48");
    await expectRefused(
      graph([gemm()], { inits: [tensor('W', [2, 3], [1, 2, NaN, 4, 5, 6], 'float64')] }),
      "initializer 'W'[2] is NaN",
    );
    await expectRefused(
      graph([gemm()], { inputs: [valueInfo('x', 'float64', ['N', 4])] }),
      "graph input 'x' declares 4 features, but the layers have 3",
    );
  });
  it('not bytes at all: OptionError', async () => {
    for (const v of [undefined, null, 'model.onnx', [1, 2], { byteLength: 3 }, new Float64Array(2)]) {
      const err = await Network.fromONNX(v as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OptionError);
      expect((err as Error).message).toMatch(/model must be a Uint8Array or ArrayBuffer/);
    }
  });
  it('fastnn.loss metadata naming an unknown loss, or a loss the output activation cannot take', async () => {
    const withLoss = (loss: string): Uint8Array =>
      model({
        name: 'g',
        nodes: [gemm()],
        initializers: [tensor('W', [2, 3], vals(6), 'float64'), tensor('b', [2], vals(2), 'float64')],
        inputs: [valueInfo('x', 'float64', ['N', 3])],
        outputs: [valueInfo('y', 'float64', ['N', 2])],
        metadata: { 'fastnn.loss': loss },
      });
    const unknown = await expectRefused(withLoss('hinge'), /^Network\.fromONNX: unknown loss 'hinge' \(expected mse\|/);
    expect(unknown).toBeInstanceOf(OptionError);
    await expectRefused(
      withLoss('cross-entropy'),
      /^Network\.fromONNX: loss 'cross-entropy' needs outputActivation 'softmax', received 'identity'/,
    );
  });
  it('an unknown backend name: relabelled as fromONNX', async () => {
    const net = await Network.create({ layers: [2, 1], seed: 1 });
    await expect(Network.fromONNX(net.toONNX(), 'gpu' as never)).rejects.toThrow(
      /^Network\.fromONNX: unknown backend 'gpu'/,
    );
    net.dispose();
  });
});

describe('fromONNX fuzz: malformed bytes give NnError, never another exception', () => {
  const isNn = async (b: Uint8Array): Promise<boolean> => {
    try {
      (await Network.fromONNX(b)).dispose();
      return true;
    } catch (e) {
      if (!(e instanceof NnError)) throw e;
      return true;
    }
  };
  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), isNn), { numRuns: 400, seed: 13 });
  });
  it('every truncation of an export, and random byte edits of it', async () => {
    const net = await Network.create({
      layers: [3, 4, 2],
      activation: 'leaky-relu',
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      seed: 9,
    });
    const bytes = net.toONNX();
    let refused = 0;
    for (let n = 0; n < bytes.length; n++) {
      try {
        (await Network.fromONNX(bytes.subarray(0, n))).dispose();
      } catch (e) {
        expect(e, `truncated at ${n}`).toBeInstanceOf(NnError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(bytes.length * 0.9);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        async (edits) => {
          const b = bytes.slice();
          for (const [i, v] of edits) b[i] = v;
          return isNn(b);
        },
      ),
      { numRuns: 500, seed: 14 },
    );
    net.dispose();
  });
});

describe('fromONNX refuses the rarer malformed shapes, each with its message', () => {
  const W = (): ReturnType<typeof tensor> => tensor('W', [2, 3], vals(6), 'float64');
  const cases: [string, () => Uint8Array, string][] = [
    [
      'segmented tensor',
      () =>
        graph([gemm()], {
          inits: [
            new Writer()
              .packedInt64(1, [2])
              .int64(2, 11)
              .message(3, new Writer().int64(1, 0).int64(2, 2))
              .string(8, 'b'),
          ],
        }),
      'is segmented',
    ],
    [
      'raw_data and double_data together',
      () =>
        graph([gemm()], {
          inits: [
            new Writer()
              .packedInt64(1, [1])
              .int64(2, 11)
              .string(8, 'b')
              .rawBytes(9, new Uint8Array(8))
              .rawBytes(10, new Uint8Array(8)),
          ],
        }),
      'both raw_data and typed data',
    ],
    [
      'float tensor with double_data',
      () =>
        graph([gemm()], {
          inits: [new Writer().packedInt64(1, [2]).int64(2, 1).string(8, 'b').rawBytes(10, new Uint8Array(16))],
        }),
      'is float but holds double_data',
    ],
    [
      'double tensor with float_data',
      () =>
        graph([gemm()], {
          inits: [new Writer().packedInt64(1, [2]).int64(2, 11).string(8, 'b').rawBytes(4, new Uint8Array(8))],
        }),
      'is double but holds float_data',
    ],
    [
      'too few typed values',
      () =>
        graph([gemm()], {
          inits: [new Writer().packedInt64(1, [2]).int64(2, 11).string(8, 'b').rawBytes(10, new Uint8Array(8))],
        }),
      'holds 1 values, expected 2',
    ],
    [
      'sparse initializer',
      () => {
        const g = new Writer()
          .message(1, gemm())
          .message(5, W())
          .message(15, new Writer().message(1, tensor('b', [2], [1, 2], 'float64')));
        return new Writer().int64(1, 7).message(7, g).message(8, new Writer().string(1, '').int64(2, 13)).finish();
      },
      'sparse initializers',
    ],
    ['empty bytes', () => new Uint8Array(0), 'not a valid ONNX model (no ir_version and no graph'],
    [
      'weights of rank 3',
      () => graph([gemm()], { inits: [tensor('W', [1, 2, 3], vals(6), 'float64')] }),
      "weights 'W' have rank 3",
    ],
    [
      'input of rank 3',
      () => graph([gemm()], { inputs: [valueInfo('x', 'float64', ['N', 1, 3])] }),
      "graph input 'x' has rank 3",
    ],
    [
      'integer input',
      () => {
        const w = valueInfo('x', 'float64', ['N', 3]);
        return graph([gemm()], { inputs: [retype(w, 7)] });
      },
      "graph input 'x' has element type 7",
    ],
    [
      'output that feeds a node',
      () => graph([gemm('y'), node('Relu', ['y'], ['r'], 'r')]),
      "graph output 'y' also feeds Relu node 'r'",
    ],
    ['input that feeds nothing', () => graph([], {}), "graph input 'x' feeds no Gemm or MatMul"],
    [
      'Gemm not reading the chain first',
      () => graph([node('Gemm', ['W', 'x', 'b'], ['y'], 'fc', { transB: { int: 1 } })]),
      "Gemm node 'fc': input 0 must be 'x'",
    ],
    [
      'a Relu where a dense layer must be',
      () => graph([node('Relu', ['x'], ['y'], 'r0')]),
      "Relu node 'r0' reads 'x' where fastnn expects a Gemm or MatMul",
    ],
    [
      'Mul without Max',
      () => graph([gemm('z'), node('Mul', ['z', 'a'], ['y'], 'm')], { inits: [tensor('a', [], [0.1], 'float64')] }),
      "Mul node 'm' reads 'z' where fastnn expects a Gemm or MatMul",
    ],
    [
      'Max(z, Mul(z, α)) with a vector α',
      () =>
        graph([gemm('z'), node('Mul', ['z', 'a'], ['s'], 'm'), node('Max', ['z', 's'], ['y'], 'mx')], {
          inits: [tensor('a', [2], [0.1, 0.2], 'float64')],
        }),
      "Mul node 'm': α 'a' has 2 values, expected 1",
    ],
    [
      'Max of the wrong tensors',
      () =>
        graph([gemm('z'), node('Mul', ['z', 'a'], ['s'], 'm'), node('Max', ['z', 'z'], ['y'], 'mx')], {
          inits: [tensor('a', [], [0.1], 'float64')],
        }),
      "Max node 'mx' must take 'z' and 's'",
    ],
    [
      'Add that does not add the layer',
      () =>
        graph([node('MatMul', ['x', 'W'], ['m'], 'mm'), node('Add', ['b', 'b'], ['y'], 'add')], {
          inits: [tensor('W', [3, 2], vals(6), 'float64')],
        }),
      "tensor 'm' feeds no node, but the graph output is 'y'",
    ],
    [
      'Constant without a value',
      () => graph([node('Constant', [], ['c'], 'k', { value_int: { int: 3 } }), gemm()]),
      "Constant node 'k': fastnn reads Constant nodes",
    ],
    [
      'Softmax with an attribute given as a float',
      () => graph([gemm('z'), node('Softmax', ['z'], ['y'], 'sm', { axis: { float: 1 } })]),
      "Softmax node 'sm': attribute 'axis' must be one int",
    ],
    [
      'Relu with two inputs',
      () => graph([gemm('z'), node('Relu', ['z', 'b'], ['y'], 'r')]),
      "Relu node 'r' has 2 inputs and 1 outputs, expected 1 and 1",
    ],
  ];
  it.each(cases)('%s', async (_, make, fragment) => {
    await expectRefused(make(), fragment);
  });
});

describe('fromONNX defaults', () => {
  it("LeakyRelu without alpha uses ONNX's default, the float32 0.01; a graph without fastnn metadata gets a random seed", async () => {
    const bytes = graph([gemm('z'), node('LeakyRelu', ['z'], ['y'], 'l')]);
    const a = await Network.fromONNX(bytes),
      b = await Network.fromONNX(bytes);
    expect(a.leakySlope).toBe(Math.fround(0.01));
    expect(a.toJSON().loss).toBe('mse');
    expect(Number.isInteger(a.seed) && a.seed >= 0 && a.seed <= 0xffffffff).toBe(true);
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    a.dispose();
    b.dispose();
  });
});

/** A ValueInfoProto with its elem_type replaced (the TypeProto is rebuilt). */
function retype(_: ReturnType<typeof valueInfo>, elemType: number): Writer {
  const shape = new Writer().message(1, new Writer().string(2, 'N')).message(1, new Writer().int64(1, 3));
  const tt = new Writer().int64(1, elemType).message(2, shape);
  return new Writer().string(1, 'x').message(2, new Writer().message(1, tt));
}

describe('protobuf wire format (src/onnx/proto.ts)', () => {
  it('int64 round trips, including negatives as 10-byte varints, and float fields', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 53 - 1)];
    const w = new Writer();
    values.forEach((v, i) => w.int64(i + 1, v));
    w.float(99, 0.25).packedInt64(100, [1, 200, 70000]);
    const f = readFields(w.finish());
    expect(f.slice(0, values.length).map((x) => x.v)).toEqual(values);
    const neg = new Writer().int64(1, -1).finish();
    expect(neg.length).toBe(11); // key + 10 bytes, as protobuf writes int64 -1
    expect(f[values.length]).toMatchObject({ no: 99, wt: 5 });
    const ints: number[] = [];
    const r = new FieldReader(w.finish());
    while (r.next()) if (r.no === 100) r.pushInts(ints, 'dims');
    expect(ints).toEqual([1, 200, 70000]);
  });
  it('refuses truncation, overlong varints, wire types 3/4/6/7, lengths past the end, huge varints', () => {
    expect(() => readFields(Uint8Array.of(0x08))).toThrow(ProtoError);
    expect(() => readFields(Uint8Array.of(0x08, 0x80))).toThrow(/truncated varint/);
    expect(() => readFields(Uint8Array.of(0x08, ...Array<number>(10).fill(0xff), 0x01))).toThrow(
      /longer than 10 bytes/,
    );
    for (const wt of [3, 4, 6, 7]) expect(() => readFields(Uint8Array.of(0x08 | wt))).toThrow(`wire type ${wt}`);
    expect(() => readFields(Uint8Array.of(0x0a, 0x05, 1, 2))).toThrow(/runs past the end/);
    expect(() => readFields(Uint8Array.of(0x09, 1, 2, 3))).toThrow(/runs past the end/);
    expect(() => readFields(Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))).toThrow(
      /beyond ±2\^53/,
    );
    expect(() => readFields(Uint8Array.of(0x00, 0x00))).toThrow(/invalid field number 0/);
  });
});
