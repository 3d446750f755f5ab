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
  type PlanLayerRecord,
} from '../src/abi.js';

/** A plan's header words: its sizes, kinds and the byte offsets of its blocks. */
export interface PlanHeader {
  layers: number;
  batch: number;
  loss: number;
  opt: number;
  xData: number;
  yData: number;
  order: number;
  samples: number;
  x0: number;
  t: number;
  hp: number;
  losses: number;
}

/** The optimizer state blocks of a layer record: only where the optimizer has them (absent words stay 0). */
type StateBlocks = 'sw' | 'sb' | 'sw2' | 'sb2';
/** One layer's record: sizes, activation and block byte offsets (the optimizer state only where the optimizer has it). */
export type PlanLayer = Omit<PlanLayerRecord, StateBlocks> & Partial<Pick<PlanLayerRecord, StateBlocks>>;

const HEADER_WORDS: [word: number, field: keyof PlanHeader][] = [
  [PLAN_LAYERS, 'layers'],
  [PLAN_BATCH, 'batch'],
  [PLAN_LOSS, 'loss'],
  [PLAN_OPT, 'opt'],
  [PLAN_XDATA, 'xData'],
  [PLAN_YDATA, 'yData'],
  [PLAN_ORDER, 'order'],
  [PLAN_SAMPLES, 'samples'],
  [PLAN_X0, 'x0'],
  [PLAN_T, 't'],
  [PLAN_HP, 'hp'],
  [PLAN_LOSSES, 'losses'],
];
const LAYER_WORDS: [word: number, field: keyof PlanLayer][] = [
  [L_NIN, 'nIn'],
  [L_NOUT, 'nOut'],
  [L_ACT, 'act'],
  [L_W, 'w'],
  [L_B, 'b'],
  [L_Z, 'z'],
  [L_A, 'a'],
  [L_DZ, 'dz'],
  [L_DW, 'dw'],
  [L_DB, 'db'],
  [L_SW, 'sw'],
  [L_SB, 'sb'],
  [L_SW2, 'sw2'],
  [L_SB2, 'sb2'],
];

/** Writes the header and layer words of a plan (word indices from the plan's start) through `set`. */
export function writePlanWords(set: (word: number, value: number) => void, h: PlanHeader, layers: PlanLayer[]): void {
  for (const [word, field] of HEADER_WORDS) set(word, h[field]);
  layers.forEach((y, l) => {
    const R = PLAN_HEADER + l * PLAN_LAYER_WORDS;
    for (const [word, field] of LAYER_WORDS) {
      const value = y[field];
      if (value !== undefined) set(R + word, value);
    }
  });
}

/** The hyper-parameter slots the check scripts set: learning rate `lr`, Adam's defaults, decay 1e-3, leaky slope 0.01. */
export function hpSlots(lr: number): [slot: number, value: number][] {
  return [
    [HP_LR, lr],
    [HP_BETA1, 0.9],
    [HP_BETA2, 0.999],
    [HP_EPS, 1e-8],
    [HP_DECAY, 1e-3],
    [HP_ALPHA, 0.01],
    [HP_BETA1_POW, 1],
    [HP_BETA2_POW, 1],
  ];
}

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
  for (const [slot, value] of hpSlots(0.01)) H[h + slot] = value;
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
  const x0 = alloc(batch * nIn0),
    t = alloc(batch * nOutL);
  const nb = Math.ceil(nSamples / batch) * epochs;
  const losses = withLosses ? alloc(nb) : 0;
  const layers: PlanLayer[] = [];
  for (let l = 0; l < L; l++) {
    const nIn = dims[l]!,
      nOut = dims[l + 1]!;
    const w = fill(alloc(nOut * nIn), nOut * nIn, -0.5, 0.5),
      b = fill(alloc(nOut), nOut, -0.1, 0.1);
    const [z, a, dz] = [alloc(batch * nOut), alloc(batch * nOut), alloc(batch * nOut)];
    const layer: PlanLayer = { nIn, nOut, act: acts[l]!, w, b, z, a, dz, dw: alloc(nOut * nIn), db: alloc(nOut) };
    if (opt >= 1) {
      layer.sw = alloc(nOut * nIn);
      layer.sb = alloc(nOut);
    }
    if (opt === 2) {
      layer.sw2 = alloc(nOut * nIn);
      layer.sb2 = alloc(nOut);
    }
    layers.push(layer);
  }
  writePlanWords(
    (word, value) => (I[P + word] = value),
    { layers: L, batch, loss: lossKind, opt, xData, yData, order, samples: nSamples, x0, t, hp, losses },
    layers,
  );
  // gather | per layer (softmax: 2) | loss | L-1 input gradients | end of step
  const barriersPerBatch = 1 + L + acts.filter((a) => a === ACT_SOFTMAX).length + 1 + (L - 1) + 1;
  return { plan, end: top + 256, nb, barriersPerBatch };
}
