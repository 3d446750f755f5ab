//! Activations (forward and backward), loss, and the three optimizer steps: element-wise loops,
//! same formulas and evaluation order as src/kernels/js/. The element-wise optimizer
//! and derivative loops run over `V` (bit-identical to scalar: lanes are independent elements).

use crate::abi_gen::*;
use crate::vec::*;

/// e^x, fdlibm's algorithm (the one V8's Math.exp uses), inlined: k = round(x/ln2),
/// r = x - k·ln2 (Cody–Waite, exact high part), e^r from fdlibm's Remez rational form, then ·2^k
/// built from the exponent bits. Error < 1 ulp. Rust's std exp on wasm32 (compiler_builtins' libm)
/// is an out-of-line call with more branches; this halves the cost of the tutorial's sigmoid steps.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const INV_LN2: f64 = 1.44269504088896338700e+00;
    const E2: f64 = 1.0 / 2.0;
    const E3: f64 = 1.0 / 6.0;
    const E4: f64 = 1.0 / 24.0;
    const E5: f64 = 1.0 / 120.0;
    const E6: f64 = 1.0 / 720.0;
    const E7: f64 = 1.0 / 5040.0;
    const E8: f64 = 1.0 / 40320.0;
    const E9: f64 = 1.0 / 362880.0;
    const E10: f64 = 1.0 / 3628800.0;
    const E11: f64 = 1.0 / 39916800.0;
    const E12: f64 = 1.0 / 479001600.0;
    const E13: f64 = 1.0 / 6227020800.0;
    if !(x.abs() <= 708.0) {
        return exp_slow(x);
    }
    let kf = (x * INV_LN2 + 0.5).floor();
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    // e^r, |r| <= ln2/2: Taylor series to r^13 (truncation < 4e-18), Estrin's scheme (short
    // dependency chain, no division)
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q0 = (1.0 + r) + r2 * (E2 + r * E3);
    let q1 = (E4 + r * E5) + r2 * (E6 + r * E7);
    let q2 = (E8 + r * E9) + r2 * (E10 + r * E11);
    let q3 = E12 + r * E13;
    let y = (q0 + r4 * q1) + r8 * (q2 + r4 * q3);
    y * f64::from_bits(((kf as i64 + 1023) as u64) << 52)
}

/// |x| > 708 or NaN: overflow, underflow to subnormals or 0.
#[inline(never)]
#[cold]
fn exp_slow(x: f64) -> f64 {
    if x != x {
        return x;
    }
    if x > 709.782712893383973096 {
        return f64::INFINITY;
    }
    if x < -745.13321910194110842 {
        return 0.0;
    }
    // e^x = e^(x ∓ 512·ln2) · 2^(±512), with ln2 split in two (512·LN2_HI is exact)
    let s = if x > 0.0 { 512.0 } else { -512.0 };
    let y = exp((x - s * 6.93147180369123816490e-01) - s * 1.90821492927058770002e-10);
    let y = y * f64::from_bits((((s as i64) / 2 + 1023) as u64) << 52);
    y * f64::from_bits((((s as i64) / 2 + 1023) as u64) << 52)
}

/// f(z) of one element for the element-wise activations (softmax excluded): `activate`'s formulas, for the
/// small-layer path (tiny.rs), which applies them as each neuron's z is formed.
#[inline(always)]
pub fn act1(v: f64, act: i32, alpha: f64) -> f64 {
    match act {
        ACT_SIGMOID => 1.0 / (1.0 + exp(-v)),
        ACT_TANH => v.tanh(),
        ACT_RELU => if v > 0.0 { v } else { 0.0 },
        ACT_LEAKY_RELU => if v > 0.0 { v } else { alpha * v },
        ACT_SOFTPLUS => (if v > 0.0 { v } else { 0.0 }) + exp(-v.abs()).ln_1p(),
        _ => v,
    }
}

