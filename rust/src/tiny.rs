//! The small-layer path of trainBatches: one thread, batch 1, every width <= TINY_MAX, HP_GENERIC = 0.
//! A port of src/kernels/js/tiny.ts (the spec: why, and why the results equal the general path's): per step,
//! one dot product per neuron forward, then one pass per layer backwards that forms the input gradient with the
//! old weights and applies the update (sgd in the same loop), with no gather or range bookkeeping. The forward
//! sums follow dense.rs's lane order, so both builds give the general path's bits. Generic over the element type T
//! (vec.rs) like the general path, with the same narrowed scalars.

use crate::abi_gen::*;
use crate::act::*;
use crate::vec::Elem;

#[inline(always)]
unsafe fn word(plan: *const i32, i: usize) -> i32 {
    *plan.add(i)
}

#[inline(always)]
unsafe fn lw(plan: *const i32, l: usize, k: usize) -> usize {
    *plan.add(PLAN_HEADER + l * PLAN_LAYER_WORDS + k) as u32 as usize
}

#[inline(always)]
fn f(p: usize) -> *mut f64 {
    p as *mut f64
}

#[inline(always)]
fn ptr<T>(p: usize) -> *mut T {
    p as *mut T
}

/// Whether trainBatches on one thread takes the small-layer path for this plan.
pub unsafe fn is_tiny(plan: *const i32) -> bool {
    let hp = f(word(plan, PLAN_HP) as u32 as usize);
    if word(plan, PLAN_BATCH) != 1 || *hp.add(HP_GENERIC) != 0.0 {
        return false;
    }
    // plan v2 controls (a schedule, weights, dropout, clipping, adamw) take the general path: the same bits
    if word(plan, PLAN_LRS) != 0 || word(plan, PLAN_WEIGHTS) != 0 || word(plan, PLAN_DROPOUT) != 0 {
        return false;
    }
    if word(plan, PLAN_OPT) == OPT_ADAMW || *hp.add(HP_CLIP) != 0.0 {
        return false;
    }
    for l in 0..word(plan, PLAN_LAYERS) as usize {
        if lw(plan, l, L_NIN) > TINY_MAX || lw(plan, l, L_NOUT) > TINY_MAX {
            return false;
        }
    }
    true
}

/// Two weight rows w0, w1 (neurons j, j+1) against input x: dx[k] += g0·w0k, then += g1·w1k (dx null: none), and
/// the sgd step w = w - lr·(g·x_k + decay·w) with the old weights; `V` lanes over k, then a scalar tail.
#[inline(always)]
unsafe fn sgd_rows2<T: Elem>(dx: *mut T, w0: *mut T, w1: *mut T, x: *const T, n: usize, g0: T, g1: T, lr: T, decay: T) {
    let (gv0, gv1, lrv, dv) = (T::splat(g0), T::splat(g1), T::splat(lr), T::splat(decay));
    let nv = n - n % T::W;
    let mut k = 0;
    while k < nv {
        let (a, c, xv) = (T::load(w0.add(k)), T::load(w1.add(k)), T::load(x.add(k)));
        if !dx.is_null() {
            T::store(dx.add(k), T::vadd(T::vadd(T::load(dx.add(k)), T::vmul(gv0, a)), T::vmul(gv1, c)));
        }
        T::store(w0.add(k), T::vsub(a, T::vmul(lrv, T::vadd(T::vmul(gv0, xv), T::vmul(dv, a)))));
        T::store(w1.add(k), T::vsub(c, T::vmul(lrv, T::vadd(T::vmul(gv1, xv), T::vmul(dv, c)))));
        k += T::W;
    }
    while k < n {
        let (a, c, xk) = (*w0.add(k), *w1.add(k), *x.add(k));
        if !dx.is_null() {
            *dx.add(k) = (*dx.add(k) + g0 * a) + g1 * c;
        }
        *w0.add(k) = a - lr * (g0 * xk + decay * a);
        *w1.add(k) = c - lr * (g1 * xk + decay * c);
        k += 1;
    }
}

