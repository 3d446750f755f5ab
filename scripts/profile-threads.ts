/**
 * Where 2-thread training spends its time (against the bench's 2-thread target): a diagnostic, not a benchmark (the bench's rows and
 * targets are in bench/). For each backend, on the bench's 784-128-10 sigmoid/mse/sgd epoch (8,000 rows, batch 32):
 *
 *   - the serial part of Network.train(x, y): the finite check and the copy into backend memory, timed alone;
 *   - epochs through Network.train(x, y), Network.train(Dataset) and the fused kernel, 1 and 2 threads;
 *   - per thread of the process (Linux /proc/self/task/<id>/schedstat): CPU time and run-queue wait during the
 *     2-thread epochs, so a machine shared with other processes shows up as run-queue time, not as "bad scaling";
 *   - the cost of one barrier: a 2-8-8-1 network at batch 1 and 10 (8 barriers per step), 1 thread against 2 threads
 *     forced onto the workers (such small steps normally train on the calling thread: MIN_THREAD_WORK).
 *
 *   nice npx tsx scripts/profile-threads.ts [backend ...]     (default: js assemblyscript rust)
 *   REPS=7 ...                                                 (epochs per configuration; medians are printed)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { probeWasmFeatures } from '../bench/env.js';
import { trainingData } from '../bench/train.bench.js';
import { TRAIN } from '../bench/shapes.js';
import { firstNonFinite } from '../src/check.js';
import { networkInternals, resolveTrain, setMinThreadWorkForTest, TrainingRun } from '../src/internal/index.js';
import { matrix } from '../src/matrix.js';
import { Network, type TrainOptions } from '../src/network.js';
import { Mulberry32 } from '../src/rng.js';
import type { BackendName } from '../src/backend.js';
import { median } from '../bench/stats.js';

probeWasmFeatures(); // the relaxed-SIMD flag, as the bench sets it, before any module compiles
const REPS = Number(process.env.REPS ?? 5);
const names = (
  process.argv.slice(2).length ? process.argv.slice(2) : ['js', 'assemblyscript', 'rust']
) as BackendName[];
const f1 = (x: number): string => x.toFixed(1);

/** CPU time and run-queue wait (ms) of every task (thread) of this process. */
function schedstat(): Map<string, { cpu: number; wait: number }> {
  const out = new Map<string, { cpu: number; wait: number }>();
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const [cpu, wait] = readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(t, { cpu: cpu! / 1e6, wait: wait! / 1e6 });
    }
  } catch {
    // not Linux
  }
  return out;
}

/** Runs fn REPS times (after one warm-up); returns the median wall ms and the busiest threads' CPU / run-queue ms per call. */
function measure(fn: () => void): { ms: number; threads: { cpu: number; wait: number }[] } {
  fn();
  const times: number[] = [];
  const s0 = schedstat();
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  const s1 = schedstat();
  const threads = [...s1]
    .map(([k, v]) => ({ cpu: (v.cpu - (s0.get(k)?.cpu ?? 0)) / REPS, wait: (v.wait - (s0.get(k)?.wait ?? 0)) / REPS }))
    .filter((t) => t.cpu > 1)
    .sort((a, b) => b.cpu - a.cpu);
  return { ms: median(times), threads };
}

const showThreads = (t: { cpu: number; wait: number }[]): string =>
  t.map((x) => `cpu ${f1(x.cpu)} / runq ${f1(x.wait)}`).join('; ');

