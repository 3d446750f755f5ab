//! Dense layer kernels: denseForward (z = x·wᵀ + b) and denseBackward (dw = dzᵀ·x, db, dx = dz·w).
//!
//! Generic over the element type T (vec.rs: f64, f32). Both are register-blocked: a tile of R rows × C columns
//! keeps R·C accumulators of `T::V` in registers (8 in both builds: V8 has 16 xmm registers and a 4×4 tile spills).
//! - forward ("NT"): both x rows and w rows are contiguous along k, so the tile vectorises along k;
//!   each accumulator holds T::W partial sums (k mod T::W with simd128) that a horizontal add combines,
//!   then the scalar tail (the last nIn % T::W) and the bias last. The scalar build sums k = 0..nIn-1 in order,
//!   exactly like src/kernels/js/.
//! - backward ("NN"): out[i,k] = Σ_m A(i,m)·B[m,k] with B row-major along k; the tile vectorises
//!   along k (independent outputs), so every output is still summed over m in increasing order, as in
//!   the JS spec (bit-identical: wasm has no fused multiply-add).
//! - wide layers (weights past 2^17 elements, batch ≥ 8, SIMD builds, both dtypes): both backward products go through
//!   the packed, cache-blocked GEMM of gemm.rs instead, which keeps the same per-element summation order (the same
//!   bits).
//! - range versions (dense_forward_range: neurons j0..j1; weight_grad_range: rows j0..j1 of dw, db;
//!   input_grad_range: columns k0..k1 of dx) serve trainBatchesThreaded. An element's operations never
//!   depend on the tile, lane or range it falls in, so any split over threads gives the same bits.

use crate::gemm::{gemm_packed, FEW_S};
use crate::vec::Elem;

const FR: usize = 4; // forward tile rows (batch rows)
const FC: usize = 2; // forward tile columns (neurons)
/// Forward cache panels: FWD_ROWS rows of x and FWD_COLS neurons of w (64 × 1024 f64 = 512 KiB and 32 × 1024 f64 =
/// 256 KiB: together in the 1 MiB L2). FWD_ROWS is a multiple of FR and FWD_COLS of FC, so the tiles stay full.
const FWD_ROWS: usize = 64;
const FWD_COLS: usize = 32;
const BR: usize = 4; // backward tile rows (i)
const BK: usize = 2; // backward tile width in vectors along k
/// Rows of x per chunk of the dw reduction (weight_grad_range): a chunk of x (64 × nIn) stays in L2 while every
/// tile of dw sweeps it; later chunks continue each sum from its partial value in dw (same order, same bits).
const DW_ROWS: usize = 64;

/// One R×C tile of z = x·wᵀ + b at rows r0.., neurons j0...
#[inline(always)]
unsafe fn fwd_tile<T: Elem, const R: usize, const C: usize>(
    z: *mut T, x: *const T, w: *const T, b: *const T,
    n_in: usize, n_out: usize, r0: usize, j0: usize,
) {
    let mut xr = [x; R];
    for i in 0..R {
        xr[i] = x.add((r0 + i) * n_in);
    }
    let mut wr = [w; C];
    for c in 0..C {
        wr[c] = w.add((j0 + c) * n_in);
    }
    let mut acc = [[T::vzero(); C]; R];
    let kv = n_in - n_in % T::W;
    let mut k = 0;
    while k < kv {
        let mut xv = [T::vzero(); R];
        for i in 0..R {
            xv[i] = T::load(xr[i].add(k));
        }
        for c in 0..C {
            let wv = T::load(wr[c].add(k));
            for i in 0..R {
                acc[i][c] = T::vadd(acc[i][c], T::vmul(xv[i], wv));
            }
        }
        k += T::W;
    }
    for i in 0..R {
        let zr = z.add((r0 + i) * n_out + j0);
        for c in 0..C {
            let mut s = T::hsum(acc[i][c]);
            for k in kv..n_in {
                s += *xr[i].add(k) * *wr[c].add(k);
            }
            *zr.add(c) = s + *b.add(j0 + c);
        }
    }
}