/// Σ_k x_k·w_k as dense.rs's forward tiles (and train_tiny) sum it on this build: `T::W` lane-wise partial sums over
/// k < N - N % T::W, each from 0 in k order, one horizontal add (lane 0 first, as T::hsum), then the scalar tail in
/// k order. Plain arithmetic on the lanes gives the vector lanes' bits (separate multiply and add, no fma).
#[inline(always)]
fn dot<T: Elem, const N: usize>(x: &[T; N], w: &[T; N]) -> T {
    let kv = N - N % T::W;
    let mut acc = [T::ZERO; 4]; // T::W <= 4 lanes used
    let mut k = 0;
    while k < kv {
        for l in 0..T::W {
            acc[l] += x[k + l] * w[k + l];
        }
        k += T::W;
    }
    let mut s = acc[0];
    for l in 1..T::W {
        s += acc[l];
    }
    for k in kv..N {
        s += x[k] * w[k];
    }
    s
}

/// act1 and dact1 behind a call: inlined, each of train_fixed's 16 instantiations would carry its own copies of
/// exp/tanh/log1p per unrolled neuron (4x the module size); a call per hidden neuron costs little next to them.
#[inline(never)]
fn act1_call<T: Elem>(v: T, act: i32, alpha: T) -> T {
    act1(v, act, alpha)
}
#[inline(never)]
fn dact1_call<T: Elem>(da: T, z: T, a: T, act: i32, alpha: T) -> T {
    dact1(da, z, a, act, alpha)
}

/// train_fixed's sgd step of one layer: w[j][k] -= lr·(g[j]·input[k] + decay·w[j][k]), b[j] -= lr·g[j] (train_tiny's
/// expressions in its order, so the same bits).
#[inline(always)]
fn sgd_rows<T: Elem, const R: usize, const C: usize>(w: &mut [[T; C]; R], b: &mut [T; R], g: &[T; R], input: &[T; C], lr: T, decay: T) {
    for j in 0..R {
        for k in 0..C {
            let c = w[j][k];
            w[j][k] = c - lr * (g[j] * input[k] + decay * c);
        }
        b[j] = b[j] - lr * (g[j] + T::ZERO * b[j]);
    }
}

