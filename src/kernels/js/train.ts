/**
 * trainBatches / trainBatchesThreaded / forwardBatch of the `js` backend: walk the plan (PLAN_* / L_* words,
 * HP_* slots) and run whole optimizer steps; the readable spec of assembly/train.ts and rust/src/lib.rs.
 * Steps, thread ownership and the barrier follow the thread contract stated once in src/abi.ts.
 * `D` is the data view (the plan's element type: XDATA, YDATA, X0, T and the layer blocks), `H` the float64 view
 * (HP, LOSSES, LRS, WEIGHTS, DROPOUT, NORMS): f64-only pointers become indices with `>>> 3`, data pointers with
 * `>> 3` and data byte offsets are `* 8`; scripts/gen-js-f32.mjs generates the float32 variant (f32/train.ts) from this
 * file on that convention.
 */
import {
  HP_ALPHA,
  HP_BETA1,
  HP_BETA1_POW,
  HP_BETA2,
  HP_BETA2_POW,
  HP_CLIP,
  HP_DECAY,
  HP_LR,
  HP_STEP,
  L_A,
  L_ACT,
  L_AD,
  L_B,
  L_DB,
  L_DW,
  L_DZ,
  L_NIN,
  L_NOUT,
  L_SB,
  L_SB2,
  L_SW,
  L_SW2,
  L_W,
  L_Z,
  LOSS_MSE,
  OPT_ADAM,
  OPT_ADAMW,
  OPT_MOMENTUM,
  PLAN_DROPOUT,
  PLAN_LRS,
  PLAN_NORMS,
  PLAN_SEED,
  PLAN_WEIGHTS,
  PLAN_BATCH,
  PLAN_HEADER,
  PLAN_HP,
  PLAN_LOSSES,
  PLAN_LAYER_WORDS,
  PLAN_LAYERS,
  PLAN_LOSS,
  PLAN_OPT,
  PLAN_ORDER,
  PLAN_SAMPLES,
  PLAN_T,
  PLAN_X0,
  PLAN_XDATA,
  PLAN_YDATA,
  SPIN_FLOOR_SHIFT,
  SPIN_LIMIT,
  SPIN_PROBE,
  SYNC_ABORT,
  SYNC_COUNT,
  SYNC_PROGRESS,
  WAIT_NS,
  ACT_SOFTMAX,
  part,
} from '../../abi.js';
import { activateBackwardCols, activateBackwardImpl, activateCols, activateImpl } from './activation.js';
import { denseForwardRange, inputGradRange, weightGradRange } from './dense.js';
import type { F64, I32 } from './views.js';
import { lossImpl } from './loss.js';
import { adamImpl, momentumImpl, sgdImpl } from './optim.js';
import { batchWeight, clipScale, dropoutCols, rowNorms, scaleData, weightedLoss } from './controls.js';

/** Barrier sleep timeout for Atomics.wait, in ms. */
const WAIT_MS = WAIT_NS / 1e6;
/**
 * Polls before the barrier sleeps: a JS poll (two Atomics.load) costs 10–20 times a WASM one (20,000 polls: 350–470 µs
 * against 19–44 µs, measured on Node 20), so SPIN_LIMIT / 10 spins about as long as the WASM barriers do. With all
 * SPIN_LIMIT polls a waiter spun 0.3–0.6 ms before sleeping,
 * and when the thread it waited for had no core (a busy machine, a page's own threads), the spin kept it from one:
 * 2-8-8-1 steps at batch 10 cost ~340 µs per barrier, against ~40 µs with SPIN_LIMIT / 10 (scripts/profile-threads.ts).
 */
const JS_SPIN_LIMIT = SPIN_LIMIT / 10;
/**
 * This thread's current poll budget (module state: one per worker), as src/abi.ts states it: a wait that had to sleep
 * halves it (down to JS_SPIN_LIMIT >> SPIN_FLOOR_SHIFT), one that ended while polling doubles it back, and after SPIN_PROBE sleeps at the floor it
 * polls in full once more. On free cores waits end while polling and the budget stays whole; when the threads share
 * cores, a waiter soon polls only briefly and gives its core to the thread it waits for.
 */
