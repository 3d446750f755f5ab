/**
 * The small-layer path of trainBatches (src/kernels/js/tiny.ts and its ports: one thread, batch 1, every width
 * ≤ TINY_MAX): on every build, training equals the per-neuron oracle, and equals the general path (forced through
 * the internal NetMemory.smallLayerPath switch) bit for bit on every build. Shapes
 * sit on both sides of the threshold (a width of TINY_MAX takes the small-layer path, TINY_MAX + 1 the general one),
 * with every optimizer, weight decay, and several activations and losses. On the js backend, the generated
 * shape-specialised kernel (tiny-gen.ts) equals trainTiny's loop and the general path bit for bit, and so does its
 * fallback when `new Function` is refused (as under a Content-Security-Policy without 'unsafe-eval').
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TINY_MAX } from '../src/abi.js';
import type { Activation, Backend, Loss, Optimizer } from '../src/backend.js';
import { Network, type TrainOptions } from '../src/index.js';
import { networkInternals, resetTinyCodegen, TINY_GEN_MAX_WEIGHTS, tinyCodegen } from '../src/internal/index.js';
import { loadBackend } from '../src/backends/index.js';
import { OracleNetwork } from '../src/reference/oracle.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { mulberry32 } from './helpers/rng.js';

interface Case {
  layers: number[];
  activation: Activation;
  outputActivation: Activation;
  loss: Loss;
  optimizer: Optimizer;
  weightDecay: number;
}

const T = TINY_MAX;
const CASES: Case[] = [
  {
    layers: [2, 2, 1],
    activation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  {
    layers: [3, T, 4],
    activation: 'tanh',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0.01,
  },
  {
    layers: [3, T + 1, 4],
    activation: 'tanh',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0.01,
  },
  {
    layers: [T, T, T],
    activation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    optimizer: 'adam',
    weightDecay: 0,
  },
  {
    layers: [T + 1, T, T],
    activation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    optimizer: 'adam',
    weightDecay: 0,
  },
  {
    layers: [5, 7, 1],
    activation: 'leaky-relu',
    outputActivation: 'sigmoid',
    loss: 'binary-cross-entropy',
    optimizer: 'momentum',
    weightDecay: 0.01,
  },
  {
    layers: [4, 12, 12, 3],
    activation: 'softplus',
    outputActivation: 'identity',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  {
    layers: [4, 16, 16, 3],
    activation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'momentum',
    weightDecay: 0,
  },
  {
    layers: [4, 16, 17, 3],
    activation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  // one hidden layer, widths ≤ 4-4-2, sigmoid/MSE/SGD: rust's const-width train_fixed (and 3-3-3 just outside it)
  {
    layers: [3, 4, 2],
    activation: 'tanh',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0.01,
  },
  { layers: [1, 3, 1], activation: 'relu', outputActivation: 'sigmoid', loss: 'mse', optimizer: 'sgd', weightDecay: 0 },
  {
    layers: [4, 1, 2],
    activation: 'softplus',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  {
    layers: [2, 4, 1],
    activation: 'leaky-relu',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0.01,
  },
  {
    layers: [3, 3, 3],
    activation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
];

const label = (c: Case): string =>
  `${c.layers.join('-')} ${c.activation}/${c.outputActivation}/${c.loss}/${c.optimizer}${c.weightDecay ? ' decay' : ''}`;

function data(c: Case, n: number, seed: number): { x: number[][]; y: number[][] } {
  const rand = mulberry32(seed);
  const nIn = c.layers[0]!,
    nOut = c.layers[c.layers.length - 1]!;
  const x = Array.from({ length: n }, () => Array.from({ length: nIn }, () => rand() * 2 - 1));
  const y = Array.from({ length: n }, () => {
    if (c.loss === 'cross-entropy') {
      const row = new Array<number>(nOut).fill(0);
      row[Math.floor(rand() * nOut)] = 1;
      return row;
    }
    return Array.from({ length: nOut }, () => (c.loss === 'binary-cross-entropy' ? (rand() < 0.5 ? 0 : 1) : rand()));
  });
  return { x, y };
}

for (const bc of BACKENDS) {
  describe(`${bc.label}: the small-layer training path (batch 1, widths ≤ ${T})`, () => {
    let backend: Backend;
    useBackend(bc, (b) => (backend = b));
    const make = (c: Case, generic: boolean): Promise<Network> =>
      Network.create({
        layers: c.layers,
        activation: c.activation,
        outputActivation: c.outputActivation,
        loss: c.loss,
        seed: 17,
        init: 'xavier',
        backend,
      }).then((net) => {
        networkInternals(net).mem.smallLayerPath = !generic;
        return net;
      });

    it.each(CASES.map((c) => [label(c), c] as const))(
      `${bc.label} %s: 3 epochs of batch-1 training equal the oracle and the general path`,
      async (_, c) => {
        const { x, y } = data(c, 11, 3);
        const lr = c.optimizer === 'adam' ? 0.01 : 0.05;
        const opts: TrainOptions = {
          epochs: 3,
          learningRate: lr,
          batchSize: 1,
          shuffle: false,
          optimizer: c.optimizer,
          weightDecay: c.weightDecay,
        };
        const net = await make(c, false),
          gen = await make(c, true);
        try {
          const oracle = new OracleNetwork(
            net
              .getParameters()
              .map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
            { loss: net.loss, leakySlope: net.leakySlope },
          );
          const want = oracle.train(x, y, {
            epochs: 3,
            batchSize: 1,
            optimizer: { kind: c.optimizer, learningRate: lr, weightDecay: c.weightDecay },
          });
          expect(want.every(Number.isFinite)).toBe(true);
          const got = net.train(x, y, opts).losses;
          const viaGeneral = gen.train(x, y, opts).losses;
          expectClose(got, want, bc.tol, `epoch losses ${label(c)}`);
          const wp = oracle.getParameters(),
            p = net.getParameters(),
            pg = gen.getParameters();
          p.forEach((pl, l) => {
            expectClose(pl.weights, wp[l]!.weights, bc.tol, `w[${l}] ${label(c)}`, c.layers[l]);
            expectClose(pl.biases, wp[l]!.biases, bc.tol, `b[${l}] ${label(c)}`);
          });
          // against the general path on the same build, bit for bit: every sum runs in the general kernels' order (rust
          // simd: dense.rs's lane order), so one thread (small-layer path) and worker threads (general path) agree
          expect(got).toEqual(viaGeneral);
          p.forEach((pl, l) => {
            expect(Array.from(pl.weights)).toEqual(Array.from(pg[l]!.weights));
            expect(Array.from(pl.biases)).toEqual(Array.from(pg[l]!.biases));
          });
          // the optimizer state and step counters too (a checkpoint carries them)
          expect(net.toJSON({ optimizer: true }).optimizer).toEqual(gen.toJSON({ optimizer: true }).optimizer);
        } finally {
          net.dispose();
          gen.dispose();
        }
      },
    );
  });
}

/** The float64 bit patterns (±0 and NaN payloads included). */
const bits = (v: ArrayLike<number>): bigint[] => Array.from(new BigUint64Array(Float64Array.from(v).buffer));

