/**
 * The training controls (API.md "Training controls"; plan v2 in src/abi.ts) on every backend build: learning-rate
 * schedules, dropout, clipping by the global norm, sample and class weights and AdamW each against the per-neuron
 * oracle, and all at once; threads 1 vs 2 bit-identical with every control on; checkpoint resume bit-identical with
 * a schedule and dropout; finite differences of the loss under a fixed dropout mask against the kernels' gradient;
 * validation of every new option (typed errors, nothing changes); the schedules' values.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network, NnError, OptionError, ShapeError, schedules, type TrainOptions } from '../src/index.js';
import { dropKeep, dropMix, dropRowKey } from '../src/abi.js';
import { OracleNetwork, type OracleTrainOptions, type StepControls } from '../src/reference/oracle.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits, randomRows } from './helpers/data.js';

const SEED = 7;
const X = randomRows(11, 3, 101, 2);
/** two outputs in (0, 1) for mse; the first one's sign as a 0/1 class for the one-hot cases */
const Y = X.map((r) => [r[0]! > 0 ? 0.9 : 0.1, 1 / (1 + Math.exp(-r[1]!))]);
const ONE_HOT = X.map((r) => (r[0]! + r[2]! > 0.3 ? [1, 0] : [0, 1]));
const SW = [1, 2, 0, 0, 0.5, 1, 3, 0, 0, 1.5, 2];

interface Feature {
  name: string;
  dropout?: number[];
  train: Partial<TrainOptions>;
  oracle: Partial<OracleTrainOptions>;
  oneHot?: boolean;
}

const sched = (s: number): number => 0.05 / (1 + 0.5 * s);
const FEATURES: Feature[] = [
  { name: 'a learning-rate schedule', train: { learningRate: sched }, oracle: { schedule: sched } },
  { name: 'dropout', dropout: [0.3, 0.5], train: {}, oracle: { controls: { dropout: [0.3, 0.5, 0], seed: SEED } } },
  { name: 'clipNorm', train: { clipNorm: 0.05 }, oracle: { controls: { clipNorm: 0.05 } } },
  {
    name: 'sampleWeight (with an all-zero batch)',
    train: { sampleWeight: SW },
    oracle: { controls: { sampleWeight: SW } },
  },
  {
    name: "classWeight 'balanced' (one-hot targets)",
    oneHot: true,
    train: { classWeight: 'balanced' },
    oracle: { controls: { sampleWeight: balanced(ONE_HOT) } },
  },
  {
    name: 'adamw',
    train: { optimizer: 'adamw', weightDecay: 0.1 },
    oracle: { optimizer: { kind: 'adamw', learningRate: 0.05, weightDecay: 0.1 } },
  },
  {
    name: 'every control at once',
    dropout: [0.2, 0.4],
    train: {
      learningRate: sched,
      clipNorm: 0.1,
      sampleWeight: SW,
      classWeight: [2, 0.5],
      optimizer: 'adamw',
      weightDecay: 0.05,
    },
    oneHot: true,
    oracle: {
      schedule: sched,
      optimizer: { kind: 'adamw', learningRate: 0, weightDecay: 0.05 },
      controls: {
        dropout: [0.2, 0.4, 0],
        seed: SEED,
        clipNorm: 0.1,
        sampleWeight: SW.map((w, i) => w * (ONE_HOT[i]![0] === 1 ? 2 : 0.5)),
      },
    },
  },
];

/** scikit-learn's 'balanced' weights of one-hot rows, written out independently of src/net/controls.ts */
function balanced(y: number[][]): number[] {
  const cls = y.map((r) => r.indexOf(1));
  const counts = [0, 1].map((c) => cls.filter((k) => k === c).length);
  return cls.map((c) => y.length / (2 * counts[c]!));
}

function oracleOf(net: Network): OracleNetwork {
  return new OracleNetwork(
    net.getParameters().map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
    { loss: net.loss, leakySlope: net.leakySlope },
  );
}

