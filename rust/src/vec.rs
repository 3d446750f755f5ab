//! The element type `T` the kernels are generic over (f64 or f32, the plan's PLAN_DTYPE), and its lane type
//! `T::V`: with `+simd128` an f64x2 or f32x4 (v128), otherwise a plain `T` (one lane). `T::W` is the number of
//! lanes. Every method is `#[inline(always)]`, so each instantiation compiles to the straight-line register code
//! a hand-written kernel of that type would be: the f64 instantiation is the code (and the bits) the kernels had
//! before they were generic.
//!
//! float32 arithmetic (the float32 design): every element operation in T, rounded to T; the transcendentals
//! (exp, ln, ln_1p, tanh) computed in f64 from the T input and rounded to T; hyper-parameters narrowed once with
//! `T::of`.

use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

pub trait Elem:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// The lane vector (v128 with simd128, else Self).
    type V: Copy;
    /// Lanes per vector.
    const W: usize;
    const ZERO: Self;
    const ONE: Self;
    const NEG_INF: Self;

    /// An f64 narrowed to T (identity for f64).
    fn of(x: f64) -> Self;
    /// Widened to f64 (exact).
    fn wide(self) -> f64;
    /// A count as T (n as f64, narrowed).
    #[inline(always)]
    fn of_usize(n: usize) -> Self {
        Self::of(n as f64)
    }
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn ln_1p(self) -> Self;
    fn tanh(self) -> Self;

    /// Load of W elements (wasm `v128.load` has no alignment requirement).
    unsafe fn load(p: *const Self) -> Self::V;
    unsafe fn store(p: *mut Self, v: Self::V);
    /// One element broadcast to every lane.
    unsafe fn load_splat(p: *const Self) -> Self::V;
    fn splat(x: Self) -> Self::V;
    fn vzero() -> Self::V;
    fn vadd(a: Self::V, b: Self::V) -> Self::V;
    fn vsub(a: Self::V, b: Self::V) -> Self::V;
    fn vmul(a: Self::V, b: Self::V) -> Self::V;
    fn vdiv(a: Self::V, b: Self::V) -> Self::V;
    fn vsqrt(a: Self::V) -> Self::V;
    /// Horizontal sum, lane 0 first: ((l0 + l1) + l2) + l3.
    fn hsum(v: Self::V) -> Self;
}

/// The one-lane (scalar build) lane methods of an element type.
#[cfg(not(target_feature = "simd128"))]
macro_rules! scalar_lanes {
    ($t:ty) => {
        type V = $t;
        const W: usize = 1;
        #[inline(always)]
        unsafe fn load(p: *const $t) -> $t {
            *p
        }
        #[inline(always)]
        unsafe fn store(p: *mut $t, v: $t) {
            *p = v
        }
        #[inline(always)]
        unsafe fn load_splat(p: *const $t) -> $t {
            *p
        }
        #[inline(always)]
        fn splat(x: $t) -> $t {
            x
        }
        #[inline(always)]
        fn vzero() -> $t {
            0.0
        }
        #[inline(always)]
        fn vadd(a: $t, b: $t) -> $t {
            a + b
        }
        #[inline(always)]
        fn vsub(a: $t, b: $t) -> $t {
            a - b
        }
        #[inline(always)]
        fn vmul(a: $t, b: $t) -> $t {
            a * b
        }
        #[inline(always)]
        fn vdiv(a: $t, b: $t) -> $t {
            a / b
        }
        #[inline(always)]
        fn vsqrt(a: $t) -> $t {
            a.sqrt()
        }
        #[inline(always)]
        fn hsum(v: $t) -> $t {
            v
        }
    };
}

