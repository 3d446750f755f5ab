/**
 * The small-layer path of trainBatches (src/abi.ts): one thread, batch 1, every layer width ≤ TINY_MAX and
 * HP_GENERIC = 0. Each step reads its sample straight from xData/yData (no gather), runs the forward pass as one
 * dot product per neuron, and walks the layers backwards once: the input gradient (with the old weights) and the
 * optimizer update in the same loop over a layer's weights, without the per-step range bookkeeping, packing or
 * weight-gradient pass of the general path. The readable spec of assembly/tiny.ts and rust/src/tiny.rs.
 *
 * Same results as the general path, bit for bit: every sum runs in the same order (z = (Σ_k x_k·w_jk) + b_j,
 * dx_k = Σ_j dz_j·w_jk, both from 0 in index order), a batch-1 weight gradient is the single product dz_j·x_k, and
 * activations, loss and the momentum/adam steps are the general path's own functions.
 */
import {
  HP_ALPHA, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_GENERIC, HP_LR, HP_STEP,
  L_A, L_ACT, L_B, L_DB, L_DW, L_DZ, L_NIN, L_NOUT, L_SB, L_SB2, L_SW, L_SW2, L_W, L_Z, LOSS_MSE, OPT_ADAM, OPT_MOMENTUM,
  PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_LOSSES, PLAN_OPT, PLAN_ORDER,
  PLAN_XDATA, PLAN_YDATA, TINY_MAX,
} from '../../abi.js';
import { activateBackwardImpl, activateImpl } from './activation.js';
import type { F64, I32 } from './index.js';
import { lossImpl } from './loss.js';
import { adamImpl, momentumImpl } from './optim.js';

/** Whether trainBatches on one thread takes the small-layer path for this plan. */
export function isTiny(H: F64, I: I32, plan: number): boolean {
  const P = plan >> 2;
  if (I[P + PLAN_BATCH] !== 1 || H[(I[P + PLAN_HP]! >> 3) + HP_GENERIC] !== 0) return false;
  const L = I[P + PLAN_LAYERS]!;
  for (let l = 0; l < L; l++) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
    if (I[R + L_NIN]! > TINY_MAX || I[R + L_NOUT]! > TINY_MAX) return false;
  }
  return true;
}

