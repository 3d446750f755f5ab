/**
 * The one kernel ABI shared by every backend.
 *
 * The `js` backend (src/kernels/js/), the AssemblyScript module (assembly/) and the Rust
 * module (rust/) export exactly these functions with exactly these argument orders, over one linear
 * memory of float64 data addressed by **byte offsets** (i32). One binder (src/backends/heap.ts) drives
 * all three, so switching backend changes which function runs and nothing else.
 *
 * Conventions:
 * - pointers first, out first; sizes last; no structs, strings or managed objects.
 * - every matrix is row-major, contiguous, 8-byte float64, 16-byte aligned (for v128).
 * - kernels never allocate, throw or call out; they trust their inputs (the binder validated them).
 * - a pointer argument of 0 means "absent" where a kernel says so (dx in denseBackward).
 * - unless a kernel says otherwise, `out` must not alias an input.
 *
 * Exports (names are the contract):
 *
 *   heapBase(): i32
 *     First byte the host may use. Everything below belongs to the module (static data such as
 *     AssemblyScript's Math.exp tables, Rust's stack). The host arena starts at align16(heapBase()).
 *
 *   denseForward(z, x, w, b, batch, nIn, nOut): void
 *     z[r,j] = Σ_k x[r,k]·w[j,k] + b[j]          x: batch×nIn, w: nOut×nIn, b: nOut, z: batch×nOut
 *     The dot product is summed k = 0..nIn-1 and the bias added last (the tutorial's np.dot(w, x) + b);
 *     blocked/SIMD versions may reorder the sum (within the parity tolerances of test/helpers/backends.ts).
 *
 *   activate(a, z, rows, cols, act, alpha): void
 *     a = f(z) element-wise (softmax: per row). `a` may alias `z`.
 *
 *   activateBackward(dz, da, z, a, rows, cols, act, alpha): void
 *     dz = da ⊙ f'(z), computed from a where cheaper (sigmoid a(1-a), tanh 1-a²);
 *     softmax: dz[r,j] = a[r,j]·(da[r,j] - Σ_k da[r,k]·a[r,k]). `dz` may alias `da`.
 *
 *   denseBackward(dx, dw, db, dz, x, w, batch, nIn, nOut): void
 *     dw[j,k] = Σ_r dz[r,j]·x[r,k]      db[j] = Σ_r dz[r,j]      dx[r,k] = Σ_j dz[r,j]·w[j,k]
 *     Overwrites dw, db, dx (never accumulates). dx = 0 skips the input gradient (first layer).
 *
 *   denseForwardF32(z, x, w, b, batch, nIn, nOut): void
 *   denseBackwardF32(dx, dw, db, dz, x, w, batch, nIn, nOut): void
 *     denseForward and denseBackward over float32 blocks (4-byte elements, 16-byte aligned): the same kernels at the
 *     element type a float32 plan runs (each multiply and add rounded to f32; fused in the relaxed-SIMD build), the
 *     same summation orders. Not Backend methods: the bench's float32 GEMM rows and the kernel tests call them
 *     through the host (src/internal).
 *
 *   loss(d, a, z, t, rows, cols, kind): f64
 *     Returns the batch loss and writes its gradient into d (rows×cols):
 *     LOSS_MSE  : L = mean((a-t)²) over rows·cols;              d = ∂L/∂a = 2(a-t)/(rows·cols)
 *     LOSS_BCE  : sigmoid output, from z for stability:
 *                 L = mean(max(z,0) - t·z + log1p(exp(-|z|)));  d = ∂L/∂z = (a-t)/(rows·cols)
 *     LOSS_CE   : softmax output, from z (log-sum-exp):
 *                 L = (1/rows)·Σ_r Σ_j t[r,j]·(lse_r - z[r,j]); d = ∂L/∂z = (a-t)/rows
 *     For BCE and CE, d is already the pre-activation gradient (the fused, stable `p - y`), so the
 *     output layer's activateBackward is skipped; for MSE it is not.
 *
 *   sgdStep(p, g, n, lr, decay): void           p -= lr·(g + decay·p)
 *   momentumStep(p, v, g, n, lr, mu, decay): void
 *                                                v = mu·v + (g + decay·p);  p -= lr·v
 *   adamStep(p, m, v, g, n, hp): void            hp → f64[HP_*] (too many scalars for the argument list):
 *                                                g' = g + decay·p; m = β1·m + (1-β1)·g'; v = β2·v + (1-β2)·g'²
 *                                                p -= lr·(m/(1-β1ᵗ)) / (sqrt(v/(1-β2ᵗ)) + ε)
 *                                                using hp[HP_LR], HP_BETA1, HP_BETA2, HP_EPS, HP_DECAY,
 *                                                HP_BETA1_POW (=β1ᵗ), HP_BETA2_POW (=β2ᵗ).
 *
 *   trainBatches(plan, first, count): f64
 *     Runs `count` optimizer steps over the batches first..first+count-1 of the plan (layout below),
 *     in order, and returns the sum of their batch losses. One boundary crossing for a whole epoch, or for
 *     several: batches are numbered across epochs. With nb = ceil(nSamples/batch) batches per epoch,
 *     batch i belongs to epoch e = floor(i/nb) of the order array (which holds one permutation of
 *     0..nSamples-1 per epoch, back to back) and starts at position p0 = (i - e·nb)·batch of it.
 *     Step for batch i (rows = min(batch, nSamples - p0), s(r) = order[e·nSamples + p0 + r]):
 *       1. gather rows: x0[r,:] = xData[s(r),:], t[r,:] = yData[s(r),:]   (r < rows)
 *       2. forward: for each layer l: denseForward(z_l, in_l, w_l, b_l, rows, nIn_l, nOut_l);
 *                   activate(a_l, z_l, rows, nOut_l, act_l, alpha)   (in_0 = x0, in_l = a_{l-1})
 *       3. loss(dz_L, a_L, z_L, t, rows, nOut_L, lossKind), also stored at losses[i] when PLAN_LOSSES != 0; for MSE then
 *          activateBackward(dz_L, dz_L, z_L, a_L, rows, nOut_L, act_L, alpha)
 *       4. for l = L-1 .. 0: denseBackward(l > 0 ? dz_{l-1} : 0, dw_l, db_l, dz_l, in_l, w_l, rows, nIn_l, nOut_l);
 *          if l > 0: activateBackward(dz_{l-1}, dz_{l-1}, z_{l-1}, a_{l-1}, rows, nOut_{l-1}, act_{l-1}, alpha)
 *       5. update: adam first sets hp[HP_BETA1_POW] *= β1, hp[HP_BETA2_POW] *= β2, hp[HP_STEP] += 1
 *          (sgd and momentum also count hp[HP_STEP]); then for l = 0 .. L-1: the optimizer's step on
 *          (w_l, dw_l, sw_l, sw2_l) with decay = hp[HP_DECAY], then on (b_l, db_l, sb_l, sb2_l) with decay 0.
 *     Implementations may fuse these loops (e.g. the SGD update into the weight-gradient kernel) as long
 *     as every value is computed by the same formula. The small-layer path does (src/kernels/js/tiny.ts): on one
 *     thread with batch 1, every width ≤ TINY_MAX and hp[HP_GENERIC] = 0, a step reads its sample in place
 *     (no gather into x0; dw/db written only for momentum and adam) and fuses dx and the SGD step per layer.
 *
 *     Plan v2 controls (header words 12-19, layer word L_AD, hp[HP_CLIP]; ARCHITECTURE.md "Plan v2"), each off when
 *     its word is 0, in this order within the step above:
 *       0. WEIGHTS != 0: W = Σ_r w[s(r)] (r ascending, by every thread); W = 0 skips the batch (losses[i] = 0, no
 *          update, no step count). key = the step counter hp[HP_STEP] as u32 (read before the batch's first barrier).
 *       2. after layer l's activation, when DROPOUT != 0 and p = dropout[l] > 0: ad_l[r,j] = a_l[r,j]·(1/(1-p)) if
 *          dropKeep(dropRowKey(SEED, key, s(r), l), j, p) else 0; the next layer's input (forward and weight
 *          gradient) is ad_l instead of a_l.
 *       3. WEIGHTS != 0: the loss row by row, loss(d_r, a_r, z_r, t_r, 1, cols) = ℓ_r; d_r *= w[s(r)]/W; the batch
 *          loss is (Σ_r w[s(r)]·ℓ_r)/W. LRS != 0: hp[HP_LR] = lrs[i] (thread 0, before the barrier).
 *       4. after dx into dz_{l-1}, when p = dropout[l-1] > 0: dz_{l-1}[r,k] *= the same mask and scale, before the
 *          activateBackward. Then, when hp[HP_CLIP] = c > 0: norms[n_l + j] = Σ_k dw_l[j,k]² + db_l[j]² (k ascending,
 *          by the neuron's owner; n_l = Σ_{m<l} nOut_m) | barrier | every thread sums norms in index order into
 *          s and, if sqrt(s) > c, multiplies its own rows of dw and db by c/sqrt(s). The order never depends on the
 *          thread count, so the bits do not either.
 *       5. OPT_ADAMW: as adam with g' = g and p -= lr·((m/(1-β1ᵗ))/(sqrt(v/(1-β2ᵗ)) + ε) + decay·p).
 *     Dropout masks: dropMix(x) is lowbias32 (x ^= x>>>16; x *= DROP_M1; x ^= x>>>15; x *= DROP_M2; x ^= x>>>16, all
 *     u32 wrapping), dropRowKey(seed, step, row, l) = mix(mix(mix(mix(seed) ^ step) ^ row) ^ l) and a unit is kept
 *     when (mix(rowKey ^ j) >>> 8) >= p·2²⁴ (a 24-bit uniform against the rate; exact in every language).
 *
 *   forwardBatch(plan, rows): void
 *     Step 2 only, from x0 (the host writes x0), for rows ≤ batch. Used by predict and evaluate.
 *
 *   evaluateBatch(plan, rows): f64
 *     Step 2 and the unweighted loss of step 3 for `rows` rows from x0 and t (the host writes both): the loss's
 *     gradient goes to dz_{L-1}, as in training; returns the batch loss, computed in the plan's element type
 *     exactly as backwardBatch computes it. Used by evaluate and the validation loss.
 *
 *   backwardBatch(plan, rows): f64
 *     evaluateBatch, then the rest of steps 3 and 4, without the step counters and without an update: every
 *     layer's dw and db (and dz) exactly as one training step computes them. Returns the batch loss. Used by
 *     gradients() and gradientCheck.
 *
 *   trainBatchesThreaded(plan, first, count, tid, nthreads, ctl): f64
 *     The thread contract, stated here only (src/kernels/js/train.ts, assembly/train.ts and rust/src/lib.rs
 *     implement it and refer here; the host side is src/backends/threads.ts):
 *     trainBatches split over `nthreads` threads that share the memory; the caller is thread `tid`, and every
 *     thread calls it with the same plan/first/count. `ctl` points to the SYNC_* control block (i32 words).
 *     trainBatches(plan, first, count) is exactly trainBatchesThreaded(plan, first, count, 0, 1, 0).
 *     With part(n, t) = floor(n·t / nthreads), thread t owns
 *       - rows part(rows, t)..part(rows, t+1) for the gather and for softmax rows,
 *       - neurons part(nOut_l, t).. of every layer: z, a (element-wise activations), dw, db, and the update of
 *         those rows of w, b and their optimizer state,
 *       - inputs part(nIn_l, t).. for the input gradient dx (and its activateBackward),
 *     thread 0 alone computes the loss (and the output activateBackward for MSE) and advances hp's step counters.
 *     Per batch: gather | barrier | for each layer: forward own neurons [| barrier | softmax own rows] | barrier |
 *     loss on thread 0 | barrier | for l = L-1..0: dw, db own neurons; if l > 0: dx own inputs, barrier |
 *     update own neurons | barrier.
 *     Every element is computed by the same formula in the same summation order as with one thread (kernels must
 *     not let an element's arithmetic depend on where a range starts or ends), so parameters are bit-identical
 *     for every thread count. Barrier: SYNC_COUNT counts arrivals and only grows during a command (the host
 *     zeroes it before each command); an arrival a = atomic add + 1 belongs to the round that ends when the
 *     count reaches ceil(a/n)·n. The arrival that completes a round increments SYNC_PROGRESS and notifies
 *     SYNC_COUNT; the others poll up to their budget (at most SPIN_LIMIT polls; the js kernels SPIN_LIMIT / 10: a JS
 *     poll costs 10–20 WASM ones), then memory.atomic.wait32 (Atomics.wait) on SYNC_COUNT with a
 *     WAIT_NS timeout, leaving (returning NaN) as soon as SYNC_ABORT != 0. Each thread keeps its own budget: a wait
 *     that had to sleep halves it (down to the maximum >> SPIN_FLOOR_SHIFT), one that ended while polling doubles it
 *     back, and after SPIN_PROBE sleeps at that floor it is whole again (else two threads that both sleep keep each other's waits longer
 *     than the floor). On free cores threads poll (no sleep and wake-up per barrier); threads that share a core give
 *     it up soon. (A reset-and-generation barrier let threads
 *     through early in the AssemblyScript build under V8's baseline compiler; nothing here is ever reset
 *     inside a command.)
 *     Returns the loss sum on thread 0, 0 on the others, NaN when aborted.
 *
 *   peakProbe(iterations, m, c): f64
 *     The bench's instrument for the WASM f64 ceiling (bench/kernels.bench.ts), not a training kernel: PROBE_CHAINS = 24
 *     independent chains s_i = i (i = 0..23), each updated `iterations` times by the multiply-add s_i = s_i·m + c
 *     (relaxed_madd in the relaxed-SIMD build, f64x2 mul then add in the SIMD builds, scalar mul then add in the
 *     scalar builds and js), all held in registers (no memory traffic); returns 0 + s_0 + s_1 + … + s_23, summed
 *     left to right, so the result depends on every chain. One call is 2·24·iterations flops. With m a power of two
 *     the products are exact, so the fused and unfused forms round alike and every build returns the same bits.
 *
 *   peakProbeF32(iterations, m, c): f64
 *     The float32 ceiling probe, the same protocol as peakProbe with f32 chains: m and c narrowed to f32 once,
 *     s_i = i (f32), s_i = s_i·m + c in f32 (relaxed_madd on f32x4 in the relaxed-SIMD build, f32x4 mul then add in
 *     the SIMD builds, scalar f32 in the scalar builds; js: Math.fround after each operation), PROBE_CHAINS_F32 = 48
 *     chains (12 f32x4 accumulators, peakProbe's register shape; scalar builds and js: four passes of 12 chains);
 *     returns 0 + s_0 + … + s_47 summed left to right in f64 (each chain widened). One call is 2·48·iterations flops
 *     (one lane multiply-add = 2 flops, as in peakProbe). With m a power of two every build
 *     returns the same bits.
 *
 * Element type (plan word PLAN_DTYPE = DTYPE_F64 or DTYPE_F32): the plan-level entry points (trainBatches,
 * trainBatchesThreaded, forwardBatch, evaluateBatch, backwardBatch) run in the plan's element type T over the data blocks
 * (XDATA, YDATA, X0, T and every layer block); HP, LOSSES, LRS, WEIGHTS, DROPOUT and NORMS stay f64 and ORDER i32.
 * Every block is 16-byte aligned and elements × bytes(T) long. In float32 every element operation is done in f32
 * (rounded to f32; js: Math.fround), transcendentals are computed in f64 from the f32 input and rounded to f32
 * (each call separately: softplus's log1p(exp(-|z|)) rounds exp, then log1p), and scalars built from HP slots or
 * f64 blocks (lr, 1-β1, bias corrections, ε, decay, alpha, the dropout scale 1/(1-p), w_r/W, the clip scale) are
 * computed in f64 as in float64 and narrowed to f32 where they meet an element. Losses return f64 (the f32 sum
 * widened); the weighted loss sums w_r·ℓ_r in f64. Summation orders are the float64 ones. The other Mat-level
 * exports (activate, loss, the optimizer steps) are float64 only.
 */