/// train_tiny for one hidden layer of const widths NI-NH-NO (sigmoid output, MSE, SGD; any element-wise hidden
/// activation): the parameters and activations live in local arrays for the span (loaded at its start, written back
/// at its end with the last step's z/a/dz and the step counter), every loop has a constant trip count, and every sum
/// and step is train_tiny's expression in train_tiny's order, so the bits are the same.
#[inline(never)]
unsafe fn train_fixed<T: Elem, const NI: usize, const NH: usize, const NO: usize>(plan: *const i32, first: usize, count: usize) -> f64 {
    let x_data = ptr::<T>(word(plan, PLAN_XDATA) as u32 as usize);
    let y_data = ptr::<T>(word(plan, PLAN_YDATA) as u32 as usize);
    let order = word(plan, PLAN_ORDER) as u32 as usize as *const i32;
    let hp = f(word(plan, PLAN_HP) as u32 as usize);
    let losses = f(word(plan, PLAN_LOSSES) as u32 as usize);
    let (alpha, lr, decay) = (T::of(*hp.add(HP_ALPHA)), T::of(*hp.add(HP_LR)), T::of(*hp.add(HP_DECAY)));
    let act_h = lw(plan, 0, L_ACT) as i32;
    let p = |k: usize, l: usize| ptr::<T>(lw(plan, l, k));
    let (w0p, b0p, z0p, a0p, d0p) = (p(L_W, 0), p(L_B, 0), p(L_Z, 0), p(L_A, 0), p(L_DZ, 0));
    let (w1p, b1p, z1p, a1p, d1p) = (p(L_W, 1), p(L_B, 1), p(L_Z, 1), p(L_A, 1), p(L_DZ, 1));
    let mut w0 = [[T::ZERO; NI]; NH];
    let mut w1 = [[T::ZERO; NH]; NO];
    let (mut b0, mut z0, mut a0, mut d0) = ([T::ZERO; NH], [T::ZERO; NH], [T::ZERO; NH], [T::ZERO; NH]);
    let (mut b1, mut z1, mut a1, mut d1) = ([T::ZERO; NO], [T::ZERO; NO], [T::ZERO; NO], [T::ZERO; NO]);
    for j in 0..NH {
        for k in 0..NI {
            w0[j][k] = *w0p.add(j * NI + k);
        }
        b0[j] = *b0p.add(j);
        z0[j] = *z0p.add(j);
        a0[j] = *a0p.add(j);
        d0[j] = *d0p.add(j);
    }
    for j in 0..NO {
        for k in 0..NH {
            w1[j][k] = *w1p.add(j * NH + k);
        }
        b1[j] = *b1p.add(j);
        z1[j] = *z1p.add(j);
        a1[j] = *a1p.add(j);
        d1[j] = *d1p.add(j);
    }
    let mut step = *hp.add(HP_STEP);
    let mut total = 0.0;
    for i in first..first + count {
        let s = *order.add(i) as usize;
        let xp = x_data.add(s * NI);
        let mut x = [T::ZERO; NI];
        for k in 0..NI {
            x[k] = *xp.add(k);
        }
        // forward
        for j in 0..NH {
            z0[j] = dot::<T, NI>(&x, &w0[j]) + b0[j];
            a0[j] = act1_call(z0[j], act_h, alpha);
        }
        for j in 0..NO {
            z1[j] = dot::<T, NH>(&a0, &w1[j]) + b1[j];
            a1[j] = T::ONE / (T::ONE + (-z1[j]).exp());
        }
        // loss()'s mse and activate_backward's sigmoid, per output (train_tiny's written-out case)
        let t = y_data.add(s * NO);
        let fm = T::of(2.0) / T::of_usize(NO);
        let mut sum = T::ZERO;
        for j in 0..NO {
            let v = a1[j];
            let e = v - *t.add(j);
            sum += e * e;
            d1[j] = fm * e * (v * (T::ONE - v));
        }
        let batch_loss = (sum / T::of_usize(NO)).wide();
        total += batch_loss;
        if !losses.is_null() {
            *losses.add(i) = batch_loss;
        }
        step += 1.0;
        // output layer: dx with the old weights (from 0, j in order), then the sgd step
        let mut dx = [T::ZERO; NH];
        for j in 0..NO {
            for k in 0..NH {
                dx[k] += d1[j] * w1[j][k];
            }
        }
        sgd_rows(&mut w1, &mut b1, &d1, &a0, lr, decay);
        // hidden layer: dz = dx ⊙ f'(z), then its sgd step (no dx below the first layer)
        for k in 0..NH {
            d0[k] = dact1_call(dx[k], z0[k], a0[k], act_h, alpha);
        }
        sgd_rows(&mut w0, &mut b0, &d0, &x, lr, decay);
    }
    for j in 0..NH {
        for k in 0..NI {
            *w0p.add(j * NI + k) = w0[j][k];
        }
        *b0p.add(j) = b0[j];
        *z0p.add(j) = z0[j];
        *a0p.add(j) = a0[j];
        *d0p.add(j) = d0[j];
    }
    for j in 0..NO {
        for k in 0..NH {
            *w1p.add(j * NH + k) = w1[j][k];
        }
        *b1p.add(j) = b1[j];
        *z1p.add(j) = z1[j];
        *a1p.add(j) = a1[j];
        *d1p.add(j) = d1[j];
    }
    *hp.add(HP_STEP) = step;
    total
}