for (const bc of BACKENDS) {
  describe(`${bc.label} training controls`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    it.each(FEATURES.map((f) => [f.name, f] as const))(
      `${bc.label} %s: 3 epochs equal the oracle's`,
      async (_name, f) => {
        const net = await Network.create({
          layers: [3, 5, 4, 2],
          activation: 'tanh',
          outputActivation: f.oneHot ? 'softmax' : 'sigmoid',
          loss: f.oneHot ? 'cross-entropy' : 'mse',
          seed: SEED,
          backend,
          init: 'normal',
          ...(f.dropout ? { dropout: f.dropout } : {}),
        });
        try {
          const y = f.oneHot ? ONE_HOT : Y;
          const oracle = oracleOf(net);
          const want = oracle.train(X, y, {
            epochs: 3,
            batchSize: 2,
            optimizer: { kind: 'adam', learningRate: 0.05 },
            ...f.oracle,
          });
          const got = net.train(X, y, {
            epochs: 3,
            batchSize: 2,
            shuffle: false,
            optimizer: 'adam',
            learningRate: 0.05,
            ...f.train,
          });
          expectClose(got.losses, want, bc.tol, 'epoch losses');
          const wp = oracle.getParameters();
          net.getParameters().forEach((p, l) => {
            expectClose(p.weights, wp[l]!.weights, bc.tol, `w[${l}]`);
            expectClose(p.biases, wp[l]!.biases, bc.tol, `b[${l}]`);
          });
          // the step counter counts the steps taken (all-zero batches take none)
          const saved = net.toJSON({ optimizer: true });
          expect(saved.optimizer!.step).toBe(oracle.t);
        } finally {
          net.dispose();
        }
      },
    );

    it(`${bc.label} dropout changes training (a check that can fail) and predict/evaluate/gradients never drop`, async () => {
      const make = (dropout?: number) =>
        Network.create({
          layers: [3, 6, 2],
          activation: 'relu',
          outputActivation: 'sigmoid',
          seed: SEED,
          backend,
          ...(dropout ? { dropout } : {}),
        });
      const a = await make(),
        b = await make(0.5);
      expect(b.dropout).toEqual([0.5]);
      expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
      expect(Array.from(b.predict(X).data)).toEqual(Array.from(a.predict(X).data));
      expect(b.evaluate(X, Y)).toEqual(a.evaluate(X, Y));
      expect(b.gradients(X, Y).loss).toBe(a.gradients(X, Y).loss);
      a.train(X, Y, { epochs: 2, learningRate: 0.1, batchSize: 4 });
      b.train(X, Y, { epochs: 2, learningRate: 0.1, batchSize: 4 });
      expect(paramBits(b.getParameters())).not.toEqual(paramBits(a.getParameters()));
      a.dispose();
      b.dispose();
    });

    it(`${bc.label} a fixed dropout mask: the kernels' gradient (one sgd step of rate 1) equals central differences of the masked loss`, async () => {
      const net = await Network.create({
        layers: [3, 4, 3, 2],
        activation: 'tanh',
        outputActivation: 'sigmoid',
        seed: 3,
        backend,
        init: 'normal',
        dropout: [0.4, 0.3],
      });
      try {
        const x = X.slice(0, 4),
          y = Y.slice(0, 4);
        const before = net.getParameters();
        const sw = [1, 0.5, 2, 1];
        // step 0, batch = the 4 rows in order: the mask of dropRowKey(seed, 0, row, layer)
        net.train(x, y, { epochs: 1, batchSize: 4, shuffle: false, learningRate: 1, sampleWeight: sw });
        const after = net.getParameters();
        const controls: StepControls = { rows: [0, 1, 2, 3], dropout: [0.4, 0.3, 0], seed: 3, sampleWeight: sw };
        const lossAt = (params: typeof before): number =>
          new OracleNetwork(
            params.map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
            { loss: 'mse' },
          ).gradients(x, y, controls).loss;
        const h = 1e-6;
        let checked = 0,
          dropped = 0;
        before.forEach((p, l) => {
          for (const key of ['weights', 'biases'] as const) {
            for (let i = 0; i < p[key].length; i++) {
              const g = p[key][i]! - after[l]![key][i]!; // p - 1·g
              const plus = before.map((q) => ({ weights: q.weights.slice(), biases: q.biases.slice() }));
              const minus = before.map((q) => ({ weights: q.weights.slice(), biases: q.biases.slice() }));
              plus[l]![key][i]! += h;
              minus[l]![key][i]! -= h;
              const fd = (lossAt(plus) - lossAt(minus)) / (2 * h);
              expect(Math.abs(g - fd), `${key}[${l}][${i}]: kernel ${g}, differences ${fd}`).toBeLessThan(
                1e-7 + 1e-6 * Math.abs(fd),
              );
              checked++;
              if (g === 0 && key === 'weights') dropped++;
            }
          }
        });
        expect(checked).toBe(3 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2);
        // the mask dropped something (the check covers dropped units), and kept something
        expect(dropped).toBeGreaterThan(0);
        expect(dropped).toBeLessThan(checked / 2);
      } finally {
        net.dispose();
      }
    });

    it(`${bc.label} checkpoint resume with a cosine schedule, dropout, clipNorm and sampleWeight equals the uninterrupted run bit for bit`, async () => {
      const spec = {
        layers: [3, 6, 5, 2],
        activation: 'relu' as const,
        outputActivation: 'sigmoid' as const,
        seed: 12,
        backend,
        dropout: [0.25, 0.1],
      };
      const opts = {
        batchSize: 3,
        optimizer: 'adamw' as const,
        weightDecay: 0.01,
        clipNorm: 0.5,
        sampleWeight: SW,
        learningRate: schedules.cosine({ initial: 0.05, final: 0.001, steps: 20, warmup: 4 }),
      };
      const straight = await Network.create(spec);
      const all = straight.train(X, Y, { ...opts, epochs: 8 });
      const first = await Network.create(spec);
      const a = first.train(X, Y, { ...opts, epochs: 4 });
      const text = JSON.stringify(first.toJSON({ optimizer: true }));
      first.dispose();
      const resumed = await Network.fromJSON(text, backend);
      expect(resumed.dropout).toEqual([0.25, 0.1]);
      const b = resumed.train(X, Y, { ...opts, epochs: 4 });
      expect([...a.losses, ...b.losses]).toEqual(all.losses);
      expect(paramBits(resumed.getParameters())).toEqual(paramBits(straight.getParameters()));
      straight.dispose();
      resumed.dispose();
    });
  });
}