async function main(): Promise<void> {
  const n = TRAIN.samples;
  const { X, Y } = trainingData(n);
  const opts: TrainOptions = { epochs: 1, learningRate: TRAIN.learningRate, batchSize: TRAIN.batch, shuffle: false };
  const net0 = { layers: [...TRAIN.layers], seed: TRAIN.seed, init: 'xavier' as const };
  console.log(
    `profile-threads: 784-128-10 sigmoid/mse/sgd, ${n} rows, batch ${TRAIN.batch}; medians of ${REPS}; ms per epoch`,
  );

  // the serial part of Network.train(x, y): check + copy (host-side, the same for every backend)
  const dst = new Float64Array(X.data.length + Y.data.length);
  const check = measure(() => {
    firstNonFinite(X.data);
    firstNonFinite(Y.data);
  });
  const copy = measure(() => {
    dst.set(X.data, 0);
    dst.set(Y.data, X.data.length);
  });
  console.log(`serial per Network.train(x, y) call: finite check ${f1(check.ms)} ms, copy ${f1(copy.ms)} ms`);

  for (const name of names) {
    const nets: Network[] = [];
    try {
      const one = await Network.create({ ...net0, backend: name });
      const two = await Network.create({ ...net0, backend: name, threads: 2 });
      nets.push(one, two);
      const l1 = one.train(X, Y, opts).losses[0]!,
        l2 = two.train(X, Y, opts).losses[0]!;
      console.log(`\n[${name}] bit-identical first epoch: ${Object.is(l1, l2)}`);
      const row = (label: string, a: ReturnType<typeof measure>, b: ReturnType<typeof measure>): void => {
        console.log(
          `  ${label.padEnd(22)} 1 thread ${f1(a.ms).padStart(6)}  2 threads ${f1(b.ms).padStart(6)}  ratio ${(a.ms / b.ms).toFixed(2)}x   2-thread tasks: ${showThreads(b.threads.slice(0, 3))}`,
        );
      };
      row(
        'train(x, y)',
        measure(() => one.train(X, Y, opts)),
        measure(() => two.train(X, Y, opts)),
      );
      const d1 = one.dataset(X, Y),
        d2 = two.dataset(X, Y);
      row(
        'train(Dataset)',
        measure(() => one.train(d1, opts)),
        measure(() => two.train(d2, opts)),
      );
      d1.dispose();
      d2.dispose();
      const fused = (net: Network): { run: () => number; close: () => void } => {
        const { mem, pool } = networkInternals(net);
        const { r } = resolveTrain('profile', mem.shape, X, Y, opts);
        const run = new TrainingRun(mem, 'profile', r, { rows: n, X, Y }, false, new Mulberry32(0), () => ({
          loss: 0,
          accuracy: 0,
        }));
        run.writePlan();
        return {
          run: () => (pool ? pool.run('profile', run.plan, 0, run.nb) : mem.host.trainBatches(run.plan, 0, run.nb)),
          close: () => run.close(),
        };
      };
      const f = fused(one),
        g = fused(two);
      row(
        'fused kernel',
        measure(() => f.run()),
        measure(() => g.run()),
      );
      f.close();
      g.close();

      // barrier cost: a tiny network, so a batch is almost nothing but its 6 barriers
      const m = 2000;
      const tx = matrix(m, 2),
        ty = matrix(m, 1);
      for (let i = 0; i < m * 2; i++) tx.data[i] = Math.sin(i);
      for (let i = 0; i < m; i++) ty.data[i] = i % 2;
      const s1 = await Network.create({ layers: [2, 8, 8, 1], seed: 1, backend: name });
      const s2 = await Network.create({ layers: [2, 8, 8, 1], seed: 1, backend: name, threads: 2 });
      nets.push(s1, s2);
      setMinThreadWorkForTest(0); // onto the workers however small the step
      try {
        for (const b of [1, 10]) {
          const o: TrainOptions = { epochs: 1, learningRate: 0.1, batchSize: b, shuffle: false };
          const a = measure(() => s1.train(tx, ty, o)),
            c = measure(() => s2.train(tx, ty, o));
          const batches = Math.ceil(m / b);
          console.log(
            `  2-8-8-1 batch ${String(b).padEnd(3)} per step: 1 thread ${((a.ms / batches) * 1000).toFixed(2)} µs, 2 threads ${((c.ms / batches) * 1000).toFixed(2)} µs` +
              ` (≈ ${(((c.ms - a.ms) / batches / 8) * 1000).toFixed(2)} µs extra per barrier)   2-thread tasks: ${showThreads(c.threads.slice(0, 3))}`,
          );
        }
      } finally {
        setMinThreadWorkForTest(null);
      }
    } catch (e) {
      console.log(`[${name}] failed: ${(e as Error).message}`);
    } finally {
      for (const x of nets) x.dispose();
    }
  }
}

void main();
