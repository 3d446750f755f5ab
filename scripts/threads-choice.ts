/**
 * Narrow measurement for docs/benchmarks.md "Threads never cost speed": per backend, samples/s of 1 thread, 2 threads
 * (the timed trial decides), and 2 threads forced onto the workers (the behaviour before the trial: every step at or
 * above MIN_THREAD_WORK went to the workers), interleaved, median of ROUNDS calls after one warm-up call.
 * Networks: Iris-sized 4-10-3 softmax (150 samples, batch 32, 200 epochs of trainAsync per call) and 784-128-10
 * (2000 random samples, batch 32, one epoch of train per call). Usage: ROUNDS=5 npx tsx scripts/threads-choice.ts
 */
import { probeWasmFeatures } from '../bench/env.js';
import { Network } from '../src/network.js';
import { networkInternals, setMinThreadWorkForTest, threadChoice } from '../src/internal/index.js';
import { mulberry32 } from '../src/rng.js';
import { median } from '../bench/stats.js';

probeWasmFeatures();
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const rand = mulberry32(5);
const mat = (rows: number, cols: number, f: (i: number) => number) => ({
  rows,
  cols,
  data: Float64Array.from({ length: rows * cols }, (_, i) => f(i)),
});

const CASES = [
  { id: 'iris 4-10-3 trainAsync ×200 epochs', layers: [4, 10, 3], n: 150, epochs: 200, async: true },
  { id: '784-128-10 train 1 epoch', layers: [784, 128, 10], n: 2000, epochs: 1, async: false },
];

async function main(): Promise<void> {
  for (const c of CASES.filter((k) => !process.env.ONLY || k.id.startsWith(process.env.ONLY))) {
    const nIn = c.layers[0]!,
      nOut = c.layers[c.layers.length - 1]!;
    const x = mat(c.n, nIn, () => rand());
    const y = mat(c.n, nOut, (i) => (Math.floor(i / nOut) % nOut === i % nOut ? 1 : 0));
    const train = { epochs: c.epochs, learningRate: 0.05, batchSize: 32 };
    for (const backend of (process.env.BACKENDS ?? 'assemblyscript,rust,js').split(',') as (
      'assemblyscript' | 'rust' | 'js'
    )[]) {
      const kinds = ['1 thread', '2 threads (trial)', '2 threads (forced)'] as const;
      const nets = [];
      for (const k of kinds) {
        if (k === '2 threads (forced)') setMinThreadWorkForTest(0);
        const net = await Network.create({
          layers: c.layers,
          seed: 1,
          backend,
          threads: k === '1 thread' ? 1 : 2,
          outputActivation: 'softmax',
          loss: 'cross-entropy',
        });
        const t0 = performance.now();
        if (c.async) await net.trainAsync(x, y, train);
        else net.train(x, y, train); // warm-up (and the trial)
        const first = performance.now() - t0;
        setMinThreadWorkForTest(null);
        nets.push({ k, net, first, ms: [] as number[] });
      }
      for (let r = 0; r < ROUNDS; r++) {
        for (const e of nets) {
          if (e.k === '2 threads (forced)') setMinThreadWorkForTest(0);
          const t0 = performance.now();
          if (c.async) await e.net.trainAsync(x, y, train);
          else e.net.train(x, y, train);
          e.ms.push(performance.now() - t0);
          setMinThreadWorkForTest(null);
        }
      }
      const one = median(nets[0]!.ms);
      for (const e of nets) {
        const pool = networkInternals(e.net).pool;
        const choice = pool ? threadChoice(pool, c.layers, Math.min(32, c.n)) : null;
        const verdict = choice
          ? ` | verdict ${choice.verdict === null ? 'trial running' : choice.verdict ? 'pool' : 'calling thread'} (per step: one ${choice.measured().oneMs.toFixed(3)} ms, pool ${choice.measured().poolMs.toFixed(3)} ms)`
          : '';
        console.log(
          `${c.id} | ${backend} | ${e.k} | ${((c.n * c.epochs) / (median(e.ms) / 1000)).toFixed(0)} samples/s | ${(one / median(e.ms)).toFixed(2)}x of 1 thread | first call ${e.first.toFixed(0)} ms${verdict}`,
        );
        e.net.dispose();
      }
    }
  }
}
void main();