// threads: every build but debug, as test/threads.test.ts
for (const bc of BACKENDS.filter((b) => b.variant !== 'debug')) {
  it(`${bc.label} 1 and 2 threads give bit-identical parameters and losses with every control on`, async () => {
    const results: { bits: bigint[]; losses: number[] }[] = [];
    const x = randomRows(37, 5, 55),
      y = x.map((r) => (r[0]! * r[1]! > 0 ? [1, 0, 0] : r[2]! > 0 ? [0, 1, 0] : [0, 0, 1]));
    const sw = x.map((_, i) => (i % 5 === 0 ? 0 : 1 + (i % 3)));
    for (const threads of [1, 2]) {
      const net = await Network.create({
        layers: [5, 9, 7, 3],
        activation: 'relu',
        outputActivation: 'softmax',
        loss: 'cross-entropy',
        seed: 19,
        backend: bc.name === 'js' ? 'js' : await bc.create(),
        threads,
        dropout: [0.3, 0.2],
      });
      try {
        expect(net.threads).toBe(threads);
        const r = net.train(x, y, {
          epochs: 3,
          batchSize: 6,
          optimizer: 'adamw',
          weightDecay: 0.01,
          clipNorm: 0.3,
          sampleWeight: sw,
          classWeight: 'balanced',
          learningRate: schedules.exponential({ initial: 0.02, decay: 0.9, every: 5, warmup: 3 }),
        });
        results.push({ bits: paramBits(net.getParameters()), losses: r.losses });
      } finally {
        const b = net.backend;
        net.dispose();
        b.dispose();
      }
    }
    expect(results[1]!.bits).toEqual(results[0]!.bits);
    expect(results[1]!.losses).toEqual(results[0]!.losses);
  });
}

