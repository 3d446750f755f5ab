//! fastnn kernels in Rust: the ABI of src/abi.ts, ported function for function from
//! src/kernels/js/.
//!
//! Memory layout: the module imports one shared linear memory (`env.memory`, at most 2 GiB).
//! Below `__heap_base` lives what the module owns: its static data (with the host thread's packing scratch) and
//! Rust's shadow stack.
//! Everything from `heapBase()` (rounded up to 16 by the host) belongs to the host's arena, which
//! holds every matrix (row-major, 16-byte aligned: f64, or the plan's element type for a plan's data blocks), the
//! plan words and the hp slots.
//! Kernels never allocate, never panic on valid input, and trust their arguments.
//!
//! The kernels are generic over the element type (vec.rs `Elem`: f64, f32); the fused entry points run the
//! instantiation the plan's PLAN_DTYPE names, the Mat-level exports the f64 one (denseForwardF32 / denseBackwardF32
//! the f32 one).
//! Built twice (scripts/build-rust.sh): with `+simd128` (f64x2 / f32x4 micro-kernels, vec.rs) and without.
//!
//! Threads (trainBatchesThreaded): several instances of this module run on the one shared memory, each
//! with its own `__stack_pointer` global but the same initial value, so their shadow stacks overlap.
//! That is safe only because no kernel keeps data on the shadow stack: the only stack traffic is
//! libm's `force_eval!` (a volatile store whose reload is dropped, in tanh/ln/ln_1p). Keep it that way
//! (no large local arrays that spill, no panics/formatting), or give each thread its own stack.

#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]
// memory_atomic_wait32 / memory_atomic_notify are unstable (`stdsimd`) in rustc 1.63; the build
// enables them for this crate only (RUSTC_BOOTSTRAP=fastnn in scripts/build-rust.sh).
#![feature(stdsimd)]

mod abi_gen;
mod act;
mod controls;
mod dense;
mod gemm;
mod probe;
mod tiny;
mod vec;

use abi_gen::*;
use act::*;
use controls::*;
use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
use core::sync::atomic::{AtomicI32, Ordering::SeqCst};
use vec::Elem;

extern "C" {
    static __heap_base: u8;
}

/// The module's own packing scratch (gemm.rs), for the calls that carry no thread control block: the stand-alone
/// kernel exports, backwardBatch and trainBatches, all on the host's thread. Rust statics live in the shared memory,
/// so a pool's threads never use it: they pack into the pool's own regions (SYNC_SCRATCH).
#[repr(C, align(16))]
struct Scratch([u8; SCRATCH_BYTES]);
static mut HOST_SCRATCH: Scratch = Scratch([0; SCRATCH_BYTES]);

#[inline(always)]
unsafe fn host_scratch() -> *mut u8 {
    core::ptr::addr_of_mut!(HOST_SCRATCH) as *mut u8
}

/// Thread `tid`'s packing scratch: the pool's region SYNC_SCRATCH + tid·SCRATCH_BYTES when the host gave one, the
/// module's own region without a control block, else null (the kernels then take their unpacked loops: same bits).
unsafe fn thread_scratch(ctl: *mut i32, tid: usize) -> *mut u8 {
    if ctl.is_null() {
        return if tid == 0 { host_scratch() } else { core::ptr::null_mut() };
    }
    let pool = atomic(ctl, SYNC_SCRATCH).load(SeqCst) as u32 as usize;
    if pool == 0 {
        core::ptr::null_mut()
    } else {
        (pool + tid * SCRATCH_BYTES) as *mut u8
    }
}

/// An f64 block's address (the float64 Mat-level exports, and HP, LOSSES, LRS, WEIGHTS, DROPOUT, NORMS of a plan).
#[inline(always)]
fn f(p: usize) -> *mut f64 {
    p as *mut f64
}

/// A plan data block's address as its element type T (the plan's PLAN_DTYPE).
#[inline(always)]
fn ptr<T>(p: usize) -> *mut T {
    p as *mut T
}

#[export_name = "heapBase"]
pub unsafe extern "C" fn heap_base() -> usize {
    &__heap_base as *const u8 as usize
}

#[export_name = "peakProbe"]
pub extern "C" fn peak_probe(iterations: i32, m: f64, c: f64) -> f64 {
    probe::peak_probe(iterations, m, c)
}

