/**
 * The small-layer path of trainBatches: one thread, batch 1, every width ≤ TINY_MAX, HP_GENERIC = 0, float64 plans.
 * A port of src/kernels/js/tiny.ts (the spec: why, and why the results equal the general path's): per step, one
 * dot product per neuron forward, then one pass per layer backwards that forms the input gradient with the old
 * weights and applies the update (sgd in the same loop), with no gather, range bookkeeping or packing scratch.
 */
import {
  HP_CLIP, OPT_ADAMW, PLAN_DROPOUT, PLAN_LRS, PLAN_WEIGHTS,
  f64at, HP_ALPHA, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_GENERIC, HP_LR, HP_STEP,
  L_A, L_ACT, L_B, L_DB, L_DW, L_DZ, L_NIN, L_NOUT, L_SB, L_SB2, L_SW, L_SW2, L_W, L_Z, LOSS_MSE, OPT_ADAM,
  OPT_MOMENTUM, PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_LOSSES, PLAN_OPT,
  PLAN_ORDER, PLAN_T, PLAN_XDATA, PLAN_YDATA, ptr, TINY_MAX, word, ACT_SIGMOID,
} from './common';
import { activateBackwardImpl, activateImpl } from './activation';
import { lossImpl } from './loss';
import { adamStepDecay, momentumStepT } from './optim';

// @ts-ignore: decorator
@inline
function rec(plan: usize, l: i32): usize {
  return plan + (<usize>(PLAN_HEADER + l * PLAN_LAYER_WORDS) << 2);
}

/** Whether trainBatches on one thread takes the small-layer path for this plan. */
export function isTiny(plan: usize): bool {
  if (word(plan, PLAN_BATCH) != 1 || f64at(ptr(plan, PLAN_HP), HP_GENERIC) != 0.0) return false;
  // plan v2 controls (a schedule, weights, dropout, clipping, adamw) take the general path: the same bits
  if (word(plan, PLAN_LRS) != 0 || word(plan, PLAN_WEIGHTS) != 0 || word(plan, PLAN_DROPOUT) != 0) return false;
  if (word(plan, PLAN_OPT) == OPT_ADAMW || f64at(ptr(plan, PLAN_HP), HP_CLIP) != 0.0) return false;
  const L = word(plan, PLAN_LAYERS);
  for (let l = 0; l < L; l++) {
    const R = rec(plan, l);
    if (word(R, L_NIN) > TINY_MAX || word(R, L_NOUT) > TINY_MAX) return false;
  }
  return true;
}

/**
 * Two weight rows w0, w1 (neurons j, j+1) against input x (inB bytes): dx[k] += g0·w0k, then dx[k] += g1·w1k (dx = 0:
 * none), and the sgd step w = w - lr·(g·x_k + decay·w) with the old weights.
 */
// @ts-ignore: decorator
@inline
function sgdRows2(dx: usize, w0: usize, w1: usize, x: usize, inB: usize, g0: f64, g1: f64, lr: f64, decay: f64): void {
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const G0 = f64x2.splat(g0), G1 = f64x2.splat(g1), LR = f64x2.splat(lr), D = f64x2.splat(decay);
    for (; k + 16 <= inB; k += 16) {
      const a = v128.load(w0 + k), c = v128.load(w1 + k), xv = v128.load(x + k);
      if (dx != 0) v128.store(dx + k, f64x2.add(f64x2.add(v128.load(dx + k), f64x2.mul(G0, a)), f64x2.mul(G1, c)));
      v128.store(w0 + k, f64x2.sub(a, f64x2.mul(LR, f64x2.add(f64x2.mul(G0, xv), f64x2.mul(D, a)))));
      v128.store(w1 + k, f64x2.sub(c, f64x2.mul(LR, f64x2.add(f64x2.mul(G1, xv), f64x2.mul(D, c)))));
    }
  }
  for (; k < inB; k += 8) {
    const a = load<f64>(w0 + k), c = load<f64>(w1 + k), xk = load<f64>(x + k);
    if (dx != 0) store<f64>(dx + k, (load<f64>(dx + k) + g0 * a) + g1 * c);
    store<f64>(w0 + k, a - lr * (g0 * xk + decay * a));
    store<f64>(w1 + k, c - lr * (g1 * xk + decay * c));
  }
}

