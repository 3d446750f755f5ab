/**
 * Oracle parity (STYLE.md §9): every backend against the per-neuron reference (src/reference/oracle.ts) on the
 * same seeded parameters — forward outputs, gradients of every loss/activation pairing, and whole training runs
 * with every optimizer over random shapes and batch sizes (including a last partial batch).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Activation, Backend, Loss, Optimizer } from '../src/backend.js';
import { Network } from '../src/index.js';
import { OracleNetwork, type OracleOptimizer } from '../src/reference/oracle.js';
import { ACTIVATIONS, ACTIVATION_NAMES } from '../src/spec/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { mulberry32 } from './helpers/rng.js';

const FC = { seed: 20261125, numRuns: 60 } as const;
/** every activation of the table (src/spec/activations.ts) a hidden layer may use */
const HIDDEN: Activation[] = ACTIVATION_NAMES.filter((a) => !ACTIVATIONS[a].outputOnly);

interface Case {
  sizes: number[];
  hidden: Activation;
  loss: Loss;
  output: Activation;
  rows: number;
  seed: number;
}

/** Random nets: widths 1..9 (odd widths exercise SIMD tails), depth 1..4, every loss with a valid output activation. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 5 }),
    hidden: fc.constantFrom(...HIDDEN),
    lossPick: fc.constantFrom<[Loss, Activation | null]>(
      ['mse', null],
      ['binary-cross-entropy', 'sigmoid'],
      ['cross-entropy', 'softmax'],
      ['mse', 'softmax'],
    ),
    rows: fc.integer({ min: 1, max: 7 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  })
  .map(({ sizes, hidden, lossPick, rows, seed }) => ({
    sizes,
    hidden,
    loss: lossPick[0],
    output: lossPick[1] ?? hidden,
    rows,
    seed,
  }));

function data(c: Case, rows = c.rows): { x: number[][]; y: number[][] } {
  const rand = mulberry32(c.seed ^ 0x5bd1e995);
  const nIn = c.sizes[0]!,
    nOut = c.sizes[c.sizes.length - 1]!;
  const x = Array.from({ length: rows }, () => Array.from({ length: nIn }, () => rand() * 4 - 2));
  const y = Array.from({ length: rows }, () => {
    if (c.loss === 'cross-entropy') {
      const row = Array.from({ length: nOut }, () => rand());
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / s);
    }
    if (c.loss === 'binary-cross-entropy') return Array.from({ length: nOut }, () => rand());
    // mse: targets the output activation can reach (training refuses others), [-1, 1) where it is unbounded
    const [lo, hi] = ACTIVATIONS[c.output].range;
    const [a, b] = [Math.max(lo, -1), hi === Infinity ? 1 : hi];
    return Array.from({ length: nOut }, () => a + rand() * (b - a));
  });
  return { x, y };
}

function oracleFor(net: Network): OracleNetwork {
  return new OracleNetwork(
    net.getParameters().map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
    { loss: net.loss, leakySlope: net.leakySlope },
  );
}

for (const bc of BACKENDS) {
  describe(`${bc.label} matches the per-neuron oracle`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    const make = (c: Case) =>
      Network.create({
        layers: c.sizes,
        activation: c.hidden,
        outputActivation: c.output,
        loss: c.loss,
        seed: c.seed,
        backend,
        init: 'normal',
      });

    it(`${bc.label} predict equals the oracle's feedforward on random nets (widths 1..9, depth 1..4, batch 1..7)`, async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const net = await make(c);
          try {
            const { x } = data(c);
            const oracle = oracleFor(net);
            const out = net.predict(x);
            expectClose(
              out.data,
              x.flatMap((row) => oracle.feedforward(row)),
              bc.tol,
              `predict ${c.sizes.join('-')}`,
              out.cols,
            );
          } finally {
            net.dispose();
          }
        }),
        FC,
      );
    });

    it(`${bc.label} backprop gradients and loss equal the oracle's for every activation and loss`, async () => {
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => {
          const net = await make(c);
          try {
            const { x, y } = data(c);
            const want = oracleFor(net).gradients(x, y);
            const got = net.gradients(x, y);
            expectClose([got.loss], [want.loss], bc.tol, 'loss');
            got.gradients.forEach((g, l) => {
              expectClose(
                g.weights,
                want.weights[l]!,
                bc.tol,
                `dw[${l}] ${c.sizes.join('-')} ${c.hidden}/${c.output}/${c.loss}`,
                c.sizes[l],
              );
              expectClose(g.biases, want.biases[l]!, bc.tol, `db[${l}]`);
            });
          } finally {
            net.dispose();
          }
        }),
        FC,
      );
    });

    // every activation of the table, deterministically: as the hidden layer (where allowed) and as the output of an mse net
    it.each(ACTIVATION_NAMES)(
      `${bc.label} activation %s: predict, gradients and 3 epochs of adam equal the oracle's`,
      async (act) => {
        const cases: Case[] = [{ sizes: [3, 5, 2], hidden: 'tanh', output: act, loss: 'mse', rows: 6, seed: 5 }];
        if (!ACTIVATIONS[act].outputOnly)
          cases.push({ sizes: [3, 5, 4, 2], hidden: act, output: 'sigmoid', loss: 'mse', rows: 6, seed: 6 });
        for (const c of cases) {
          const net = await make(c);
          try {
            const { x, y } = data(c);
            const oracle = oracleFor(net);
            const label = `${c.sizes.join('-')} ${c.hidden}/${c.output}`;
            expectClose(
              net.predict(x).data,
              x.flatMap((row) => oracle.feedforward(row)),
              bc.tol,
              `predict ${label}`,
              2,
            );
            const want = oracle.gradients(x, y),
              got = net.gradients(x, y);
            expectClose([got.loss], [want.loss], bc.tol, `loss ${label}`);
            got.gradients.forEach((g, l) =>
              expectClose(g.weights, want.weights[l]!, bc.tol, `dw[${l}] ${label}`, c.sizes[l]),
            );
            const opt: OracleOptimizer = { kind: 'adam', learningRate: 0.01 };
            const wantLosses = oracle.train(x, y, { epochs: 3, batchSize: 4, optimizer: opt });
            expectClose(
              net.train(x, y, { epochs: 3, learningRate: 0.01, batchSize: 4, shuffle: false, optimizer: 'adam' })
                .losses,
              wantLosses,
              bc.tol,
              `train ${label}`,
            );
            const wp = oracle.getParameters();
            net
              .getParameters()
              .forEach((p, l) => expectClose(p.weights, wp[l]!.weights, bc.tol, `w[${l}] ${label}`, c.sizes[l]));
          } finally {
            net.dispose();
          }
        }
      },
    );

    it(`${bc.label} train (sgd, momentum, adam, adamw, weight decay; partial last batch) equals the oracle after 3 epochs`, async () => {
      await fc.assert(
        fc.asyncProperty(
          caseArb,
          fc.integer({ min: 1, max: 13 }),
          fc.integer({ min: 1, max: 6 }),
          fc.constantFrom<Optimizer>('sgd', 'momentum', 'adam', 'adamw'),
          fc.constantFrom(0, 0.01),
          async (c, n, batchSize, optimizer, weightDecay) => {
            const net = await make(c);
            try {
              const { x, y } = data(c, n);
              const oracle = oracleFor(net);
              const learningRate = optimizer === 'adam' || optimizer === 'adamw' ? 0.01 : 0.05;
              const opt: OracleOptimizer = { kind: optimizer, learningRate, weightDecay };
              const want = oracle.train(x, y, { epochs: 3, batchSize, optimizer: opt });
              // a case whose oracle run diverges (an identity net from N(0,1) weights can) compares nothing: draw another
              fc.pre(
                want.every(Number.isFinite) && oracle.getParameters().every((p) => p.weights.every(Number.isFinite)),
              );
              const got = net.train(x, y, {
                epochs: 3,
                learningRate,
                batchSize,
                shuffle: false,
                optimizer,
                weightDecay,
              });
              expectClose(got.losses, want, bc.tol, 'epoch losses');
              const wp = oracle.getParameters();
              net.getParameters().forEach((p, l) => {
                expectClose(
                  p.weights,
                  wp[l]!.weights,
                  bc.tol,
                  `w[${l}] ${c.sizes.join('-')} ${optimizer} batch ${batchSize} of ${n}`,
                  c.sizes[l],
                );
                expectClose(p.biases, wp[l]!.biases, bc.tol, `b[${l}]`);
              });
            } finally {
              net.dispose();
            }
          },
        ),
        { ...FC, numRuns: 40 },
      );
    });

    it(`${bc.label} batch invariance: row r of a batched predict equals predicting sample r alone`, async () => {
      const c: Case = {
        sizes: [7, 9, 5, 3],
        hidden: 'tanh',
        output: 'softmax',
        loss: 'cross-entropy',
        rows: 11,
        seed: 7,
      };
      const net = await make(c);
      const { x } = data(c);
      const all = net.predict(x);
      x.forEach((row, r) => {
        expectClose(net.predict([row]).data, all.data.subarray(r * 3, r * 3 + 3), bc.tol, `row ${r}`);
      });
      net.dispose();
    });

    it(`${bc.label} never mutates the caller's arrays`, async () => {
      const c: Case = {
        sizes: [3, 4, 2],
        hidden: 'relu',
        output: 'sigmoid',
        loss: 'binary-cross-entropy',
        rows: 5,
        seed: 3,
      };
      const net = await make(c);
      const { x, y } = data(c);
      const xs = JSON.stringify(x),
        ys = JSON.stringify(y);
      const params = net.getParameters();
      const before = params.map((p) => p.weights.slice());
      net.train(x, y, { epochs: 2, learningRate: 0.1, batchSize: 2 });
      net.predict(x);
      net.evaluate(x, y);
      expect(JSON.stringify(x)).toBe(xs);
      expect(JSON.stringify(y)).toBe(ys);
      params.forEach((p, l) => expect(p.weights).toEqual(before[l])); // getParameters returned copies
      net.dispose();
    });
  });
}
