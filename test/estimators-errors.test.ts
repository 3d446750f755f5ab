/**
 * Estimators: data as users have it is refused with typed errors naming row and column (string numbers from a CSV,
 * NaN, wrong widths, bad or unknown labels), bad options are OptionErrors, and the training controls reach Network
 * (each changes what is learned).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Classifier, DisposedError, OptionError, Regressor, ShapeError } from '../src/index.js';
import { blobs, regression } from './helpers/tabular.js';

const { x, labels } = blobs(['a', 'b', 'c'], 8, 1);
let clf: Classifier;
let reg: Regressor;
beforeAll(async () => {
  clf = await Classifier.create({ seed: 1, backend: 'js', hidden: [4] });
  clf.fit(x, labels, { epochs: 2 });
  reg = await Regressor.create({ seed: 1, backend: 'js', hidden: [4] });
  const r = regression(20, 2);
  reg.fit(r.x, r.y, { epochs: 2 });
});
afterAll(() => {
  clf.dispose();
  reg.dispose();
});

describe('data errors name the row and column', () => {
  it("string numbers from a CSV ('5.1') are a ShapeError that says to convert them", () => {
    const csv = x.map((r) => r.map(String)) as unknown as number[][];
    expect(() => clf.fit(csv, labels)).toThrow(ShapeError);
    expect(() => clf.fit(csv, labels)).toThrow(
      /x\[0\]\[0\] \(row 0, column 0\) is the string '[\d.]+', expected a number: convert the column to numbers/,
    );
    const one = x.map((r) => r.slice()) as unknown[][];
    one[5]![2] = '0.25';
    expect(() => clf.predict(one as number[][])).toThrow(
      /x\[5\]\[2\] \(row 5, column 2\) is the string '0.25'.*convert/,
    );
    expect(() => reg.fit([[1], [2]], ['3.5', '4'] as unknown as number[])).toThrow(
      /y\[0\] \(row 0\) is the string '3.5'.*convert/,
    );
    one[5]![2] = 'abc';
    expect(() => clf.predict(one as number[][])).toThrow(/x\[5\]\[2\].*the string 'abc', expected a finite number/);
  });

  it('NaN and Infinity name row and column', () => {
    const bad = x.map((r) => r.slice());
    bad[4]![1] = NaN;
    expect(() => clf.fit(bad, labels)).toThrow(ShapeError);
    expect(() => clf.score(bad, labels)).toThrow(/x\[4\]\[1\] \(row 4, column 1\) is NaN/);
    bad[4]![1] = Infinity;
    expect(() => reg.predict(bad)).toThrow(/x\[4\]\[1\].*Infinity/);
    expect(() =>
      reg.fit(
        x,
        x.map(() => NaN),
      ),
    ).toThrow(/y\[0\] \(row 0\) is NaN/);
  });

  it('wrong widths: ragged rows in fit, the fitted width in predict / score', () => {
    const ragged = x.map((r) => r.slice());
    ragged[6] = ragged[6]!.slice(0, 3);
    expect(() => clf.fit(ragged, labels)).toThrow(/x\[6\] has 3 values, expected 4/);
    expect(() => clf.predict([[1, 2, 3]])).toThrow(ShapeError);
    expect(() => clf.predict([[1, 2, 3]])).toThrow(
      /x\[0\] has 3 values, expected 4 \(the number of features the model was fitted on\)/,
    );
    expect(() => reg.score([[1, 2, 3, 4, 5]], [1])).toThrow(/expected 4/);
    expect(() => reg.score([[1, 2, 3, 4]], [[1, 2]])).toThrow(/y has 2 targets per row, expected 1/);
    expect(() => clf.predict([])).toThrow(/empty/);
    expect(() => clf.predict('1,2,3,4' as unknown as number[][])).toThrow(ShapeError);
  });

  it('labels: one per row, strings or finite numbers, not mixed, at least two classes; unknown labels in score', () => {
    expect(() => clf.fit(x, labels.slice(1))).toThrow(/labels has 23 entries but x has 24 rows/);
    const mixed = labels.slice();
    mixed[3] = 1;
    expect(() => clf.fit(x, mixed)).toThrow(/labels\[3\] is the number 1 but labels\[0\] is a string/);
    const nan = labels.slice();
    nan.fill(0);
    nan[2] = NaN;
    expect(() => clf.fit(x, nan)).toThrow(/labels\[2\] is NaN/);
    expect(() => clf.fit(x, x.map(() => null) as unknown as string[])).toThrow(/labels\[0\] is null/);
    expect(() =>
      clf.fit(
        x,
        x.map(() => 'same'),
      ),
    ).toThrow(/only one class/);
    const unknown = labels.slice();
    unknown[7] = 'd';
    expect(() => clf.score(x, unknown)).toThrow(ShapeError);
    expect(() => clf.score(x, unknown)).toThrow(
      /labels\[7\] is 'd', which is not one of the classes seen in fit \('a', 'b', 'c'\)/,
    );
  });
});

describe('options', () => {
  it('bad options are OptionErrors naming the option', async () => {
    await expect(Classifier.create({ hidden: [0] })).rejects.toThrow(/hidden\[0\] must be an integer/);
    await expect(Classifier.create({ activation: 'softmax' })).rejects.toThrow(OptionError);
    await expect(Classifier.create({ scale: 'robust' as 'standard' })).rejects.toThrow(
      /unknown scale 'robust' \(expected standard\|minmax\|none\)/,
    );
    await expect(Regressor.create({ layers: [1] } as object)).rejects.toThrow(/unknown option 'layers'/);
    await expect(Classifier.create({ backend: 'gpu' as 'js' })).rejects.toThrow(/unknown backend 'gpu'/);
    expect(() => clf.fit(x, labels, { epochs: 0 })).toThrow(/epochs must be an integer >= 1/);
    expect(() => clf.fit(x, labels, { validationSplit: 1 })).toThrow(/validationSplit must be a number in \[0, 1\)/);
    expect(() => clf.fit(x, labels, { validationSplit: 0 })).toThrow(OptionError);
    expect(() => clf.fit(x, labels, { validationSplit: 0.99 })).toThrow(
      /validationSplit 0.99 of 24 rows holds out 24 and leaves none to train on/,
    );
    expect(() => clf.fit(x, labels, { earlyStopping: { patience: 0 } })).toThrow(/earlyStopping.patience/);
    expect(() => clf.fit(x, labels, { earlyStopping: 'yes' as unknown as boolean })).toThrow(OptionError);
    expect(() => clf.fit(x, labels, { learningRate: -1 })).toThrow(/learningRate must be a finite number > 0/);
    expect(() => clf.fit(x, labels, { signal: new AbortController().signal })).toThrow(
      /signal is an option of fitAsync/,
    );
    expect(() =>
      reg.fit(
        x,
        x.map(() => 1),
        { classWeight: 'balanced' },
      ),
    ).toThrow(/classWeight is an option of Classifier/);
    expect(() => clf.fit(x, labels, { sampleWeight: [1, 2] })).toThrow(/sampleWeight has 2 entries but x has 24 rows/);
  });

  // each control reaches Network: the same fit with it learns something else than without it
  const cases: [string, object][] = [
    ['sampleWeight', { sampleWeight: x.map((_, i) => (i % 4 === 0 ? 3 : 0.5)) }],
    ['classWeight', { classWeight: { a: 4 } }],
    ["optimizer 'adamw'", { optimizer: 'adamw', weightDecay: 0.5 }],
    ['a learningRate function', { learningRate: (step: number) => (step < 2 ? 0.1 : 1e-3) }],
  ];
  it.each(cases)('%s is passed to Network', async (_what, extra) => {
    const fitWith = async (o: object): Promise<Float64Array> => {
      const c = await Classifier.create({ backend: 'js', hidden: [4], seed: 3 });
      c.fit(x, labels, { epochs: 3, ...o });
      const p = c.predictProba(x).data.slice();
      c.dispose();
      return p;
    };
    expect(await fitWith(extra)).not.toEqual(await fitWith({}));
  });

  it('dropout is passed to Network', async () => {
    const c = await Classifier.create({ dropout: 0.1, backend: 'js', hidden: [4] });
    c.fit(x, labels, { epochs: 1 });
    expect(c.network.dropout).toEqual([0.1]); // one rate per hidden layer
    c.dispose();
  });
});

describe('lifecycle and loading', () => {
  it('fromJSON refuses other formats and kinds, and says so for a file path', async () => {
    await expect(Classifier.fromJSON('model.json')).rejects.toThrow(
      /^Classifier\.fromJSON: received the string 'model.json', which is not JSON text \(a file name or URL\?\); pass .*readFileSync\(path, 'utf8'\)/,
    );
    await expect(Classifier.fromJSON(reg.toJSON(), 'js')).rejects.toThrow(
      /^Classifier\.fromJSON: this is a saved Regressor .*load it with Regressor\.fromJSON/,
    );
    await expect(Regressor.fromJSON(clf.network.toJSON(), 'js')).rejects.toThrow(
      /^Regressor\.fromJSON: this is a saved Network .*load it with Network\.fromJSON/,
    );
    const j = clf.toJSON();
    await expect(Classifier.fromJSON({ ...j, classes: ['a', 'b'] }, 'js')).rejects.toThrow(
      /classes .* expected an array of 3 labels/,
    );
    await expect(Classifier.fromJSON({ ...j, scaler: { ...j.scaler, scale: [1, 0, 1, 1] } }, 'js')).rejects.toThrow(
      /scaler.scale\[1\] is 0, expected a finite number > 0/,
    );
    await expect(Classifier.fromJSON({ ...j, options: { ...j.options, hidden: [5] } }, 'js')).rejects.toThrow(
      /does not match options.hidden \[5\]/,
    );
  });

  it('a disposed estimator throws DisposedError', async () => {
    const c = await Classifier.create({ backend: 'js', hidden: [2] });
    c.dispose();
    expect(() => c.fit(x, labels)).toThrow(DisposedError);
    expect(() => c.toJSON()).toThrow(DisposedError);
    expect(c.backend.disposed).toBe(true);
  });
});