/// The v128 lane methods of an element type: its lane count, splat load and f64x2 / f32x4 intrinsics.
#[cfg(target_feature = "simd128")]
macro_rules! simd_lanes {
    ($t:ty, $w:expr, $splat_load:ident, $bits:ty, $splat:ident, $add:ident, $sub:ident, $mul:ident, $div:ident, $sqrt:ident) => {
        type V = core::arch::wasm32::v128;
        const W: usize = $w;
        #[inline(always)]
        unsafe fn load(p: *const $t) -> Self::V {
            core::arch::wasm32::v128_load(p as *const Self::V)
        }
        #[inline(always)]
        unsafe fn store(p: *mut $t, v: Self::V) {
            core::arch::wasm32::v128_store(p as *mut Self::V, v)
        }
        #[inline(always)]
        unsafe fn load_splat(p: *const $t) -> Self::V {
            core::arch::wasm32::$splat_load(p as *const $bits)
        }
        #[inline(always)]
        fn splat(x: $t) -> Self::V {
            core::arch::wasm32::$splat(x)
        }
        #[inline(always)]
        fn vzero() -> Self::V {
            core::arch::wasm32::$splat(0.0)
        }
        #[inline(always)]
        fn vadd(a: Self::V, b: Self::V) -> Self::V {
            core::arch::wasm32::$add(a, b)
        }
        #[inline(always)]
        fn vsub(a: Self::V, b: Self::V) -> Self::V {
            core::arch::wasm32::$sub(a, b)
        }
        #[inline(always)]
        fn vmul(a: Self::V, b: Self::V) -> Self::V {
            core::arch::wasm32::$mul(a, b)
        }
        #[inline(always)]
        fn vdiv(a: Self::V, b: Self::V) -> Self::V {
            core::arch::wasm32::$div(a, b)
        }
        #[inline(always)]
        fn vsqrt(a: Self::V) -> Self::V {
            core::arch::wasm32::$sqrt(a)
        }
    };
}

impl Elem for f64 {
    #[cfg(not(target_feature = "simd128"))]
    scalar_lanes!(f64);
    #[cfg(target_feature = "simd128")]
    simd_lanes!(f64, 2, v128_load64_splat, u64, f64x2_splat, f64x2_add, f64x2_sub, f64x2_mul, f64x2_div, f64x2_sqrt);
    #[cfg(target_feature = "simd128")]
    #[inline(always)]
    fn hsum(v: Self::V) -> f64 {
        use core::arch::wasm32::f64x2_extract_lane;
        f64x2_extract_lane::<0>(v) + f64x2_extract_lane::<1>(v)
    }

    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    const NEG_INF: f64 = f64::NEG_INFINITY;
    #[inline(always)]
    fn of(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn exp(self) -> f64 {
        crate::act::exp(self)
    }
    #[inline(always)]
    fn ln(self) -> f64 {
        f64::ln(self)
    }
    #[inline(always)]
    fn ln_1p(self) -> f64 {
        f64::ln_1p(self)
    }
    #[inline(always)]
    fn tanh(self) -> f64 {
        f64::tanh(self)
    }
}

impl Elem for f32 {
    #[cfg(not(target_feature = "simd128"))]
    scalar_lanes!(f32);
    #[cfg(target_feature = "simd128")]
    simd_lanes!(f32, 4, v128_load32_splat, u32, f32x4_splat, f32x4_add, f32x4_sub, f32x4_mul, f32x4_div, f32x4_sqrt);
    #[cfg(target_feature = "simd128")]
    #[inline(always)]
    fn hsum(v: Self::V) -> f32 {
        use core::arch::wasm32::f32x4_extract_lane;
        ((f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v)) + f32x4_extract_lane::<2>(v))
            + f32x4_extract_lane::<3>(v)
    }

    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    const NEG_INF: f32 = f32::NEG_INFINITY;
    #[inline(always)]
    fn of(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn abs(self) -> f32 {
        f32::abs(self)
    }
    #[inline(always)]
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
    // the transcendentals in f64, rounded once to f32 (the float32 design: close across backends)
    #[inline(always)]
    fn exp(self) -> f32 {
        crate::act::exp(self as f64) as f32
    }
    #[inline(always)]
    fn ln(self) -> f32 {
        f64::ln(self as f64) as f32
    }
    #[inline(always)]
    fn ln_1p(self) -> f32 {
        f64::ln_1p(self as f64) as f32
    }
    #[inline(always)]
    fn tanh(self) -> f32 {
        f64::tanh(self as f64) as f32
    }
}
