/**
 * validationSplit and earlyStopping (API.md "Network", "Estimators"): the held-out rows come from the network's seed
 * (the same on every call and backend), early stopping stops after `patience` epochs without improvement, and
 * restoreBest leaves the network bit for bit where a run of exactly bestEpoch + 1 epochs from the same start leaves
 * it: parameters, optimizer state and counters, and the shuffle generator (so later training continues alike), on
 * train, trainAsync, trainStream, Datasets and threads. Bad options are typed errors that change nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network, OptionError, ShapeError, type TrainOptions } from '../src/index.js';
import { classIds, splitIndices } from '../src/internal/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectReject, expectThrow } from './helpers/expect-error.js';
import { paramBits, randomRows } from './helpers/data.js';

// a small noisy problem that a 5-12-1 network overfits within a few dozen epochs
const x = randomRows(40, 5, 21);
const y = x.map((r, i) => [r[0]! * r[1]! > 0 !== (i % 5 === 0) ? 1 : 0]);
const vx = randomRows(30, 5, 22);
const vy = vx.map((r) => [r[0]! * r[1]! > 0 ? 1 : 0]);
const spec = {
  layers: [5, 12, 1],
  seed: 7,
  activation: 'tanh',
  outputActivation: 'sigmoid',
  loss: 'binary-cross-entropy',
} as const;
const base = { learningRate: 0.05, batchSize: 8, optimizer: 'adam' as const };

function rowsAt<T>(a: readonly T[], idx: Int32Array): T[] {
  return Array.from(idx, (i) => a[i]!);
}

describe('splitIndices', () => {
  it('holds out ceil(fraction · rows), ascending, disjoint, the same for the same seed and different for another', () => {
    const a = splitIndices(50, 0.2, 5),
      b = splitIndices(50, 0.2, 5),
      c = splitIndices(50, 0.2, 6);
    expect(a.validation.length).toBe(10);
    expect(a.train.length).toBe(40);
    expect([...a.train, ...a.validation].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a.validation]).toEqual([...a.validation].sort((p, q) => p - q));
    expect(b).toEqual(a);
    expect([...c.validation]).not.toEqual([...a.validation]);
    expect(splitIndices(7, 0.1, 1).validation.length).toBe(1);
  });

  it('stratified: every class gives its share (largest remainders), reproducibly', () => {
    const strata = [...Array<number>(30).fill(0), ...Array<number>(60).fill(2), ...Array<number>(90).fill(1)];
    const s = splitIndices(180, 0.2, 9, strata);
    const count = (c: number): number => Array.from(s.validation).filter((i) => strata[i] === c).length;
    expect([count(0), count(1), count(2)]).toEqual([6, 18, 12]);
    // 10 rows of 3 classes (5, 3, 2) at 0.25: 3 held out; quotas 1.25, 0.75, 0.5 -> 1 + 1 (largest remainder) + 1
    const small = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
    const t = splitIndices(10, 0.25, 3, small);
    expect(Array.from(t.validation, (i) => small[i]).sort()).toEqual([0, 1, 2]);
    expect(splitIndices(180, 0.2, 9, strata)).toEqual(s);
  });

  it('classIds reads one-hot rows and a 0/1 column, and refuses anything else with a ShapeError', () => {
    expect([...classIds('t', { rows: 3, cols: 3, data: Float64Array.of(0, 1, 0, 1, 0, 0, 0, 0, 1) })]).toEqual([
      1, 0, 2,
    ]);
    expect([...classIds('t', { rows: 2, cols: 1, data: Float64Array.of(1, 0) })]).toEqual([1, 0]);
    expectThrow(
      () => classIds('t', { rows: 2, cols: 2, data: Float64Array.of(1, 0, 0.5, 0.5) }),
      ShapeError,
      'stratify needs classification targets',
      'y[1] is [0.5, 0.5]',
    );
    expectThrow(
      () => classIds('t', { rows: 1, cols: 1, data: Float64Array.of(2) }),
      ShapeError,
      'a single column of 0 and 1',
      'y[0] is [2]',
    );
  });
});

describe.each(BACKENDS)('validationSplit and earlyStopping on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));
  const make = (extra: object = {}): Promise<Network> => Network.create({ ...spec, backend, ...extra });

  it("validationSplit equals training on the seed's training rows with the held-out rows as validation", async () => {
    const a = await make(),
      b = await make();
    const ra = a.train(x, y, { ...base, epochs: 4, validationSplit: 0.25 });
    const idx = splitIndices(x.length, 0.25, spec.seed);
    expect(idx.validation.length).toBe(10);
    const rb = b.train(rowsAt(x, idx.train), rowsAt(y, idx.train), {
      ...base,
      epochs: 4,
      validation: { x: rowsAt(x, idx.validation), y: rowsAt(y, idx.validation) },
    });
    expect(ra).toEqual(rb);
    expect(ra.validationLosses).toHaveLength(4);
    expect(ra.stoppedEarly).toBe(false);
    expect(ra.bestEpoch).toBeUndefined();
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    // a second call holds out the same rows
    const ra2 = a.train(x, y, { ...base, epochs: 2, validationSplit: 0.25 });
    const rb2 = b.train(rowsAt(x, idx.train), rowsAt(y, idx.train), {
      ...base,
      epochs: 2,
      validation: { x: rowsAt(x, idx.validation), y: rowsAt(y, idx.validation) },
    });
    expect(ra2).toEqual(rb2);
    a.dispose();
    b.dispose();
  });

  it('sampleWeight follows its rows through validationSplit (one weight per row of x, before the split)', async () => {
    const a = await make(),
      b = await make();
    const w = x.map((_, i) => (i % 3) + 0.5);
    const ra = a.train(x, y, { ...base, epochs: 3, validationSplit: 0.25, sampleWeight: w });
    const idx = splitIndices(x.length, 0.25, spec.seed);
    const rb = b.train(rowsAt(x, idx.train), rowsAt(y, idx.train), {
      ...base,
      epochs: 3,
      sampleWeight: rowsAt(w, idx.train),
      validation: { x: rowsAt(x, idx.validation), y: rowsAt(y, idx.validation) },
    });
    expect(ra).toEqual(rb);
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    // weights for the training rows only are refused: they are given per row of x
    const before = paramBits(a.getParameters());
    expectThrow(
      () => a.train(x, y, { ...base, epochs: 1, validationSplit: 0.25, sampleWeight: rowsAt(w, idx.train) }),
      ShapeError,
      /one weight per row of x, before validationSplit/,
    );
    expect(paramBits(a.getParameters())).toEqual(before);
    a.dispose();
    b.dispose();
  });

  it("stratify holds out each class's share; a Dataset splits like the arrays", async () => {
    const a = await make(),
      b = await make();
    const opts = { ...base, epochs: 3, validationSplit: 0.3, stratify: true };
    const ra = a.train(x, y, opts);
    const ds = b.dataset(x, y);
    const rb = b.train(ds, opts);
    expect(rb).toEqual(ra);
    expect(paramBits(b.getParameters())).toEqual(paramBits(a.getParameters()));
    const idx = splitIndices(
      x.length,
      0.3,
      spec.seed,
      y.map((r) => r[0]!),
    );
    const ones = y.filter((r) => r[0] === 1).length;
    expect(Array.from(idx.validation).filter((i) => y[i]![0] === 1).length).toBe(Math.round((12 * ones) / 40));
    ds.dispose();
    a.dispose();
    b.dispose();
  });

  it('patience: stops after `patience` epochs without improvement; restoreBest equals a run of bestEpoch + 1 epochs (bits, optimizer, shuffle generator)', async () => {
    const opts = { ...base, learningRate: 0.2, epochs: 300, validation: { x: vx, y: vy } };
    const a = await make();
    const ra = a.train(x, y, { ...opts, earlyStopping: { patience: 4 } });
    expect(ra.stoppedEarly).toBe(true);
    const best = ra.bestEpoch!;
    expect(ra.epochs).toBeLessThan(300);
    expect(ra.epochs - 1 - best).toBe(4);
    const v = ra.validationLosses;
    expect(v).toHaveLength(ra.epochs);
    expect(v.indexOf(Math.min(...v))).toBe(best);
    expect(best).toBeGreaterThan(0);
    const b = await make();
    const rb = b.train(x, y, { ...opts, epochs: best + 1 });
    expect(ra.losses.slice(0, best + 1)).toEqual(rb.losses);
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    expect(a.toJSON({ optimizer: true })).toEqual(b.toJSON({ optimizer: true }));
    // training on continues alike (optimizer counters and shuffle generator restored too)
    expect(a.train(x, y, { ...base, epochs: 2 })).toEqual(b.train(x, y, { ...base, epochs: 2 }));
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    a.dispose();
    b.dispose();
  });

  it('restoreBest: false keeps the last epoch; minDelta counts as no improvement; true = patience 10', async () => {
    const opts = { ...base, epochs: 40, validationSplit: 0.25 };
    const a = await make(),
      b = await make(),
      c = await make();
    // nothing improves by more than 1e9 after epoch 0: stops after exactly `patience` more epochs
    const ra = a.train(x, y, { ...opts, earlyStopping: { patience: 3, minDelta: 1e9, restoreBest: false } });
    expect(ra).toMatchObject({ epochs: 4, bestEpoch: 0, stoppedEarly: true });
    const rb = b.train(x, y, { ...opts, epochs: 4 });
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    expect(ra.losses).toEqual(rb.losses);
    const rc = c.train(x, y, { ...opts, earlyStopping: { minDelta: 1e9 } });
    expect(rc).toMatchObject({ epochs: 11, bestEpoch: 0, stoppedEarly: true });
    const d = await make();
    d.train(x, y, { ...opts, epochs: 1 });
    expect(c.toJSON({ optimizer: true })).toEqual(d.toJSON({ optimizer: true }));
    a.dispose();
    b.dispose();
    c.dispose();
    d.dispose();
  });

  it('without validation data it monitors the training loss; onEpoch can still stop (restoring the best), and sees 0-based epochs', async () => {
    const a = await make(),
      b = await make();
    const seen: number[] = [];
    // stop at epoch 5 from onEpoch; the training loss falls throughout, so the best is the last epoch
    const ra = a.train(x, y, {
      ...base,
      epochs: 50,
      earlyStopping: true,
      onEpoch: ({ epoch }) => (seen.push(epoch), epoch === 5 ? false : undefined),
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ra.epochs).toBe(6);
    expect(ra.stoppedEarly).toBe(false);
    expect(ra.validationLosses).toBeUndefined();
    expect(ra.bestEpoch).toBe(ra.losses.indexOf(Math.min(...ra.losses)));
    b.train(x, y, { ...base, epochs: ra.bestEpoch! + 1 });
    expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
    // onEpoch returning true or a number continues
    const c = await make();
    const rc = c.train(x, y, { ...base, epochs: 3, onEpoch: () => true });
    expect(rc.epochs).toBe(3);
    a.dispose();
    b.dispose();
    c.dispose();
  });

  it('trainAsync, a Dataset, 2 threads and trainStream (shuffle off) give the same bits as train', async () => {
    const opts: TrainOptions = {
      ...base,
      learningRate: 0.2,
      epochs: 200,
      validation: { x: vx, y: vy },
      earlyStopping: { patience: 3 },
    };
    const a = await make();
    const ra = a.train(x, y, opts);
    expect(ra.stoppedEarly).toBe(true);
    const b = await make();
    expect(await b.trainAsync(x, y, { ...opts, sliceMs: 0.01 })).toEqual(ra);
    const c = await make({ threads: 2 });
    expect(c.threads).toBe(2);
    expect(c.train(x, y, opts)).toEqual(ra);
    const d = await make();
    const ds = d.dataset(x, y);
    expect(d.train(ds, opts)).toEqual(ra);
    for (const n of [b, c, d]) expect(paramBits(n.getParameters())).toEqual(paramBits(a.getParameters()));
    const s1 = await make(),
      s2 = await make();
    const so = { ...opts, shuffle: false };
    const rs1 = s1.train(x, y, so);
    const rs2 = await s2.trainStream(
      () => [
        { x: x.slice(0, 13), y: y.slice(0, 13) },
        { x: x.slice(13), y: y.slice(13) },
      ],
      so,
    );
    expect(rs2).toEqual(rs1);
    expect(s2.toJSON({ optimizer: true })).toEqual(s1.toJSON({ optimizer: true }));
    ds.dispose();
    for (const n of [a, b, c, d, s1, s2]) n.dispose();
  });

  it('bad options are typed errors, and nothing changes', async () => {
    const n = await make();
    const before = paramBits(n.getParameters());
    const T = { ...base, epochs: 2 };
    expectThrow(
      () => n.train(x, y, { ...T, validationSplit: 0.2, validation: { x: vx, y: vy } }),
      OptionError,
      'validation and validationSplit were both given',
      'pass one',
    );
    for (const bad of [0, 1, -0.1, 1.5, NaN, '0.2']) {
      expectThrow(
        () => n.train(x, y, { ...T, validationSplit: bad as number }),
        OptionError,
        'validationSplit must be a number in (0, 1)',
      );
    }
    expectThrow(
      () => n.train(x, y, { ...T, stratify: true }),
      OptionError,
      'stratify applies only with validationSplit',
    );
    expectThrow(
      () => n.train(x, y, { ...T, validationSplit: 0.2, stratify: 1 as never }),
      OptionError,
      'stratify must be a boolean',
    );
    expectThrow(
      () => n.train(x.slice(0, 1), y.slice(0, 1), { ...T, validationSplit: 0.5 }),
      ShapeError,
      'validationSplit 0.5 of 1 row holds out 1',
      'leaves none to train on',
    );
    const soft = y.map((r) => [r[0]! * 0.5 + 0.25]);
    expectThrow(
      () => n.train(x, soft, { ...T, validationSplit: 0.2, stratify: true }),
      ShapeError,
      'stratify needs classification targets',
      'y[0] is [',
    );
    expectThrow(
      () => n.train(x, y, { ...T, earlyStopping: 'yes' as never }),
      OptionError,
      'earlyStopping must be true, false or { patience, minDelta, restoreBest }',
    );
    expectThrow(
      () => n.train(x, y, { ...T, earlyStopping: { patience: 0 } }),
      OptionError,
      'earlyStopping.patience must be an integer >= 1',
      'received 0',
    );
    expectThrow(
      () => n.train(x, y, { ...T, earlyStopping: { minDelta: -1 } }),
      OptionError,
      'earlyStopping.minDelta must be a finite number >= 0',
      'received -1',
    );
    expectThrow(
      () => n.train(x, y, { ...T, earlyStopping: { restoreBest: 1 as never } }),
      OptionError,
      'earlyStopping.restoreBest must be a boolean',
    );
    expectThrow(
      () => n.train(x, y, { ...T, earlyStopping: { wait: 3 } as never }),
      OptionError,
      "unknown option 'wait'",
      'patience|minDelta|restoreBest',
    );
    await expectReject(
      () => n.trainStream(() => [{ x, y }], { ...T, validationSplit: 0.2 } as never),
      OptionError,
      'trainStream',
      'validationSplit needs all rows at once',
      'validation: { x, y }',
    );
    await expectReject(
      () => n.trainAsync(x, y, { ...T, validationSplit: 2 }),
      OptionError,
      'trainAsync: validationSplit',
    );
    expect(paramBits(n.getParameters())).toEqual(before);
    // and the network still trains
    expect(n.train(x, y, { ...T, validationSplit: 0.2, earlyStopping: true }).epochs).toBe(2);
    n.dispose();
  });
});