#[export_name = "peakProbeF32"]
pub extern "C" fn peak_probe_f32(iterations: i32, m: f64, c: f64) -> f64 {
    probe::peak_probe_f32(iterations, m, c)
}

#[export_name = "denseForward"]
pub unsafe extern "C" fn dense_forward(z: usize, x: usize, w: usize, b: usize, batch: i32, n_in: i32, n_out: i32) {
    dense::dense_forward(f(z), f(x), f(w), f(b), batch as usize, n_in as usize, n_out as usize);
}

/// denseForward in float32 (src/abi.ts): the same generic kernel at f32.
#[export_name = "denseForwardF32"]
pub unsafe extern "C" fn dense_forward_f32(z: usize, x: usize, w: usize, b: usize, batch: i32, n_in: i32, n_out: i32) {
    dense::dense_forward(ptr::<f32>(z), ptr::<f32>(x), ptr::<f32>(w), ptr::<f32>(b), batch as usize, n_in as usize, n_out as usize);
}

#[export_name = "activate"]
pub unsafe extern "C" fn activate_export(a: usize, z: usize, rows: i32, cols: i32, act: i32, alpha: f64) {
    activate(f(a), f(z), rows as usize, cols as usize, act, alpha);
}

#[export_name = "activateBackward"]
pub unsafe extern "C" fn activate_backward_export(
    dz: usize, da: usize, z: usize, a: usize, rows: i32, cols: i32, act: i32, alpha: f64,
) {
    activate_backward(f(dz), f(da), f(z), f(a), rows as usize, cols as usize, act, alpha);
}

#[export_name = "denseBackward"]
pub unsafe extern "C" fn dense_backward(
    dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, batch: i32, n_in: i32, n_out: i32,
) {
    dense::dense_backward(f(dx), f(dw), f(db), f(dz), f(x), f(w), batch as usize, n_in as usize, n_out as usize, host_scratch());
}

/// denseBackward in float32 (src/abi.ts): the same generic kernels at f32.
#[export_name = "denseBackwardF32"]
pub unsafe extern "C" fn dense_backward_f32(
    dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, batch: i32, n_in: i32, n_out: i32,
) {
    dense::dense_backward(
        ptr::<f32>(dx), ptr::<f32>(dw), ptr::<f32>(db), ptr::<f32>(dz), ptr::<f32>(x), ptr::<f32>(w),
        batch as usize, n_in as usize, n_out as usize, host_scratch(),
    );
}

#[export_name = "loss"]
pub unsafe extern "C" fn loss_export(d: usize, a: usize, z: usize, t: usize, rows: i32, cols: i32, kind: i32) -> f64 {
    loss(f(d), f(a), f(z), f(t), rows as usize, cols as usize, kind)
}

#[export_name = "sgdStep"]
pub unsafe extern "C" fn sgd_step(p: usize, g: usize, n: i32, lr: f64, decay: f64) {
    sgd(f(p), f(g), n as usize, lr, decay);
}

#[export_name = "momentumStep"]
pub unsafe extern "C" fn momentum_step(p: usize, v: usize, g: usize, n: i32, lr: f64, mu: f64, decay: f64) {
    momentum(f(p), f(v), f(g), n as usize, lr, mu, decay);
}

#[export_name = "adamStep"]
pub unsafe extern "C" fn adam_step(p: usize, m: usize, v: usize, g: usize, n: i32, hp: usize) {
    let hp = f(hp);
    adam(f(p), f(m), f(v), f(g), n as usize, hp, *hp.add(HP_DECAY));
}

// ---- plan (i32 words; PLAN_* and L_* from abi_gen.rs, layout in src/abi.ts) -------------------

/// Plan word `i` (i32).
#[inline(always)]
unsafe fn word(plan: *const i32, i: usize) -> i32 {
    *plan.add(i)
}

/// Layer record `l`, word `k`, as an unsigned size or pointer.
#[inline(always)]
unsafe fn lw(plan: *const i32, l: usize, k: usize) -> usize {
    *plan.add(PLAN_HEADER + l * PLAN_LAYER_WORDS + k) as u32 as usize
}

