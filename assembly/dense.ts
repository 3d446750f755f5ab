/**
 * Dense layer kernels: z = x·wᵀ + b and its gradients.
 *
 * x: batch×nIn, w: nOut×nIn (row j = neuron j), b: nOut, z/dz: batch×nOut; all row-major float64.
 *
 * Summation order (same as src/kernels/js/): every dot product is summed in increasing k
 * (forward, dx: increasing j; dw, db: increasing r) starting from 0, and the bias is added last. The SIMD
 * micro-kernels keep that order: they vectorise across independent dot products (rows, neurons or
 * inputs), never along the reduction, so without relaxed-simd they round exactly like the scalar code.
 * The relaxed build fuses multiply and add (one rounding), which stays within the parity tolerance.
 *
 * Ranges (trainBatchesThreaded): denseForwardRange computes the neurons j0..j1 of z, weightGradRange the
 * rows j0..j1 of dw and db, inputGradRange the columns k0..k1 of dx. Every element gets the same operations
 * wherever its range starts or ends and whether it falls in a tile or a leftover: a chain of madd over the
 * reduction index in order from 0, then the bias (forward). In the SIMD builds leftovers are computed with
 * madd on f64x2 (a splatted lane), so the relaxed build fuses them like the tiles. Whether the SIMD or the
 * scalar loops run is decided from the whole layer's shape (batch, nIn, nOut), never from the range.
 */
import { madd, scratchBase, SCRATCH_F64, zeroF64 } from './common';
import { gemmPacked } from './gemm';

/** Below this many multiply-adds the scalar loops win (no packing, no tile set-up). */
const SIMD_MIN_WORK: i64 = 512;

/**
 * Layers whose weights pass the 1 MiB L2 (2^17 float64), at batch ≥ PACKED_MIN_BATCH, take the packed, cache-blocked
 * GEMM (gemm.ts) for both backward products: there the tile loops below walk a column of x or w across rows whose
 * power-of-two stride (1024 inputs: 8 KiB) maps onto one L1 set, and sweep all of w once per 4-row block. Smaller
 * layers keep the tile loops, which need no packing pass (measured: docs/benchmarks.md "Blocking for wide layers").
 * The forward pass keeps its tile loop everywhere: it reads w rows along k (no column walk), and packing w cost
 * more than the blocking saved at training batch sizes.
 */
const PACKED_MIN_WEIGHTS: i64 = 1 << 17;
const PACKED_MIN_BATCH: i32 = 8;

/** The packed GEMM runs for this layer shape's backward pass (the same answer for every range of the layer). */
// @ts-ignore: decorator
@inline
function packedPath(batch: i32, nIn: i32, nOut: i32): bool {
  return ASC_FEATURE_SIMD && batch >= PACKED_MIN_BATCH && <i64>nIn * nOut >= PACKED_MIN_WEIGHTS;
}

/** Rows per chunk of the dw reduction in denseBackwardSimd. */
const DW_ROWS: i32 = 64;

// =====================================================================================================
// denseForward
// =====================================================================================================

/**
 * z[r,j] = Σ_k x[r,k]·w[j,k] + b[j].   z must not alias x, w or b.
 */
export function denseForward(z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32): void {
  assert(((z | x | w | b) & 15) == 0 && batch >= 0 && nIn >= 0 && nOut >= 0); // debug build only
  denseForwardRange(z, x, w, b, batch, nIn, nOut, 0, nOut, scratchBase());
}

/**
 * Neurons j0..j1 of denseForward (all rows); `scratch`: the caller's SCRATCH_BYTES region. The path is
 * chosen from (batch, nIn, nOut) only, so every range of one layer takes the same one.
 */
export function denseForwardRange(
  z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, scratch: usize,
): void {
  if (j1 <= j0) return;
  if (ASC_FEATURE_SIMD) {
    if (nOut >= 4 && <i64>batch * nIn * nOut >= SIMD_MIN_WORK && nIn <= (SCRATCH_F64 >> 2)) {
      denseForwardSimd(z, x, w, b, batch, nIn, nOut, j0, j1, scratch);
      return;
    }
  }
  denseForwardScalar(z, x, w, b, batch, nIn, nOut, j0, j1);
}

