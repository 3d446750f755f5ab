/**
 * Dense layer kernels: z = x·wᵀ + b and its gradients.
 *
 * x: batch×nIn, w: nOut×nIn (row j = neuron j), b: nOut, z/dz: batch×nOut; all row-major, of the element type T
 * (f64 or f32: the kernels are generic; the exports denseForward / denseBackward are the f64 instances,
 * denseForwardF32 / denseBackwardF32 the f32 ones).
 *
 * Tiles are two v128 wide on their vector side: 4 float64 or 8 float32 (32 bytes either way, so the packed
 * layouts keep their byte pitches); the broadcast side stays 4 wide.
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
 * madd on a splatted lane, so the relaxed build fuses them like the tiles. Whether the SIMD or the
 * scalar loops run is decided from the whole layer's shape (batch, nIn, nOut), never from the range.
 */
import { lanesOf, madd, scratchBase, SCRATCH_F64, vmadd, zeroEl } from './common';
import { gemmPacked } from './gemm';

/** Below this many multiply-adds the scalar loops win (no packing, no tile set-up). */
const SIMD_MIN_WORK: i64 = 512;

/**
 * Layers whose weights pass the 1 MiB L2 (2^17 float64), at batch ≥ PACKED_MIN_BATCH, take the packed, cache-blocked
 * GEMM (gemm.ts) for both backward products: there the tile loops below walk a column of x or w across rows whose
 * power-of-two stride (1024 inputs: 8 KiB) maps onto one L1 set, and sweep all of w once per 4-row block. Smaller
 * layers keep the tile loops, which need no packing pass (measured: docs/benchmarks.md "Blocking for wide layers").
 * The forward pass keeps its tile loop (except on narrow layers, below): it reads w rows along k (no column walk),
 * and packing w cost more than the blocking saved at training batch sizes.
 */
const PACKED_MIN_WEIGHTS: i64 = 1 << 17;
const PACKED_MIN_BATCH: i32 = 8;

/** The packed GEMM runs for this layer shape's backward pass (the same answer for every range of the layer). */
// @ts-ignore: decorator
@inline
function packedPath(batch: i32, nIn: i32, nOut: i32): bool {
  // (in elements for both types: the float32 layers keep the float64 layers' paths)
  return ASC_FEATURE_SIMD && batch >= PACKED_MIN_BATCH && <i64>nIn * nOut >= PACKED_MIN_WEIGHTS;
}

/** Rows per chunk of the dw reduction in denseBackwardSimd. */
const DW_ROWS: i32 = 64;

// =====================================================================================================
// denseForward
// =====================================================================================================

/**
 * z[r,j] = Σ_k x[r,k]·w[j,k] + b[j] (float64).   z must not alias x, w or b.
 */
export function denseForward(z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32): void {
  assert(((z | x | w | b) & 15) == 0 && batch >= 0 && nIn >= 0 && nOut >= 0); // debug build only
  denseForwardRange<f64>(z, x, w, b, batch, nIn, nOut, 0, nOut, scratchBase());
}

/** denseForward in float32 (src/abi.ts): the same kernel instantiated at f32, every block of f32 elements. */
export function denseForwardF32(z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32): void {
  assert(((z | x | w | b) & 15) == 0 && batch >= 0 && nIn >= 0 && nOut >= 0); // debug build only
  denseForwardRange<f32>(z, x, w, b, batch, nIn, nOut, 0, nOut, scratchBase());
}

/**
 * Neurons j0..j1 of denseForward (all rows); `scratch`: the caller's SCRATCH_BYTES region. The path is
 * chosen from (batch, nIn, nOut) only, so every range of one layer takes the same one.
 */
export function denseForwardRange<T>(
  z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, scratch: usize,
): void {
  if (j1 <= j0) return;
  if (ASC_FEATURE_SIMD) {
    if (narrowLayer(batch, nIn, nOut)) {
      // s = row r (x read in place), v = neuron j (w packed), m = input k; then the bias, added last
      const rowB = <usize>nIn << alignof<T>();
      const zRowB = <usize>nOut << alignof<T>();
      gemmPacked<T>(z, zRowB, x, sizeof<T>(), rowB, batch, w, sizeof<T>(), rowB, j0, j1, nIn, scratch);
      addBias<T>(z, b, batch, nOut, j0, j1);
      return;
    }
    // (the packed block is 32·nIn bytes for both types: 4 rows of float64 or 8 of float32)
    if (nOut >= 4 && <i64>batch * nIn * nOut >= SIMD_MIN_WORK && nIn <= (SCRATCH_F64 >> 2)) {
      denseForwardSimd<T>(z, x, w, b, batch, nIn, nOut, j0, j1, scratch);
      return;
    }
  }
  denseForwardScalar<T>(z, x, w, b, batch, nIn, nOut, j0, j1);
}

/**
 * Narrow layers: fewer than NARROW_MAX_OUT neurons (the 10 outputs of a classifier), at least NARROW_MIN_IN inputs,
 * batch ≥ NARROW_MIN_BATCH. Their forward pass takes the packed GEMM with w packed once per call and reused by every
 * row and x read in place (the tile loop below packs x per row block for the sake of only nOut neurons). Smaller
 * narrow layers (128→10, 16→16, batch 13) measured slower on the packed path, so they keep the tile loop
 * (docs/benchmarks.md "Blocking for wide layers").
 */
const NARROW_MAX_OUT: i32 = 16;
const NARROW_MIN_IN: i32 = 512;
const NARROW_MIN_BATCH: i32 = 32;

/** This layer shape is narrow: its forward pass takes the packed GEMM (the same answer for every range). */
// @ts-ignore: decorator
@inline
function narrowLayer(batch: i32, nIn: i32, nOut: i32): bool {
  return ASC_FEATURE_SIMD && batch >= NARROW_MIN_BATCH && nOut < NARROW_MAX_OUT && nIn >= NARROW_MIN_IN;
}

