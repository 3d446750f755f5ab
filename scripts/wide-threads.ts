/**
 * How the wide network's steps scale from 1 to 2 threads, per build and dtype: the fused kernel alone (a TrainingRun's
 * plan run by trainBatches on the calling thread, or by the pool's workers: no thread-choice trial, no data copy), on
 * the 784-1024-1024-10 relu/softmax Adam batch-64 network over real digits. Per round, each network runs STEPS steps
 * (1 thread and 2 threads next to each other); printed: the median wall ms per step, the median of the rounds' 1t/2t
 * ratios, and the CPU and run-queue ms per step of the busiest threads (Linux schedstat), so a step that waits for a
 * core (a shared machine) shows up as run-queue time, not as poor scaling. The ratio of the fastest rounds (many short
 * rounds: STEPS=2 ROUNDS=40) estimates the scaling on free cores, which a shared machine offers only now and then.
 * The calling thread's own CPU and run-queue ms per step are printed too: with 2 threads it only waits for the
 * workers, so its CPU time is what it takes from the cores they need.
 *
 *   node --experimental-wasm-relaxed-simd --import tsx scripts/wide-threads.ts
 *   ROUNDS=9 STEPS=10 DTYPES=float32,float64 ONLY=as-simd.wasm,fastnn-simd.wasm LAYERS=784-1024-1024-10 BATCH=64
 */
import { readFileSync, readdirSync } from 'node:fs';
import { probeWasmFeatures } from '../bench/env.js';
import { loadMnist } from '../examples/mnist-data.js';
import type { BackendName, BackendVariant } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { networkInternals, resolveTrain, TrainingRun } from '../src/internal/index.js';
import { Network, type TrainOptions } from '../src/network.js';
import { Mulberry32 } from '../src/rng.js';
import { median } from '../bench/stats.js';

probeWasmFeatures();
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const STEPS = Number(process.env.STEPS ?? 10);
const BATCH = Number(process.env.BATCH ?? 64);
const LAYERS = (process.env.LAYERS ?? '784-1024-1024-10').split('-').map(Number);
const DTYPES = (process.env.DTYPES ?? 'float32,float64').split(',') as ('float64' | 'float32')[];
const BUILDS = (
  [
    { name: 'assemblyscript', variant: 'simd', file: 'as-simd.wasm' },
    { name: 'assemblyscript', variant: 'relaxed-simd', file: 'as-relaxed.wasm' },
    { name: 'rust', variant: 'simd', file: 'fastnn-simd.wasm' },
  ] satisfies { name: BackendName; variant: BackendVariant; file: string }[]
).filter((b) => !process.env.ONLY || process.env.ONLY.split(',').includes(b.file));

/** CPU time and run-queue wait (ms) of every task (thread) of this process. */
function schedstat(): Map<string, { cpu: number; wait: number }> {
  const out = new Map<string, { cpu: number; wait: number }>();
  for (const t of readdirSync('/proc/self/task')) {
    const [cpu, wait] = readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
    out.set(t, { cpu: cpu! / 1e6, wait: wait! / 1e6 });
  }
  return out;
}

interface Fused {
  label: string;
  step: () => void;
  close: () => void;
  ms: number[];
  cpu: { cpu: number; wait: number }[][];
  /** the calling (main) thread's CPU and run-queue ms per step */
  main: { cpu: number; wait: number }[];
}