describe('dropout masks', () => {
  it('dropMix is lowbias32 (known values) and the keep rate follows the rate', () => {
    // lowbias32 reference values (hash-prospector's constants 0x7feb352d, 0x846ca68b)
    expect(dropMix(0)).toBe(0);
    expect(dropMix(1)).toBe(lowbias32Reference(1));
    expect(dropMix(0xffffffff)).toBe(lowbias32Reference(0xffffffff));
    for (const p of [0.1, 0.5, 0.9]) {
      let kept = 0;
      const n = 20000;
      for (let r = 0; r < 200; r++) {
        const key = dropRowKey(1234, 5, r, 1);
        for (let j = 0; j < n / 200; j++) if (dropKeep(key, j, p)) kept++;
      }
      expect(Math.abs(kept / n - (1 - p))).toBeLessThan(0.02);
    }
    expect(dropKeep(dropRowKey(1, 2, 3, 0), 4, 0)).toBe(true);
  });
});

/** lowbias32 in BigInt arithmetic, independent of Math.imul */
function lowbias32Reference(v: number): number {
  let x = BigInt(v);
  const M = 0xffffffffn;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & M;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & M;
  x ^= x >> 16n;
  return Number(x);
}

describe('training-control validation (typed errors; nothing changes)', () => {
  const bad: [string, Record<string, unknown>, typeof NnError][] = [
    ['learningRate returning NaN', { learningRate: () => NaN }, OptionError],
    [
      'learningRate returning a negative rate at step 3',
      { learningRate: (s: number) => (s === 3 ? -1 : 0.1) },
      OptionError,
    ],
    [
      'learningRate that throws',
      {
        learningRate: () => {
          throw new Error('boom');
        },
      },
      OptionError,
    ],
    ['learningRate returning a string', { learningRate: () => '0.1' }, OptionError],
    ['clipNorm 0', { clipNorm: 0 }, OptionError],
    ['clipNorm Infinity', { clipNorm: Infinity }, OptionError],
    ['sampleWeight not an array', { sampleWeight: 3 }, OptionError],
    ['sampleWeight negative', { sampleWeight: X.map((_, i) => (i === 2 ? -1 : 1)) }, OptionError],
    ['sampleWeight NaN', { sampleWeight: X.map((_, i) => (i === 2 ? NaN : 1)) }, OptionError],
    ['sampleWeight all 0', { sampleWeight: X.map(() => 0) }, OptionError],
    ['sampleWeight of the wrong length', { sampleWeight: [1, 2] }, ShapeError],
    ['classWeight of the wrong form', { classWeight: 'even' }, OptionError],
    ['classWeight with a negative weight', { classWeight: [1, -1] }, OptionError],
    ['classWeight with 3 weights for 2 classes', { classWeight: [1, 1, 1] }, OptionError],
    ['classWeight on targets that are not one-hot', { classWeight: 'balanced' }, OptionError],
    ['optimizer adamw with momentum', { optimizer: 'adamw', momentum: 0.9 }, OptionError],
  ];
  it.each(bad)('%s', async (_what, extra, type) => {
    const net = await Network.create({ layers: [3, 4, 2], seed: 1, dropout: 0.2 });
    const before = JSON.stringify(net.toJSON({ optimizer: true }));
    // batches of 2: 12 steps, so a schedule's bad value at step 3 is met before training
    expect(() => net.train(X, Y, { epochs: 2, batchSize: 2, learningRate: 0.1, ...extra } as TrainOptions)).toThrow(
      type,
    );
    expect(JSON.stringify(net.toJSON({ optimizer: true }))).toBe(before);
    net.dispose();
  });

  it('the error names the option, what was expected and what was received', async () => {
    const net = await Network.create({ layers: [3, 4, 2], seed: 1 });
    expect(() => net.train(X, Y, { epochs: 1, batchSize: 2, learningRate: (s) => (s === 5 ? Infinity : 0.1) })).toThrow(
      /learningRate\(5\) must return a finite number >= 0, received Infinity/,
    );
    expect(() => net.train(X, Y, { epochs: 1, learningRate: 0.1, sampleWeight: [1] })).toThrow(
      /sampleWeight has 1 weights but the data has 11 rows/,
    );
    net.dispose();
  });

  it.each([
    ['dropout 1', { dropout: 1 }],
    ['dropout -0.1', { dropout: -0.1 }],
    ['dropout NaN', { dropout: NaN }],
    ['dropout array of the wrong length', { dropout: [0.1] }],
    ['dropout with no hidden layer', { dropout: 0.5, layers: [3, 2] }],
    ['dropout a string', { dropout: '0.5' }],
  ])('Network.create rejects %s', async (_what, extra) => {
    await expect(Network.create({ layers: [3, 4, 4, 2], seed: 1, ...extra } as never)).rejects.toThrow(OptionError);
  });

  it('trainStream refuses a schedule and weights (typed), JSON keeps the rates, old files load without dropout', async () => {
    const net = await Network.create({ layers: [3, 4, 4, 2], seed: 1, dropout: [0.1, 0.3] });
    const src = () => [{ x: X, y: Y }];
    await expect(net.trainStream(src, { epochs: 1, learningRate: () => 0.1 })).rejects.toThrow(OptionError);
    await expect(net.trainStream(src, { epochs: 1, learningRate: 0.1, sampleWeight: SW })).rejects.toThrow(OptionError);
    const json = net.toJSON();
    expect(json.dropout).toEqual([0.1, 0.3]);
    const back = await Network.fromJSON(json);
    expect(back.dropout).toEqual([0.1, 0.3]);
    const { dropout: _d, ...old } = json;
    expect((await Network.fromJSON(old)).dropout).toEqual([0, 0]);
    await expect(Network.fromJSON({ ...json, dropout: [1, 0] })).rejects.toThrow(NnError);
    expect((await Network.create({ layers: [3, 4, 2], seed: 1 })).toJSON()).not.toHaveProperty('dropout');
    net.dispose();
    back.dispose();
  });
});