/** Scalar version: blocked 2 rows × 2 neurons, as the JS spec. */
function denseForwardScalar(z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  let r = 0;
  for (; r + 1 < batch; r += 2) {
    const x0 = x + <usize>r * rowB, x1 = x0 + rowB;
    const z0 = z + <usize>r * zRowB, z1 = z0 + zRowB;
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      const w0 = w + <usize>j * rowB, w1 = w0 + rowB;
      let s00 = 0.0, s01 = 0.0, s10 = 0.0, s11 = 0.0;
      for (let k: usize = 0; k < rowB; k += 8) {
        const a0 = load<f64>(x0 + k), a1 = load<f64>(x1 + k);
        const c0 = load<f64>(w0 + k), c1 = load<f64>(w1 + k);
        s00 += a0 * c0; s01 += a0 * c1; s10 += a1 * c0; s11 += a1 * c1;
      }
      const jo = <usize>j << 3;
      const b0 = load<f64>(b + jo), b1 = load<f64>(b + jo, 8);
      store<f64>(z0 + jo, s00 + b0); store<f64>(z0 + jo, s01 + b1, 8);
      store<f64>(z1 + jo, s10 + b0); store<f64>(z1 + jo, s11 + b1, 8);
    }
    for (; j < j1; j++) {
      const w0 = w + <usize>j * rowB;
      let s0 = 0.0, s1 = 0.0;
      for (let k: usize = 0; k < rowB; k += 8) {
        const c = load<f64>(w0 + k);
        s0 += load<f64>(x0 + k) * c; s1 += load<f64>(x1 + k) * c;
      }
      const jo = <usize>j << 3;
      const bj = load<f64>(b + jo);
      store<f64>(z0 + jo, s0 + bj); store<f64>(z1 + jo, s1 + bj);
    }
  }
  for (; r < batch; r++) {
    const x0 = x + <usize>r * rowB, z0 = z + <usize>r * zRowB;
    for (let j = j0; j < j1; j++) {
      const w0 = w + <usize>j * rowB;
      let s = 0.0;
      for (let k: usize = 0; k < rowB; k += 8) s += load<f64>(x0 + k) * load<f64>(w0 + k);
      const jo = <usize>j << 3;
      store<f64>(z0 + jo, s + load<f64>(b + jo));
    }
  }
}

/**
 * SIMD version. For each block of 4 rows, x is packed k-major into scratch ([k][r0 r1 r2 r3]), so one
 * k step loads rows (r0,r1) and (r2,r3) as two f64x2 and broadcasts w[j,k] for 4 neurons: 8 accumulators,
 * each a row pair of one neuron. The last batch % 4 rows go through forwardRowSimd.
 */
