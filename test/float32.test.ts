/**
 * dtype: 'float32' (API.md "float32"; the arithmetic rules in src/abi.ts): every backend build against the float32
 * oracle (src/reference/oracle.ts with dtype 'float32', every operation rounded by Math.fround), threads 1 vs 2
 * bit-identical, outputs that are float32 values, the tutorial's 2-2-1 network, JSON and ONNX, Dataset bytes.
 *
 * Tolerance against the float32 oracle: TOL_F32 (rtol 1e-4, atol 1e-5). The oracle and the kernels round the same
 * operations but not in the same places: the kernels apply the loss's 1/(batch·outputs) factor once to dL/da and sum
 * the batch's gradients, the oracle divides each sample's gradient by the outputs and the batch sum by the batch, and
 * the SIMD builds reorder dot products (and the relaxed build fuses multiply-adds). Each of these differs by a few
 * float32 ulps (2^-24 ≈ 6e-8 relative) per operation; after a few optimizer steps on these small nets the parameters
 * agree to ~1e-6 relative, so 1e-4 leaves room without hiding a missing rounding (a float64 kernel would show up as
 * values that are not float32 values: the Math.fround checks) or a wrong formula (which moves values by far more).
 *
 * The WASM builds fail these tests until their float32 kernels land (the f32-as and f32-rust branches): they compute
 * a float32 plan's blocks as float64, which is not skipped here.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { PROBE_CHAINS_F32 } from '../src/abi.js';
import type { Activation, Backend, Loss, Optimizer } from '../src/backend.js';
import { Classifier, Network, OptionError, ShapeError, type NetworkOptions } from '../src/index.js';
import { hostOf, setMinThreadWorkForTest } from '../src/internal/index.js';
import { OracleNetwork } from '../src/reference/oracle.js';
import { ACTIVATIONS, ACTIVATION_NAMES } from '../src/spec/index.js';
import { BACKENDS, BACKEND_DEFAULTS, useBackend, type Tolerance } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { paramBits } from './helpers/data.js';
import { expectReject, expectThrow } from './helpers/expect-error.js';
import { mulberry32 } from './helpers/rng.js';

const TOL_F32: Tolerance = { rtol: 1e-4, atol: 1e-5 };
const HIDDEN: Activation[] = ACTIVATION_NAMES.filter((a) => !ACTIVATIONS[a].outputOnly);
const PAIRINGS: [Loss, Activation | null][] = [
  ['mse', null],
  ['binary-cross-entropy', 'sigmoid'],
  ['cross-entropy', 'softmax'],
  ['mse', 'softmax'],
];
const OPTIMIZERS: Optimizer[] = ['sgd', 'momentum', 'adam', 'adamw'];

function rows(n: number, cols: number, seed: number, lo = -2, hi = 2): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: cols }, () => lo + rand() * (hi - lo)));
}

function targets(n: number, cols: number, loss: Loss, output: Activation, seed: number): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const row = Array.from({ length: cols }, () => rand());
    if (loss === 'cross-entropy') {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / s);
    }
    if (loss === 'binary-cross-entropy') return row;
    const [lo, hi] = ACTIVATIONS[output].range;
    const [a, b] = [Math.max(lo, -1), hi === Infinity ? 1 : hi];
    return row.map((v) => a + v * (b - a));
  });
}

function oracleFor(net: Network): OracleNetwork {
  return new OracleNetwork(
    net.getParameters().map((p, l) => ({ weights: p.weights, biases: p.biases, activation: net.activations[l]! })),
    { loss: net.loss, leakySlope: net.leakySlope, dtype: 'float32' },
  );
}

const flat = (ps: { weights: Float64Array; biases: Float64Array }[]): number[] =>
  ps.flatMap((p) => [...p.weights, ...p.biases]);
const allFloat32 = (a: ArrayLike<number>): boolean =>
  Array.prototype.every.call(a, (v: number) => Object.is(Math.fround(v), v));

/** peakProbeF32's definition, one chain at a time, in float32: PROBE_CHAINS_F32 (48) chains, widened and summed in order. */
/**
 * Every hidden activation × loss pairing on a float32 network of `layers` (seeds from `seed`, one per network);
 * `check` gets the network, its activations and loss, and the seed that follows the network's (for its data).
 */
