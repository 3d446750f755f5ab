/**
 * The plan v2 training controls of the `js` backend (src/abi.ts, "Plan v2 controls"): dropout masks, the weighted
 * loss and the global-norm clip. The readable spec of assembly/controls.ts and rust/src/controls.rs.
 * `D` is the data view (the plan's element type), `H` the float64 view (sample weights, norms): pointers into
 * f64-only blocks are turned into indices with `>>> 3`, data pointers with `>> 3` (scripts/gen-js-f32.mjs relies on it).
 */
import { dropKeep, dropRowKey } from '../../abi.js';
import type { F64, I32 } from './views.js';
import { lossImpl } from './loss.js';

/**
 * ad[r,j] = kept ? a[r,j]·scale : 0 (forward), or, with `ad` = `a` = dz, dz[r,j] *= kept ? scale : 0 (backward),
 * for rows 0..rows-1 and units j0..j1-1 of a layer of `cols` units; row r is sample order[o + r].
 */
export function dropoutCols(
  D: F64,
  I: I32,
  adp: number,
  ap: number,
  rows: number,
  cols: number,
  j0: number,
  j1: number,
  rate: number,
  seed: number,
  step: number,
  layer: number,
  o: number,
): void {
  const ad = adp >> 3,
    a = ap >> 3,
    scale = 1 / (1 - rate);
  for (let r = 0; r < rows; r++) {
    const key = dropRowKey(seed, step, I[o + r]!, layer);
    const base = r * cols;
    for (let j = j0; j < j1; j++) D[ad + base + j] = dropKeep(key, j, rate) ? D[a + base + j]! * scale : 0;
  }
}

/** Σ_r w[s(r)] over the batch's rows, r ascending. */
export function batchWeight(H: F64, I: I32, wp: number, o: number, rows: number): number {
  const w = wp >>> 3;
  let s = 0;
  for (let r = 0; r < rows; r++) s += H[w + I[o + r]!]!;
  return s;
}

/** The weighted loss (Σ_r w_r·ℓ_r)/W, each row's gradient scaled by w_r/W (the rows of loss() as src/abi.ts states). */
export function weightedLoss(
  D: F64,
  H: F64,
  I: I32,
  dp: number,
  ap: number,
  zp: number,
  tp: number,
  rows: number,
  cols: number,
  kind: number,
  wp: number,
  o: number,
  W: number,
): number {
  const w = wp >>> 3,
    d = dp >> 3;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols * 8;
    const lr = lossImpl(D, dp + off, ap + off, zp + off, tp + off, 1, cols, kind);
    const wr = H[w + I[o + r]!]!;
    s += wr * lr;
    const f = wr / W;
    for (let j = 0; j < cols; j++) D[d + r * cols + j] = D[d + r * cols + j]! * f;
  }
  return s / W;
}

/** norms[at + j] = Σ_k dw[j,k]² + db[j]², k ascending, for neurons j0..j1-1. */
export function rowNorms(
  D: F64,
  H: F64,
  np: number,
  at: number,
  dwp: number,
  dbp: number,
  nIn: number,
  j0: number,
  j1: number,
): void {
  const n = (np >>> 3) + at,
    dw = dwp >> 3,
    db = dbp >> 3;
  for (let j = j0; j < j1; j++) {
    let s = 0;
    for (let k = 0; k < nIn; k++) {
      const g = D[dw + j * nIn + k]!;
      s += g * g;
    }
    const g = D[db + j]!;
    H[n + j] = s + g * g;
  }
}

/** The clip factor min(1, c/||g||) from the `count` per-neuron squared norms, summed in index order (1: no clip). */
export function clipScale(H: F64, np: number, count: number, c: number): number {
  const n = np >>> 3;
  let s = 0;
  for (let i = 0; i < count; i++) s += H[n + i]!;
  const norm = Math.sqrt(s);
  return norm > c ? c / norm : 1;
}

/** x[i] *= f for n values. */
export function scaleData(D: F64, xp: number, n: number, f: number): void {
  const x = xp >> 3;
  for (let i = 0; i < n; i++) D[x + i] = D[x + i]! * f;
}
