/**
 * Thread-count invariance of every WASM module's trainBatchesThreaded (build/as-{debug,scalar,simd,relaxed}.wasm
 * and rust/fastnn-{simd,scalar}.wasm), below the Network API: random plans (2-3 layers, widths 1..11 so some layers are narrower than the thread count or
 * not divisible by it, every optimizer, MSE / BCE / CE, partial last batches) plus large shapes that take the
 * SIMD / packed paths (784-128-10 batch 32) are trained
 *   - single-threaded with trainBatches on the main thread (memory S),
 *   - with 1, 2 and 3 node worker_threads calling trainBatchesThreaded on one shared memory (memory T),
 *   - with the JS spec (createJsKernels) in a third memory,
 * over spans of one or several epochs (batches numbered across epochs, per-batch losses in PLAN_LOSSES),
 * and every byte of the used region (parameters, optimizer state, activations, gradients) of T must be
 * bit-identical to S (compared as BigUint64Array), the loss sums bit-identical, and S within 1e-10
 * relative of the JS spec (1e-7 for the relaxed build, which fuses multiply-adds). Also checks the barrier count (SYNC_PROGRESS) and that SYNC_ABORT frees a
 * thread stuck in a barrier (it returns NaN).
 *
 *   node --experimental-wasm-relaxed-simd --import tsx scripts/check-threads.ts [as-simd rust-simd ...]   the check
 *   node --experimental-wasm-relaxed-simd --import tsx scripts/check-threads.ts --bench [builds...]
 *        784-128-10 epoch (batch 32, 8000 samples, one call): main thread vs 1 / 2 workers
 * (without the flag, Node 20 cannot validate the relaxed build; it is then skipped with a note)
 */
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../src/rng.js';
import { Worker } from 'node:worker_threads';
import { createJsKernels } from '../src/kernels/js/index.js';
import { buildPlan } from './plan.js';
import { ACTIVATIONS, ACTIVATION_NAMES } from '../src/spec/index.js';
import {
  HP_BETA1_POW,
  HP_GENERIC,
  L_B,
  L_SB,
  L_SB2,
  L_SW,
  L_SW2,
  L_W,
  PLAN_HEADER,
  PLAN_HP,
  PLAN_LAYER_WORDS,
  PLAN_LAYERS,
  PLAN_ORDER,
  PLAN_LOSSES,
  PLAN_T,
  PLAN_X0,
  PLAN_XDATA,
  PLAN_YDATA,
  SYNC_ABORT,
  SYNC_BYTES,
  SYNC_COUNT,
  SYNC_PROGRESS,
  TINY_MAX,
  type KernelExports,
} from '../src/abi.js';
import { median } from '../bench/stats.js';

const BENCH = process.argv.includes('--bench');
const MAXT = 3;
// control block: SYNC_* words, then the test's command words (see scripts/thread-worker.mjs)
// (each worker waits on its own command word CMD_GEN_T + tid, bumped only when it runs: see the worker)
const CMD_QUIT = 5,
  CMD_PLAN = 6,
  CMD_FIRST = 7,
  CMD_COUNT = 8,
  CMD_NTHREADS = 9,
  DONE = 10,
  CMD_RUNNERS = 11,
  CMD_GEN_T = 24;

const sharedMemory = (pages: number) => new WebAssembly.Memory({ initial: pages, maximum: 32768, shared: true });