async function eachPairing(
  backend: Backend,
  layers: number[],
  seed: number,
  extra: Pick<NetworkOptions, 'init'>,
  check: (net: Network, c: { hidden: Activation; output: Activation; loss: Loss; seed: number }) => void,
): Promise<void> {
  for (const hidden of HIDDEN) {
    for (const [loss, out] of PAIRINGS) {
      const output = out ?? hidden;
      const net = await Network.create({
        layers,
        activation: hidden,
        outputActivation: output,
        loss,
        seed: seed++,
        backend,
        ...extra,
        dtype: 'float32',
      });
      try {
        check(net, { hidden, output, loss, seed });
      } finally {
        net.dispose();
      }
    }
  }
}

function probeF32(iterations: number, m: number, c: number): number {
  const f = Math.fround,
    m32 = f(m),
    c32 = f(c);
  let t = 0;
  for (let i = 0; i < PROBE_CHAINS_F32; i++) {
    let s = i;
    for (let n = 0; n < iterations; n++) s = f(f(s * m32) + c32);
    t += s;
  }
  return t;
}

describe('float32 oracle', () => {
  it('float32 oracle: dtype float64 is the float64 oracle bit for bit, float32 gives float32 values that differ from it', () => {
    const layers = [
      { weights: [0.3, -0.7, 0.11, 0.5], biases: [0.1, -0.2], activation: 'tanh' as const },
      { weights: [0.9, -1.3], biases: [0.05], activation: 'sigmoid' as const },
    ];
    const x = [
        [0.25, -1.5],
        [1.1, 0.3],
      ],
      y = [[1], [0]];
    const a = new OracleNetwork(layers),
      b = new OracleNetwork(layers, { dtype: 'float64' }),
      c = new OracleNetwork(layers, { dtype: 'float32' });
    for (const o of [a, b, c])
      o.train(x, y, { epochs: 3, batchSize: 2, optimizer: { kind: 'adam', learningRate: 0.01 } });
    expect(paramBits(b.getParameters())).toEqual(paramBits(a.getParameters()));
    const p32 = flat(c.getParameters()),
      p64 = flat(a.getParameters());
    expect(allFloat32(p32)).toBe(true);
    expect(p32).not.toEqual(p64);
    expectClose(p32, p64, { rtol: 1e-5, atol: 1e-6 }, 'float32 vs float64 oracle');
  });
});

