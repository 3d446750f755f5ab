/**
 * The plan v2 training controls (src/abi.ts, "Plan v2 controls"): dropout masks, the weighted loss and the
 * global-norm clip, ported function for function from src/kernels/js/controls.ts. Scalar loops: the masks are
 * integer work, and the norms must be summed in one fixed order. Generic over the element type T of the data
 * blocks (f64 or f32); the weights, rates and norms blocks are f64 for both (F32 rules: the dropout scale, the
 * row weight ratio and the clip scale are computed in f64 and narrowed to T once; the norms are summed in T).
 */
import { DROP_M1, DROP_M2 } from './common';
import { lossImpl } from './loss';

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
export function dropoutCols<T>(
  ad: usize, a: usize, rows: i32, cols: i32, j0: i32, j1: i32, rate: f64, seed: u32, step: u32, layer: i32, o: usize,
): void {
  const scale = <T>(1.0 / (1.0 - rate)), limit = rate * 16777216.0;
  for (let r = 0; r < rows; r++) {
    const key = dropRowKey(seed, step, load<u32>(o + (<usize>r << 2)), <u32>layer);
    const base = <usize>r * <usize>cols;
    for (let j = j0; j < j1; j++) {
      const at = (base + <usize>j) << alignof<T>();
      const kept = <f64>(dropMix(key ^ <u32>j) >> 8) >= limit;
      store<T>(ad + at, kept ? load<T>(a + at) * scale : <T>0);
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
export function weightedLoss<T>(d: usize, a: usize, z: usize, t: usize, rows: i32, cols: i32, kind: i32, w: usize, o: usize, W: f64): f64 {
  let s = 0.0;
  const rowB = <usize>cols << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowB;
    const lr = lossImpl<T>(d + off, a + off, z + off, t + off, 1, cols, kind);
    const wr = load<f64>(w + (<usize>load<u32>(o + (<usize>r << 2)) << 3));
    s += wr * lr;
    const f = <T>(wr / W);
    for (let j: usize = 0; j < rowB; j += sizeof<T>()) store<T>(d + off + j, load<T>(d + off + j) * f);
  }
  return s / W;
}

/** norms[at + j] = Σ_k dw[j,k]² + db[j]², k ascending, for neurons j0..j1-1. */
export function rowNorms<T>(norms: usize, at: i32, dw: usize, db: usize, nIn: i32, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) {
    let s: T = 0;
    const row = dw + ((<usize>j * <usize>nIn) << alignof<T>());
    for (let k = 0; k < nIn; k++) {
      const g = load<T>(row + (<usize>k << alignof<T>()));
      s += g * g;
    }
    const g = load<T>(db + (<usize>j << alignof<T>()));
    store<f64>(norms + (<usize>(at + j) << 3), <f64>(s + g * g));
  }
}

/** min(1, c/||g||) from `count` squared norms summed in index order. */
export function clipScale(norms: usize, count: i32, c: f64): f64 {
  let s = 0.0;
  for (let i = 0; i < count; i++) s += load<f64>(norms + (<usize>i << 3));
  const norm = Math.sqrt(s);
  return norm > c ? c / norm : 1.0;
}

/** x[0..n) *= f (f narrowed to T once). */
export function scaleT<T>(x: usize, n: i32, f64f: f64): void {
  const f = <T>f64f;
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << alignof<T>());
    store<T>(p, load<T>(p) * f);
  }
}