/// A function of its own (never inlined), like nn_rows and gemm.rs's micro: inlined into the large range functions,
/// V8's optimising compiler spilled the tile's accumulators to the stack in every k step (the float32 forward pass ran
/// barely faster than the float64 one; docs/benchmarks.md "Wide layers and float32").
#[inline(never)]
unsafe fn fwd_rows<T: Elem, const R: usize>(
    z: *mut T, x: *const T, w: *const T, b: *const T, n_in: usize, n_out: usize, r0: usize,
    j0: usize, j1: usize,
) {
    let mut j = j0;
    while j + FC <= j1 {
        fwd_tile::<T, R, FC>(z, x, w, b, n_in, n_out, r0, j);
        j += FC;
    }
    while j < j1 {
        fwd_tile::<T, R, 1>(z, x, w, b, n_in, n_out, r0, j);
        j += 1;
    }
}

/// z[r,j] = Σ_k x[r,k]·w[j,k] + b[j]   (x: batch×nIn, w: nOut×nIn, z: batch×nOut)
pub unsafe fn dense_forward<T: Elem>(
    z: *mut T, x: *const T, w: *const T, b: *const T, batch: usize, n_in: usize, n_out: usize,
) {
    dense_forward_range(z, x, w, b, batch, n_in, n_out, 0, n_out);
}

/// z[:, j0..j1) of dense_forward (z keeps row stride nOut). Every element z[r,j] takes the same
/// operations whichever tile (R×FC, R×1, any R) it falls in: lane-wise partial sums over
/// k < nIn - nIn%T::W, one horizontal add, the scalar tail in k order, then the bias. So its bits depend neither on
/// the range nor on the tiling, and threads owning slices of neurons reproduce one thread exactly.
pub unsafe fn dense_forward_range<T: Elem>(
    z: *mut T, x: *const T, w: *const T, b: *const T, batch: usize, n_in: usize, n_out: usize,
    j0: usize, j1: usize,
) {
    if j1 <= j0 {
        return;
    }
    // cache blocks for a wide layer (weights past the L2): a panel of FWD_ROWS rows of x and FWD_COLS rows of w (both
    // in L2) meet in every tile of the panel pair before the next pair, so w streams from memory once per FWD_ROWS
    // rows, not once per FR rows. Smaller layers: one panel pair (w stays in L2 anyway).
    let wide = n_in * n_out >= 1 << 17;
    let (pr, pc) = if wide { (FWD_ROWS, FWD_COLS) } else { (usize::MAX, usize::MAX) };
    let mut rp = 0;
    while rp < batch {
        let rp1 = if batch - rp > pr { rp + pr } else { batch };
        let mut jp = j0;
        while jp < j1 {
            let jp1 = if j1 - jp > pc { jp + pc } else { j1 };
            let mut r = rp;
            while r + FR <= rp1 {
                fwd_rows::<T, FR>(z, x, w, b, n_in, n_out, r, jp, jp1);
                r += FR;
            }
            match rp1 - r {
                3 => fwd_rows::<T, 3>(z, x, w, b, n_in, n_out, r, jp, jp1),
                2 => fwd_rows::<T, 2>(z, x, w, b, n_in, n_out, r, jp, jp1),
                1 => fwd_rows::<T, 1>(z, x, w, b, n_in, n_out, r, jp, jp1),
                _ => {}
            }
            jp = jp1;
        }
        rp = rp1;
    }
}

/// One R × (KV·T::W) tile of out[i,k] = Σ_m A(i,m)·B[m,k], A(i,m) = a[i·sai + m·sam], B[m,k] = bm[m·ld + k],
/// out[i,k] at out[i·ld + k], over m = m0..m1: from 0 when m0 = 0, else continuing the partial sums in out.
#[inline(always)]
unsafe fn nn_tile<T: Elem, const R: usize, const KV: usize>(
    out: *mut T, a: *const T, sai: usize, sam: usize, bm: *const T, ld: usize,
    m0: usize, m1: usize, i0: usize, k0: usize,
) {
    let mut acc = [[T::vzero(); KV]; R];
    if m0 > 0 {
        for i in 0..R {
            let o = out.add((i0 + i) * ld + k0);
            for v in 0..KV {
                acc[i][v] = T::load(o.add(v * T::W));
            }
        }
    }
    let mut ap = a.add(i0 * sai + m0 * sam);
    let mut bp = bm.add(m0 * ld + k0);
    for _ in m0..m1 {
        let mut bv = [T::vzero(); KV];
        for v in 0..KV {
            bv[v] = T::load(bp.add(v * T::W));
        }
        for i in 0..R {
            let av = T::load_splat(ap.add(i * sai));
            for v in 0..KV {
                acc[i][v] = T::vadd(acc[i][v], T::vmul(av, bv[v]));
            }
        }
        ap = ap.add(sam);
        bp = bp.add(ld);
    }
    for i in 0..R {
        let o = out.add((i0 + i) * ld + k0);
        for v in 0..KV {
            T::store(o.add(v * T::W), acc[i][v]);
        }
    }
}

