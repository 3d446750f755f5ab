/**
 * trainBatches / trainBatchesThreaded / forwardBatch: walk the plan descriptor (src/abi.ts, PLAN_* / L_*
 * words, HP_* slots) and run whole optimizer steps inside the module, so an epoch crosses the JS/WASM
 * boundary once. Step order, ownership and barriers are those of src/kernels/js/
 * (trainBatchesThreaded); trainBatches is its one-thread case, so one code path serves both.
 *
 * The plan's PLAN_DTYPE word picks the element type T of its data blocks (DTYPE_F64: f64, DTYPE_F32: f32); each
 * entry point runs the <f64> or <f32> instance of one generic source. The hp, losses, learning rates, sample
 * weights, dropout rates and norms blocks are f64 for both.
 */
import {
  f64at, HP_ALPHA, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_CLIP, HP_DECAY, HP_LR, HP_STEP,
  L_A, L_ACT, L_AD, L_B, L_DB, L_DW, L_DZ, L_NIN, L_NOUT, L_SB, L_SB2, L_SW, L_SW2, L_W, L_Z, LOSS_MSE, OPT_ADAM, OPT_ADAMW,
  DTYPE_F32, PLAN_DROPOUT, PLAN_DTYPE, PLAN_LRS, PLAN_NORMS, PLAN_SEED, PLAN_WEIGHTS,
  OPT_MOMENTUM, PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_LOSSES, PLAN_OPT,
  PLAN_ORDER, PLAN_SAMPLES, PLAN_T, PLAN_X0, PLAN_XDATA, PLAN_YDATA, ptr, word, copyEl, ACT_SOFTMAX,
  MAX_THREADS, part, SCRATCH_BYTES, scratchBase, scratchOf, SPIN_FLOOR_SHIFT, SPIN_LIMIT, SPIN_PROBE, SYNC_ABORT, SYNC_COUNT, SYNC_PROGRESS, SYNC_SCRATCH, WAIT_NS,
} from './common';
import { denseForwardRange, inputGradRange, weightGradRange } from './dense';
import { activateBackwardCols, activateBackwardImpl, activateCols, activateImpl } from './activation';
import { lossImpl } from './loss';
import { adamStepDecay, adamwStep, momentumStepT, sgdStepT } from './optim';
import { batchWeight, clipScale, dropoutCols, rowNorms, scaleT, weightedLoss } from './controls';
import { isTiny, trainTiny } from './tiny';

// @ts-ignore: decorator
@inline
function layerRecord(plan: usize, l: i32): usize {
  return plan + (<usize>(PLAN_HEADER + l * PLAN_LAYER_WORDS) << 2);
}

/** The plan's element type is float32. */
// @ts-ignore: decorator
@inline
function isF32(plan: usize): bool {
  return word(plan, PLAN_DTYPE) == DTYPE_F32;
}

/** Step 2 of trainBatches: forward pass of every layer from x0, for `rows` ≤ batch rows (one thread). */
export function forwardBatch(plan: usize, rows: i32): void {
  // (rows is not checked against PLAN_BATCH: the host's predict/gradients plans leave PLAN_BATCH unset and
  // size the activation buffers for `rows` themselves)
  assert((plan & 15) == 0 && rows >= 0); // debug build only
  if (isF32(plan)) forwardT<f32>(plan, rows);
  else forwardT<f64>(plan, rows);
}

function forwardT<T>(plan: usize, rows: i32): void {
  const L = word(plan, PLAN_LAYERS);
  const alpha = f64at(ptr(plan, PLAN_HP), HP_ALPHA);
  let inp = ptr(plan, PLAN_X0);
  for (let l = 0; l < L; l++) {
    const R = layerRecord(plan, l);
    const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), z = ptr(R, L_Z), a = ptr(R, L_A);
    denseForwardRange<T>(z, inp, ptr(R, L_W), ptr(R, L_B), rows, nIn, nOut, 0, nOut, scratchBase());
    activateImpl<T>(a, z, rows, nOut, word(R, L_ACT), alpha);
    inp = a;
  }
}