/// da·f'(z) of one element for the element-wise activations: `activate_backward`'s formulas (tiny.rs).
#[inline(always)]
pub fn dact1(da: f64, z: f64, a: f64, act: i32, alpha: f64) -> f64 {
    match act {
        ACT_SIGMOID => da * (a * (1.0 - a)),
        ACT_TANH => da * (1.0 - a * a),
        ACT_RELU => if z > 0.0 { da } else { 0.0 },
        ACT_LEAKY_RELU => if z > 0.0 { da } else { alpha * da },
        ACT_SOFTPLUS => da * (1.0 / (1.0 + exp(-z))),
        _ => da,
    }
}

/// a = f(z) element-wise (softmax per row). `a` may alias `z`.
pub unsafe fn activate(a: *mut f64, z: *const f64, rows: usize, cols: usize, act: i32, alpha: f64) {
    let n = rows * cols;
    match act {
        ACT_SIGMOID => {
            for i in 0..n {
                *a.add(i) = 1.0 / (1.0 + exp(-*z.add(i)));
            }
        }
        ACT_TANH => {
            for i in 0..n {
                *a.add(i) = (*z.add(i)).tanh();
            }
        }
        ACT_RELU => {
            for i in 0..n {
                let v = *z.add(i);
                *a.add(i) = if v > 0.0 { v } else { 0.0 };
            }
        }
        ACT_LEAKY_RELU => {
            for i in 0..n {
                let v = *z.add(i);
                *a.add(i) = if v > 0.0 { v } else { alpha * v };
            }
        }
        ACT_SOFTPLUS => {
            // max(z, 0) + log1p(e^(-|z|)): no overflow
            for i in 0..n {
                let v = *z.add(i);
                *a.add(i) = (if v > 0.0 { v } else { 0.0 }) + exp(-v.abs()).ln_1p();
            }
        }
        ACT_SOFTMAX => {
            for r in 0..rows {
                let zr = z.add(r * cols);
                let ar = a.add(r * cols);
                let mut m = f64::NEG_INFINITY;
                for j in 0..cols {
                    if *zr.add(j) > m {
                        m = *zr.add(j);
                    }
                }
                let mut s = 0.0;
                for j in 0..cols {
                    let e = exp(*zr.add(j) - m);
                    *ar.add(j) = e;
                    s += e;
                }
                for j in 0..cols {
                    *ar.add(j) = *ar.add(j) / s;
                }
            }
        }
        _ => {
            if a as *const f64 != z {
                copy_f64(a, z, n);
            }
        }
    }
}

/// dz = da ⊙ f'(z) (from a where cheaper). `dz` may alias `da`.
pub unsafe fn activate_backward(
    dz: *mut f64, da: *const f64, z: *const f64, a: *const f64, rows: usize, cols: usize, act: i32, alpha: f64,
) {
    let n = rows * cols;
    let nv = n - n % W;
    match act {
        ACT_SIGMOID => {
            let one = splat(1.0);
            let mut i = 0;
            while i < nv {
                let v = load(a.add(i));
                store(dz.add(i), mul(load(da.add(i)), mul(v, sub(one, v))));
                i += W;
            }
            for i in nv..n {
                let v = *a.add(i);
                *dz.add(i) = *da.add(i) * (v * (1.0 - v));
            }
        }
        ACT_TANH => {
            let one = splat(1.0);
            let mut i = 0;
            while i < nv {
                let v = load(a.add(i));
                store(dz.add(i), mul(load(da.add(i)), sub(one, mul(v, v))));
                i += W;
            }
            for i in nv..n {
                let v = *a.add(i);
                *dz.add(i) = *da.add(i) * (1.0 - v * v);
            }
        }
        ACT_RELU => {
            for i in 0..n {
                *dz.add(i) = if *z.add(i) > 0.0 { *da.add(i) } else { 0.0 };
            }
        }
        ACT_LEAKY_RELU => {
            for i in 0..n {
                *dz.add(i) = if *z.add(i) > 0.0 { *da.add(i) } else { alpha * *da.add(i) };
            }
        }
        ACT_SOFTPLUS => {
            // f'(z) = sigmoid(z) (scalar: no SIMD exp)
            for i in 0..n {
                *dz.add(i) = *da.add(i) * (1.0 / (1.0 + exp(-*z.add(i))));
            }
        }
        ACT_SOFTMAX => {
            for r in 0..rows {
                let o = r * cols;
                let mut s = 0.0;
                for j in 0..cols {
                    s += *da.add(o + j) * *a.add(o + j);
                }
                for j in 0..cols {
                    *dz.add(o + j) = *a.add(o + j) * (*da.add(o + j) - s);
                }
            }
        }
        _ => {
            if dz as *const f64 != da {
                copy_f64(dz, da, n);
            }
        }
    }
}

