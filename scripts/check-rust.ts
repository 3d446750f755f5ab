/**
 * Parity check of the Rust kernels (rust/fastnn-simd.wasm, rust/fastnn-scalar.wasm) against the JS
 * spec (src/kernels/js/): identical seeded inputs in separate memories, every export,
 * random small shapes (1..9) and the big ones, |a-b| <= 1e-12 + 1e-10·max(|a|,|b|) over the whole
 * used region (inputs included, so stray writes are caught too).
 *
 *   npx tsx scripts/check-rust.ts
 */
import { mulberry32 } from '../src/rng.js';
import { readFileSync } from 'node:fs';
import { createJsKernels } from '../src/kernels/js/index.js';
import { buildPlan } from './plan.js';
import {
  ACT,
  HP_ALPHA,
  HP_BETA1,
  HP_BETA1_POW,
  HP_BETA2,
  HP_BETA2_POW,
  HP_DECAY,
  HP_EPS,
  HP_LR,
  HP_SIZE,
  PLAN_X0,
  type KernelExports,
} from '../src/abi.js';

const PAGES = 1024; // 64 MiB
function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: PAGES, maximum: 32768, shared: true });
}

const rand = mulberry32(12345);
const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

interface Target {
  name: string;
  k: KernelExports;
  mem: WebAssembly.Memory;
}