/** evaluateBatch (src/abi.ts): forward from x0 and the loss against t (its gradient into the output layer's dz). */
export function evaluateBatch(plan: usize, rows: i32): f64 {
  return isF32(plan) ? evaluateT<f32>(plan, rows) : evaluateT<f64>(plan, rows);
}

function evaluateT<T>(plan: usize, rows: i32): f64 {
  forwardT<T>(plan, rows);
  const RL = layerRecord(plan, word(plan, PLAN_LAYERS) - 1);
  const nOutL = word(RL, L_NOUT);
  return lossImpl<T>(ptr(RL, L_DZ), ptr(RL, L_A), ptr(RL, L_Z), ptr(plan, PLAN_T), rows, nOutL, word(plan, PLAN_LOSS));
}

/** backwardBatch (src/abi.ts): evaluateBatch, then every layer's dw, db and dz; no update. */
export function backwardBatch(plan: usize, rows: i32): f64 {
  return isF32(plan) ? backwardT<f32>(plan, rows) : backwardT<f64>(plan, rows);
}

function backwardT<T>(plan: usize, rows: i32): f64 {
  const total = evaluateT<T>(plan, rows);
  const L = word(plan, PLAN_LAYERS), lossKind = word(plan, PLAN_LOSS);
  const alpha = f64at(ptr(plan, PLAN_HP), HP_ALPHA);
  const RL = layerRecord(plan, L - 1);
  const nOutL = word(RL, L_NOUT), aL = ptr(RL, L_A), zL = ptr(RL, L_Z), dzL = ptr(RL, L_DZ);
  if (lossKind == LOSS_MSE) activateBackwardImpl<T>(dzL, dzL, zL, aL, rows, nOutL, word(RL, L_ACT), alpha);
  for (let l = L - 1; l >= 0; l--) {
    const R = layerRecord(plan, l);
    const nIn = word(R, L_NIN), nOut = word(R, L_NOUT);
    const input = l > 0 ? ptr(layerRecord(plan, l - 1), L_A) : ptr(plan, PLAN_X0);
    weightGradRange<T>(ptr(R, L_DW), ptr(R, L_DB), ptr(R, L_DZ), input, rows, nIn, nOut, 0, nOut, scratchBase());
    if (l > 0) {
      const Q = layerRecord(plan, l - 1), dzPrev = ptr(Q, L_DZ);
      inputGradRange<T>(dzPrev, ptr(R, L_DZ), ptr(R, L_W), rows, nIn, nOut, 0, nIn, scratchBase());
      activateBackwardImpl<T>(dzPrev, dzPrev, ptr(Q, L_Z), ptr(Q, L_A), rows, nIn, word(Q, L_ACT), alpha);
    }
  }
  return total;
}

/** Runs batches first..first+count-1 of the plan (one optimizer step each); returns the summed loss. */
export function trainBatches(plan: usize, first: i32, count: i32): f64 {
  return trainBatchesThreaded(plan, first, count, 0, 1, 0);
}

// @ts-ignore: decorator
@inline
function syncWord(ctl: usize, i: i32): usize {
  return ctl + (<usize>i << 2);
}

/**
 * This thread's current poll budget (module globals: one per instance, so one per worker thread), as src/abi.ts
 * states it: halved by a wait that had to sleep (down to SPIN_LIMIT >> SPIN_FLOOR_SHIFT), doubled by one that ended while polling,
 * back to SPIN_LIMIT after SPIN_PROBE sleeps at the floor.
 */
let spinBudget: i32 = SPIN_LIMIT;
let floorSleeps: i32 = 0;