for (const bc of BACKENDS) {
  describe(`${bc.label} float32`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    it(`${bc.label} float32 peakProbeF32 equals the per-chain float32 definition bit for bit`, () => {
      const raw = hostOf('test', backend).raw;
      expect(probeF32(0, 0.5, 1), 'the definition: 0 + 1 + … + 47 with no update').toBe(1128);
      for (const [n, m, c] of [
        [0, 0.5, 1],
        [7, -0.5, 1.25],
        [1000, 0.5, 0.75],
        [4099, 1, 2 ** -20],
      ] as const) {
        expect(typeof raw.peakProbeF32, 'peakProbeF32 export').toBe('function');
        expect(Object.is(raw.peakProbeF32(n, m, c), probeF32(n, m, c)), `peakProbeF32(${n}, ${m}, ${c})`).toBe(true);
      }
    });

    it(`${bc.label} float32 predict matches the float32 oracle for every activation and loss pairing, and gives float32 values`, async () => {
      await eachPairing(backend, [5, 7, 3], 1, { init: 'normal' }, (net, { hidden, output, seed }) => {
        const x = rows(6, 5, seed);
        const got = net.predict(x).data;
        expect(allFloat32(got), `${hidden}/${output}: outputs are float32 values`).toBe(true);
        const oracle = oracleFor(net);
        expectClose(
          got,
          x.flatMap((r) => oracle.feedforward(r)),
          TOL_F32,
          `${hidden}/${output} predict`,
          3,
        );
      });
    });

    it(`${bc.label} float32 gradients match the float32 oracle for every activation and loss pairing`, async () => {
      await eachPairing(backend, [4, 6, 3], 50, {}, (net, { hidden, output, loss, seed }) => {
        const x = rows(5, 4, seed),
          y = targets(5, 3, loss, output, seed + 1);
        const g = net.gradients(x, y);
        const o = oracleFor(net).gradients(x, y);
        expect(allFloat32(flat(g.gradients))).toBe(true);
        expectClose(
          flat(g.gradients),
          flat(o.weights.map((w, l) => ({ weights: w, biases: o.biases[l]! }))),
          TOL_F32,
          `${hidden}/${output} gradients`,
        );
        expectClose([g.loss], [o.loss], TOL_F32, `${hidden}/${output} loss`);
        // evaluate runs the same forward pass and loss kernel as gradients, in float32, with no backward pass
        const ds = net.dataset(x, y);
        try {
          for (const [how, e] of [
            ['evaluate(x, y)', net.evaluate(x, y)],
            ['evaluate(dataset)', net.evaluate(ds)],
          ] as const) {
            expectClose([e.loss], [g.loss], { rtol: 1e-15, atol: 0 }, `${hidden}/${output} ${how} loss vs gradients`);
            expectClose([e.loss], [o.loss], TOL_F32, `${hidden}/${output} ${how} loss vs oracle`);
          }
        } finally {
          ds.dispose();
        }
      });
    });

    it(`${bc.label} float32 training matches the float32 oracle for every optimizer and loss (3 epochs, a last partial batch)`, async () => {
      let seed = 100;
      for (const optimizer of OPTIMIZERS) {
        for (const [loss, out] of PAIRINGS) {
          const output = out ?? 'tanh';
          const net = await Network.create({
            layers: [3, 5, 2],
            activation: 'tanh',
            outputActivation: output,
            loss,
            seed: seed++,
            backend,
            dtype: 'float32',
          });
          try {
            const x = rows(7, 3, seed),
              y = targets(7, 2, loss, output, seed + 1);
            const oracle = oracleFor(net);
            const opts = {
              epochs: 3,
              batchSize: 3,
              shuffle: false,
              learningRate: 0.05,
              optimizer,
              weightDecay: 0.01,
            } as const;
            const r = net.train(x, y, opts);
            const losses = oracle.train(x, y, {
              epochs: 3,
              batchSize: 3,
              optimizer: { kind: optimizer, learningRate: 0.05, weightDecay: 0.01 },
            });
            const p = flat(net.getParameters());
            expect(allFloat32(p), `${optimizer}/${loss}: parameters are float32 values`).toBe(true);
            expectClose(p, flat(oracle.getParameters()), TOL_F32, `${optimizer}/${loss} parameters`);
            expectClose(r.losses, losses, TOL_F32, `${optimizer}/${loss} losses`);
          } finally {
            net.dispose();
          }
        }
      }
    });

    it(`${bc.label} float32 training controls match the float32 oracle: dropout, sample weights, clipping, a schedule`, async () => {
      const seed = 7;
      const net = await Network.create({
        layers: [4, 6, 5, 2],
        activation: 'relu',
        outputActivation: 'sigmoid',
        loss: 'binary-cross-entropy',
        seed,
        backend,
        dtype: 'float32',
        dropout: [0.3, 0.2],
      });
      try {
        const x = rows(9, 4, seed),
          y = targets(9, 2, 'binary-cross-entropy', 'sigmoid', seed + 1);
        const sampleWeight = [1, 0.5, 2, 0, 1, 1.5, 0.25, 1, 3];
        const oracle = oracleFor(net);
        const schedule = (t: number): number => 0.05 / (1 + t);
        const r = net.train(x, y, {
          epochs: 2,
          batchSize: 4,
          shuffle: false,
          optimizer: 'adam',
          learningRate: schedule,
          sampleWeight,
          clipNorm: 0.5,
        });
        const losses = oracle.train(x, y, {
          epochs: 2,
          batchSize: 4,
          optimizer: { kind: 'adam', learningRate: 0.05 },
          schedule,
          controls: { dropout: [0.3, 0.2, 0], seed, sampleWeight, clipNorm: 0.5 },
        });
        expect(allFloat32(flat(net.getParameters()))).toBe(true);
        expectClose(flat(net.getParameters()), flat(oracle.getParameters()), TOL_F32, 'controls parameters');
        expectClose(r.losses, losses, TOL_F32, 'controls losses');
      } finally {
        net.dispose();
      }
    });
  });
}

