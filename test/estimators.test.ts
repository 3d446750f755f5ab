/**
 * Estimators (API.md "Estimators") on every backend: every method of Classifier and Regressor, save/load round
 * trips (float64 bit for bit), fitAsync = fit, early stopping (stops, bestEpoch, the best epoch's parameters restored
 * bit for bit), the seeded stratified validation split, and ONNX exports with the scaling nodes run by ONNX Runtime.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Classifier, DisposedError, NotFittedError, Regressor, metrics, type Matrix } from '../src/index.js';
import { splitIndices } from '../src/internal/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { paramBits } from './helpers/data.js';
import { blobs, regression } from './helpers/tabular.js';

const CLASSES = ['virginica', 'setosa', 'versicolor'];
const bits = (a: Float64Array): bigint[] =>
  Array.from(new BigUint64Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const standardise = (x: number[][]): number[][] => {
  const cols = x[0]!.length;
  const mean = Array.from({ length: cols }, (_, k) => x.reduce((s, r) => s + r[k]!, 0) / x.length);
  const sd = mean.map((m, k) => Math.sqrt(x.reduce((s, r) => s + (r[k]! - m) ** 2, 0) / x.length));
  return x.map((r) => r.map((v, k) => (v - mean[k]!) / sd[k]!));
};

describe.each(BACKENDS)('estimators on $label', (bc) => {
  let backend: Backend;
  useBackend(bc, (b) => (backend = b));

  it('Classifier: fit, classes, predict, predictProba, score, network, with standard scaling', () => {
    const { x, labels } = blobs(CLASSES, 30, 1);
    const c = Classifier.create({ seed: 7, backend, hidden: [8] });
    return c.then((clf) => {
      const res = clf.fit(x, labels, { epochs: 60, learningRate: 0.01 });
      expect(res.epochs).toBe(60);
      expect(res.losses).toHaveLength(60);
      expect(res.stoppedEarly).toBe(false);
      expect(res.validationLosses).toBeUndefined();
      expect(res.losses[59]!).toBeLessThan(res.losses[0]! / 2);
      expect(clf.classes).toEqual(['setosa', 'versicolor', 'virginica']);
      const net = clf.network;
      expect(net.layers).toEqual([4, 8, 3]);
      expect(net.activations).toEqual(['relu', 'softmax']);
      expect(net.loss).toBe('cross-entropy');
      expect(net.backend).toBe(backend);
      const p = clf.predictProba(x);
      expect([p.rows, p.cols]).toEqual([x.length, 3]);
      for (let r = 0; r < p.rows; r++)
        expect(p.data[r * 3]! + p.data[r * 3 + 1]! + p.data[r * 3 + 2]!).toBeCloseTo(1, 12);
      // the network sees the standardised rows (population standard deviation), bit for bit
      expect(bits(net.predict(standardise(x)).data)).toEqual(bits(p.data));
      const predicted = clf.predict(x);
      predicted.forEach((l, r) => {
        const row = [0, 1, 2].map((j) => p.data[r * 3 + j]!);
        expect(l).toBe(clf.classes[row.indexOf(Math.max(...row))]);
      });
      expect(clf.score(x, labels)).toBe(metrics.accuracy(labels, predicted));
      expect(clf.score(x, labels)).toBeGreaterThan(0.9);
      // typed arrays and a Matrix are rows too
      expect(clf.predict(x.map((r) => Float64Array.from(r)))).toEqual(predicted);
      const m: Matrix = { rows: x.length, cols: 4, data: Float64Array.from(x.flat()) };
      expect(clf.predict(m)).toEqual(predicted);
      clf.dispose();
      expect(() => clf.predict(x)).toThrow(DisposedError);
      expect(backend.disposed).toBe(false);
    });
  });

  it('Classifier: numeric labels, two classes (softmax), scale minmax and none', async () => {
    const { x, labels } = blobs([10, 2], 25, 2);
    for (const scale of ['minmax', 'none'] as const) {
      const clf = await Classifier.create({ seed: 3, backend, hidden: [6], scale });
      clf.fit(x, labels, { epochs: 20 });
      expect(clf.classes).toEqual([2, 10]);
      expect(clf.network.layers).toEqual([4, 6, 2]);
      expect(clf.network.activations.at(-1)).toBe('softmax');
      expect(clf.predict(x).every((l) => l === 2 || l === 10)).toBe(true);
      const j = clf.toJSON();
      expect(j.scaler === null).toBe(scale === 'none');
      if (scale === 'minmax') {
        const lo = Math.min(...x.map((r) => r[1]!)),
          hi = Math.max(...x.map((r) => r[1]!));
        expect([j.scaler!.shift[1], j.scaler!.scale[1]]).toEqual([lo, hi - lo]);
      }
      clf.dispose();
    }
  });

  it('Classifier: toJSON / fromJSON restores classes, scaler and parameters bit for bit; a second fit starts afresh', async () => {
    const { x, labels } = blobs(CLASSES, 20, 3);
    const clf = await Classifier.create({ seed: 11, backend, hidden: [5, 4], activation: 'tanh' });
    clf.fit(x, labels, { epochs: 15, learningRate: 0.01 });
    const text = JSON.stringify(clf);
    const back = await Classifier.fromJSON(text, backend);
    expect(back.classes).toEqual(clf.classes);
    expect(back.seed).toBe(11);
    expect(JSON.stringify(back)).toBe(text);
    expect(bits(back.predictProba(x).data)).toEqual(bits(clf.predictProba(x).data));
    expect(paramBits(back.network.getParameters())).toEqual(paramBits(clf.network.getParameters()));
    // fit again: a fresh network from the same seed gives the same model as the first fit
    const first = paramBits(clf.network.getParameters());
    const old = clf.network;
    clf.fit(x, labels, { epochs: 15, learningRate: 0.01 });
    expect(old.disposed).toBe(true);
    expect(paramBits(clf.network.getParameters())).toEqual(first);
    back.dispose();
    clf.dispose();
  });

  it('Regressor: fit, predict in target units, score (R²), save/load, one and two targets', async () => {
    for (const two of [false, true]) {
      const { x, y } = regression(120, 5, two);
      const reg = await Regressor.create({ seed: 2, backend, hidden: [16] });
      const res = reg.fit(x, y, { epochs: 150, learningRate: 0.01 });
      expect(res.epochs).toBe(150);
      const net = reg.network;
      expect(net.layers).toEqual([4, 16, two ? 2 : 1]);
      expect(net.activations.at(-1)).toBe('identity');
      expect(net.loss).toBe('mse');
      const p = reg.predict(x);
      expect([p.rows, p.cols]).toEqual([120, two ? 2 : 1]);
      // targets were standardised for training: the network's outputs times sd plus mean are the predictions
      const Y = two ? (y as number[][]) : (y as number[]).map((v) => [v]);
      const raw = net.predict(standardise(x));
      const cols = Y[0]!.length;
      for (let j = 0; j < cols; j++) {
        const m = Y.reduce((s, r) => s + r[j]!, 0) / Y.length;
        const sd = Math.sqrt(Y.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / Y.length);
        for (let r = 0; r < 120; r++) expect(p.data[r * cols + j]).toBe(raw.data[r * cols + j]! * sd + m);
      }
      expect(reg.score(x, y)).toBe(metrics.r2(y, p));
      expect(reg.score(x, y)).toBeGreaterThan(0.9);
      const back = await Regressor.fromJSON(reg.toJSON(), backend);
      expect(bits(back.predict(x).data)).toEqual(bits(p.data));
      expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(reg.toJSON()));
      back.dispose();
      reg.dispose();
    }
  });

  it("fitAsync gives fit's parameters bit for bit, for both estimators", async () => {
    const { x, labels } = blobs(CLASSES, 15, 4);
    const a = await Classifier.create({ seed: 5, backend, hidden: [7] });
    const b = await Classifier.create({ seed: 5, backend, hidden: [7] });
    const ra = a.fit(x, labels, { epochs: 12, validationSplit: 0.25 });
    const rb = await b.fitAsync(x, labels, { epochs: 12, validationSplit: 0.25 });
    expect(rb).toEqual(ra);
    expect(paramBits(b.network.getParameters())).toEqual(paramBits(a.network.getParameters()));
    const { x: rx, y } = regression(50, 6);
    const c = await Regressor.create({ seed: 5, backend, hidden: [7] });
    const d = await Regressor.create({ seed: 5, backend, hidden: [7] });
    c.fit(rx, y, { epochs: 12 });
    await d.fitAsync(rx, y, { epochs: 12 });
    expect(paramBits(d.network.getParameters())).toEqual(paramBits(c.network.getParameters()));
    for (const e of [a, b, c, d]) e.dispose();
  });

  it('early stopping: stops after `patience` epochs without improvement and restores the best epoch bit for bit', async () => {
    const { x, labels } = blobs(CLASSES, 30, 8, 2.5);
    const opts = { epochs: 400, learningRate: 0.05, validationSplit: 0.3 } as const;
    const es = await Classifier.create({ seed: 21, backend, hidden: [32] });
    const res = es.fit(x, labels, { ...opts, earlyStopping: { patience: 4 } });
    expect(res.stoppedEarly).toBe(true);
    const v = res.validationLosses!;
    expect(v).toHaveLength(res.epochs);
    expect(res.epochs).toBeLessThan(400);
    const best = res.bestEpoch!;
    expect(best).toBe(v.indexOf(Math.min(...v)));
    expect(res.epochs).toBe(best + 4 + 1);
    // the same estimator trained for best + 1 epochs ends with the parameters early stopping restored
    const ref = await Classifier.create({ seed: 21, backend, hidden: [32] });
    const rr = ref.fit(x, labels, { ...opts, epochs: best + 1 });
    expect(rr.validationLosses).toEqual(v.slice(0, best + 1));
    expect(paramBits(es.network.getParameters())).toEqual(paramBits(ref.network.getParameters()));
    // restoreBest: false keeps the last epoch's parameters
    const last = await Classifier.create({ seed: 21, backend, hidden: [32] });
    const rl = last.fit(x, labels, { ...opts, earlyStopping: { patience: 4, restoreBest: false } });
    expect(rl.epochs).toBe(res.epochs);
    const full = await Classifier.create({ seed: 21, backend, hidden: [32] });
    full.fit(x, labels, { ...opts, epochs: res.epochs });
    expect(paramBits(last.network.getParameters())).toEqual(paramBits(full.network.getParameters()));
    expect(paramBits(last.network.getParameters())).not.toEqual(paramBits(es.network.getParameters()));
    for (const e of [es, ref, last, full]) e.dispose();
  });

  it('early stopping without a validation split monitors the training loss', async () => {
    const { x, y } = regression(60, 9);
    const reg = await Regressor.create({ seed: 4, backend, hidden: [8] });
    const res = reg.fit(x, y, { epochs: 3000, learningRate: 0.05, earlyStopping: { patience: 5, minDelta: 1e-3 } });
    expect(res.stoppedEarly).toBe(true);
    expect(res.validationLosses).toBeUndefined();
    expect(res.epochs).toBeLessThan(3000);
    const best = res.bestEpoch!;
    const l = res.losses;
    // every epoch after the best failed to improve on it by more than minDelta
    for (let e = best + 1; e < res.epochs; e++) expect(l[e]!).toBeGreaterThanOrEqual(l[best]! - 1e-3);
    reg.dispose();
  });
});

describe('validation split', () => {
  it('stratified (the split estimators use): seeded, reproducible, disjoint, every class in both parts in proportion', () => {
    const codes = Int32Array.from({ length: 100 }, (_, r) => (r < 50 ? 0 : r < 80 ? 1 : 2));
    const a = splitIndices(100, 0.2, 99, codes);
    expect(splitIndices(100, 0.2, 99, codes)).toEqual(a);
    expect([...splitIndices(100, 0.2, 100, codes).validation]).not.toEqual([...a.validation]);
    expect([...a.train, ...a.validation].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, r) => r));
    expect([...a.validation]).toEqual([...a.validation].sort((p, q) => p - q));
    const count = (rows: Int32Array, c: number): number => Array.from(rows).filter((r) => codes[r] === c).length;
    expect([0, 1, 2].map((c) => count(a.validation, c))).toEqual([10, 6, 4]);
    // a class of one row stays in training: the remainder that would take it goes to a class that can give a row
    const rare = Int32Array.from([0, 0, 0, 0, 1]);
    const r = splitIndices(5, 0.5, 1, rare);
    expect(r.validation).toHaveLength(3);
    expect([...r.train]).toContain(4);
    const s = splitIndices(20, 0.3, 5);
    expect(s.validation).toHaveLength(6);
    expect(splitIndices(20, 0.3, 5)).toEqual(s);
  });

  it("a classifier holds out the rows Network's stratified validationSplit holds out for the same seed", async () => {
    const { x, labels } = blobs(CLASSES, 20, 12);
    const c = await Classifier.create({ seed: 8, backend: 'js', hidden: [4] });
    c.fit(x, labels, { epochs: 1 });
    const codes = labels.map((l) => c.classes.indexOf(l));
    const s = splitIndices(labels.length, 0.25, 8, codes);
    // the held-out rows keep each class's share: 20 rows per class, 5 of each held out
    expect(CLASSES.map((_, k) => Array.from(s.validation).filter((r) => codes[r] === k).length)).toEqual(
      CLASSES.map(() => 5),
    );
    // the estimator trained on exactly the other rows: a fit on them alone (no split) gives the same first-epoch loss
    const e = c.fit(x, labels, { epochs: 2, validationSplit: 0.25 });
    const only = await Classifier.create({ seed: 8, backend: 'js', hidden: [4] });
    const pick = <T>(a: readonly T[], idx: Int32Array): T[] => Array.from(idx, (i) => a[i]!);
    const o = only.fit(pick(x, s.train), pick(labels, s.train), { epochs: 2 });
    expect(e.losses).toEqual(o.losses);
    c.dispose();
    only.dispose();
  });

  it('an estimator splits the same rows for the same seed (same validation losses), others for another', async () => {
    const { x, labels } = blobs(CLASSES, 20, 12);
    const run = async (seed: number): Promise<number[]> => {
      const c = await Classifier.create({ seed, backend: 'js', hidden: [4] });
      const v = c.fit(x, labels, { epochs: 3, validationSplit: 0.25 }).validationLosses!;
      c.dispose();
      return v;
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });
});

describe('threads', () => {
  it('fitAsync on 2 threads gives the parameters of fit on 1 thread; fit refuses threads > 1', async () => {
    const { x, labels } = blobs(CLASSES, 40, 13);
    const one = await Classifier.create({ seed: 9, backend: 'assemblyscript', hidden: [32] });
    const two = await Classifier.create({ seed: 9, backend: 'assemblyscript', hidden: [32], threads: 2 });
    one.fit(x, labels, { epochs: 5 });
    await two.fitAsync(x, labels, { epochs: 5 });
    expect(two.network.threads).toBe(2);
    expect(paramBits(two.network.getParameters())).toEqual(paramBits(one.network.getParameters()));
    expect(() => two.fit(x, labels, { epochs: 1 })).toThrow(/fitAsync/);
    one.dispose();
    two.dispose();
  });
});

describe('ONNX: the scaling in the graph, run by ONNX Runtime', () => {
  async function run(bytes: Uint8Array, x: number[][], dtype: 'float64' | 'float32'): Promise<Float64Array> {
    const s = await ort.InferenceSession.create(bytes);
    try {
      const flat = x.flat();
      const t =
        dtype === 'float64'
          ? new ort.Tensor('float64', Float64Array.from(flat), [x.length, x[0]!.length])
          : new ort.Tensor('float32', Float32Array.from(flat), [x.length, x[0]!.length]);
      const out = await s.run({ input: t });
      return Float64Array.from(out.output!.data as Float64Array);
    } finally {
      await s.release();
    }
  }
  const agree = (a: Float64Array, b: Float64Array, tol: number): void => {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!))).toBeLessThanOrEqual(tol);
  };

  it.each(BACKENDS.map((b) => b.label))('Classifier and Regressor on %s', async (label) => {
    const backend = await BACKENDS.find((b) => b.label === label)!.create();
    const { x, labels } = blobs(CLASSES, 10, 14);
    const clf = await Classifier.create({ seed: 1, backend, hidden: [6] });
    clf.fit(x, labels, { epochs: 10 });
    agree(await run(clf.toONNX(), x, 'float64'), clf.predictProba(x).data, 1e-12);
    agree(await run(clf.toONNX({ dtype: 'float32' }), x, 'float32'), clf.predictProba(x).data, 1e-5);
    const { x: rx, y } = regression(30, 15);
    const reg = await Regressor.create({ seed: 1, backend, hidden: [6], scale: 'minmax' });
    reg.fit(rx, y, { epochs: 10 });
    agree(await run(reg.toONNX(), rx, 'float64'), reg.predict(rx).data, 1e-12);
    // float32: the input scaling and the un-scaling of targets near 200 in float32
    agree(await run(reg.toONNX({ dtype: 'float32' }), rx, 'float32'), reg.predict(rx).data, 1e-5);
    // without the scaling nodes, the network's own export gives different numbers (the nodes matter)
    const bare = await run(reg.network.toONNX(), rx, 'float64');
    expect(Math.abs(bare[0]! - reg.predict(rx).data[0]!)).toBeGreaterThan(1);
    clf.dispose();
    reg.dispose();
    backend.dispose();
  });
});

describe('estimator state', () => {
  it('network before fit is a NotFittedError; a failing fit leaves the previous model as it was', async () => {
    const { x, labels } = blobs(CLASSES, 10, 16);
    const clf = await Classifier.create({ seed: 1, backend: 'js', hidden: [4] });
    expect(() => clf.network).toThrow(NotFittedError);
    expect(() => clf.predict(x)).toThrow(/^Classifier\.predict: this classifier is not fitted yet/);
    clf.fit(x, labels, { epochs: 3 });
    const before = paramBits(clf.network.getParameters());
    const bad = x.map((r) => r.slice());
    bad[3]![2] = NaN;
    expect(() => clf.fit(bad, labels, { epochs: 3 })).toThrow(/x\[3\]\[2\]/);
    expect(() =>
      clf.fit(x, labels, {
        epochs: 3,
        onEpoch: () => {
          throw new Error('stop here');
        },
      }),
    ).toThrow('stop here');
    const ac = new AbortController();
    ac.abort(new Error('aborted'));
    await expect(clf.fitAsync(x, labels, { epochs: 3, signal: ac.signal })).rejects.toThrow('aborted');
    expect(paramBits(clf.network.getParameters())).toEqual(before);
    expect(clf.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    clf.dispose();
  });
});