/** The barrier of the thread contract (src/abi.ts, trainBatchesThreaded); false when SYNC_ABORT is set. */
function barrier(ctl: usize, n: i32): bool {
  if (n == 1) return true;
  const countP = syncWord(ctl, SYNC_COUNT), abortP = syncWord(ctl, SYNC_ABORT);
  const arrived = atomic.add<i32>(countP, 1) + 1;
  const target = ((arrived + n - 1) / n) * n;
  if (arrived == target) {
    atomic.add<i32>(syncWord(ctl, SYNC_PROGRESS), 1);
    atomic.notify(countP, -1);
  } else {
    let spins = 0;
    for (;;) {
      const seen = atomic.load<i32>(countP);
      if (seen >= target) break;
      if (atomic.load<i32>(abortP) != 0) return false;
      if (++spins > spinBudget) memory.atomic.wait32(countP, seen, WAIT_NS);
    }
    if (spins <= spinBudget) spinBudget = min(SPIN_LIMIT, spinBudget << 1);
    else if (spinBudget > SPIN_LIMIT >> SPIN_FLOOR_SHIFT) spinBudget = max(SPIN_LIMIT >> SPIN_FLOOR_SHIFT, spinBudget >> 1);
    else if (++floorSleeps >= SPIN_PROBE) {
      // two threads that both sleep would keep each other's waits longer than the floor: poll in full again
      floorSleeps = 0;
      spinBudget = SPIN_LIMIT;
    }
  }
  return atomic.load<i32>(abortP) == 0;
}

/** trainBatchesThreaded as src/abi.ts states it (steps, ownership, barriers); this is thread `tid` (< MAX_THREADS). */
export function trainBatchesThreaded(plan: usize, first: i32, count: i32, tid: i32, nthreads: i32, ctl: usize): f64 {
  assert((plan & 15) == 0 && first >= 0 && count >= 0 && tid >= 0 && tid < nthreads && nthreads <= MAX_THREADS);
  if (isF32(plan)) return trainT<f32>(plan, first, count, tid, nthreads, ctl);
  // the small-layer path is float64 only (float32 plans take the general path, which gives the same bits)
  if (nthreads == 1 && isTiny(plan)) return trainTiny(plan, first, count);
  return trainT<f64>(plan, first, count, tid, nthreads, ctl);
}

