/**
 * peakProbe (src/abi.ts): the bench's instrument for the WASM f64 ceiling, not a training kernel.
 * PROBE_CHAINS (24) independent chains s_i = i, each updated `iterations` times by s_i = s_i·m + c with no memory
 * traffic; returns 0 + s_0 + … + s_23 left to right (so every chain is live). SIMD builds: 12 f64x2 accumulators
 * (madd: relaxed_madd in the relaxed build, mul then add otherwise), enough independent chains to cover the
 * multiply-add latency on both FMA ports. Scalar builds: two passes of 12 scalar chains (as src/kernels/js/probe.ts).
 * With m a power of two every product is exact, so all builds return the same bits.
 */
import { madd, PROBE_CHAINS, PROBE_CHAINS_F32, vmadd } from './common';

export function peakProbe(iterations: i32, m: f64, c: f64): f64 {
  if (ASC_FEATURE_SIMD) return probeSimd(iterations, m, c);
  let t = 0.0;
  for (let base = 0; base < PROBE_CHAINS; base += 12) t = probePass(t, <f64>base, iterations, m, c);
  return t;
}

function probeSimd(iterations: i32, m: f64, c: f64): f64 {
  const vm = f64x2.splat(m), vc = f64x2.splat(c);
  let s0 = f64x2(0, 1), s1 = f64x2(2, 3), s2 = f64x2(4, 5), s3 = f64x2(6, 7);
  let s4 = f64x2(8, 9), s5 = f64x2(10, 11), s6 = f64x2(12, 13), s7 = f64x2(14, 15);
  let s8 = f64x2(16, 17), s9 = f64x2(18, 19), s10 = f64x2(20, 21), s11 = f64x2(22, 23);
  for (let i = 0; i < iterations; i++) {
    s0 = madd(s0, vm, vc); s1 = madd(s1, vm, vc); s2 = madd(s2, vm, vc); s3 = madd(s3, vm, vc);
    s4 = madd(s4, vm, vc); s5 = madd(s5, vm, vc); s6 = madd(s6, vm, vc); s7 = madd(s7, vm, vc);
    s8 = madd(s8, vm, vc); s9 = madd(s9, vm, vc); s10 = madd(s10, vm, vc); s11 = madd(s11, vm, vc);
  }
  let t = 0.0;
  t = lanes(t, s0); t = lanes(t, s1); t = lanes(t, s2); t = lanes(t, s3); t = lanes(t, s4); t = lanes(t, s5);
  t = lanes(t, s6); t = lanes(t, s7); t = lanes(t, s8); t = lanes(t, s9); t = lanes(t, s10); t = lanes(t, s11);
  return t;
}

// @ts-ignore: decorator
@inline
function lanes(t: f64, v: v128): f64 {
  t += f64x2.extract_lane(v, 0);
  return t + f64x2.extract_lane(v, 1);
}

/** Chains base..base+11 (scalar), added to t in order. */
function probePass(t: f64, base: f64, iterations: i32, m: f64, c: f64): f64 {
  let s0 = base, s1 = base + 1, s2 = base + 2, s3 = base + 3, s4 = base + 4, s5 = base + 5;
  let s6 = base + 6, s7 = base + 7, s8 = base + 8, s9 = base + 9, s10 = base + 10, s11 = base + 11;
  for (let i = 0; i < iterations; i++) {
    s0 = s0 * m + c; s1 = s1 * m + c; s2 = s2 * m + c; s3 = s3 * m + c;
    s4 = s4 * m + c; s5 = s5 * m + c; s6 = s6 * m + c; s7 = s7 * m + c;
    s8 = s8 * m + c; s9 = s9 * m + c; s10 = s10 * m + c; s11 = s11 * m + c;
  }
  t += s0; t += s1; t += s2; t += s3; t += s4; t += s5;
  t += s6; t += s7; t += s8; t += s9; t += s10; t += s11;
  return t;
}

/**
 * peakProbeF32 (src/abi.ts): the float32 ceiling, peakProbe's protocol in f32 lanes: PROBE_CHAINS_F32 (48) float32
 * chains s_i = i, each updated `iterations` times by s_i = s_i·m + c (m and c rounded to float32 once; every operation
 * in float32); returns 0 + s_0 + … + s_47, each chain widened and summed left to right in f64. One call is
 * 2·48·iterations flops. SIMD builds: 12 f32x4 accumulators, peakProbe's register shape (12 independent vector
 * chains cover the multiply-add latency on both FMA ports); scalar builds: four passes of 12 scalar chains. With m a
 * power of two every product is exact, so all builds return the same bits.
 */
