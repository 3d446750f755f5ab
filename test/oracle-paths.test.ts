/**
 * Oracle comparisons at the sizes that select the kernels' other code paths, on every build (the common shapes of
 * the other suites never reach them):
 *   - AssemblyScript SIMD paths (batch·nIn·nOut >= 512, nOut >= 4 forward, nIn >= 4 backward) and the 64-row chunks
 *     of the dw reduction (batch >= 65, here 130 = two full chunks and a partial one), with odd widths for the tails;
 *   - the scalar fallback for widths over 8,192 (forward: nIn > 8192; backward: nOut > 8192), with few rows;
 *   - logits of ±300 (softmax + cross-entropy, sigmoid + binary cross-entropy, sigmoid + mse) where exp overflows
 *     unless the kernels use the stable forms.
 * The per-neuron oracle (src/reference/oracle.ts) is the reference; tolerances are the suites' (helpers/backends.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activation, Backend, Loss, Optimizer } from '../src/backend.js';
import { Network, type LayerParameters } from '../src/index.js';
import { OracleNetwork } from '../src/reference/oracle.js';
import { BACKENDS } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { mulberry32 } from './helpers/rng.js';

function oracleFor(net: Network): OracleNetwork {
  return new OracleNetwork(
    net.getParameters().map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
    { loss: net.loss, leakySlope: net.leakySlope },
  );
}

function rows(seed: number, n: number, cols: number, scale = 1, lo = -1): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: cols }, () => lo * scale + rand() * scale * (1 - lo)));
}

function softmaxRows(seed: number, n: number, cols: number): number[][] {
  return rows(seed, n, cols, 1, 0).map((r) => {
    const s = r.reduce((a, b) => a + b, 0);
    return r.map((v) => v / s);
  });
}

for (const bc of BACKENDS) {
  describe(`${bc.label}: oracle at the SIMD, chunk and fallback sizes`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await bc.create();
    });
    afterAll(() => backend.dispose());

    const expectGradients = (net: Network, x: number[][], y: number[][], what: string): void => {
      const want = oracleFor(net).gradients(x, y);
      const got = net.gradients(x, y);
      expectClose([got.loss], [want.loss], bc.tol, `${what}: loss`);
      got.gradients.forEach((g, l) => {
        expectClose(g.weights, want.weights[l]!, bc.tol, `${what}: dw[${l}]`, net.layers[l]);
        expectClose(g.biases, want.biases[l]!, bc.tol, `${what}: db[${l}]`);
      });
    };

    it.each<[number[], Activation, Activation, Loss]>([
      [[13, 9, 6], 'tanh', 'sigmoid', 'mse'],
      [[16, 24, 8, 5], 'relu', 'softmax', 'cross-entropy'],
      [[7, 11, 4], 'leaky-relu', 'sigmoid', 'binary-cross-entropy'],
    ])(
      `${bc.label} %j %s/%s/%s, 130 rows (SIMD kernels, 64-row chunks + a partial one): predict and gradients equal the oracle`,
      async (layers, activation, outputActivation, loss) => {
        const net = await Network.create({
          layers,
          activation,
          outputActivation,
          loss,
          seed: 41,
          backend,
          init: 'normal',
        });
        const nIn = layers[0]!,
          nOut = layers[layers.length - 1]!;
        // every layer takes the SIMD path here: batch·nIn·nOut >= 512 (and nOut >= 4 / nIn >= 4)
        for (let l = 0; l + 1 < layers.length; l++)
          expect(130 * layers[l]! * layers[l + 1]!).toBeGreaterThanOrEqual(512);
        const x = rows(1, 130, nIn, 2);
        const y = loss === 'cross-entropy' ? softmaxRows(2, 130, nOut) : rows(2, 130, nOut, 1, 0);
        const oracle = oracleFor(net);
        expectClose(
          net.predict(x).data,
          x.flatMap((r) => oracle.feedforward(r)),
          bc.tol,
          `predict ${layers.join('-')}`,
          nOut,
        );
        expectGradients(net, x, y, layers.join('-'));
        net.dispose();
      },
    );

    it.each<[Optimizer, number]>([
      ['sgd', 0.05],
      ['momentum', 0.02],
      ['adam', 0.005],
    ])(
      `${bc.label} [12, 20, 6] train with batchSize 70 and 130 rows (%s; SIMD + chunked dw, partial last batch) equals the oracle after 2 epochs`,
      async (optimizer, learningRate) => {
        const net = await Network.create({
          layers: [12, 20, 6],
          activation: 'tanh',
          outputActivation: 'sigmoid',
          seed: 42,
          backend,
          init: 'xavier',
        });
        const x = rows(3, 130, 12, 1.5),
          y = rows(4, 130, 6, 1, 0);
        const oracle = oracleFor(net);
        const want = oracle.train(x, y, {
          epochs: 2,
          batchSize: 70,
          optimizer: { kind: optimizer, learningRate, weightDecay: 0.001 },
        });
        const got = net.train(x, y, {
          epochs: 2,
          learningRate,
          batchSize: 70,
          shuffle: false,
          optimizer,
          weightDecay: 0.001,
        });
        expectClose(got.losses, want, bc.tol, 'epoch losses');
        const wp = oracle.getParameters();
        net.getParameters().forEach((p, l) => {
          expectClose(p.weights, wp[l]!.weights, bc.tol, `w[${l}]`, net.layers[l]);
          expectClose(p.biases, wp[l]!.biases, bc.tol, `b[${l}]`);
        });
        net.dispose();
      },
    );

    it(`${bc.label} [8200, 5, 8200] (widths over 8,192: the scalar fallback forward in layer 0 and backward in layer 1), 3 rows: predict and gradients equal the oracle`, async () => {
      const layers = [8200, 5, 8200];
      const net = await Network.create({ layers, activation: 'tanh', outputActivation: 'sigmoid', seed: 43, backend });
      const x = rows(5, 3, 8200),
        y = rows(6, 3, 8200, 1, 0);
      const oracle = oracleFor(net);
      expectClose(
        net.predict(x).data,
        x.flatMap((r) => oracle.feedforward(r)),
        bc.tol,
        'predict 8200-5-8200',
        8200,
      );
      expectGradients(net, x, y, '8200-5-8200');
      net.dispose();
    });

    it.each<[Activation, Loss]>([
      ['softmax', 'cross-entropy'],
      ['sigmoid', 'binary-cross-entropy'],
      ['sigmoid', 'mse'],
      ['softmax', 'mse'],
    ])(
      `${bc.label} logits of ±300 (%s, %s): outputs, loss and gradients are finite and equal the oracle`,
      async (outputActivation, loss) => {
        // [3, 4]: identity inputs pick one weight column each, so z = ±300 exactly in chosen places
        const net = await Network.create({
          layers: [3, 4],
          activation: outputActivation,
          outputActivation,
          loss,
          seed: 44,
          backend,
        });
        const params: LayerParameters[] = [
          {
            weights: Float64Array.from([300, -300, 1, -300, 300, -1, 150, -150, 0, 0.5, 299, -300]),
            biases: Float64Array.from([0, 0.5, -0.25, 0]),
          },
        ];
        net.setParameters(params);
        const x = [
          [1, 0, 0],
          [0, 1, 0],
          [1, 1, 0],
          [0, 0, 1],
          [-1, 0, 1],
        ];
        const y = loss === 'cross-entropy' ? softmaxRows(7, 5, 4) : rows(7, 5, 4, 1, 0);
        const out = net.predict(x).data;
        expect(out.every(Number.isFinite)).toBe(true);
        const oracle = oracleFor(net);
        expectClose(
          out,
          x.flatMap((r) => oracle.feedforward(r)),
          bc.tol,
          'predict at ±300',
          4,
        );
        const want = oracle.gradients(x, y);
        const got = net.gradients(x, y);
        expect(Number.isFinite(got.loss)).toBe(true);
        expect(got.gradients[0]!.weights.every(Number.isFinite)).toBe(true);
        expectClose([got.loss], [want.loss], bc.tol, 'loss at ±300');
        expectClose(got.gradients[0]!.weights, want.weights[0]!, bc.tol, 'dw at ±300', 3);
        expectClose(got.gradients[0]!.biases, want.biases[0]!, bc.tol, 'db at ±300');
        const ev = net.evaluate(x, y);
        expectClose([ev.loss], [want.loss], bc.tol, 'evaluate at ±300');
        net.dispose();
      },
    );
  });
}
