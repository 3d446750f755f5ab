/**
 * Wide layers (more than 2^17 weights: the packed, cache-blocked GEMM of the SIMD builds' backward pass, and the
 * forward tile loop's padded last tile): every backend against the per-neuron oracle, and threads: 2 against
 * 1 thread bit for bit (the threads split the neurons and the inputs of every product at other points than the
 * packed panels' edges).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network } from '../src/index.js';
import { OracleNetwork } from '../src/reference/oracle.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';

// 530·250 = 132,500 weights (past 2^17), 250·7: a ragged last neuron tile; batch 13 and a partial last batch of 7.
// 1024-9 at batch 32: a narrow layer (≥ 512 inputs, < 16 neurons, batch ≥ 32: the AssemblyScript packed GEMM forward
// with w packed, and dw packed since its rows are 4 KiB apart; 9 = a ragged last column tile in both dtypes' tile
// widths), then a last batch of 1.
// 256·10 at batch 130: a few neurons after a wide batch (130·256 inputs past 2^15), whose weight gradient the Rust
// SIMD build packs with every neuron's tile resident (a partial last batch of 10 takes the tile loop).
// 1024-10 at batch 260: the narrow layer's dw sums over two row blocks (past the packed GEMM's 256), so its last
// 2-neuron tile continues from stored partial sums, and its forward pass has a last tile of 2 neurons.
const CASES = [
  { layers: [530, 250, 7], rows: 33, batch: 13 },
  { layers: [1024, 9], rows: 33, batch: 32 },
  { layers: [64, 256, 10], rows: 140, batch: 130 },
  { layers: [1024, 10], rows: 270, batch: 260 },
];

function data(layers: number[], rows: number): { x: number[][]; y: number[][] } {
  const rand = mulberry32(99);
  const nOut = layers[layers.length - 1]!;
  const x = Array.from({ length: rows }, () => Array.from({ length: layers[0]! }, () => rand() * 2 - 1));
  const y = Array.from({ length: rows }, (_, r) => Array.from({ length: nOut }, (_, j) => (j === r % nOut ? 1 : 0)));
  return { x, y };
}

const opts = {
  activation: 'tanh' as const,
  outputActivation: 'softmax' as const,
  loss: 'cross-entropy' as const,
  seed: 5,
};
const trainOf = (batch: number) =>
  ({ epochs: 2, learningRate: 0.01, batchSize: batch, shuffle: false, optimizer: 'adam' as const }) as const;

for (const bc of BACKENDS) {
  describe(`${bc.label} wide layers`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    it.each(CASES.map((c) => [c.layers.join('-'), c] as const))(
      `${bc.label} %s: gradients and 2 epochs of adam equal the per-neuron oracle`,
      async (_, { layers: LAYERS, rows, batch: BATCH }) => {
        const net = await Network.create({ ...opts, layers: LAYERS, backend });
        try {
          const { x, y } = data(LAYERS, rows);
          const oracle = new OracleNetwork(
            net
              .getParameters()
              .map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
            { loss: net.loss, leakySlope: net.leakySlope },
          );
          const want = oracle.gradients(x.slice(0, BATCH), y.slice(0, BATCH));
          const got = net.gradients(x.slice(0, BATCH), y.slice(0, BATCH));
          expectClose([got.loss], [want.loss], bc.tol, 'loss');
          got.gradients.forEach((g, l) => {
            expectClose(g.weights, want.weights[l]!, bc.tol, `dw[${l}]`, LAYERS[l]);
            expectClose(g.biases, want.biases[l]!, bc.tol, `db[${l}]`);
          });
          const wantLosses = oracle.train(x, y, {
            epochs: 2,
            batchSize: BATCH,
            optimizer: { kind: 'adam', learningRate: 0.01 },
          });
          expectClose(net.train(x, y, trainOf(BATCH)).losses, wantLosses, bc.tol, 'epoch losses');
          const wp = oracle.getParameters();
          net.getParameters().forEach((p, l) => expectClose(p.weights, wp[l]!.weights, bc.tol, `w[${l}]`, LAYERS[l]));
        } finally {
          net.dispose();
        }
      },
    );
  });
}

describe('wide layers on 2 threads', () => {
  it.each(BACKENDS.flatMap((b) => CASES.map((c) => [b.label, c.layers.join('-'), b, c] as const)))(
    '%s %s: threads 2 gives the 1-thread bits',
    async (_, __, bc, c) => {
      const one = await Network.create({ ...opts, layers: c.layers, backend: await bc.create() });
      const two = await Network.create({ ...opts, layers: c.layers, backend: await bc.create(), threads: 2 });
      try {
        expect(two.threads).toBe(2);
        const { x, y } = data(c.layers, c.rows);
        expect(two.train(x, y, trainOf(c.batch)).losses).toEqual(one.train(x, y, trainOf(c.batch)).losses);
        expect(paramBits(two.getParameters())).toEqual(paramBits(one.getParameters()));
      } finally {
        one.dispose();
        two.dispose();
      }
    },
  );
});
