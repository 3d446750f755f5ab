/**
 * Where the 784-128-10 SGD epoch's float32 ÷ float64 ratio comes from: per SIMD build and dtype, the epoch (batch 32,
 * 8,000 rows from a resident Dataset, 1 thread) and the dense kernels of its 250 steps timed alone (denseForward and
 * denseBackward, or their F32 twins, at 32×784→128 without dx and 32×128→10 with dx, plus the 16-row last batch);
 * the rest of the epoch (gather, activations, loss, SGD update, calls) is the difference. Prints the f32 ÷ f64 speed
 * of each part. Interleaved rounds, medians of this process's CPU time (the machine may be shared).
 * Usage: ROUNDS=9 node --experimental-wasm-relaxed-simd --import tsx scripts/f32-epoch-split.ts
 */
import { probeWasmFeatures } from '../bench/env.js';
import { median } from '../bench/stats.js';
import type { Backend, BackendName, BackendVariant, Dtype } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { hostOf, type KernelHost } from '../src/internal/index.js';
import { Network } from '../src/network.js';
import { mulberry32 } from '../src/rng.js';

probeWasmFeatures(); // Node 20: V8's relaxed-SIMD flag, before any module compiles
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const N = 8000,
  BATCH = 32;
const BUILDS: [BackendName, BackendVariant][] = [
  ['assemblyscript', 'relaxed-simd'],
  ['assemblyscript', 'simd'],
  ['rust', 'simd'],
];
const DTYPES: Dtype[] = ['float64', 'float32'];
const cpuMs = (): number => process.cpuUsage().user / 1000;

const rand = mulberry32(7);
const x = Float64Array.from({ length: N * 784 }, () => rand());
const y = new Float64Array(N * 10);
for (let i = 0; i < N; i++) y[i * 10 + Math.floor(rand() * 10)] = 1;

/** The dense kernel calls of one epoch on blocks of the dtype (values do not change the time). */
function kernelEpoch(host: KernelHost, dtype: Dtype): () => void {
  const e = dtype === 'float32' ? 4 : 8;
  const p = (n: number): number => {
    const q = host.allocBytes(n * e);
    const v = dtype === 'float32' ? host.f32() : host.f64();
    for (let i = 0; i < n; i++) v[q / e + i] = rand() - 0.5;
    return q;
  };
  const [x0, w1, b1, z1, dz1, dw1, db1] = [
    p(BATCH * 784),
    p(128 * 784),
    p(128),
    p(BATCH * 128),
    p(BATCH * 128),
    p(128 * 784),
    p(128),
  ];
  const [w2, b2, z2, dz2, dw2, db2, dx2] = [
    p(10 * 128),
    p(10),
    p(BATCH * 10),
    p(BATCH * 10),
    p(10 * 128),
    p(10),
    p(BATCH * 128),
  ];
  const raw = host.raw;
  const fwd = dtype === 'float32' ? raw.denseForwardF32.bind(raw) : raw.denseForward.bind(raw);
  const bwd = dtype === 'float32' ? raw.denseBackwardF32.bind(raw) : raw.denseBackward.bind(raw);
  const steps = Math.ceil(N / BATCH);
  return () => {
    for (let s = 0; s < steps; s++) {
      const rows = Math.min(BATCH, N - s * BATCH);
      fwd(z1, x0, w1, b1, rows, 784, 128);
      fwd(z2, z1, w2, b2, rows, 128, 10);
      bwd(dx2, dw2, db2, dz2, z1, w2, rows, 128, 10);
      bwd(0, dw1, db1, dz1, x0, w1, rows, 784, 128);
    }
  };
}

interface Arm {
  label: string;
  dtype: Dtype;
  epoch: () => void;
  kernels: () => void;
  ms: { epoch: number[]; kernels: number[] };
}

const arms: Arm[] = [];
const backends: Backend[] = [];
for (const [name, variant] of BUILDS) {
  const be = await loadBackend(name, { variant });
  backends.push(be);
  for (const dtype of DTYPES) {
    const net = await Network.create({ layers: [784, 128, 10], seed: 1, backend: be, dtype });
    const ds = net.dataset({ rows: N, cols: 784, data: x }, { rows: N, cols: 10, data: y });
    const train = { epochs: 1, learningRate: 1, batchSize: BATCH, shuffle: false };
    net.train(ds, train);
    const kernels = kernelEpoch(hostOf('script', be), dtype);
    kernels();
    arms.push({
      label: `${name} ${variant}`,
      dtype,
      epoch: () => void net.train(ds, train),
      kernels,
      ms: { epoch: [], kernels: [] },
    });
  }
}

for (let r = 0; r < ROUNDS; r++) {
  for (const a of r % 2 ? [...arms].reverse() : arms) {
    for (const part of ['epoch', 'kernels'] as const) {
      const t = cpuMs();
      a[part]();
      a.ms[part].push(cpuMs() - t);
    }
  }
}

console.log(`784-128-10 SGD epoch, batch ${BATCH}, ${N} rows (Dataset), 1 thread; medians of ${ROUNDS} rounds, CPU ms`);
console.log('| build | dtype | epoch | dense kernels | rest | kernels share |');
console.log('|---|---|---|---|---|---|');
const parts = new Map<string, { epoch: number; kernels: number; rest: number }>();
for (const a of arms) {
  const e = median(a.ms.epoch),
    k = median(a.ms.kernels);
  parts.set(`${a.label}/${a.dtype}`, { epoch: e, kernels: k, rest: e - k });
  console.log(
    `| ${a.label} | ${a.dtype} | ${e.toFixed(1)} | ${k.toFixed(1)} | ${(e - k).toFixed(1)} | ${((100 * k) / e).toFixed(0)}% |`,
  );
}
console.log('\n| build | epoch f32 speed-up | kernels f32 speed-up | rest f32 speed-up |');
console.log('|---|---|---|---|');
for (const [name, variant] of BUILDS) {
  const a = parts.get(`${name} ${variant}/float64`)!,
    b = parts.get(`${name} ${variant}/float32`)!;
  console.log(
    `| ${name} ${variant} | ${(a.epoch / b.epoch).toFixed(2)} | ${(a.kernels / b.kernels).toFixed(2)} | ${(a.rest / b.rest).toFixed(2)} |`,
  );
}
for (const be of backends) be.dispose();