/// a[:, j0..j1) = f(z[:, j0..j1)) (row stride cols) for the element-wise activations (not softmax).
/// Each element gets the same formula as in `activate`, wherever the range starts.
pub unsafe fn activate_cols(a: *mut f64, z: *const f64, rows: usize, cols: usize, act: i32, alpha: f64, j0: usize, j1: usize) {
    if j0 == 0 && j1 == cols {
        activate(a, z, rows, cols, act, alpha);
        return;
    }
    if j1 <= j0 {
        return;
    }
    for r in 0..rows {
        let o = r * cols + j0;
        activate(a.add(o), z.add(o), 1, j1 - j0, act, alpha);
    }
}

/// dz[:, j0..j1) = da ⊙ f'(z) on those columns (element-wise activations; lanes and tail compute
/// each element with the same operations, so the bits do not depend on the range).
pub unsafe fn activate_backward_cols(
    dz: *mut f64, da: *const f64, z: *const f64, a: *const f64, rows: usize, cols: usize, act: i32, alpha: f64,
    j0: usize, j1: usize,
) {
    if j0 == 0 && j1 == cols {
        activate_backward(dz, da, z, a, rows, cols, act, alpha);
        return;
    }
    if j1 <= j0 {
        return;
    }
    for r in 0..rows {
        let o = r * cols + j0;
        activate_backward(dz.add(o), da.add(o), z.add(o), a.add(o), 1, j1 - j0, act, alpha);
    }
}

/// Batch loss; writes its gradient into d (see src/abi.ts for the three kinds).
pub unsafe fn loss(d: *mut f64, a: *const f64, z: *const f64, t: *const f64, rows: usize, cols: usize, kind: i32) -> f64 {
    let n = rows * cols;
    let mut s = 0.0;
    if kind == LOSS_BCE {
        let inv = 1.0 / n as f64;
        for i in 0..n {
            let zi = *z.add(i);
            let ti = *t.add(i);
            s += (if zi > 0.0 { zi } else { 0.0 }) - ti * zi + exp(-zi.abs()).ln_1p();
            *d.add(i) = (*a.add(i) - ti) * inv;
        }
        return s / n as f64;
    }
    if kind == LOSS_CE {
        let inv = 1.0 / rows as f64;
        for r in 0..rows {
            let o = r * cols;
            let mut m = f64::NEG_INFINITY;
            for j in 0..cols {
                if *z.add(o + j) > m {
                    m = *z.add(o + j);
                }
            }
            let mut e = 0.0;
            for j in 0..cols {
                e += exp(*z.add(o + j) - m);
            }
            let lse = m + e.ln();
            for j in 0..cols {
                let tj = *t.add(o + j);
                s += tj * (lse - *z.add(o + j));
                *d.add(o + j) = (*a.add(o + j) - tj) * inv;
            }
        }
        return s / rows as f64;
    }
    // MSE
    let f = 2.0 / n as f64;
    for i in 0..n {
        let e = *a.add(i) - *t.add(i);
        s += e * e;
        *d.add(i) = f * e;
    }
    s / n as f64
}