const rand = mulberry32(4242);
const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** MAXT persistent workers bound to one memory and one module. */
class Pool {
  workers: Worker[] = [];
  I: Int32Array;
  F: Float64Array;
  constructor(
    readonly module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    readonly ctl: number,
  ) {
    this.I = new Int32Array(memory.buffer);
    this.F = new Float64Array(memory.buffer);
  }
  async start(): Promise<void> {
    const url = new URL('./thread-worker.mjs', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let tid = 0; tid < MAXT; tid++) {
      const w = new Worker(url, {
        workerData: {
          module: this.module,
          memory: this.memory,
          ctl: this.ctl,
          tid,
          sync: { SYNC_ABORT, SYNC_COUNT, SYNC_BYTES },
          words: { CMD_QUIT, CMD_PLAN, CMD_FIRST, CMD_COUNT, CMD_NTHREADS, DONE, CMD_GEN_T },
        },
      });
      w.on('error', (e) => {
        console.error(`worker ${tid} error`, e);
        process.exit(2);
      });
      ready.push(
        new Promise((res) =>
          w.once('message', (m) => {
            if (m === 'ready') res();
          }),
        ),
      );
      w.on('message', (m) => {
        if (m !== 'ready' && m !== 'bye') {
          console.error(m);
          process.exitCode = 1;
        }
      });
      this.workers.push(w);
    }
    await Promise.all(ready);
  }
  resetCtl(): void {
    const c = this.ctl >> 2;
    for (const i of [SYNC_COUNT, SYNC_ABORT, SYNC_PROGRESS]) Atomics.store(this.I, c + i, 0);
  }
  /** trainBatchesThreaded(plan, first, count, tid, nthreads, ctl) on `runners` workers; returns each one's result. */
  run(
    plan: number,
    first: number,
    count: number,
    nthreads: number,
    runners = nthreads,
    onStuck?: () => void,
  ): number[] {
    const I = this.I,
      c = this.ctl >> 2;
    Atomics.store(I, c + CMD_PLAN, plan);
    Atomics.store(I, c + CMD_FIRST, first);
    Atomics.store(I, c + CMD_COUNT, count);
    Atomics.store(I, c + CMD_NTHREADS, nthreads);
    Atomics.store(I, c + CMD_RUNNERS, runners);
    Atomics.store(I, c + DONE, 0);
    for (let t = 0; t < runners; t++) {
      Atomics.add(I, c + CMD_GEN_T + t, 1);
      Atomics.notify(I, c + CMD_GEN_T + t);
    }
    const t0 = Date.now();
    for (let d; (d = Atomics.load(I, c + DONE)) < runners;) {
      Atomics.wait(I, c + DONE, d, 50);
      if (onStuck && Date.now() - t0 > 100) {
        onStuck();
        onStuck = undefined;
      }
      if (Date.now() - t0 > 120_000) throw new Error('threads stuck');
    }
    return Array.from({ length: runners }, (_, t) => this.F[(this.ctl + SYNC_BYTES + 8 * t) >> 3]!);
  }
  async quit(): Promise<void> {
    Atomics.store(this.I, (this.ctl >> 2) + CMD_QUIT, 1);
    for (let t = 0; t < MAXT; t++) {
      Atomics.add(this.I, (this.ctl >> 2) + CMD_GEN_T + t, 1);
      Atomics.notify(this.I, (this.ctl >> 2) + CMD_GEN_T + t);
    }
    await Promise.all(this.workers.map((w) => new Promise((res) => w.once('exit', res))));
  }
}