/// Whether the plan's data blocks are float32 (PLAN_DTYPE; else float64).
#[inline(always)]
unsafe fn is_f32(plan: *const i32) -> bool {
    word(plan, PLAN_DTYPE) == DTYPE_F32
}

/// Step 2: the forward pass of every layer, from x0.
unsafe fn forward<T: Elem>(plan: *const i32, rows: usize, alpha: f64) {
    let layers = word(plan, PLAN_LAYERS) as usize;
    let mut inp = ptr::<T>(word(plan, PLAN_X0) as u32 as usize);
    for l in 0..layers {
        let n_in = lw(plan, l, L_NIN);
        let n_out = lw(plan, l, L_NOUT);
        let z = ptr::<T>(lw(plan, l, L_Z));
        let a = ptr::<T>(lw(plan, l, L_A));
        dense::dense_forward(z, inp, ptr::<T>(lw(plan, l, L_W)), ptr::<T>(lw(plan, l, L_B)), rows, n_in, n_out);
        activate(a, z, rows, n_out, lw(plan, l, L_ACT) as i32, alpha);
        inp = a;
    }
}

#[export_name = "forwardBatch"]
pub unsafe extern "C" fn forward_batch(plan: usize, rows: i32) {
    let plan = plan as *const i32;
    let hp = f(word(plan, PLAN_HP) as u32 as usize);
    if is_f32(plan) {
        forward::<f32>(plan, rows as usize, *hp.add(HP_ALPHA));
    } else {
        forward::<f64>(plan, rows as usize, *hp.add(HP_ALPHA));
    }
}

/// evaluateBatch (src/abi.ts): forward from x0 and the loss against t (its gradient into the output layer's dz).
#[export_name = "evaluateBatch"]
pub unsafe extern "C" fn evaluate_batch(plan: usize, rows: i32) -> f64 {
    let plan = plan as *const i32;
    let alpha = *f(word(plan, PLAN_HP) as u32 as usize).add(HP_ALPHA);
    if is_f32(plan) {
        evaluate_steps::<f32>(plan, rows as usize, alpha)
    } else {
        evaluate_steps::<f64>(plan, rows as usize, alpha)
    }
}

unsafe fn evaluate_steps<T: Elem>(plan: *const i32, rows: usize, alpha: f64) -> f64 {
    forward::<T>(plan, rows, alpha);
    let last = word(plan, PLAN_LAYERS) as usize - 1;
    let (a_l, z_l, dz_l) = (ptr::<T>(lw(plan, last, L_A)), ptr::<T>(lw(plan, last, L_Z)), ptr::<T>(lw(plan, last, L_DZ)));
    loss(dz_l, a_l, z_l, ptr::<T>(word(plan, PLAN_T) as u32 as usize), rows, lw(plan, last, L_NOUT), word(plan, PLAN_LOSS))
}

/// backwardBatch (src/abi.ts): evaluateBatch, then every layer's dw, db and dz; no update.
#[export_name = "backwardBatch"]
pub unsafe extern "C" fn backward_batch(plan: usize, rows: i32) -> f64 {
    let plan = plan as *const i32;
    if is_f32(plan) {
        backward_steps::<f32>(plan, rows as usize)
    } else {
        backward_steps::<f64>(plan, rows as usize)
    }
}