function denseForwardSimd(
  z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, xp: usize,
): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  const batch4 = batch & ~3;
  for (let r = 0; r < batch4; r += 4) {
    const x0 = x + <usize>r * rowB;
    const x1 = x0 + rowB, x2 = x1 + rowB, x3 = x2 + rowB;
    let q = xp;
    for (let k: usize = 0; k < rowB; k += 8) {
      store<f64>(q, load<f64>(x0 + k));
      store<f64>(q, load<f64>(x1 + k), 8);
      store<f64>(q, load<f64>(x2 + k), 16);
      store<f64>(q, load<f64>(x3 + k), 24);
      q += 32;
    }
    const z0 = z + <usize>r * zRowB;
    const z1 = z0 + zRowB, z2 = z1 + zRowB, z3 = z2 + zRowB;
    const xEnd = xp + (rowB << 2);
    let j = j0;
    for (; j + 3 < j1; j += 4) {
      let w0 = w + <usize>j * rowB;
      let w1 = w0 + rowB, w2 = w1 + rowB, w3 = w2 + rowB;
      let a0l = f64x2.splat(0), a0h = f64x2.splat(0), a1l = f64x2.splat(0), a1h = f64x2.splat(0);
      let a2l = f64x2.splat(0), a2h = f64x2.splat(0), a3l = f64x2.splat(0), a3h = f64x2.splat(0);
      let p = xp;
      // running pointers rather than base + offset: fewer integer ops competing for the vector ports
      // (measured; unrolling k by 2 with constant offsets was slower, with relaxed-simd much slower)
      for (; p < xEnd; p += 32) {
        const xl = v128.load(p), xh = v128.load(p, 16);
        let c = v128.load64_splat(w0);
        a0l = madd(xl, c, a0l); a0h = madd(xh, c, a0h);
        c = v128.load64_splat(w1);
        a1l = madd(xl, c, a1l); a1h = madd(xh, c, a1h);
        c = v128.load64_splat(w2);
        a2l = madd(xl, c, a2l); a2h = madd(xh, c, a2h);
        c = v128.load64_splat(w3);
        a3l = madd(xl, c, a3l); a3h = madd(xh, c, a3h);
        w0 += 8; w1 += 8; w2 += 8; w3 += 8;
      }
      const jo = <usize>j << 3;
      const b01 = v128.load(b + jo), b23 = v128.load(b + jo, 16);
      // a{n}l = (row0, row1) of neuron n, a{n}h = (row2, row3)
      v128.store(z0 + jo, f64x2.add(v128.shuffle<f64>(a0l, a1l, 0, 2), b01));
      v128.store(z0 + jo, f64x2.add(v128.shuffle<f64>(a2l, a3l, 0, 2), b23), 16);
      v128.store(z1 + jo, f64x2.add(v128.shuffle<f64>(a0l, a1l, 1, 3), b01));
      v128.store(z1 + jo, f64x2.add(v128.shuffle<f64>(a2l, a3l, 1, 3), b23), 16);
      v128.store(z2 + jo, f64x2.add(v128.shuffle<f64>(a0h, a1h, 0, 2), b01));
      v128.store(z2 + jo, f64x2.add(v128.shuffle<f64>(a2h, a3h, 0, 2), b23), 16);
      v128.store(z3 + jo, f64x2.add(v128.shuffle<f64>(a0h, a1h, 1, 3), b01));
      v128.store(z3 + jo, f64x2.add(v128.shuffle<f64>(a2h, a3h, 1, 3), b23), 16);
    }
    if (j < j1) {
      // 1-3 neurons left: the same 4-neuron tile with the missing neurons repeating the last real one (computed,
      // not stored), so the tile keeps 8 independent chains (one neuron alone has 2, latency-bound: a 1024→10
      // layer spent a third of its time on its last 2 neurons)
      const nj = j1 - j;
      let w0 = w + <usize>j * rowB;
      let w1 = nj > 1 ? w0 + rowB : w0;
      let w2 = nj > 2 ? w1 + rowB : w1;
      let w3 = w2;
      let a0l = f64x2.splat(0), a0h = f64x2.splat(0), a1l = f64x2.splat(0), a1h = f64x2.splat(0);
      let a2l = f64x2.splat(0), a2h = f64x2.splat(0), a3l = f64x2.splat(0), a3h = f64x2.splat(0);
      for (let p = xp; p < xEnd; p += 32) {
        const xl = v128.load(p), xh = v128.load(p, 16);
        let c = v128.load64_splat(w0);
        a0l = madd(xl, c, a0l); a0h = madd(xh, c, a0h);
        c = v128.load64_splat(w1);
        a1l = madd(xl, c, a1l); a1h = madd(xh, c, a1h);
        c = v128.load64_splat(w2);
        a2l = madd(xl, c, a2l); a2h = madd(xh, c, a2h);
        c = v128.load64_splat(w3);
        a3l = madd(xl, c, a3l); a3h = madd(xh, c, a3h);
        w0 += 8; w1 += 8; w2 += 8; w3 += 8;
      }
      const jo = <usize>j << 3;
      storeColumn(z0 + jo, z1 + jo, z2 + jo, z3 + jo, a0l, a0h, load<f64>(b + jo));
      if (nj > 1) storeColumn(z0 + jo + 8, z1 + jo + 8, z2 + jo + 8, z3 + jo + 8, a1l, a1h, load<f64>(b + jo, 8));
      if (nj > 2) storeColumn(z0 + jo + 16, z1 + jo + 16, z2 + jo + 16, z3 + jo + 16, a2l, a2h, load<f64>(b + jo, 16));
    }
  }
  for (let r = batch4; r < batch; r++) {
    forwardRowSimd(z + <usize>r * zRowB, x + <usize>r * rowB, w, b, nIn, j0, j1);
  }
}

/** z[r0..r3, j] = the neuron's sums (row pair lo, row pair hi) + its bias. */
// @ts-ignore: decorator
@inline
function storeColumn(z0: usize, z1: usize, z2: usize, z3: usize, lo: v128, hi: v128, bj: f64): void {
  store<f64>(z0, f64x2.extract_lane(lo, 0) + bj);
  store<f64>(z1, f64x2.extract_lane(lo, 1) + bj);
  store<f64>(z2, f64x2.extract_lane(hi, 0) + bj);
  store<f64>(z3, f64x2.extract_lane(hi, 1) + bj);
}

/**
 * One row of denseForward (matrix-vector), for batches that are not a multiple of 4 (and batch 1).
 * Vectorised across neuron pairs: w[j, k..k+1] and w[j+1, k..k+1] are loaded and transposed with a
 * shuffle, so each lane still sums its own dot product in increasing k. 8 neurons per tile.
 */