let spinBudget = JS_SPIN_LIMIT;
let floorSleeps = 0;

/** Step 2 of trainBatches: the forward pass of every layer, from x0 (one thread). */
export function forwardImpl(D: F64, H: F64, I: I32, plan: number, rows: number): void {
  const P = plan >> 2,
    L = I[P + PLAN_LAYERS]!;
  const alpha = H[(I[P + PLAN_HP]! >>> 3) + HP_ALPHA]!;
  let inp = I[P + PLAN_X0]!;
  for (let l = 0; l < L; l++) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
    const nIn = I[R + L_NIN]!,
      nOut = I[R + L_NOUT]!,
      z = I[R + L_Z]!,
      a = I[R + L_A]!;
    denseForwardRange(D, z, inp, I[R + L_W]!, I[R + L_B]!, rows, nIn, nOut, 0, nOut);
    activateImpl(D, a, z, rows, nOut, I[R + L_ACT]!, alpha);
    inp = a;
  }
}

/** evaluateBatch (src/abi.ts): forward from x0 and the loss against t (its gradient into the output layer's dz). */
export function evaluateImpl(D: F64, H: F64, I: I32, plan: number, rows: number): number {
  forwardImpl(D, H, I, plan, rows);
  const P = plan >> 2,
    RL = P + PLAN_HEADER + (I[P + PLAN_LAYERS]! - 1) * PLAN_LAYER_WORDS;
  return lossImpl(
    D,
    I[RL + L_DZ]!,
    I[RL + L_A]!,
    I[RL + L_Z]!,
    I[P + PLAN_T]!,
    rows,
    I[RL + L_NOUT]!,
    I[P + PLAN_LOSS]!,
  );
}

/** backwardBatch (src/abi.ts): evaluateBatch, then every layer's dw, db and dz; no update. */
export function backwardImpl(D: F64, H: F64, I: I32, plan: number, rows: number): number {
  const loss = evaluateImpl(D, H, I, plan, rows);
  const P = plan >> 2,
    L = I[P + PLAN_LAYERS]!,
    lossKind = I[P + PLAN_LOSS]!;
  const alpha = H[(I[P + PLAN_HP]! >>> 3) + HP_ALPHA]!;
  const RL = P + PLAN_HEADER + (L - 1) * PLAN_LAYER_WORDS;
  const nOutL = I[RL + L_NOUT]!,
    aL = I[RL + L_A]!,
    zL = I[RL + L_Z]!,
    dzL = I[RL + L_DZ]!;
  if (lossKind === LOSS_MSE) activateBackwardImpl(D, dzL, dzL, zL, aL, rows, nOutL, I[RL + L_ACT]!, alpha);
  for (let l = L - 1; l >= 0; l--) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
    const nIn = I[R + L_NIN]!,
      nOut = I[R + L_NOUT]!;
    const input = l > 0 ? I[R - PLAN_LAYER_WORDS + L_A]! : I[P + PLAN_X0]!;
    weightGradRange(D, I[R + L_DW]!, I[R + L_DB]!, I[R + L_DZ]!, input, rows, nIn, nOut, 0, nOut);
    if (l > 0) {
      const Q = R - PLAN_LAYER_WORDS,
        dzPrev = I[Q + L_DZ]!;
      inputGradRange(D, dzPrev, I[R + L_DZ]!, I[R + L_W]!, rows, nIn, nOut, 0, nIn);
      activateBackwardImpl(D, dzPrev, dzPrev, I[Q + L_Z]!, I[Q + L_A]!, rows, nIn, I[Q + L_ACT]!, alpha);
    }
  }
  return loss;
}