unsafe fn backward_steps<T: Elem>(plan: *const i32, rows: usize) -> f64 {
    let alpha = *f(word(plan, PLAN_HP) as u32 as usize).add(HP_ALPHA);
    let total = evaluate_steps::<T>(plan, rows, alpha);
    let layers = word(plan, PLAN_LAYERS) as usize;
    let kind = word(plan, PLAN_LOSS);
    let last = layers - 1;
    let n_out_l = lw(plan, last, L_NOUT);
    let (a_l, z_l, dz_l) = (ptr::<T>(lw(plan, last, L_A)), ptr::<T>(lw(plan, last, L_Z)), ptr::<T>(lw(plan, last, L_DZ)));
    if kind == LOSS_MSE {
        activate_backward(dz_l, dz_l, z_l, a_l, rows, n_out_l, lw(plan, last, L_ACT) as i32, alpha);
    }
    for l in (0..layers).rev() {
        let n_in = lw(plan, l, L_NIN);
        let n_out = lw(plan, l, L_NOUT);
        let input = if l > 0 { ptr::<T>(lw(plan, l - 1, L_A)) } else { ptr::<T>(word(plan, PLAN_X0) as u32 as usize) };
        let dx = if l > 0 { ptr::<T>(lw(plan, l - 1, L_DZ)) } else { core::ptr::null_mut() };
        dense::dense_backward(dx, ptr::<T>(lw(plan, l, L_DW)), ptr::<T>(lw(plan, l, L_DB)), ptr::<T>(lw(plan, l, L_DZ)), input, ptr::<T>(lw(plan, l, L_W)), rows, n_in, n_out, host_scratch());
        if l > 0 {
            let dz_prev = ptr::<T>(lw(plan, l - 1, L_DZ));
            activate_backward(dz_prev, dz_prev, ptr::<T>(lw(plan, l - 1, L_Z)), ptr::<T>(lw(plan, l - 1, L_A)), rows, n_in, lw(plan, l - 1, L_ACT) as i32, alpha);
        }
    }
    total
}

// ---- thread control block (SYNC_* words at `ctl` from abi_gen.rs; contract in src/abi.ts) --------

#[inline(always)]
unsafe fn atomic(ctl: *mut i32, i: usize) -> &'static AtomicI32 {
    &*(ctl.add(i) as *const AtomicI32)
}

/// The barrier of the thread contract (src/abi.ts, trainBatchesThreaded); false when SYNC_ABORT is set.
/// `spin`: this thread's poll budget and its sleeps at the floor (a local of the caller: Rust statics live in the
/// shared memory), as src/abi.ts states it: halved by a wait that had to sleep (down to SPIN_LIMIT >> SPIN_FLOOR_SHIFT), doubled
/// by one that ended while polling, back to SPIN_LIMIT after SPIN_PROBE sleeps at the floor.
unsafe fn barrier(ctl: *mut i32, n: usize, spin: &mut [u32; 2]) -> bool {
    if n == 1 {
        return true;
    }
    let count_word = ctl.add(SYNC_COUNT);
    let count = atomic(ctl, SYNC_COUNT);
    let abort = atomic(ctl, SYNC_ABORT);
    // SYNC_COUNT only grows during a command: this arrival's round ends at the next multiple of n
    let arrived = count.fetch_add(1, SeqCst) + 1;
    let n = n as i32;
    let target = (arrived + n - 1) / n * n;
    if arrived == target {
        atomic(ctl, SYNC_PROGRESS).fetch_add(1, SeqCst);
        memory_atomic_notify(count_word, u32::MAX);
    } else {
        let mut spins: u32 = 0;
        loop {
            let seen = count.load(SeqCst);
            if seen >= target {
                break;
            }
            if abort.load(SeqCst) != 0 {
                return false;
            }
            spins += 1;
            if spins > spin[0] {
                memory_atomic_wait32(count_word, seen, WAIT_NS);
            }
        }
        if spins <= spin[0] {
            spin[0] = (spin[0] << 1).min(SPIN_LIMIT);
        } else if spin[0] > SPIN_LIMIT >> SPIN_FLOOR_SHIFT {
            spin[0] = (spin[0] >> 1).max(SPIN_LIMIT >> SPIN_FLOOR_SHIFT);
        } else {
            // two threads that both sleep would keep each other's waits longer than the floor: poll in full again
            spin[1] += 1;
            if spin[1] >= SPIN_PROBE {
                spin[1] = 0;
                spin[0] = SPIN_LIMIT;
            }
        }
    }
    abort.load(SeqCst) == 0
}

/// First index of thread t's share of n items: floor(n·t / threads) (src/abi.ts `part`). The `max(1)`
/// only spares a division-by-zero panic path (threads >= 1 always).
#[inline(always)]
fn part(n: usize, t: usize, threads: usize) -> usize {
    // one thread (every single-threaded step): no 64-bit division, which costs tens of cycles and is called
    // ~20 times per step — most of a tiny network's step
    if threads <= 1 {
        return n * t;
    }
    (n as u64 * t as u64 / threads as u64) as usize
}

#[export_name = "trainBatches"]
pub unsafe extern "C" fn train_batches(plan: usize, first: i32, count: i32) -> f64 {
    train_batches_threaded(plan, first, count, 0, 1, 0)
}