for (const bc of BACKENDS.filter((b) => b.variant !== 'debug')) {
  describe(`${bc.label} float32 threads`, () => {
    it(`${bc.label} float32 threads 1 and 2 give bit-identical parameters and losses (dropout, clipping, adam)`, async () => {
      setMinThreadWorkForTest(0);
      try {
        const x = rows(40, 9, 3),
          y = targets(40, 4, 'cross-entropy', 'softmax', 4);
        const out: { bits: bigint[]; losses: number[] }[] = [];
        for (const threads of [1, 2]) {
          const b = bc.name === 'js' ? 'js' : await bc.create();
          const net = await Network.create({
            layers: [9, 13, 7, 4],
            activation: 'relu',
            outputActivation: 'softmax',
            loss: 'cross-entropy',
            seed: 5,
            backend: b,
            threads,
            dtype: 'float32',
            dropout: 0.2,
          });
          try {
            expect(net.threads).toBe(threads);
            const r = net.train(x, y, { epochs: 3, batchSize: 7, optimizer: 'adam', learningRate: 0.01, clipNorm: 1 });
            out.push({ bits: paramBits(net.getParameters()), losses: r.losses });
          } finally {
            const be = net.backend;
            net.dispose();
            be.dispose();
          }
        }
        expect(out[1]!.bits).toEqual(out[0]!.bits);
        expect(out[1]!.losses).toEqual(out[0]!.losses);
      } finally {
        setMinThreadWorkForTest(null);
      }
    });
  });
}