/**
 * A narrow layer whose x rows are a multiple of 4 KiB apart (1024 float64 or float32 inputs: the L1's 64 sets × 64 B)
 * also takes the packed GEMM for dw: the tile loop walks each column of x once per 4-neuron block across rows that
 * all map onto one L1 set, so every load goes to L2; the packed panel copies each x element once. At other strides
 * (600 inputs) the tile loop measured faster.
 */
// @ts-ignore: decorator
@inline
function narrowPackedDw(batch: i32, nIn: i32, nOut: i32, rowB: usize): bool {
  return narrowLayer(batch, nIn, nOut) && (rowB & 4095) == 0;
}

/** z[r, j] += b[j] for every row, neurons j0..j1: the bias, added after the sum as in every other path. */
function addBias<T>(z: usize, b: usize, batch: i32, nOut: i32, j0: i32, j1: i32): void {
  const zRowB = <usize>nOut << alignof<T>();
  const jS = <usize>j0 << alignof<T>(), jE = <usize>j1 << alignof<T>();
  let zr = z;
  for (let r = 0; r < batch; r++) {
    for (let jo = jS; jo < jE; jo += sizeof<T>()) store<T>(zr + jo, load<T>(zr + jo) + load<T>(b + jo));
    zr += zRowB;
  }
}

/** Scalar version: blocked 2 rows × 2 neurons, as the JS spec. */
function denseForwardScalar<T>(z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32): void {
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  let r = 0;
  for (; r + 1 < batch; r += 2) {
    const x0 = x + <usize>r * rowB, x1 = x0 + rowB;
    const z0 = z + <usize>r * zRowB, z1 = z0 + zRowB;
    let j = j0;
    for (; j + 1 < j1; j += 2) {
      const w0 = w + <usize>j * rowB, w1 = w0 + rowB;
      let s00: T = 0, s01: T = 0, s10: T = 0, s11: T = 0;
      for (let k: usize = 0; k < rowB; k += sizeof<T>()) {
        const a0 = load<T>(x0 + k), a1 = load<T>(x1 + k);
        const c0 = load<T>(w0 + k), c1 = load<T>(w1 + k);
        s00 += a0 * c0; s01 += a0 * c1; s10 += a1 * c0; s11 += a1 * c1;
      }
      const jo = <usize>j << alignof<T>();
      const b0 = load<T>(b + jo), b1 = load<T>(b + jo, sizeof<T>());
      store<T>(z0 + jo, s00 + b0); store<T>(z0 + jo, s01 + b1, sizeof<T>());
      store<T>(z1 + jo, s10 + b0); store<T>(z1 + jo, s11 + b1, sizeof<T>());
    }
    for (; j < j1; j++) {
      const w0 = w + <usize>j * rowB;
      let s0: T = 0, s1: T = 0;
      for (let k: usize = 0; k < rowB; k += sizeof<T>()) {
        const c = load<T>(w0 + k);
        s0 += load<T>(x0 + k) * c; s1 += load<T>(x1 + k) * c;
      }
      const jo = <usize>j << alignof<T>();
      const bj = load<T>(b + jo);
      store<T>(z0 + jo, s0 + bj); store<T>(z1 + jo, s1 + bj);
    }
  }
  for (; r < batch; r++) {
    const x0 = x + <usize>r * rowB, z0 = z + <usize>r * zRowB;
    for (let j = j0; j < j1; j++) {
      const w0 = w + <usize>j * rowB;
      let s: T = 0;
      for (let k: usize = 0; k < rowB; k += sizeof<T>()) s += load<T>(x0 + k) * load<T>(w0 + k);
      const jo = <usize>j << alignof<T>();
      store<T>(z0 + jo, s + load<T>(b + jo));
    }
  }
}

/**
 * SIMD version. For each block of RB rows (two v128 of x: 4 float64 or 8 float32), x is packed k-major into
 * scratch ([k][r0 .. r(RB-1)]), so one k step loads the block's rows as two vectors (lo, hi) and broadcasts
 * w[j,k] for 4 neurons: 8 accumulators, each half a block of one neuron. The last batch % RB rows go through
 * forwardRowSimd.
 */
