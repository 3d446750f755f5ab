/**
 * Narrow measurement for docs/benchmarks.md: samples/s of the 784-1024-1024-10 relu/softmax Adam batch-64 network on
 * real digits, 1 and 2 threads, per build; with OLD=<dir> also the builds in <dir> (as-relaxed.wasm, as-simd.wasm,
 * fastnn-simd.wasm), interleaved in one run. Clock: wall time (threads), median of ROUNDS epochs of SAMPLES digits.
 * DTYPES=float64,float32 (default float64) picks the dtypes, each build once per dtype.
 * Usage: OLD=/tmp/old ROUNDS=5 SAMPLES=640 npx tsx scripts/wide-net.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeWasmFeatures } from '../bench/env.js';
import { loadMnist } from '../examples/mnist-data.js';
import type { Backend, BackendName, BackendVariant } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { Network } from '../src/network.js';
import { median } from '../bench/stats.js';

probeWasmFeatures();
const OLD = process.env.OLD;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SAMPLES = Number(process.env.SAMPLES ?? 640);
const DTYPES = (process.env.DTYPES ?? 'float64').split(',') as ('float64' | 'float32')[];
interface Build {
  name: BackendName;
  variant: BackendVariant;
  file: string;
}
const BUILDS: Build[] = (
  [
    { name: 'assemblyscript', variant: 'relaxed-simd', file: 'as-relaxed.wasm' },
    { name: 'assemblyscript', variant: 'simd', file: 'as-simd.wasm' },
    { name: 'rust', variant: 'simd', file: 'fastnn-simd.wasm' },
  ] satisfies Build[]
).filter((b) => !process.env.ONLY || process.env.ONLY.split(',').includes(b.file));

async function main(): Promise<void> {
  const { train } = loadMnist(SAMPLES, 0);
  const opts = {
    layers: [784, 1024, 1024, 10],
    seed: 1234,
    activation: 'relu' as const,
    outputActivation: 'softmax' as const,
    loss: 'cross-entropy' as const,
    init: 'he' as const,
  };
  const tr = { epochs: 1, learningRate: 1e-3, batchSize: 64, shuffle: false, optimizer: 'adam' as const };
  const nets: { label: string; net: Network; ms: number[] }[] = [];
  for (const b of BUILDS) {
    for (const which of OLD ? ['old', 'new'] : ['new']) {
      for (const [dtype, threads] of DTYPES.flatMap((d) => [1, 2].map((t) => [d, t] as const))) {
        const be: Backend =
          which === 'old'
            ? await loadBackend(b.name, { variant: b.variant, wasm: readFileSync(join(OLD!, b.file)) })
            : await loadBackend(b.name, { variant: b.variant });
        const net = await Network.create({ ...opts, backend: be, threads, dtype });
        net.train(train.x, train.y, tr); // warm-up (and, with threads, most of the thread-choice trial)
        net.train(train.x, train.y, tr);
        nets.push({ label: `${b.name}:${b.variant} ${which} ${dtype} ${threads}t`, net, ms: [] });
      }
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of nets) {
      const t0 = performance.now();
      n.net.train(train.x, train.y, tr);
      n.ms.push(performance.now() - t0);
    }
  }
  console.log(
    `784-1024-1024-10 relu/softmax adam batch 64, ${SAMPLES} real digits per epoch, median of ${ROUNDS} interleaved epochs (wall clock)`,
  );
  for (const n of nets)
    console.log(
      `${n.label}: ${(SAMPLES / (median(n.ms) / 1000)).toFixed(0)} samples/s  (epochs ms: ${n.ms.map((v) => v.toFixed(0)).join(' ')})`,
    );
  // 2 threads ÷ 1 thread: the median of each round's ratio (the two epochs ran next to each other)
  for (let i = 0; i + 1 < nets.length; i += 2) {
    const one = nets[i]!,
      two = nets[i + 1]!;
    const ratios = one.ms.map((v, r) => v / two.ms[r]!);
    console.log(
      `${two.label.replace(/ 2t$/, '')}: 2t/1t ${median(ratios).toFixed(2)} (rounds: ${ratios.map((v) => v.toFixed(2)).join(' ')})`,
    );
  }
  for (const n of nets) n.net.dispose();
}
void main();