/// trainBatchesThreaded as src/abi.ts states it (steps, ownership, barriers); this is thread `tid`.
#[export_name = "trainBatchesThreaded"]
pub unsafe extern "C" fn train_batches_threaded(
    plan: usize, first: i32, count: i32, tid: i32, nthreads: i32, ctl: usize,
) -> f64 {
    let plan = plan as *const i32;
    if is_f32(plan) {
        train_steps::<f32>(plan, first, count, tid, nthreads, ctl)
    } else {
        train_steps::<f64>(plan, first, count, tid, nthreads, ctl)
    }
}

/// trainBatchesThreaded's steps with the plan's data blocks of element type T.
unsafe fn train_steps<T: Elem>(plan: *const i32, first: i32, count: i32, tid: i32, nthreads: i32, ctl: usize) -> f64 {
    if nthreads == 1 && tiny::is_tiny(plan) {
        return tiny::train_tiny::<T>(plan, first as usize, count as usize);
    }
    let ctl = ctl as *mut i32;
    let (tid, nt) = (tid as usize, nthreads as usize);
    let scratch = thread_scratch(ctl, tid);
    let layers = word(plan, PLAN_LAYERS) as usize;
    let batch = word(plan, PLAN_BATCH) as usize;
    let loss_kind = word(plan, PLAN_LOSS);
    let opt = word(plan, PLAN_OPT);
    let x_data = ptr::<T>(word(plan, PLAN_XDATA) as u32 as usize);
    let y_data = ptr::<T>(word(plan, PLAN_YDATA) as u32 as usize);
    let order = word(plan, PLAN_ORDER) as u32 as usize as *const i32;
    let n_samples = word(plan, PLAN_SAMPLES) as usize;
    let x0 = ptr::<T>(word(plan, PLAN_X0) as u32 as usize);
    let t = ptr::<T>(word(plan, PLAN_T) as u32 as usize);
    let hp = f(word(plan, PLAN_HP) as u32 as usize);
    let alpha = *hp.add(HP_ALPHA);
    let n_in0 = lw(plan, 0, L_NIN);
    let last = layers - 1;
    let n_out_l = lw(plan, last, L_NOUT);
    let losses = f(word(plan, PLAN_LOSSES) as u32 as usize);
    // batches are numbered across epochs: nb per epoch, one permutation of the samples per epoch in order
    // (the max(1)s only spare division-by-zero panic paths)
    let nb = (n_samples + batch - 1) / batch.max(1);
    // plan v2 controls (src/abi.ts): each 0 when off
    let lrs = f(word(plan, PLAN_LRS) as u32 as usize);
    let weights = f(word(plan, PLAN_WEIGHTS) as u32 as usize);
    let drop_p = f(word(plan, PLAN_DROPOUT) as u32 as usize);
    let norms = f(word(plan, PLAN_NORMS) as u32 as usize);
    let seed = word(plan, PLAN_SEED) as u32;
    let clip = *hp.add(HP_CLIP);
    let mut n_neurons = 0;
    for l in 0..layers {
        n_neurons += lw(plan, l, L_NOUT);
    }
    let mut total = 0.0;
    let mut spin: [u32; 2] = [SPIN_LIMIT, 0]; // this thread's barrier poll budget and sleeps at its floor (see barrier)
    let first = first as usize;
    for i in first..first + count as usize {
        let e = i / nb.max(1);
        let p0 = (i - e * nb) * batch;
        let rows = if batch < n_samples - p0 { batch } else { n_samples - p0 };
        let o = order.add(e * n_samples + p0);
        let total_w = if weights.is_null() { 1.0 } else { batch_weight(weights, o, rows) };
        if total_w == 0.0 {
            if tid == 0 && !losses.is_null() {
                *losses.add(i) = 0.0;
            }
            continue;
        }
        let key = *hp.add(HP_STEP) as u64 as u32;
        // 1. gather (rows split)
        for r in part(rows, tid, nt)..part(rows, tid + 1, nt) {
            let s = *o.add(r) as usize;
            copy(x0.add(r * n_in0), x_data.add(s * n_in0), n_in0);
            copy(t.add(r * n_out_l), y_data.add(s * n_out_l), n_out_l);
        }
        if !barrier(ctl, nt, &mut spin) {
            return f64::NAN;
        }
        // 2. forward (neurons split; softmax rows split)
        let mut inp = x0;
        for l in 0..layers {
            let n_in = lw(plan, l, L_NIN);
            let n_out = lw(plan, l, L_NOUT);
            let z = ptr::<T>(lw(plan, l, L_Z));
            let a = ptr::<T>(lw(plan, l, L_A));
            let act = lw(plan, l, L_ACT) as i32;
            let (j0, j1) = (part(n_out, tid, nt), part(n_out, tid + 1, nt));
            dense::dense_forward_range(z, inp, ptr::<T>(lw(plan, l, L_W)), ptr::<T>(lw(plan, l, L_B)), rows, n_in, n_out, j0, j1);
            if act == ACT_SOFTMAX {
                if !barrier(ctl, nt, &mut spin) {
                    return f64::NAN;
                }
                let (r0, r1) = (part(rows, tid, nt), part(rows, tid + 1, nt));
                if r1 > r0 {
                    activate(a.add(r0 * n_out), z.add(r0 * n_out), r1 - r0, n_out, act, alpha);
                }
            } else {
                activate_cols(a, z, rows, n_out, act, alpha, j0, j1);
            }
            let rate = if drop_p.is_null() { 0.0 } else { *drop_p.add(l) };
            if rate > 0.0 {
                dropout_cols(ptr::<T>(lw(plan, l, L_AD)), a, rows, n_out, j0, j1, rate, seed, key, l, o);
            }
            if !barrier(ctl, nt, &mut spin) {
                return f64::NAN;
            }
            inp = if rate > 0.0 { ptr::<T>(lw(plan, l, L_AD)) } else { a };
        }
        // 3. loss (thread 0) and the optimizer's step counters
        if tid == 0 {
            let a_l = ptr::<T>(lw(plan, last, L_A));
            let z_l = ptr::<T>(lw(plan, last, L_Z));
            let dz_l = ptr::<T>(lw(plan, last, L_DZ));
            let batch_loss = if weights.is_null() {
                loss(dz_l, a_l, z_l, t, rows, n_out_l, loss_kind)
            } else {
                weighted_loss(dz_l, a_l, z_l, t, rows, n_out_l, loss_kind, weights, o, total_w)
            };
            total += batch_loss;
            if !losses.is_null() {
                *losses.add(i) = batch_loss;
            }
            if loss_kind == LOSS_MSE {
                activate_backward(dz_l, dz_l, z_l, a_l, rows, n_out_l, lw(plan, last, L_ACT) as i32, alpha);
            }
            if !lrs.is_null() {
                *hp.add(HP_LR) = *lrs.add(i);
            }
            if opt == OPT_ADAM || opt == OPT_ADAMW {
                *hp.add(HP_BETA1_POW) *= *hp.add(HP_BETA1);
                *hp.add(HP_BETA2_POW) *= *hp.add(HP_BETA2);
            }
            *hp.add(HP_STEP) += 1.0;
        }
        if !barrier(ctl, nt, &mut spin) {
            return f64::NAN;
        }
        // 4. backward: weight gradients of own neurons, input gradient of own inputs
        for l in (0..layers).rev() {
            let n_in = lw(plan, l, L_NIN);
            let n_out = lw(plan, l, L_NOUT);
            let dz = ptr::<T>(lw(plan, l, L_DZ));
            let rate_prev = if l > 0 && !drop_p.is_null() { *drop_p.add(l - 1) } else { 0.0 };
            let input = if l > 0 { ptr::<T>(lw(plan, l - 1, if rate_prev > 0.0 { L_AD } else { L_A })) } else { x0 };
            let (j0, j1) = (part(n_out, tid, nt), part(n_out, tid + 1, nt));
            dense::weight_grad_range(ptr::<T>(lw(plan, l, L_DW)), ptr::<T>(lw(plan, l, L_DB)), dz, input, rows, n_in, n_out, j0, j1, scratch);
            if l > 0 {
                let q = l - 1;
                let dz_prev = ptr::<T>(lw(plan, q, L_DZ));
                let (k0, k1) = (part(n_in, tid, nt), part(n_in, tid + 1, nt));
                dense::input_grad_range(dz_prev, dz, ptr::<T>(lw(plan, l, L_W)), rows, n_in, n_out, k0, k1, scratch);
                if rate_prev > 0.0 {
                    dropout_cols(dz_prev, dz_prev, rows, n_in, k0, k1, rate_prev, seed, key, q, o);
                }
                activate_backward_cols(
                    dz_prev, dz_prev, ptr::<T>(lw(plan, q, L_Z)), ptr::<T>(lw(plan, q, L_A)), rows, n_in, lw(plan, q, L_ACT) as i32, alpha, k0, k1,
                );
                if !barrier(ctl, nt, &mut spin) {
                    return f64::NAN;
                }
            }
        }
        // clipping by the global norm: per-neuron squared norms by their owners, then one sum in index order
        if clip > 0.0 {
            let mut at = 0;
            for l in 0..layers {
                let n_out = lw(plan, l, L_NOUT);
                row_norms(norms, at, ptr::<T>(lw(plan, l, L_DW)), ptr::<T>(lw(plan, l, L_DB)), lw(plan, l, L_NIN), part(n_out, tid, nt), part(n_out, tid + 1, nt));
                at += n_out;
            }
            if !barrier(ctl, nt, &mut spin) {
                return f64::NAN;
            }
            let factor = clip_scale(norms, n_neurons, clip);
            if factor != 1.0 {
                for l in 0..layers {
                    let (n_in, n_out) = (lw(plan, l, L_NIN), lw(plan, l, L_NOUT));
                    let (j0, j1) = (part(n_out, tid, nt), part(n_out, tid + 1, nt));
                    scale(ptr::<T>(lw(plan, l, L_DW)).add(j0 * n_in), (j1 - j0) * n_in, T::of(factor));
                    scale(ptr::<T>(lw(plan, l, L_DB)).add(j0), j1 - j0, T::of(factor));
                }
            }
        }
        // 5. update own rows of every layer
        let lr = *hp.add(HP_LR);
        let mu = *hp.add(HP_BETA1);
        let decay = *hp.add(HP_DECAY);
        for l in 0..layers {
            let n_in = lw(plan, l, L_NIN);
            let n_out = lw(plan, l, L_NOUT);
            let (j0, j1) = (part(n_out, tid, nt), part(n_out, tid + 1, nt));
            if j1 == j0 {
                continue;
            }
            let (wo, nw, nb) = (j0 * n_in, (j1 - j0) * n_in, j1 - j0);
            let (w, b, dw, db) = (ptr::<T>(lw(plan, l, L_W)).add(wo), ptr::<T>(lw(plan, l, L_B)).add(j0), ptr::<T>(lw(plan, l, L_DW)).add(wo), ptr::<T>(lw(plan, l, L_DB)).add(j0));
            if opt == OPT_ADAMW {
                adamw(w, ptr::<T>(lw(plan, l, L_SW)).add(wo), ptr::<T>(lw(plan, l, L_SW2)).add(wo), dw, nw, hp, decay);
                adamw(b, ptr::<T>(lw(plan, l, L_SB)).add(j0), ptr::<T>(lw(plan, l, L_SB2)).add(j0), db, nb, hp, 0.0);
            } else if opt == OPT_ADAM {
                adam(w, ptr::<T>(lw(plan, l, L_SW)).add(wo), ptr::<T>(lw(plan, l, L_SW2)).add(wo), dw, nw, hp, decay);
                adam(b, ptr::<T>(lw(plan, l, L_SB)).add(j0), ptr::<T>(lw(plan, l, L_SB2)).add(j0), db, nb, hp, 0.0);
            } else if opt == OPT_MOMENTUM {
                momentum(w, ptr::<T>(lw(plan, l, L_SW)).add(wo), dw, nw, lr, mu, decay);
                momentum(b, ptr::<T>(lw(plan, l, L_SB)).add(j0), db, nb, lr, mu, 0.0);
            } else {
                sgd(w, dw, nw, lr, decay);
                sgd(b, db, nb, lr, 0.0);
            }
        }
        // the next gather overwrites x0, which other threads may still be reading for their weight gradients
        if !barrier(ctl, nt, &mut spin) {
            return f64::NAN;
        }
    }
    total
}