function denseForwardSimd<T>(
  z: usize, x: usize, w: usize, b: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, xp: usize,
): void {
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  const RB = lanesOf<T>() << 1;
  const batchB = batch & ~(RB - 1);
  for (let r = 0; r < batchB; r += RB) {
    const x0 = x + <usize>r * rowB;
    packRows<T>(xp, x0, rowB);
    const z0 = z + <usize>r * zRowB;
    const xEnd = xp + (<usize>nIn << 5);
    let j = j0;
    for (; j + 3 < j1; j += 4) {
      let w0 = w + <usize>j * rowB;
      let w1 = w0 + rowB, w2 = w1 + rowB, w3 = w2 + rowB;
      let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a1l = v128.splat<T>(0), a1h = v128.splat<T>(0);
      let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a3l = v128.splat<T>(0), a3h = v128.splat<T>(0);
      let p = xp;
      // running pointers rather than base + offset: fewer integer ops competing for the vector ports
      // (measured; unrolling k by 2 with constant offsets was slower, with relaxed-simd much slower)
      for (; p < xEnd; p += 32) {
        const xl = v128.load(p), xh = v128.load(p, 16);
        let c = v128.load_splat<T>(w0);
        a0l = vmadd<T>(xl, c, a0l); a0h = vmadd<T>(xh, c, a0h);
        c = v128.load_splat<T>(w1);
        a1l = vmadd<T>(xl, c, a1l); a1h = vmadd<T>(xh, c, a1h);
        c = v128.load_splat<T>(w2);
        a2l = vmadd<T>(xl, c, a2l); a2h = vmadd<T>(xh, c, a2h);
        c = v128.load_splat<T>(w3);
        a3l = vmadd<T>(xl, c, a3l); a3h = vmadd<T>(xh, c, a3h);
        w0 += sizeof<T>(); w1 += sizeof<T>(); w2 += sizeof<T>(); w3 += sizeof<T>();
      }
      storeNeurons4<T>(z0 + (<usize>j << alignof<T>()), zRowB, b + (<usize>j << alignof<T>()), a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h);
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
      let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a1l = v128.splat<T>(0), a1h = v128.splat<T>(0);
      let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a3l = v128.splat<T>(0), a3h = v128.splat<T>(0);
      for (let p = xp; p < xEnd; p += 32) {
        const xl = v128.load(p), xh = v128.load(p, 16);
        let c = v128.load_splat<T>(w0);
        a0l = vmadd<T>(xl, c, a0l); a0h = vmadd<T>(xh, c, a0h);
        c = v128.load_splat<T>(w1);
        a1l = vmadd<T>(xl, c, a1l); a1h = vmadd<T>(xh, c, a1h);
        c = v128.load_splat<T>(w2);
        a2l = vmadd<T>(xl, c, a2l); a2h = vmadd<T>(xh, c, a2h);
        c = v128.load_splat<T>(w3);
        a3l = vmadd<T>(xl, c, a3l); a3h = vmadd<T>(xh, c, a3h);
        w0 += sizeof<T>(); w1 += sizeof<T>(); w2 += sizeof<T>(); w3 += sizeof<T>();
      }
      const jo = <usize>j << alignof<T>();
      storeColumn<T>(z0 + jo, zRowB, a0l, a0h, load<T>(b + jo));
      if (nj > 1) storeColumn<T>(z0 + jo + sizeof<T>(), zRowB, a1l, a1h, load<T>(b + jo, sizeof<T>()));
      if (nj > 2) storeColumn<T>(z0 + jo + 2 * sizeof<T>(), zRowB, a2l, a2h, load<T>(b + jo, 2 * sizeof<T>()));
    }
  }
  for (let r = batchB; r < batch; r++) {
    forwardRowSimd<T>(z + <usize>r * zRowB, x + <usize>r * rowB, w, b, nIn, j0, j1);
  }
}

/** Packs the block of rows x0.. (two v128 of rows: 4 float64 or 8 float32) k-major into xp: [k][rows]. */
// @ts-ignore: decorator
@inline
function packRows<T>(xp: usize, x0: usize, rowB: usize): void {
  const x1 = x0 + rowB, x2 = x1 + rowB, x3 = x2 + rowB;
  let q = xp;
  if (sizeof<T>() == 8) {
    for (let k: usize = 0; k < rowB; k += 8) {
      store<T>(q, load<T>(x0 + k));
      store<T>(q, load<T>(x1 + k), 8);
      store<T>(q, load<T>(x2 + k), 16);
      store<T>(q, load<T>(x3 + k), 24);
      q += 32;
    }
  } else {
    const x4 = x3 + rowB, x5 = x4 + rowB, x6 = x5 + rowB, x7 = x6 + rowB;
    for (let k: usize = 0; k < rowB; k += 4) {
      store<T>(q, load<T>(x0 + k));
      store<T>(q, load<T>(x1 + k), 4);
      store<T>(q, load<T>(x2 + k), 8);
      store<T>(q, load<T>(x3 + k), 12);
      store<T>(q, load<T>(x4 + k), 16);
      store<T>(q, load<T>(x5 + k), 20);
      store<T>(q, load<T>(x6 + k), 24);
      store<T>(q, load<T>(x7 + k), 28);
      q += 32;
    }
  }
}

/**
 * z[rows of the block, j..j+3] = the 4 neurons' sums + b[j..j+3]. a{n}l / a{n}h: neuron n's sums over the block's
 * first / second half of rows (float64: 2 rows each, float32: 4), transposed into rows of z by shuffles.
 */
// @ts-ignore: decorator
@inline
function storeNeurons4<T>(
  zj: usize, zRowB: usize, bj: usize,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128,
): void {
  if (sizeof<T>() == 8) {
    const z1 = zj + zRowB, z2 = z1 + zRowB, z3 = z2 + zRowB;
    const b01 = v128.load(bj), b23 = v128.load(bj, 16);
    // a{n}l = (row0, row1) of neuron n, a{n}h = (row2, row3)
    v128.store(zj, f64x2.add(v128.shuffle<f64>(a0l, a1l, 0, 2), b01));
    v128.store(zj, f64x2.add(v128.shuffle<f64>(a2l, a3l, 0, 2), b23), 16);
    v128.store(z1, f64x2.add(v128.shuffle<f64>(a0l, a1l, 1, 3), b01));
    v128.store(z1, f64x2.add(v128.shuffle<f64>(a2l, a3l, 1, 3), b23), 16);
    v128.store(z2, f64x2.add(v128.shuffle<f64>(a0h, a1h, 0, 2), b01));
    v128.store(z2, f64x2.add(v128.shuffle<f64>(a2h, a3h, 0, 2), b23), 16);
    v128.store(z3, f64x2.add(v128.shuffle<f64>(a0h, a1h, 1, 3), b01));
    v128.store(z3, f64x2.add(v128.shuffle<f64>(a2h, a3h, 1, 3), b23), 16);
  } else {
    const bv = v128.load(bj);
    transposeStore4f32(zj, zRowB, a0l, a1l, a2l, a3l, bv);
    transposeStore4f32(zj + (zRowB << 2), zRowB, a0h, a1h, a2h, a3h, bv);
  }
}

