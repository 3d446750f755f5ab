/**
 * Dense layer kernels of the `js` backend (the readable spec of assembly/dense.ts and rust/src/dense.rs):
 * z = x·wᵀ + b and its backward pass, over the heap's data view `D` (pointers are byte offsets; `>> 3` turns them
 * into float64 indices, every pointer being 16-byte aligned). The float32 variant (f32/dense.ts) is generated from
 * this file by scripts/gen-js-f32.mjs.
 *
 * Summation order: every dot product is summed in increasing k (or r, or j) and the bias is added last,
 * exactly as the per-neuron reference does, so the js backend matches the oracle bit for bit on forward
 * passes. The register blocking below only interleaves independent dot products.
 */
import type { F64 } from './views.js';

/**
 * z[:, j0..j1) = x·w[j0..j1)ᵀ + b[j0..j1)  (z has row stride nOut). Blocked 4 rows × 2 neurons (8 accumulators);
 * every dot product is still summed k = 0..nIn-1 with the bias added last, so an element's value depends
 * neither on the block it falls in nor on the range: a thread computing a slice of neurons gets the same bits.
 */
export function denseForwardRange(
  D: F64,
  zp: number,
  xp: number,
  wp: number,
  bp: number,
  batch: number,
  nIn: number,
  nOut: number,
  j0: number,
  j1: number,
): void {
  const z = zp >> 3,
    x = xp >> 3,
    w = wp >> 3,
    b = bp >> 3;
  let r = 0;
  for (; r + 3 < batch; r += 4) {
    const x0 = x + r * nIn,
      x1 = x0 + nIn,
      x2 = x1 + nIn,
      x3 = x2 + nIn;
    const z0 = z + r * nOut,
      z1 = z0 + nOut,
      z2 = z1 + nOut,
      z3 = z2 + nOut;
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      const w0 = w + j * nIn;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0,
        s20 = 0,
        s21 = 0,
        s30 = 0,
        s31 = 0;
      // step one pointer through x's 4 rows and one through w's 2 rows (V8 keeps fewer live offsets)
      for (let p = x0, q = w0, end = w0 + nIn; q < end; p++, q++) {
        const c0 = D[q]!,
          c1 = D[q + nIn]!;
        let a = D[p]!;
        s00 += a * c0;
        s01 += a * c1;
        a = D[p + nIn]!;
        s10 += a * c0;
        s11 += a * c1;
        a = D[p + 2 * nIn]!;
        s20 += a * c0;
        s21 += a * c1;
        a = D[p + 3 * nIn]!;
        s30 += a * c0;
        s31 += a * c1;
      }
      const b0 = D[b + j]!,
        b1 = D[b + j + 1]!;
      D[z0 + j] = s00 + b0;
      D[z0 + j + 1] = s01 + b1;
      D[z1 + j] = s10 + b0;
      D[z1 + j + 1] = s11 + b1;
      D[z2 + j] = s20 + b0;
      D[z2 + j + 1] = s21 + b1;
      D[z3 + j] = s30 + b0;
      D[z3 + j + 1] = s31 + b1;
    }
    for (; j < j1; j++) {
      const w0 = w + j * nIn;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let k = 0; k < nIn; k++) {
        const c = D[w0 + k]!;
        s0 += D[x0 + k]! * c;
        s1 += D[x1 + k]! * c;
        s2 += D[x2 + k]! * c;
        s3 += D[x3 + k]! * c;
      }
      const bj = D[b + j]!;
      D[z0 + j] = s0 + bj;
      D[z1 + j] = s1 + bj;
      D[z2 + j] = s2 + bj;
      D[z3 + j] = s3 + bj;
    }
  }
  for (; r < batch; r++) {
    const x0 = x + r * nIn,
      z0 = z + r * nOut;
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      const w0 = w + j * nIn,
        w1 = w0 + nIn;
      let s0 = 0,
        s1 = 0;
      for (let k = 0; k < nIn; k++) {
        const a = D[x0 + k]!;
        s0 += a * D[w0 + k]!;
        s1 += a * D[w1 + k]!;
      }
      D[z0 + j] = s0 + D[b + j]!;
      D[z0 + j + 1] = s1 + D[b + j + 1]!;
    }
    for (; j < j1; j++) {
      const w0 = w + j * nIn;
      let s = 0;
      for (let k = 0; k < nIn; k++) s += D[x0 + k]! * D[w0 + k]!;
      D[z0 + j] = s + D[b + j]!;
    }
  }
}

/**
 * dw[j0..j1) = dz[:, j0..j1)ᵀ·x and db[j0..j1) = Σ_r dz[r, j0..j1); every sum runs over r in increasing order.
 * Blocked 4 neurons × 2 inputs in registers (8 accumulators over r), so no partial sum goes through memory.
 */
