//! The plan v2 training controls (src/abi.ts, "Plan v2 controls"): dropout masks, the weighted loss and the
//! global-norm clip, ported function for function from src/kernels/js/controls.ts, generic over the element type T
//! (vec.rs); rates, sample weights and norms stay f64. Scalar loops: the masks are integer work, and the norms must
//! be summed in one fixed order.

use crate::abi_gen::*;
use crate::act::loss;
use crate::vec::Elem;

/// lowbias32 with u32 wrapping arithmetic.
#[inline(always)]
pub fn drop_mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(DROP_M1);
    x ^= x >> 15;
    x = x.wrapping_mul(DROP_M2);
    x ^= x >> 16;
    x
}

#[inline(always)]
pub fn drop_row_key(seed: u32, step: u32, row: u32, layer: u32) -> u32 {
    drop_mix(drop_mix(drop_mix(drop_mix(seed) ^ step) ^ row) ^ layer)
}

/// ad[r,j] = kept ? a[r,j]·scale : 0 for rows 0..rows-1 and units j0..j1-1 (ad may be a: the backward mask);
/// scale = 1/(1-rate) in f64, narrowed to T.
pub unsafe fn dropout_cols<T: Elem>(
    ad: *mut T, a: *const T, rows: usize, cols: usize, j0: usize, j1: usize, rate: f64, seed: u32, step: u32,
    layer: usize, o: *const i32,
) {
    let scale = T::of(1.0 / (1.0 - rate));
    let limit = rate * 16777216.0;
    for r in 0..rows {
        let key = drop_row_key(seed, step, *o.add(r) as u32, layer as u32);
        let base = r * cols;
        for j in j0..j1 {
            let kept = (drop_mix(key ^ j as u32) >> 8) as f64 >= limit;
            *ad.add(base + j) = if kept { *a.add(base + j) * scale } else { T::ZERO };
        }
    }
}

/// Σ_r w[s(r)], r ascending.
pub unsafe fn batch_weight(w: *const f64, o: *const i32, rows: usize) -> f64 {
    let mut s = 0.0;
    for r in 0..rows {
        s += *w.add(*o.add(r) as u32 as usize);
    }
    s
}

/// (Σ_r w_r·ℓ_r)/W with each row's gradient scaled by w_r/W: the row losses (in T) widened, the sum in f64,
/// the scale w_r/W narrowed to T.
pub unsafe fn weighted_loss<T: Elem>(
    d: *mut T, a: *const T, z: *const T, t: *const T, rows: usize, cols: usize, kind: i32, w: *const f64,
    o: *const i32, total_w: f64,
) -> f64 {
    let mut s = 0.0;
    for r in 0..rows {
        let off = r * cols;
        let lr = loss(d.add(off), a.add(off), z.add(off), t.add(off), 1, cols, kind);
        let wr = *w.add(*o.add(r) as u32 as usize);
        s += wr * lr;
        let f = T::of(wr / total_w);
        for j in 0..cols {
            *d.add(off + j) *= f;
        }
    }
    s / total_w
}

/// norms[at + j] = Σ_k dw[j,k]² + db[j]², k ascending, for neurons j0..j1-1 (summed in T, stored widened).
pub unsafe fn row_norms<T: Elem>(norms: *mut f64, at: usize, dw: *const T, db: *const T, n_in: usize, j0: usize, j1: usize) {
    for j in j0..j1 {
        let mut s = T::ZERO;
        let row = dw.add(j * n_in);
        for k in 0..n_in {
            let g = *row.add(k);
            s += g * g;
        }
        let g = *db.add(j);
        *norms.add(at + j) = (s + g * g).wide();
    }
}

/// min(1, c/||g||) from `count` squared norms summed in index order.
pub unsafe fn clip_scale(norms: *const f64, count: usize, c: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..count {
        s += *norms.add(i);
    }
    let norm = s.sqrt();
    if norm > c {
        c / norm
    } else {
        1.0
    }
}

/// x[i] *= f for i < n.
pub unsafe fn scale<T: Elem>(x: *mut T, n: usize, f: T) {
    for i in 0..n {
        *x.add(i) *= f;
    }
}
