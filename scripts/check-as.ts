/**
 * Scratch parity check (not a test): every export of each AssemblyScript build against createJsKernels
 * (src/kernels/js/) on identical inputs in two separate shared memories.
 * Run: npx tsx scripts/check-as.ts [debug|scalar|simd|relaxed ...]
 * The relaxed build needs the V8 flag on Node 20 (NODE_OPTIONS does not accept it):
 *   node --experimental-wasm-relaxed-simd --import tsx scripts/check-as.ts
 */
import { readFileSync } from 'node:fs';
import { createJsKernels } from '../src/kernels/js/index.js';
import type { KernelExports } from '../src/abi.js';
import { ACT, HP_SIZE, planBytes } from '../src/abi.js';
import { mulberry32 } from '../test/helpers/rng.js';
import { hpSlots, writePlanWords, type PlanLayer } from './plan.js';

const RTOL = 1e-10,
  ATOL = 1e-12;
const builds = process.argv.slice(2).length ? process.argv.slice(2) : ['debug', 'scalar', 'simd', 'relaxed'];

class Pair {
  memJ = new WebAssembly.Memory({ initial: 256, maximum: 32768, shared: true });
  memW = new WebAssembly.Memory({ initial: 256, maximum: 32768, shared: true });
  js: KernelExports = createJsKernels(this.memJ);
  base = 0;
  top = 0;
  as!: KernelExports;
  constructor(public name: string) {}
  reset(): void {
    this.top = this.base;
  }
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + 15) & ~15;
    return p;
  }
  /** f64 buffer with identical random content in both memories */
  f64(n: number, rand: () => number, lo = -2, hi = 2): number {
    const p = this.alloc(Math.max(n, 1) * 8);
    const a = new Float64Array(this.memJ.buffer, p, n),
      b = new Float64Array(this.memW.buffer, p, n);
    for (let i = 0; i < n; i++) a[i] = b[i] = lo + (hi - lo) * rand();
    return p;
  }
  setF64(p: number, vals: number[]): void {
    new Float64Array(this.memJ.buffer, p, vals.length).set(vals);
    new Float64Array(this.memW.buffer, p, vals.length).set(vals);
  }
  setI32(p: number, vals: number[]): void {
    new Int32Array(this.memJ.buffer, p, vals.length).set(vals);
    new Int32Array(this.memW.buffer, p, vals.length).set(vals);
  }
  /** compare the whole used arena, element-wise as float64 */
  compare(what: string, rj?: number, rw?: number): void {
    const n = (this.top - this.base) / 8;
    const a = new Float64Array(this.memJ.buffer, this.base, n),
      b = new Float64Array(this.memW.buffer, this.base, n);
    const ua = new BigUint64Array(this.memJ.buffer, this.base, n),
      ub = new BigUint64Array(this.memW.buffer, this.base, n);
    const bad = (x: number, y: number) =>
      !(Number.isNaN(x) && Number.isNaN(y)) && !(Math.abs(x - y) <= ATOL + RTOL * Math.max(Math.abs(x), Math.abs(y)));
    for (let i = 0; i < n; i++) {
      if (ua[i] === ub[i]) continue;
      if (bad(a[i]!, b[i]!))
        throw new Error(`${this.name} ${what}: arena f64[${i}] (byte ${this.base + i * 8}) js=${a[i]} as=${b[i]}`);
      stats.diff++;
    }
    stats.elems += n;
    if (rj !== undefined && rw !== undefined && bad(rj, rw))
      throw new Error(`${this.name} ${what}: return js=${rj} as=${rw}`);
    stats.checks++;
  }
}
const stats = { checks: 0, elems: 0, diff: 0 };

function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