/// dst[i] = src[i] for i < n (non-overlapping). Short copies use a plain loop: `memory.copy` is a
/// call out of generated code in V8, which costs more than copying a few doubles. The volatile read
/// keeps LLVM from turning the loop back into `memory.copy`.
#[inline(always)]
pub unsafe fn copy_f64(dst: *mut f64, src: *const f64, n: usize) {
    if n <= 32 {
        for i in 0..n {
            *dst.add(i) = core::ptr::read_volatile(src.add(i));
        }
    } else {
        core::ptr::copy_nonoverlapping(src, dst, n);
    }
}

// ---- optimizers -------------------------------------------------------------------------------

/// p -= lr·(g + decay·p)
pub unsafe fn sgd(p: *mut f64, g: *const f64, n: usize, lr: f64, decay: f64) {
    let nv = n - n % W;
    let (lrv, dv) = (splat(lr), splat(decay));
    let mut i = 0;
    while i < nv {
        let pv = load(p.add(i));
        store(p.add(i), sub(pv, mul(lrv, add(load(g.add(i)), mul(dv, pv)))));
        i += W;
    }
    for i in nv..n {
        *p.add(i) -= lr * (*g.add(i) + decay * *p.add(i));
    }
}

/// v = mu·v + (g + decay·p);  p -= lr·v
pub unsafe fn momentum(p: *mut f64, v: *mut f64, g: *const f64, n: usize, lr: f64, mu: f64, decay: f64) {
    let nv = n - n % W;
    let (lrv, muv, dv) = (splat(lr), splat(mu), splat(decay));
    let mut i = 0;
    while i < nv {
        let pv = load(p.add(i));
        let vi = add(mul(muv, load(v.add(i))), add(load(g.add(i)), mul(dv, pv)));
        store(v.add(i), vi);
        store(p.add(i), sub(pv, mul(lrv, vi)));
        i += W;
    }
    for i in nv..n {
        let vi = mu * *v.add(i) + (*g.add(i) + decay * *p.add(i));
        *v.add(i) = vi;
        *p.add(i) -= lr * vi;
    }
}

/// Adam with bias correction from hp[HP_BETA1_POW], hp[HP_BETA2_POW]; `decay` passed explicitly.
pub unsafe fn adam(p: *mut f64, m: *mut f64, v: *mut f64, g: *const f64, n: usize, hp: *const f64, decay: f64) {
    let lr = *hp.add(HP_LR);
    let b1 = *hp.add(HP_BETA1);
    let b2 = *hp.add(HP_BETA2);
    let eps = *hp.add(HP_EPS);
    let c1 = 1.0 - *hp.add(HP_BETA1_POW);
    let c2 = 1.0 - *hp.add(HP_BETA2_POW);
    let (ob1, ob2) = (1.0 - b1, 1.0 - b2);
    let nv = n - n % W;
    {
        let (lrv, b1v, b2v, epsv, c1v, c2v, ob1v, ob2v, dv) =
            (splat(lr), splat(b1), splat(b2), splat(eps), splat(c1), splat(c2), splat(ob1), splat(ob2), splat(decay));
        let mut i = 0;
        while i < nv {
            let pv = load(p.add(i));
            let gi = add(load(g.add(i)), mul(dv, pv));
            let mi = add(mul(b1v, load(m.add(i))), mul(ob1v, gi));
            let vi = add(mul(b2v, load(v.add(i))), mul(mul(ob2v, gi), gi));
            store(m.add(i), mi);
            store(v.add(i), vi);
            store(p.add(i), sub(pv, div(mul(lrv, div(mi, c1v)), add(sqrt(div(vi, c2v)), epsv))));
            i += W;
        }
    }
    for i in nv..n {
        let gi = *g.add(i) + decay * *p.add(i);
        let mi = b1 * *m.add(i) + ob1 * gi;
        let vi = b2 * *v.add(i) + ob2 * gi * gi;
        *m.add(i) = mi;
        *v.add(i) = vi;
        *p.add(i) -= (lr * (mi / c1)) / ((vi / c2).sqrt() + eps);
    }
}
