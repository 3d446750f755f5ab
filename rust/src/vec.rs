//! The lane type `V` the kernels are written over: `f64x2` (v128) when built with `+simd128`,
//! a plain `f64` otherwise. `W` is the number of f64 lanes. Every helper is `#[inline(always)]`,
//! so the generic tiles below compile to straight-line register code in both builds.

#[cfg(target_feature = "simd128")]
mod imp {
    use core::arch::wasm32::*;

    pub type V = v128;
    pub const W: usize = 2;

    /// Unaligned-capable load of two f64 (wasm `v128.load` has no alignment requirement).
    #[inline(always)]
    pub unsafe fn load(p: *const f64) -> V {
        v128_load(p as *const v128)
    }
    #[inline(always)]
    pub unsafe fn store(p: *mut f64, v: V) {
        v128_store(p as *mut v128, v)
    }
    /// One f64 broadcast to every lane (`v128.load64_splat`).
    #[inline(always)]
    pub unsafe fn load_splat(p: *const f64) -> V {
        v128_load64_splat(p as *const u64)
    }
    #[inline(always)]
    pub fn splat(x: f64) -> V {
        f64x2_splat(x)
    }
    #[inline(always)]
    pub fn zero() -> V {
        f64x2_splat(0.0)
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        f64x2_add(a, b)
    }
    #[inline(always)]
    pub fn sub(a: V, b: V) -> V {
        f64x2_sub(a, b)
    }
    #[inline(always)]
    pub fn mul(a: V, b: V) -> V {
        f64x2_mul(a, b)
    }
    #[inline(always)]
    pub fn div(a: V, b: V) -> V {
        f64x2_div(a, b)
    }
    #[inline(always)]
    pub fn sqrt(a: V) -> V {
        f64x2_sqrt(a)
    }
    /// Horizontal sum (lane 0 + lane 1).
    #[inline(always)]
    pub fn hsum(v: V) -> f64 {
        f64x2_extract_lane::<0>(v) + f64x2_extract_lane::<1>(v)
    }
}

#[cfg(not(target_feature = "simd128"))]
mod imp {
    pub type V = f64;
    pub const W: usize = 1;

    #[inline(always)]
    pub unsafe fn load(p: *const f64) -> V {
        *p
    }
    #[inline(always)]
    pub unsafe fn store(p: *mut f64, v: V) {
        *p = v
    }
    #[inline(always)]
    pub unsafe fn load_splat(p: *const f64) -> V {
        *p
    }
    #[inline(always)]
    pub fn splat(x: f64) -> V {
        x
    }
    #[inline(always)]
    pub fn zero() -> V {
        0.0
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        a + b
    }
    #[inline(always)]
    pub fn sub(a: V, b: V) -> V {
        a - b
    }
    #[inline(always)]
    pub fn mul(a: V, b: V) -> V {
        a * b
    }
    #[inline(always)]
    pub fn div(a: V, b: V) -> V {
        a / b
    }
    #[inline(always)]
    pub fn sqrt(a: V) -> V {
        a.sqrt()
    }
    #[inline(always)]
    pub fn hsum(v: V) -> f64 {
        v
    }
}

pub use imp::*;
