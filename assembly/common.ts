/**
 * Shared constants (mirrors of src/abi.ts) and the module-owned scratch region.
 *
 * Scratch: SCRATCH_BYTES bytes starting at align16(__heap_base). The SIMD kernels use it to pack small
 * tiles (a 4-row block of x in denseForward, the dz tiles of denseBackward). heapBase() reports the first
 * byte after it, so the host arena never overlaps it. When a tile would not fit (nIn or nOut > 32768)
 * the kernel falls back to the scalar loops, so no size is rejected.
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

/** Scratch size in bytes (1 MiB = 131072 float64). */
export const SCRATCH_BYTES: usize = 1 << 20;
export const SCRATCH_F64: i32 = <i32>(SCRATCH_BYTES >> 3);

// @ts-ignore: decorator
@inline
export function scratchBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
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
