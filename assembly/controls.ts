/**
 * The plan v2 training controls (src/abi.ts, "Plan v2 controls"): dropout masks, the weighted loss and the
 * global-norm clip, ported function for function from src/kernels/js/controls.ts. Scalar loops: the masks are
 * integer work, and the norms must be summed in one fixed order.
 */
import { DROP_M1, DROP_M2 } from './common';
import { loss } from './loss';

/** lowbias32 with u32 wrapping arithmetic. */
// @ts-ignore: decorator
@inline
export function dropMix(x: u32): u32 {
  x ^= x >> 16;
  x *= DROP_M1;
  x ^= x >> 15;
  x *= DROP_M2;
  x ^= x >> 16;
  return x;
}

// @ts-ignore: decorator
@inline
export function dropRowKey(seed: u32, step: u32, row: u32, layer: u32): u32 {
  return dropMix(dropMix(dropMix(dropMix(seed) ^ step) ^ row) ^ layer);
}

/** ad[r,j] = kept ? a[r,j]·scale : 0 for rows 0..rows-1 and units j0..j1-1 (ad may be a: the backward mask). */
export function dropoutCols(
  ad: usize, a: usize, rows: i32, cols: i32, j0: i32, j1: i32, rate: f64, seed: u32, step: u32, layer: i32, o: usize,
): void {
  const scale = 1.0 / (1.0 - rate), limit = rate * 16777216.0;
  for (let r = 0; r < rows; r++) {
    const key = dropRowKey(seed, step, load<u32>(o + (<usize>r << 2)), <u32>layer);
    const base = <usize>r * <usize>cols;
    for (let j = j0; j < j1; j++) {
      const at = (base + <usize>j) << 3;
      const kept = <f64>(dropMix(key ^ <u32>j) >> 8) >= limit;
      store<f64>(ad + at, kept ? load<f64>(a + at) * scale : 0.0);
    }
  }
}

/** Σ_r w[s(r)], r ascending. */
export function batchWeight(w: usize, o: usize, rows: i32): f64 {
  let s = 0.0;
  for (let r = 0; r < rows; r++) s += load<f64>(w + (<usize>load<u32>(o + (<usize>r << 2)) << 3));
  return s;
}

/** (Σ_r w_r·ℓ_r)/W with each row's gradient scaled by w_r/W. */
export function weightedLoss(d: usize, a: usize, z: usize, t: usize, rows: i32, cols: i32, kind: i32, w: usize, o: usize, W: f64): f64 {
  let s = 0.0;
  const rowB = <usize>cols << 3;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowB;
    const lr = loss(d + off, a + off, z + off, t + off, 1, cols, kind);
    const wr = load<f64>(w + (<usize>load<u32>(o + (<usize>r << 2)) << 3));
    s += wr * lr;
    const f = wr / W;
    for (let j: usize = 0; j < rowB; j += 8) store<f64>(d + off + j, load<f64>(d + off + j) * f);
  }
  return s / W;
}

/** norms[at + j] = Σ_k dw[j,k]² + db[j]², k ascending, for neurons j0..j1-1. */
export function rowNorms(norms: usize, at: i32, dw: usize, db: usize, nIn: i32, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) {
    let s = 0.0;
    const row = dw + ((<usize>j * <usize>nIn) << 3);
    for (let k = 0; k < nIn; k++) {
      const g = load<f64>(row + (<usize>k << 3));
      s += g * g;
    }
    const g = load<f64>(db + (<usize>j << 3));
    store<f64>(norms + (<usize>(at + j) << 3), s + g * g);
  }
}

/** min(1, c/||g||) from `count` squared norms summed in index order. */
export function clipScale(norms: usize, count: i32, c: f64): f64 {
  let s = 0.0;
  for (let i = 0; i < count; i++) s += load<f64>(norms + (<usize>i << 3));
  const norm = Math.sqrt(s);
  return norm > c ? c / norm : 1.0;
}

export function scaleF64(x: usize, n: i32, f: f64): void {
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << 3);
    store<f64>(p, load<f64>(p) * f);
  }
}