// Every number of the ABI (ACT / LOSS / OPT codes by name and as ACT_* / LOSS_* / OPT_* constants, PLAN_* and L_*
// plan words, HP_* slots, SYNC_* control words, SPIN_*, WAIT_NS, MAX_THREADS, the host's CTL_* protocol words) is generated from
// src/abi-spec.json into src/abi.gen.ts, assembly/abi.gen.ts and rust/src/abi_gen.rs (npm run gen:abi).
export * from './abi.gen.js';
import { DROP_M1, DROP_M2, PLAN_HEADER, PLAN_LAYER_WORDS } from './abi.gen.js';

/** The dropout generator's 32-bit mix (lowbias32), in Math.imul / unsigned-shift arithmetic; returns a u32. */
export function dropMix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, DROP_M1);
  x ^= x >>> 15;
  x = Math.imul(x, DROP_M2);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The key of one row's mask in layer l at optimizer step `step` (all as u32). */
export function dropRowKey(seed: number, step: number, row: number, layer: number): number {
  return dropMix(dropMix(dropMix(dropMix(seed) ^ step) ^ row) ^ layer);
}

/** True when unit j of the row with key `rowKey` is kept at dropout rate p. */
export function dropKeep(rowKey: number, j: number, p: number): boolean {
  return dropMix(rowKey ^ j) >>> 8 >= p * 16777216;
}

