/**
 * The small-layer path of trainBatches (src/abi.ts): one thread, batch 1, every layer width ≤ TINY_MAX and
 * HP_GENERIC = 0. Each step reads its sample straight from xData/yData (no gather), runs the forward pass as one
 * dot product per neuron, and walks the layers backwards once: the input gradient (with the old weights) and the
 * optimizer update in the same loop over a layer's weights, without the per-step range bookkeeping, packing or
 * weight-gradient pass of the general path. The readable spec of assembly/tiny.ts and rust/src/tiny.rs.
 *
 * Same results as the general path, bit for bit: every sum runs in the same order (z = (Σ_k x_k·w_jk) + b_j,
 * dx_k = Σ_j dz_j·w_jk, both from 0 in index order), a batch-1 weight gradient is the single product dz_j·x_k, the
 * element-wise activations are activateImpl's formulas applied per neuron (act1, dact1), and softmax, the loss and the
 * momentum/adam steps are the general path's own functions.
 */
import {
  HP_ALPHA,
  HP_BETA1,
  HP_BETA1_POW,
  HP_BETA2,
  HP_BETA2_POW,
  HP_DECAY,
  HP_GENERIC,
  HP_LR,
  HP_STEP,
  L_A,
  L_ACT,
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
  OPT_MOMENTUM,
  HP_CLIP,
  OPT_ADAMW,
  PLAN_DROPOUT,
  PLAN_LRS,
  PLAN_WEIGHTS,
  PLAN_BATCH,
  PLAN_HEADER,
  PLAN_HP,
  PLAN_LAYER_WORDS,
  PLAN_LAYERS,
  PLAN_LOSS,
  PLAN_LOSSES,
  PLAN_OPT,
  PLAN_ORDER,
  PLAN_XDATA,
  PLAN_YDATA,
  TINY_MAX,
  ACT_SIGMOID,
  ACT_SOFTMAX,
  type PlanLayerRecord,
} from '../../abi.js';
import { act1, activateBackwardImpl, activateImpl, dact1 } from './activation.js';
import type { F64, I32 } from './views.js';
import { lossImpl } from './loss.js';
import { adamImpl, momentumImpl } from './optim.js';
import { tinyCodegen, tinyKernelFor } from './tiny-gen.js';

/** Whether trainBatches on one thread takes the small-layer path for this plan. */
export function isTiny(H: F64, I: I32, plan: number): boolean {
  const P = plan >> 2;
  if (I[P + PLAN_BATCH] !== 1 || H[(I[P + PLAN_HP]! >> 3) + HP_GENERIC] !== 0) return false;
  // plan v2 controls (a schedule, weights, dropout, clipping, adamw) take the general path: the same bits
  if (I[P + PLAN_LRS] !== 0 || I[P + PLAN_WEIGHTS] !== 0 || I[P + PLAN_DROPOUT] !== 0) return false;
  if (I[P + PLAN_OPT] === OPT_ADAMW || H[(I[P + PLAN_HP]! >> 3) + HP_CLIP] !== 0) return false;
  const L = I[P + PLAN_LAYERS]!;
  for (let l = 0; l < L; l++) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
    if (I[R + L_NIN]! > TINY_MAX || I[R + L_NOUT]! > TINY_MAX) return false;
  }
  return true;
}

/**
 * One layer's record, read once per call: widths, activation, the data blocks as float64 indices (w .. db) and the
 * optimizer state and the parameters' and gradients' blocks as byte offsets (sw .. sb2, wp, bp, dwp, dbp).
 */
interface Layer extends PlanLayerRecord {
  wp: number;
  bp: number;
  dwp: number;
  dbp: number;
}

function layers(I: I32, P: number): Layer[] {
  const out: Layer[] = [];
  for (let l = 0; l < I[P + PLAN_LAYERS]!; l++) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
    out.push({
      nIn: I[R + L_NIN]!,
      nOut: I[R + L_NOUT]!,
      act: I[R + L_ACT]!,
      w: I[R + L_W]! >> 3,
      b: I[R + L_B]! >> 3,
      z: I[R + L_Z]! >> 3,
      a: I[R + L_A]! >> 3,
      dz: I[R + L_DZ]! >> 3,
      dw: I[R + L_DW]! >> 3,
      db: I[R + L_DB]! >> 3,
      wp: I[R + L_W]!,
      bp: I[R + L_B]!,
      sw: I[R + L_SW]!,
      sw2: I[R + L_SW2]!,
      sb: I[R + L_SB]!,
      sb2: I[R + L_SB2]!,
      dwp: I[R + L_DW]!,
      dbp: I[R + L_DB]!,
    });
  }
  return out;
}