/// Never inlined: see fwd_rows.
#[inline(never)]
unsafe fn nn_rows<T: Elem, const R: usize>(
    out: *mut T, a: *const T, sai: usize, sam: usize, bm: *const T, ld: usize,
    m0: usize, m1: usize, nk: usize, i0: usize,
) {
    let kv = nk - nk % T::W;
    let mut k = 0;
    while k + BK * T::W <= kv {
        nn_tile::<T, R, BK>(out, a, sai, sam, bm, ld, m0, m1, i0, k);
        k += BK * T::W;
    }
    while k < kv {
        nn_tile::<T, R, 1>(out, a, sai, sam, bm, ld, m0, m1, i0, k);
        k += T::W;
    }
}

/// out[i·ld + k] = Σ_m a[i·sai + m·sam]·bm[m·ld + k] for i < ni, k < nk; summed m = 0..nm-1 in order
/// (out and bm share the row stride ld >= nk).
/// Every output, in a SIMD lane or in a scalar last column, is 0 + a·b + a·b + ... in increasing m
/// (no FMA in wasm), so its bits depend neither on its lane nor on where the ranges start: callers
/// may pass offset pointers (any alignment) to compute a block of rows or columns.
/// The reduction runs in chunks of `mc` values of m (every tile finishes a chunk before the next starts, so a
/// chunk of B stays in cache); a chunk continues each sum from its partial value in out, in the same order.
unsafe fn gemm_nn<T: Elem>(
    out: *mut T, a: *const T, sai: usize, sam: usize, bm: *const T, ld: usize,
    ni: usize, nm: usize, nk: usize, mc: usize,
) {
    let mut m0 = 0;
    loop {
        let m1 = if nm - m0 > mc { m0 + mc } else { nm };
        let mut i = 0;
        while i + BR <= ni {
            nn_rows::<T, BR>(out, a, sai, sam, bm, ld, m0, m1, nk, i);
            i += BR;
        }
        match ni - i {
            3 => nn_rows::<T, 3>(out, a, sai, sam, bm, ld, m0, m1, nk, i),
            2 => nn_rows::<T, 2>(out, a, sai, sam, bm, ld, m0, m1, nk, i),
            1 => nn_rows::<T, 1>(out, a, sai, sam, bm, ld, m0, m1, nk, i),
            _ => {}
        }
        m0 = m1;
        if m0 >= nm {
            break; // nm = 0 still ran one pass, storing the zero sums
        }
    }
    // the last columns when nk is not a multiple of T::W
    for kt in nk - nk % T::W..nk {
        for i in 0..ni {
            let mut s = T::ZERO;
            let mut ap = a.add(i * sai);
            let mut bp = bm.add(kt);
            for _ in 0..nm {
                s += *ap * *bp;
                ap = ap.add(sam);
                bp = bp.add(ld);
            }
            *out.add(i * ld + kt) = s;
        }
    }
}

/// db[j] = Σ_r dz[r,j] for j < n (dz row stride n_out), summed r = 0..batch-1 in order (lane or tail alike).
unsafe fn bias_grad<T: Elem>(db: *mut T, dz: *const T, batch: usize, n_out: usize, n: usize) {
    let jv = n - n % T::W;
    let mut j = 0;
    while j < jv {
        let mut s = T::vzero();
        let mut p = dz.add(j);
        for _ in 0..batch {
            s = T::vadd(s, T::load(p));
            p = p.add(n_out);
        }
        T::store(db.add(j), s);
        j += T::W;
    }
    for jt in jv..n {
        let mut s = T::ZERO;
        for r in 0..batch {
            s += *dz.add(r * n_out + jt);
        }
        *db.add(jt) = s;
    }
}

