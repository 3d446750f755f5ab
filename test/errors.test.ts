/**
 * Every throw of the public boundary (src/check.ts, src/network.ts): the error CLASS and the MESSAGE, which must
 * name the operation, what was expected and what was received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { BackendError, DisposedError, NnError, OptionError, ShapeError } from '../src/errors.js';
import { matrix } from '../src/matrix.js';
import { Network, type NetworkOptions } from '../src/network.js';
import { BACKEND_DEFAULTS } from './helpers/backends.js';
import { randomRows } from './helpers/data.js';
import { expectReject, expectThrow } from './helpers/expect-error.js';

const X = randomRows(6, 2, 1);
const Y = randomRows(6, 1, 2).map((row) => row.map((v) => (v + 1) / 2));
const TRAIN = { epochs: 2, learningRate: 0.1 };

describe.each(BACKEND_DEFAULTS)('errors on $label', (bc) => {
  let backend: Backend;
  const nets: Network[] = [];
  beforeAll(async () => {
    backend = await bc.create();
  });
  afterAll(() => {
    for (const n of nets) n.dispose();
    backend.dispose();
  });
  async function net(o: Partial<NetworkOptions> = {}): Promise<Network> {
    const n = await Network.create({ layers: [2, 3, 1], seed: 7, backend, ...o });
    nets.push(n);
    return n;
  }

  describe('inputs (toMatrix)', () => {
    it('ragged rows name the row and both lengths', async () => {
      const n = await net();
      expectThrow(
        () => n.predict([[1, 2], [3, 4], [5]]),
        ShapeError,
        'predict',
        'ragged',
        'row 2 has 1 values',
        'row 0 has 2',
      );
      expectThrow(
        () => n.train(X, [[0.5], [0.5, 0.1], [0], [0], [0], [0]], TRAIN),
        ShapeError,
        'train',
        'y is ragged',
        'row 1',
      );
    });
    it('wrong input width names expected and received', async () => {
      const n = await net();
      expectThrow(() => n.predict([[1, 2, 3]]), ShapeError, 'predict', 'x rows have 3 values, expected 2');
      expectThrow(() => n.predict(matrix(2, 3)), ShapeError, 'predict', 'x has 3 columns, expected 2');
      expectThrow(() => n.train([[1]], [[0]], TRAIN), ShapeError, 'train', 'x rows have 1 values, expected 2');
      expectThrow(() => n.evaluate([[1, 2, 3]], [[0]]), ShapeError, 'evaluate', 'expected 2');
    });
    it('wrong output width names expected and received', async () => {
      const n = await net();
      expectThrow(() => n.train(X, X, TRAIN), ShapeError, 'train', 'y rows have 2 values, expected 1');
      expectThrow(() => n.evaluate(X, X), ShapeError, 'evaluate', 'y rows have 2 values, expected 1');
      expectThrow(() => n.gradients(X, X), ShapeError, 'gradients', 'expected 1');
    });
    it('x/y row count mismatch names both counts', async () => {
      const n = await net();
      expectThrow(() => n.train(X, Y.slice(1), TRAIN), ShapeError, 'train', 'x has 6 rows but y has 5');
      await expectReject(
        () => n.trainAsync(X, Y.slice(2), TRAIN),
        ShapeError,
        'trainAsync',
        'x has 6 rows but y has 4',
      );
      expectThrow(() => n.evaluate(X, Y.slice(1)), ShapeError, 'evaluate', 'x has 6 rows but y has 5');
      expectThrow(() => n.gradients(X.slice(1), Y), ShapeError, 'gradients', 'x has 5 rows but y has 6');
    });
    it('empty data', async () => {
      const n = await net();
      expectThrow(() => n.predict([]), ShapeError, 'predict', 'x is empty', 'expected at least one row');
      expectThrow(() => n.predict(matrix(0, 2)), ShapeError, 'predict', 'x is empty');
      expectThrow(() => n.train([], [], TRAIN), ShapeError, 'train', 'empty');
      expectThrow(() => n.evaluate(X, []), ShapeError, 'evaluate', 'y is empty');
    });
    it('not an array / rows not arrays / non-numbers', async () => {
      const n = await net();
      expectThrow(
        () => n.predict('abc' as never),
        ShapeError,
        'predict',
        'must be a Matrix or an array of rows',
        "received 'abc'",
      );
      expectThrow(() => n.predict(null as never), ShapeError, 'received null');
      expectThrow(() => n.predict([5] as never), ShapeError, 'x[0] must be an array of numbers, received 5');
      expectThrow(
        () => n.predict([[1, 2], null] as never),
        ShapeError,
        'x[1] must be an array of numbers, received null',
      );
      expectThrow(() => n.predict([[1, '2']] as never), ShapeError, "x[0][1] is '2', expected a finite number");
    });
    it('a Matrix whose data length does not match its shape', async () => {
      const n = await net();
      const bad = { rows: 2, cols: 2, data: new Float64Array(3) };
      expectThrow(() => n.predict(bad), ShapeError, 'predict', '2×2', 'length 3', 'rows·cols = 4');
    });
    for (const v of [NaN, Infinity, -Infinity]) {
      it(`${v} in x or y names row and column`, async () => {
        const n = await net();
        const x = X.map((r) => r.slice());
        x[4]![1] = v;
        expectThrow(() => n.predict(x), ShapeError, 'predict', `x[4][1] is ${v}`, 'expected a finite number');
        expectThrow(() => n.train(x, Y, TRAIN), ShapeError, 'train', `x[4][1] is ${v}`);
        const m = matrix(6, 2, x.flat());
        expectThrow(() => n.predict(m), ShapeError, `x[4][1] is ${v}`, 'expected a finite number');
        const y = Y.map((r) => r.slice());
        y[3]![0] = v;
        expectThrow(() => n.train(X, y, TRAIN), ShapeError, 'train', `y[3][0] is ${v}`, 'expected a finite number');
        expectThrow(() => n.evaluate(X, y), ShapeError, 'evaluate', `y[3][0] is ${v}`);
      });
    }
  });

  describe('targets in the loss domain', () => {
    it('binary-cross-entropy: targets outside [0, 1]', async () => {
      const n = await net({ loss: 'binary-cross-entropy', activation: 'sigmoid' });
      const y = Y.map((r) => r.slice());
      y[2]![0] = 1.5;
      expectThrow(
        () => n.train(X, y, TRAIN),
        ShapeError,
        'train',
        'y[2][0] is 1.5',
        'expected a value in [0, 1]',
        'binary-cross-entropy',
      );
      y[2]![0] = -0.25;
      expectThrow(() => n.evaluate(X, y), ShapeError, 'evaluate', 'y[2][0] is -0.25', '[0, 1]');
    });
    it('cross-entropy: rows must be probability distributions', async () => {
      const n = await net({
        layers: [2, 3, 3],
        activation: 'tanh',
        outputActivation: 'softmax',
        loss: 'cross-entropy',
      });
      const y = X.map(() => [0.2, 0.3, 0.5]);
      y[5] = [0.2, 0.3, 0.4];
      expectThrow(
        () => n.train(X, y, TRAIN),
        ShapeError,
        'train',
        'y[5] sums to',
        'expected a probability distribution summing to 1',
      );
      y[5] = [1.5, -0.5, 0];
      expectThrow(() => n.evaluate(X, y), ShapeError, 'evaluate', 'y[5][1] is -0.5', 'expected a probability (>= 0)');
    });
  });

  describe('Network.create options', () => {
    it('unknown option names list the valid ones', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, lerningRate: 1 } as never),
        OptionError,
        "unknown option 'lerningRate'",
        'layers|activation',
      );
    });
    it('options must be an object', async () => {
      await expectReject(
        () => Network.create(undefined as never),
        OptionError,
        'options must be an object, received undefined',
      );
      await expectReject(() => Network.create([2, 1] as never), OptionError, 'received an array of length 2');
    });
    it('layer sizes', async () => {
      await expectReject(
        () => Network.create({ layers: [2], backend }),
        OptionError,
        'layers must be an array of at least 2 sizes',
        'received an array of length 1',
      );
      await expectReject(
        () => Network.create({ backend } as never),
        OptionError,
        'layers must be an array',
        'received undefined',
      );
      await expectReject(
        () => Network.create({ layers: [2, 0, 1], backend }),
        OptionError,
        'layers[1] must be an integer in [1, ',
        'received 0',
      );
      await expectReject(() => Network.create({ layers: [2, 1.5], backend }), OptionError, 'layers[1]', 'received 1.5');
      await expectReject(() => Network.create({ layers: [-2, 1], backend }), OptionError, 'layers[0]', 'received -2');
      await expectReject(
        () => Network.create({ layers: [2, '3'] as never, backend }),
        OptionError,
        'layers[1]',
        "received '3'",
      );
      await expectReject(() => Network.create({ layers: [2, NaN], backend }), OptionError, 'layers[1]', 'received NaN');
      await expectReject(
        () => Network.create({ layers: [2, 2 ** 30], backend }),
        OptionError,
        'layers[1]',
        `received ${2 ** 30}`,
      );
    });
    it('unknown activation / loss / init names list the valid ones', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, activation: 'gelu' as never }),
        OptionError,
        "unknown activation 'gelu'",
        'sigmoid',
        'tanh',
        'relu',
        'leaky-relu',
        'identity',
        'softmax',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, outputActivation: 'swish' as never }),
        OptionError,
        "unknown outputActivation 'swish'",
        'sigmoid|',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, loss: 'hinge' as never }),
        OptionError,
        "unknown loss 'hinge'",
        'mse|binary-cross-entropy|cross-entropy',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, init: 'zeros' as never }),
        OptionError,
        "unknown init 'zeros'",
        'normal|xavier|he',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, activation: 3 as never }),
        OptionError,
        'unknown activation 3',
      );
    });
    it('softmax on a hidden layer', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 3, 2], backend, activation: 'softmax' }),
        OptionError,
        "activation 'softmax' is only allowed on the output layer",
        'outputActivation',
      );
    });
    it('loss/activation mismatch names both', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, activation: 'tanh', loss: 'binary-cross-entropy' }),
        OptionError,
        "loss 'binary-cross-entropy' needs outputActivation 'sigmoid', received 'tanh'",
      );
      await expectReject(
        () => Network.create({ layers: [2, 3], backend, loss: 'cross-entropy' }),
        OptionError,
        "loss 'cross-entropy' needs outputActivation 'softmax', received 'sigmoid'",
      );
    });
    it('seed and leakySlope', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, seed: -1 }),
        OptionError,
        'seed must be an integer in [0, 4294967295], received -1',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, seed: 1.5 }),
        OptionError,
        'seed',
        'received 1.5',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, seed: 2 ** 32 }),
        OptionError,
        'seed',
        `received ${2 ** 32}`,
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, leakySlope: 1 }),
        OptionError,
        'leakySlope must be a number in [0, 1)',
        'received 1',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, leakySlope: NaN }),
        OptionError,
        'leakySlope',
        'received NaN',
      );
    });
    it('threads must be an integer in [1, 16] or auto', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, threads: 0 }),
        OptionError,
        "threads must be an integer in [1, 16] or 'auto'",
        'received 0',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, threads: 1.5 }),
        OptionError,
        'threads must be',
        'received 1.5',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, threads: 17 }),
        OptionError,
        'threads must be',
        'received 17',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend, threads: '2' as never }),
        OptionError,
        'threads must be',
        "received '2'",
      );
      const ok = await net({ threads: 1 });
      expect(ok.layers).toEqual([2, 3, 1]);
      expect(ok.threads).toBe(1);
    });
    it('backend option of the wrong kind', async () => {
      await expectReject(
        () => Network.create({ layers: [2, 1], backend: 'torch' as never }),
        OptionError,
        "unknown backend 'torch'",
        'js|assemblyscript|rust|auto',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend: 42 as never }),
        BackendError,
        'backend must be',
        'received 42',
      );
      await expectReject(
        () => Network.create({ layers: [2, 1], backend: {} as never }),
        BackendError,
        'received an object',
      );
    });
    it('a disposed backend is refused', async () => {
      const b = await bc.create();
      b.dispose();
      await expectReject(
        () => Network.create({ layers: [2, 1], backend: b }),
        DisposedError,
        'Network.create',
        'backend passed in was disposed',
      );
    });
    it('a network too large for WASM memory is refused before allocating anything', async () => {
      const before = backend.available();
      const mem = backend.memoryBytes();
      const used = backend.usedBytes();
      await expectReject(
        () => Network.create({ layers: [100000, 100000], backend }),
        ShapeError,
        'Network.create',
        'MiB',
        'available',
        'smaller layers',
      );
      await expectReject(() => Network.create({ layers: [20000, 20000, 20000], backend }), ShapeError, 'MiB');
      expect(backend.available()).toBe(before);
      expect(backend.memoryBytes()).toBe(mem);
      expect(backend.usedBytes()).toBe(used);
    });
  });

  describe('train options', () => {
    it('unknown option names list the valid ones', async () => {
      const n = await net();
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, learnRate: 1 } as never),
        OptionError,
        "train: unknown option 'learnRate'",
        'epochs|learningRate|batchSize',
      );
      await expectReject(
        () => n.trainAsync(X, Y, { ...TRAIN, foo: 1 } as never),
        OptionError,
        "trainAsync: unknown option 'foo'",
        'signal',
      );
      expectThrow(
        () => n.train(X, Y, undefined as never),
        OptionError,
        'options must be an object, received undefined',
      );
      expectThrow(() => n.train(X, Y, 3 as never), OptionError, 'options must be an object, received 3');
    });
    it('epochs: non-integer, non-positive, wrong type, missing', async () => {
      const n = await net();
      for (const [v, s] of [
        [0, '0'],
        [-1, '-1'],
        [1.5, '1.5'],
        [NaN, 'NaN'],
        [Infinity, 'Infinity'],
        ['3', "'3'"],
        [undefined, 'undefined'],
      ] as const) {
        expectThrow(
          () => n.train(X, Y, { ...TRAIN, epochs: v as never }),
          OptionError,
          'train: epochs must be an integer >= 1',
          `received ${s}`,
        );
      }
    });
    it('batchSize', async () => {
      const n = await net();
      for (const [v, s] of [
        [0, '0'],
        [-4, '-4'],
        [2.5, '2.5'],
        [null, 'null'],
      ] as const) {
        expectThrow(
          () => n.train(X, Y, { ...TRAIN, batchSize: v as never }),
          OptionError,
          'train: batchSize must be an integer >= 1',
          `received ${s}`,
        );
      }
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, batchSize: 2 ** 30 }),
        OptionError,
        'batchSize must be at most',
        `received ${2 ** 30}`,
      );
    });
    it('learningRate: non-finite or non-positive', async () => {
      const n = await net();
      for (const [v, s] of [
        [0, '0'],
        [-0.1, '-0.1'],
        [NaN, 'NaN'],
        [Infinity, 'Infinity'],
        [-Infinity, '-Infinity'],
        ['0.1', "'0.1'"],
        [undefined, 'undefined'],
      ] as const) {
        expectThrow(
          () => n.train(X, Y, { ...TRAIN, learningRate: v as never }),
          OptionError,
          'train: learningRate must be a finite number > 0',
          `received ${s}`,
        );
      }
    });
    it('unknown optimizer lists the valid ones', async () => {
      const n = await net();
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'rmsprop' as never }),
        OptionError,
        "unknown optimizer 'rmsprop'",
        'sgd|momentum|adam',
      );
    });
    it('an option of another optimizer', async () => {
      const n = await net();
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'adam', momentum: 0.9 }),
        OptionError,
        "momentum is an option of optimizer 'momentum', but optimizer is 'adam'",
      );
      expectThrow(() => n.train(X, Y, { ...TRAIN, momentum: 0.9 }), OptionError, "but optimizer is 'sgd'");
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'momentum', beta1: 0.9 }),
        OptionError,
        "beta1 is an option of optimizer 'adam', but optimizer is 'momentum'",
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, epsilon: 1e-7 }),
        OptionError,
        "epsilon is an option of optimizer 'adam'",
      );
    });
    it('optimizer hyper-parameters out of range', async () => {
      const n = await net();
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'momentum', momentum: 1 }),
        OptionError,
        'momentum must be a number in [0, 1)',
        'received 1',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'adam', beta1: -0.1 }),
        OptionError,
        'beta1 must be a number in [0, 1)',
        'received -0.1',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'adam', beta2: NaN }),
        OptionError,
        'beta2',
        'received NaN',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, optimizer: 'adam', epsilon: 0 }),
        OptionError,
        'epsilon must be a finite number > 0',
        'received 0',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, weightDecay: -1 }),
        OptionError,
        'weightDecay must be a number in [0, Infinity)',
        'received -1',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, weightDecay: Infinity }),
        OptionError,
        'weightDecay',
        'received Infinity',
      );
    });
    it('wrong types: shuffle, onEpoch, validation, signal, sliceMs', async () => {
      const n = await net();
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, shuffle: 'yes' as never }),
        OptionError,
        'shuffle must be a boolean',
        "received 'yes'",
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, onEpoch: 5 as never }),
        OptionError,
        'onEpoch must be a function',
        'received 5',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, validation: [] as never }),
        OptionError,
        'validation',
        'options must be an object',
        'received an array of length 0',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, validation: { x: X, y: Y, z: 1 } as never }),
        OptionError,
        "unknown option 'z'",
        'x|y',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, validation: { x: X, y: Y.slice(1) } }),
        ShapeError,
        'validation.x has 6 rows but validation.y has 5',
      );
      expectThrow(
        () => n.train(X, Y, { ...TRAIN, validation: { x: [[1, 2, 3]], y: [[0]] } }),
        ShapeError,
        'validation.x rows have 3 values, expected 2',
      );
      await expectReject(
        () => n.trainAsync(X, Y, { ...TRAIN, signal: {} as never }),
        OptionError,
        'signal must be an AbortSignal',
        'received an object',
      );
      await expectReject(
        () => n.trainAsync(X, Y, { ...TRAIN, sliceMs: -1 }),
        OptionError,
        'sliceMs must be a finite number > 0',
        'received -1',
      );
    });
  });

  describe('setParameters', () => {
    it('layer count, shapes and types name expected and received', async () => {
      const n = await net();
      const p = n.getParameters();
      expectThrow(
        () => n.setParameters(p.slice(1)),
        ShapeError,
        'setParameters: expected 2 layers, received an array of length 1',
      );
      expectThrow(() => n.setParameters('x' as never), ShapeError, "expected 2 layers, received 'x'");
      expectThrow(
        () => n.setParameters([p[0]!, null] as never),
        ShapeError,
        'layer 1 must be { weights, biases }, received null',
      );
      expectThrow(
        () => n.setParameters([{ biases: p[0]!.biases }, p[1]!] as never),
        ShapeError,
        'layer 0 weights must be an array of 6 numbers, received undefined',
      );
      expectThrow(
        () => n.setParameters([p[0]!, { weights: p[1]!.weights, biases: 7 }] as never),
        ShapeError,
        'layer 1 biases must be an array of 1 numbers, received 7',
      );
      expectThrow(
        () => n.setParameters([{ weights: new Float64Array(5), biases: p[0]!.biases }, p[1]!]),
        ShapeError,
        'layer 0 weights has length 5, expected 6 (3×2)',
      );
      expectThrow(
        () => n.setParameters([p[0]!, { weights: p[1]!.weights, biases: new Float64Array(2) }]),
        ShapeError,
        'layer 1 biases has length 2, expected 1',
      );
      expectThrow(
        () => n.setParameters([{ weights: [1, 2, 3, 4, 5, '6'], biases: p[0]!.biases }, p[1]!] as never),
        ShapeError,
        "layer 0 weights[2][1] is '6', expected a finite number",
      );
    });
    for (const v of [NaN, Infinity, -Infinity]) {
      it(`${v} names layer, row and column`, async () => {
        const n = await net();
        const p = n.getParameters();
        p[0]!.weights[5] = v; // row 2, column 1 of a 3×2 matrix
        expectThrow(
          () => n.setParameters(p),
          ShapeError,
          `setParameters: layer 0 weights[2][1] is ${v}`,
          'expected a finite number',
        );
        const q = n.getParameters();
        q[1]!.biases[0] = v;
        expectThrow(() => n.setParameters(q), ShapeError, `layer 1 biases[0][0] is ${v}`);
      });
    }
  });

  describe('dispose', () => {
    it('use after dispose throws DisposedError; a second dispose is harmless', async () => {
      const n = await Network.create({ layers: [2, 3, 1], seed: 1, backend });
      n.predict(X);
      n.dispose();
      expect(n.disposed).toBe(true);
      expect(() => n.dispose()).not.toThrow();
      expectThrow(() => n.predict(X), DisposedError, 'predict: the network was disposed');
      expectThrow(() => n.train(X, Y, TRAIN), DisposedError, 'train: the network was disposed');
      await expectReject(() => n.trainAsync(X, Y, TRAIN), DisposedError, 'trainAsync');
      expectThrow(() => n.evaluate(X, Y), DisposedError, 'evaluate');
      expectThrow(() => n.gradients(X, Y), DisposedError, 'gradients');
      expectThrow(() => n.getParameters(), DisposedError, 'getParameters');
      expectThrow(() => n.setParameters([]), DisposedError, 'setParameters');
      expectThrow(() => n.toJSON(), DisposedError, 'toJSON');
      expect(() => n.dispose()).not.toThrow();
    });
    it('a network on a disposed backend throws DisposedError', async () => {
      const b = await bc.create();
      const n = await Network.create({ layers: [2, 1], seed: 1, backend: b });
      b.dispose();
      expectThrow(() => n.predict(X), DisposedError, 'predict', `${bc.name} backend was disposed`);
      expect(() => n.dispose()).not.toThrow();
    });
    it('a network that owns its backend disposes it', async () => {
      const n = await Network.create({ layers: [2, 1], seed: 1, backend: bc.name });
      const b = n.backend;
      n.dispose();
      expect(b.disposed).toBe(true);
    });
  });

  describe('busy', () => {
    it('calls that change parameters during trainAsync are refused with NnError naming the busy operation; reads are allowed', async () => {
      const n = await net();
      const big = randomRows(2000, 2, 3);
      const p = n.trainAsync(
        big,
        big.map((r) => [(r[0]! + 1) / 2]),
        { epochs: 50, learningRate: 0.01, batchSize: 1, sliceMs: 1 },
      );
      expectThrow(() => n.train(X, Y, TRAIN), NnError, 'train: the network is busy with trainAsync');
      expectThrow(
        () => n.setParameters(n.getParameters()),
        NnError,
        'setParameters: the network is busy with trainAsync',
      );
      expect(n.predict(X).rows).toBe(6);
      await p;
      expect(n.predict(X).rows).toBe(6);
    });
  });
});
