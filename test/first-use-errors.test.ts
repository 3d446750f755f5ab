/**
 * A new user's first mistakes, each answered with a typed error that says what to do, and nothing changed: fromJSON
 * given bytes, a path or another class's model; an estimator used before fit or after dispose; metrics given a typed
 * array; Network.train given text numbers, missing values or rows keyed by column name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import {
  Classifier,
  DisposedError,
  Network,
  NnError,
  NotFittedError,
  OptionError,
  Regressor,
  ShapeError,
  metrics,
} from '../src/index.js';
import { expectReject, expectThrow } from './helpers/expect-error.js';
import { blobs, regression } from './helpers/tabular.js';

const { x, labels } = blobs(['a', 'b', 'c'], 8, 1);
const r = regression(20, 2);
let clf: Classifier;
let reg: Regressor;
let net: Network;
beforeAll(async () => {
  clf = await Classifier.create({ seed: 1, backend: 'js', hidden: [4] });
  clf.fit(x, labels, { epochs: 2 });
  reg = await Regressor.create({ seed: 1, backend: 'js', hidden: [4] });
  reg.fit(r.x, r.y, { epochs: 2 });
  net = await Network.create({ layers: [2, 3, 1], seed: 3, backend: 'js' });
});
afterAll(() => {
  clf.dispose();
  reg.dispose();
  net.dispose();
});

const BYTES_HINT = /received (a Buffer|a Uint8Array|an ArrayBuffer) \(bytes\).*readFileSync\(path, 'utf8'\)/;

describe('fromJSON given bytes, a path, or another class', () => {
  it('bytes (readFileSync without utf8): OptionError saying to pass the text, for Network, Classifier and Regressor', async () => {
    const text = JSON.stringify(net.toJSON());
    for (const bytes of [Buffer.from(text), new TextEncoder().encode(text), new TextEncoder().encode(text).buffer]) {
      const kind =
        bytes instanceof ArrayBuffer ? 'an ArrayBuffer' : Buffer.isBuffer(bytes) ? 'a Buffer' : 'a Uint8Array';
      await expectReject(
        () => Network.fromJSON(bytes, 'js'),
        OptionError,
        `Network.fromJSON: received ${kind} (bytes)`,
        BYTES_HINT,
      );
      await expectReject(
        () => Classifier.fromJSON(bytes, 'js'),
        OptionError,
        `Classifier.fromJSON: received ${kind} (bytes)`,
        BYTES_HINT,
      );
      await expectReject(
        () => Regressor.fromJSON(bytes, 'js'),
        OptionError,
        `Regressor.fromJSON: received ${kind} (bytes)`,
        BYTES_HINT,
      );
    }
  });

  it('a path: OptionError with the readFileSync / fetch hint, named by the class called', async () => {
    for (const [load, name] of [
      [Network.fromJSON, 'Network'],
      [Classifier.fromJSON, 'Classifier'],
      [Regressor.fromJSON, 'Regressor'],
    ] as const) {
      const e = await expectReject(
        () => load('wine-model.json', 'js'),
        OptionError,
        "received the string 'wine-model.json'",
        "readFileSync(path, 'utf8')",
        'fetch(url)',
      );
      expect(e.message.startsWith(`${name}.fromJSON: `)).toBe(true);
    }
  });

  it("another class's model names the loader to use", async () => {
    await expectReject(
      () => Network.fromJSON(clf.toJSON(), 'js'),
      OptionError,
      "Network.fromJSON: this is a saved Classifier (format 'fastnn-estimator')",
      'load it with Classifier.fromJSON',
    );
    await expectReject(
      () => Network.fromJSON(JSON.stringify(reg.toJSON()), 'js'),
      OptionError,
      'this is a saved Regressor',
      'load it with Regressor.fromJSON',
    );
    await expectReject(
      () => Classifier.fromJSON(reg.toJSON(), 'js'),
      OptionError,
      'Classifier.fromJSON: this is a saved Regressor',
      'load it with Regressor.fromJSON',
    );
    await expectReject(
      () => Regressor.fromJSON(clf.toJSON(), 'js'),
      OptionError,
      'Regressor.fromJSON: this is a saved Classifier',
      'load it with Classifier.fromJSON',
    );
    await expectReject(
      () => Classifier.fromJSON(net.toJSON(), 'js'),
      OptionError,
      'Classifier.fromJSON: this is a saved Network',
      'load it with Network.fromJSON',
    );
  });

  it("Network.fromONNX refuses an estimator's graph at its first scaling node (the doc's claim)", async () => {
    await expectReject(
      () => Network.fromONNX(clf.toONNX(), 'js'),
      NnError,
      "Network.fromONNX: unsupported Sub node 'input.sub'",
      'fastnn reads dense layers',
    );
    await expectReject(() => Network.fromONNX(reg.toONNX(), 'js'), NnError, "unsupported Sub node 'input.sub'");
  });

  it('not a model at all is an OptionError; a damaged model is still a ShapeError naming the class', async () => {
    for (const v of [undefined, null, 3, [], 'null', '{"format":']) {
      await expectReject(() => Network.fromJSON(v, 'js'), OptionError, 'Network.fromJSON:');
      await expectReject(() => Classifier.fromJSON(v, 'js'), OptionError, 'Classifier.fromJSON:');
    }
    await expectReject(
      () => Network.fromJSON({ format: 'keras' }, 'js'),
      OptionError,
      "format must be 'fastnn-network', received 'keras'",
    );
    const j = clf.toJSON();
    await expectReject(
      () => Classifier.fromJSON({ ...j, classes: ['a', 'b'] }, 'js'),
      ShapeError,
      'Classifier.fromJSON: classes is',
    );
    const rj = reg.toJSON();
    await expectReject(
      () => Regressor.fromJSON({ ...rj, targetScaler: null }, 'js'),
      ShapeError,
      'Regressor.fromJSON: targetScaler is null',
    );
  });
});

describe('estimators before fit and after dispose', () => {
  it('NotFittedError (an NnError) naming the method called', async () => {
    const c = await Classifier.create({ backend: 'js', hidden: [2] });
    const g = await Regressor.create({ backend: 'js', hidden: [2] });
    try {
      const calls: [string, () => unknown][] = [
        ['Classifier.predict', () => c.predict(x)],
        ['Classifier.predictProba', () => c.predictProba(x)],
        ['Classifier.score', () => c.score(x, labels)],
        ['Classifier.toJSON', () => c.toJSON()],
        ['Classifier.toONNX', () => c.toONNX()],
        ['Classifier.network', () => c.network],
        ['Classifier.classes', () => c.classes],
        ['Regressor.predict', () => g.predict(r.x)],
        ['Regressor.score', () => g.score(r.x, r.y)],
        ['Regressor.toJSON', () => g.toJSON()],
        ['Regressor.toONNX', () => g.toONNX()],
        ['Regressor.network', () => g.network],
      ];
      for (const [op, call] of calls) {
        const e = expectThrow(call, NotFittedError, 'is not fitted yet; call fit (or fitAsync) first');
        expect(e).toBeInstanceOf(NnError);
        expect(e.name).toBe('NotFittedError');
        expect(e.message.startsWith(`${op}: `), e.message).toBe(true);
      }
    } finally {
      c.dispose();
      g.dispose();
    }
  });

  it('after dispose: DisposedError naming the method called, fitted or not', async () => {
    const c = await Classifier.create({ seed: 1, backend: 'js', hidden: [2] });
    c.fit(x, labels, { epochs: 1, learningRate: 0.1 });
    c.dispose();
    for (const [op, call] of [
      ['Classifier.predict', () => c.predict(x)],
      ['Classifier.predictProba', () => c.predictProba(x)],
      ['Classifier.toONNX', () => c.toONNX()],
      ['Classifier.network', () => c.network],
    ] as const) {
      const e = expectThrow(call, DisposedError, 'was disposed');
      expect(e.message.startsWith(`${op}: `), e.message).toBe(true);
      expect(e).not.toBeInstanceOf(NotFittedError);
    }
  });
});

describe('metrics take typed arrays', () => {
  it('r2, MAE, RMSE and accuracy accept a Float64Array where they take numbers, with the same result as an array', () => {
    const y = (r.y as number[]).slice();
    const p = reg.predict(r.x);
    expect(p.cols).toBe(1);
    const asArray = Array.from(p.data);
    expect(metrics.r2(y, p.data)).toBe(metrics.r2(y, asArray));
    expect(metrics.r2(Float64Array.from(y), p)).toBe(metrics.r2(y, p));
    expect(metrics.meanAbsoluteError(y, p.data)).toBe(metrics.meanAbsoluteError(y, asArray));
    expect(metrics.rootMeanSquaredError(Float64Array.from(y), p.data)).toBe(metrics.rootMeanSquaredError(y, asArray));
    const codes = Int32Array.from([0, 1, 2, 1]);
    expect(metrics.accuracy(codes, [0, 1, 1, 1])).toBe(0.75);
    expect(metrics.confusionMatrix(codes, Int32Array.from([0, 1, 1, 1])).matrix).toEqual([
      [1, 0, 0],
      [0, 2, 0],
      [0, 1, 0],
    ]);
  });

  it('wrong lengths still refused, and messages name typed arrays', () => {
    expectThrow(
      () => metrics.r2(Float64Array.from([1, 2, 3]), new Float64Array(30)),
      ShapeError,
      'metrics.r2',
      'predicted has 30 rows but x has 3',
    );
    expectThrow(() => metrics.accuracy({} as never, [1]), ShapeError, 'received an object');
    expectThrow(() => clf.predict(new Float64Array(30) as never), ShapeError, 'received a Float64Array of length 30');
    expectThrow(() => clf.predict(Buffer.alloc(4) as never), ShapeError, 'received a Buffer of length 4');
    expectThrow(() => clf.predict(new ArrayBuffer(8) as never), ShapeError, 'received an ArrayBuffer of 8 bytes');
    expectThrow(() => net.predict(new Float64Array(4) as never), ShapeError, 'received a Float64Array of length 4');
  });
});

describe('Network.train explains common data mistakes', () => {
  const X = [
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const Y = [[1], [0], [1]];
  const train = (x: unknown, y: unknown): unknown =>
    net.train(x as number[][], y as number[][], { epochs: 1, learningRate: 0.1 });

  it('text numbers, missing values and keyed rows get advice; the network is unchanged', () => {
    const before = JSON.stringify(net.toJSON());
    expectThrow(
      () =>
        train(
          [
            [0, '1'],
            [1, 0],
            [1, 1],
          ],
          Y,
        ),
      ShapeError,
      "x[0][1] is '1', expected a finite number: convert the column to numbers first (Number(value), or your CSV parser's cast option)",
    );
    expectThrow(() => train(X, [[1], ['0'], [1]]), ShapeError, "y[1][0] is '0'", 'convert the column to numbers first');
    for (const [v, shown] of [
      [NaN, 'NaN'],
      [null, 'null'],
      [undefined, 'undefined'],
      ['', "''"],
    ] as const) {
      expectThrow(
        () =>
          train(
            [
              [0, 1],
              [1, v],
              [1, 1],
            ],
            Y,
          ),
        ShapeError,
        `x[1][1] is ${shown}, expected a finite number (fill in or drop missing values first)`,
      );
    }
    expectThrow(
      () => train({ rows: 3, cols: 2, data: Float64Array.from([0, 1, NaN, 0, 1, 1]) }, Y),
      ShapeError,
      'x[1][0] is NaN',
      'fill in or drop missing values',
    );
    expectThrow(() => train(X, [[1], [Infinity], [1]]), ShapeError, 'y[1][0] is Infinity, expected a finite number');
    const keyed = [
      { a: 0, b: 1 },
      { a: 1, b: 0 },
      { a: 1, b: 1 },
    ];
    expectThrow(
      () => train(keyed, Y),
      ShapeError,
      'x[0] must be an array of numbers, received an object',
      'Object.values(row)',
      "parser's array output",
    );
    expectThrow(
      () => train([[0, 1], { a: 1, b: 0 }, [1, 1]], Y),
      ShapeError,
      'x[1] must be an array',
      'Object.values(row)',
    );
    expect(JSON.stringify(net.toJSON())).toBe(before);
  });
});