for (const bc of BACKEND_DEFAULTS) {
  describe(`${bc.label} float32 network`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    it(`${bc.label} float32 tutorial 2-2-1 predicts Emily and Frank within 1e-4 of float64`, async () => {
      // the tutorial's data (weight - 135, height - 66) and its run: 1000 epochs of per-sample SGD at 0.1
      const data = [
          [-2, -1],
          [25, 6],
          [17, 4],
          [-15, -6],
        ],
        all = [[1], [0], [0], [1]];
      const out: Float64Array[] = [];
      for (const dtype of ['float64', 'float32'] as const) {
        const net = await Network.create({ layers: [2, 2, 1], seed: 1, backend, dtype });
        try {
          net.train(data, all, { epochs: 1000, learningRate: 0.1, batchSize: 1, shuffle: false });
          out.push(
            net.predict([
              [-7, -3],
              [20, 2],
            ]).data,
          );
        } finally {
          net.dispose();
        }
      }
      expect(out[1]![0]).toBeGreaterThan(0.9); // Emily
      expect(out[1]![1]).toBeLessThan(0.1); // Frank
      expect(Math.abs(out[1]![0]! - out[0]![0]!)).toBeLessThan(1e-4);
      expect(Math.abs(out[1]![1]! - out[0]![1]!)).toBeLessThan(1e-4);
    });

    it(`${bc.label} float32 toJSON/fromJSON round trip is exact, with the optimizer state, and training resumes bit for bit`, async () => {
      const x = rows(20, 3, 11),
        y = targets(20, 2, 'mse', 'tanh', 12);
      const net = await Network.create({ layers: [3, 4, 2], activation: 'tanh', seed: 3, backend, dtype: 'float32' });
      const again = await Network.create({ layers: [3, 4, 2], activation: 'tanh', seed: 3, backend, dtype: 'float32' });
      try {
        net.train(x, y, { epochs: 2, batchSize: 5, optimizer: 'adam', learningRate: 0.02 });
        const json = net.toJSON({ optimizer: true });
        expect(json.dtype).toBe('float32');
        const text = JSON.stringify(json);
        const loaded = await Network.fromJSON(text, backend);
        try {
          expect(loaded.dtype).toBe('float32');
          expect(paramBits(loaded.getParameters())).toEqual(paramBits(net.getParameters()));
          expect(JSON.stringify(loaded.toJSON({ optimizer: true }))).toBe(text);
          net.train(x, y, { epochs: 1, batchSize: 5, optimizer: 'adam', learningRate: 0.02 });
          loaded.train(x, y, { epochs: 1, batchSize: 5, optimizer: 'adam', learningRate: 0.02 });
          expect(paramBits(loaded.getParameters())).toEqual(paramBits(net.getParameters()));
          again.train(x, y, { epochs: 3, batchSize: 5, optimizer: 'adam', learningRate: 0.02 });
          expect(paramBits(again.getParameters())).toEqual(paramBits(net.getParameters()));
        } finally {
          loaded.dispose();
        }
        // a float64 network writes no dtype, and files without it load as float64
        const f64 = await Network.create({ layers: [3, 4, 2], seed: 3, backend });
        try {
          expect('dtype' in f64.toJSON()).toBe(false);
          expect((await Network.fromJSON(f64.toJSON(), backend)).dtype).toBe('float64');
        } finally {
          f64.dispose();
        }
        await expectReject(
          () => Network.fromJSON({ ...json, dtype: 'float16' }, backend),
          OptionError,
          'dtype',
          'float16',
        );
        // a checkpoint taken inside onEpoch (odd widths: float32 blocks of odd length) equals one taken after that epoch
        const spec = { layers: [3, 4, 1], activation: 'tanh', seed: 13, backend, dtype: 'float32' } as const;
        const one = await Network.create(spec),
          two = await Network.create(spec);
        try {
          const ys = y.map((r) => [r[0]!]);
          let inside = '';
          one.train(x, ys, {
            epochs: 2,
            batchSize: 3,
            optimizer: 'adam',
            learningRate: 0.02,
            onEpoch: (i) => {
              if (i.epoch === 0) inside = JSON.stringify(one.toJSON({ optimizer: true }));
            },
          });
          two.train(x, ys, { epochs: 1, batchSize: 3, optimizer: 'adam', learningRate: 0.02 });
          expect(inside).toBe(JSON.stringify(two.toJSON({ optimizer: true })));
          // between trainAsync's slices a checkpoint reads the last completed epoch's snapshot
          const epochs: string[] = [],
            between: string[] = [];
          const run = one.trainAsync(x, ys, {
            epochs: 60,
            batchSize: 3,
            optimizer: 'adam',
            learningRate: 0.02,
            sliceMs: 1,
            onEpoch: () => void epochs.push(JSON.stringify(one.toJSON({ optimizer: true }))),
          });
          let done = false;
          void run.finally(() => (done = true));
          while (!done) {
            await new Promise((r) => setTimeout(r, 0));
            if (!done && epochs.length > 0) between.push(JSON.stringify(one.toJSON({ optimizer: true })));
          }
          await run;
          expect(between.length).toBeGreaterThan(0);
          for (const j of between)
            expect(epochs.includes(j), 'a checkpoint between slices is one of the completed epochs').toBe(true);
        } finally {
          one.dispose();
          two.dispose();
        }
      } finally {
        net.dispose();
        again.dispose();
      }
    });

    it(`${bc.label} float32 inputs and parameters are rounded to float32 on the way in`, async () => {
      const net = await Network.create({ layers: [2, 1], activation: 'identity', seed: 1, backend, dtype: 'float32' });
      try {
        net.setParameters([{ weights: Float64Array.from([0.1, 1 / 3]), biases: Float64Array.from([0.7]) }]);
        const p = net.getParameters()[0]!;
        expect(Array.from(p.weights)).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
        expect(Array.from(p.biases)).toEqual([Math.fround(0.7)]);
        const x = [0.2, 0.3];
        const f = Math.fround;
        const want = f(f(f(f(0.1) * f(0.2)) + f(f(1 / 3) * f(0.3))) + f(0.7));
        expect(net.predict([x]).data[0]).toBe(want);
      } finally {
        net.dispose();
      }
    });

    it(`${bc.label} float32 Dataset of 8000×784 takes half the bytes of float64, and trains like the copied data`, async () => {
      const n = 8000,
        d = 784;
      const x = new Float64Array(n * d),
        y = new Float64Array(n * 10);
      const rand = mulberry32(1);
      for (let i = 0; i < x.length; i++) x[i] = rand();
      for (let r = 0; r < n; r++) y[r * 10 + (r % 10)] = 1;
      const X = { rows: n, cols: d, data: x },
        Y = { rows: n, cols: 10, data: y };
      const bytes: number[] = [];
      for (const dtype of ['float64', 'float32'] as const) {
        const net = await Network.create({
          layers: [d, 10],
          outputActivation: 'softmax',
          loss: 'cross-entropy',
          seed: 1,
          backend,
          dtype,
        });
        try {
          const before = backend.usedBytes();
          const ds = net.dataset(X, Y);
          bytes.push(backend.usedBytes() - before);
          expect(ds.dtype).toBe(dtype);
          ds.dispose();
        } finally {
          net.dispose();
        }
      }
      expect(bytes[0]).toBe((n * d + n * 10) * 8);
      expect(bytes[1]).toBe(bytes[0]! / 2);
      // a small one trains exactly as the same rows passed directly
      const xs = rows(30, 4, 2),
        ys = targets(30, 3, 'cross-entropy', 'softmax', 3);
      const small = {
        layers: [4, 5, 3],
        outputActivation: 'softmax',
        loss: 'cross-entropy',
        seed: 2,
        backend,
      } as const;
      const a = await Network.create({ ...small, dtype: 'float32' });
      const b = await Network.create({ ...small, dtype: 'float32' });
      const f64net = await Network.create(small);
      try {
        const ds = a.dataset(xs, ys);
        a.train(ds, { epochs: 2, batchSize: 8, learningRate: 0.1 });
        b.train(xs, ys, { epochs: 2, batchSize: 8, learningRate: 0.1 });
        expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
        expectClose(
          [a.evaluate(ds).loss],
          [b.evaluate(xs, ys).loss],
          { rtol: 0, atol: 0 },
          'evaluate(dataset) vs evaluate(x, y)',
        );
        expectThrow(() => f64net.train(ds, { epochs: 1, learningRate: 0.1 }), ShapeError, 'float32', 'float64');
        ds.dispose();
      } finally {
        a.dispose();
        b.dispose();
        f64net.dispose();
      }
    });

    it(`${bc.label} float32 trainStream (chunks of 7, a remainder kept across flushes), trainAsync and a restored best epoch equal train bit for bit`, async () => {
      const xs = rows(8300, 3, 31),
        ys = xs.map((r) => [r[0]! * r[1]! > 0 ? 1 : 0]);
      const spec = {
        layers: [3, 4, 1],
        activation: 'tanh',
        outputActivation: 'sigmoid',
        loss: 'binary-cross-entropy',
        seed: 6,
        backend,
        dtype: 'float32',
      } as const;
      const opts = { epochs: 2, learningRate: 0.1, batchSize: 32, shuffle: false, optimizer: 'adam' } as const;
      const ref = await Network.create(spec),
        s = await Network.create(spec),
        a = await Network.create(spec);
      try {
        const want = ref.train(xs, ys, opts);
        const got = await s.trainStream(function* () {
          for (let i = 0; i < xs.length; i += 7) yield { x: xs.slice(i, i + 7), y: ys.slice(i, i + 7) };
        }, opts);
        expect(got.losses).toEqual(want.losses);
        expect(paramBits(s.getParameters())).toEqual(paramBits(ref.getParameters()));
        const asy = await a.trainAsync(xs, ys, opts);
        expect(asy.losses).toEqual(want.losses);
        expect(paramBits(a.getParameters())).toEqual(paramBits(ref.getParameters()));
      } finally {
        ref.dispose();
        s.dispose();
        a.dispose();
      }
      // restoreBest copies the float32 blocks back (snapshot by bytes): the restored parameters are the best epoch's
      const small = rows(60, 3, 41),
        sy = small.map((r) => [r[0]! > 0 ? 1 : 0]);
      const val = rows(20, 3, 42),
        vy = val.map((r) => [r[0]! > 0 ? 1 : 0]);
      const es = await Network.create({ ...spec, layers: [3, 5, 1] });
      try {
        const seen: bigint[][] = [];
        const r = es.train(small, sy, {
          epochs: 12,
          learningRate: 0.5,
          batchSize: 4,
          validation: { x: val, y: vy },
          earlyStopping: { patience: 3, restoreBest: true },
          onEpoch: () => void seen.push(paramBits(es.getParameters())),
        });
        expect(r.bestEpoch).toBeDefined();
        expect(r.bestEpoch).toBeLessThan(seen.length - 1); // something to restore
        expect(paramBits(es.getParameters())).toEqual(seen[r.bestEpoch!]);
      } finally {
        es.dispose();
      }
    });

    it(`${bc.label} float32 toONNX writes float32 by default (ONNX Runtime agrees within 1e-5), float64 on request`, async () => {
      const net = await Network.create({
        layers: [3, 5, 2],
        activation: 'leaky-relu',
        outputActivation: 'softmax',
        loss: 'cross-entropy',
        seed: 4,
        backend,
        dtype: 'float32',
      });
      try {
        const x = rows(4, 3, 9);
        const want = net.predict(x).data;
        for (const [bytes, type, Arr] of [
          [net.toONNX(), 'float32', Float32Array],
          [net.toONNX({ dtype: 'float64' }), 'float64', Float64Array],
        ] as const) {
          const s = await ort.InferenceSession.create(bytes);
          const r = await s.run({ input: new ort.Tensor(type, Arr.from(x.flat()), [4, 3]) });
          const got = r.output!.data as Float32Array | Float64Array;
          expect(got).toBeInstanceOf(Arr);
          expectClose(got, want, { rtol: 1e-5, atol: 1e-6 }, `onnx ${type}`);
        }
      } finally {
        net.dispose();
      }
    });
  });
}

