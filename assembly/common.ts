/**
 * Shared helpers, the generated ABI constants (abi.gen.ts) and the module-owned scratch region.
 *
 * Scratch: MAX_THREADS regions of SCRATCH_BYTES bytes starting at align16(__heap_base), one per thread id
 * of trainBatchesThreaded (threads run concurrently on one memory, so each packs its tiles in its own
 * region; the stand-alone kernel exports use region 0). The SIMD kernels use it to pack small tiles (a
 * 4-row block of x in denseForward, the dz tiles of denseBackward). heapBase() reports the first byte after
 * the last region, so the host arena never overlaps it. When a tile would not fit (nIn > 8192 for the
 * forward pass, nOut > 8192 for the backward pass) the kernel falls back to the scalar loops, so no size
 * is rejected; that choice depends on the whole layer's shape only, never on a thread's slice.
 */

// Every ABI number (ACT_*, LOSS_*, OPT_*, PLAN_*, L_*, HP_*, SYNC_*, SPIN_*, WAIT_NS, MAX_THREADS) is
// generated from src/abi-spec.json (npm run gen:abi).
export * from './abi.gen';
import { MAX_THREADS, SCRATCH_BYTES as SCRATCH_BYTES_I32 } from './abi.gen';

/** Scratch bytes per thread (256 KiB = 32768 float64); MAX_THREADS of them (4 MiB) below heapBase(). */
export const SCRATCH_BYTES: usize = <usize>SCRATCH_BYTES_I32;
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
  return vmadd<f64>(a, b, c);
}

/**
 * madd on the lanes of the element type T (f64x2 or f32x4): relaxed_madd in the relaxed-simd build, a separate
 * multiply and add otherwise. The kernels are generic over T (f32 | f64, the plan's PLAN_DTYPE): every v128
 * operation is written v128.op<T>, so one source serves both lane types.
 */
// @ts-ignore: decorator
@inline
export function vmadd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/** Lanes of T in one v128: 2 (f64) or 4 (f32). */
// @ts-ignore: decorator
@inline
export function lanesOf<T>(): i32 {
  return 16 / <i32>sizeof<T>();
}

/** memory.copy for T data (f64 or f32); short runs are copied inline (memory.copy is an out-of-line call in V8). */
// @ts-ignore: decorator
@inline
export function copyEl<T>(dst: usize, src: usize, bytes: usize): void {
  if (bytes <= 128) {
    for (let i: usize = 0; i < bytes; i += sizeof<T>()) store<T>(dst + i, load<T>(src + i));
  } else {
    memory.copy(dst, src, bytes);
  }
}

/** memory.copy for float64 data. */
// @ts-ignore: decorator
@inline
export function copyF64(dst: usize, src: usize, bytes: usize): void {
  copyEl<f64>(dst, src, bytes);
}

/** memory.fill(dst, 0, bytes) for T data, inline for short runs. */
// @ts-ignore: decorator
@inline
export function zeroEl<T>(dst: usize, bytes: usize): void {
  if (bytes <= 128) {
    for (let i: usize = 0; i < bytes; i += sizeof<T>()) store<T>(dst + i, <T>0);
  } else {
    memory.fill(dst, 0, bytes);
  }
}