function trainT<E>(plan: usize, first: i32, count: i32, tid: i32, nthreads: i32, ctl: usize): f64 {
  const T = nthreads;
  // a pool's own scratch (SYNC_SCRATCH) when the host gave one, so two pools on one memory, or a pool and the host
  // thread's stand-alone kernels, never pack into the same region
  const pool: usize = ctl != 0 ? <usize>atomic.load<i32>(syncWord(ctl, SYNC_SCRATCH)) : 0;
  const scratch = pool != 0 ? pool + <usize>tid * SCRATCH_BYTES : scratchOf(tid);
  const L = word(plan, PLAN_LAYERS), batch = word(plan, PLAN_BATCH);
  const lossKind = word(plan, PLAN_LOSS), opt = word(plan, PLAN_OPT);
  const xData = ptr(plan, PLAN_XDATA), yData = ptr(plan, PLAN_YDATA), order = ptr(plan, PLAN_ORDER);
  const nSamples = word(plan, PLAN_SAMPLES);
  const x0 = ptr(plan, PLAN_X0), t = ptr(plan, PLAN_T), hp = ptr(plan, PLAN_HP), losses = ptr(plan, PLAN_LOSSES);
  const alpha = f64at(hp, HP_ALPHA);
  const xRowB = <usize>word(layerRecord(plan, 0), L_NIN) << alignof<E>();
  const RL = layerRecord(plan, L - 1);
  const nOutL = word(RL, L_NOUT);
  const tRowB = <usize>nOutL << alignof<E>();
  const aL = ptr(RL, L_A), zL = ptr(RL, L_Z), dzL = ptr(RL, L_DZ), actL = word(RL, L_ACT);
  const nb = (nSamples + batch - 1) / batch;
  // plan v2 controls (src/abi.ts): each 0 when off
  const lrs = ptr(plan, PLAN_LRS), weights = ptr(plan, PLAN_WEIGHTS), dropP = ptr(plan, PLAN_DROPOUT);
  const norms = ptr(plan, PLAN_NORMS), seed = <u32>word(plan, PLAN_SEED), clip = f64at(hp, HP_CLIP);
  let nNeurons = 0;
  for (let l = 0; l < L; l++) nNeurons += word(layerRecord(plan, l), L_NOUT);
  let total = 0.0;
  for (let i = first; i < first + count; i++) {
    const e = i / nb;
    const p0 = (i - e * nb) * batch;
    const rows = min(batch, nSamples - p0);
    const o = order + ((<usize>e * <usize>nSamples + <usize>p0) << 2);
    const W = weights != 0 ? batchWeight(weights, o, rows) : 1.0;
    if (W == 0.0) {
      if (tid == 0 && losses != 0) store<f64>(losses + (<usize>i << 3), 0.0);
      continue;
    }
    const key = <u32><i64>f64at(hp, HP_STEP);
    // 1. gather (rows split)
    for (let r = part(rows, tid, T), r1 = part(rows, tid + 1, T); r < r1; r++) {
      const s = <usize>load<i32>(o + (<usize>r << 2));
      copyEl<E>(x0 + <usize>r * xRowB, xData + s * xRowB, xRowB);
      copyEl<E>(t + <usize>r * tRowB, yData + s * tRowB, tRowB);
    }
    if (!barrier(ctl, T)) return NaN;
    // 2. forward (neurons split; softmax rows split)
    let inp = x0;
    for (let l = 0; l < L; l++) {
      const R = layerRecord(plan, l);
      const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), z = ptr(R, L_Z), a = ptr(R, L_A), act = word(R, L_ACT);
      const j0 = part(nOut, tid, T), j1 = part(nOut, tid + 1, T);
      denseForwardRange<E>(z, inp, ptr(R, L_W), ptr(R, L_B), rows, nIn, nOut, j0, j1, scratch);
      if (act == ACT_SOFTMAX) {
        if (!barrier(ctl, T)) return NaN;
        const r0 = part(rows, tid, T), r1 = part(rows, tid + 1, T);
        if (r1 > r0) {
          const ro = <usize>r0 * (<usize>nOut << alignof<E>());
          activateImpl<E>(a + ro, z + ro, r1 - r0, nOut, act, alpha);
        }
      } else {
        activateCols<E>(a, z, rows, nOut, act, alpha, j0, j1);
      }
      const rate = dropP != 0 ? f64at(dropP, l) : 0.0;
      if (rate > 0.0) dropoutCols<E>(ptr(R, L_AD), a, rows, nOut, j0, j1, rate, seed, key, l, o);
      if (!barrier(ctl, T)) return NaN;
      inp = rate > 0.0 ? ptr(R, L_AD) : a;
    }
    // 3. loss (thread 0) and the optimizer's step counters
    if (tid == 0) {
      const batchLoss = weights != 0
        ? weightedLoss<E>(dzL, aL, zL, t, rows, nOutL, lossKind, weights, o, W)
        : lossImpl<E>(dzL, aL, zL, t, rows, nOutL, lossKind);
      total += batchLoss;
      if (losses != 0) store<f64>(losses + (<usize>i << 3), batchLoss);
      if (lossKind == LOSS_MSE) activateBackwardImpl<E>(dzL, dzL, zL, aL, rows, nOutL, actL, alpha);
      if (lrs != 0) store<f64>(hp + (<usize>HP_LR << 3), f64at(lrs, i));
      if (opt == OPT_ADAM || opt == OPT_ADAMW) {
        store<f64>(hp + (<usize>HP_BETA1_POW << 3), f64at(hp, HP_BETA1_POW) * f64at(hp, HP_BETA1));
        store<f64>(hp + (<usize>HP_BETA2_POW << 3), f64at(hp, HP_BETA2_POW) * f64at(hp, HP_BETA2));
      }
      store<f64>(hp + (<usize>HP_STEP << 3), f64at(hp, HP_STEP) + 1.0);
    }
    if (!barrier(ctl, T)) return NaN;
    // 4. backward: weight gradients of own neurons, input gradient of own inputs
    for (let l = L - 1; l >= 0; l--) {
      const R = layerRecord(plan, l);
      const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), dz = ptr(R, L_DZ);
      const Q = R - (<usize>PLAN_LAYER_WORDS << 2);
      const ratePrev = l > 0 && dropP != 0 ? f64at(dropP, l - 1) : 0.0;
      const input = l > 0 ? ptr(Q, ratePrev > 0.0 ? L_AD : L_A) : x0;
      weightGradRange<E>(ptr(R, L_DW), ptr(R, L_DB), dz, input, rows, nIn, nOut, part(nOut, tid, T), part(nOut, tid + 1, T), scratch);
      if (l > 0) {
        const dzPrev = ptr(Q, L_DZ), k0 = part(nIn, tid, T), k1 = part(nIn, tid + 1, T);
        inputGradRange<E>(dzPrev, dz, ptr(R, L_W), rows, nIn, nOut, k0, k1, scratch);
        if (ratePrev > 0.0) dropoutCols<E>(dzPrev, dzPrev, rows, nIn, k0, k1, ratePrev, seed, key, l - 1, o);
        activateBackwardCols<E>(dzPrev, dzPrev, ptr(Q, L_Z), ptr(Q, L_A), rows, nIn, word(Q, L_ACT), alpha, k0, k1);
        if (!barrier(ctl, T)) return NaN;
      }
    }
    // clipping by the global norm: per-neuron squared norms by their owners, then one sum in index order
    if (clip > 0.0) {
      let at = 0;
      for (let l = 0; l < L; l++) {
        const R = layerRecord(plan, l);
        const nOut = word(R, L_NOUT);
        rowNorms<E>(norms, at, ptr(R, L_DW), ptr(R, L_DB), word(R, L_NIN), part(nOut, tid, T), part(nOut, tid + 1, T));
        at += nOut;
      }
      if (!barrier(ctl, T)) return NaN;
      const f = clipScale(norms, nNeurons, clip);
      if (f != 1.0) {
        for (let l = 0; l < L; l++) {
          const R = layerRecord(plan, l);
          const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), j0 = part(nOut, tid, T), j1 = part(nOut, tid + 1, T);
          scaleT<E>(ptr(R, L_DW) + ((<usize>j0 * <usize>nIn) << alignof<E>()), (j1 - j0) * nIn, f);
          scaleT<E>(ptr(R, L_DB) + (<usize>j0 << alignof<E>()), j1 - j0, f);
        }
      }
    }
    // 5. update own rows of every layer
    const lr = f64at(hp, HP_LR), mu = f64at(hp, HP_BETA1), decay = f64at(hp, HP_DECAY);
    for (let l = 0; l < L; l++) {
      const R = layerRecord(plan, l);
      const nIn = word(R, L_NIN), nOut = word(R, L_NOUT);
      const j0 = part(nOut, tid, T), j1 = part(nOut, tid + 1, T);
      if (j1 <= j0) continue;
      const wo = (<usize>j0 * <usize>nIn) << alignof<E>(), bo = <usize>j0 << alignof<E>();
      const nw = (j1 - j0) * nIn, nbias = j1 - j0;
      if (opt == OPT_ADAMW) {
        adamwStep<E>(ptr(R, L_W) + wo, ptr(R, L_SW) + wo, ptr(R, L_SW2) + wo, ptr(R, L_DW) + wo, nw, hp, decay);
        adamwStep<E>(ptr(R, L_B) + bo, ptr(R, L_SB) + bo, ptr(R, L_SB2) + bo, ptr(R, L_DB) + bo, nbias, hp, 0.0);
      } else if (opt == OPT_ADAM) {
        adamStepDecay<E>(ptr(R, L_W) + wo, ptr(R, L_SW) + wo, ptr(R, L_SW2) + wo, ptr(R, L_DW) + wo, nw, hp, decay);
        adamStepDecay<E>(ptr(R, L_B) + bo, ptr(R, L_SB) + bo, ptr(R, L_SB2) + bo, ptr(R, L_DB) + bo, nbias, hp, 0.0);
      } else if (opt == OPT_MOMENTUM) {
        momentumStepT<E>(ptr(R, L_W) + wo, ptr(R, L_SW) + wo, ptr(R, L_DW) + wo, nw, lr, mu, decay);
        momentumStepT<E>(ptr(R, L_B) + bo, ptr(R, L_SB) + bo, ptr(R, L_DB) + bo, nbias, lr, mu, 0.0);
      } else {
        sgdStepT<E>(ptr(R, L_W) + wo, ptr(R, L_DW) + wo, nw, lr, decay);
        sgdStepT<E>(ptr(R, L_B) + bo, ptr(R, L_DB) + bo, nbias, lr, 0.0);
      }
    }
    // the next gather overwrites x0, which other threads may still be reading for their weight gradients
    if (!barrier(ctl, T)) return NaN;
  }
  return total;
}