function forwardRowSimd(z0: usize, x0: usize, w: usize, b: usize, nIn: i32, j0: i32, j1: i32): void {
  const rowB = <usize>nIn << 3;
  const kB2 = rowB & ~(<usize>15);
  let j = j0;
  for (; j + 7 < j1; j += 8) {
    const w0 = w + <usize>j * rowB;
    const w1 = w0 + rowB, w2 = w1 + rowB, w3 = w2 + rowB, w4 = w3 + rowB;
    const w5 = w4 + rowB, w6 = w5 + rowB, w7 = w6 + rowB;
    let s01 = f64x2.splat(0), s23 = f64x2.splat(0), s45 = f64x2.splat(0), s67 = f64x2.splat(0);
    let k: usize = 0;
    for (; k < kB2; k += 16) {
      const xa = v128.load64_splat(x0 + k), xb = v128.load64_splat(x0 + k, 8);
      let p = v128.load(w0 + k), q = v128.load(w1 + k);
      s01 = madd(v128.shuffle<f64>(p, q, 0, 2), xa, s01);
      s01 = madd(v128.shuffle<f64>(p, q, 1, 3), xb, s01);
      p = v128.load(w2 + k); q = v128.load(w3 + k);
      s23 = madd(v128.shuffle<f64>(p, q, 0, 2), xa, s23);
      s23 = madd(v128.shuffle<f64>(p, q, 1, 3), xb, s23);
      p = v128.load(w4 + k); q = v128.load(w5 + k);
      s45 = madd(v128.shuffle<f64>(p, q, 0, 2), xa, s45);
      s45 = madd(v128.shuffle<f64>(p, q, 1, 3), xb, s45);
      p = v128.load(w6 + k); q = v128.load(w7 + k);
      s67 = madd(v128.shuffle<f64>(p, q, 0, 2), xa, s67);
      s67 = madd(v128.shuffle<f64>(p, q, 1, 3), xb, s67);
    }
    if (k < rowB) {
      const xa = v128.load64_splat(x0 + k);
      s01 = madd(f64x2(load<f64>(w0 + k), load<f64>(w1 + k)), xa, s01);
      s23 = madd(f64x2(load<f64>(w2 + k), load<f64>(w3 + k)), xa, s23);
      s45 = madd(f64x2(load<f64>(w4 + k), load<f64>(w5 + k)), xa, s45);
      s67 = madd(f64x2(load<f64>(w6 + k), load<f64>(w7 + k)), xa, s67);
    }
    const jo = <usize>j << 3;
    v128.store(z0 + jo, f64x2.add(s01, v128.load(b + jo)));
    v128.store(z0 + jo, f64x2.add(s23, v128.load(b + jo, 16)), 16);
    v128.store(z0 + jo, f64x2.add(s45, v128.load(b + jo, 32)), 32);
    v128.store(z0 + jo, f64x2.add(s67, v128.load(b + jo, 48)), 48);
  }
  // leftover neurons: a pair as one tile of the same shape, then one neuron in lane 0 of a splatted chain
  // (madd like the tiles, so the relaxed build fuses it too)
  for (; j + 1 < j1; j += 2) {
    const w0 = w + <usize>j * rowB, w1 = w0 + rowB;
    let s01 = f64x2.splat(0);
    let k: usize = 0;
    for (; k < kB2; k += 16) {
      const p = v128.load(w0 + k), q = v128.load(w1 + k);
      s01 = madd(v128.shuffle<f64>(p, q, 0, 2), v128.load64_splat(x0 + k), s01);
      s01 = madd(v128.shuffle<f64>(p, q, 1, 3), v128.load64_splat(x0 + k, 8), s01);
    }
    if (k < rowB) s01 = madd(f64x2(load<f64>(w0 + k), load<f64>(w1 + k)), v128.load64_splat(x0 + k), s01);
    const jo = <usize>j << 3;
    v128.store(z0 + jo, f64x2.add(s01, v128.load(b + jo)));
  }
  if (j < j1) {
    const wj = w + <usize>j * rowB;
    let s = f64x2.splat(0);
    for (let k: usize = 0; k < rowB; k += 8) s = madd(v128.load64_splat(wj + k), v128.load64_splat(x0 + k), s);
    const jo = <usize>j << 3;
    store<f64>(z0 + jo, f64x2.extract_lane(s, 0) + load<f64>(b + jo));
  }
}

// =====================================================================================================
// denseBackward
// =====================================================================================================

/**
 * dw[j,k] = Σ_r dz[r,j]·x[r,k]   db[j] = Σ_r dz[r,j]   dx[r,k] = Σ_j dz[r,j]·w[j,k]  (dx = 0: skipped).
 * Overwrites dw, db, dx; none may alias an input.
 */
export function denseBackward(
  dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, batch: i32, nIn: i32, nOut: i32,
): void {
  assert(((dx | dw | db | dz | x | w) & 15) == 0 && batch >= 0 && nIn >= 0 && nOut >= 0); // debug build only
  if (dx != 0) inputGradRange(dx, dz, w, batch, nIn, nOut, 0, nIn, scratchBase());
  weightGradRange(dw, db, dz, x, batch, nIn, nOut, 0, nOut, scratchBase());
}

