/**
 * Narrow measurement of float32 against float64 on the AssemblyScript builds: samples/s of the 784-128-10 sigmoid/MSE
 * SGD batch-32 epoch (2048 digits) and the 784-1024-1024-10 relu/softmax/Adam batch-64 epoch (640 digits), one
 * thread, for float64 on OLD=<dir> (an earlier build's as-relaxed.wasm / as-simd.wasm, to check that float64 did not
 * slow down), float64 and float32 on build/. Interleaved rounds, medians of this process's CPU time (the machine is
 * shared). Usage: OLD=/tmp/old ROUNDS=9 npx tsx scripts/f32-speed.ts   (ONLY=simd: that build only)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeWasmFeatures } from '../bench/env.js';
import { loadMnist } from '../examples/mnist-data.js';
import type { BackendVariant } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';
import { median } from '../bench/stats.js';
import { WIDE_NET, WIDE_TRAIN } from '../bench/wide.bench.js';
probeWasmFeatures();
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const OLD = process.env.OLD;
const cpuMs = () => process.cpuUsage().user / 1000;
const NETS: { name: string; n: number; net: NetworkOptions; tr: TrainOptions }[] = [
  {
    name: '784-128-10 sigmoid/mse sgd b32',
    n: 2048,
    net: { layers: [784, 128, 10], seed: 1, activation: 'sigmoid' },
    tr: { epochs: 1, learningRate: 0.5, batchSize: 32, shuffle: false },
  },
  {
    name: '784-1024-1024-10 relu/softmax-ce adam b64',
    n: 640,
    net: WIDE_NET,
    tr: WIDE_TRAIN,
  },
];
async function main() {
  const builds: [BackendVariant, string][] =
    process.env.ONLY === 'simd'
      ? [['simd', 'as-simd.wasm']]
      : [
          ['relaxed-simd', 'as-relaxed.wasm'],
          ['simd', 'as-simd.wasm'],
        ];
  for (const [variant, file] of builds) {
    for (const c of NETS) {
      const { train } = loadMnist(c.n, 0);
      const runs: { label: string; net: Network; ms: number[] }[] = [];
      const which = [
        ['f64 old', true, 'float64'],
        ['f64 new', false, 'float64'],
        ['f32 new', false, 'float32'],
      ] as const;
      for (const [label, old, dtype] of which.filter((w) => OLD || !w[1])) {
        const be = old
          ? await loadBackend('assemblyscript', { variant, wasm: readFileSync(join(OLD!, file)) })
          : await loadBackend('assemblyscript', { variant });
        const net = await Network.create({ ...c.net, backend: be, ...(old ? {} : { dtype }) });
        net.train(train.x, train.y, c.tr);
        runs.push({ label, net, ms: [] });
      }
      for (let r = 0; r < ROUNDS; r++)
        for (const x of runs) {
          const t = cpuMs();
          x.net.train(train.x, train.y, c.tr);
          x.ms.push(cpuMs() - t);
        }
      const sps = runs.map((x) => c.n / (median(x.ms) / 1000));
      const n = sps.length;
      const oldRatio = OLD ? `; f64 new/old ${(sps[1]! / sps[0]!).toFixed(3)}` : '';
      console.log(
        `${variant.padEnd(12)} ${c.name}: ${runs.map((x, i) => `${x.label} ${Math.round(sps[i]!)}/s`).join(', ')}${oldRatio}; f32/f64 ${(sps[n - 1]! / sps[n - 2]!).toFixed(2)}`,
      );
      for (const x of runs) x.net.dispose();
    }
  }
}
void main();
