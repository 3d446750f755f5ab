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
  PLAN_BATCH, PLAN_HEADER, PLAN_HP, PLAN_LOSSES, PLAN_LAYER_WORDS, PLAN_LAYERS, PLAN_LOSS, PLAN_OPT, PLAN_ORDER,
  PLAN_SAMPLES, PLAN_T, PLAN_X0, PLAN_XDATA, PLAN_YDATA, SPIN_LIMIT, SYNC_ABORT, SYNC_COUNT, SYNC_PROGRESS,
  part, type KernelExports,
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
  /** Rebuild the views when the buffer changed (growth); never keep a stale view. */
  function views(): void {
    const b = memory.buffer;
    if (b !== buf) {
      buf = b;
      H = new Float64Array(b);
      I = new Int32Array(b);
    }
  }

  /**
   * z[:, j0..j1) = x·w[j0..j1)ᵀ + b[j0..j1)  (z has row stride nOut). Blocked 4 rows × 2 neurons (8 accumulators);
   * every dot product is still summed k = 0..nIn-1 with the bias added last, so an element's value depends
   * neither on the block it falls in nor on the range: a thread computing a slice of neurons gets the same bits.
   */
  function denseForwardRange(zp: number, xp: number, wp: number, bp: number, batch: number, nIn: number, nOut: number, j0: number, j1: number): void {
    const z = zp >> 3, x = xp >> 3, w = wp >> 3, b = bp >> 3;
    const h = H;
    let r = 0;
    for (; r + 3 < batch; r += 4) {
      const x0 = x + r * nIn, x1 = x0 + nIn, x2 = x1 + nIn, x3 = x2 + nIn;
      const z0 = z + r * nOut, z1 = z0 + nOut, z2 = z1 + nOut, z3 = z2 + nOut;
      let j = j0;
      for (; j + 1 < j1; j += 2) {
        const w0 = w + j * nIn;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        // step one pointer through x's 4 rows and one through w's 2 rows (V8 keeps fewer live offsets)
        for (let p = x0, q = w0, end = w0 + nIn; q < end; p++, q++) {
          const c0 = h[q]!, c1 = h[q + nIn]!;
          let a = h[p]!;
          s00 += a * c0; s01 += a * c1;
          a = h[p + nIn]!;
          s10 += a * c0; s11 += a * c1;
          a = h[p + 2 * nIn]!;
          s20 += a * c0; s21 += a * c1;
          a = h[p + 3 * nIn]!;
          s30 += a * c0; s31 += a * c1;
        }
        const b0 = h[b + j]!, b1 = h[b + j + 1]!;
        h[z0 + j] = s00 + b0; h[z0 + j + 1] = s01 + b1;
        h[z1 + j] = s10 + b0; h[z1 + j + 1] = s11 + b1;
        h[z2 + j] = s20 + b0; h[z2 + j + 1] = s21 + b1;
        h[z3 + j] = s30 + b0; h[z3 + j + 1] = s31 + b1;
      }
      for (; j < j1; j++) {
        const w0 = w + j * nIn;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < nIn; k++) {
          const c = h[w0 + k]!;
          s0 += h[x0 + k]! * c; s1 += h[x1 + k]! * c; s2 += h[x2 + k]! * c; s3 += h[x3 + k]! * c;
        }
        const bj = h[b + j]!;
        h[z0 + j] = s0 + bj; h[z1 + j] = s1 + bj; h[z2 + j] = s2 + bj; h[z3 + j] = s3 + bj;
      }
    }
    for (; r < batch; r++) {
      const x0 = x + r * nIn, z0 = z + r * nOut;
      let j = j0;
      for (; j + 1 < j1; j += 2) {
        const w0 = w + j * nIn, w1 = w0 + nIn;
        let s0 = 0, s1 = 0;
        for (let k = 0; k < nIn; k++) {
          const a = h[x0 + k]!;
          s0 += a * h[w0 + k]!; s1 += a * h[w1 + k]!;
        }
        h[z0 + j] = s0 + h[b + j]!; h[z0 + j + 1] = s1 + h[b + j + 1]!;
      }
      for (; j < j1; j++) {
        const w0 = w + j * nIn;
        let s = 0;
        for (let k = 0; k < nIn; k++) s += h[x0 + k]! * h[w0 + k]!;
        h[z0 + j] = s + h[b + j]!;
      }
    }
  }

  /** z = x·wᵀ + b */
  function denseForward(zp: number, xp: number, wp: number, bp: number, batch: number, nIn: number, nOut: number): void {
    views();
    denseForwardRange(zp, xp, wp, bp, batch, nIn, nOut, 0, nOut);
  }

  /** a[:, j0..j1) = f(z[:, j0..j1)) for element-wise activations (not softmax), row stride cols. */
  function activateCols(ap: number, zp: number, rows: number, cols: number, act: number, alpha: number, j0: number, j1: number): void {
    if (j0 === 0 && j1 === cols) {
      activateImpl(ap, zp, rows, cols, act, alpha);
      return;
    }
    for (let r = 0; r < rows; r++) activateImpl(ap + (r * cols + j0) * 8, zp + (r * cols + j0) * 8, 1, j1 - j0, act, alpha);
  }

  /** dz[:, j0..j1) = da ⊙ f'(z) on those columns (element-wise activations). */
  function activateBackwardCols(
    dzp: number, dap: number, zp: number, ap: number, rows: number, cols: number, act: number, alpha: number, j0: number, j1: number,
  ): void {
    if (j0 === 0 && j1 === cols) {
      activateBackwardImpl(dzp, dap, zp, ap, rows, cols, act, alpha);
      return;
    }
    for (let r = 0; r < rows; r++) {
      const o = (r * cols + j0) * 8;
      activateBackwardImpl(dzp + o, dap + o, zp + o, ap + o, 1, j1 - j0, act, alpha);
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

  /**
   * dw[j0..j1) = dz[:, j0..j1)ᵀ·x and db[j0..j1) = Σ_r dz[r, j0..j1); every sum runs over r in increasing order.
   * Blocked 4 neurons × 2 inputs in registers (8 accumulators over r), so no partial sum goes through memory.
   */
  function weightGradRange(dwp: number, dbp: number, dzp: number, xp: number, batch: number, nIn: number, nOut: number, j0: number, j1: number): void {
    const dw = dwp >> 3, db = dbp >> 3, dz = dzp >> 3, x = xp >> 3;
    const h = H;
    for (let j = j0; j < j1; j++) {
      let s = 0;
      for (let r = 0; r < batch; r++) s += h[dz + r * nOut + j]!;
      h[db + j] = s;
    }
    let j = j0;
    for (; j + 3 < j1; j += 4) {
      const d0 = dw + j * nIn, d1 = d0 + nIn, d2 = d1 + nIn, d3 = d2 + nIn;
      let k = 0;
      for (; k + 1 < nIn; k += 2) {
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (let r = 0, g = dz + j, xr = x + k; r < batch; r++, g += nOut, xr += nIn) {
          const a0 = h[xr]!, a1 = h[xr + 1]!;
          let c = h[g]!;
          s00 += c * a0; s01 += c * a1;
          c = h[g + 1]!;
          s10 += c * a0; s11 += c * a1;
          c = h[g + 2]!;
          s20 += c * a0; s21 += c * a1;
          c = h[g + 3]!;
          s30 += c * a0; s31 += c * a1;
        }
        h[d0 + k] = s00; h[d0 + k + 1] = s01;
        h[d1 + k] = s10; h[d1 + k + 1] = s11;
        h[d2 + k] = s20; h[d2 + k + 1] = s21;
        h[d3 + k] = s30; h[d3 + k + 1] = s31;
      }
      for (; k < nIn; k++) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let r = 0, g = dz + j, xr = x + k; r < batch; r++, g += nOut, xr += nIn) {
          const a = h[xr]!;
          s0 += h[g]! * a; s1 += h[g + 1]! * a; s2 += h[g + 2]! * a; s3 += h[g + 3]! * a;
        }
        h[d0 + k] = s0; h[d1 + k] = s1; h[d2 + k] = s2; h[d3 + k] = s3;
      }
    }
    for (; j < j1; j++) {
      const d0 = dw + j * nIn;
      for (let k = 0; k < nIn; k++) {
        let s = 0;
        for (let r = 0, g = dz + j, xr = x + k; r < batch; r++, g += nOut, xr += nIn) s += h[g]! * h[xr]!;
        h[d0 + k] = s;
      }
    }
  }

  /**
   * dx[:, k0..k1) = dz·w[:, k0..k1) (row stride nIn); every sum runs over j in increasing order.
   * Blocked 2 rows × 4 inputs in registers.
   */
  function inputGradRange(dxp: number, dzp: number, wp: number, batch: number, nIn: number, nOut: number, k0: number, k1: number): void {
    const dx = dxp >> 3, dz = dzp >> 3, w = wp >> 3;
    const h = H;
    let r = 0;
    for (; r + 1 < batch; r += 2) {
      const g0 = dz + r * nOut, g1 = g0 + nOut, o0 = dx + r * nIn, o1 = o0 + nIn;
      let k = k0;
      for (; k + 3 < k1; k += 4) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let j = 0, wj = w + k; j < nOut; j++, wj += nIn) {
          const c0 = h[wj]!, c1 = h[wj + 1]!, c2 = h[wj + 2]!, c3 = h[wj + 3]!;
          let a = h[g0 + j]!;
          s00 += a * c0; s01 += a * c1; s02 += a * c2; s03 += a * c3;
          a = h[g1 + j]!;
          s10 += a * c0; s11 += a * c1; s12 += a * c2; s13 += a * c3;
        }
        h[o0 + k] = s00; h[o0 + k + 1] = s01; h[o0 + k + 2] = s02; h[o0 + k + 3] = s03;
        h[o1 + k] = s10; h[o1 + k + 1] = s11; h[o1 + k + 2] = s12; h[o1 + k + 3] = s13;
      }
      for (; k < k1; k++) {
        let s0 = 0, s1 = 0;
        for (let j = 0, wj = w + k; j < nOut; j++, wj += nIn) {
          const c = h[wj]!;
          s0 += h[g0 + j]! * c; s1 += h[g1 + j]! * c;
        }
        h[o0 + k] = s0; h[o1 + k] = s1;
      }
    }
    for (; r < batch; r++) {
      const g0 = dz + r * nOut, o0 = dx + r * nIn;
      for (let k = k0; k < k1; k++) {
        let s = 0;
        for (let j = 0, wj = w + k; j < nOut; j++, wj += nIn) s += h[g0 + j]! * h[wj]!;
        h[o0 + k] = s;
      }
    }
  }

  /** dw = dzᵀ·x, db = Σ_r dz[r], dx = dz·w (dx = 0: skipped). */
  function denseBackwardImpl(
    dxp: number, dwp: number, dbp: number, dzp: number, xp: number, wp: number, batch: number, nIn: number, nOut: number,
  ): void {
    weightGradRange(dwp, dbp, dzp, xp, batch, nIn, nOut, 0, nOut);
    if (dxp !== 0) inputGradRange(dxp, dzp, wp, batch, nIn, nOut, 0, nIn);
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

  /** Step 2 of trainBatches: the forward pass of every layer, from x0 (one thread). */
  function forwardImpl(plan: number, rows: number): void {
    const P = plan >> 2, L = I[P + PLAN_LAYERS]!;
    const alpha = H[(I[P + PLAN_HP]! >> 3) + HP_ALPHA]!;
    let inp = I[P + PLAN_X0]!;
    for (let l = 0; l < L; l++) {
      const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
      const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!, z = I[R + L_Z]!, a = I[R + L_A]!;
      denseForwardRange(z, inp, I[R + L_W]!, I[R + L_B]!, rows, nIn, nOut, 0, nOut);
      activateImpl(a, z, rows, nOut, I[R + L_ACT]!, alpha);
      inp = a;
    }
  }

  function forwardBatch(plan: number, rows: number): void {
    views();
    forwardImpl(plan, rows);
  }

  /**
   * Barrier of `n` threads over the control block at `ctl` (SYNC_* words). SYNC_COUNT counts arrivals and only
   * grows during a command (the host zeroes it before each one): an arrival's round ends when the count reaches
   * the next multiple of n. The arrival that completes a round increments SYNC_PROGRESS and wakes the others,
   * which spin briefly, then sleep in Atomics.wait on SYNC_COUNT. Nothing is ever reset inside a command, so no
   * thread can mistake an earlier round's release for its own. Returns false when a thread raised SYNC_ABORT
   * (a trap or a failure elsewhere): every thread then leaves the step.
   */
  function barrier(ctl: number, n: number): boolean {
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
        if (++spins > SPIN_LIMIT) Atomics.wait(I, c + SYNC_COUNT, seen, 1);
      }
    }
    return Atomics.load(I, c + SYNC_ABORT) === 0;
  }

  /**
   * trainBatches split over `nthreads` threads sharing this memory; this is thread `tid`. Thread t owns the
   * neurons part(nOut, t) of every layer (its rows of w: forward, weight gradient, update) and the inputs
   * part(nIn, t) for the input gradient; rows are split for the gather and for softmax; thread 0 computes the
   * loss. Each element is computed by exactly the formula and summation order of one thread, so parameters are
   * bit-identical for any thread count. Returns the sum of batch losses on thread 0 (0 elsewhere).
   */
  function trainBatchesThreaded(plan: number, first: number, count: number, tid: number, nthreads: number, ctl: number): number {
    views();
    const T = nthreads;
    const P = plan >> 2;
    const L = I[P + PLAN_LAYERS]!, batch = I[P + PLAN_BATCH]!, lossKind = I[P + PLAN_LOSS]!, opt = I[P + PLAN_OPT]!;
    const xData = I[P + PLAN_XDATA]! >> 3, yData = I[P + PLAN_YDATA]! >> 3, order = I[P + PLAN_ORDER]! >> 2;
    const nSamples = I[P + PLAN_SAMPLES]!, x0p = I[P + PLAN_X0]!, tp = I[P + PLAN_T]!, hpp = I[P + PLAN_HP]!;
    const hp = hpp >> 3;
    const alpha = H[hp + HP_ALPHA]!;
    const nIn0 = I[P + PLAN_HEADER + L_NIN]!;
    const RL = P + PLAN_HEADER + (L - 1) * PLAN_LAYER_WORDS;
    const nOutL = I[RL + L_NOUT]!;
    const x0 = x0p >> 3, t = tp >> 3, lossesP = I[P + PLAN_LOSSES]!;
    const nb = Math.ceil(nSamples / batch);
    let total = 0;
    for (let i = first; i < first + count; i++) {
      const e = Math.floor(i / nb);
      const p0 = (i - e * nb) * batch;
      const rows = Math.min(batch, nSamples - p0);
      const o = order + e * nSamples + p0;
      // 1. gather (rows split)
      for (let r = part(rows, tid, T); r < part(rows, tid + 1, T); r++) {
        const s = I[o + r]!;
        H.copyWithin(x0 + r * nIn0, xData + s * nIn0, xData + (s + 1) * nIn0);
        H.copyWithin(t + r * nOutL, yData + s * nOutL, yData + (s + 1) * nOutL);
      }
      if (!barrier(ctl, T)) return NaN;
      // 2. forward (neurons split; softmax rows split)
      let inp = x0p;
      for (let l = 0; l < L; l++) {
        const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
        const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!, z = I[R + L_Z]!, a = I[R + L_A]!, act = I[R + L_ACT]!;
        const j0 = part(nOut, tid, T), j1 = part(nOut, tid + 1, T);
        denseForwardRange(z, inp, I[R + L_W]!, I[R + L_B]!, rows, nIn, nOut, j0, j1);
        if (act === SOFTMAX) {
          if (!barrier(ctl, T)) return NaN;
          const r0 = part(rows, tid, T), r1 = part(rows, tid + 1, T);
          if (r1 > r0) activateImpl(a + r0 * nOut * 8, z + r0 * nOut * 8, r1 - r0, nOut, act, alpha);
        } else {
          activateCols(a, z, rows, nOut, act, alpha, j0, j1);
        }
        if (!barrier(ctl, T)) return NaN;
        inp = a;
      }
      // 3. loss (thread 0) and the optimizer's step counters
      if (tid === 0) {
        const aL = I[RL + L_A]!, zL = I[RL + L_Z]!, dzL = I[RL + L_DZ]!;
        const batchLoss = lossImpl(dzL, aL, zL, tp, rows, nOutL, lossKind);
        total += batchLoss;
        if (lossesP !== 0) H[(lossesP >> 3) + i] = batchLoss;
        if (lossKind === LOSS.MSE) activateBackwardImpl(dzL, dzL, zL, aL, rows, nOutL, I[RL + L_ACT]!, alpha);
        if (opt === OPT.adam) {
          H[hp + HP_BETA1_POW] = H[hp + HP_BETA1_POW]! * H[hp + HP_BETA1]!;
          H[hp + HP_BETA2_POW] = H[hp + HP_BETA2_POW]! * H[hp + HP_BETA2]!;
        }
        H[hp + HP_STEP] = H[hp + HP_STEP]! + 1;
      }
      if (!barrier(ctl, T)) return NaN;
      // 4. backward: weight gradients of own neurons, input gradient of own inputs
      for (let l = L - 1; l >= 0; l--) {
        const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
        const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!;
        const input = l > 0 ? I[R - PLAN_LAYER_WORDS + L_A]! : x0p;
        weightGradRange(I[R + L_DW]!, I[R + L_DB]!, I[R + L_DZ]!, input, rows, nIn, nOut, part(nOut, tid, T), part(nOut, tid + 1, T));
        if (l > 0) {
          const Q = R - PLAN_LAYER_WORDS;
          const dzPrev = I[Q + L_DZ]!, k0 = part(nIn, tid, T), k1 = part(nIn, tid + 1, T);
          inputGradRange(dzPrev, I[R + L_DZ]!, I[R + L_W]!, rows, nIn, nOut, k0, k1);
          activateBackwardCols(dzPrev, dzPrev, I[Q + L_Z]!, I[Q + L_A]!, rows, nIn, I[Q + L_ACT]!, alpha, k0, k1);
          if (!barrier(ctl, T)) return NaN;
        }
      }
      // 5. update own rows of every layer
      const lr = H[hp + HP_LR]!, mu = H[hp + HP_BETA1]!, decay = H[hp + HP_DECAY]!;
      for (let l = 0; l < L; l++) {
        const R = P + PLAN_HEADER + l * PLAN_LAYER_WORDS;
        const nIn = I[R + L_NIN]!, nOut = I[R + L_NOUT]!;
        const j0 = part(nOut, tid, T), j1 = part(nOut, tid + 1, T);
        if (j1 === j0) continue;
        const wo = j0 * nIn * 8, bo = j0 * 8, nw = (j1 - j0) * nIn, nb = j1 - j0;
        if (opt === OPT.adam) {
          adamImpl(I[R + L_W]! + wo, I[R + L_SW]! + wo, I[R + L_SW2]! + wo, I[R + L_DW]! + wo, nw, hpp, decay);
          adamImpl(I[R + L_B]! + bo, I[R + L_SB]! + bo, I[R + L_SB2]! + bo, I[R + L_DB]! + bo, nb, hpp, 0);
        } else if (opt === OPT.momentum) {
          momentumImpl(I[R + L_W]! + wo, I[R + L_SW]! + wo, I[R + L_DW]! + wo, nw, lr, mu, decay);
          momentumImpl(I[R + L_B]! + bo, I[R + L_SB]! + bo, I[R + L_DB]! + bo, nb, lr, mu, 0);
        } else {
          sgdImpl(I[R + L_W]! + wo, I[R + L_DW]! + wo, nw, lr, decay);
          sgdImpl(I[R + L_B]! + bo, I[R + L_DB]! + bo, nb, lr, 0);
        }
      }
      // the next gather overwrites x0, which other threads may still be reading for their weight gradients
      if (!barrier(ctl, T)) return NaN;
    }
    return total;
  }

  function trainBatches(plan: number, first: number, count: number): number {
    return trainBatchesThreaded(plan, first, count, 0, 1, 0);
  }

  return {
    heapBase: () => 0,
    denseForward,
    activate,
    activateBackward,
    denseBackward,
    loss,
    sgdStep,
    momentumStep,
    adamStep,
    trainBatches,
    trainBatchesThreaded,
    forwardBatch,
  };
}