/** trainBatches(plan, first, count) on the small-layer path (isTiny): one sample per step. */
export function trainTiny(H: F64, I: I32, plan: number, first: number, count: number): number {
  // the shape-specialised generated kernel when there is one (tiny-gen.ts: SGD, small shapes, eval allowed)
  const gen = tinyKernelFor(I, plan);
  if (gen) {
    tinyCodegen.runs++;
    return gen(H, I, plan, first, count);
  }
  const P = plan >> 2;
  const lossKind = I[P + PLAN_LOSS]!,
    opt = I[P + PLAN_OPT]!;
  const xData = I[P + PLAN_XDATA]! >> 3,
    yData = I[P + PLAN_YDATA]!,
    order = I[P + PLAN_ORDER]! >> 2;
  const hpp = I[P + PLAN_HP]!,
    hp = hpp >> 3,
    lossesP = I[P + PLAN_LOSSES]!;
  const alpha = H[hp + HP_ALPHA]!,
    lr = H[hp + HP_LR]!,
    mu = H[hp + HP_BETA1]!,
    decay = H[hp + HP_DECAY]!;
  const lay = layers(I, P),
    L = lay.length;
  const nIn0 = lay[0]!.nIn,
    last = lay[L - 1]!,
    nOutL = last.nOut;
  const aL = last.a * 8,
    zL = last.z * 8,
    dzL = last.dz * 8;
  const sgd = opt !== OPT_ADAM && opt !== OPT_MOMENTUM;
  let total = 0;
  for (let i = first; i < first + count; i++) {
    // batch 1: batch i is position i of the epochs' orders laid back to back
    const s = I[order + i]!;
    const x0 = xData + s * nIn0;
    // forward: z = x·wᵀ + b and a = f(z) per neuron (softmax once the row is complete)
    let x = x0;
    for (let l = 0; l < L; l++) {
      const { nIn, nOut, act, b, z, a } = lay[l]!;
      let j = 0,
        w = lay[l]!.w;
      // two neurons at a time: two independent sums, each over k in order (one load of x per k)
      for (; j + 1 < nOut; j += 2, w += 2 * nIn) {
        let s0 = 0,
          s1 = 0;
        for (let k = 0, w1 = w + nIn; k < nIn; k++) {
          const xk = H[x + k]!;
          s0 += xk * H[w + k]!;
          s1 += xk * H[w1 + k]!;
        }
        H[z + j] = s0 + H[b + j]!;
        H[z + j + 1] = s1 + H[b + j + 1]!;
      }
      if (j < nOut) {
        let sum = 0;
        for (let k = 0; k < nIn; k++) sum += H[x + k]! * H[w + k]!;
        H[z + j] = sum + H[b + j]!;
      }
      // (sigmoid written out: V8 does not inline act1's switch, and a call per neuron is most of a tiny step)
      if (act === ACT_SIGMOID) for (let i = 0; i < nOut; i++) H[a + i] = 1 / (1 + Math.exp(-H[z + i]!));
      else if (act !== ACT_SOFTMAX) for (let i = 0; i < nOut; i++) H[a + i] = act1(H[z + i]!, act, alpha);
      if (act === ACT_SOFTMAX) activateImpl(H, a * 8, z * 8, 1, nOut, act, alpha);
      x = a;
    }
    // loss, and the optimizer's step counters
    let loss: number;
    if (lossKind === LOSS_MSE && last.act === ACT_SIGMOID) {
      // lossImpl's mse and activateBackwardImpl's sigmoid, per output (the common case, written out as above)
      const t = (yData >> 3) + s * nOutL,
        a = last.a,
        d = last.dz,
        f = 2 / nOutL;
      let sum = 0;
      for (let j = 0; j < nOutL; j++) {
        const v = H[a + j]!,
          e = v - H[t + j]!;
        sum += e * e;
        H[d + j] = f * e * (v * (1 - v));
      }
      loss = sum / nOutL;
    } else {
      loss = lossImpl(H, dzL, aL, zL, yData + s * nOutL * 8, 1, nOutL, lossKind);
      if (lossKind === LOSS_MSE) activateBackwardImpl(H, dzL, dzL, zL, aL, 1, nOutL, last.act, alpha);
    }
    total += loss;
    if (lossesP !== 0) H[(lossesP >> 3) + i] = loss;
    if (opt === OPT_ADAM) {
      H[hp + HP_BETA1_POW] = H[hp + HP_BETA1_POW]! * H[hp + HP_BETA1]!;
      H[hp + HP_BETA2_POW] = H[hp + HP_BETA2_POW]! * H[hp + HP_BETA2]!;
    }
    H[hp + HP_STEP] = H[hp + HP_STEP]! + 1;
    // backward and update, one pass per layer: dx with the old weights, then the step (sgd in the same loop)
    for (let l = L - 1; l >= 0; l--) {
      const { nIn, nOut, b, dz } = lay[l]!;
      const below = l > 0 ? lay[l - 1]! : null;
      const xin = below ? below.a : x0,
        dx = below ? below.dz : -1;
      if (dx >= 0) for (let k = 0; k < nIn; k++) H[dx + k] = 0;
      if (sgd) {
        let j = 0,
          w = lay[l]!.w;
        // two rows at a time: dx[k] += g0·w0k then += g1·w1k (j order kept), each weight's step element-wise
        for (; j + 1 < nOut; j += 2, w += 2 * nIn) {
          const g0 = H[dz + j]!,
            g1 = H[dz + j + 1]!,
            w1 = w + nIn;
          if (dx >= 0) {
            for (let k = 0; k < nIn; k++) {
              const c0 = H[w + k]!,
                c1 = H[w1 + k]!,
                xk = H[xin + k]!;
              H[dx + k] = H[dx + k]! + g0 * c0 + g1 * c1;
              H[w + k] = c0 - lr * (g0 * xk + decay * c0);
              H[w1 + k] = c1 - lr * (g1 * xk + decay * c1);
            }
          } else {
            for (let k = 0; k < nIn; k++) {
              const c0 = H[w + k]!,
                c1 = H[w1 + k]!,
                xk = H[xin + k]!;
              H[w + k] = c0 - lr * (g0 * xk + decay * c0);
              H[w1 + k] = c1 - lr * (g1 * xk + decay * c1);
            }
          }
          const b0 = H[b + j]!,
            b1 = H[b + j + 1]!;
          H[b + j] = b0 - lr * (g0 + 0 * b0);
          H[b + j + 1] = b1 - lr * (g1 + 0 * b1);
        }
        if (j < nOut) {
          const g = H[dz + j]!;
          for (let k = 0; k < nIn; k++) {
            const wk = H[w + k]!;
            if (dx >= 0) H[dx + k] = H[dx + k]! + g * wk;
            H[w + k] = wk - lr * (g * H[xin + k]! + decay * wk);
          }
          const bj = H[b + j]!;
          H[b + j] = bj - lr * (g + 0 * bj);
        }
      } else {
        const R = lay[l]!;
        for (let j = 0, w = R.w, dw = R.dw; j < nOut; j++, w += nIn, dw += nIn) {
          const g = H[dz + j]!;
          if (dx >= 0) for (let k = 0; k < nIn; k++) H[dx + k] = H[dx + k]! + g * H[w + k]!;
          for (let k = 0; k < nIn; k++) H[dw + k] = g * H[xin + k]!;
          H[R.db + j] = g;
        }
        const n = nOut * nIn;
        if (opt === OPT_ADAM) {
          adamImpl(H, H, R.wp, R.sw, R.sw2, R.dwp, n, hpp, decay, false);
          adamImpl(H, H, R.bp, R.sb, R.sb2, R.dbp, nOut, hpp, 0, false);
        } else {
          momentumImpl(H, R.wp, R.sw, R.dwp, n, lr, mu, decay);
          momentumImpl(H, R.bp, R.sb, R.dbp, nOut, lr, mu, 0);
        }
      }
      // dz of the layer below (never softmax: output only)
      if (below?.act === ACT_SIGMOID) {
        for (let k = 0; k < nIn; k++) {
          const v = H[below.a + k]!;
          H[dx + k] = H[dx + k]! * (v * (1 - v));
        }
      } else if (below) {
        for (let k = 0; k < nIn; k++) H[dx + k] = dact1(H[dx + k]!, H[below.z + k]!, H[below.a + k]!, below.act, alpha);
      }
    }
  }
  return total;
}