/** The SIMD backward loops run for this layer shape (the same answer for every range of the layer). */
// @ts-ignore: decorator
@inline
function backwardSimd(batch: i32, nIn: i32, nOut: i32): bool {
  // the packed dz tiles (4 × nOut for dx, DW_ROWS × 4 for dw) must fit the scratch region
  return ASC_FEATURE_SIMD && <i64>batch * nIn * nOut >= SIMD_MIN_WORK && nIn >= 4 && nOut <= (SCRATCH_F64 >> 2);
}

/** Rows j0..j1 of dw and db (all of k, summed over every row r). */
export function weightGradRange(
  dw: usize, db: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, scratch: usize,
): void {
  if (j1 <= j0) return;
  if (ASC_FEATURE_SIMD) {
    if (packedPath(batch, nIn, nOut)) {
      biasGradSimd(db, dz, batch, nOut, j0, j1);
      // s = neuron j (from j0), v = input k, m = row r
      const rowB = <usize>nIn << 3;
      gemmPacked(dw + <usize>j0 * rowB, rowB, dz + (<usize>j0 << 3), <usize>nOut << 3, 8, j1 - j0, x, rowB, 8, 0, nIn, batch, scratch);
      return;
    }
    if (backwardSimd(batch, nIn, nOut)) {
      weightGradSimd(dw, db, dz, x, batch, nIn, nOut, j0, j1, scratch);
      return;
    }
  }
  weightGradScalar(dw, db, dz, x, batch, nIn, nOut, j0, j1);
}

/** Columns k0..k1 of dx (all rows, summed over every neuron j). */
export function inputGradRange(
  dx: usize, dz: usize, w: usize, batch: i32, nIn: i32, nOut: i32, k0: i32, k1: i32, scratch: usize,
): void {
  if (k1 <= k0) return;
  if (ASC_FEATURE_SIMD) {
    if (packedPath(batch, nIn, nOut)) {
      // s = row r, v = input k, m = neuron j
      const rowB = <usize>nIn << 3;
      gemmPacked(dx, rowB, dz, 8, <usize>nOut << 3, batch, w, rowB, 8, k0, k1, nOut, scratch);
      return;
    }
    if (backwardSimd(batch, nIn, nOut)) {
      inputGradSimd(dx, dz, w, batch, nIn, nOut, k0, k1, scratch);
      return;
    }
  }
  inputGradScalar(dx, dz, w, batch, nIn, nOut, k0, k1);
}

function weightGradScalar(
  dw: usize, db: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32,
): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  // db
  for (let j = j0; j < j1; j++) {
    let s = 0.0;
    let p = dz + (<usize>j << 3);
    for (let r = 0; r < batch; r++) { s += load<f64>(p); p += zRowB; }
    store<f64>(db + (<usize>j << 3), s);
  }
  // dw: two neurons at a time share each loaded x[r,k]
  let j = j0;
  for (; j + 1 < j1; j += 2) {
    const d0 = dw + <usize>j * rowB, d1 = d0 + rowB;
    zeroF64(d0, rowB << 1);
    for (let r = 0; r < batch; r++) {
      const gp = dz + <usize>r * zRowB + (<usize>j << 3);
      const g0 = load<f64>(gp), g1 = load<f64>(gp, 8);
      const xr = x + <usize>r * rowB;
      for (let k: usize = 0; k < rowB; k += 8) {
        const v = load<f64>(xr + k);
        store<f64>(d0 + k, load<f64>(d0 + k) + g0 * v);
        store<f64>(d1 + k, load<f64>(d1 + k) + g1 * v);
      }
    }
  }
  for (; j < j1; j++) {
    const d0 = dw + <usize>j * rowB;
    zeroF64(d0, rowB);
    for (let r = 0; r < batch; r++) {
      const g0 = load<f64>(dz + <usize>r * zRowB + (<usize>j << 3));
      const xr = x + <usize>r * rowB;
      for (let k: usize = 0; k < rowB; k += 8) store<f64>(d0 + k, load<f64>(d0 + k) + g0 * load<f64>(xr + k));
    }
  }
}