/// trainBatches(plan, first, count) on the small-layer path (is_tiny): one sample per step.
pub unsafe fn train_tiny<T: Elem>(plan: *const i32, first: usize, count: usize) -> f64 {
    // one hidden layer of widths ≤ 4-4-1 with sigmoid/MSE/SGD (the tutorial's 2-2-1 and its kin): train_fixed.
    // One output only: each instantiation costs about 1.7 kB of module; 16 of them are +28 kB, 32 were +56 kB
    if word(plan, PLAN_LAYERS) == 2
        && word(plan, PLAN_OPT) == OPT_SGD
        && word(plan, PLAN_LOSS) == LOSS_MSE
        && lw(plan, 1, L_ACT) as i32 == ACT_SIGMOID
        && lw(plan, 0, L_ACT) as i32 != ACT_SOFTMAX
    {
        match (lw(plan, 0, L_NIN), lw(plan, 0, L_NOUT), lw(plan, 1, L_NOUT)) {
            (1, 1, 1) => return train_fixed::<T, 1, 1, 1>(plan, first, count),
            (1, 2, 1) => return train_fixed::<T, 1, 2, 1>(plan, first, count),
            (1, 3, 1) => return train_fixed::<T, 1, 3, 1>(plan, first, count),
            (1, 4, 1) => return train_fixed::<T, 1, 4, 1>(plan, first, count),
            (2, 1, 1) => return train_fixed::<T, 2, 1, 1>(plan, first, count),
            (2, 2, 1) => return train_fixed::<T, 2, 2, 1>(plan, first, count),
            (2, 3, 1) => return train_fixed::<T, 2, 3, 1>(plan, first, count),
            (2, 4, 1) => return train_fixed::<T, 2, 4, 1>(plan, first, count),
            (3, 1, 1) => return train_fixed::<T, 3, 1, 1>(plan, first, count),
            (3, 2, 1) => return train_fixed::<T, 3, 2, 1>(plan, first, count),
            (3, 3, 1) => return train_fixed::<T, 3, 3, 1>(plan, first, count),
            (3, 4, 1) => return train_fixed::<T, 3, 4, 1>(plan, first, count),
            (4, 1, 1) => return train_fixed::<T, 4, 1, 1>(plan, first, count),
            (4, 2, 1) => return train_fixed::<T, 4, 2, 1>(plan, first, count),
            (4, 3, 1) => return train_fixed::<T, 4, 3, 1>(plan, first, count),
            (4, 4, 1) => return train_fixed::<T, 4, 4, 1>(plan, first, count),
            _ => {}
        }
    }
    train_tiny_loop::<T>(plan, first, count)
}

