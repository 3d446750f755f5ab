/**
 * Narrow measurement of the float32 ÷ float64 ratio on the Network.train path of the bench's real-digit epoch
 * (784-128-10 sigmoid/MSE SGD lr 1, batch 32, shuffle off, 8000 digits, 1 thread): per build and dtype, the samples/s of
 * train(x, y) (Float64Array inputs: checked, copied and rounded per call), of train(dataset) (resident data), and of the
 * trainBatches kernel calls alone inside train(x, y) (timed by wrapping the host's entry point), so the host's share of
 * each call shows. With OLD=<dir> (an earlier checkout's tree: <dir>/src, with build/, rust/, platform/, node_modules/
 * and package.json beside it) the same arms run on its sources too, in the same process. Interleaved rounds, medians of
 * this process's CPU time (the machine is shared; it also counts V8's background threads, so a garbage collection
 * after loading the digits can land in the first build's host share).
 * Usage: ROUNDS=7 N=8000 BUILDS=as-relaxed,as-simd,rust-simd,js OLD=/tmp/old node --experimental-wasm-relaxed-simd --import tsx scripts/f32-train-path.ts
 */
import { pathToFileURL } from 'node:url';
import { loadMnist } from '../examples/mnist-data.js';
import type { Backend, BackendName, BackendVariant, Dtype } from '../src/backend.js';
import * as newBackends from '../src/backends/index.js';
import * as newInternal from '../src/internal/index.js';
import * as newNetwork from '../src/network.js';
import type { Dataset, Network } from '../src/network.js';
import { median } from '../bench/stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const N = Number(process.env.N ?? 8000);
const BUILDS = (process.env.BUILDS ?? 'as-relaxed,as-simd,rust-simd,js').split(',');
const OLD = process.env.OLD;
interface Tree {
  label: string;
  loadBackend: typeof newBackends.loadBackend;
  hostOf: typeof newInternal.hostOf;
  Network: typeof newNetwork.Network;
}
const SPECS: Record<string, [BackendName, BackendVariant | undefined]> = {
  'as-relaxed': ['assemblyscript', 'relaxed-simd'],
  'as-simd': ['assemblyscript', 'simd'],
  'rust-simd': ['rust', 'simd'],
  js: ['js', undefined],
};
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const { train } = loadMnist(N, 0);
const netOpts = { layers: [784, 128, 10], seed: 1234, init: 'xavier' as const };
const trainOpts = { epochs: 1, learningRate: 1, batchSize: 32, shuffle: false };

interface Arm {
  tree: string;
  dtype: Dtype;
  net: Network;
  ds: Dataset;
  xy: number[];
  kern: number[];
  dsMs: number[];
}

async function main(): Promise<void> {
  const trees: Tree[] = [{ label: 'new', ...newBackends, ...newInternal, ...newNetwork }];
  if (OLD) {
    const from = (f: string): string => pathToFileURL(`${OLD}/src/${f}`).href;
    trees.unshift({
      label: 'old',
      ...((await import(from('backends/index.ts'))) as typeof newBackends),
      ...((await import(from('internal/index.ts'))) as typeof newInternal),
      ...((await import(from('network.ts'))) as typeof newNetwork),
    });
  }
  for (const b of BUILDS) {
    const [name, variant] = SPECS[b]!;
    const arms: Arm[] = [];
    const backends: Backend[] = [];
    let kernelMs = 0;
    for (const t of trees) {
      const be: Backend = await t.loadBackend(name, variant ? { variant } : {});
      backends.push(be);
      const host = t.hostOf('script', be);
      const inner = host.trainBatches.bind(host);
      host.trainBatches = (plan, first, count) => {
        const t0 = cpuMs();
        const r = inner(plan, first, count);
        kernelMs += cpuMs() - t0;
        return r;
      };
      for (const dtype of ['float64', 'float32'] as const) {
        const net = await t.Network.create({ ...netOpts, backend: be, dtype });
        const ds = net.dataset(train.x, train.y);
        net.train(train.x, train.y, trainOpts); // warm-up
        net.train(ds, trainOpts);
        arms.push({ tree: t.label, dtype, net, ds, xy: [], kern: [], dsMs: [] });
      }
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const a of arms) {
        kernelMs = 0;
        let t = cpuMs();
        a.net.train(train.x, train.y, trainOpts);
        a.xy.push(cpuMs() - t);
        a.kern.push(kernelMs);
        t = cpuMs();
        a.net.train(a.ds, trainOpts);
        a.dsMs.push(cpuMs() - t);
      }
    }
    const sps = (ms: number[]): number => N / (median(ms) / 1000);
    const line = (a: Arm): string =>
      `${a.tree} ${a.dtype}: train(x,y) ${Math.round(sps(a.xy))}/s (${median(a.xy).toFixed(1)} ms, kernels ${median(a.kern).toFixed(1)} ms, host ${median(a.xy.map((v, i) => v - a.kern[i]!)).toFixed(1)} ms), train(ds) ${Math.round(sps(a.dsMs))}/s (${median(a.dsMs).toFixed(1)} ms)`;
    console.log(`${b} (${backends[0]!.variant}), ${N} digits, ${ROUNDS} rounds`);
    for (const a of arms) console.log(`  ${line(a)}`);
    for (const t of trees) {
      const [f64, f32] = arms.filter((a) => a.tree === t.label) as [Arm, Arm];
      console.log(
        `  ${t.label} f32/f64: train(x,y) ${(sps(f32.xy) / sps(f64.xy)).toFixed(2)}, kernels ${(median(f64.kern) / median(f32.kern)).toFixed(2)}, train(ds) ${(sps(f32.dsMs) / sps(f64.dsMs)).toFixed(2)}`,
      );
    }
    for (const a of arms) {
      a.ds.dispose();
      a.net.dispose();
    }
    for (const be of backends) be.dispose();
  }
}
void main();