/** Which plan buffer holds byte `b` (diagnostics). */
function where(I: Int32Array, plan: number, b: number): string {
  const P = plan >> 2,
    names: [string, number][] = [];
  for (const [n, w] of [
    ['xData', PLAN_XDATA],
    ['yData', PLAN_YDATA],
    ['order', PLAN_ORDER],
    ['x0', PLAN_X0],
    ['t', PLAN_T],
    ['hp', PLAN_HP],
    ['losses', PLAN_LOSSES],
  ] as const)
    names.push([n, I[P + w]!]);
  const LN = ['nin', 'nout', 'act', 'w', 'b', 'z', 'a', 'dz', 'dw', 'db', 'sw', 'sw2', 'sb', 'sb2'];
  for (let l = 0; l < I[P + PLAN_LAYERS]!; l++)
    for (let k = 3; k < 14; k++) names.push([`${LN[k]}${l}`, I[P + PLAN_HEADER + l * PLAN_LAYER_WORDS + k]!]);
  let best = 'plan',
    bp = plan;
  for (const [n, p] of names)
    if (p !== 0 && p <= b && p > bp) {
      best = n;
      bp = p;
    }
  return `${best}+${b - bp}`;
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/** Builds by name: as-debug, as-scalar, as-simd, as-relaxed (build/), rust-simd, rust-scalar (rust/). */
const FILES: Record<string, string> = {
  'as-debug': '../build/as-debug.wasm',
  'as-scalar': '../build/as-scalar.wasm',
  'as-simd': '../build/as-simd.wasm',
  'as-relaxed': '../build/as-relaxed.wasm',
  'rust-simd': '../rust/fastnn-simd.wasm',
  'rust-scalar': '../rust/fastnn-scalar.wasm',
};
const argBuilds = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const modules = (argBuilds.length ? argBuilds : Object.keys(FILES)).flatMap((v) => {
  const file = FILES[v];
  if (!file) throw new Error(`unknown build '${v}' (expected ${Object.keys(FILES).join('|')})`);
  const bytes = readFileSync(new URL(file, import.meta.url));
  if (!WebAssembly.validate(bytes)) {
    console.log(
      `${v}: NOT CHECKED, this engine does not validate it (relaxed-simd on Node 20 needs --experimental-wasm-relaxed-simd)`,
    );
    return [];
  }
  return [{ name: v, module: new WebAssembly.Module(bytes) }];
});
for (const { name, module } of modules) {
  if (!WebAssembly.Module.exports(module).some((e) => e.name === 'trainBatchesThreaded'))
    throw new Error(`${name}: no trainBatchesThreaded`);
}

async function bench(): Promise<void> {
  const reps = Number(process.env.REPS ?? 7);
  for (const { name, module } of modules.filter((m) => m.name !== 'as-debug')) {
    const mem = sharedMemory(2048);
    const k = instantiate(module, mem);
    const ctl = (k.heapBase() + 15) & ~15;
    const H = new Float64Array(mem.buffer),
      I = new Int32Array(mem.buffer);
    const pl = buildPlan(H, I, ctl + 256, [784, 128, 10], [1, 1], 0, 0, 32, 8000, Math.random);
    const pool = new Pool(module, mem, ctl);
    await pool.start();
    const time = (f: () => void): number => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    const res: Record<string, number[]> = { main: [], w1: [], w2: [] };
    k.trainBatches(pl.plan, 0, 250); // warm-up
    pool.run(pl.plan, 0, 250, 2);
    for (let r = 0; r < reps; r++) {
      // interleaved, so load changes on the machine hit every variant
      res.main!.push(time(() => k.trainBatches(pl.plan, 0, 250)));
      res.w1!.push(time(() => pool.run(pl.plan, 0, 250, 1)));
      res.w2!.push(time(() => pool.run(pl.plan, 0, 250, 2)));
    }
    await pool.quit();
    const m = Object.fromEntries(Object.entries(res).map(([key, v]) => [key, median(v)])) as Record<string, number>;
    const sps = (ms: number) => ((8000 / ms) * 1000).toFixed(0);
    console.log(
      `${name}: 784-128-10 b32 8000 (median of ${reps}): main-thread trainBatches ${m.main!.toFixed(1)} ms (${sps(m.main!)} samples/s), ` +
        `1 worker ${m.w1!.toFixed(1)} ms (${sps(m.w1!)}), 2 workers ${m.w2!.toFixed(1)} ms (${sps(m.w2!)}); ` +
        `speed-up 2 vs 1 worker ${(m.w1! / m.w2!).toFixed(2)}x, vs main ${(m.main! / m.w2!).toFixed(2)}x`,
    );
    console.log(
      `  all runs ms: main ${res.main!.map((x) => x.toFixed(0)).join(',')} | w1 ${res.w1!.map((x) => x.toFixed(0)).join(',')} | w2 ${res.w2!.map((x) => x.toFixed(0)).join(',')}`,
    );
  }
}

function close(a: number, b: number, rtol = 1e-10): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= 1e-12 + rtol * Math.max(Math.abs(a), Math.abs(b));
}