/** trainBatches(plan, first, count) on the small-layer path (isTiny): one sample per step. */
export function trainTiny(plan: usize, first: i32, count: i32): f64 {
  const L = word(plan, PLAN_LAYERS), lossKind = word(plan, PLAN_LOSS), opt = word(plan, PLAN_OPT);
  const xData = ptr(plan, PLAN_XDATA), yData = ptr(plan, PLAN_YDATA), order = ptr(plan, PLAN_ORDER);
  const t = ptr(plan, PLAN_T), hp = ptr(plan, PLAN_HP), losses = ptr(plan, PLAN_LOSSES);
  const alpha = f64at(hp, HP_ALPHA), lr = f64at(hp, HP_LR), mu = f64at(hp, HP_BETA1), decay = f64at(hp, HP_DECAY);
  const xRowB = <usize>word(rec(plan, 0), L_NIN) << 3;
  const RL = rec(plan, L - 1);
  const nOutL = word(RL, L_NOUT), tRowB = <usize>nOutL << 3;
  const aL = ptr(RL, L_A), zL = ptr(RL, L_Z), dzL = ptr(RL, L_DZ), actL = word(RL, L_ACT);
  let total = 0.0;
  for (let i = first; i < first + count; i++) {
    // batch 1: batch i is position i of the epochs' orders laid back to back
    const s = <usize>load<i32>(order + (<usize>i << 2));
    const xp = xData + s * xRowB;
    // forward
    let inp = xp;
    for (let l = 0; l < L; l++) {
      const R = rec(plan, l);
      const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), z = ptr(R, L_Z), a = ptr(R, L_A), b = ptr(R, L_B);
      const inB = <usize>nIn << 3;
      let w = ptr(R, L_W);
      let j = 0;
      // two neurons at a time: two independent sums, each over k in order (one load of x per k)
      for (; j + 1 < nOut; j += 2) {
        const w1 = w + inB;
        const zj = z + (<usize>j << 3), bj = b + (<usize>j << 3);
        let k: usize = 0;
        // (a layer of one or two inputs takes the scalar loop: one f64x2 step with its shuffles cost more than the
        // two scalar ones, 0.33 against 0.35 ms for the tutorial's 1000 epochs; the same bits either way)
        if (ASC_FEATURE_SIMD && inB > 16) {
          // the two sums in the lanes of one f64x2 (lane 0 neuron j, lane 1 neuron j+1), two inputs per step: each
          // lane still adds x_k·w_k in k order with a separate multiply and add, so the bits are the scalar loop's
          let acc = f64x2.splat(0.0);
          for (; k + 16 <= inB; k += 16) {
            const a0 = v128.load(w + k), a1 = v128.load(w1 + k);
            acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(inp + k), v128.shuffle<f64>(a0, a1, 0, 2)));
            acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(inp + k + 8), v128.shuffle<f64>(a0, a1, 1, 3)));
          }
          if (k < inB) {
            acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(inp + k), f64x2.replace_lane(f64x2.splat(load<f64>(w + k)), 1, load<f64>(w1 + k))));
          }
          v128.store(zj, f64x2.add(acc, v128.load(bj)));
        } else {
          let s0 = 0.0, s1 = 0.0;
          for (; k < inB; k += 8) {
            const xk = load<f64>(inp + k);
            s0 += xk * load<f64>(w + k);
            s1 += xk * load<f64>(w1 + k);
          }
          store<f64>(zj, s0 + load<f64>(bj));
          store<f64>(zj, s1 + load<f64>(bj, 8), 8);
        }
        w = w1 + inB;
      }
      if (j < nOut) {
        let sum = 0.0;
        for (let k: usize = 0; k < inB; k += 8) sum += load<f64>(inp + k) * load<f64>(w + k);
        store<f64>(z + (<usize>j << 3), sum + load<f64>(b + (<usize>j << 3)));
      }
      // sigmoid written out (the common case; activateImpl's formula), anything else through activateImpl
      const act = word(R, L_ACT), outB = <usize>nOut << 3;
      if (act == ACT_SIGMOID) {
        for (let i: usize = 0; i < outB; i += 8) store<f64>(a + i, 1.0 / (1.0 + Math.exp(-load<f64>(z + i))));
      } else {
        activateImpl<f64>(a, z, 1, nOut, act, alpha);
      }
      inp = a;
    }
    // loss, and the optimizer's step counters
    const ys = yData + s * tRowB;
    let batchLoss: f64;
    if (lossKind == LOSS_MSE && actL == ACT_SIGMOID) {
      // loss()'s mse and activateBackwardImpl's sigmoid, per output (the common case, written out)
      const f = 2.0 / <f64>nOutL;
      let sum = 0.0;
      for (let k: usize = 0; k < tRowB; k += 8) {
        const v = load<f64>(aL + k), e = v - load<f64>(ys + k);
        sum += e * e;
        store<f64>(dzL + k, f * e * (v * (1.0 - v)));
      }
      batchLoss = sum / <f64>nOutL;
    } else {
      // (the target row copied to t: loss() wants 16-byte aligned rows)
      for (let k: usize = 0; k < tRowB; k += 8) store<f64>(t + k, load<f64>(ys + k));
      batchLoss = lossImpl<f64>(dzL, aL, zL, t, 1, nOutL, lossKind);
      if (lossKind == LOSS_MSE) activateBackwardImpl<f64>(dzL, dzL, zL, aL, 1, nOutL, actL, alpha);
    }
    total += batchLoss;
    if (losses != 0) store<f64>(losses + (<usize>i << 3), batchLoss);
    if (opt == OPT_ADAM) {
      store<f64>(hp + (<usize>HP_BETA1_POW << 3), f64at(hp, HP_BETA1_POW) * f64at(hp, HP_BETA1));
      store<f64>(hp + (<usize>HP_BETA2_POW << 3), f64at(hp, HP_BETA2_POW) * f64at(hp, HP_BETA2));
    }
    store<f64>(hp + (<usize>HP_STEP << 3), f64at(hp, HP_STEP) + 1.0);
    // backward and update, one pass per layer: dx with the old weights, then the step (sgd in the same loop)
    for (let l = L - 1; l >= 0; l--) {
      const R = rec(plan, l);
      const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), dz = ptr(R, L_DZ), b = ptr(R, L_B);
      const inB = <usize>nIn << 3;
      const Q = R - (<usize>PLAN_LAYER_WORDS << 2);
      const x = l > 0 ? ptr(Q, L_A) : xp;
      const dx: usize = l > 0 ? ptr(Q, L_DZ) : 0;
      if (dx != 0) for (let k: usize = 0; k < inB; k += 8) store<f64>(dx + k, 0.0);
      let w = ptr(R, L_W);
      if (opt != OPT_ADAM && opt != OPT_MOMENTUM) {
        let j = 0;
        // two rows at a time: dx[k] += g0·w0k then += g1·w1k (j order kept), each weight's step element-wise;
        // f64x2 over k in the SIMD builds (element-wise, so the same roundings as the scalar loop)
        for (; j + 1 < nOut; j += 2) {
          const w1 = w + inB;
          const g0 = load<f64>(dz + (<usize>j << 3)), g1 = load<f64>(dz + (<usize>j << 3), 8);
          sgdRows2(dx, w, w1, x, inB, g0, g1, lr, decay);
          const bp = b + (<usize>j << 3), b0 = load<f64>(bp), b1 = load<f64>(bp, 8);
          store<f64>(bp, b0 - lr * (g0 + 0.0 * b0));
          store<f64>(bp, b1 - lr * (g1 + 0.0 * b1), 8);
          w = w1 + inB;
        }
        if (j < nOut) {
          const g = load<f64>(dz + (<usize>j << 3));
          for (let k: usize = 0; k < inB; k += 8) {
            const wk = load<f64>(w + k);
            if (dx != 0) store<f64>(dx + k, load<f64>(dx + k) + g * wk);
            store<f64>(w + k, wk - lr * (g * load<f64>(x + k) + decay * wk));
          }
          const bp = b + (<usize>j << 3), bj = load<f64>(bp);
          store<f64>(bp, bj - lr * (g + 0.0 * bj));
        }
      } else {
        const db = ptr(R, L_DB);
        let dw = ptr(R, L_DW);
        for (let j = 0; j < nOut; j++) {
          const g = load<f64>(dz + (<usize>j << 3));
          if (dx != 0) for (let k: usize = 0; k < inB; k += 8) store<f64>(dx + k, load<f64>(dx + k) + g * load<f64>(w + k));
          for (let k: usize = 0; k < inB; k += 8) store<f64>(dw + k, g * load<f64>(x + k));
          store<f64>(db + (<usize>j << 3), g);
          w += inB;
          dw += inB;
        }
        const n = nOut * nIn;
        if (opt == OPT_ADAM) {
          adamStepDecay<f64>(ptr(R, L_W), ptr(R, L_SW), ptr(R, L_SW2), ptr(R, L_DW), n, hp, decay);
          adamStepDecay<f64>(b, ptr(R, L_SB), ptr(R, L_SB2), db, nOut, hp, 0.0);
        } else {
          momentumStepT<f64>(ptr(R, L_W), ptr(R, L_SW), ptr(R, L_DW), n, lr, mu, decay);
          momentumStepT<f64>(b, ptr(R, L_SB), db, nOut, lr, mu, 0.0);
        }
      }
      if (l > 0) {
        // dz of the layer below (never softmax: output only); sigmoid written out
        const actQ = word(Q, L_ACT), aQ = ptr(Q, L_A);
        if (actQ == ACT_SIGMOID) {
          for (let k: usize = 0; k < inB; k += 8) {
            const v = load<f64>(aQ + k);
            store<f64>(dx + k, load<f64>(dx + k) * (v * (1.0 - v)));
          }
        } else {
          activateBackwardImpl<f64>(dx, dx, ptr(Q, L_Z), aQ, 1, nIn, actQ, alpha);
        }
      }
    }
  }
  return total;
}