describe('float32 options', () => {
  it('float32 options: dtype is validated (OptionError naming the value and the choices); net.dtype reads it back; estimators save it', async () => {
    await expectReject(
      () => Network.create({ layers: [2, 1], backend: 'js', dtype: 'float16' as never }),
      OptionError,
      "dtype 'float16'",
      'float64|float32',
    );
    await expectReject(
      () => Network.create({ layers: [2, 1], backend: 'js', dtype: 32 as never }),
      OptionError,
      'dtype',
      'float64|float32',
    );
    const n = await Network.create({ layers: [2, 1], backend: 'js' });
    expect(n.dtype).toBe('float64');
    n.dispose();
    const x = rows(40, 2, 1),
      labels = x.map((r) => (r[0]! + r[1]! > 0 ? 'a' : 'b'));
    const c = await Classifier.create({ hidden: [4], seed: 1, backend: 'js', dtype: 'float32' });
    try {
      c.fit(x, labels, { epochs: 5 });
      const json = c.toJSON();
      expect(json.options.dtype).toBe('float32');
      expect(json.network.dtype).toBe('float32');
      const back = await Classifier.fromJSON(JSON.parse(JSON.stringify(json)), 'js');
      try {
        expect(Array.from(back.predictProba(x).data)).toEqual(Array.from(c.predictProba(x).data));
      } finally {
        back.dispose();
      }
      await expectReject(() => Classifier.create({ dtype: 'double' as never, backend: 'js' }), OptionError, 'dtype');
    } finally {
      c.dispose();
    }
  });
});