/** First index of thread t's share of n items among `threads` threads: floor(n·t / threads). */
export function part(n: number, t: number, threads: number): number {
  return threads === 1 ? n * t : Math.floor((n * t) / threads);
}

export function planBytes(layers: number): number {
  return (PLAN_HEADER + PLAN_LAYER_WORDS * layers) * 4;
}

/**
 * One layer record of a plan, word by word (L_NIN .. L_SB2): the widths, the activation code and the layer's blocks
 * (sw, sb: momentum's velocity or Adam's first moment; sw2, sb2: Adam's second moment). The plan holds byte offsets;
 * a reader may keep them in the unit it indexes with, and says so.
 */
export interface PlanLayerRecord {
  nIn: number;
  nOut: number;
  act: number;
  w: number;
  b: number;
  z: number;
  a: number;
  dz: number;
  dw: number;
  db: number;
  sw: number;
  sb: number;
  sw2: number;
  sb2: number;
}

/** denseBackward's and denseBackwardF32's signature (the formulas above). */
export type DenseBackwardExport = (
  dx: number,
  dw: number,
  db: number,
  dz: number,
  x: number,
  w: number,
  batch: number,
  nIn: number,
  nOut: number,
) => void;

/** The raw exports every kernel module provides (pointers are byte offsets into its memory). */
export interface KernelExports {
  heapBase(): number;
  denseForward(z: number, x: number, w: number, b: number, batch: number, nIn: number, nOut: number): void;
  activate(a: number, z: number, rows: number, cols: number, act: number, alpha: number): void;
  activateBackward(
    dz: number,
    da: number,
    z: number,
    a: number,
    rows: number,
    cols: number,
    act: number,
    alpha: number,
  ): void;
  denseBackward: DenseBackwardExport;
  denseForwardF32(z: number, x: number, w: number, b: number, batch: number, nIn: number, nOut: number): void;
  denseBackwardF32: DenseBackwardExport;
  loss(d: number, a: number, z: number, t: number, rows: number, cols: number, kind: number): number;
  sgdStep(p: number, g: number, n: number, lr: number, decay: number): void;
  momentumStep(p: number, v: number, g: number, n: number, lr: number, mu: number, decay: number): void;
  adamStep(p: number, m: number, v: number, g: number, n: number, hp: number): void;
  trainBatches(plan: number, first: number, count: number): number;
  forwardBatch(plan: number, rows: number): void;
  evaluateBatch(plan: number, rows: number): number;
  backwardBatch(plan: number, rows: number): number;
  trainBatchesThreaded(plan: number, first: number, count: number, tid: number, nthreads: number, ctl: number): number;
  /** The WASM f64 ceiling probe (a bench instrument; see above). */
  peakProbe(iterations: number, m: number, c: number): number;
  /** The WASM f32 ceiling probe (a bench instrument; see above). */
  peakProbeF32(iterations: number, m: number, c: number): number;
}

export const KERNEL_NAMES: readonly (keyof KernelExports)[] = [
  'heapBase',
  'denseForward',
  'activate',
  'activateBackward',
  'denseBackward',
  'denseForwardF32',
  'denseBackwardF32',
  'loss',
  'sgdStep',
  'momentumStep',
  'adamStep',
  'trainBatches',
  'forwardBatch',
  'evaluateBatch',
  'backwardBatch',
  'trainBatchesThreaded',
  'peakProbe',
  'peakProbeF32',
];
