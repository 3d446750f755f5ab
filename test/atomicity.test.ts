/**
 * A call that throws leaves the network as it was (network.ts: "All validation happens here, before anything
 * changes"): parameters bit-identical, backend memory in use unchanged. A diverging run restores the parameters
 * and optimizer state of the last finite epoch.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { NnError, OptionError, ShapeError, TrainingError } from '../src/errors.js';
import { matrix } from '../src/matrix.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { paramBits, randomRows } from './helpers/data.js';

type ErrorClass = new (...args: never[]) => Error;

interface State {
  params: bigint[];
  used: number | null;
}
function state(n: Network): State {
  return { params: paramBits(n.getParameters()), used: n.backend.usedBytes() };
}
function expectSameState(n: Network, before: State, what: string): void {
  const after = state(n);
  expect(after.params, `${what}: parameters changed`).toEqual(before.params);
  expect(after.used, `${what}: usedBytes changed`).toBe(before.used);
}

const X = randomRows(8, 2, 11);
const Y = randomRows(8, 1, 12).map((r) => r.map((v) => (v + 1) / 2));
const T: TrainOptions = { epochs: 3, learningRate: 0.1, batchSize: 4 };

type BadCall = [name: string, cls: ErrorClass, call: (n: Network) => unknown];

function withNaN(rows: number[][], r: number, c: number, v: number): number[][] {
  const out = rows.map((row) => row.slice());
  out[r]![c] = v;
  return out;
}

/** Bad calls valid for an mse [2, 3, 1] network. */
const BAD_MSE: BadCall[] = [
  ['train ragged x', ShapeError, (n) => n.train([[1, 2], [3]], [[0], [1]], T)],
  ['train wrong input width', ShapeError, (n) => n.train(randomRows(8, 3, 1), Y, T)],
  ['train wrong output width', ShapeError, (n) => n.train(X, randomRows(8, 2, 1), T)],
  ['train row mismatch', ShapeError, (n) => n.train(X, Y.slice(1), T)],
  ['train empty', ShapeError, (n) => n.train([], [], T)],
  ['train NaN in x', ShapeError, (n) => n.train(withNaN(X, 7, 1, NaN), Y, T)],
  ['train Infinity in y', ShapeError, (n) => n.train(X, withNaN(Y, 3, 0, Infinity), T)],
  ['train -Infinity in Matrix x', ShapeError, (n) => n.train(matrix(8, 2, withNaN(X, 0, 0, -Infinity).flat()), Y, T)],
  ['train unknown option', OptionError, (n) => n.train(X, Y, { ...T, lr: 1 } as never)],
  ['train epochs 0', OptionError, (n) => n.train(X, Y, { ...T, epochs: 0 })],
  ['train epochs 1.5', OptionError, (n) => n.train(X, Y, { ...T, epochs: 1.5 })],
  ['train batchSize 0', OptionError, (n) => n.train(X, Y, { ...T, batchSize: 0 })],
  ['train batchSize huge', OptionError, (n) => n.train(X, Y, { ...T, batchSize: 2 ** 30 })],
  ['train learningRate NaN', OptionError, (n) => n.train(X, Y, { ...T, learningRate: NaN })],
  ['train learningRate -1', OptionError, (n) => n.train(X, Y, { ...T, learningRate: -1 })],
  ['train unknown optimizer', OptionError, (n) => n.train(X, Y, { ...T, optimizer: 'lion' as never })],
  ['train momentum with adam', OptionError, (n) => n.train(X, Y, { ...T, optimizer: 'adam', momentum: 0.5 })],
  ['train shuffle wrong type', OptionError, (n) => n.train(X, Y, { ...T, shuffle: 1 as never })],
  ['train bad validation', ShapeError, (n) => n.train(X, Y, { ...T, validation: { x: X, y: [[0.5]] } })],
  ['trainAsync ragged x', ShapeError, (n) => n.trainAsync([[1, 2], [3]], [[0], [1]], T)],
  ['trainAsync NaN in y', ShapeError, (n) => n.trainAsync(X, withNaN(Y, 2, 0, NaN), T)],
  ['trainAsync momentum with adam', OptionError, (n) => n.trainAsync(X, Y, { ...T, optimizer: 'adam', momentum: 0.5 })],
  ['trainAsync bad signal', OptionError, (n) => n.trainAsync(X, Y, { ...T, signal: 'stop' as never })],
  ['predict wrong width', ShapeError, (n) => n.predict(randomRows(3, 5, 1))],
  ['predict NaN', ShapeError, (n) => n.predict(withNaN(X, 1, 1, NaN))],
  ['predict empty', ShapeError, (n) => n.predict([])],
  ['evaluate row mismatch', ShapeError, (n) => n.evaluate(X, Y.slice(2))],
  ['evaluate Infinity in y', ShapeError, (n) => n.evaluate(X, withNaN(Y, 0, 0, Infinity))],
  ['gradients row mismatch', ShapeError, (n) => n.gradients(X, Y.slice(2))],
  [
    'setParameters NaN in the last layer (first layer valid but different)',
    ShapeError,
    (n) => {
      const p = n.getParameters();
      p[0]!.weights.fill(42);
      p[0]!.biases.fill(-1);
      p[1]!.biases[0] = NaN;
      n.setParameters(p);
    },
  ],
  [
    'setParameters wrong length in the last layer',
    ShapeError,
    (n) => {
      const p = n.getParameters();
      p[0]!.weights.fill(3);
      n.setParameters([p[0]!, { weights: new Float64Array(2), biases: p[1]!.biases }]);
    },
  ],
  ['setParameters too few layers', ShapeError, (n) => n.setParameters(n.getParameters().slice(0, 1))],
];

