/**
 * Shared constants (mirrors of src/abi.ts) and the module-owned scratch region.
 *
 * Scratch: MAX_THREADS regions of SCRATCH_BYTES bytes starting at align16(__heap_base), one per thread id
 * of trainBatchesThreaded (threads run concurrently on one memory, so each packs its tiles in its own
 * region; the stand-alone kernel exports use region 0). The SIMD kernels use it to pack small tiles (a
 * 4-row block of x in denseForward, the dz tiles of denseBackward). heapBase() reports the first byte after
 * the last region, so the host arena never overlaps it. When a tile would not fit (nIn > 8192 for the
 * forward pass, nOut > 8192 for the backward pass) the kernel falls back to the scalar loops, so no size
 * is rejected; that choice depends on the whole layer's shape only, never on a thread's slice.
 */

// ---- activation codes (ACT) ----
export const ACT_IDENTITY: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;

// ---- loss kinds (LOSS) ----
export const LOSS_MSE: i32 = 0;
export const LOSS_BCE: i32 = 1;
export const LOSS_CE: i32 = 2;

// ---- optimizer kinds (OPT) ----
export const OPT_SGD: i32 = 0;
export const OPT_MOMENTUM: i32 = 1;
export const OPT_ADAM: i32 = 2;

// ---- plan words (i32) ----
export const PLAN_LAYERS: i32 = 0;
export const PLAN_BATCH: i32 = 1;
export const PLAN_LOSS: i32 = 2;
export const PLAN_OPT: i32 = 3;
export const PLAN_XDATA: i32 = 4;
export const PLAN_YDATA: i32 = 5;
export const PLAN_ORDER: i32 = 6;
export const PLAN_SAMPLES: i32 = 7;
export const PLAN_X0: i32 = 8;
export const PLAN_T: i32 = 9;
export const PLAN_HP: i32 = 10;
export const PLAN_LOSSES: i32 = 11;
export const PLAN_HEADER: i32 = 12;
export const PLAN_LAYER_WORDS: i32 = 16;
export const L_NIN: i32 = 0;
export const L_NOUT: i32 = 1;
export const L_ACT: i32 = 2;
export const L_W: i32 = 3;
export const L_B: i32 = 4;
export const L_Z: i32 = 5;
export const L_A: i32 = 6;
export const L_DZ: i32 = 7;
export const L_DW: i32 = 8;
export const L_DB: i32 = 9;
export const L_SW: i32 = 10;
export const L_SW2: i32 = 11;
export const L_SB: i32 = 12;
export const L_SB2: i32 = 13;

// ---- hyper-parameter slots (f64) ----
export const HP_LR: i32 = 0;
export const HP_BETA1: i32 = 1;
export const HP_BETA2: i32 = 2;
export const HP_EPS: i32 = 3;
export const HP_DECAY: i32 = 4;
export const HP_ALPHA: i32 = 5;
export const HP_BETA1_POW: i32 = 6;
export const HP_BETA2_POW: i32 = 7;
export const HP_STEP: i32 = 8;

// ---- thread control block words (i32 at ctl, SYNC_*) ----
export const SYNC_COUNT: i32 = 0;
export const SYNC_GEN: i32 = 1; // unused since the barrier waits on SYNC_COUNT
export const SYNC_ABORT: i32 = 2;
export const SYNC_PROGRESS: i32 = 3;
/** Busy polls before a thread sleeps in a barrier (src/abi.ts SPIN_LIMIT). */
export const SPIN_LIMIT: i32 = 20000;
/** Sleep per memory.atomic.wait32 in a barrier, in ns (1 ms), so SYNC_ABORT is seen soon. */
export const WAIT_NS: i64 = 1_000_000;

/** Threads of trainBatchesThreaded the scratch is reserved for (tid must be < MAX_THREADS). */
export const MAX_THREADS: i32 = 16;
/** Scratch bytes per thread (256 KiB = 32768 float64); MAX_THREADS of them (4 MiB) below heapBase(). */
export const SCRATCH_BYTES: usize = 256 << 10;
export const SCRATCH_F64: i32 = <i32>(SCRATCH_BYTES >> 3);

/** Scratch region of thread 0 (the stand-alone kernel exports use it). */
// @ts-ignore: decorator
@inline
export function scratchBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Scratch region of thread `tid` (< MAX_THREADS). */
// @ts-ignore: decorator
@inline
export function scratchOf(tid: i32): usize {
  return scratchBase() + <usize>tid * SCRATCH_BYTES;
}

/** First index of thread t's share of n items among `threads`: floor(n·t / threads). */
// @ts-ignore: decorator
@inline
export function part(n: i32, t: i32, threads: i32): i32 {
  // one thread (every single-threaded step): no 64-bit division, which costs tens of cycles and is called
  // ~20 times per step — most of a tiny network's step
  if (threads == 1) return n * t;
  return <i32>((<i64>n * <i64>t) / <i64>threads);
}

/** Word `i` of an i32 record at byte offset `p`. */
// @ts-ignore: decorator
@inline
export function word(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Pointer word `i` of an i32 record at byte offset `p`. */
// @ts-ignore: decorator
@inline
export function ptr(p: usize, i: i32): usize {
  return <usize>load<u32>(p + (<usize>i << 2));
}

/** Float64 slot `i` at byte offset `p`. */
// @ts-ignore: decorator
@inline
export function f64at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * c + a·b on two f64 lanes: a fused multiply-add in the relaxed-simd build (one rounding, or two where
 * the hardware has no FMA), a separate multiply and add (exactly the JS `s += a*b`) otherwise.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** memory.copy for float64 data; short runs are copied inline (memory.copy is an out-of-line call in V8). */
// @ts-ignore: decorator
@inline
export function copyF64(dst: usize, src: usize, bytes: usize): void {
  if (bytes <= 128) {
    for (let i: usize = 0; i < bytes; i += 8) store<f64>(dst + i, load<f64>(src + i));
  } else {
    memory.copy(dst, src, bytes);
  }
}

/** memory.fill(dst, 0, bytes) for float64 data, inline for short runs. */
// @ts-ignore: decorator
@inline
export function zeroF64(dst: usize, bytes: usize): void {
  if (bytes <= 128) {
    for (let i: usize = 0; i < bytes; i += 8) store<f64>(dst + i, 0.0);
  } else {
    memory.fill(dst, 0, bytes);
  }
}
