/**
 * What a new user trips on (API.md "Estimators", last bullets): mse targets outside the output activation's range
 * are refused when training (train, trainAsync, Datasets, trainStream chunks, validation), with the row, the column
 * and outputActivation: 'identity' in the message, and the tutorial's 0/1 targets with a sigmoid still train;
 * accuracy only for a classifier's outputs and targets; class indices given as y; fromJSON of a file name; and the
 * default backend 'auto'. Every refusal is a typed error that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Activation, Backend } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { Network, NnError, ShapeError, matrix } from '../src/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectReject, expectThrow } from './helpers/expect-error.js';
import { paramBits, randomRows } from './helpers/data.js';

const x = randomRows(12, 3, 31);
const T = { epochs: 2, learningRate: 0.05, batchSize: 4 };

describe.each(BACKENDS)('targets on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));
  const make = (outputActivation: Activation, extra: object = {}): Promise<Network> =>
    Network.create({ layers: [3, 5, 2], activation: 'tanh', outputActivation, seed: 4, backend, ...extra });

  const cases: [Activation, number, number, string][] = [
    ['sigmoid', 1.5, -0.25, '[0, 1]'],
    ['tanh', 1.25, -1.5, '[-1, 1]'],
    ['relu', -0.5, -3, '[0, ∞)'],
    ['softplus', -0.5, -3, '[0, ∞)'],
  ];
  for (const [act, high, low, range] of cases) {
    it(`mse + ${act}: a target outside ${range} is a ShapeError naming row, column and 'identity', in every training path; nothing changes`, async () => {
      const n = await make(act);
      const before = paramBits(n.getParameters());
      const inside = x.map(() => [act === 'tanh' ? -1 : 0, 1]);
      const y = inside.map((r) => r.slice());
      y[7]![1] = high;
      const frag = [
        `y[7][1] is ${high}, outside ${range}, the range of outputActivation '${act}'`,
        "loss 'mse'",
        "outputActivation: 'identity'",
      ];
      expectThrow(() => n.train(x, y, T), ShapeError, 'train: ', ...frag);
      await expectReject(() => n.trainAsync(x, y, T), ShapeError, 'trainAsync: ', ...frag);
      expectThrow(() => n.train(x, inside, { ...T, validation: { x, y } }), ShapeError, 'train: validation.', ...frag);
      const ds = n.dataset(x, y); // a Dataset may hold them (evaluate is fine) ...
      expect(Number.isFinite(n.evaluate(ds).loss)).toBe(true);
      expectThrow(() => n.train(ds, T), ShapeError, 'train: dataset ', ...frag); // ... but does not train on them
      await expectReject(() => n.trainAsync(ds, T), ShapeError, 'trainAsync: dataset ', ...frag);
      ds.dispose();
      const low2 = inside.map((r) => r.slice());
      low2[3]![0] = low;
      await expectReject(
        () =>
          n.trainStream(
            () => [
              { x: x.slice(0, 3), y: inside.slice(0, 3) },
              { x: x.slice(3), y: low2.slice(3) },
            ],
            T,
          ),
        ShapeError,
        'trainStream: epoch 0, chunk 1: y[0][0] is',
        `outside ${range}`,
        "outputActivation: 'identity'",
      );
      expect(paramBits(n.getParameters())).toEqual(before);
      // the range's ends are inside (a sigmoid's 0/1 targets, as the tutorial's)
      expect(n.train(x, inside, T).epochs).toBe(2);
      n.dispose();
    });
  }

  it('identity, leaky-relu and the cross-entropy losses are not range-checked by mse; evaluate takes any target', async () => {
    const far = x.map((r) => [r[0]! * 100 + 40, -r[1]! * 50]);
    for (const act of ['identity', 'leaky-relu'] as Activation[]) {
      const n = await make(act);
      expect(n.train(x, far, T).epochs).toBe(2);
      n.dispose();
    }
    const s = await make('sigmoid');
    expect(Number.isFinite(s.evaluate(x, far).loss)).toBe(true);
    s.dispose();
  });

  it("a regressor left with sigmoid output, mse, targets 40..240 is refused with the hint, and trains with outputActivation: 'identity'", async () => {
    const X = randomRows(20, 10, 5);
    const Y = X.map((r) => [140 + 100 * r[0]!]);
    const n = await Network.create({ layers: [10, 16, 1], seed: 1, backend });
    expectThrow(
      () => n.train(X, Y, { epochs: 50, learningRate: 0.01, optimizer: 'adam' }),
      ShapeError,
      'y[0][0] is',
      'outside [0, 1]',
      "outputActivation: 'identity'",
    );
    n.dispose();
    const m = await Network.create({ layers: [10, 16, 1], seed: 1, outputActivation: 'identity', backend });
    const r = m.train(X, Y, { epochs: 50, learningRate: 0.01, optimizer: 'adam' });
    expect(r.losses[49]!).toBeLessThan(r.losses[0]!);
    expect(m.evaluate(X, Y).accuracy).toBeUndefined();
    m.dispose();
  });

  it('accuracy only for a classifier: sigmoid/softmax output with 0/1 or one-hot targets', async () => {
    const oneHot = x.map((r) => (r[0]! > 0 ? [1, 0] : [0, 1]));
    const soft = x.map(() => [0.3, 0.7]);
    const multiHot = x.map((_, i) => (i % 3 === 0 ? [1, 1] : [0, 1]));
    const sm = await Network.create({
      layers: [3, 5, 2],
      activation: 'tanh',
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      seed: 4,
      backend,
    });
    const acc = sm.evaluate(x, oneHot).accuracy!;
    const pred = sm.predict(x);
    const want =
      oneHot.filter((t, i) => (pred.data[2 * i]! > pred.data[2 * i + 1]! ? 0 : 1) === t.indexOf(1)).length / x.length;
    expect(acc).toBe(want);
    expect(sm.evaluate(x, soft).accuracy).toBeUndefined();
    sm.dispose();
    const sg = await make('sigmoid');
    expect(sg.evaluate(x, oneHot).accuracy).toBeTypeOf('number');
    expect(sg.evaluate(x, multiHot).accuracy).toBeUndefined();
    const seen: (number | undefined)[] = [];
    sg.train(x, oneHot, { ...T, validation: { x, y: oneHot }, onEpoch: (i) => void seen.push(i.validationAccuracy) });
    expect(seen.every((a) => typeof a === 'number')).toBe(true);
    sg.dispose();
    for (const act of ['identity', 'tanh'] as Activation[]) {
      const n = await make(act);
      const r = n.evaluate(x, oneHot);
      expect(r).not.toHaveProperty('accuracy');
      const infos: object[] = [];
      n.train(x, oneHot, { ...T, validation: { x, y: oneHot }, onEpoch: (i) => void infos.push(i) });
      for (const i of infos) expect(i).not.toHaveProperty('validationAccuracy');
      const ds = n.dataset(x, oneHot);
      expect(n.evaluate(ds)).not.toHaveProperty('accuracy');
      ds.dispose();
      n.dispose();
    }
  });

  it('class indices as y: a flat array or one column of indices for several outputs says to one-hot them or use Classifier', async () => {
    const n = await Network.create({
      layers: [3, 4, 3],
      outputActivation: 'softmax',
      loss: 'cross-entropy',
      seed: 2,
      backend,
    });
    const before = paramBits(n.getParameters());
    const three = x.slice(0, 3);
    expectThrow(
      () => n.train(three, [0, 2, 1] as never, T),
      ShapeError,
      'train: y is a flat array (y[0] is 0)',
      'one row of 3 target values per sample',
      'one-hot them',
      'Classifier',
    );
    expectThrow(() => n.train(three, ['a', 'b', 'c'] as never, T), ShapeError, "y[0] is 'a'", 'Classifier');
    expectThrow(
      () => n.train(three, [[0], [2], [1]], T),
      ShapeError,
      'train: y rows have 1 value, expected 3',
      'look like class indices',
      'one-hot them (rows of 3',
      'Classifier',
    );
    expectThrow(() => n.evaluate(three, [[0], [2], [1]]), ShapeError, 'evaluate: y rows have 1 value', 'class indices');
    expectThrow(
      () => n.train(three, three, { ...T, validation: { x: three, y: [0, 1, 2] as never } }),
      ShapeError,
      'validation.y is a flat array',
      'one-hot',
    );
    // one column of values that are not indices keeps the plain width message
    expectThrow(() => n.train(three, [[0.5], [2], [1]], T), ShapeError, 'y rows have 1 values, expected 3');
    expect(paramBits(n.getParameters())).toEqual(before);
    n.dispose();
    const one = await Network.create({ layers: [3, 4, 1], seed: 2, backend });
    expectThrow(
      () => one.train(three, [0, 1, 1] as never, T),
      ShapeError,
      'y is a flat array',
      'one row of 1 target value per sample',
      '[[0], [1], ...]',
    );
    expectThrow(
      () => one.train(three, [[0], [2], [1]], T),
      ShapeError,
      'y[1][0] is 2, outside [0, 1]',
      'class indices',
      'Classifier',
    );
    one.dispose();
  });

  it("fromJSON('model.json') says to pass the file's text or the parsed object; JSON text and objects load", async () => {
    const n = await Network.create({ layers: [2, 1], seed: 1, backend });
    await expectReject(
      () => Network.fromJSON('model.json', backend),
      NnError,
      "received the string 'model.json', which is not JSON text",
      "the saved network's text",
      'parsed object',
    );
    await expectReject(
      () => Network.fromJSON('https://example.com/m.json', backend),
      NnError,
      'not JSON text (a file name or URL?)',
    );
    await expectReject(() => Network.fromJSON('{"format": ', backend), NnError, 'the text is not JSON');
    const back = await Network.fromJSON(JSON.stringify(n.toJSON()), backend);
    expect(paramBits(back.getParameters())).toEqual(paramBits(n.getParameters()));
    n.dispose();
    back.dispose();
  });
});

describe("the default backend is 'auto'", () => {
  it("Network.create, fromJSON and fromONNX without a backend load what loadBackend('auto') loads, and own it", async () => {
    const auto = await loadBackend('auto');
    const a = await Network.create({ layers: [2, 3, 1], seed: 1 });
    expect(a.backend.name).toBe(auto.name);
    expect(a.backend.variant).toBe(auto.variant);
    expect(a.backend).not.toBe(auto);
    const b = await Network.fromJSON(a.toJSON());
    const c = await Network.fromONNX(a.toONNX());
    for (const n of [b, c]) {
      expect(n.backend.name).toBe(auto.name);
      expect(paramBits(n.getParameters())).toEqual(paramBits(a.getParameters()));
    }
    const owned = a.backend;
    a.dispose();
    expect(owned.disposed).toBe(true); // the network loaded it, so it disposed it
    b.dispose();
    c.dispose();
    auto.dispose();
    // a Matrix y works like rows (a flat Float64Array is a Matrix's data, not a flat target array)
    const d = await Network.create({ layers: [2, 1], seed: 1 });
    expect(d.train(matrix(2, 2, [0, 1, 1, 0]), matrix(2, 1, [1, 0]), T).epochs).toBe(2);
    d.dispose();
  });
});
