/**
 * Estimators: data as users have it is refused with typed errors naming row and column (string numbers from a CSV,
 * NaN, wrong widths, bad or unknown labels), bad options are OptionErrors, and options this build's Network does not
 * take yet are refused as "not supported yet" (never ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Classifier, DisposedError, OptionError, Regressor, ShapeError } from '../src/index.js';
import { supports } from '../src/estimators/options.js';
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
    expect(() => clf.fit(csv, labels)).toThrow(/x\[0\]\[0\] \(row 0, column 0\) is the string '[\d.]+', expected a number: convert the column to numbers/);
    const one = x.map((r) => r.slice()) as unknown[][];
    one[5]![2] = '0.25';
    expect(() => clf.predict(one as number[][])).toThrow(/x\[5\]\[2\] \(row 5, column 2\) is the string '0.25'.*convert/);
    expect(() => reg.fit([[1], [2]], ['3.5', '4'] as unknown as number[])).toThrow(/y\[0\] \(row 0\) is the string '3.5'.*convert/);
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
    expect(() => reg.fit(x, x.map(() => NaN))).toThrow(/y\[0\] \(row 0\) is NaN/);
  });

  it('wrong widths: ragged rows in fit, the fitted width in predict / score', () => {
    const ragged = x.map((r) => r.slice());
    ragged[6] = ragged[6]!.slice(0, 3);
    expect(() => clf.fit(ragged, labels)).toThrow(/x\[6\] has 3 values, expected 4/);
    expect(() => clf.predict([[1, 2, 3]])).toThrow(ShapeError);
    expect(() => clf.predict([[1, 2, 3]])).toThrow(/x\[0\] has 3 values, expected 4 \(the number of features the model was fitted on\)/);
    expect(() => reg.score([[1, 2, 3, 4, 5]], [1])).toThrow(/expected 4/);
    expect(() => reg.score([[1, 2, 3, 4]], [[1, 2]])).toThrow(/y has 2 targets per row, expected 1/);
    expect(() => clf.predict([])).toThrow(/empty/);
    expect(() => clf.predict('1,2,3,4' as unknown as number[][])).toThrow(ShapeError);
  });

  it('labels: one per row, strings or finite numbers, not mixed, at least two classes; unknown labels in score', () => {
    expect(() => clf.fit(x, labels.slice(1))).toThrow(/labels has 23 entries but x has 24 rows/);
    const mixed = labels.slice() as (string | number)[];
    mixed[3] = 1;
    expect(() => clf.fit(x, mixed)).toThrow(/labels\[3\] is the number 1 but labels\[0\] is a string/);
    const nan = labels.slice() as (string | number)[];
    nan.fill(0);
    nan[2] = NaN;
    expect(() => clf.fit(x, nan)).toThrow(/labels\[2\] is NaN/);
    expect(() => clf.fit(x, x.map(() => null) as unknown as string[])).toThrow(/labels\[0\] is null/);
    expect(() => clf.fit(x, x.map(() => 'same'))).toThrow(/only one class/);
    const unknown = labels.slice();
    unknown[7] = 'd';
    expect(() => clf.score(x, unknown)).toThrow(ShapeError);
    expect(() => clf.score(x, unknown)).toThrow(/labels\[7\] is 'd', which is not one of the classes seen in fit \('a', 'b', 'c'\)/);
  });
});

describe('options', () => {
  it('bad options are OptionErrors naming the option', async () => {
    await expect(Classifier.create({ hidden: [0] })).rejects.toThrow(/hidden\[0\] must be an integer/);
    await expect(Classifier.create({ activation: 'softmax' })).rejects.toThrow(OptionError);
    await expect(Classifier.create({ scale: 'robust' as 'standard' })).rejects.toThrow(/unknown scale 'robust' \(expected standard\|minmax\|none\)/);
    await expect(Regressor.create({ layers: [1] } as object)).rejects.toThrow(/unknown option 'layers'/);
    await expect(Classifier.create({ backend: 'gpu' as 'js' })).rejects.toThrow(/unknown backend 'gpu'/);
    expect(() => clf.fit(x, labels, { epochs: 0 })).toThrow(/epochs must be an integer >= 1/);
    expect(() => clf.fit(x, labels, { validationSplit: 1 })).toThrow(/validationSplit must be a number in \[0, 1\)/);
    expect(() => clf.fit(x, labels, { validationSplit: 0 })).toThrow(OptionError);
    expect(() => clf.fit(x, labels, { validationSplit: 0.01 })).toThrow(/leaves no validation rows/);
    expect(() => clf.fit(x, labels, { earlyStopping: { patience: 0 } })).toThrow(/earlyStopping.patience/);
    expect(() => clf.fit(x, labels, { earlyStopping: 'yes' as unknown as boolean })).toThrow(OptionError);
    expect(() => clf.fit(x, labels, { learningRate: -1 })).toThrow(/learningRate must be a finite number > 0/);
    expect(() => clf.fit(x, labels, { signal: new AbortController().signal })).toThrow(/signal is an option of fitAsync/);
    expect(() => reg.fit(x, x.map(() => 1), { classWeight: 'balanced' })).toThrow(/classWeight is an option of Classifier/);
    expect(() => clf.fit(x, labels, { sampleWeight: [1, 2] })).toThrow(/sampleWeight has 2 entries but x has 24 rows/);
  });

  // each case checks whichever is true of this build: Network takes the option (then fit accepts it), or it does not
  // (then fit refuses it as "not supported yet" before changing anything)
  const cases: [string, boolean, () => unknown][] = [
    ['sampleWeight', supports.trainOption('sampleWeight', [1]), () => clf.fit(x, labels, { epochs: 1, sampleWeight: x.map(() => 1) })],
    ['classWeight', supports.trainOption('classWeight', 'balanced'), () => clf.fit(x, labels, { epochs: 1, classWeight: { a: 2 } })],
    ["optimizer 'adamw'", supports.optimizer('adamw'), () => clf.fit(x, labels, { epochs: 1, optimizer: 'adamw' })],
    ['a learningRate function', supports.trainOption('learningRate', () => 1e-3), () => clf.fit(x, labels, { epochs: 1, learningRate: () => 1e-3 })],
  ];
  it.each(cases)('%s: passed to Network when it takes it, else "not supported yet"', (what, supported, call) => {
    const before = clf.predictProba(x).data.slice();
    if (supported) expect(call).not.toThrow();
    else {
      expect(call).toThrow(OptionError);
      expect(call).toThrow(`${what} is not supported yet`);
      expect(clf.predictProba(x).data).toEqual(before);
    }
  });

  it('dropout: passed to Network when it takes it, else "not supported yet"', async () => {
    if (supports.dropout()) {
      const c = await Classifier.create({ dropout: 0.1, backend: 'js', hidden: [4] });
      c.fit(x, labels, { epochs: 1 });
      c.dispose();
    } else {
      await expect(Classifier.create({ dropout: 0.1 })).rejects.toThrow(/dropout is not supported yet/);
    }
  });
});

describe('lifecycle and loading', () => {
  it('fromJSON refuses other formats and kinds, and says so for a file path', async () => {
    await expect(Classifier.fromJSON('model.json')).rejects.toThrow(/^Classifier\.fromJSON: received the string 'model.json', which is not JSON text \(a file name or URL\?\); pass .*readFileSync\(path, 'utf8'\)/);
    await expect(Classifier.fromJSON(reg.toJSON(), 'js')).rejects.toThrow(/^Classifier\.fromJSON: this is a saved Regressor .*load it with Regressor\.fromJSON/);
    await expect(Regressor.fromJSON(clf.network.toJSON(), 'js')).rejects.toThrow(/^Regressor\.fromJSON: this is a saved Network .*load it with Network\.fromJSON/);
    const j = clf.toJSON();
    await expect(Classifier.fromJSON({ ...j, classes: ['a', 'b'] }, 'js')).rejects.toThrow(/classes .* expected an array of 3 labels/);
    await expect(Classifier.fromJSON({ ...j, scaler: { ...j.scaler, scale: [1, 0, 1, 1] } }, 'js')).rejects.toThrow(/scaler.scale\[1\] is 0, expected a finite number > 0/);
    await expect(Classifier.fromJSON({ ...j, options: { ...j.options, hidden: [5] } }, 'js')).rejects.toThrow(/does not match options.hidden \[5\]/);
  });

  it('a disposed estimator throws DisposedError', async () => {
    const c = await Classifier.create({ backend: 'js', hidden: [2] });
    c.dispose();
    expect(() => c.fit(x, labels)).toThrow(DisposedError);
    expect(() => c.toJSON()).toThrow(DisposedError);
    expect(c.backend.disposed).toBe(true);
  });
});