async function main(): Promise<void> {
  const n = STEPS * BATCH;
  const { train } = loadMnist(n, 0);
  const opts: TrainOptions = { epochs: 1, learningRate: 1e-3, batchSize: BATCH, shuffle: false, optimizer: 'adam' };
  const cases: { one: Fused; two: Fused }[] = [];
  const nets: Network[] = [];
  for (const b of BUILDS) {
    for (const dtype of DTYPES) {
      const pair: Fused[] = [];
      for (const threads of [1, 2]) {
        const be = await loadBackend(b.name, { variant: b.variant });
        const net = await Network.create({
          layers: LAYERS,
          seed: 1234,
          activation: 'relu',
          outputActivation: 'softmax',
          loss: 'cross-entropy',
          init: 'he',
          backend: be,
          threads,
          dtype,
        });
        nets.push(net);
        const { mem, pool } = networkInternals(net);
        const { r } = resolveTrain('wide-threads', mem.shape, train.x, train.y, opts);
        const run = new TrainingRun(
          mem,
          'wide-threads',
          r,
          { rows: n, X: train.x, Y: train.y },
          false,
          new Mulberry32(0),
          () => ({
            loss: 0,
          }),
        );
        run.writePlan();
        const step = (): void => {
          if (pool) pool.run('wide-threads', run.plan, 0, run.nb);
          else mem.host.trainBatches(run.plan, 0, run.nb);
        };
        step(); // warm-up
        pair.push({
          label: `${b.file} ${dtype} fused ${threads}t`,
          step,
          close: () => run.close(),
          ms: [],
          cpu: [],
          main: [],
        });
      }
      cases.push({ one: pair[0]!, two: pair[1]! });
      if (process.env.TRAIN !== '0') {
        // the same steps through Network.train(x, y): the serial part (check, copy, snapshot, finite scan) and the trial
        const [a, b2] = nets.slice(-2) as [Network, Network];
        const mk = (net: Network, t: number): Fused => {
          net.train(train.x, train.y, opts);
          net.train(train.x, train.y, opts); // (the thread-choice trial is over)
          return {
            label: `${b.file} ${dtype} Network.train ${t}t`,
            step: () => void net.train(train.x, train.y, opts),
            close: () => undefined,
            ms: [],
            cpu: [],
            main: [],
          };
        };
        cases.push({ one: mk(a, 1), two: mk(b2, 2) });
      }
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      for (const f of round % 2 ? [c.two, c.one] : [c.one, c.two]) {
        const s0 = schedstat();
        const t0 = performance.now();
        f.step();
        f.ms.push((performance.now() - t0) / STEPS);
        const s1 = schedstat();
        const me = String(process.pid);
        f.main.push({
          cpu: (s1.get(me)!.cpu - s0.get(me)!.cpu) / STEPS,
          wait: (s1.get(me)!.wait - s0.get(me)!.wait) / STEPS,
        });
        f.cpu.push(
          [...s1]
            .map(([k, v]) => ({
              cpu: (v.cpu - (s0.get(k)?.cpu ?? 0)) / STEPS,
              wait: (v.wait - (s0.get(k)?.wait ?? 0)) / STEPS,
            }))
            .filter((t) => t.cpu > 0.5)
            .sort((a, b) => b.cpu - a.cpu),
        );
      }
    }
  }
  console.log(
    `${LAYERS.join('-')} relu/softmax adam batch ${BATCH}: fused kernel, ${STEPS} steps per sample, medians of ${ROUNDS} interleaved rounds (ms per step, wall)`,
  );
  for (const c of cases) {
    const ratios = c.one.ms.map((v, i) => v / c.two.ms[i]!);
    const cpuOf = (f: Fused): string => {
      const w = f.cpu.map((t) => t.slice(0, 3));
      const k = Math.max(...w.map((t) => t.length));
      return Array.from({ length: k }, (_, i) => {
        const xs = w.map((t) => t[i] ?? { cpu: 0, wait: 0 });
        return `cpu ${median(xs.map((x) => x.cpu)).toFixed(1)}/runq ${median(xs.map((x) => x.wait)).toFixed(1)}`;
      }).join(', ');
    };
    console.log(
      `${c.one.label.replace(/ 1t$/, '').padEnd(28)} 1t ${median(c.one.ms).toFixed(2)} ms  2t ${median(c.two.ms).toFixed(2)} ms  ` +
        `1t/2t ${median(ratios).toFixed(2)} (rounds ${ratios.map((v) => v.toFixed(2)).join(' ')}); ` +
        `fastest rounds ${Math.min(...c.one.ms).toFixed(2)} / ${Math.min(...c.two.ms).toFixed(2)} ms = ${(Math.min(...c.one.ms) / Math.min(...c.two.ms)).toFixed(2)}`,
    );
    console.log(`    1t threads: ${cpuOf(c.one)}   2t threads: ${cpuOf(c.two)}`);
    const mainOf = (f: Fused): string =>
      `cpu ${median(f.main.map((m) => m.cpu)).toFixed(2)}/runq ${median(f.main.map((m) => m.wait)).toFixed(2)}`;
    console.log(`    calling thread: 1t ${mainOf(c.one)}   2t ${mainOf(c.two)}`);
  }
  for (const c of cases) {
    c.one.close();
    c.two.close();
  }
  for (const net of nets) net.dispose();
}
void main();