/** The barrier of the thread contract (src/abi.ts, trainBatchesThreaded); false when SYNC_ABORT is set. */
function barrier(I: I32, ctl: number, n: number): boolean {
  if (n === 1) return true;
  const c = ctl >> 2;
  const arrived = Atomics.add(I, c + SYNC_COUNT, 1) + 1;
  const target = Math.ceil(arrived / n) * n;
  if (arrived === target) {
    Atomics.add(I, c + SYNC_PROGRESS, 1);
    Atomics.notify(I, c + SYNC_COUNT);
  } else {
    let spins = 0;
    for (;;) {
      const seen = Atomics.load(I, c + SYNC_COUNT);
      if (seen >= target) break;
      if (Atomics.load(I, c + SYNC_ABORT) !== 0) return false;
      if (++spins > spinBudget) Atomics.wait(I, c + SYNC_COUNT, seen, WAIT_MS);
    }
    if (spins <= spinBudget) spinBudget = Math.min(JS_SPIN_LIMIT, spinBudget * 2);
    else if (spinBudget > JS_SPIN_LIMIT >> SPIN_FLOOR_SHIFT)
      spinBudget = Math.max(JS_SPIN_LIMIT >> SPIN_FLOOR_SHIFT, spinBudget >> 1);
    else if (++floorSleeps >= SPIN_PROBE) {
      // two threads that both sleep would keep each other's waits longer than the floor: poll in full again
      floorSleeps = 0;
      spinBudget = JS_SPIN_LIMIT;
    }
  }
  return Atomics.load(I, c + SYNC_ABORT) === 0;
}

/**
 * trainBatchesThreaded as src/abi.ts states it (steps, ownership, barriers); this is thread `tid`. (The small-layer
 * path, float64 only, is chosen by the caller: src/kernels/js/index.ts.)
 */
