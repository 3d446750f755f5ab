/**
 * Dense layer kernels of the `js` backend (the readable spec of assembly/dense.ts and rust/src/dense.rs):
 * z = x·wᵀ + b and its backward pass, over the float64 heap `h` (pointers are byte offsets; `>> 3` turns them
 * into float64 indices, every pointer being 16-byte aligned).
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
export function denseForwardRange(h: F64, zp: number, xp: number, wp: number, bp: number, batch: number, nIn: number, nOut: number, j0: number, j1: number): void {
  const z = zp >> 3, x = xp >> 3, w = wp >> 3, b = bp >> 3;
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

/**
 * dw[j0..j1) = dz[:, j0..j1)ᵀ·x and db[j0..j1) = Σ_r dz[r, j0..j1); every sum runs over r in increasing order.
 * Blocked 4 neurons × 2 inputs in registers (8 accumulators over r), so no partial sum goes through memory.
 */
export function weightGradRange(h: F64, dwp: number, dbp: number, dzp: number, xp: number, batch: number, nIn: number, nOut: number, j0: number, j1: number): void {
  const dw = dwp >> 3, db = dbp >> 3, dz = dzp >> 3, x = xp >> 3;
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
export function inputGradRange(h: F64, dxp: number, dzp: number, wp: number, batch: number, nIn: number, nOut: number, k0: number, k1: number): void {
  const dx = dxp >> 3, dz = dzp >> 3, w = wp >> 3;
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
export function denseBackwardImpl(
  h: F64, dxp: number, dwp: number, dbp: number, dzp: number, xp: number, wp: number, batch: number, nIn: number, nOut: number,
): void {
  weightGradRange(h, dwp, dbp, dzp, xp, batch, nIn, nOut, 0, nOut);
  if (dxp !== 0) inputGradRange(h, dxp, dzp, wp, batch, nIn, nOut, 0, nIn);
}
