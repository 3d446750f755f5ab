/**
 * Narrow measurement: where a rust build's training step spends its time, per dtype. Inside a training run
 * (onEpoch, the plan written) it times the fused exports on one batch of the plan: forwardBatch (forward only),
 * backwardBatch (forward, loss, backward) and trainBatches (one whole step with the update); backward = backwardBatch
 * - forwardBatch, update = trainBatches - backwardBatch. Milliseconds per batch of CPU time, medians over interleaved
 * rounds (old modules in OLD=<dir> next to the new ones in rust/).
 * AS=1 adds the AssemblyScript simd build for comparison.
 * Usage: NETS=small,wide DTYPES=float64,float32 OLD=/tmp/old ROUNDS=9 REPS=5 npx tsx scripts/rust-f32-kernels.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../bench/stats.js';
import { WIDE_NET, WIDE_TRAIN } from '../bench/wide.bench.js';
import { loadMnist } from '../examples/mnist-data.js';
import type { Dtype } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { hostOf, setPlanHookForTest } from '../src/internal/index.js';
import type { Matrix } from '../src/matrix.js';
import { Network, type NetworkOptions, type TrainOptions } from '../src/network.js';

const OLD = process.env.OLD;
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const REPS = Number(process.env.REPS ?? 5);
const DTYPES = (process.env.DTYPES ?? 'float64,float32').split(',') as Dtype[];
const NETS = (process.env.NETS ?? 'small,wide').split(',');
const data = loadMnist(256, 0).train;
interface Spec {
  o: NetworkOptions;
  t: TrainOptions;
  x: Matrix;
  y: Matrix;
  batch: number;
}
const nets: Record<string, Spec> = {
  small: {
    o: { layers: [784, 128, 10], activation: 'sigmoid', loss: 'mse', seed: 1 },
    t: { epochs: 1, learningRate: 0.1, batchSize: 32, shuffle: false },
    x: data.x,
    y: data.y,
    batch: 32,
  },
  wide: {
    o: WIDE_NET,
    t: WIDE_TRAIN,
    x: data.x,
    y: data.y,
    batch: 64,
  },
};
const cpu = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
interface Run {
  label: string;
  net: Network;
  spec: Spec;
  fwd: number[];
  bwd: number[];
  step: number[];
}
const runs: Run[] = [];
const AS = process.env.AS === '1';
for (const name of NETS)
  for (const which of [...(OLD ? ['old'] : []), 'new', ...(AS ? ['as'] : [])])
    for (const dtype of DTYPES) {
      const spec = nets[name];
      if (!spec) throw new Error(`NETS: unknown network '${name}', expected some of ${Object.keys(nets).join(',')}`);
      const be =
        which === 'as'
          ? await loadBackend('assemblyscript', { variant: 'simd' })
          : await loadBackend('rust', {
              variant: 'simd',
              wasm: readFileSync(join(which === 'old' ? OLD! : 'rust', 'fastnn-simd.wasm')),
            });
      const net = await Network.create({ ...spec.o, dtype, backend: be, threads: 1 });
      runs.push({ label: `${name} ${which} ${dtype}`, net, spec, fwd: [], bwd: [], step: [] });
    }
let plan = 0;
setPlanHookForTest((p) => (plan = p));
const time = (f: () => void): number => {
  const t0 = cpu();
  for (let i = 0; i < REPS; i++) f();
  return (cpu() - t0) / REPS;
};
for (let r = 0; r < ROUNDS; r++)
  for (const run of runs) {
    const host = hostOf('rust-f32-kernels', run.net.backend);
    const b = run.spec.batch;
    run.net.train(run.spec.x, run.spec.y, {
      ...run.spec.t,
      onEpoch: () => {
        run.fwd.push(time(() => host.forwardBatch(plan, b)));
        run.bwd.push(time(() => host.backwardBatch(plan, b)));
        run.step.push(time(() => host.trainBatches(plan, 0, 1)));
      },
    });
  }
for (const run of runs) {
  const f = median(run.fwd),
    bw = median(run.bwd),
    s = median(run.step);
  console.log(
    `${run.label}: ms/batch forward ${f.toFixed(3)} backward ${(bw - f).toFixed(3)} update ${(s - bw).toFixed(3)} step ${s.toFixed(3)}`,
  );
}