/// dw = dzᵀ·x, db = Σ_r dz[r], dx = dz·w (skipped when dx is null). Overwrites, never accumulates.
/// `scratch`: the calling thread's SCRATCH_BYTES region for the packed GEMM, or null (the tile loop, same bits).
pub unsafe fn dense_backward<T: Elem>(
    dx: *mut T, dw: *mut T, db: *mut T, dz: *const T, x: *const T, w: *const T,
    batch: usize, n_in: usize, n_out: usize, scratch: *mut u8,
) {
    weight_grad_range(dw, db, dz, x, batch, n_in, n_out, 0, n_out, scratch);
    if !dx.is_null() {
        input_grad_range(dx, dz, w, batch, n_in, n_out, 0, n_in, scratch);
    }
}

/// Whether a layer of this shape takes the packed GEMM (gemm.rs) for its backward products: SIMD builds, weights
/// past 2^17 elements (1 MiB of f64, the L2: where the tile loop's column walks miss) and batch ≥ 8 (a packed
/// panel is reused batch/4 times); both dtypes (the same element threshold: the float32 layers keep the float64
/// layers' paths, as in assembly/dense.ts).
/// The answer depends on the whole layer's shape only, never on a thread's range; either path gives the same bits.
#[inline(always)]
fn packed_path<T: Elem>(batch: usize, n_in: usize, n_out: usize, scratch: *mut u8) -> bool {
    cfg!(target_feature = "simd128")
        && !scratch.is_null()
        && batch >= 8
        && n_in * n_out >= 1 << 17
}

/// Rows j0..j1 of dw[j,k] = Σ_r dz[r,j]·x[r,k] and db[j] = Σ_r dz[r,j] (r in increasing order).
pub unsafe fn weight_grad_range<T: Elem>(
    dw: *mut T, db: *mut T, dz: *const T, x: *const T, batch: usize, n_in: usize, n_out: usize,
    j0: usize, j1: usize, scratch: *mut u8,
) {
    if j1 <= j0 {
        return;
    }
    bias_grad(db.add(j0), dz.add(j0), batch, n_out, j1 - j0);
    // a layer of few neurons (1024→10) takes it too: its dw tiles would walk x's columns (power-of-two strides)
    let few = n_out <= FEW_S && batch * n_in >= 1 << 15 && packed_path::<T>(batch, 1 << 17, 1, scratch);
    if few || packed_path::<T>(batch, n_in, n_out, scratch) {
        // s = neuron j (from j0), v = input k, m = row r
        gemm_packed(dw.add(j0 * n_in), n_in, dz.add(j0), n_out, 1, j1 - j0, x, n_in, 1, 0, n_in, batch, scratch);
        return;
    }
    // i = j (stride 1 in dz), m = r (stride nOut), k along x's rows
    gemm_nn(dw.add(j0 * n_in), dz.add(j0), 1, n_out, x, n_in, j1 - j0, batch, n_in, DW_ROWS);
}

/// Columns k0..k1 of dx[r,k] = Σ_j dz[r,j]·w[j,k] (dx row stride nIn; j in increasing order).
pub unsafe fn input_grad_range<T: Elem>(
    dx: *mut T, dz: *const T, w: *const T, batch: usize, n_in: usize, n_out: usize, k0: usize, k1: usize,
    scratch: *mut u8,
) {
    if k1 <= k0 {
        return;
    }
    if packed_path::<T>(batch, n_in, n_out, scratch) {
        // s = row r, v = input k, m = neuron j (dz rows are contiguous along j: read in place)
        gemm_packed(dx, n_in, dz, 1, n_out, batch, w, n_in, 1, k0, k1, n_out, scratch);
        return;
    }
    // i = r (stride nOut), m = j (stride 1), k along w's rows from column k0
    gemm_nn(dx.add(k0), dz, n_out, 1, w.add(k0), n_in, batch, n_out, k1 - k0, usize::MAX);
}
