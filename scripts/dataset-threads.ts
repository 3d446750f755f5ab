/**
 * Whether threads: 2 is ever slower than 1 thread on the bench's 784-128-10 epochs, and why: per backend, one epoch of
 * Network.train on a Dataset (the bench's random data, 8,000 rows, batch 32) with 1 thread, with 2 threads (the
 * thread-choice trial decides), with 2 threads forced onto the workers, and the fused kernel alone on the 2 workers;
 * interleaved rounds, medians, and each 2-thread network's trial verdict and measured per-step times.
 *
 *   node --experimental-wasm-relaxed-simd --import tsx scripts/dataset-threads.ts
 *   ROUNDS=15 BACKENDS=rust,assemblyscript CONFIG=sgd|adam
 */
import { probeWasmFeatures } from '../bench/env.js';
import { CONFIGS, trainingData } from '../bench/train.bench.js';
import { TRAIN_SAMPLES } from '../bench/env.js';
import type { BackendName } from '../src/backend.js';
import {
  networkInternals,
  resolveTrain,
  setMinThreadWorkForTest,
  threadChoice,
  TrainingRun,
} from '../src/internal/index.js';
import { Network, type Dataset } from '../src/network.js';
import { Mulberry32 } from '../src/rng.js';
import { median } from '../bench/stats.js';

probeWasmFeatures();
const ROUNDS = Number(process.env.ROUNDS ?? 11);

async function main(): Promise<void> {
  const cfg = CONFIGS.find((c) => c.id === (process.env.CONFIG ?? 'sgd'))!;
  const n = TRAIN_SAMPLES;
  const { X, Y } = trainingData(n);
  for (const backend of (process.env.BACKENDS ?? 'rust,assemblyscript').split(',') as BackendName[]) {
    const one = await Network.create({ ...cfg.net, backend, threads: 1 });
    const two = await Network.create({ ...cfg.net, backend, threads: 2 });
    setMinThreadWorkForTest(0);
    const forced = await Network.create({ ...cfg.net, backend, threads: 2 });
    setMinThreadWorkForTest(null);
    const calling = await Network.create({ ...cfg.net, backend, threads: 2 });
    const l1 = one.train(X, Y, cfg.train).losses[0]!;
    const l2 = two.train(X, Y, cfg.train).losses[0]!; // the trial
    if (!Object.is(l1, l2)) throw new Error(`not bit-identical: ${l1} vs ${l2}`);
    const d1 = one.dataset(X, Y),
      d2 = two.dataset(X, Y),
      d3 = forced.dataset(X, Y),
      d4 = calling.dataset(X, Y);
    // a 2-thread network whose trial found the calling thread faster: the same path as 1 thread?
    threadChoice(networkInternals(calling).pool!, calling.layers, cfg.train.batchSize!).verdict = false;
    const { mem, pool } = networkInternals(two);
    const { r } = resolveTrain('dataset-threads', mem.shape, X, Y, cfg.train);
    const run = new TrainingRun(mem, 'dataset-threads', r, { rows: n, X, Y }, false, new Mulberry32(0), () => ({
      loss: 0,
    }));
    const rows: { k: string; f: () => void; ms: number[]; cpu: number[] }[] = [
      { k: '1 thread, Dataset', f: () => one.train(d1, cfg.train), ms: [], cpu: [] },
      { k: '2 threads, verdict: calling', f: () => calling.train(d4, cfg.train), ms: [], cpu: [] },
      { k: '2 threads, Dataset (trial)', f: () => two.train(d2, cfg.train), ms: [], cpu: [] },
      {
        k: '2 threads, Dataset (forced)',
        f: () => {
          setMinThreadWorkForTest(0);
          forced.train(d3, cfg.train);
          setMinThreadWorkForTest(null);
        },
        ms: [],
        cpu: [],
      },
      {
        k: '2 threads, fused kernel',
        f: () => {
          run.writePlan();
          pool!.run('dataset-threads', run.plan, 0, run.nb);
        },
        ms: [],
        cpu: [],
      },
    ];
    for (const x of rows) x.f();
    for (let i = 0; i < ROUNDS; i++) {
      for (const x of i % 2 ? [...rows].reverse() : rows) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        x.f();
        x.ms.push(performance.now() - t0);
        const c1 = process.cpuUsage(c0);
        x.cpu.push((c1.user + c1.system) / 1000);
      }
    }
    const c = threadChoice(pool!, mem.shape.layers, cfg.train.batchSize!);
    const m = c.measured();
    console.log(
      `${cfg.title} | ${backend} | trial verdict: ${c.verdict ? 'pool' : 'calling thread'} (per step: one ${m.oneMs.toFixed(3)} ms, pool ${m.poolMs.toFixed(3)} ms)`,
    );
    const base = rows[0]!.ms;
    for (const x of rows) {
      const ratios = base.map((v, i) => v / x.ms[i]!);
      console.log(
        `  ${x.k.padEnd(28)} ${median(x.ms).toFixed(1).padStart(7)} ms  cpu ${median(x.cpu).toFixed(1).padStart(7)} ms   1t/this ${median(ratios).toFixed(2)}  (${ratios.map((v) => v.toFixed(2)).join(' ')})`,
      );
    }
    run.close();
    for (const d of [d1, d2, d3, d4] as Dataset[]) d.dispose();
    for (const net of [one, two, forced, calling]) net.dispose();
  }
}
void main();