/** trainBatches(plan, first, count) on the small-layer path (isTiny): one sample per step. */
export function trainTiny(H: F64, I: I32, plan: number, first: number, count: number): number {
  const P = plan >> 2;
  const L = I[P + PLAN_LAYERS]!, lossKind = I[P + PLAN_LOSS]!, opt = I[P + PLAN_OPT]!;
  const xData = I[P + PLAN_XDATA]!, yData = I[P + PLAN_YDATA]!, order = I[P + PLAN_ORDER]! >> 2;
  const hpp = I[P + PLAN_HP]!, hp = hpp >> 3, lossesP = I[P + PLAN_LOSSES]!;
  const alpha = H[hp + HP_ALPHA]!, lr = H[hp + HP_LR]!, mu = H[hp + HP_BETA1]!, decay = H[hp + HP_DECAY]!;
  const nIn0 = I[P + PLAN_HEADER + L_NIN]!;
  const RL = P + PLAN_HEADER + (L - 1) * PLAN_LAYER_WORDS;
  const nOutL = I[RL + L_NOUT]!, aL = I[RL + L_A]!, zL = I[RL + L_Z]!, dzL = I[RL + L_DZ]!, actL = I[RL + L_ACT]!;
  let total = 0;
  for (let i = first; i < first + count; i++) {
    // batch 1: batch i is position i of the epochs' orders laid back to back
    const s = I[order + i]!;
    const xp = xData + s * nIn0 * 8;
    // forward
    let inp = xp;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!, zp = I[R + L_Z]!, ap = I[R + L_A]!;
      const x = inp >> 3, b = I[R + L_B]! >> 3, z = zp >> 3;
      for (let j = 0, w = I[R + L_W]! >> 3; j < nOut; j++, w += nIn) {
        let sum = 0;
        for (let k = 0; k < nIn; k++) sum += H[x + k]! * H[w + k]!;
        H[z + j] = sum + H[b + j]!;
      }
      activateImpl(H, ap, zp, 1, nOut, I[R + L_ACT]!, alpha);
      inp = ap;
    }
    // loss, and the optimizer's step counters
    const loss = lossImpl(H, dzL, aL, zL, yData + s * nOutL * 8, 1, nOutL, lossKind);
    total += loss;
    if (lossesP !== 0) H[(lossesP >> 3) + i] = loss;
    if (lossKind === LOSS_MSE) activateBackwardImpl(H, dzL, dzL, zL, aL, 1, nOutL, actL, alpha);
    if (opt === OPT_ADAM) {
      H[hp + HP_BETA1_POW] = H[hp + HP_BETA1_POW]! * H[hp + HP_BETA1]!;
      H[hp + HP_BETA2_POW] = H[hp + HP_BETA2_POW]! * H[hp + HP_BETA2]!;
    }
    H[hp + HP_STEP] = H[hp + HP_STEP]! + 1;
    // backward and update, one pass per layer: dx with the old weights, then the step (sgd in the same loop)
    for (let l = L - 1; l >= 0; l--) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!;
      const Q = R - PLAN_LAYER_WORDS;
      const x = (l > 0 ? I[Q + L_A]! : xp) >> 3, dz = I[R + L_DZ]! >> 3, b = I[R + L_B]! >> 3;
      const dx = l > 0 ? I[Q + L_DZ]! >> 3 : -1;
      if (dx >= 0) for (let k = 0; k < nIn; k++) H[dx + k] = 0;
      if (opt !== OPT_ADAM && opt !== OPT_MOMENTUM) {
        for (let j = 0, w = I[R + L_W]! >> 3; j < nOut; j++, w += nIn) {
          const g = H[dz + j]!;
          if (dx >= 0) {
            for (let k = 0; k < nIn; k++) {
              const wk = H[w + k]!;
              H[dx + k] = H[dx + k]! + g * wk;
              H[w + k] = wk - lr * (g * H[x + k]! + decay * wk);
            }
          } else {
            for (let k = 0; k < nIn; k++) {
              const wk = H[w + k]!;
              H[w + k] = wk - lr * (g * H[x + k]! + decay * wk);
            }
          }
          const bj = H[b + j]!;
          H[b + j] = bj - lr * (g + 0 * bj);
        }
      } else {
        const db = I[R + L_DB]! >> 3;
        for (let j = 0, w = I[R + L_W]! >> 3, dw = I[R + L_DW]! >> 3; j < nOut; j++, w += nIn, dw += nIn) {
          const g = H[dz + j]!;
          if (dx >= 0) for (let k = 0; k < nIn; k++) H[dx + k] = H[dx + k]! + g * H[w + k]!;
          for (let k = 0; k < nIn; k++) H[dw + k] = g * H[x + k]!;
          H[db + j] = g;
        }
        const n = nOut * nIn;
        if (opt === OPT_ADAM) {
          adamImpl(H, I[R + L_W]!, I[R + L_SW]!, I[R + L_SW2]!, I[R + L_DW]!, n, hpp, decay);
          adamImpl(H, I[R + L_B]!, I[R + L_SB]!, I[R + L_SB2]!, I[R + L_DB]!, nOut, hpp, 0);
        } else if (opt === OPT_MOMENTUM) {
          momentumImpl(H, I[R + L_W]!, I[R + L_SW]!, I[R + L_DW]!, n, lr, mu, decay);
          momentumImpl(H, I[R + L_B]!, I[R + L_SB]!, I[R + L_DB]!, nOut, lr, mu, 0);
        }
      }
      if (l > 0) activateBackwardImpl(H, I[Q + L_DZ]!, I[Q + L_DZ]!, I[Q + L_Z]!, I[Q + L_A]!, 1, nIn, I[Q + L_ACT]!, alpha);
    }
  }
  return total;
}