describe.each(BACKEND_DEFAULTS)('atomicity on $label', (bc) => {
  let backend!: Backend;
  useBackend(bc, (b) => (backend = b));

  async function net(o: Partial<NetworkOptions> = {}): Promise<Network> {
    return Network.create({ layers: [2, 3, 1], seed: 99, backend, ...o });
  }

  async function expectAtomic(n: Network, [name, cls, call]: BadCall): Promise<void> {
    const before = state(n);
    let err: unknown;
    try {
      await call(n);
    } catch (e) {
      err = e;
    }
    expect(err, `${name}: should throw ${cls.name}`).toBeInstanceOf(cls);
    expectSameState(n, before, name);
  }

  for (const warm of [false, true]) {
    it(`every bad call leaves a ${warm ? 'trained (adam)' : 'fresh'} network unchanged`, async () => {
      const n = await net();
      if (warm) n.train(X, Y, { epochs: 2, learningRate: 0.01, optimizer: 'adam', batchSize: 4 });
      for (const c of BAD_MSE) await expectAtomic(n, c);
      // and the network still works and trains exactly like an untouched twin
      const twin = await net();
      if (warm) twin.train(X, Y, { epochs: 2, learningRate: 0.01, optimizer: 'adam', batchSize: 4 });
      n.train(X, Y, { ...T, optimizer: 'adam', learningRate: 0.01 });
      twin.train(X, Y, { ...T, optimizer: 'adam', learningRate: 0.01 });
      expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
      n.dispose();
      twin.dispose();
    });
  }

  it('loss-domain violations leave the network unchanged (binary-cross-entropy, cross-entropy)', async () => {
    const bce = await net({ loss: 'binary-cross-entropy' });
    bce.train(X, Y, T);
    for (const c of [
      ['train target 1.5', ShapeError, (n: Network) => n.train(X, withNaN(Y, 5, 0, 1.5), T)],
      ['trainAsync target -1', ShapeError, (n: Network) => n.trainAsync(X, withNaN(Y, 5, 0, -1), T)],
      ['evaluate target 2', ShapeError, (n: Network) => n.evaluate(X, withNaN(Y, 0, 0, 2))],
    ] as BadCall[])
      await expectAtomic(bce, c);
    bce.dispose();
    const ce = await net({ layers: [2, 3, 3], activation: 'tanh', outputActivation: 'softmax', loss: 'cross-entropy' });
    const y3 = X.map(() => [0.25, 0.25, 0.5]);
    ce.train(X, y3, T);
    const bad = y3.map((r) => r.slice());
    bad[6] = [0.5, 0.5, 0.5];
    for (const c of [
      ['train rows not summing to 1', ShapeError, (n: Network) => n.train(X, bad, T)],
      ['trainAsync rows not summing to 1', ShapeError, (n: Network) => n.trainAsync(X, bad, T)],
      ['evaluate rows not summing to 1', ShapeError, (n: Network) => n.evaluate(X, bad)],
    ] as BadCall[])
      await expectAtomic(ce, c);
    ce.dispose();
  });

  it('an already-aborted signal changes nothing', async () => {
    const n = await net();
    n.train(X, Y, T);
    const before = state(n);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(n.trainAsync(X, Y, { ...T, signal: ac.signal })).rejects.toThrow('stop');
    expectSameState(n, before, 'aborted trainAsync');
    n.dispose();
  });

  it('aborting trainAsync keeps the parameters of the last completed epoch', async () => {
    const big = randomRows(400, 2, 5);
    const bigY = big.map((r) => [(Math.tanh(r[0]! - r[1]!) + 1) / 2]);
    const opts: TrainOptions = {
      epochs: 100000,
      learningRate: 0.05,
      batchSize: 1,
      shuffle: false,
      optimizer: 'momentum',
    };
    const n = await net();
    n.train(big, bigY, { ...opts, epochs: 1 }); // workspace and optimizer exist before the run
    const usedBefore = n.backend.usedBytes();
    const ac = new AbortController();
    let completed = 0;
    const p = n.trainAsync(big, bigY, {
      ...opts,
      signal: ac.signal,
      sliceMs: 2,
      onEpoch: () => {
        completed++;
        if (completed === 3) ac.abort(new Error('enough'));
      },
    });
    await expect(p).rejects.toThrow('enough');
    expect(completed).toBeGreaterThanOrEqual(3);
    expect(n.backend.usedBytes()).toBe(usedBefore);
    const twin = await net();
    twin.train(big, bigY, { ...opts, epochs: 1 });
    twin.train(big, bigY, { ...opts, epochs: completed });
    expect(paramBits(n.getParameters())).toEqual(paramBits(twin.getParameters()));
    n.dispose();
    twin.dispose();
  });

  describe('divergence', () => {
    // identity + mse on inputs ×1000: each full-batch SGD step multiplies the error by ~lr·|x|², so the loss
    // grows geometrically and overflows after tens of finite epochs.
    const bigX = randomRows(8, 2, 21, 1000);
    const bigY = randomRows(8, 1, 22, 1000);
    const opts: TrainOptions = { epochs: 10000, learningRate: 1e-3, batchSize: 8, shuffle: false };

    for (const mode of ['train', 'trainAsync'] as const) {
      it(`${mode}: TrainingError names the epoch and suggests a lower learning rate; parameters are those of the last finite epoch`, async () => {
        const n = await net({ activation: 'identity' });
        n.train(bigX, bigY, { ...opts, epochs: 1, learningRate: 1e-9 }); // workspace exists before the diverging call
        const usedBefore = n.backend.usedBytes();
        let last: bigint[] | null = null;
        let lastEpoch = -1;
        let err: unknown;
        const o: TrainOptions = {
          ...opts,
          onEpoch: ({ epoch, loss }) => {
            expect(Number.isFinite(loss)).toBe(true);
            lastEpoch = epoch;
            last = paramBits(n.getParameters()); // reads are allowed inside onEpoch, in train and trainAsync
          },
        };
        try {
          if (mode === 'train') n.train(bigX, bigY, o);
          else await n.trainAsync(bigX, bigY, o);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TrainingError);
        expect(err).toBeInstanceOf(NnError);
        const msg = (err as Error).message;
        expect(lastEpoch).toBeGreaterThanOrEqual(2); // several finite epochs first
        expect(msg).toContain(mode);
        expect(msg).toContain(`epoch ${lastEpoch + 1}`);
        expect(msg).toContain(`after epoch ${lastEpoch}`);
        expect(msg).toMatch(/lower learningRate/);
        expect(msg).toContain(String(opts.learningRate));
        const after = n.getParameters();
        for (const p of after)
          for (const a of [p.weights, p.biases]) for (const v of a) expect(Number.isFinite(v)).toBe(true);
        expect(paramBits(after)).toEqual(last);
        expect(n.backend.usedBytes()).toBe(usedBefore);
        n.dispose();
      });
    }

    it('a divergence in the first epoch leaves parameters and adam state as before the call', async () => {
      const make = () => net({ activation: 'relu', outputActivation: 'identity', layers: [2, 4, 1] });
      const a = await make();
      const b = await make();
      const warm: TrainOptions = { epochs: 3, learningRate: 0.001, optimizer: 'adam', batchSize: 4, shuffle: false };
      a.train(bigX, bigY, warm);
      b.train(bigX, bigY, warm);
      const before = state(a);
      let err: unknown;
      try {
        a.train(bigX, bigY, { ...warm, learningRate: 1e300 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TrainingError);
      expect((err as Error).message).toContain('in epoch 0');
      expect((err as Error).message).toContain('unchanged');
      expect((err as Error).message).not.toContain('epoch -1');
      expectSameState(a, before, 'diverged in epoch 0');
      // the optimizer state (moments and step count) is restored too: training on matches the twin bit for bit
      a.train(bigX, bigY, warm);
      b.train(bigX, bigY, warm);
      expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
      a.dispose();
      b.dispose();
    });
  });
});
