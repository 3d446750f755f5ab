/**
 * Central finite-difference gradient check (STYLE.md §9) on every backend, through the exported gradientCheck:
 * tiny nets (2-3-2, batch 3), every hidden activation and loss pairing; for relu-like activations the
 * inputs are redrawn until every |z| > 1e-3 (away from the kink), computed through the hidden activation; no such draw fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activation, Backend, Loss } from '../src/backend.js';
import { Network, gradientCheck } from '../src/index.js';
import { ACTIVATIONS, ACTIVATION_NAMES, LOSSES, LOSS_NAMES } from '../src/spec/index.js';
import { BACKENDS } from './helpers/backends.js';
import { mulberry32 } from './helpers/rng.js';

// every hidden activation of the table (src/spec/activations.ts) with every loss and the output it needs (mse: sigmoid),
// and every activation as the output of an mse net
const PAIRS: [Activation, Activation, Loss][] = [];
for (const hidden of ACTIVATION_NAMES.filter((a) => !ACTIVATIONS[a].outputOnly)) {
  for (const loss of LOSS_NAMES) PAIRS.push([hidden, LOSSES[loss].output ?? 'sigmoid', loss]);
}
PAIRS.push(
  ['tanh', 'tanh', 'mse'],
  ['sigmoid', 'identity', 'mse'],
  ['sigmoid', 'relu', 'mse'],
  ['tanh', 'softmax', 'mse'],
);
for (const output of ACTIVATION_NAMES) {
  if (!PAIRS.some(([, o, l]) => o === output && l === 'mse')) PAIRS.push(['tanh', output, 'mse']);
}

for (const bc of BACKENDS) {
  describe(`${bc.label} gradient check`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await bc.create();
    });
    afterAll(() => backend.dispose());

    it.each(PAIRS)(
      `${bc.label} 2-3-2 batch 3, hidden %s, output %s, loss %s: backprop = central differences`,
      async (hidden, output, loss) => {
        const net = await Network.create({
          layers: [2, 3, 2],
          activation: hidden,
          outputActivation: output,
          loss,
          seed: 11,
          backend,
          init: 'normal',
          leakySlope: 0.1,
        });
        const rand = mulberry32(99);
        let x: number[][] = [];
        // stay away from the kinks of relu/leaky-relu: every pre-activation |z| > 1e-3, with z computed through the
        // network's own hidden activation (the slope of leaky-relu as created above); no such draw fails the test
        const f = (v: number): number => ACTIVATIONS[hidden].f!(v, 0.1); // the spec table's reference f
        let found = false,
          tries = 0;
        const params = net.getParameters();
        for (; tries < 1000 && !found; tries++) {
          x = Array.from({ length: 3 }, () => [rand() * 4 - 2, rand() * 4 - 2]);
          found = x.every((row) => {
            let a = row;
            return params.every((p) => {
              const nOut = p.biases.length;
              const z = Array.from(
                { length: nOut },
                (_, j) => a.reduce((s, v, k) => s + v * p.weights[j * a.length + k]!, 0) + p.biases[j]!,
              );
              a = z.map(f); // the hidden activation feeds the next layer (only hidden layers come before another layer)
              return z.every((v) => Math.abs(v) > 1e-3);
            });
          });
        }
        if (!found)
          expect.fail(`no inputs with every |z| > 1e-3 in ${tries} draws (hidden ${hidden}, output ${output})`);
        const y = Array.from({ length: 3 }, () => {
          const a = rand(),
            b = rand();
          return loss === 'cross-entropy' ? [a / (a + b), b / (a + b)] : [a, b];
        });
        const r = gradientCheck(net, x, y);
        expect(r.checked).toBe(2 * 3 + 3 + 3 * 2 + 2);
        expect(r.maxRelativeError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
        net.dispose();
      },
    );

    it(`${bc.label} gradientCheck catches a wrong gradient (a check that can fail)`, async () => {
      const net = await Network.create({ layers: [2, 3, 1], seed: 5, backend });
      const x = [
          [0.5, -1],
          [1, 2],
          [-0.3, 0.1],
        ],
        y = [[1], [0], [1]];
      const honest = gradientCheck(net, x, y);
      expect(honest.maxRelativeError).toBeLessThan(1e-6);
      // Same check against a network whose loss differs from its gradient's: compare with another net's gradients.
      const other = await Network.create({ layers: [2, 3, 1], seed: 6, backend });
      const spoof = Object.create(net) as Network;
      spoof.gradients = (a, b) => other.gradients(a, b);
      expect(gradientCheck(spoof, x, y).maxRelativeError).toBeGreaterThan(1e-3);
      net.dispose();
      other.dispose();
    });
  });
}
