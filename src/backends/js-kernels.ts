/**
 * The `js` backend's kernels: the ABI of src/abi.ts in plain JavaScript over one float64 heap.
 *
 * This file is the readable specification the AssemblyScript (assembly/) and Rust (rust/) kernels
 * follow, function for function. Pointers are byte offsets into `memory.buffer`; `>> 3` turns them
 * into float64 indices (every pointer is 16-byte aligned).
 *
 * Summation order: every dot product is summed in increasing k (or r, or j) and the bias is added
 * last, exactly as the per-neuron reference does, so the js backend matches the oracle bit for bit
 * on forward passes. The register blocking below only interleaves independent dot products.
 */
import {
  ACT, HP_ALPHA, HP_BETA1, HP_BETA1_POW, HP_BETA2, HP_BETA2_POW, HP_DECAY, HP_EPS, HP_LR, HP_STEP,
  L_A, L_ACT, L_B, L_DB, L_DW, L_DZ, L_NIN, L_NOUT, L_SB, L_SB2, L_SW, L_SW2, L_W, L_Z, LOSS, OPT,
  PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_OPT, PLAN_ORDER,
  PLAN_SAMPLES, PLAN_T, PLAN_X0, PLAN_XDATA, PLAN_YDATA,
  type KernelExports,
} from '../abi.js';

/** Anything with a `buffer` (a WebAssembly.Memory, or the js backend's own heap). */
export interface HeapMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

const SIGMOID = ACT.sigmoid;
const TANH = ACT.tanh;
const RELU = ACT.relu;
const LEAKY = ACT['leaky-relu'];
const SOFTMAX = ACT.softmax;

