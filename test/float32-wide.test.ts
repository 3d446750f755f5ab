/**
 * float32 at layer shapes that reach every vectorised path of the kernels (the small nets of float32.test.ts run
 * their scalar loops): row blocks with leftover rows (batch 37), tiles with leftover neurons and inputs (widths not
 * multiples of 4 or 8), the packed GEMM of layers past 2^17 weights (530→260), and batch 1. Against the float32
 * oracle at float32.test.ts's tolerance (rtol 1e-4, atol 1e-5, the reasons are written there), outputs that are
 * float32 values, and threads 1 vs 2 bit-identical on the packed shape (where a thread's range starts inside a tile).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network } from '../src/index.js';
import { setMinThreadWorkForTest } from '../src/internal/index.js';
import { OracleNetwork } from '../src/reference/oracle.js';
import { BACKENDS, useBackend, type Tolerance } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { mulberry32 } from './helpers/rng.js';

const TOL_F32: Tolerance = { rtol: 1e-4, atol: 1e-5 };

function rows(n: number, cols: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: cols }, () => rand() * 2 - 1));
}
function onehot(n: number, cols: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: cols }, (_, j) => (j === (i * 7) % cols ? 1 : 0)));
}
const flat = (ps: { weights: Float64Array; biases: Float64Array }[]): number[] =>
  ps.flatMap((p) => [...p.weights, ...p.biases]);
/** Every parameter's bits, in order (helpers/data.ts paramBits spreads into push, too deep for 138k values). */
function paramBits(ps: { weights: Float64Array; biases: Float64Array }[]): bigint[] {
  const out: bigint[] = [];
  for (const { weights, biases } of ps)
    for (const a of [weights, biases])
      for (const v of new BigUint64Array(a.buffer, a.byteOffset, a.length)) out.push(v);
  return out;
}
const allFloat32 = (a: ArrayLike<number>): boolean =>
  Array.prototype.every.call(a, (v: number) => Object.is(Math.fround(v), v));

function oracleFor(net: Network): OracleNetwork {
  return new OracleNetwork(
    net.getParameters().map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
    { loss: net.loss, leakySlope: net.leakySlope, dtype: 'float32' },
  );
}

for (const bc of BACKENDS) {
  describe(`${bc.label} float32 wide`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    it(`${bc.label} float32 predict and gradients at 300-70-9, batch 37 and batch 1, match the float32 oracle`, async () => {
      const net = await Network.create({
        layers: [300, 70, 9],
        activation: 'tanh',
        outputActivation: 'softmax',
        loss: 'cross-entropy',
        seed: 21,
        backend,
        dtype: 'float32',
      });
      try {
        const oracle = oracleFor(net);
        for (const n of [37, 1]) {
          const x = rows(n, 300, 22 + n),
            y = onehot(n, 9);
          const p = net.predict(x).data;
          expect(allFloat32(p)).toBe(true);
          expectClose(
            [...p],
            x.flatMap((r) => oracle.feedforward(r)),
            TOL_F32,
            `predict, ${n} rows`,
          );
          const g = net.gradients(x, y),
            o = oracle.gradients(x, y);
          expect(allFloat32(flat(g.gradients))).toBe(true);
          expectClose(
            flat(g.gradients),
            flat(o.weights.map((w, l) => ({ weights: w, biases: o.biases[l]! }))),
            TOL_F32,
            `gradients, ${n} rows`,
          );
          expectClose([g.loss], [o.loss], TOL_F32, `loss, ${n} rows`);
        }
      } finally {
        net.dispose();
      }
    });

    it(`${bc.label} float32 training of 530-260-3 (packed GEMM backward), 100-1024-9 (narrow layer: packed GEMM forward and dw) and 301-70-6 (batch 1) matches the float32 oracle`, async () => {
      for (const [layers, batch, n] of [
        [[530, 260, 3], 29, 64],
        [[100, 1024, 9], 32, 64],
        [[301, 70, 6], 1, 12],
      ] as const) {
        const net = await Network.create({
          layers: [...layers],
          activation: 'relu',
          outputActivation: 'softmax',
          loss: 'cross-entropy',
          seed: 31,
          backend,
          dtype: 'float32',
        });
        try {
          const x = rows(n, layers[0], 32),
            y = onehot(n, layers[2]);
          const oracle = oracleFor(net);
          const r = net.train(x, y, {
            epochs: 2,
            batchSize: batch,
            shuffle: false,
            optimizer: 'sgd',
            learningRate: 0.05,
          });
          const losses = oracle.train(x, y, {
            epochs: 2,
            batchSize: batch,
            optimizer: { kind: 'sgd', learningRate: 0.05 },
          });
          const p = flat(net.getParameters());
          expect(allFloat32(p)).toBe(true);
          expectClose(p, flat(oracle.getParameters()), TOL_F32, `${layers.join('-')} parameters`);
          expectClose(r.losses, losses, TOL_F32, `${layers.join('-')} losses`);
        } finally {
          net.dispose();
        }
      }
    });
  });
}

for (const bc of BACKENDS.filter((b) => b.variant !== 'debug')) {
  describe(`${bc.label} float32 wide threads`, () => {
    it(`${bc.label} float32 530-260-3 (packed GEMM): threads 1 and 2 give bit-identical parameters and losses`, async () => {
      setMinThreadWorkForTest(0);
      try {
        const x = rows(50, 530, 41),
          y = onehot(50, 3);
        const out: { bits: bigint[]; losses: number[] }[] = [];
        for (const threads of [1, 2]) {
          const b = bc.name === 'js' ? 'js' : await bc.create();
          const net = await Network.create({
            layers: [530, 260, 3],
            activation: 'relu',
            outputActivation: 'softmax',
            loss: 'cross-entropy',
            seed: 42,
            backend: b,
            threads,
            dtype: 'float32',
          });
          try {
            expect(net.threads).toBe(threads);
            const r = net.train(x, y, { epochs: 2, batchSize: 23, optimizer: 'adam', learningRate: 0.001 });
            out.push({ bits: paramBits(net.getParameters()), losses: r.losses });
          } finally {
            const be = net.backend;
            net.dispose();
            be.dispose();
          }
        }
        // (element by element: a deep equality over 138k values overflows the matcher's stack)
        const a = out[0]!.bits,
          b = out[1]!.bits;
        expect(b.length).toBe(a.length);
        expect(
          b.findIndex((v, i) => v !== a[i]),
          'first parameter whose bits differ',
        ).toBe(-1);
        expect(out[1]!.losses).toEqual(out[0]!.losses);
      } finally {
        setMinThreadWorkForTest(null);
      }
    });
  });
}
