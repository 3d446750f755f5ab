/** Float32 on the rust builds against the js float32 kernels (generated Math.fround code): max relative difference, equal bits, threads 1 vs 2. npx tsx scripts/rust-f32-vs-js.ts */
import type { Activation, Backend, Loss, Optimizer } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import type { NetworkOptions, TrainOptions } from '../src/network.js';
import { Network } from '../src/network.js';
import { setMinThreadWorkForTest } from '../src/internal/index.js';

setMinThreadWorkForTest(0);
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// extra: train options beyond the common ones; sampleWeight: true stands for one weight per row, (i % 3) * 0.5
type Extra = Partial<Omit<TrainOptions, 'sampleWeight'>> & { sampleWeight?: true };
type Cfg = {
  layers: number[];
  act: Activation;
  out: Activation;
  loss: Loss;
  opt: Optimizer;
  batch: number;
  n: number;
  extra?: Extra;
  netx?: Pick<NetworkOptions, 'dropout'>;
};
const cfgs: Cfg[] = [
  { layers: [2, 2, 1], act: 'sigmoid', out: 'sigmoid', loss: 'mse', opt: 'sgd', batch: 1, n: 4 },
  {
    layers: [4, 3, 1],
    act: 'tanh',
    out: 'sigmoid',
    loss: 'mse',
    opt: 'sgd',
    batch: 1,
    n: 9,
    extra: { weightDecay: 0.01 },
  },
  { layers: [3, 5, 4, 2], act: 'tanh', out: 'sigmoid', loss: 'mse', opt: 'momentum', batch: 1, n: 11 },
  { layers: [5, 7, 3], act: 'relu', out: 'softmax', loss: 'cross-entropy', opt: 'adam', batch: 1, n: 10 },
  { layers: [6, 9, 2], act: 'softplus', out: 'identity', loss: 'mse', opt: 'sgd', batch: 1, n: 10 },
  {
    layers: [7, 9, 3],
    act: 'leaky-relu',
    out: 'softplus',
    loss: 'mse',
    opt: 'sgd',
    batch: 4,
    n: 23,
    extra: { weightDecay: 0.001 },
  },
  { layers: [13, 17, 5], act: 'sigmoid', out: 'sigmoid', loss: 'binary-cross-entropy', opt: 'adam', batch: 8, n: 37 },
  {
    layers: [11, 33, 6],
    act: 'relu',
    out: 'softmax',
    loss: 'cross-entropy',
    opt: 'adamw',
    batch: 5,
    n: 41,
    extra: { weightDecay: 0.01, clipNorm: 0.5 },
    netx: { dropout: 0.3 },
  },
  {
    layers: [11, 33, 6],
    act: 'tanh',
    out: 'softmax',
    loss: 'cross-entropy',
    opt: 'momentum',
    batch: 6,
    n: 41,
    extra: { sampleWeight: true, learningRate: (s: number) => 0.05 / (1 + s) },
  },
  { layers: [20, 64, 10], act: 'relu', out: 'identity', loss: 'mse', opt: 'momentum', batch: 7, n: 50 },
  {
    layers: [31, 40, 21, 3],
    act: 'leaky-relu',
    out: 'sigmoid',
    loss: 'binary-cross-entropy',
    opt: 'sgd',
    batch: 16,
    n: 70,
    extra: { clipNorm: 0.1 },
  },
  {
    layers: [64, 130, 10],
    act: 'relu',
    out: 'softmax',
    loss: 'cross-entropy',
    opt: 'adam',
    batch: 32,
    n: 96,
    netx: { dropout: 0.2 },
  },
  { layers: [3, 4, 2], act: 'sigmoid', out: 'softmax', loss: 'cross-entropy', opt: 'sgd', batch: 3, n: 8 },
];
async function run(be: Backend | 'js', c: Cfg, threads: number): Promise<Float64Array> {
  const r = rng(c.layers.reduce((a, b) => a * 31 + b, 7));
  const nIn = c.layers[0]!,
    nOut = c.layers[c.layers.length - 1]!;
  const x = Array.from({ length: c.n }, () => Array.from({ length: nIn }, () => r() * 2 - 1));
  const y = x.map(() => {
    const row = Array.from({ length: nOut }, () => r());
    if (c.loss === 'cross-entropy') {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => v / s);
    }
    return row;
  });
  const net = await Network.create({
    layers: c.layers,
    activation: c.act,
    outputActivation: c.out,
    loss: c.loss,
    seed: 5,
    backend: be,
    threads,
    dtype: 'float32',
    ...(c.netx ?? {}),
  });
  const { sampleWeight, ...extra } = c.extra ?? {};
  const weights = sampleWeight ? { sampleWeight: x.map((_, i) => (i % 3) * 0.5) } : {};
  const out: number[] = [];
  const res = net.train(x, y, {
    epochs: 3,
    learningRate: 0.05,
    batchSize: c.batch,
    optimizer: c.opt,
    ...extra,
    ...weights,
  });
  out.push(...res.losses);
  for (const p of net.getParameters()) {
    out.push(...p.weights, ...p.biases);
  }
  out.push(...net.predict(x).data);
  const g = net.gradients(x, y);
  out.push(g.loss);
  for (const p of g.gradients) out.push(...p.weights, ...p.biases);
  out.push(net.evaluate(x, y).loss);
  const be2 = net.backend;
  net.dispose();
  be2.dispose();
  return new Float64Array(out);
}
const nonF32 = (a: Float64Array) => a.findIndex((v) => Math.fround(v) !== v);
for (const c of cfgs) {
  const ref = await run('js', c, 1);
  const line: string[] = [];
  for (const variant of ['simd', 'scalar'] as const) {
    const t1 = await run(await loadBackend('rust', { variant }), c, 1);
    const t2 = await run(await loadBackend('rust', { variant }), c, 2);
    let maxRel = 0,
      same = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(t1[i]! - ref[i]!) / Math.max(1e-3, Math.abs(ref[i]!));
      if (d > maxRel) maxRel = d;
      if (t1[i] === ref[i]) same++;
    }
    const tEq = t1.every((v, i) => Object.is(v, t2[i]));
    line.push(
      `${variant}: maxRel ${maxRel.toExponential(2)} sameBits ${same}/${ref.length} threads1==2 ${tEq} nonF32@${nonF32(t1)}`,
    );
  }
  console.log(`${c.layers.join('-')} ${c.act}/${c.out} ${c.loss} ${c.opt} b${c.batch}: ${line.join(' | ')}`);
}