async function check(): Promise<void> {
  const PAGES = 1024;
  const jsMem = sharedMemory(PAGES),
    js = createJsKernels(jsMem);
  const JH = new Float64Array(jsMem.buffer),
    JI = new Int32Array(jsMem.buffer);
  const targets = await Promise.all(
    modules.map(async ({ name, module }) => {
      const memS = sharedMemory(PAGES),
        memT = sharedMemory(PAGES);
      const kS = instantiate(module, memS);
      const ctl = (kS.heapBase() + 15) & ~15;
      const pool = new Pool(module, memT, ctl);
      await pool.start();
      return { name, memS, memT, kS, ctl, pool };
    }),
  );
  const BASE = Math.max(...targets.map((t) => t.ctl)) + 256; // plan data after the 256-byte control area
  let checks = 0,
    failures = 0;
  const fail = (msg: string) => {
    failures++;
    if (failures < 30) console.log(`FAIL ${msg}`);
  };

  let lastPlan = 0;
  function runCase(
    dims: number[],
    acts: number[],
    lossKind: number,
    opt: number,
    batch: number,
    nSamples: number,
    epochs = 1,
    withLosses = false,
  ): void {
    new Uint8Array(jsMem.buffer).fill(0, BASE);
    // the general path everywhere (hp[HP_GENERIC] = 1): worker threads always take it, and the comparison is of
    // every byte; the small-layer path (one thread, batch 1, widths <= TINY_MAX) is compared with it below
    const pl = buildPlan(JH, JI, BASE, dims, acts, lossKind, opt, batch, nSamples, rand, epochs, withLosses, true);
    lastPlan = pl.plan;
    const label = `${dims.join('-')} acts=${acts.join(',')} loss=${lossKind} opt=${opt} batch=${batch} n=${nSamples} epochs=${epochs} losses=${withLosses}`;
    const snap = new Uint8Array(jsMem.buffer, BASE, pl.end - BASE).slice();
    const split = Math.floor(pl.nb / 2);
    const calls: [number, number][] = [
      [0, split],
      [split, pl.nb - split],
    ];
    let jsLoss = 0;
    for (const [f, c] of calls) jsLoss += js.trainBatches(pl.plan, f, c);
    const ref = new Float64Array(jsMem.buffer, BASE, (pl.end - BASE) >> 3);
    for (const t of targets) {
      new Uint8Array(t.memS.buffer, BASE, snap.length).set(snap);
      let lossS = 0;
      for (const [f, c] of calls) lossS += t.kS.trainBatches(pl.plan, f, c);
      const outS = new Float64Array(t.memS.buffer, BASE, (pl.end - BASE) >> 3);
      checks++;
      const rtol = t.name === 'as-relaxed' ? 1e-7 : 1e-10;
      let bad = close(jsLoss, lossS, rtol) ? '' : `loss ${lossS} vs js ${jsLoss}`;
      for (let i = 0; i < ref.length && !bad; i++)
        if (!close(ref[i]!, outS[i]!, rtol)) bad = `byte ${BASE + 8 * i}: ${outS[i]} vs js ${ref[i]}`;
      if (bad) fail(`${t.name} 1-thread vs JS ${label}: ${bad}`);
      const bitsS = new BigUint64Array(t.memS.buffer, BASE, (pl.end - BASE) >> 3);
      for (const T of [1, 2, 3]) {
        new Uint8Array(t.memT.buffer, BASE, snap.length).set(snap);
        t.pool.resetCtl();
        let lossT = 0;
        for (const [f, c] of calls) {
          const r = t.pool.run(pl.plan, f, c, T);
          lossT += r[0]!;
          for (let i = 1; i < T; i++)
            if (!Object.is(r[i], 0)) fail(`${t.name} T=${T} ${label}: thread ${i} returned ${r[i]}`);
        }
        checks++;
        const bitsT = new BigUint64Array(t.memT.buffer, BASE, (pl.end - BASE) >> 3);
        bad = '';
        for (let i = 0; i < bitsS.length && !bad; i++) {
          if (bitsT[i] !== bitsS[i])
            bad = `byte ${BASE + 8 * i} (${where(JI, pl.plan, BASE + 8 * i)}): ${new Float64Array(t.memT.buffer)[(BASE >> 3) + i]} vs ${outS[i]} (1 thread)`;
        }
        if (bad) {
          const names = new Set<string>();
          for (let i = 0; i < bitsS.length; i++)
            if (bitsT[i] !== bitsS[i]) names.add(where(JI, pl.plan, BASE + 8 * i).replace(/\+\d+$/, ''));
          bad += ` {differs in: ${[...names].join(' ')}}`;
        }
        if (!Object.is(lossT, lossS)) bad += ` loss ${lossT} vs ${lossS} (1 thread)`;
        const progress = Atomics.load(t.pool.I, (t.ctl >> 2) + SYNC_PROGRESS);
        const want = T > 1 ? pl.nb * pl.barriersPerBatch : 0;
        if (bad)
          bad += ` [SYNC_PROGRESS ${progress} (expected ${want}), SYNC_COUNT ${Atomics.load(t.pool.I, (t.ctl >> 2) + SYNC_COUNT)}]`;
        if (!bad && progress !== want) bad = `SYNC_PROGRESS ${progress}, expected ${want}`;
        // SYNC_COUNT counts arrivals and is not reset between the two calls: T per completed barrier
        if (!bad && T > 1 && Atomics.load(t.pool.I, (t.ctl >> 2) + SYNC_COUNT) !== progress * T)
          bad = `SYNC_COUNT ${Atomics.load(t.pool.I, (t.ctl >> 2) + SYNC_COUNT)}, expected ${progress * T}`;
        if (bad) fail(`${t.name} T=${T} ${label}: ${bad}`);
      }
      if (batch === 1 && dims.every((d) => d <= TINY_MAX)) {
        // the small-layer path on one thread (hp[HP_GENERIC] = 0) gives the general path's bits in every block a
        // step is specified to leave (parameters, optimizer state, step counters, per-batch losses) and its loss sum
        new Uint8Array(t.memT.buffer, BASE, snap.length).set(snap);
        const FT = new Float64Array(t.memT.buffer),
          hp = JI[(pl.plan >> 2) + PLAN_HP]!;
        FT[(hp >> 3) + HP_GENERIC] = 0;
        t.pool.resetCtl();
        let lossTiny = 0;
        for (const [f, c] of calls) lossTiny += t.pool.run(pl.plan, f, c, 1)[0]!;
        checks++;
        const P = pl.plan >> 2,
          blocks: [string, number, number][] = [
            ['hp', hp + 8 * HP_BETA1_POW, 3],
            ['losses', JI[P + PLAN_LOSSES]!, withLosses ? pl.nb : 0],
          ];
        for (let l = 0; l < dims.length - 1; l++) {
          const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS,
            nw = dims[l]! * dims[l + 1]!,
            nb = dims[l + 1]!;
          blocks.push(
            [`w${l}`, JI[R + L_W]!, nw],
            [`b${l}`, JI[R + L_B]!, nb],
            [`sw${l}`, JI[R + L_SW]!, nw],
            [`sw2${l}`, JI[R + L_SW2]!, nw],
            [`sb${l}`, JI[R + L_SB]!, nb],
            [`sb2${l}`, JI[R + L_SB2]!, nb],
          );
        }
        const BT = new BigUint64Array(t.memT.buffer),
          BS = new BigUint64Array(t.memS.buffer);
        let bad = Object.is(lossTiny, lossS) ? '' : `loss ${lossTiny} vs ${lossS} (general path)`;
        for (const [n, p, len] of blocks) {
          for (let i = 0; p !== 0 && i < len && !bad; i++)
            if (BT[(p >> 3) + i] !== BS[(p >> 3) + i])
              bad = `${n}[${i}]: ${FT[(p >> 3) + i]} vs ${new Float64Array(t.memS.buffer)[(p >> 3) + i]} (general path)`;
        }
        if (bad) fail(`${t.name} small-layer path ${label}: ${bad}`);
      }
    }
  }

  const ACTS = ACTIVATION_NAMES.filter((a) => !ACTIVATIONS[a].outputOnly).map((a) => ACTIVATIONS[a].code); // element-wise
  for (let it = 0; it < 72; it++) {
    const L = randInt(2, 3);
    const dims = Array.from({ length: L + 1 }, () => (rand() < 0.3 ? randInt(1, 3) : randInt(1, 11)));
    const lossKind = it % 3,
      opt = Math.floor(it / 3) % 3;
    const acts = Array.from({ length: L }, () => ACTS[randInt(0, ACTS.length - 1)]!);
    acts[L - 1] = lossKind === 1 ? 1 : lossKind === 2 ? 5 : rand() < 0.5 ? 1 : ACTS[randInt(0, ACTS.length - 1)]!;
    // (no hidden softmax: network.ts allows softmax only on the output layer, and the threaded step's
    // column-split activateBackward of a hidden layer assumes an element-wise activation)
    const batch = randInt(1, 11);
    const nSamples = Math.max(1, batch * randInt(1, 4) + randInt(0, batch - 1)); // often a partial last batch
    runCase(dims, acts, lossKind, opt, batch, nSamples, 1 + (it % 4 === 3 ? 2 : it % 2), it % 3 !== 1);
  }
  runCase([784, 128, 10], [1, 1], 0, 0, 32, 300); // the tutorial shape, sigmoid/MSE SGD, partial last batch
  runCase([784, 65, 10], [3, 5], 2, 2, 32, 150); // relu + softmax/CE, Adam, odd width
  runCase([33, 17, 3, 2], [2, 4, 1], 1, 1, 7, 61); // BCE, momentum, widths near the thread count
  runCase([2, 2, 1], [1, 1], 0, 0, 1, 4, 25, true); // XOR, 25 epochs in one span: every layer narrower than 3 threads
  runCase([5, 3, 2], [2, 5], 2, 2, 3, 7, 3, true); // partial last batch in every epoch
  // SIMD / packed paths with slices that start at odd offsets and tiles split unevenly between threads
  runCase([784, 128, 10], [3, 5], 2, 1, 32, 64, 2, true); // relu + softmax/CE, momentum, 2 epochs in one call
  runCase([784, 128, 10], [2, 1], 1, 2, 32, 70, 1, true); // tanh + sigmoid/BCE, Adam, partial last batch
  runCase([37, 29, 23, 7], [1, 3, 1], 0, 2, 13, 40, 2, true); // odd widths, 4-row tiles + leftover rows
  runCase([19, 11, 5], [4, 0], 0, 1, 6, 25, 1, true); // leaky-relu / identity, MSE
  runCase([130, 9, 6], [2, 5], 2, 0, 33, 70, 1, true); // k tails (130 % 4), batch % 4 = 1
  runCase([64, 40, 3], [1, 1], 1, 2, 1, 9, 2, true); // batch 1 (the dw outer-product path)
  console.log(`thread invariance: ${checks} checks, ${failures} failures`);

  // abort: nthreads 2 but only thread 0 runs, so it waits in the first barrier (spins, then
  // memory.atomic.wait32) until the main thread raises SYNC_ABORT; it must return NaN
  for (const t of targets) {
    t.pool.resetCtl();
    const c = t.ctl >> 2;
    const r = t.pool.run(lastPlan, 0, 1, 2, 1, () => {
      Atomics.store(t.pool.I, c + SYNC_ABORT, 1);
      Atomics.notify(t.pool.I, c + SYNC_COUNT);
    });
    checks++;
    if (!Number.isNaN(r[0])) fail(`${t.name} abort: thread 0 returned ${r[0]}, expected NaN`);
    t.pool.resetCtl();
  }
  await Promise.all(targets.map((t) => t.pool.quit()));
  console.log(`+abort: ${checks} checks, ${failures} failures`);
  if (failures || process.exitCode) process.exit(1);
  console.log(`check-threads: OK (${modules.map((m) => m.name).join(', ')})`);
}

if (BENCH) await bench();
else await check();