export function weightGradRange(
  D: F64,
  dwp: number,
  dbp: number,
  dzp: number,
  xp: number,
  batch: number,
  nIn: number,
  nOut: number,
  j0: number,
  j1: number,
): void {
  const dw = dwp >> 3,
    db = dbp >> 3,
    dz = dzp >> 3,
    x = xp >> 3;
  for (let j = j0; j < j1; j++) {
    let s = 0;
    for (let r = 0; r < batch; r++) s += D[dz + r * nOut + j]!;
    D[db + j] = s;
  }
  let j = j0;
  for (; j + 3 < j1; j += 4) {
    const d0 = dw + j * nIn,
      d1 = d0 + nIn,
      d2 = d1 + nIn,
      d3 = d2 + nIn;
    let k = 0;
    for (; k + 1 < nIn; k += 2) {
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0,
        s20 = 0,
        s21 = 0,
        s30 = 0,
        s31 = 0;
      for (let r = 0, g = dz + j, xr = x + k; r < batch; r++, g += nOut, xr += nIn) {
        const a0 = D[xr]!,
          a1 = D[xr + 1]!;
        let c = D[g]!;
        s00 += c * a0;
        s01 += c * a1;
        c = D[g + 1]!;
        s10 += c * a0;
        s11 += c * a1;
        c = D[g + 2]!;
        s20 += c * a0;
        s21 += c * a1;
        c = D[g + 3]!;
        s30 += c * a0;
        s31 += c * a1;
      }
      D[d0 + k] = s00;
      D[d0 + k + 1] = s01;
      D[d1 + k] = s10;
      D[d1 + k + 1] = s11;
      D[d2 + k] = s20;
      D[d2 + k + 1] = s21;
      D[d3 + k] = s30;
      D[d3 + k + 1] = s31;
    }
    for (; k < nIn; k++) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let r = 0, g = dz + j, xr = x + k; r < batch; r++, g += nOut, xr += nIn) {
        const a = D[xr]!;
        s0 += D[g]! * a;
        s1 += D[g + 1]! * a;
        s2 += D[g + 2]! * a;
        s3 += D[g + 3]! * a;
      }
      D[d0 + k] = s0;
      D[d1 + k] = s1;
      D[d2 + k] = s2;
      D[d3 + k] = s3;
    }
  }
  for (; j < j1; j++) {
    const d0 = dw + j * nIn;
    for (let k = 0; k < nIn; k++) {
      let s = 0;
      for (let r = 0, g = dz + j, xr = x + k; r < batch; r++, g += nOut, xr += nIn) s += D[g]! * D[xr]!;
      D[d0 + k] = s;
    }
  }
}

/**
 * dx[:, k0..k1) = dz·w[:, k0..k1) (row stride nIn); every sum runs over j in increasing order.
 * Blocked 2 rows × 4 inputs in registers.
 */
export function inputGradRange(
  D: F64,
  dxp: number,
  dzp: number,
  wp: number,
  batch: number,
  nIn: number,
  nOut: number,
  k0: number,
  k1: number,
): void {
  const dx = dxp >> 3,
    dz = dzp >> 3,
    w = wp >> 3;
  let r = 0;
  for (; r + 1 < batch; r += 2) {
    const g0 = dz + r * nOut,
      g1 = g0 + nOut,
      o0 = dx + r * nIn,
      o1 = o0 + nIn;
    let k = k0;
    for (; k + 3 < k1; k += 4) {
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let j = 0, wj = w + k; j < nOut; j++, wj += nIn) {
        const c0 = D[wj]!,
          c1 = D[wj + 1]!,
          c2 = D[wj + 2]!,
          c3 = D[wj + 3]!;
        let a = D[g0 + j]!;
        s00 += a * c0;
        s01 += a * c1;
        s02 += a * c2;
        s03 += a * c3;
        a = D[g1 + j]!;
        s10 += a * c0;
        s11 += a * c1;
        s12 += a * c2;
        s13 += a * c3;
      }
      D[o0 + k] = s00;
      D[o0 + k + 1] = s01;
      D[o0 + k + 2] = s02;
      D[o0 + k + 3] = s03;
      D[o1 + k] = s10;
      D[o1 + k + 1] = s11;
      D[o1 + k + 2] = s12;
      D[o1 + k + 3] = s13;
    }
    for (; k < k1; k++) {
      let s0 = 0,
        s1 = 0;
      for (let j = 0, wj = w + k; j < nOut; j++, wj += nIn) {
        const c = D[wj]!;
        s0 += D[g0 + j]! * c;
        s1 += D[g1 + j]! * c;
      }
      D[o0 + k] = s0;
      D[o1 + k] = s1;
    }
  }
  for (; r < batch; r++) {
    const g0 = dz + r * nOut,
      o0 = dx + r * nIn;
    for (let k = k0; k < k1; k++) {
      let s = 0;
      for (let j = 0, wj = w + k; j < nOut; j++, wj += nIn) s += D[g0 + j]! * D[wj]!;
      D[o0 + k] = s;
    }
  }
}

/** dw = dzᵀ·x, db = Σ_r dz[r], dx = dz·w (dx = 0: skipped). */
export function denseBackwardImpl(
  D: F64,
  dxp: number,
  dwp: number,
  dbp: number,
  dzp: number,
  xp: number,
  wp: number,
  batch: number,
  nIn: number,
  nOut: number,
): void {
  weightGradRange(D, dwp, dbp, dzp, xp, batch, nIn, nOut, 0, nOut);
  if (dxp !== 0) inputGradRange(D, dxp, dzp, wp, batch, nIn, nOut, 0, nIn);
}