function inputGradScalar(dx: usize, dz: usize, w: usize, batch: i32, nIn: i32, nOut: i32, k0: i32, k1: i32): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  const kS = <usize>k0 << 3, kE = <usize>k1 << 3;
  for (let r = 0; r < batch; r++) {
    const dxr = dx + <usize>r * rowB, dzr = dz + <usize>r * zRowB;
    zeroF64(dxr + kS, kE - kS);
    for (let jj = 0; jj < nOut; jj++) {
      const g = load<f64>(dzr + (<usize>jj << 3));
      const wj = w + <usize>jj * rowB;
      for (let k = kS; k < kE; k += 8) store<f64>(dxr + k, load<f64>(dxr + k) + g * load<f64>(wj + k));
    }
  }
}

/**
 * SIMD weight gradient, rows j0..j1.
 * db: f64x2 over neuron pairs, summed down the rows.
 * dw: per block of 4 neurons, dz[:, j..j+3] is packed r-major ([r][4]); tiles of 4 neurons × 4 inputs are
 *     reduced over r: broadcast the packed dz[r, j+n], load x[r, k..k+3]. Missing neurons of a last block
 *     repeat the last real one (computed, not stored). Inputs k beyond the last multiple of 4 are reduced
 *     in lane 0 of a splatted madd chain (same operations as a tile lane).
 */
function weightGradSimd(
  dw: usize, db: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, tile: usize,
): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  const kB4 = <usize>(nIn & ~3) << 3; // bytes of k covered by 4-wide tiles
  biasGradSimd(db, dz, batch, nOut, j0, j1);
  weightGradTiles(dw, dz, x, batch, nIn, nOut, j0, j1, tile, rowB, zRowB, kB4);
}

/** db[j0..j1]: f64x2 over neuron pairs, each summed down the rows in order. */
function biasGradSimd(db: usize, dz: usize, batch: i32, nOut: i32, j0: i32, j1: i32): void {
  const zRowB = <usize>nOut << 3;
  {
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      let acc = f64x2.splat(0);
      let p = dz + (<usize>j << 3);
      for (let r = 0; r < batch; r++) { acc = f64x2.add(acc, v128.load(p)); p += zRowB; }
      v128.store(db + (<usize>j << 3), acc);
    }
    for (; j < j1; j++) {
      let s = 0.0;
      let p = dz + (<usize>j << 3);
      for (let r = 0; r < batch; r++) { s += load<f64>(p); p += zRowB; }
      store<f64>(db + (<usize>j << 3), s);
    }
  }
}

function weightGradTiles(
  dw: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, tile: usize,
  rowB: usize, zRowB: usize, kB4: usize,
): void {
  // ---- dw ----
  // Rows go in chunks of DW_ROWS so the x rows of a chunk stay in L2 across all neuron blocks; the
  // accumulators of later chunks start from the partial sums in dw, so each dw[j,k] is still summed
  // r = 0..batch-1 in order.
  if (batch == 1) {
    dwOneRowSimd(dw, dz, x, nIn, j0, j1);
    return;
  }
  for (let rc = 0; rc < batch; rc += DW_ROWS) {
    const nrc = min(DW_ROWS, batch - rc);
    const tEnd = tile + (<usize>nrc << 5);
    const xc = x + <usize>rc * rowB;
    for (let j = j0; j < j1; j += 4) {
      const nj = min(4, j1 - j);
      const o0 = <usize>j << 3;
      const o1 = nj > 1 ? o0 + 8 : o0;
      const o2 = nj > 2 ? o1 + 8 : o1;
      const o3 = nj > 3 ? o2 + 8 : o2;
      let q = tile, gp = dz + <usize>rc * zRowB;
      for (let r = 0; r < nrc; r++) {
        store<f64>(q, load<f64>(gp + o0));
        store<f64>(q, load<f64>(gp + o1), 8);
        store<f64>(q, load<f64>(gp + o2), 16);
        store<f64>(q, load<f64>(gp + o3), 24);
        q += 32; gp += zRowB;
      }
      const d0 = dw + <usize>j * rowB;
      for (let kb: usize = 0; kb < kB4; kb += 32) {
        const d = d0 + kb;
        let a0l = f64x2.splat(0), a0h = f64x2.splat(0), a1l = f64x2.splat(0), a1h = f64x2.splat(0);
        let a2l = f64x2.splat(0), a2h = f64x2.splat(0), a3l = f64x2.splat(0), a3h = f64x2.splat(0);
        if (rc > 0) {
          a0l = v128.load(d); a0h = v128.load(d, 16);
          if (nj > 1) { const d1 = d + rowB; a1l = v128.load(d1); a1h = v128.load(d1, 16); }
          if (nj > 2) { const d2 = d + (rowB << 1); a2l = v128.load(d2); a2h = v128.load(d2, 16); }
          if (nj > 3) { const d3 = d + rowB * 3; a3l = v128.load(d3); a3h = v128.load(d3, 16); }
        }
        let xp = xc + kb;
        for (let tp = tile; tp < tEnd; tp += 32) {
          const xl = v128.load(xp), xh = v128.load(xp, 16);
          let c = v128.load64_splat(tp);
          a0l = madd(c, xl, a0l); a0h = madd(c, xh, a0h);
          c = v128.load64_splat(tp, 8);
          a1l = madd(c, xl, a1l); a1h = madd(c, xh, a1h);
          c = v128.load64_splat(tp, 16);
          a2l = madd(c, xl, a2l); a2h = madd(c, xh, a2h);
          c = v128.load64_splat(tp, 24);
          a3l = madd(c, xl, a3l); a3h = madd(c, xh, a3h);
          xp += rowB;
        }
        v128.store(d, a0l); v128.store(d, a0h, 16);
        if (nj > 1) { const d1 = d + rowB; v128.store(d1, a1l); v128.store(d1, a1h, 16); }
        if (nj > 2) { const d2 = d + (rowB << 1); v128.store(d2, a2l); v128.store(d2, a2h, 16); }
        if (nj > 3) { const d3 = d + rowB * 3; v128.store(d3, a3l); v128.store(d3, a3h, 16); }
      }
    }
  }
  if (kB4 < rowB) {
    for (let j = j0; j < j1; j++) {
      const dwj = dw + <usize>j * rowB, jo = <usize>j << 3;
      for (let k = kB4; k < rowB; k += 8) {
        let s = f64x2.splat(0);
        let xp = x + k, gp = dz + jo;
        for (let r = 0; r < batch; r++) {
          s = madd(v128.load64_splat(gp), v128.load64_splat(xp), s);
          xp += rowB; gp += zRowB;
        }
        store<f64>(dwj + k, f64x2.extract_lane(s, 0));
      }
    }
  }
}