const jsMem = sharedMemory();
const js = createJsKernels(jsMem);
const targets: Target[] = [];
for (const v of ['simd', 'scalar']) {
  const mem = sharedMemory();
  const mod = new WebAssembly.Module(readFileSync(new URL(`../rust/fastnn-${v}.wasm`, import.meta.url)));
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`);
  if (imports.join() !== 'env.memory:memory') throw new Error(`${v}: unexpected imports ${imports.join()}`);
  const inst = new WebAssembly.Instance(mod, { env: { memory: mem } });
  targets.push({ name: v, k: inst.exports as unknown as KernelExports, mem });
}
const BASE = Math.max(...targets.map((t) => (t.k.heapBase() + 15) & ~15)) + 64;
for (const t of targets) console.log(`${t.name}: heapBase = ${t.k.heapBase()}`);

// bump allocator over the JS memory (same offsets in every memory)
let top = BASE;
const H = new Float64Array(jsMem.buffer);
const I = new Int32Array(jsMem.buffer);
function alloc(nF64: number): number {
  const p = top;
  top += ((nF64 * 8 + 15) & ~15) + 16; // 16 bytes of guard between buffers
  return p;
}
function fill(p: number, n: number, lo = -1, hi = 1): number {
  for (let i = 0; i < n; i++) H[(p >> 3) + i] = lo + (hi - lo) * rand();
  return p;
}
function reset(): void {
  top = BASE;
  H.fill(0, BASE >> 3, (BASE >> 3) + (8 << 20) / 8); // clear 8 MB (enough for the checked cases' guards)
  new Uint8Array(jsMem.buffer).fill(0, BASE, jsMem.buffer.byteLength);
}

let checks = 0;
let failures = 0;
function close(a: number, b: number): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= 1e-12 + 1e-10 * Math.max(Math.abs(a), Math.abs(b));
}

/** Copy [BASE, top + guard) of the JS memory to every wasm memory, run, and compare. */
function run(label: string, call: (k: KernelExports) => number | void): void {
  const end = top + 256;
  const src = new Uint8Array(jsMem.buffer, BASE, end - BASE);
  const snap = src.slice();
  for (const t of targets) new Uint8Array(t.mem.buffer, BASE, end - BASE).set(snap);
  const want = call(js);
  const ref = new Float64Array(jsMem.buffer, BASE, (end - BASE) >> 3);
  for (const t of targets) {
    const got = call(t.k);
    checks++;
    let bad = '';
    if (typeof want === 'number' && !close(want, got as number)) bad = `return ${got as number} vs ${want}`;
    const out = new Float64Array(t.mem.buffer, BASE, (end - BASE) >> 3);
    for (let i = 0; i < ref.length && !bad; i++) {
      if (!close(ref[i]!, out[i]!)) bad = `byte ${BASE + 8 * i}: ${out[i]} vs ${ref[i]}`;
    }
    if (bad) {
      failures++;
      if (failures < 30) console.log(`FAIL ${t.name} ${label}: ${bad}`);
    }
  }
  // restore so the next case starts from identical memories
  src.set(snap);
}

const ACTS: number[] = Object.values(ACT);
const ALPHA = 0.01;

function denseForwardCase(batch: number, nIn: number, nOut: number): void {
  reset();
  const x = fill(alloc(batch * nIn), batch * nIn),
    w = fill(alloc(nOut * nIn), nOut * nIn);
  const b = fill(alloc(nOut), nOut),
    z = alloc(batch * nOut);
  run(`denseForward ${batch}x${nIn}->${nOut}`, (k) => k.denseForward(z, x, w, b, batch, nIn, nOut));
}
function denseBackwardCase(batch: number, nIn: number, nOut: number, withDx: boolean): void {
  reset();
  const x = fill(alloc(batch * nIn), batch * nIn),
    w = fill(alloc(nOut * nIn), nOut * nIn);
  const dz = fill(alloc(batch * nOut), batch * nOut);
  const dw = fill(alloc(nOut * nIn), nOut * nIn),
    db = fill(alloc(nOut), nOut);
  const dx = withDx ? fill(alloc(batch * nIn), batch * nIn) : 0;
  run(`denseBackward ${batch}x${nIn}->${nOut} dx=${withDx}`, (k) =>
    k.denseBackward(dx, dw, db, dz, x, w, batch, nIn, nOut),
  );
}

for (let it = 0; it < 300; it++) denseForwardCase(randInt(1, 9), randInt(1, 9), randInt(1, 9));
for (let it = 0; it < 300; it++) denseBackwardCase(randInt(1, 9), randInt(1, 9), randInt(1, 9), rand() < 0.7);
for (const [b, i, o] of [
  [256, 784, 128],
  [32, 784, 128],
  [33, 785, 11],
  [1, 2, 2],
  [4, 2, 1],
  [7, 130, 17],
] as const) {
  denseForwardCase(b, i, o);
  denseBackwardCase(b, i, o, true);
  denseBackwardCase(b, i, o, false);
}
console.log(`dense: ${checks} checks, ${failures} failures`);

for (let it = 0; it < 200; it++) {
  const act = ACTS[it % ACTS.length]!,
    rows = randInt(1, 9),
    cols = randInt(1, 9),
    n = rows * cols;
  reset();
  const z = fill(alloc(n), n, -6, 6),
    a = alloc(n),
    da = fill(alloc(n), n),
    dz = alloc(n);
  const alias = it % 12 >= 6;
  run(`activate ${act} ${rows}x${cols} alias=${alias}`, (k) => k.activate(alias ? z : a, z, rows, cols, act, ALPHA));
  if (!alias) {
    js.activate(a, z, rows, cols, act, ALPHA); // a consistent with z for the backward check
    run(`activateBackward ${act} ${rows}x${cols}`, (k) => k.activateBackward(dz, da, z, a, rows, cols, act, ALPHA));
  }
  run(`activateBackward ${act} ${rows}x${cols} alias`, (k) => k.activateBackward(da, da, z, z, rows, cols, act, ALPHA));
}
for (const act of ACTS) {
  // big
  reset();
  const n = 256 * 128,
    z = fill(alloc(n), n, -30, 30),
    a = alloc(n),
    da = fill(alloc(n), n),
    dz = alloc(n);
  run(`activate ${act} big`, (k) => k.activate(a, z, 256, 128, act, ALPHA));
  js.activate(a, z, 256, 128, act, ALPHA);
  run(`activateBackward ${act} big`, (k) => k.activateBackward(dz, da, z, a, 256, 128, act, ALPHA));
}
console.log(`+activations: ${checks} checks, ${failures} failures`);

for (let it = 0; it < 150; it++) {
  const kind = it % 3,
    rows = randInt(1, 9),
    cols = it % 10 === 0 ? 128 : randInt(1, 9),
    n = rows * cols;
  reset();
  const z = fill(alloc(n), n, -8, 8),
    a = alloc(n),
    t = alloc(n),
    d = fill(alloc(n), n);
  js.activate(a, z, rows, cols, kind === 2 ? 5 : 1, ALPHA);
  for (let i = 0; i < n; i++) H[(t >> 3) + i] = kind === 0 ? rand() : rand() < 0.5 ? 0 : 1;
  run(`loss ${kind} ${rows}x${cols}`, (k) => k.loss(d, a, z, t, rows, cols, kind));
}
console.log(`+loss: ${checks} checks, ${failures} failures`);

function hpFill(hp: number): void {
  const h = hp >> 3;
  H[h + HP_LR] = 0.01;
  H[h + HP_BETA1] = 0.9;
  H[h + HP_BETA2] = 0.999;
  H[h + HP_EPS] = 1e-8;
  H[h + HP_DECAY] = 1e-3;
  H[h + HP_ALPHA] = ALPHA;
  H[h + HP_BETA1_POW] = 0.9 ** 3;
  H[h + HP_BETA2_POW] = 0.999 ** 3;
}
for (let it = 0; it < 120; it++) {
  const n = it % 20 === 0 ? 100353 : randInt(1, 40);
  reset();
  const p = fill(alloc(n), n),
    g = fill(alloc(n), n),
    m = fill(alloc(n), n),
    v = fill(alloc(n), n, 0, 1);
  const hp = alloc(HP_SIZE);
  hpFill(hp);
  run(`sgdStep ${n}`, (k) => k.sgdStep(p, g, n, 0.05, it % 2 ? 1e-3 : 0));
  run(`momentumStep ${n}`, (k) => k.momentumStep(p, m, g, n, 0.05, 0.9, it % 2 ? 1e-3 : 0));
  run(`adamStep ${n}`, (k) => k.adamStep(p, m, v, g, n, hp));
}
console.log(`+optimizers: ${checks} checks, ${failures} failures`);

// ---- trainBatches / forwardBatch ----------------------------------------------------------------
/** `epochs` permutations back to back in the order array; batches numbered across epochs; per-batch losses stored when `withLosses`. */
function planCase(
  dims: number[],
  acts: number[],
  lossKind: number,
  opt: number,
  batch: number,
  nSamples: number,
  epochs = 1,
  withLosses = false,
): void {
  reset();
  const pl = buildPlan(H, I, BASE, dims, acts, lossKind, opt, batch, nSamples, rand, epochs, withLosses);
  top = pl.end;
  const plan = pl.plan,
    P = plan >> 2,
    nIn0 = dims[0]!;
  const nb = pl.nb,
    split = Math.floor(nb / 2); // with several epochs the split falls inside one
  const label = `plan ${dims.join('-')} acts=${acts.join(',')} loss=${lossKind} opt=${opt} batch=${batch} n=${nSamples} epochs=${epochs} losses=${withLosses}`;
  run(`${label} trainBatches(0,${split})`, (k) => k.trainBatches(plan, 0, split));
  // continue from the JS state in every memory (run() restored the pre-call snapshot, so rerun js)
  js.trainBatches(plan, 0, split);
  run(`${label} trainBatches(${split},${nb - split})`, (k) => k.trainBatches(plan, split, nb - split));
  js.trainBatches(plan, split, nb - split);
  // the threaded entry point with one thread (ctl 0: barriers are no-ops) is trainBatches itself
  run(`${label} trainBatchesThreaded(0,${nb},0,1,0)`, (k) => k.trainBatchesThreaded(plan, 0, nb, 0, 1, 0));
  js.trainBatchesThreaded(plan, 0, nb, 0, 1, 0);
  const rows = randInt(1, batch);
  fill(I[P + PLAN_X0]!, rows * nIn0);
  run(`${label} forwardBatch(${rows})`, (k) => k.forwardBatch(plan, rows));
  run(`${label} evaluateBatch(${rows})`, (k) => k.evaluateBatch(plan, rows));
  run(`${label} backwardBatch(${rows})`, (k) => k.backwardBatch(plan, rows));
}

for (let it = 0; it < 60; it++) {
  const L = randInt(2, 3);
  const dims = Array.from({ length: L + 1 }, () => randInt(1, 9));
  const lossKind = it % 3,
    opt = Math.floor(it / 3) % 3;
  const acts = Array.from({ length: L }, () => ACTS[randInt(0, 4)]!);
  acts[L - 1] = lossKind === 1 ? 1 : lossKind === 2 ? 5 : ACTS[randInt(0, 5)]!;
  const batch = randInt(1, 9);
  const nSamples = batch * randInt(1, 4) + (randInt(1, Math.max(1, batch - 1)) % batch); // often a partial last batch
  planCase(dims, acts, lossKind, opt, batch, Math.max(1, nSamples), 1 + (it % 4 === 3 ? 2 : it % 2), it % 3 !== 1);
}
planCase([784, 128, 10], [1, 1], 0, 0, 32, 300);
planCase([784, 64, 10], [3, 5], 2, 2, 32, 150);
planCase([2, 2, 1], [1, 1], 0, 0, 1, 4);
planCase([2, 2, 1], [1, 1], 0, 0, 1, 4, 50, true); // XOR: 50 epochs in one span
planCase([5, 3, 2], [2, 5], 2, 2, 3, 7, 3, true); // partial last batch in every epoch
console.log(`+plans: ${checks} checks, ${failures} failures`);
if (failures) process.exit(1);
console.log('check-rust: OK');
