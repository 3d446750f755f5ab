/**
 * The tutorial's own training run (test/fixtures/tutorial.json, made by test/fixtures/tutorial.py from the
 * tutorial's Python code) reproduced by Network on every backend: batchSize 1, shuffle false, sigmoid, MSE.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network } from '../src/index.js';
import { BACKENDS, TOL_JS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';

interface P {
  w1: number;
  w2: number;
  w3: number;
  w4: number;
  w5: number;
  w6: number;
  b1: number;
  b2: number;
  b3: number;
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/tutorial.json', import.meta.url), 'utf8')) as {
  data: number[][];
  allYTrues: number[];
  learnRate: number;
  epochs: number;
  initial: P;
  final: P;
  printedLosses: { epoch: number; loss: number }[];
  epochLosses: number[];
  predictions: { emily: number; frank: number };
};
const toLayers = (p: P) => [
  { weights: new Float64Array([p.w1, p.w2, p.w3, p.w4]), biases: new Float64Array([p.b1, p.b2]) },
  { weights: new Float64Array([p.w5, p.w6]), biases: new Float64Array([p.b3]) },
];
const flat = (p: P) => [p.w1, p.w2, p.w3, p.w4, p.b1, p.b2, p.w5, p.w6, p.b3];

for (const bc of BACKENDS)
  describe(`${bc.label} tutorial run`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));
    // The tutorial run is held to 1e-12 relative of the Python run; WASM builds use another exp, so their own tolerance
    // if looser.
    const tol = { rtol: Math.max(bc.tol.rtol, TOL_JS.rtol), atol: 1e-14 };

    it(`${bc.label} train(batchSize 1, shuffle false) matches the tutorial's Python run: losses, parameters, predictions`, async () => {
      const net = await Network.create({ layers: [2, 2, 1], backend, seed: 1 });
      net.setParameters(toLayers(fx.initial));
      const printed: number[] = [];
      const ys = fx.allYTrues.map((v) => [v]);
      const r = net.train(fx.data, ys, {
        epochs: fx.epochs,
        learningRate: fx.learnRate,
        batchSize: 1,
        shuffle: false,
        onEpoch: ({ epoch }) => {
          if (epoch % 10 === 0) printed.push(net.evaluate(fx.data, ys).loss);
        },
      });
      expect(r.epochs).toBe(1000);
      expectClose(r.losses, fx.epochLosses, tol, 'epoch losses');
      expectClose(
        printed,
        fx.printedLosses.map((p) => p.loss),
        tol,
        'printed losses',
      );
      const got = net.getParameters();
      expectClose(
        [...got[0]!.weights, ...got[0]!.biases, ...got[1]!.weights, ...got[1]!.biases],
        flat(fx.final),
        tol,
        'final w1..w4 b1 b2 w5 w6 b3',
      );
      const out = net.predict([
        [-7, -3],
        [20, 2],
      ]);
      expect(out.data[0]).toBeGreaterThan(0.9); // Emily
      expect(out.data[1]).toBeLessThan(0.1); // Frank
      expectClose(out.data, [fx.predictions.emily, fx.predictions.frank], tol, 'Emily, Frank');
      net.dispose();
    });

    it(`${bc.label} feedforward of the tutorial's example network is 0.7216325609518421`, async () => {
      const net = await Network.create({ layers: [2, 2, 1], backend, seed: 1 });
      net.setParameters([
        { weights: new Float64Array([0, 1, 0, 1]), biases: new Float64Array(2) },
        { weights: new Float64Array([0, 1]), biases: new Float64Array(1) },
      ]);
      expectClose(net.predict([[2, 3]]).data, [0.7216325609518421], { rtol: bc.tol.rtol, atol: 0 }, 'o1');
      net.dispose();
    });
  });