/**
 * SIMD input gradient, columns k0..k1 of dx.
 * Per block of 4 rows, dz[r..r+3, :] is packed j-major into scratch ([j][4]); tiles of 4 rows × 4
 * inputs (8 accumulators) are reduced over j: broadcast the packed dz[r+i, j], load w[j, k..k+3]. The
 * last (k1-k0) % 4 columns of a block use the rows as lanes (load the packed pair, broadcast w[j,k]); the
 * batch % 4 rows left over go through dxRowSimd. Every lane is the same madd chain over j = 0..nOut-1.
 */
function inputGradSimd(
  dx: usize, dz: usize, w: usize, batch: i32, nIn: i32, nOut: i32, k0: i32, k1: i32, tile: usize,
): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  const kS = <usize>k0 << 3, kE = <usize>k1 << 3;
  const kE4 = kS + (<usize>((k1 - k0) & ~3) << 3);
  const gEnd = tile + (zRowB << 2);
  const batch4 = batch & ~3;
  for (let r = 0; r < batch4; r += 4) {
    const g0 = dz + <usize>r * zRowB;
    const g1 = g0 + zRowB, g2 = g1 + zRowB, g3 = g2 + zRowB;
    let q = tile;
    for (let jo: usize = 0; jo < zRowB; jo += 8) {
      store<f64>(q, load<f64>(g0 + jo));
      store<f64>(q, load<f64>(g1 + jo), 8);
      store<f64>(q, load<f64>(g2 + jo), 16);
      store<f64>(q, load<f64>(g3 + jo), 24);
      q += 32;
    }
    const d0 = dx + <usize>r * rowB;
    for (let kb = kS; kb < kE4; kb += 32) {
      let a0l = f64x2.splat(0), a0h = f64x2.splat(0), a1l = f64x2.splat(0), a1h = f64x2.splat(0);
      let a2l = f64x2.splat(0), a2h = f64x2.splat(0), a3l = f64x2.splat(0), a3h = f64x2.splat(0);
      let wp = w + kb;
      for (let gp = tile; gp < gEnd; gp += 32) {
        const wl = v128.load(wp), wh = v128.load(wp, 16);
        let c = v128.load64_splat(gp);
        a0l = madd(c, wl, a0l); a0h = madd(c, wh, a0h);
        c = v128.load64_splat(gp, 8);
        a1l = madd(c, wl, a1l); a1h = madd(c, wh, a1h);
        c = v128.load64_splat(gp, 16);
        a2l = madd(c, wl, a2l); a2h = madd(c, wh, a2h);
        c = v128.load64_splat(gp, 24);
        a3l = madd(c, wl, a3l); a3h = madd(c, wh, a3h);
        wp += rowB;
      }
      const d = d0 + kb;
      v128.store(d, a0l); v128.store(d, a0h, 16);
      const d1 = d + rowB; v128.store(d1, a1l); v128.store(d1, a1h, 16);
      const d2 = d1 + rowB; v128.store(d2, a2l); v128.store(d2, a2h, 16);
      const d3 = d2 + rowB; v128.store(d3, a3l); v128.store(d3, a3h, 16);
    }
    for (let kb = kE4; kb < kE; kb += 8) {
      let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
      let wp = w + kb;
      for (let gp = tile; gp < gEnd; gp += 32) {
        const c = v128.load64_splat(wp);
        s01 = madd(v128.load(gp), c, s01); s23 = madd(v128.load(gp, 16), c, s23);
        wp += rowB;
      }
      const d = d0 + kb;
      store<f64>(d, f64x2.extract_lane(s01, 0));
      store<f64>(d + rowB, f64x2.extract_lane(s01, 1));
      store<f64>(d + (rowB << 1), f64x2.extract_lane(s23, 0));
      store<f64>(d + rowB * 3, f64x2.extract_lane(s23, 1));
    }
  }
  for (let r = batch4; r < batch; r++) dxRowSimd(dx + <usize>r * rowB, dz + <usize>r * zRowB, w, nIn, nOut, kS, kE);
}