/** Rows i = 0..3 at z0 + i·zRowB get (c0[i], c1[i], c2[i], c3[i]) + bv (f32x4: a 4 × 4 transpose). */
// @ts-ignore: decorator
@inline
function transposeStore4f32(z0: usize, zRowB: usize, c0: v128, c1: v128, c2: v128, c3: v128, bv: v128): void {
  const t0 = v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(c2, c3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(c0, c1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(c2, c3, 2, 6, 3, 7);
  const z1 = z0 + zRowB, z2 = z1 + zRowB, z3 = z2 + zRowB;
  v128.store(z0, f32x4.add(v128.shuffle<f64>(t0, t1, 0, 2), bv));
  v128.store(z1, f32x4.add(v128.shuffle<f64>(t0, t1, 1, 3), bv));
  v128.store(z2, f32x4.add(v128.shuffle<f64>(t2, t3, 0, 2), bv));
  v128.store(z3, f32x4.add(v128.shuffle<f64>(t2, t3, 1, 3), bv));
}

/** z[rows of the block, j] = one neuron's sums (first half lo, second half hi) + its bias. */
// @ts-ignore: decorator
@inline
function storeColumn<T>(z0: usize, zRowB: usize, lo: v128, hi: v128, bj: T): void {
  if (sizeof<T>() == 8) {
    const z1 = z0 + zRowB, z2 = z1 + zRowB, z3 = z2 + zRowB;
    store<T>(z0, v128.extract_lane<T>(lo, 0) + bj);
    store<T>(z1, v128.extract_lane<T>(lo, 1) + bj);
    store<T>(z2, v128.extract_lane<T>(hi, 0) + bj);
    store<T>(z3, v128.extract_lane<T>(hi, 1) + bj);
  } else {
    let q = z0;
    store<T>(q, v128.extract_lane<T>(lo, 0) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(lo, 1) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(lo, 2) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(lo, 3) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(hi, 0) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(hi, 1) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(hi, 2) + bj); q += zRowB;
    store<T>(q, v128.extract_lane<T>(hi, 3) + bj);
  }
}

/**
 * One row of denseForward (matrix-vector), for batches that are not a multiple of the row block (and batch 1).
 * Vectorised across neurons: float64 loads w[j, k..k+1] and w[j+1, k..k+1] and transposes them with a shuffle,
 * float32 a 4 × 4 block of w, so each lane still sums its own dot product in increasing k. 8 neurons per tile.
 */
function forwardRowSimd<T>(z0: usize, x0: usize, w: usize, b: usize, nIn: i32, j0: i32, j1: i32): void {
  if (sizeof<T>() == 4) {
    forwardRowF32(z0, x0, w, b, nIn, j0, j1);
    return;
  }
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

/**
 * forwardRowSimd for float32: 4 neurons per f32x4, w[j..j+3, k..k+3] loaded as 4 rows and transposed, each lane
 * summing its neuron over k in order; 8 neurons per tile (two chains), then groups of 4, then one neuron in lane 0
 * of a splatted chain (madd everywhere, so every neuron gets the same operations wherever a range puts it).
 */
function forwardRowF32(z0: usize, x0: usize, w: usize, b: usize, nIn: i32, j0: i32, j1: i32): void {
  const rowB = <usize>nIn << 2;
  const kB4 = rowB & ~(<usize>15);
  let j = j0;
  for (; j + 7 < j1; j += 8) {
    const w0 = w + <usize>j * rowB, w4 = w0 + (rowB << 2);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    let k: usize = 0;
    for (; k < kB4; k += 16) {
      s0 = quadStep(s0, w0 + k, rowB, x0 + k);
      s1 = quadStep(s1, w4 + k, rowB, x0 + k);
    }
    for (; k < rowB; k += 4) {
      const xa = v128.load32_splat(x0 + k);
      s0 = vmadd<f32>(column4(w0 + k, rowB), xa, s0);
      s1 = vmadd<f32>(column4(w4 + k, rowB), xa, s1);
    }
    const jo = <usize>j << 2;
    v128.store(z0 + jo, f32x4.add(s0, v128.load(b + jo)));
    v128.store(z0 + jo, f32x4.add(s1, v128.load(b + jo, 16)), 16);
  }
  for (; j + 3 < j1; j += 4) {
    const w0 = w + <usize>j * rowB;
    let s0 = f32x4.splat(0);
    let k: usize = 0;
    for (; k < kB4; k += 16) s0 = quadStep(s0, w0 + k, rowB, x0 + k);
    for (; k < rowB; k += 4) s0 = vmadd<f32>(column4(w0 + k, rowB), v128.load32_splat(x0 + k), s0);
    const jo = <usize>j << 2;
    v128.store(z0 + jo, f32x4.add(s0, v128.load(b + jo)));
  }
  for (; j < j1; j++) {
    const wj = w + <usize>j * rowB;
    let s = f32x4.splat(0);
    for (let k: usize = 0; k < rowB; k += 4) s = vmadd<f32>(v128.load32_splat(wj + k), v128.load32_splat(x0 + k), s);
    const jo = <usize>j << 2;
    store<f32>(z0 + jo, f32x4.extract_lane(s, 0) + load<f32>(b + jo));
  }
}

/** s + w[0..3, k..k+3]ᵀ·x[k..k+3], one madd per k in order (w rows at wk + i·rowB). */
// @ts-ignore: decorator
@inline
function quadStep(s: v128, wk: usize, rowB: usize, xk: usize): v128 {
  const r0 = v128.load(wk), r1 = v128.load(wk + rowB), r2 = v128.load(wk + (rowB << 1)), r3 = v128.load(wk + rowB * 3);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  s = vmadd<f32>(v128.shuffle<f64>(t0, t1, 0, 2), v128.load32_splat(xk), s);
  s = vmadd<f32>(v128.shuffle<f64>(t0, t1, 1, 3), v128.load32_splat(xk, 4), s);
  s = vmadd<f32>(v128.shuffle<f64>(t2, t3, 0, 2), v128.load32_splat(xk, 8), s);
  return vmadd<f32>(v128.shuffle<f64>(t2, t3, 1, 3), v128.load32_splat(xk, 12), s);
}

/** (w[0,k], w[1,k], w[2,k], w[3,k]) for rows at wk + i·rowB. */
// @ts-ignore: decorator
@inline
function column4(wk: usize, rowB: usize): v128 {
  return f32x4(load<f32>(wk), load<f32>(wk + rowB), load<f32>(wk + (rowB << 1)), load<f32>(wk + rowB * 3));
}

// =====================================================================================================
// denseBackward
// =====================================================================================================

/**
 * dw[j,k] = Σ_r dz[r,j]·x[r,k]   db[j] = Σ_r dz[r,j]   dx[r,k] = Σ_j dz[r,j]·w[j,k]  (dx = 0: skipped), float64.
 * Overwrites dw, db, dx; none may alias an input.
 */
export function denseBackward(
  dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, batch: i32, nIn: i32, nOut: i32,
): void {
  denseBackwardT<f64>(dx, dw, db, dz, x, w, batch, nIn, nOut);
}

/** denseBackward in float32 (src/abi.ts): the same kernels instantiated at f32, every block of f32 elements. */
export function denseBackwardF32(
  dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, batch: i32, nIn: i32, nOut: i32,
): void {
  denseBackwardT<f32>(dx, dw, db, dz, x, w, batch, nIn, nOut);
}

// @ts-ignore: decorator
@inline
function denseBackwardT<T>(
  dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, batch: i32, nIn: i32, nOut: i32,
): void {
  assert(((dx | dw | db | dz | x | w) & 15) == 0 && batch >= 0 && nIn >= 0 && nOut >= 0); // debug build only
  if (dx != 0) inputGradRange<T>(dx, dz, w, batch, nIn, nOut, 0, nIn, scratchBase());
  weightGradRange<T>(dw, db, dz, x, batch, nIn, nOut, 0, nOut, scratchBase());
}

/** The SIMD backward loops run for this layer shape (the same answer for every range of the layer). */
// @ts-ignore: decorator
@inline
function backwardSimd(batch: i32, nIn: i32, nOut: i32): bool {
  // the packed dz tiles (4 × nOut for dx, DW_ROWS × 4 for dw) must fit the scratch region
  return ASC_FEATURE_SIMD && <i64>batch * nIn * nOut >= SIMD_MIN_WORK && nIn >= 4 && nOut <= (SCRATCH_F64 >> 2);
}

/** Rows j0..j1 of dw and db (all of k, summed over every row r). */
export function weightGradRange<T>(
  dw: usize, db: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, scratch: usize,
): void {
  if (j1 <= j0) return;
  if (ASC_FEATURE_SIMD) {
    if (packedPath(batch, nIn, nOut) || narrowPackedDw(batch, nIn, nOut, <usize>nIn << alignof<T>())) {
      biasGradSimd<T>(db, dz, batch, nOut, j0, j1);
      // s = neuron j (from j0), v = input k, m = row r
      const rowB = <usize>nIn << alignof<T>();
      gemmPacked<T>(
        dw + <usize>j0 * rowB, rowB, dz + (<usize>j0 << alignof<T>()), <usize>nOut << alignof<T>(), sizeof<T>(), j1 - j0,
        x, rowB, sizeof<T>(), 0, nIn, batch, scratch,
      );
      return;
    }
    if (backwardSimd(batch, nIn, nOut)) {
      weightGradSimd<T>(dw, db, dz, x, batch, nIn, nOut, j0, j1, scratch);
      return;
    }
  }
  weightGradScalar<T>(dw, db, dz, x, batch, nIn, nOut, j0, j1);
}

/** Columns k0..k1 of dx (all rows, summed over every neuron j). */
export function inputGradRange<T>(
  dx: usize, dz: usize, w: usize, batch: i32, nIn: i32, nOut: i32, k0: i32, k1: i32, scratch: usize,
): void {
  if (k1 <= k0) return;
  if (ASC_FEATURE_SIMD) {
    if (packedPath(batch, nIn, nOut)) {
      // s = row r, v = input k, m = neuron j
      const rowB = <usize>nIn << alignof<T>();
      gemmPacked<T>(dx, rowB, dz, sizeof<T>(), <usize>nOut << alignof<T>(), batch, w, rowB, sizeof<T>(), k0, k1, nOut, scratch);
      return;
    }
    if (backwardSimd(batch, nIn, nOut)) {
      inputGradSimd<T>(dx, dz, w, batch, nIn, nOut, k0, k1, scratch);
      return;
    }
  }
  inputGradScalar<T>(dx, dz, w, batch, nIn, nOut, k0, k1);
}

function weightGradScalar<T>(
  dw: usize, db: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32,
): void {
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  // db
  for (let j = j0; j < j1; j++) {
    let s: T = 0;
    let p = dz + (<usize>j << alignof<T>());
    for (let r = 0; r < batch; r++) { s += load<T>(p); p += zRowB; }
    store<T>(db + (<usize>j << alignof<T>()), s);
  }
  // dw: two neurons at a time share each loaded x[r,k]
  let j = j0;
  for (; j + 1 < j1; j += 2) {
    const d0 = dw + <usize>j * rowB, d1 = d0 + rowB;
    zeroEl<T>(d0, rowB << 1);
    for (let r = 0; r < batch; r++) {
      const gp = dz + <usize>r * zRowB + (<usize>j << alignof<T>());
      const g0 = load<T>(gp), g1 = load<T>(gp, sizeof<T>());
      const xr = x + <usize>r * rowB;
      for (let k: usize = 0; k < rowB; k += sizeof<T>()) {
        const v = load<T>(xr + k);
        store<T>(d0 + k, load<T>(d0 + k) + g0 * v);
        store<T>(d1 + k, load<T>(d1 + k) + g1 * v);
      }
    }
  }
  for (; j < j1; j++) {
    const d0 = dw + <usize>j * rowB;
    zeroEl<T>(d0, rowB);
    for (let r = 0; r < batch; r++) {
      const g0 = load<T>(dz + <usize>r * zRowB + (<usize>j << alignof<T>()));
      const xr = x + <usize>r * rowB;
      for (let k: usize = 0; k < rowB; k += sizeof<T>()) store<T>(d0 + k, load<T>(d0 + k) + g0 * load<T>(xr + k));
    }
  }
}

function inputGradScalar<T>(dx: usize, dz: usize, w: usize, batch: i32, nIn: i32, nOut: i32, k0: i32, k1: i32): void {
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  const kS = <usize>k0 << alignof<T>(), kE = <usize>k1 << alignof<T>();
  for (let r = 0; r < batch; r++) {
    const dxr = dx + <usize>r * rowB, dzr = dz + <usize>r * zRowB;
    zeroEl<T>(dxr + kS, kE - kS);
    for (let jj = 0; jj < nOut; jj++) {
      const g = load<T>(dzr + (<usize>jj << alignof<T>()));
      const wj = w + <usize>jj * rowB;
      for (let k = kS; k < kE; k += sizeof<T>()) store<T>(dxr + k, load<T>(dxr + k) + g * load<T>(wj + k));
    }
  }
}

/**
 * SIMD weight gradient, rows j0..j1.
 * db: v128 over neuron pairs (float64) or quads (float32), summed down the rows.
 * dw: per block of 4 neurons, dz[:, j..j+3] is packed r-major ([r][4]); tiles of 4 neurons × two v128 of inputs
 *     (4 float64 or 8 float32) are reduced over r: broadcast the packed dz[r, j+n], load x[r, k..]. Missing neurons
 *     of a last block repeat the last real one (computed, not stored). Inputs k beyond the last whole tile are
 *     reduced in lane 0 of a splatted madd chain (same operations as a tile lane).
 */
function weightGradSimd<T>(
  dw: usize, db: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, tile: usize,
): void {
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  const kBT = <usize>(nIn & ~((lanesOf<T>() << 1) - 1)) << alignof<T>(); // bytes of k covered by whole tiles
  biasGradSimd<T>(db, dz, batch, nOut, j0, j1);
  weightGradTiles<T>(dw, dz, x, batch, nIn, nOut, j0, j1, tile, rowB, zRowB, kBT);
}

/** db[j0..j1]: v128 over neuron pairs (float64) or quads (float32), each summed down the rows in order. */
function biasGradSimd<T>(db: usize, dz: usize, batch: i32, nOut: i32, j0: i32, j1: i32): void {
  const zRowB = <usize>nOut << alignof<T>();
  const N = lanesOf<T>();
  {
    let j = j0;
    for (; j + N - 1 < j1; j += N) {
      let acc = v128.splat<T>(0);
      let p = dz + (<usize>j << alignof<T>());
      for (let r = 0; r < batch; r++) { acc = v128.add<T>(acc, v128.load(p)); p += zRowB; }
      v128.store(db + (<usize>j << alignof<T>()), acc);
    }
    for (; j < j1; j++) {
      let s: T = 0;
      let p = dz + (<usize>j << alignof<T>());
      for (let r = 0; r < batch; r++) { s += load<T>(p); p += zRowB; }
      store<T>(db + (<usize>j << alignof<T>()), s);
    }
  }
}

function weightGradTiles<T>(
  dw: usize, dz: usize, x: usize, batch: i32, nIn: i32, nOut: i32, j0: i32, j1: i32, tile: usize,
  rowB: usize, zRowB: usize, kBT: usize,
): void {
  // ---- dw ----
  // Rows go in chunks of DW_ROWS so the x rows of a chunk stay in L2 across all neuron blocks; the
  // accumulators of later chunks start from the partial sums in dw, so each dw[j,k] is still summed
  // r = 0..batch-1 in order.
  if (batch == 1) {
    dwOneRowSimd<T>(dw, dz, x, nIn, j0, j1);
    return;
  }
  const E = sizeof<T>();
  for (let rc = 0; rc < batch; rc += DW_ROWS) {
    const nrc = min(DW_ROWS, batch - rc);
    const tEnd = tile + (<usize>nrc << (alignof<T>() + 2));
    const xc = x + <usize>rc * rowB;
    for (let j = j0; j < j1; j += 4) {
      const nj = min(4, j1 - j);
      const o0 = <usize>j << alignof<T>();
      const o1 = nj > 1 ? o0 + E : o0;
      const o2 = nj > 2 ? o1 + E : o1;
      const o3 = nj > 3 ? o2 + E : o2;
      let q = tile, gp = dz + <usize>rc * zRowB;
      for (let r = 0; r < nrc; r++) {
        store<T>(q, load<T>(gp + o0));
        store<T>(q, load<T>(gp + o1), E);
        store<T>(q, load<T>(gp + o2), 2 * E);
        store<T>(q, load<T>(gp + o3), 3 * E);
        q += 4 * E; gp += zRowB;
      }
      const d0 = dw + <usize>j * rowB;
      for (let kb: usize = 0; kb < kBT; kb += 32) {
        const d = d0 + kb;
        let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a1l = v128.splat<T>(0), a1h = v128.splat<T>(0);
        let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a3l = v128.splat<T>(0), a3h = v128.splat<T>(0);
        if (rc > 0) {
          a0l = v128.load(d); a0h = v128.load(d, 16);
          if (nj > 1) { const d1 = d + rowB; a1l = v128.load(d1); a1h = v128.load(d1, 16); }
          if (nj > 2) { const d2 = d + (rowB << 1); a2l = v128.load(d2); a2h = v128.load(d2, 16); }
          if (nj > 3) { const d3 = d + rowB * 3; a3l = v128.load(d3); a3h = v128.load(d3, 16); }
        }
        let xp = xc + kb;
        for (let tp = tile; tp < tEnd; tp += 4 * E) {
          const xl = v128.load(xp), xh = v128.load(xp, 16);
          let c = v128.load_splat<T>(tp);
          a0l = vmadd<T>(c, xl, a0l); a0h = vmadd<T>(c, xh, a0h);
          c = v128.load_splat<T>(tp, E);
          a1l = vmadd<T>(c, xl, a1l); a1h = vmadd<T>(c, xh, a1h);
          c = v128.load_splat<T>(tp, 2 * E);
          a2l = vmadd<T>(c, xl, a2l); a2h = vmadd<T>(c, xh, a2h);
          c = v128.load_splat<T>(tp, 3 * E);
          a3l = vmadd<T>(c, xl, a3l); a3h = vmadd<T>(c, xh, a3h);
          xp += rowB;
        }
        v128.store(d, a0l); v128.store(d, a0h, 16);
        if (nj > 1) { const d1 = d + rowB; v128.store(d1, a1l); v128.store(d1, a1h, 16); }
        if (nj > 2) { const d2 = d + (rowB << 1); v128.store(d2, a2l); v128.store(d2, a2h, 16); }
        if (nj > 3) { const d3 = d + rowB * 3; v128.store(d3, a3l); v128.store(d3, a3h, 16); }
      }
    }
  }
  if (kBT < rowB) {
    for (let j = j0; j < j1; j++) {
      const dwj = dw + <usize>j * rowB, jo = <usize>j << alignof<T>();
      for (let k = kBT; k < rowB; k += E) {
        let s = v128.splat<T>(0);
        let xp = x + k, gp = dz + jo;
        for (let r = 0; r < batch; r++) {
          s = vmadd<T>(v128.load_splat<T>(gp), v128.load_splat<T>(xp), s);
          xp += rowB; gp += zRowB;
        }
        store<T>(dwj + k, v128.extract_lane<T>(s, 0));
      }
    }
  }
}

/**
 * SIMD input gradient, columns k0..k1 of dx.
 * Per block of 4 rows, dz[r..r+3, :] is packed j-major into scratch ([j][4]); tiles of 4 rows × two v128 of inputs
 * (4 float64 or 8 float32; 8 accumulators) are reduced over j: broadcast the packed dz[r+i, j], load w[j, k..]. The
 * columns of a block past the last whole tile use the rows as lanes (load the packed rows, broadcast w[j,k]); the
 * batch % 4 rows left over go through dxRowSimd. Every lane is the same madd chain over j = 0..nOut-1.
 */
function inputGradSimd<T>(
  dx: usize, dz: usize, w: usize, batch: i32, nIn: i32, nOut: i32, k0: i32, k1: i32, tile: usize,
): void {
  const E = sizeof<T>();
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  const kS = <usize>k0 << alignof<T>(), kE = <usize>k1 << alignof<T>();
  const kET = kS + (<usize>((k1 - k0) & ~((lanesOf<T>() << 1) - 1)) << alignof<T>());
  const gEnd = tile + (zRowB << 2);
  const batch4 = batch & ~3;
  for (let r = 0; r < batch4; r += 4) {
    const g0 = dz + <usize>r * zRowB;
    const g1 = g0 + zRowB, g2 = g1 + zRowB, g3 = g2 + zRowB;
    let q = tile;
    for (let jo: usize = 0; jo < zRowB; jo += E) {
      store<T>(q, load<T>(g0 + jo));
      store<T>(q, load<T>(g1 + jo), E);
      store<T>(q, load<T>(g2 + jo), 2 * E);
      store<T>(q, load<T>(g3 + jo), 3 * E);
      q += 4 * E;
    }
    const d0 = dx + <usize>r * rowB;
    for (let kb = kS; kb < kET; kb += 32) {
      let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a1l = v128.splat<T>(0), a1h = v128.splat<T>(0);
      let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a3l = v128.splat<T>(0), a3h = v128.splat<T>(0);
      let wp = w + kb;
      for (let gp = tile; gp < gEnd; gp += 4 * E) {
        const wl = v128.load(wp), wh = v128.load(wp, 16);
        let c = v128.load_splat<T>(gp);
        a0l = vmadd<T>(c, wl, a0l); a0h = vmadd<T>(c, wh, a0h);
        c = v128.load_splat<T>(gp, E);
        a1l = vmadd<T>(c, wl, a1l); a1h = vmadd<T>(c, wh, a1h);
        c = v128.load_splat<T>(gp, 2 * E);
        a2l = vmadd<T>(c, wl, a2l); a2h = vmadd<T>(c, wh, a2h);
        c = v128.load_splat<T>(gp, 3 * E);
        a3l = vmadd<T>(c, wl, a3l); a3h = vmadd<T>(c, wh, a3h);
        wp += rowB;
      }
      const d = d0 + kb;
      v128.store(d, a0l); v128.store(d, a0h, 16);
      const d1 = d + rowB; v128.store(d1, a1l); v128.store(d1, a1h, 16);
      const d2 = d1 + rowB; v128.store(d2, a2l); v128.store(d2, a2h, 16);
      const d3 = d2 + rowB; v128.store(d3, a3l); v128.store(d3, a3h, 16);
    }
    for (let kb = kET; kb < kE; kb += E) {
      let wp = w + kb;
      const d = d0 + kb;
      if (sizeof<T>() == 8) {
        let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
        for (let gp = tile; gp < gEnd; gp += 32) {
          const c = v128.load64_splat(wp);
          s01 = madd(v128.load(gp), c, s01); s23 = madd(v128.load(gp, 16), c, s23);
          wp += rowB;
        }
        store<f64>(d, f64x2.extract_lane(s01, 0));
        store<f64>(d + rowB, f64x2.extract_lane(s01, 1));
        store<f64>(d + (rowB << 1), f64x2.extract_lane(s23, 0));
        store<f64>(d + rowB * 3, f64x2.extract_lane(s23, 1));
      } else {
        let s = f32x4.splat(0);
        for (let gp = tile; gp < gEnd; gp += 16) {
          s = vmadd<f32>(v128.load(gp), v128.load32_splat(wp), s);
          wp += rowB;
        }
        store<f32>(d, f32x4.extract_lane(s, 0));
        store<f32>(d + rowB, f32x4.extract_lane(s, 1));
        store<f32>(d + (rowB << 1), f32x4.extract_lane(s, 2));
        store<f32>(d + rowB * 3, f32x4.extract_lane(s, 3));
      }
    }
  }
  for (let r = batch4; r < batch; r++) dxRowSimd<T>(dx + <usize>r * rowB, dz + <usize>r * zRowB, w, nIn, nOut, kS, kE);
}

/**
 * Columns kS..kE (bytes) of one row of dx (dx[r,:] = Σ_j dz[r,j]·w[j,:]) for the batch % 4 rows left over
 * by the 4-row tiles: 8 v128 of inputs per tile (16 float64 or 32 float32; 8 accumulators), broadcast dz[r,j],
 * load w[j, k..], reduced over j in order; then one v128 at a time, then one input in lane 0 of a splatted madd
 * chain.
 */
function dxRowSimd<T>(dxr: usize, dzr: usize, w: usize, nIn: i32, nOut: i32, kS: usize, kE: usize): void {
  const E = sizeof<T>();
  const rowB = <usize>nIn << alignof<T>();
  const zRowB = <usize>nOut << alignof<T>();
  const kE16 = kS + ((kE - kS) & ~(<usize>127)), kE2 = kS + ((kE - kS) & ~(<usize>15));
  let kb = kS;
  for (; kb < kE16; kb += 128) {
    let s0 = v128.splat<T>(0), s1 = v128.splat<T>(0), s2 = v128.splat<T>(0), s3 = v128.splat<T>(0);
    let s4 = v128.splat<T>(0), s5 = v128.splat<T>(0), s6 = v128.splat<T>(0), s7 = v128.splat<T>(0);
    let wp = w + kb;
    for (let jo: usize = 0; jo < zRowB; jo += E) {
      const c = v128.load_splat<T>(dzr + jo);
      s0 = vmadd<T>(c, v128.load(wp), s0); s1 = vmadd<T>(c, v128.load(wp, 16), s1);
      s2 = vmadd<T>(c, v128.load(wp, 32), s2); s3 = vmadd<T>(c, v128.load(wp, 48), s3);
      s4 = vmadd<T>(c, v128.load(wp, 64), s4); s5 = vmadd<T>(c, v128.load(wp, 80), s5);
      s6 = vmadd<T>(c, v128.load(wp, 96), s6); s7 = vmadd<T>(c, v128.load(wp, 112), s7);
      wp += rowB;
    }
    const d = dxr + kb;
    v128.store(d, s0); v128.store(d, s1, 16); v128.store(d, s2, 32); v128.store(d, s3, 48);
    v128.store(d, s4, 64); v128.store(d, s5, 80); v128.store(d, s6, 96); v128.store(d, s7, 112);
  }
  for (; kb < kE2; kb += 16) {
    let s0 = v128.splat<T>(0);
    let wp = w + kb;
    for (let jo: usize = 0; jo < zRowB; jo += E) { s0 = vmadd<T>(v128.load_splat<T>(dzr + jo), v128.load(wp), s0); wp += rowB; }
    v128.store(dxr + kb, s0);
  }
  // (float64: at most one input left; float32: up to three)
  for (; kb < kE; kb += E) {
    let s = v128.splat<T>(0);
    let wp = w + kb;
    for (let jo: usize = 0; jo < zRowB; jo += E) { s = vmadd<T>(v128.load_splat<T>(dzr + jo), v128.load_splat<T>(wp), s); wp += rowB; }
    store<T>(dxr + kb, v128.extract_lane<T>(s, 0));
  }
}

/** dw rows j0..j1 for batch 1: the outer product dz ⊗ x, as madd(dz[j], x[k], 0) (the spec's zero-initialised sum). */
function dwOneRowSimd<T>(dw: usize, dz: usize, x: usize, nIn: i32, j0: i32, j1: i32): void {
  const rowB = <usize>nIn << alignof<T>();
  const kB2 = rowB & ~(<usize>15);
  const zero = v128.splat<T>(0);
  let dwj = dw + <usize>j0 * rowB;
  for (let j = j0; j < j1; j++) {
    const c = v128.load_splat<T>(dz + (<usize>j << alignof<T>()));
    let k: usize = 0;
    for (; k < kB2; k += 16) v128.store(dwj + k, vmadd<T>(c, v128.load(x + k), zero));
    for (; k < rowB; k += sizeof<T>()) store<T>(dwj + k, v128.extract_lane<T>(vmadd<T>(c, v128.load_splat<T>(x + k), zero), 0));
    dwj += rowB;
  }
}