const CODEGEN_EXTRA: Case[] = [
  {
    layers: [3, 5, 4],
    activation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  {
    layers: [3, 4, 2],
    activation: 'tanh',
    outputActivation: 'softmax',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0.01,
  },
  {
    layers: [2, 3, 2],
    activation: 'sigmoid',
    outputActivation: 'identity',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  {
    layers: [2, 6, 3, 1],
    activation: 'leaky-relu',
    outputActivation: 'relu',
    loss: 'mse',
    optimizer: 'sgd',
    weightDecay: 0,
  },
  { layers: [1, 1], activation: 'sigmoid', outputActivation: 'tanh', loss: 'mse', optimizer: 'sgd', weightDecay: 0.01 },
];
const CODEGEN_CASES: Case[] = [...CASES.map((c) => ({ ...c, optimizer: 'sgd' as const })), ...CODEGEN_EXTRA];

describe("js: the generated small-layer kernel (tiny-gen.ts) against trainTiny's loop, the general path and the CSP fallback", () => {
  afterEach(() => {
    tinyCodegen.enabled = true;
    tinyCodegen.compile = defaultCompile;
    resetTinyCodegen();
  });
  const defaultCompile = tinyCodegen.compile;

  type Mode = 'generated' | 'loop' | 'refused' | 'general';
  async function run(
    c: Case,
    mode: Mode,
  ): Promise<{ losses: number[]; params: bigint[]; opt: unknown; runs: number; refused: boolean }> {
    resetTinyCodegen();
    tinyCodegen.enabled = mode !== 'loop';
    tinyCodegen.compile =
      mode === 'refused'
        ? () => {
            throw new EvalError(
              "Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source",
            );
          }
        : defaultCompile;
    const backend = await loadBackend('js');
    const net = await Network.create({
      layers: c.layers,
      activation: c.activation,
      outputActivation: c.outputActivation,
      loss: c.loss,
      seed: 17,
      init: 'xavier',
      backend,
    });
    try {
      networkInternals(net).mem.smallLayerPath = mode !== 'general';
      const { x, y } = data(c, 11, 3);
      const losses = net.train(x, y, {
        epochs: 3,
        learningRate: 0.05,
        batchSize: 1,
        shuffle: false,
        optimizer: c.optimizer,
        weightDecay: c.weightDecay,
      }).losses;
      // a second call continues from the trained parameters (the cached kernel, reloaded from the heap)
      losses.push(
        ...net.train(x, y, {
          epochs: 1,
          learningRate: 0.03,
          batchSize: 1,
          shuffle: false,
          optimizer: c.optimizer,
          weightDecay: c.weightDecay,
        }).losses,
      );
      const params = bits(net.getParameters().flatMap((p) => [...p.weights, ...p.biases]));
      return {
        losses,
        params,
        opt: net.toJSON({ optimizer: true }).optimizer,
        runs: tinyCodegen.runs,
        refused: tinyCodegen.evalRefused,
      };
    } finally {
      net.dispose();
      backend.dispose();
    }
  }

  it.each(CODEGEN_CASES.map((c) => [label(c), c] as const))(
    'js %s: generated kernel = trainTiny loop = general path = CSP fallback, bit for bit',
    async (_, c) => {
      const small = c.layers.every((w) => w <= T);
      const weights = c.layers.slice(1).reduce((s, w, l) => s + w * c.layers[l]!, 0);
      const covered = small && weights <= TINY_GEN_MAX_WEIGHTS;
      const quiet = ['log', 'warn', 'error', 'info', 'debug'].map((m) => vi.spyOn(console, m as 'log'));
      try {
        const gen = await run(c, 'generated');
        const loop = await run(c, 'loop');
        const refused = await run(c, 'refused');
        const general = await run(c, 'general');
        // the generated kernel ran exactly where it is meant to (4 epochs in two calls: at least one span each)
        if (covered) expect(gen.runs).toBeGreaterThanOrEqual(2);
        else expect(gen.runs).toBe(0);
        expect(loop.runs).toBe(0);
        expect(refused.runs).toBe(0);
        // the refusal is remembered exactly when a compile was attempted
        expect(refused.refused).toBe(covered);
        expect(gen.refused).toBe(false);
        expect(gen.losses.every(Number.isFinite)).toBe(true);
        for (const other of [loop, refused, general]) {
          expect(bits(other.losses)).toEqual(bits(gen.losses));
          expect(other.params).toEqual(gen.params);
          expect(other.opt).toEqual(gen.opt);
        }
        // silently: nothing on the console
        for (const spy of quiet) expect(spy).not.toHaveBeenCalled();
      } finally {
        for (const spy of quiet) spy.mockRestore();
      }
    },
  );
});