/**
 * Columns kS..kE (bytes) of one row of dx (dx[r,:] = Σ_j dz[r,j]·w[j,:]) for the batch % 4 rows left over
 * by the 4-row tiles: 16 inputs per tile (8 accumulators), broadcast dz[r,j], load w[j, k..k+15], reduced
 * over j in order; then pairs, then one input in lane 0 of a splatted madd chain.
 */
function dxRowSimd(dxr: usize, dzr: usize, w: usize, nIn: i32, nOut: i32, kS: usize, kE: usize): void {
  const rowB = <usize>nIn << 3;
  const zRowB = <usize>nOut << 3;
  const kE16 = kS + ((kE - kS) & ~(<usize>127)), kE2 = kS + ((kE - kS) & ~(<usize>15));
  let kb = kS;
  for (; kb < kE16; kb += 128) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    let s4 = f64x2.splat(0), s5 = f64x2.splat(0), s6 = f64x2.splat(0), s7 = f64x2.splat(0);
    let wp = w + kb;
    for (let jo: usize = 0; jo < zRowB; jo += 8) {
      const c = v128.load64_splat(dzr + jo);
      s0 = madd(c, v128.load(wp), s0); s1 = madd(c, v128.load(wp, 16), s1);
      s2 = madd(c, v128.load(wp, 32), s2); s3 = madd(c, v128.load(wp, 48), s3);
      s4 = madd(c, v128.load(wp, 64), s4); s5 = madd(c, v128.load(wp, 80), s5);
      s6 = madd(c, v128.load(wp, 96), s6); s7 = madd(c, v128.load(wp, 112), s7);
      wp += rowB;
    }
    const d = dxr + kb;
    v128.store(d, s0); v128.store(d, s1, 16); v128.store(d, s2, 32); v128.store(d, s3, 48);
    v128.store(d, s4, 64); v128.store(d, s5, 80); v128.store(d, s6, 96); v128.store(d, s7, 112);
  }
  for (; kb < kE2; kb += 16) {
    let s0 = f64x2.splat(0);
    let wp = w + kb;
    for (let jo: usize = 0; jo < zRowB; jo += 8) { s0 = madd(v128.load64_splat(dzr + jo), v128.load(wp), s0); wp += rowB; }
    v128.store(dxr + kb, s0);
  }
  if (kb < kE) {
    let s = f64x2.splat(0);
    let wp = w + kb;
    for (let jo: usize = 0; jo < zRowB; jo += 8) { s = madd(v128.load64_splat(dzr + jo), v128.load64_splat(wp), s); wp += rowB; }
    store<f64>(dxr + kb, f64x2.extract_lane(s, 0));
  }
}

/** dw rows j0..j1 for batch 1: the outer product dz ⊗ x, as madd(dz[j], x[k], 0) (the spec's zero-initialised sum). */
function dwOneRowSimd(dw: usize, dz: usize, x: usize, nIn: i32, j0: i32, j1: i32): void {
  const rowB = <usize>nIn << 3;
  const kB2 = rowB & ~(<usize>15);
  const zero = f64x2.splat(0);
  let dwj = dw + <usize>j0 * rowB;
  for (let j = j0; j < j1; j++) {
    const c = v128.load64_splat(dz + (<usize>j << 3));
    let k: usize = 0;
    for (; k < kB2; k += 16) v128.store(dwj + k, madd(c, v128.load(x + k), zero));
    if (k < rowB) store<f64>(dwj + k, f64x2.extract_lane(madd(c, v128.load64_splat(x + k), zero), 0));
    dwj += rowB;
  }
}