/// train_tiny's general small-layer loop (any plan is_tiny accepts).
unsafe fn train_tiny_loop<T: Elem>(plan: *const i32, first: usize, count: usize) -> f64 {
    let layers = word(plan, PLAN_LAYERS) as usize;
    let loss_kind = word(plan, PLAN_LOSS);
    let opt = word(plan, PLAN_OPT);
    let x_data = ptr::<T>(word(plan, PLAN_XDATA) as u32 as usize);
    let y_data = ptr::<T>(word(plan, PLAN_YDATA) as u32 as usize);
    let order = word(plan, PLAN_ORDER) as u32 as usize as *const i32;
    let hp = f(word(plan, PLAN_HP) as u32 as usize);
    let losses = f(word(plan, PLAN_LOSSES) as u32 as usize);
    // f64 as the kernels take them (activate, adam, momentum narrow them), and narrowed once for the inline code
    let (alpha64, lr64, mu64, decay64) = (*hp.add(HP_ALPHA), *hp.add(HP_LR), *hp.add(HP_BETA1), *hp.add(HP_DECAY));
    let (alpha, lr, decay) = (T::of(alpha64), T::of(lr64), T::of(decay64));
    let n_in0 = lw(plan, 0, L_NIN);
    let last = layers - 1;
    let n_out_l = lw(plan, last, L_NOUT);
    let (a_l, z_l, dz_l) = (ptr::<T>(lw(plan, last, L_A)), ptr::<T>(lw(plan, last, L_Z)), ptr::<T>(lw(plan, last, L_DZ)));
    let act_l = lw(plan, last, L_ACT) as i32;
    let mut total = 0.0;
    for i in first..first + count {
        // batch 1: batch i is position i of the epochs' orders laid back to back
        let s = *order.add(i) as usize;
        let xp = x_data.add(s * n_in0);
        // forward
        let mut inp = xp as *const T;
        for l in 0..layers {
            let (n_in, n_out) = (lw(plan, l, L_NIN), lw(plan, l, L_NOUT));
            let (z, a, b) = (ptr::<T>(lw(plan, l, L_Z)), ptr::<T>(lw(plan, l, L_A)), ptr::<T>(lw(plan, l, L_B)));
            let mut w = ptr::<T>(lw(plan, l, L_W)) as *const T;
            let act = lw(plan, l, L_ACT) as i32;
            let mut j = 0;
            // two neurons at a time, each summed as dense.rs's fwd_tile sums it (lane-wise partial sums over
            // k < n_in - n_in % T::W, one horizontal add, the scalar tail in k order), so the bits equal the general path's
            let kv = n_in - n_in % T::W;
            while j + 1 < n_out {
                let w1 = w.add(n_in);
                let (mut acc0, mut acc1) = (T::vzero(), T::vzero());
                let mut k = 0;
                while k < kv {
                    let xv = T::load(inp.add(k));
                    acc0 = T::vadd(acc0, T::vmul(xv, T::load(w.add(k))));
                    acc1 = T::vadd(acc1, T::vmul(xv, T::load(w1.add(k))));
                    k += T::W;
                }
                let (mut s0, mut s1) = (T::hsum(acc0), T::hsum(acc1));
                for k in kv..n_in {
                    let xk = *inp.add(k);
                    s0 += xk * *w.add(k);
                    s1 += xk * *w1.add(k);
                }
                let (z0, z1) = (s0 + *b.add(j), s1 + *b.add(j + 1));
                *z.add(j) = z0;
                *z.add(j + 1) = z1;
                if act != ACT_SOFTMAX {
                    *a.add(j) = act1(z0, act, alpha);
                    *a.add(j + 1) = act1(z1, act, alpha);
                }
                w = w1.add(n_in);
                j += 2;
            }
            if j < n_out {
                let mut acc = T::vzero();
                let mut k = 0;
                while k < kv {
                    acc = T::vadd(acc, T::vmul(T::load(inp.add(k)), T::load(w.add(k))));
                    k += T::W;
                }
                let mut sum = T::hsum(acc);
                for k in kv..n_in {
                    sum += *inp.add(k) * *w.add(k);
                }
                let zj = sum + *b.add(j);
                *z.add(j) = zj;
                if act != ACT_SOFTMAX {
                    *a.add(j) = act1(zj, act, alpha);
                }
            }
            if act == ACT_SOFTMAX {
                activate(a, z, 1, n_out, act, alpha64);
            }
            inp = a;
        }
        // loss, and the optimizer's step counters
        let t = y_data.add(s * n_out_l);
        let batch_loss = if loss_kind == LOSS_MSE && act_l == ACT_SIGMOID {
            // loss()'s mse and activate_backward's sigmoid, per output (the common case, written out)
            let f = T::of(2.0) / T::of_usize(n_out_l);
            let mut sum = T::ZERO;
            for k in 0..n_out_l {
                let v = *a_l.add(k);
                let e = v - *t.add(k);
                sum += e * e;
                *dz_l.add(k) = f * e * (v * (T::ONE - v));
            }
            (sum / T::of_usize(n_out_l)).wide()
        } else {
            let l = loss(dz_l, a_l, z_l, t, 1, n_out_l, loss_kind);
            if loss_kind == LOSS_MSE {
                activate_backward(dz_l, dz_l, z_l, a_l, 1, n_out_l, act_l, alpha64);
            }
            l
        };
        total += batch_loss;
        if !losses.is_null() {
            *losses.add(i) = batch_loss;
        }
        if opt == OPT_ADAM {
            *hp.add(HP_BETA1_POW) *= *hp.add(HP_BETA1);
            *hp.add(HP_BETA2_POW) *= *hp.add(HP_BETA2);
        }
        *hp.add(HP_STEP) += 1.0;
        // backward and update, one pass per layer: dx with the old weights, then the step (sgd in the same loop)
        for l in (0..layers).rev() {
            let (n_in, n_out) = (lw(plan, l, L_NIN), lw(plan, l, L_NOUT));
            let (dz, b) = (ptr::<T>(lw(plan, l, L_DZ)), ptr::<T>(lw(plan, l, L_B)));
            let x = if l > 0 { ptr::<T>(lw(plan, l - 1, L_A)) } else { xp };
            let dx = if l > 0 { ptr::<T>(lw(plan, l - 1, L_DZ)) } else { core::ptr::null_mut() };
            if l > 0 {
                for k in 0..n_in {
                    *dx.add(k) = T::ZERO;
                }
            }
            let mut w = ptr::<T>(lw(plan, l, L_W));
            if opt != OPT_ADAM && opt != OPT_MOMENTUM {
                let mut j = 0;
                // two rows at a time (dx: j order kept), lanes over k (element-wise: the scalar roundings)
                while j + 1 < n_out {
                    let w1 = w.add(n_in);
                    let (g0, g1) = (*dz.add(j), *dz.add(j + 1));
                    sgd_rows2(dx, w, w1, x, n_in, g0, g1, lr, decay);
                    let (b0, b1) = (*b.add(j), *b.add(j + 1));
                    *b.add(j) = b0 - lr * (g0 + T::ZERO * b0);
                    *b.add(j + 1) = b1 - lr * (g1 + T::ZERO * b1);
                    w = w1.add(n_in);
                    j += 2;
                }
                if j < n_out {
                    let g = *dz.add(j);
                    for k in 0..n_in {
                        let wk = *w.add(k);
                        if !dx.is_null() {
                            *dx.add(k) += g * wk;
                        }
                        *w.add(k) = wk - lr * (g * *x.add(k) + decay * wk);
                    }
                    let bj = *b.add(j);
                    *b.add(j) = bj - lr * (g + T::ZERO * bj);
                }
            } else {
                let db = ptr::<T>(lw(plan, l, L_DB));
                let mut dw = ptr::<T>(lw(plan, l, L_DW));
                for j in 0..n_out {
                    let g = *dz.add(j);
                    if l > 0 {
                        for k in 0..n_in {
                            *dx.add(k) += g * *w.add(k);
                        }
                    }
                    for k in 0..n_in {
                        *dw.add(k) = g * *x.add(k);
                    }
                    *db.add(j) = g;
                    w = w.add(n_in);
                    dw = dw.add(n_in);
                }
                let n = n_out * n_in;
                let (w0, dw0) = (ptr::<T>(lw(plan, l, L_W)), ptr::<T>(lw(plan, l, L_DW)));
                if opt == OPT_ADAM {
                    adam(w0, ptr::<T>(lw(plan, l, L_SW)), ptr::<T>(lw(plan, l, L_SW2)), dw0, n, hp, decay64);
                    adam(b, ptr::<T>(lw(plan, l, L_SB)), ptr::<T>(lw(plan, l, L_SB2)), db, n_out, hp, 0.0);
                } else {
                    momentum(w0, ptr::<T>(lw(plan, l, L_SW)), dw0, n, lr64, mu64, decay64);
                    momentum(b, ptr::<T>(lw(plan, l, L_SB)), db, n_out, lr64, mu64, 0.0);
                }
            }
            if l > 0 {
                // the layer below is never softmax (output only)
                let (zp, ap, actp) = (ptr::<T>(lw(plan, l - 1, L_Z)), ptr::<T>(lw(plan, l - 1, L_A)), lw(plan, l - 1, L_ACT) as i32);
                for k in 0..n_in {
                    *dx.add(k) = dact1(*dx.add(k), *zp.add(k), *ap.add(k), actp, alpha);
                }
            }
        }
    }
    total
}