export function trainBatchesThreaded(
  D: F64,
  H: F64,
  I: I32,
  plan: number,
  first: number,
  count: number,
  tid: number,
  nthreads: number,
  ctl: number,
): number {
  const T = nthreads;
  const P = plan >> 2;
  const L = I[P + PLAN_LAYERS]!,
    batch = I[P + PLAN_BATCH]!,
    lossKind = I[P + PLAN_LOSS]!,
    opt = I[P + PLAN_OPT]!;
  const xData = I[P + PLAN_XDATA]! >> 3,
    yData = I[P + PLAN_YDATA]! >> 3,
    order = I[P + PLAN_ORDER]! >> 2;
  const nSamples = I[P + PLAN_SAMPLES]!,
    x0p = I[P + PLAN_X0]!,
    tp = I[P + PLAN_T]!,
    hpp = I[P + PLAN_HP]!;
  const hp = hpp >>> 3;
  const alpha = H[hp + HP_ALPHA]!;
  const nIn0 = I[P + PLAN_HEADER + L_NIN]!;
  const RL = P + PLAN_HEADER + (L - 1) * PLAN_LAYER_WORDS;
  const nOutL = I[RL + L_NOUT]!;
  const x0 = x0p >> 3,
    t = tp >> 3,
    lossesP = I[P + PLAN_LOSSES]!;
  const nb = Math.ceil(nSamples / batch);
  // plan v2 controls (src/abi.ts): each 0 when off
  const lrs = I[P + PLAN_LRS]! >>> 3,
    weights = I[P + PLAN_WEIGHTS]!,
    dropP = I[P + PLAN_DROPOUT]! >>> 3;
  const norms = I[P + PLAN_NORMS]!,
    seed = I[P + PLAN_SEED]! >>> 0,
    clip = H[hp + HP_CLIP]!;
  let nNeurons = 0;
  for (let l = 0; l < L; l++) nNeurons += I[P + PLAN_HEADER + l * PLAN_LAYER_WORDS + L_NOUT]!;
  let total = 0;
  for (let i = first; i < first + count; i++) {
    const e = Math.floor(i / nb);
    const p0 = (i - e * nb) * batch;
    const rows = Math.min(batch, nSamples - p0);
    const o = order + e * nSamples + p0;
    const W = weights !== 0 ? batchWeight(H, I, weights, o, rows) : 1;
    if (W === 0) {
      if (tid === 0 && lossesP !== 0) H[(lossesP >>> 3) + i] = 0;
      continue;
    }
    const key = H[hp + HP_STEP]! >>> 0;
    // 1. gather (rows split)
    for (let r = part(rows, tid, T); r < part(rows, tid + 1, T); r++) {
      const s = I[o + r]!;
      D.copyWithin(x0 + r * nIn0, xData + s * nIn0, xData + (s + 1) * nIn0);
      D.copyWithin(t + r * nOutL, yData + s * nOutL, yData + (s + 1) * nOutL);
    }
    if (!barrier(I, ctl, T)) return NaN;
    // 2. forward (neurons split; softmax rows split)
    let inp = x0p;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!,
        nOut = I[R + L_NOUT]!,
        z = I[R + L_Z]!,
        a = I[R + L_A]!,
        act = I[R + L_ACT]!;
      const j0 = part(nOut, tid, T),
        j1 = part(nOut, tid + 1, T);
      denseForwardRange(D, z, inp, I[R + L_W]!, I[R + L_B]!, rows, nIn, nOut, j0, j1);
      if (act === ACT_SOFTMAX) {
        if (!barrier(I, ctl, T)) return NaN;
        const r0 = part(rows, tid, T),
          r1 = part(rows, tid + 1, T);
        if (r1 > r0) activateImpl(D, a + r0 * nOut * 8, z + r0 * nOut * 8, r1 - r0, nOut, act, alpha);
      } else {
        activateCols(D, a, z, rows, nOut, act, alpha, j0, j1);
      }
      const rate = dropP !== 0 ? H[dropP + l]! : 0;
      if (rate > 0) dropoutCols(D, I, I[R + L_AD]!, a, rows, nOut, j0, j1, rate, seed, key, l, o);
      if (!barrier(I, ctl, T)) return NaN;
      inp = rate > 0 ? I[R + L_AD]! : a;
    }
    // 3. loss (thread 0) and the optimizer's step counters
    if (tid === 0) {
      const aL = I[RL + L_A]!,
        zL = I[RL + L_Z]!,
        dzL = I[RL + L_DZ]!;
      const batchLoss =
        weights !== 0
          ? weightedLoss(D, H, I, dzL, aL, zL, tp, rows, nOutL, lossKind, weights, o, W)
          : lossImpl(D, dzL, aL, zL, tp, rows, nOutL, lossKind);
      total += batchLoss;
      if (lossesP !== 0) H[(lossesP >>> 3) + i] = batchLoss;
      if (lossKind === LOSS_MSE) activateBackwardImpl(D, dzL, dzL, zL, aL, rows, nOutL, I[RL + L_ACT]!, alpha);
      if (lrs !== 0) H[hp + HP_LR] = H[lrs + i]!;
      if (opt === OPT_ADAM || opt === OPT_ADAMW) {
        H[hp + HP_BETA1_POW] = H[hp + HP_BETA1_POW]! * H[hp + HP_BETA1]!;
        H[hp + HP_BETA2_POW] = H[hp + HP_BETA2_POW]! * H[hp + HP_BETA2]!;
      }
      H[hp + HP_STEP] = H[hp + HP_STEP]! + 1;
    }
    if (!barrier(I, ctl, T)) return NaN;
    // 4. backward: weight gradients of own neurons, input gradient of own inputs
    for (let l = L - 1; l >= 0; l--) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!,
        nOut = I[R + L_NOUT]!;
      const ratePrev = l > 0 && dropP !== 0 ? H[dropP + l - 1]! : 0;
      const input = l > 0 ? I[R - PLAN_LAYER_WORDS + (ratePrev > 0 ? L_AD : L_A)]! : x0p;
      weightGradRange(
        D,
        I[R + L_DW]!,
        I[R + L_DB]!,
        I[R + L_DZ]!,
        input,
        rows,
        nIn,
        nOut,
        part(nOut, tid, T),
        part(nOut, tid + 1, T),
      );
      if (l > 0) {
        const Q = R - PLAN_LAYER_WORDS;
        const dzPrev = I[Q + L_DZ]!,
          k0 = part(nIn, tid, T),
          k1 = part(nIn, tid + 1, T);
        inputGradRange(D, dzPrev, I[R + L_DZ]!, I[R + L_W]!, rows, nIn, nOut, k0, k1);
        if (ratePrev > 0) dropoutCols(D, I, dzPrev, dzPrev, rows, nIn, k0, k1, ratePrev, seed, key, l - 1, o);
        activateBackwardCols(D, dzPrev, dzPrev, I[Q + L_Z]!, I[Q + L_A]!, rows, nIn, I[Q + L_ACT]!, alpha, k0, k1);
        if (!barrier(I, ctl, T)) return NaN;
      }
    }
    // clipping by the global norm: per-neuron squared norms by their owners, then one sum in index order
    if (clip > 0) {
      for (let l = 0, at = 0; l < L; l++) {
        const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
        const nOut = I[R + L_NOUT]!;
        rowNorms(
          D,
          H,
          norms,
          at,
          I[R + L_DW]!,
          I[R + L_DB]!,
          I[R + L_NIN]!,
          part(nOut, tid, T),
          part(nOut, tid + 1, T),
        );
        at += nOut;
      }
      if (!barrier(I, ctl, T)) return NaN;
      const f = clipScale(H, norms, nNeurons, clip);
      if (f !== 1) {
        for (let l = 0; l < L; l++) {
          const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
          const nIn = I[R + L_NIN]!,
            nOut = I[R + L_NOUT]!,
            j0 = part(nOut, tid, T),
            j1 = part(nOut, tid + 1, T);
          scaleData(D, I[R + L_DW]! + j0 * nIn * 8, (j1 - j0) * nIn, f);
          scaleData(D, I[R + L_DB]! + j0 * 8, j1 - j0, f);
        }
      }
    }
    // 5. update own rows of every layer
    const lr = H[hp + HP_LR]!,
      mu = H[hp + HP_BETA1]!,
      decay = H[hp + HP_DECAY]!;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!,
        nOut = I[R + L_NOUT]!;
      const j0 = part(nOut, tid, T),
        j1 = part(nOut, tid + 1, T);
      if (j1 === j0) continue;
      const wo = j0 * nIn * 8,
        bo = j0 * 8,
        nw = (j1 - j0) * nIn,
        nb = j1 - j0;
      if (opt === OPT_ADAM || opt === OPT_ADAMW) {
        const w = opt === OPT_ADAMW;
        adamImpl(D, H, I[R + L_W]! + wo, I[R + L_SW]! + wo, I[R + L_SW2]! + wo, I[R + L_DW]! + wo, nw, hpp, decay, w);
        adamImpl(D, H, I[R + L_B]! + bo, I[R + L_SB]! + bo, I[R + L_SB2]! + bo, I[R + L_DB]! + bo, nb, hpp, 0, w);
      } else if (opt === OPT_MOMENTUM) {
        momentumImpl(D, I[R + L_W]! + wo, I[R + L_SW]! + wo, I[R + L_DW]! + wo, nw, lr, mu, decay);
        momentumImpl(D, I[R + L_B]! + bo, I[R + L_SB]! + bo, I[R + L_DB]! + bo, nb, lr, mu, 0);
      } else {
        sgdImpl(D, I[R + L_W]! + wo, I[R + L_DW]! + wo, nw, lr, decay);
        sgdImpl(D, I[R + L_B]! + bo, I[R + L_DB]! + bo, nb, lr, 0);
      }
    }
    // the next gather overwrites x0, which other threads may still be reading for their weight gradients
    if (!barrier(I, ctl, T)) return NaN;
  }
  return total;
}
