/**
 * The `js` backend's kernels: the ABI of src/abi.ts in plain JavaScript over one float64 heap, laid out like
 * assembly/ and rust/src/ so the three can be read side by side:
 *
 *   dense.ts       denseForward, denseBackward (and the row/column ranges the threaded step uses); f32/dense.ts
 *                  is denseForwardF32, denseBackwardF32
 *   activation.ts  activate, activateBackward
 *   loss.ts        loss
 *   optim.ts       sgdStep, momentumStep, adamStep
 *   train.ts       trainBatches, trainBatchesThreaded, forwardBatch, evaluateBatch, backwardBatch
 *   probe.ts       peakProbe (the bench's ceiling probe)
 *   views.ts       F64, I32: the heap views every kernel takes
 *
 * These files are the readable specification the AssemblyScript and Rust kernels follow, function for
 * function. Pointers are byte offsets into `memory.buffer`; the kernels take the heap's views as their first
 * arguments, and this module rebuilds those views whenever the buffer changed (growth).
 *
 * Element types: the plan-level entry points read PLAN_DTYPE and run the float64 kernels of this directory or their
 * float32 variants in f32/, which scripts/gen-js-f32.mjs generates from the same files (npm run gen:f32): the data
 * view becomes a Float32Array and every element operation is rounded with Math.fround (src/abi.ts). The small-layer
 * path (tiny.ts) is float64 only. Of the Mat-level exports only the dense kernels have float32 twins.
 */
import { DTYPE_F32, HP_DECAY, PLAN_DTYPE, type KernelExports } from '../../abi.js';
import { activateBackwardImpl, activateImpl } from './activation.js';
import { denseBackwardImpl, denseForwardRange } from './dense.js';
import { lossImpl } from './loss.js';
import { peakProbeF32Impl, peakProbeImpl } from './probe.js';
import { adamImpl, momentumImpl, sgdImpl } from './optim.js';
import { backwardImpl, evaluateImpl, forwardImpl, trainBatchesThreaded } from './train.js';
import * as f32 from './f32/train.js';
import * as f32dense from './f32/dense.js';
import { isTiny, trainTiny } from './tiny.js';
import type { F32, F64, I32 } from './views.js';

/** Anything with a `buffer` (a WebAssembly.Memory, or the js backend's own heap). */
export interface HeapMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export function createJsKernels(memory: HeapMemory): KernelExports {
  let buf: ArrayBuffer | SharedArrayBuffer | null = null;
  let H: F64 = new Float64Array(0);
  let S: F32 = new Float32Array(0);
  let I: I32 = new Int32Array(0);
  /** Rebuild the views when the buffer changed (growth); never keep a stale view (STYLE.md §4.5). */
  function views(): void {
    const b = memory.buffer;
    if (b !== buf) {
      buf = b;
      H = new Float64Array(b);
      S = new Float32Array(b);
      I = new Int32Array(b);
    }
  }
  const isF32 = (plan: number): boolean => I[(plan >> 2) + PLAN_DTYPE] === DTYPE_F32;
  function train(plan: number, first: number, count: number, tid: number, nthreads: number, ctl: number): number {
    views();
    if (isF32(plan)) return f32.trainBatchesThreaded(S, H, I, plan, first, count, tid, nthreads, ctl);
    if (nthreads === 1 && isTiny(H, I, plan)) return trainTiny(H, I, plan, first, count);
    return trainBatchesThreaded(H, H, I, plan, first, count, tid, nthreads, ctl);
  }

  return {
    heapBase: () => 0,
    denseForward(z, x, w, b, batch, nIn, nOut) {
      views();
      denseForwardRange(H, z, x, w, b, batch, nIn, nOut, 0, nOut);
    },
    activate(a, z, rows, cols, act, alpha) {
      views();
      activateImpl(H, a, z, rows, cols, act, alpha);
    },
    activateBackward(dz, da, z, a, rows, cols, act, alpha) {
      views();
      activateBackwardImpl(H, dz, da, z, a, rows, cols, act, alpha);
    },
    denseBackward(dx, dw, db, dz, x, w, batch, nIn, nOut) {
      views();
      denseBackwardImpl(H, dx, dw, db, dz, x, w, batch, nIn, nOut);
    },
    denseForwardF32(z, x, w, b, batch, nIn, nOut) {
      views();
      f32dense.denseForwardRange(S, z, x, w, b, batch, nIn, nOut, 0, nOut);
    },
    denseBackwardF32(dx, dw, db, dz, x, w, batch, nIn, nOut) {
      views();
      f32dense.denseBackwardImpl(S, dx, dw, db, dz, x, w, batch, nIn, nOut);
    },
    loss(d, a, z, t, rows, cols, kind) {
      views();
      return lossImpl(H, d, a, z, t, rows, cols, kind);
    },
    sgdStep(p, g, n, lr, decay) {
      views();
      sgdImpl(H, p, g, n, lr, decay);
    },
    momentumStep(p, v, g, n, lr, mu, decay) {
      views();
      momentumImpl(H, p, v, g, n, lr, mu, decay);
    },
    adamStep(p, m, v, g, n, hp) {
      views();
      adamImpl(H, H, p, m, v, g, n, hp, H[(hp >>> 3) + HP_DECAY]!, false);
    },
    trainBatches(plan, first, count) {
      return train(plan, first, count, 0, 1, 0);
    },
    trainBatchesThreaded(plan, first, count, tid, nthreads, ctl) {
      return train(plan, first, count, tid, nthreads, ctl);
    },
    forwardBatch(plan, rows) {
      views();
      if (isF32(plan)) f32.forwardImpl(S, H, I, plan, rows);
      else forwardImpl(H, H, I, plan, rows);
    },
    evaluateBatch(plan, rows) {
      views();
      return isF32(plan) ? f32.evaluateImpl(S, H, I, plan, rows) : evaluateImpl(H, H, I, plan, rows);
    },
    backwardBatch(plan, rows) {
      views();
      return isF32(plan) ? f32.backwardImpl(S, H, I, plan, rows) : backwardImpl(H, H, I, plan, rows);
    },
    peakProbe: peakProbeImpl,
    peakProbeF32: peakProbeF32Impl,
  };
}