export function createJsKernels(memory: HeapMemory): KernelExports {
  let buf: ArrayBuffer | SharedArrayBuffer | null = null;
  let H: Float64Array<ArrayBufferLike> = new Float64Array(0);
  let I: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** Rebuild the views when the buffer changed (growth); never keep a stale view (STYLE.md §4.5). */
  function views(): void {
    const b = memory.buffer;
    if (b !== buf) {
      buf = b;
      H = new Float64Array(b);
      I = new Int32Array(b);
    }
  }

  /** z = x·wᵀ + b. Blocked 2 rows × 2 neurons; each dot product still summed k = 0..nIn-1, bias last. */
  function denseForward(zp: number, xp: number, wp: number, bp: number, batch: number, nIn: number, nOut: number): void {
    views();
    const z = zp >> 3, x = xp >> 3, w = wp >> 3, b = bp >> 3;
    const h = H;
    let r = 0;
    for (; r + 1 < batch; r += 2) {
      const x0 = x + r * nIn, x1 = x0 + nIn;
      const z0 = z + r * nOut, z1 = z0 + nOut;
      let j = 0;
      for (; j + 1 < nOut; j += 2) {
        const w0 = w + j * nIn, w1 = w0 + nIn;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        for (let k = 0; k < nIn; k++) {
          const a0 = h[x0 + k]!, a1 = h[x1 + k]!, c0 = h[w0 + k]!, c1 = h[w1 + k]!;
          s00 += a0 * c0; s01 += a0 * c1; s10 += a1 * c0; s11 += a1 * c1;
        }
        const b0 = h[b + j]!, b1 = h[b + j + 1]!;
        h[z0 + j] = s00 + b0; h[z0 + j + 1] = s01 + b1;
        h[z1 + j] = s10 + b0; h[z1 + j + 1] = s11 + b1;
      }
      for (; j < nOut; j++) {
        const w0 = w + j * nIn;
        let s0 = 0, s1 = 0;
        for (let k = 0; k < nIn; k++) {
          const c = h[w0 + k]!;
          s0 += h[x0 + k]! * c; s1 += h[x1 + k]! * c;
        }
        h[z0 + j] = s0 + h[b + j]!; h[z1 + j] = s1 + h[b + j]!;
      }
    }
    for (; r < batch; r++) {
      const x0 = x + r * nIn, z0 = z + r * nOut;
      for (let j = 0; j < nOut; j++) {
        const w0 = w + j * nIn;
        let s = 0;
        for (let k = 0; k < nIn; k++) s += h[x0 + k]! * h[w0 + k]!;
        h[z0 + j] = s + h[b + j]!;
      }
    }
  }

  function activateImpl(ap: number, zp: number, rows: number, cols: number, act: number, alpha: number): void {
    const a = ap >> 3, z = zp >> 3, n = rows * cols;
    const h = H;
    switch (act) {
      case SIGMOID:
        for (let i = 0; i < n; i++) h[a + i] = 1 / (1 + Math.exp(-h[z + i]!));
        break;
      case TANH:
        for (let i = 0; i < n; i++) h[a + i] = Math.tanh(h[z + i]!);
        break;
      case RELU:
        for (let i = 0; i < n; i++) { const v = h[z + i]!; h[a + i] = v > 0 ? v : 0; }
        break;
      case LEAKY:
        for (let i = 0; i < n; i++) { const v = h[z + i]!; h[a + i] = v > 0 ? v : alpha * v; }
        break;
      case SOFTMAX:
        for (let r = 0; r < rows; r++) {
          const zr = z + r * cols, ar = a + r * cols;
          let m = -Infinity;
          for (let j = 0; j < cols; j++) if (h[zr + j]! > m) m = h[zr + j]!;
          let s = 0;
          for (let j = 0; j < cols; j++) { const e = Math.exp(h[zr + j]! - m); h[ar + j] = e; s += e; }
          for (let j = 0; j < cols; j++) h[ar + j] = h[ar + j]! / s;
        }
        break;
      default: // identity
        if (a !== z) for (let i = 0; i < n; i++) h[a + i] = h[z + i]!;
    }
  }

  function activate(ap: number, zp: number, rows: number, cols: number, act: number, alpha: number): void {
    views();
    activateImpl(ap, zp, rows, cols, act, alpha);
  }

  function activateBackwardImpl(
    dzp: number, dap: number, zp: number, ap: number, rows: number, cols: number, act: number, alpha: number,
  ): void {
    const dz = dzp >> 3, da = dap >> 3, z = zp >> 3, a = ap >> 3, n = rows * cols;
    const h = H;
    switch (act) {
      case SIGMOID:
        for (let i = 0; i < n; i++) { const v = h[a + i]!; h[dz + i] = h[da + i]! * (v * (1 - v)); }
        break;
      case TANH:
        for (let i = 0; i < n; i++) { const v = h[a + i]!; h[dz + i] = h[da + i]! * (1 - v * v); }
        break;
      case RELU:
        for (let i = 0; i < n; i++) h[dz + i] = h[z + i]! > 0 ? h[da + i]! : 0;
        break;
      case LEAKY:
        for (let i = 0; i < n; i++) h[dz + i] = h[z + i]! > 0 ? h[da + i]! : alpha * h[da + i]!;
        break;
      case SOFTMAX:
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          let s = 0;
          for (let j = 0; j < cols; j++) s += h[da + o + j]! * h[a + o + j]!;
          for (let j = 0; j < cols; j++) h[dz + o + j] = h[a + o + j]! * (h[da + o + j]! - s);
        }
        break;
      default: // identity
        if (dz !== da) for (let i = 0; i < n; i++) h[dz + i] = h[da + i]!;
    }
  }

  function activateBackward(
    dzp: number, dap: number, zp: number, ap: number, rows: number, cols: number, act: number, alpha: number,
  ): void {
    views();
    activateBackwardImpl(dzp, dap, zp, ap, rows, cols, act, alpha);
  }

  /** dw = dzᵀ·x, db = Σ_r dz[r], dx = dz·w; sums run over r (or j) in increasing order. */
  function denseBackwardImpl(
    dxp: number, dwp: number, dbp: number, dzp: number, xp: number, wp: number, batch: number, nIn: number, nOut: number,
  ): void {
    const dw = dwp >> 3, db = dbp >> 3, dz = dzp >> 3, x = xp >> 3, w = wp >> 3;
    const h = H;
    // db
    for (let j = 0; j < nOut; j++) {
      let s = 0;
      for (let r = 0; r < batch; r++) s += h[dz + r * nOut + j]!;
      h[db + j] = s;
    }
    // dw: two neurons at a time share each loaded x[r,k]
    let j = 0;
    for (; j + 1 < nOut; j += 2) {
      const d0 = dw + j * nIn, d1 = d0 + nIn;
      h.fill(0, d0, d1 + nIn);
      for (let r = 0; r < batch; r++) {
        const g0 = h[dz + r * nOut + j]!, g1 = h[dz + r * nOut + j + 1]!;
        const xr = x + r * nIn;
        for (let k = 0; k < nIn; k++) {
          const v = h[xr + k]!;
          h[d0 + k] = h[d0 + k]! + g0 * v;
          h[d1 + k] = h[d1 + k]! + g1 * v;
        }
      }
    }
    for (; j < nOut; j++) {
      const d0 = dw + j * nIn;
      h.fill(0, d0, d0 + nIn);
      for (let r = 0; r < batch; r++) {
        const g0 = h[dz + r * nOut + j]!;
        const xr = x + r * nIn;
        for (let k = 0; k < nIn; k++) h[d0 + k] = h[d0 + k]! + g0 * h[xr + k]!;
      }
    }
    // dx
    if (dxp !== 0) {
      const dx = dxp >> 3;
      for (let r = 0; r < batch; r++) {
        const dxr = dx + r * nIn, dzr = dz + r * nOut;
        h.fill(0, dxr, dxr + nIn);
        for (let jj = 0; jj < nOut; jj++) {
          const g = h[dzr + jj]!, wj = w + jj * nIn;
          for (let k = 0; k < nIn; k++) h[dxr + k] = h[dxr + k]! + g * h[wj + k]!;
        }
      }
    }
  }

  function denseBackward(
    dxp: number, dwp: number, dbp: number, dzp: number, xp: number, wp: number, batch: number, nIn: number, nOut: number,
  ): void {
    views();
    denseBackwardImpl(dxp, dwp, dbp, dzp, xp, wp, batch, nIn, nOut);
  }

  function lossImpl(dp: number, ap: number, zp: number, tp: number, rows: number, cols: number, kind: number): number {
    const d = dp >> 3, a = ap >> 3, z = zp >> 3, t = tp >> 3, n = rows * cols;
    const h = H;
    let s = 0;
    if (kind === LOSS.BCE) {
      const inv = 1 / n;
      for (let i = 0; i < n; i++) {
        const zi = h[z + i]!, ti = h[t + i]!;
        s += (zi > 0 ? zi : 0) - ti * zi + Math.log1p(Math.exp(-Math.abs(zi)));
        h[d + i] = (h[a + i]! - ti) * inv;
      }
      return s / n;
    }
    if (kind === LOSS.CE) {
      const inv = 1 / rows;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) if (h[z + o + j]! > m) m = h[z + o + j]!;
        let e = 0;
        for (let j = 0; j < cols; j++) e += Math.exp(h[z + o + j]! - m);
        const lse = m + Math.log(e);
        for (let j = 0; j < cols; j++) {
          const tj = h[t + o + j]!;
          s += tj * (lse - h[z + o + j]!);
          h[d + o + j] = (h[a + o + j]! - tj) * inv;
        }
      }
      return s / rows;
    }
    // MSE
    const f = 2 / n;
    for (let i = 0; i < n; i++) {
      const e = h[a + i]! - h[t + i]!;
      s += e * e;
      h[d + i] = f * e;
    }
    return s / n;
  }

  function loss(dp: number, ap: number, zp: number, tp: number, rows: number, cols: number, kind: number): number {
    views();
    return lossImpl(dp, ap, zp, tp, rows, cols, kind);
  }

  function sgdImpl(pp: number, gp: number, n: number, lr: number, decay: number): void {
    const p = pp >> 3, g = gp >> 3, h = H;
    for (let i = 0; i < n; i++) h[p + i] = h[p + i]! - (lr * (h[g + i]! + decay * h[p + i]!));
  }
  function momentumImpl(pp: number, vp: number, gp: number, n: number, lr: number, mu: number, decay: number): void {
    const p = pp >> 3, v = vp >> 3, g = gp >> 3, h = H;
    for (let i = 0; i < n; i++) {
      const vi = mu * h[v + i]! + (h[g + i]! + decay * h[p + i]!);
      h[v + i] = vi;
      h[p + i] = h[p + i]! - (lr * vi);
    }
  }
  function adamImpl(pp: number, mp: number, vp: number, gp: number, n: number, hpp: number, decay: number): void {
    const p = pp >> 3, m = mp >> 3, v = vp >> 3, g = gp >> 3, hp = hpp >> 3, h = H;
    const lr = h[hp + HP_LR]!, b1 = h[hp + HP_BETA1]!, b2 = h[hp + HP_BETA2]!, eps = h[hp + HP_EPS]!;
    const c1 = 1 - h[hp + HP_BETA1_POW]!, c2 = 1 - h[hp + HP_BETA2_POW]!;
    for (let i = 0; i < n; i++) {
      const gi = h[g + i]! + decay * h[p + i]!;
      const mi = b1 * h[m + i]! + (1 - b1) * gi;
      const vi = b2 * h[v + i]! + (1 - b2) * gi * gi;
      h[m + i] = mi;
      h[v + i] = vi;
      h[p + i] = h[p + i]! - ((lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps));
    }
  }

  function sgdStep(pp: number, gp: number, n: number, lr: number, decay: number): void {
    views();
    sgdImpl(pp, gp, n, lr, decay);
  }
  function momentumStep(pp: number, vp: number, gp: number, n: number, lr: number, mu: number, decay: number): void {
    views();
    momentumImpl(pp, vp, gp, n, lr, mu, decay);
  }
  function adamStep(pp: number, mp: number, vp: number, gp: number, n: number, hpp: number): void {
    views();
    adamImpl(pp, mp, vp, gp, n, hpp, H[(hpp >> 3) + HP_DECAY]!);
  }

  /** Step 2 of trainBatches: the forward pass of every layer, from x0. */
  function forwardImpl(plan: number, rows: number): void {
    const P = plan >> 2, L = I[P + PLAN_LAYERS]!;
    const alpha = H[(I[P + PLAN_HP]! >> 3) + HP_ALPHA]!;
    let inp = I[P + PLAN_X0]!;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!, z = I[R + L_Z]!, a = I[R + L_A]!;
      denseForward(z, inp, I[R + L_W]!, I[R + L_B]!, rows, nIn, nOut);
      activateImpl(a, z, rows, nOut, I[R + L_ACT]!, alpha);
      inp = a;
    }
  }

  function forwardBatch(plan: number, rows: number): void {
    views();
    forwardImpl(plan, rows);
  }

  function trainBatches(plan: number, first: number, count: number): number {
    views();
    const P = plan >> 2;
    const L = I[P + PLAN_LAYERS]!, batch = I[P + PLAN_BATCH]!, lossKind = I[P + PLAN_LOSS]!, opt = I[P + PLAN_OPT]!;
    const xData = I[P + PLAN_XDATA]! >> 3, yData = I[P + PLAN_YDATA]! >> 3, order = I[P + PLAN_ORDER]! >> 2;
    const nSamples = I[P + PLAN_SAMPLES]!, x0p = I[P + PLAN_X0]!, tp = I[P + PLAN_T]!, hpp = I[P + PLAN_HP]!;
    const hp = hpp >> 3;
    const alpha = H[hp + HP_ALPHA]!;
    const nIn0 = I[P + PLAN_HEADER + L_NIN]!;
    const RL = P + PLAN_HEADER + (L - 1) * PLAN_LAYER_WORDS;
    const nOutL = I[RL + L_NOUT]!;
    const x0 = x0p >> 3, t = tp >> 3;
    let total = 0;
    for (let i = first; i < first + count; i++) {
      const p0 = i * batch;
      const rows = Math.min(batch, nSamples - p0);
      // 1. gather
      for (let r = 0; r < rows; r++) {
        const s = I[order + p0 + r]!;
        H.copyWithin(x0 + r * nIn0, xData + s * nIn0, xData + (s + 1) * nIn0);
        H.copyWithin(t + r * nOutL, yData + s * nOutL, yData + (s + 1) * nOutL);
      }
      // 2. forward
      forwardImpl(plan, rows);
      // 3. loss
      const aL = I[RL + L_A]!, zL = I[RL + L_Z]!, dzL = I[RL + L_DZ]!;
      total += lossImpl(dzL, aL, zL, tp, rows, nOutL, lossKind);
      if (lossKind === LOSS.MSE) activateBackwardImpl(dzL, dzL, zL, aL, rows, nOutL, I[RL + L_ACT]!, alpha);
      // 4. backward
      for (let l = L - 1; l >= 0; l--) {
        const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
        const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!;
        if (l > 0) {
          const Q = R - PLAN_LAYER_WORDS;
          const dzPrev = I[Q + L_DZ]!;
          denseBackwardImpl(dzPrev, I[R + L_DW]!, I[R + L_DB]!, I[R + L_DZ]!, I[Q + L_A]!, I[R + L_W]!, rows, nIn, nOut);
          activateBackwardImpl(dzPrev, dzPrev, I[Q + L_Z]!, I[Q + L_A]!, rows, nIn, I[Q + L_ACT]!, alpha);
        } else {
          denseBackwardImpl(0, I[R + L_DW]!, I[R + L_DB]!, I[R + L_DZ]!, x0p, I[R + L_W]!, rows, nIn, nOut);
        }
      }
      // 5. update
      if (opt === OPT.adam) {
        H[hp + HP_BETA1_POW] = H[hp + HP_BETA1_POW]! * H[hp + HP_BETA1]!;
        H[hp + HP_BETA2_POW] = H[hp + HP_BETA2_POW]! * H[hp + HP_BETA2]!;
      }
      H[hp + HP_STEP] = H[hp + HP_STEP]! + 1;
      const lr = H[hp + HP_LR]!, mu = H[hp + HP_BETA1]!, decay = H[hp + HP_DECAY]!;
      for (let l = 0; l < L; l++) {
        const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
        const nw = I[R + L_NIN]! * I[R + L_NOUT]!, nb = I[R + L_NOUT]!;
        if (opt === OPT.adam) {
          adamImpl(I[R + L_W]!, I[R + L_SW]!, I[R + L_SW2]!, I[R + L_DW]!, nw, hpp, decay);
          adamImpl(I[R + L_B]!, I[R + L_SB]!, I[R + L_SB2]!, I[R + L_DB]!, nb, hpp, 0);
        } else if (opt === OPT.momentum) {
          momentumImpl(I[R + L_W]!, I[R + L_SW]!, I[R + L_DW]!, nw, lr, mu, decay);
          momentumImpl(I[R + L_B]!, I[R + L_SB]!, I[R + L_DB]!, nb, lr, mu, 0);
        } else {
          sgdImpl(I[R + L_W]!, I[R + L_DW]!, nw, lr, decay);
          sgdImpl(I[R + L_B]!, I[R + L_DB]!, nb, lr, 0);
        }
      }
    }
    return total;
  }

  return {
    heapBase: () => 0,
    denseForward: (...args) => { views(); denseForward(...args); },
    activate,
    activateBackward,
    denseBackward,
    loss,
    sgdStep,
    momentumStep,
    adamStep,
    trainBatches,
    forwardBatch,
  };
}