async function checkBuild(target: string): Promise<void> {
  const bytes = readFileSync(new URL(`../build/as-${target}.wasm`, import.meta.url));
  if (!WebAssembly.validate(bytes)) {
    console.log(
      `${target}: NOT CHECKED, this engine does not validate it (relaxed-simd on Node 20 needs --experimental-wasm-relaxed-simd)`,
    );
    return;
  }
  const mod = await WebAssembly.compile(bytes);
  const imports = WebAssembly.Module.imports(mod);
  if (imports.length !== 1 || imports[0]!.module !== 'env' || imports[0]!.name !== 'memory')
    throw new Error(`${target}: imports ${JSON.stringify(imports)}`);
  const exportNames = WebAssembly.Module.exports(mod)
    .map((e) => e.name)
    .sort()
    .join(',');
  const P = new Pair(target);
  const inst = await WebAssembly.instantiate(mod, { env: { memory: P.memW } });
  P.as = inst.exports as unknown as KernelExports;
  P.base = (P.as.heapBase() + 15) & ~15;
  P.top = P.base;
  const rand = mulberry32(12345);
  const both = (f: (k: KernelExports) => number | void): [number, number] => {
    const rj = f(P.js) as number,
      rw = f(P.as) as number;
    return [rj, rw];
  };
  const t0 = stats.checks;
  const shapes: [number, number, number][] = [];
  for (let i = 0; i < 150; i++) shapes.push([randInt(rand, 1, 9), randInt(rand, 1, 9), randInt(rand, 1, 9)]);
  shapes.push(
    [1, 785, 9],
    [1, 33, 17],
    [2, 131, 7],
    [3, 67, 9],
    [6, 47, 21],
    [131, 9, 6],
    [65, 33, 7],
    [3, 100, 17],
    [2, 9, 8],
    [256, 784, 128],
    [32, 784, 128],
    [33, 785, 11],
    [5, 3, 130],
    [1, 784, 128],
    [7, 64, 13],
    [4, 4, 4],
    [2, 17, 5],
    [3, 8, 4],
  );
  // ---- denseForward / denseBackward ----
  for (const [batch, nIn, nOut] of shapes) {
    P.reset();
    const z = P.f64(batch * nOut, rand),
      x = P.f64(batch * nIn, rand),
      w = P.f64(nOut * nIn, rand),
      b = P.f64(nOut, rand);
    both((k) => k.denseForward(z, x, w, b, batch, nIn, nOut));
    P.compare(`denseForward ${batch}x${nIn}->${nOut}`);
    for (const withDx of [true, false]) {
      P.reset();
      const dx = P.f64(batch * nIn, rand),
        dw = P.f64(nOut * nIn, rand),
        db = P.f64(nOut, rand);
      const dz = P.f64(batch * nOut, rand),
        x2 = P.f64(batch * nIn, rand),
        w2 = P.f64(nOut * nIn, rand);
      both((k) => k.denseBackward(withDx ? dx : 0, dw, db, dz, x2, w2, batch, nIn, nOut));
      P.compare(`denseBackward ${batch}x${nIn}->${nOut} dx=${withDx}`);
    }
  }
  // ---- activations ----
  for (const act of Object.values(ACT)) {
    for (let i = 0; i < 30; i++) {
      const rows = i < 25 ? randInt(rand, 1, 9) : 32,
        cols = i < 25 ? randInt(rand, 1, 9) : 129;
      for (const alias of [false, true]) {
        P.reset();
        const a = P.f64(rows * cols, rand),
          z = P.f64(rows * cols, rand, -6, 6);
        both((k) => k.activate(alias ? z : a, z, rows, cols, act, 0.01));
        P.compare(`activate act=${act} ${rows}x${cols} alias=${alias}`);
        P.reset();
        const dz = P.f64(rows * cols, rand),
          da = P.f64(rows * cols, rand),
          z2 = P.f64(rows * cols, rand),
          a2 = P.f64(rows * cols, rand, 0, 1);
        both((k) => k.activateBackward(alias ? da : dz, da, z2, a2, rows, cols, act, 0.01));
        P.compare(`activateBackward act=${act} ${rows}x${cols} alias=${alias}`);
      }
    }
  }
  // ---- losses ----
  for (let kind = 0; kind <= 2; kind++) {
    for (let i = 0; i < 30; i++) {
      const rows = i < 25 ? randInt(rand, 1, 9) : 32,
        cols = i < 25 ? randInt(rand, 1, 9) : 10;
      P.reset();
      const d = P.f64(rows * cols, rand),
        a = P.f64(rows * cols, rand, 0, 1),
        z = P.f64(rows * cols, rand, -8, 8),
        t = P.f64(rows * cols, rand, 0, 1);
      const [rj, rw] = both((k) => k.loss(d, a, z, t, rows, cols, kind));
      P.compare(`loss kind=${kind} ${rows}x${cols}`, rj, rw);
    }
  }
  // ---- optimizers ----
  for (const n of [1, 2, 3, 5, 8, 17, 100, 100352 + 3]) {
    P.reset();
    let p = P.f64(n, rand),
      g = P.f64(n, rand);
    both((k) => k.sgdStep(p, g, n, 0.1, 0.01));
    P.compare(`sgdStep n=${n}`);
    P.reset();
    p = P.f64(n, rand);
    g = P.f64(n, rand);
    const v = P.f64(n, rand);
    both((k) => k.momentumStep(p, v, g, n, 0.1, 0.9, 0.001));
    P.compare(`momentumStep n=${n}`);
    P.reset();
    p = P.f64(n, rand);
    g = P.f64(n, rand);
    const m = P.f64(n, rand),
      v2 = P.f64(n, rand, 0, 1),
      hp = P.f64(HP_SIZE, rand);
    P.setF64(hp, [0.01, 0.9, 0.999, 1e-8, 0.001, 0.01, 0.9 ** 3, 0.999 ** 3, 3, 0]);
    both((k) => k.adamStep(p, m, v2, g, n, hp));
    P.compare(`adamStep n=${n}`);
  }
  // ---- trainBatches / forwardBatch ----
  const nets: { sizes: number[]; acts: number[]; loss: number; batch: number; samples: number }[] = [
    { sizes: [3, 5, 2], acts: [1, 1], loss: 0, batch: 3, samples: 10 },
    { sizes: [4, 6, 5, 3], acts: [2, 3, 5], loss: 2, batch: 4, samples: 11 },
    { sizes: [5, 7, 1], acts: [4, 1], loss: 1, batch: 2, samples: 7 },
    { sizes: [2, 2, 1], acts: [1, 1], loss: 0, batch: 1, samples: 4 },
    { sizes: [9, 8, 4], acts: [0, 2], loss: 0, batch: 5, samples: 13 },
    { sizes: [784, 128, 10], acts: [1, 1], loss: 0, batch: 32, samples: 70 },
    { sizes: [50, 33, 10], acts: [3, 5], loss: 2, batch: 16, samples: 40 },
  ];
  const EPOCHS = 3;
  const sameRuns = new Map<string, bigint[]>();
  for (const [ni, net] of nets.entries()) {
    for (let opt = 0; opt <= 2; opt++) {
      for (const mode of ['one-call', 'per-epoch', 'per-batch', 'threaded-0-1']) {
        P.reset();
        const rand = mulberry32(7000 + 10 * ni + opt); // same plan content in every mode
        const L = net.sizes.length - 1,
          batch = net.batch,
          ns = net.samples;
        const nIn0 = net.sizes[0]!,
          nOutL = net.sizes[L]!;
        const plan = P.alloc(planBytes(L));
        const xData = P.f64(ns * nIn0, rand),
          yData = P.f64(ns * nOutL, rand, 0, 1);
        // the order array holds EPOCHS permutations back to back (batches are numbered across epochs)
        const order = P.alloc(EPOCHS * ns * 4);
        const perms: number[] = [];
        for (let e = 0; e < EPOCHS; e++) {
          const perm = Array.from({ length: ns }, (_, i) => i);
          for (let i = ns - 1; i > 0; i--) {
            const j = randInt(rand, 0, i);
            [perm[i], perm[j]] = [perm[j]!, perm[i]!];
          }
          perms.push(...perm);
        }
        P.setI32(order, perms);
        const nb = Math.ceil(ns / batch);
        const losses = P.f64(EPOCHS * nb, rand); // PLAN_LOSSES: every slot is overwritten
        const x0 = P.f64(batch * nIn0, rand),
          t = P.f64(batch * nOutL, rand);
        const hp = P.f64(HP_SIZE, rand);
        const hpv = new Array<number>(HP_SIZE).fill(0);
        for (const [slot, value] of hpSlots(opt === 2 ? 0.01 : 0.1)) hpv[slot] = value;
        P.setF64(hp, hpv);
        const layers: PlanLayer[] = [];
        for (let l = 0; l < L; l++) {
          const nIn = net.sizes[l]!,
            nOut = net.sizes[l + 1]!;
          const s = Math.sqrt(1 / nIn);
          const w = P.f64(nOut * nIn, rand, -s, s),
            b = P.f64(nOut, rand, -s, s);
          const [z, a, dz] = [P.f64(batch * nOut, rand), P.f64(batch * nOut, rand), P.f64(batch * nOut, rand)];
          const layer: PlanLayer = {
            nIn,
            nOut,
            act: net.acts[l]!,
            w,
            b,
            z,
            a,
            dz,
            dw: P.f64(nOut * nIn, rand),
            db: P.f64(nOut, rand),
          };
          if (opt >= 1) {
            layer.sw = P.f64(nOut * nIn, rand, 0, 0);
            layer.sb = P.f64(nOut, rand, 0, 0);
          }
          if (opt === 2) {
            layer.sw2 = P.f64(nOut * nIn, rand, 0, 0);
            layer.sb2 = P.f64(nOut, rand, 0, 0);
          }
          layers.push(layer);
        }
        const words = new Array<number>(planBytes(L) / 4).fill(0);
        writePlanWords(
          (word, value) => (words[word] = value),
          { layers: L, batch, loss: net.loss, opt, xData, yData, order, samples: ns, x0, t, hp, losses },
          layers,
        );
        P.setI32(plan, words);
        const tag = `trainBatches ${net.sizes.join('-')} acts=${net.acts.join(',')} loss=${net.loss} opt=${opt} batch=${batch} ${mode}`;
        if (mode === 'one-call') {
          const [rj, rw] = both((k) => k.trainBatches(plan, 0, EPOCHS * nb));
          P.compare(`${tag} ${EPOCHS} epochs`, rj, rw);
          let sum = 0;
          for (const v of new Float64Array(P.memW.buffer, losses, EPOCHS * nb)) sum += v;
          if (!Object.is(sum, rw)) throw new Error(`${P.name} ${tag}: losses sum ${sum} != returned ${rw}`);
        } else if (mode === 'per-epoch') {
          for (let e = 0; e < EPOCHS; e++) {
            const [rj, rw] = both((k) => k.trainBatches(plan, e * nb, nb));
            P.compare(`${tag} epoch ${e}`, rj, rw);
          }
        } else if (mode === 'per-batch') {
          for (let i = 0; i < EPOCHS * nb; i++) {
            const [rj, rw] = both((k) => k.trainBatches(plan, i, 1));
            P.compare(`${tag} batch ${i}`, rj, rw);
          }
        } else {
          const [rj, rw] = both((k) => k.trainBatchesThreaded(plan, 0, EPOCHS * nb, 0, 1, 0));
          P.compare(`${tag} ${EPOCHS} epochs`, rj, rw);
        }
        // the AS module's own runs agree: one call over
        // all epochs, per-epoch calls, per-batch calls and trainBatchesThreaded(..., 0, 1, 0) are bit-identical
        const lw = new Float64Array(P.memW.buffer, losses, EPOCHS * nb);
        const key = `${net.sizes.join('-')}/${opt}`;
        const bits = Array.from(new BigUint64Array(P.memW.buffer, P.base, (P.top - P.base) / 8));
        if (lw.some((v) => !Number.isFinite(v))) throw new Error(`${tag}: losses not all written`);
        const prev = sameRuns.get(key);
        if (prev === undefined) sameRuns.set(key, bits);
        else if (prev.length !== bits.length || prev.some((b, i) => b !== bits[i]))
          throw new Error(`${P.name} ${tag}: differs from the one-call run`);
        both((k) => k.forwardBatch(plan, Math.max(1, batch - 1)));
        P.compare(`forwardBatch ${net.sizes.join('-')}`);
        P.compare(
          `evaluateBatch ${net.sizes.join('-')}`,
          ...both((k) => k.evaluateBatch(plan, Math.max(1, batch - 1))),
        );
        P.compare(
          `backwardBatch ${net.sizes.join('-')}`,
          ...both((k) => k.backwardBatch(plan, Math.max(1, batch - 1))),
        );
      }
    }
  }
  console.log(`${target}: OK (${stats.checks - t0} comparisons; exports ${exportNames})`);
}

for (const b of builds) await checkBuild(b);
console.log(
  `total: ${stats.checks} comparisons, ${stats.elems} f64 compared, ${stats.diff} not bit-identical (all within rtol ${RTOL}, atol ${ATOL})`,
);