export function peakProbeF32(iterations: i32, m: f64, c: f64): f64 {
  const m32 = <f32>m, c32 = <f32>c;
  if (ASC_FEATURE_SIMD) return probeSimdF32(iterations, m32, c32);
  let t = 0.0;
  for (let base = 0; base < PROBE_CHAINS_F32; base += 12) t = probePassF32(t, <f32>base, iterations, m32, c32);
  return t;
}

function probeSimdF32(iterations: i32, m: f32, c: f32): f64 {
  const vm = f32x4.splat(m), vc = f32x4.splat(c);
  let s0 = f32x4(0, 1, 2, 3), s1 = f32x4(4, 5, 6, 7), s2 = f32x4(8, 9, 10, 11);
  let s3 = f32x4(12, 13, 14, 15), s4 = f32x4(16, 17, 18, 19), s5 = f32x4(20, 21, 22, 23);
  let s6 = f32x4(24, 25, 26, 27), s7 = f32x4(28, 29, 30, 31), s8 = f32x4(32, 33, 34, 35);
  let s9 = f32x4(36, 37, 38, 39), s10 = f32x4(40, 41, 42, 43), s11 = f32x4(44, 45, 46, 47);
  for (let i = 0; i < iterations; i++) {
    s0 = vmadd<f32>(s0, vm, vc); s1 = vmadd<f32>(s1, vm, vc); s2 = vmadd<f32>(s2, vm, vc);
    s3 = vmadd<f32>(s3, vm, vc); s4 = vmadd<f32>(s4, vm, vc); s5 = vmadd<f32>(s5, vm, vc);
    s6 = vmadd<f32>(s6, vm, vc); s7 = vmadd<f32>(s7, vm, vc); s8 = vmadd<f32>(s8, vm, vc);
    s9 = vmadd<f32>(s9, vm, vc); s10 = vmadd<f32>(s10, vm, vc); s11 = vmadd<f32>(s11, vm, vc);
  }
  let t = 0.0;
  t = lanesF32(t, s0); t = lanesF32(t, s1); t = lanesF32(t, s2); t = lanesF32(t, s3); t = lanesF32(t, s4); t = lanesF32(t, s5);
  t = lanesF32(t, s6); t = lanesF32(t, s7); t = lanesF32(t, s8); t = lanesF32(t, s9); t = lanesF32(t, s10); t = lanesF32(t, s11);
  return t;
}

// @ts-ignore: decorator
@inline
function lanesF32(t: f64, v: v128): f64 {
  t += <f64>f32x4.extract_lane(v, 0);
  t += <f64>f32x4.extract_lane(v, 1);
  t += <f64>f32x4.extract_lane(v, 2);
  return t + <f64>f32x4.extract_lane(v, 3);
}

/** Chains base..base+11 (scalar float32), widened and added to t in order. */
function probePassF32(t: f64, base: f32, iterations: i32, m: f32, c: f32): f64 {
  let s0 = base, s1 = base + 1, s2 = base + 2, s3 = base + 3, s4 = base + 4, s5 = base + 5;
  let s6 = base + 6, s7 = base + 7, s8 = base + 8, s9 = base + 9, s10 = base + 10, s11 = base + 11;
  for (let i = 0; i < iterations; i++) {
    s0 = s0 * m + c; s1 = s1 * m + c; s2 = s2 * m + c; s3 = s3 * m + c;
    s4 = s4 * m + c; s5 = s5 * m + c; s6 = s6 * m + c; s7 = s7 * m + c;
    s8 = s8 * m + c; s9 = s9 * m + c; s10 = s10 * m + c; s11 = s11 * m + c;
  }
  t += <f64>s0; t += <f64>s1; t += <f64>s2; t += <f64>s3; t += <f64>s4; t += <f64>s5;
  t += <f64>s6; t += <f64>s7; t += <f64>s8; t += <f64>s9; t += <f64>s10; t += <f64>s11;
  return t;
}