describe('schedules', () => {
  it('constant, step, exponential and cosine (with warm-up) give their formulas', () => {
    expect([0, 5, 1e6].map(schedules.constant(0.1))).toEqual([0.1, 0.1, 0.1]);
    const st = schedules.step({ initial: 0.1, every: 10, factor: 0.5 });
    expect([0, 9, 10, 25].map(st)).toEqual([0.1, 0.1, 0.05, 0.025]);
    const ex = schedules.exponential({ initial: 1, decay: 0.5, every: 2 });
    expect([0, 1, 2, 4].map(ex)).toEqual([1, 0.5 ** 0.5, 0.5, 0.25]);
    const cos = schedules.cosine({ initial: 1, final: 0.1, steps: 10, warmup: 4 });
    expect([0, 1, 2, 3].map(cos)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(cos(4)).toBe(1);
    expect(cos(9)).toBeCloseTo(0.1 + (0.9 * (1 + Math.cos(Math.PI / 2))) / 2, 15);
    expect(cos(14)).toBeCloseTo(0.1, 15);
    expect(cos(1000)).toBeCloseTo(0.1, 15);
    expect(schedules.cosine({ initial: 2, steps: 4 })(4)).toBe(0);
  });

  it.each([
    ['constant(-1)', () => schedules.constant(-1)],
    ['step every 0', () => schedules.step({ initial: 0.1, every: 0, factor: 0.5 })],
    ['exponential without decay', () => schedules.exponential({ initial: 0.1 } as never)],
    ['cosine steps 2.5', () => schedules.cosine({ initial: 0.1, steps: 2.5 })],
    ['cosine unknown key', () => schedules.cosine({ initial: 0.1, steps: 5, warmUp: 2 } as never)],
  ])('%s is an OptionError', (_what, f) => {
    expect(f).toThrow(OptionError);
  });
});
