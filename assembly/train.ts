/**
 * trainBatches / forwardBatch: walk the plan descriptor (src/abi.ts, PLAN_* / L_* words, HP_* slots)
 * and run whole optimizer steps inside the module, so an epoch crosses the JS/WASM boundary once.
 * Step order and formulas are those of src/backends/js-kernels.ts.
 */
import {
  f64at, HP_ALPHA, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_LR, HP_STEP,
  L_A, L_ACT, L_B, L_DB, L_DW, L_DZ, L_NIN, L_NOUT, L_SB, L_SB2, L_SW, L_SW2, L_W, L_Z, LOSS_MSE, OPT_ADAM,
  OPT_MOMENTUM, PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_OPT,
  PLAN_ORDER, PLAN_SAMPLES, PLAN_T, PLAN_X0, PLAN_XDATA, PLAN_YDATA, ptr, word, copyF64,
} from './common';
import { denseBackward, denseForward } from './dense';
import { activate, activateBackward } from './activation';
import { loss } from './loss';
import { adamStepDecay, momentumStep, sgdStep } from './optim';

// @ts-ignore: decorator
@inline
function layerRecord(plan: usize, l: i32): usize {
  return plan + (<usize>(PLAN_HEADER + l * PLAN_LAYER_WORDS) << 2);
}

/** Step 2 of trainBatches: forward pass of every layer from x0, for `rows` ≤ batch rows. */
export function forwardBatch(plan: usize, rows: i32): void {
  assert((plan & 15) == 0 && rows >= 0 && rows <= word(plan, PLAN_BATCH)); // debug build only
  const L = word(plan, PLAN_LAYERS);
  const alpha = f64at(ptr(plan, PLAN_HP), HP_ALPHA);
  let inp = ptr(plan, PLAN_X0);
  for (let l = 0; l < L; l++) {
    const R = layerRecord(plan, l);
    const nIn = word(R, L_NIN), nOut = word(R, L_NOUT), z = ptr(R, L_Z), a = ptr(R, L_A);
    denseForward(z, inp, ptr(R, L_W), ptr(R, L_B), rows, nIn, nOut);
    activate(a, z, rows, nOut, word(R, L_ACT), alpha);
    inp = a;
  }
}

/** Runs batches first..first+count-1 of the plan (one optimizer step each); returns the summed loss. */
export function trainBatches(plan: usize, first: i32, count: i32): f64 {
  assert((plan & 15) == 0 && first >= 0 && count >= 0); // debug build only
  const L = word(plan, PLAN_LAYERS), batch = word(plan, PLAN_BATCH);
  const lossKind = word(plan, PLAN_LOSS), opt = word(plan, PLAN_OPT);
  const xData = ptr(plan, PLAN_XDATA), yData = ptr(plan, PLAN_YDATA), order = ptr(plan, PLAN_ORDER);
  const nSamples = word(plan, PLAN_SAMPLES);
  const x0 = ptr(plan, PLAN_X0), t = ptr(plan, PLAN_T), hp = ptr(plan, PLAN_HP);
  const alpha = f64at(hp, HP_ALPHA);
  const xRowB = <usize>word(layerRecord(plan, 0), L_NIN) << 3;
  const RL = layerRecord(plan, L - 1);
  const nOutL = word(RL, L_NOUT);
  const tRowB = <usize>nOutL << 3;
  const aL = ptr(RL, L_A), zL = ptr(RL, L_Z), dzL = ptr(RL, L_DZ), actL = word(RL, L_ACT);
  let total = 0.0;
  for (let i = first; i < first + count; i++) {
    const p0 = i * batch;
    const rows = min(batch, nSamples - p0);
    // 1. gather
    for (let r = 0; r < rows; r++) {
      const s = <usize>load<i32>(order + (<usize>(p0 + r) << 2));
      copyF64(x0 + <usize>r * xRowB, xData + s * xRowB, xRowB);
      copyF64(t + <usize>r * tRowB, yData + s * tRowB, tRowB);
    }
    // 2. forward
    forwardBatch(plan, rows);
    // 3. loss
    total += loss(dzL, aL, zL, t, rows, nOutL, lossKind);
    if (lossKind == LOSS_MSE) activateBackward(dzL, dzL, zL, aL, rows, nOutL, actL, alpha);
    // 4. backward
    for (let l = L - 1; l >= 0; l--) {
      const R = layerRecord(plan, l);
      const nIn = word(R, L_NIN), nOut = word(R, L_NOUT);
      if (l > 0) {
        const Q = R - (<usize>PLAN_LAYER_WORDS << 2);
        const dzPrev = ptr(Q, L_DZ);
        denseBackward(dzPrev, ptr(R, L_DW), ptr(R, L_DB), ptr(R, L_DZ), ptr(Q, L_A), ptr(R, L_W), rows, nIn, nOut);
        activateBackward(dzPrev, dzPrev, ptr(Q, L_Z), ptr(Q, L_A), rows, nIn, word(Q, L_ACT), alpha);
      } else {
        denseBackward(0, ptr(R, L_DW), ptr(R, L_DB), ptr(R, L_DZ), x0, ptr(R, L_W), rows, nIn, nOut);
      }
    }
    // 5. update
    if (opt == OPT_ADAM) {
      store<f64>(hp + (<usize>HP_BETA1_POW << 3), f64at(hp, HP_BETA1_POW) * f64at(hp, HP_BETA1));
      store<f64>(hp + (<usize>HP_BETA2_POW << 3), f64at(hp, HP_BETA2_POW) * f64at(hp, HP_BETA2));
    }
    store<f64>(hp + (<usize>HP_STEP << 3), f64at(hp, HP_STEP) + 1.0);
    const lr = f64at(hp, HP_LR), mu = f64at(hp, HP_BETA1), decay = f64at(hp, HP_DECAY);
    for (let l = 0; l < L; l++) {
      const R = layerRecord(plan, l);
      const nOut = word(R, L_NOUT), nw = word(R, L_NIN) * nOut;
      if (opt == OPT_ADAM) {
        adamStepDecay(ptr(R, L_W), ptr(R, L_SW), ptr(R, L_SW2), ptr(R, L_DW), nw, hp, decay);
        adamStepDecay(ptr(R, L_B), ptr(R, L_SB), ptr(R, L_SB2), ptr(R, L_DB), nOut, hp, 0.0);
      } else if (opt == OPT_MOMENTUM) {
        momentumStep(ptr(R, L_W), ptr(R, L_SW), ptr(R, L_DW), nw, lr, mu, decay);
        momentumStep(ptr(R, L_B), ptr(R, L_SB), ptr(R, L_DB), nOut, lr, mu, 0.0);
      } else {
        sgdStep(ptr(R, L_W), ptr(R, L_DW), nw, lr, decay);
        sgdStep(ptr(R, L_B), ptr(R, L_DB), nOut, lr, 0.0);
      }
    }
  }
  return total;
}
