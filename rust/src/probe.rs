//! peakProbe and peakProbeF32 (src/abi.ts): the bench's instruments for the WASM f64 and f32 ceilings, not training kernels.
//! PROBE_CHAINS (24) independent chains s_i = i, each updated `iterations` times by s_i = s_i·m + c with no
//! memory traffic; returns 0 + s_0 + … + s_23 left to right (peakProbeF32: PROBE_CHAINS_F32 (48) f32 chains,
//! the same 12 accumulators as f32x4). `+simd128`: 12 f64x2 accumulators (mul then add;
//! Rust has no relaxed-SIMD build). Scalar: two passes of 12 chains (as src/kernels/js/probe.ts), so the
//! accumulators stay in registers. With m a power of two every product is exact: all builds return the same bits.

use crate::abi_gen::{PROBE_CHAINS, PROBE_CHAINS_F32};

#[cfg(target_feature = "simd128")]
pub fn peak_probe(iterations: i32, m: f64, c: f64) -> f64 {
    use core::arch::wasm32::*;
    let vm = f64x2_splat(m);
    let vc = f64x2_splat(c);
    let mut s = [f64x2_splat(0.0); 12];
    for (k, v) in s.iter_mut().enumerate() {
        *v = f64x2((2 * k) as f64, (2 * k + 1) as f64);
    }
    for _ in 0..iterations {
        for v in s.iter_mut() {
            *v = f64x2_add(f64x2_mul(*v, vm), vc);
        }
    }
    let mut t = 0.0;
    for v in s.iter() {
        t += f64x2_extract_lane::<0>(*v);
        t += f64x2_extract_lane::<1>(*v);
    }
    debug_assert!(PROBE_CHAINS == 24);
    t
}

#[cfg(not(target_feature = "simd128"))]
pub fn peak_probe(iterations: i32, m: f64, c: f64) -> f64 {
    let mut t = 0.0;
    let mut base = 0;
    while base < PROBE_CHAINS {
        t = pass(t, base as f64, iterations, m, c);
        base += 12;
    }
    t
}

/// Chains base..base+11, added to t in order.
#[cfg(not(target_feature = "simd128"))]
#[inline(never)]
fn pass(mut t: f64, base: f64, iterations: i32, m: f64, c: f64) -> f64 {
    let mut s = [0.0f64; 12];
    for (k, v) in s.iter_mut().enumerate() {
        *v = base + k as f64;
    }
    for _ in 0..iterations {
        for v in s.iter_mut() {
            *v = *v * m + c;
        }
    }
    for v in s.iter() {
        t += *v;
    }
    t
}

/// peakProbeF32 (src/abi.ts): peakProbe's protocol in f32 — m and c narrowed once, PROBE_CHAINS_F32 (48) f32 chains
/// s_i = i updated by s_i·m + c in f32, then 0 + s_0 + … + s_47 summed left to right in f64. `+simd128`: 12 f32x4
/// accumulators (mul then add), peak_probe's register shape. Scalar: four passes of 12 chains, as peak_probe.
#[cfg(target_feature = "simd128")]
pub fn peak_probe_f32(iterations: i32, m: f64, c: f64) -> f64 {
    use core::arch::wasm32::*;
    let vm = f32x4_splat(m as f32);
    let vc = f32x4_splat(c as f32);
    let mut s = [f32x4_splat(0.0); PROBE_CHAINS_F32 / 4];
    for (k, v) in s.iter_mut().enumerate() {
        *v = f32x4((4 * k) as f32, (4 * k + 1) as f32, (4 * k + 2) as f32, (4 * k + 3) as f32);
    }
    for _ in 0..iterations {
        for v in s.iter_mut() {
            *v = f32x4_add(f32x4_mul(*v, vm), vc);
        }
    }
    let mut t = 0.0f64;
    for v in s.iter() {
        t += f32x4_extract_lane::<0>(*v) as f64;
        t += f32x4_extract_lane::<1>(*v) as f64;
        t += f32x4_extract_lane::<2>(*v) as f64;
        t += f32x4_extract_lane::<3>(*v) as f64;
    }
    t
}

#[cfg(not(target_feature = "simd128"))]
pub fn peak_probe_f32(iterations: i32, m: f64, c: f64) -> f64 {
    let mut t = 0.0;
    let mut base = 0;
    while base < PROBE_CHAINS_F32 {
        t = pass_f32(t, base as f32, iterations, m as f32, c as f32);
        base += 12;
    }
    t
}

/// Chains base..base+11 in f32, widened and added to t in order.
#[cfg(not(target_feature = "simd128"))]
#[inline(never)]
fn pass_f32(mut t: f64, base: f32, iterations: i32, m: f32, c: f32) -> f64 {
    let mut s = [0.0f32; 12];
    for (k, v) in s.iter_mut().enumerate() {
        *v = base + k as f32;
    }
    for _ in 0..iterations {
        for v in s.iter_mut() {
            *v = *v * m + c;
        }
    }
    for v in s.iter() {
        t += *v as f64;
    }
    t
}
