/**
 * Narrow measurement: samples/s (CPU time of this process, robust to a shared machine's preemption) of rust builds per
 * dtype, and with OLD=<dir> the old modules in <dir> (every dtype: modules from before float32 need DTYPES=float64),
 * interleaved rounds, medians. PREDICT=<rows> times net.predict on that many digits (a Matrix: the input conversion to
 * the network's dtype is timed too) instead of training.
 * Usage: NETS=small,wide,tiny,mid OLD=/tmp/old ROUNDS=15 DTYPES=float64,float32 VARIANTS=simd,scalar npx tsx scripts/rust-dtype-speed.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../examples/mnist-data.js';
import type { Dtype } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import type { Input, Matrix } from '../src/matrix.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { median } from '../bench/stats.js';
import { WIDE_NET, WIDE_TRAIN } from '../bench/wide.bench.js';

const OLD = process.env.OLD;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const DTYPES = (process.env.DTYPES ?? 'float64').split(',') as Dtype[]; // Network.create refuses any other
const VARIANTS = (process.env.VARIANTS ?? 'simd').split(',') as ('simd' | 'scalar')[];
const NETS = (process.env.NETS ?? 'small,wide,tiny').split(',');
const { train } = loadMnist(640, 0);
const w256 = loadMnist(256, 0).train;
const rows = (m: Matrix, k: number) =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, i * m.cols + k)));
const tinyX = [
    [-2, -1],
    [25, 6],
    [17, 4],
    [-15, -6],
  ],
  tinyY = [[1], [0], [0], [1]];
const X = Array.from({ length: 500 }, (_, i) => tinyX[i % 4]!),
  Y = Array.from({ length: 500 }, (_, i) => tinyY[i % 4]!);
interface Spec {
  o: NetworkOptions;
  t: TrainOptions;
  x: Input;
  y: Input;
  n: number;
}
const nets: Record<string, Spec> = {
  small: {
    o: { layers: [784, 128, 10], activation: 'sigmoid', loss: 'mse', seed: 1 },
    t: { epochs: 3, learningRate: 0.1, batchSize: 32, shuffle: false },
    x: train.x,
    y: train.y,
    n: 1920,
  },
  wide: {
    o: WIDE_NET,
    t: WIDE_TRAIN,
    x: w256.x,
    y: w256.y,
    n: 256,
  },
  tiny: {
    o: { layers: [2, 2, 1], seed: 1 },
    t: { epochs: 200, learningRate: 0.1, batchSize: 1, shuffle: false },
    x: X,
    y: Y,
    n: 100000,
  },
  mid: {
    o: { layers: [64, 64, 10], activation: 'tanh', outputActivation: 'softmax', loss: 'cross-entropy', seed: 3 },
    t: { epochs: 1, learningRate: 0.01, batchSize: 16, shuffle: false, optimizer: 'adam' },
    x: rows(train.x, 64),
    y: train.y,
    n: 640,
  },
};
const PREDICT = Number(process.env.PREDICT ?? 0);
const px = PREDICT > 0 ? loadMnist(PREDICT, 0).train : null;
const runs: { label: string; net: Network; spec: Spec; ms: number[] }[] = [];
for (const variant of VARIANTS)
  for (const name of NETS)
    for (const which of OLD ? ['old', 'new'] : ['new'])
      for (const dtype of DTYPES) {
        const file = join(which === 'old' ? OLD! : 'rust', `fastnn-${variant}.wasm`);
        const be = await loadBackend('rust', { variant, wasm: readFileSync(file) });
        const spec = nets[name];
        if (!spec) throw new Error(`NETS: unknown network '${name}', expected some of ${Object.keys(nets).join(',')}`);
        const net = await Network.create({
          ...spec.o,
          ...(dtype !== 'float64' ? { dtype } : {}),
          backend: be,
          threads: 1,
        });
        net.train(spec.x, spec.y, spec.t);
        runs.push({ label: `${variant} ${name} ${which} ${dtype}`, net, spec, ms: [] });
      }
for (let r = 0; r < ROUNDS; r++)
  for (const run of runs) {
    const c0 = process.cpuUsage();
    if (px) run.net.predict(px.x);
    else run.net.train(run.spec.x, run.spec.y, run.spec.t);
    const c = process.cpuUsage(c0);
    run.ms.push((c.user + c.system) / 1000);
  }
for (const run of runs)
  console.log(
    `${run.label}: ${((PREDICT || run.spec.n) / (median(run.ms) / 1000)).toFixed(0)} samples/s cpu-time (ms ${run.ms.map((v) => v.toFixed(0)).join(' ')})`,
  );
