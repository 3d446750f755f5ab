/**
 * A plan laid out directly in memory, for the kernel-level check scripts (check-rust.ts, check-threads.ts):
 * the same layout Network writes (src/abi.ts), with seeded random parameters and data.
 */
import {
  ACT_SOFTMAX,
  HP_ALPHA,
  HP_BETA1,
  HP_BETA1_POW,
  HP_BETA2,
  HP_BETA2_POW,
  HP_DECAY,
  HP_EPS,
  HP_GENERIC,
  HP_LR,
  HP_SIZE,
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
  PLAN_BATCH,
  PLAN_HEADER,
  PLAN_HP,
  PLAN_LAYER_WORDS,
  PLAN_LAYERS,
  PLAN_LOSS,
  PLAN_OPT,
  PLAN_ORDER,
  PLAN_LOSSES,
  PLAN_SAMPLES,
  PLAN_T,
  PLAN_X0,
  PLAN_XDATA,
  PLAN_YDATA,
  planBytes,
} from '../src/abi.js';

export interface Plan {
  plan: number;
  end: number;
  nb: number;
  barriersPerBatch: number;
}

/**
 * Lays out a plan at `base` in the memory of (H, I); `rnd` fills values. The order array holds `epochs`
 * permutations (batches are numbered across epochs, `nb` counts them all); per-batch losses are stored
 * (PLAN_LOSSES) when `withLosses`. `generic` sets hp[HP_GENERIC] (never the small-layer path; otherwise the
 * kernels choose, as under Network).
 */
export function buildPlan(
  H: Float64Array,
  I: Int32Array,
  base: number,
  dims: number[],
  acts: number[],
  lossKind: number,
  opt: number,
  batch: number,
  nSamples: number,
  rnd: () => number,
  epochs = 1,
  withLosses = false,
  generic = false,
): Plan {
  let top = base;
  const alloc = (n: number): number => {
    const p = top;
    top += ((n * 8 + 15) & ~15) + 16;
    return p;
  };
  const fill = (p: number, n: number, lo = -1, hi = 1): number => {
    for (let i = 0; i < n; i++) H[(p >> 3) + i] = lo + (hi - lo) * rnd();
    return p;
  };
  const L = dims.length - 1,
    nIn0 = dims[0]!,
    nOutL = dims[L]!;
  const plan = alloc(planBytes(L) / 8),
    P = plan >> 2,
    hp = alloc(HP_SIZE),
    h = hp >> 3;
  H[h + HP_LR] = 0.01;
  H[h + HP_BETA1] = 0.9;
  H[h + HP_BETA2] = 0.999;
  H[h + HP_EPS] = 1e-8;
  H[h + HP_DECAY] = 1e-3;
  H[h + HP_ALPHA] = 0.01;
  H[h + HP_BETA1_POW] = 1;
  H[h + HP_BETA2_POW] = 1;
  H[h + HP_GENERIC] = generic ? 1 : 0;
  const xData = fill(alloc(nSamples * nIn0), nSamples * nIn0),
    yData = alloc(nSamples * nOutL);
  for (let s = 0; s < nSamples; s++) {
    const hot = Math.floor(rnd() * nOutL);
    for (let j = 0; j < nOutL; j++)
      H[(yData >> 3) + s * nOutL + j] = lossKind === 0 ? rnd() : lossKind === 2 ? +(j === hot) : +(rnd() < 0.5);
  }
  const order = alloc(Math.ceil((nSamples * epochs) / 2));
  for (let e = 0; e < epochs; e++) {
    const perm = [...Array(nSamples).keys()];
    for (let i = nSamples - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    for (let s = 0; s < nSamples; s++) I[(order >> 2) + e * nSamples + s] = perm[s]!;
  }
  I[P + PLAN_LAYERS] = L;
  I[P + PLAN_BATCH] = batch;
  I[P + PLAN_LOSS] = lossKind;
  I[P + PLAN_OPT] = opt;
  I[P + PLAN_XDATA] = xData;
  I[P + PLAN_YDATA] = yData;
  I[P + PLAN_ORDER] = order;
  I[P + PLAN_SAMPLES] = nSamples;
  I[P + PLAN_X0] = alloc(batch * nIn0);
  I[P + PLAN_T] = alloc(batch * nOutL);
  I[P + PLAN_HP] = hp;
  const nb = Math.ceil(nSamples / batch) * epochs;
  I[P + PLAN_LOSSES] = withLosses ? alloc(nb) : 0;
  for (let l = 0; l < L; l++) {
    const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS,
      nIn = dims[l]!,
      nOut = dims[l + 1]!;
    I[R + L_NIN] = nIn;
    I[R + L_NOUT] = nOut;
    I[R + L_ACT] = acts[l]!;
    I[R + L_W] = fill(alloc(nOut * nIn), nOut * nIn, -0.5, 0.5);
    I[R + L_B] = fill(alloc(nOut), nOut, -0.1, 0.1);
    for (const s of [L_Z, L_A, L_DZ]) I[R + s] = alloc(batch * nOut);
    I[R + L_DW] = alloc(nOut * nIn);
    I[R + L_DB] = alloc(nOut);
    if (opt >= 1) {
      I[R + L_SW] = alloc(nOut * nIn);
      I[R + L_SB] = alloc(nOut);
    }
    if (opt === 2) {
      I[R + L_SW2] = alloc(nOut * nIn);
      I[R + L_SB2] = alloc(nOut);
    }
  }
  // gather | per layer (softmax: 2) | loss | L-1 input gradients | end of step
  const barriersPerBatch = 1 + L + acts.filter((a) => a === ACT_SOFTMAX).length + 1 + (L - 1) + 1;
  return { plan, end: top + 256, nb, barriersPerBatch };
}
