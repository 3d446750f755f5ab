//! Activations (forward and backward), loss, and the optimizer steps: element-wise loops, generic over the
//! element type T (vec.rs), same formulas and evaluation order as src/kernels/js/. The element-wise optimizer
//! and derivative loops run over `T::V` (bit-identical to scalar: lanes are independent elements).

use crate::abi_gen::*;
use crate::vec::Elem;

/// e^x: musl's exp (src/math/exp.c, from ARM's optimized-routines; MIT), the one AssemblyScript's Math.exp
/// uses: x = k·ln2/128 + r, 2^(k/128) from a 128-entry table (tail, scale bits), e^r by a degree-5 polynomial.
/// Error < 0.52 ulp. It replaced a division-free Taylor series of degree 13 that cost about twice as much per
/// call; small networks' sigmoid steps are mostly exp.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    const N: u64 = 1 << EXP_TABLE_BITS;
    let inv_ln2_n = f64::from_bits(0x3FF71547652B82FE) * N as f64;
    let neg_ln2_hi_n = f64::from_bits(0xBF762E42FEFA0000);
    let neg_ln2_lo_n = f64::from_bits(0xBD0CF79ABC9E3B3A);
    let shift = f64::from_bits(0x4338000000000000);
    let c2 = f64::from_bits(0x3FDFFFFFFFFFFDBD);
    let c3 = f64::from_bits(0x3FC555555555543C);
    let c4 = f64::from_bits(0x3FA55555CF172B91);
    let c5 = f64::from_bits(0x3F81111167A4D017);
    let ux = x.to_bits();
    let abstop = ((ux >> 52) & 0x7FF) as u32;
    if abstop.wrapping_sub(0x3C9) >= 0x03F {
        return exp_special(x, ux, abstop);
    }
    let z = inv_ln2_n * x;
    let mut kd = z + shift;
    let ki = kd.to_bits();
    kd -= shift;
    let r = x + kd * neg_ln2_hi_n + kd * neg_ln2_lo_n;
    let idx = ((ki & (N - 1)) << 1) as usize;
    let top = ki << (52 - EXP_TABLE_BITS);
    let tail = f64::from_bits(EXP_TAB[idx]);
    let sbits = EXP_TAB[idx + 1].wrapping_add(top);
    let r2 = r * r;
    let tmp = tail + r + r2 * (c2 + r * c3) + r2 * r2 * (c4 + r * c5);
    let scale = f64::from_bits(sbits);
    scale + scale * tmp
}

/// |x| < 2^-54, |x| >= 512, or NaN (musl's exp: the tiny, huge and special cases, then the scaled main path).
#[inline(never)]
#[cold]
fn exp_special(x: f64, ux: u64, abstop: u32) -> f64 {
    if abstop.wrapping_sub(0x3C9) >= 0x8000_0000 {
        return 1.0;
    }
    if abstop >= 0x409 {
        if ux == 0xFFF0000000000000 {
            return 0.0;
        }
        if abstop >= 0x7FF {
            return 1.0 + x;
        }
        return if (ux as i64) < 0 { 0.0 } else { f64::INFINITY };
    }
    // 512 <= |x| < 1024: the main path with a scale whose exponent may over- or underflow
    const N: u64 = 1 << EXP_TABLE_BITS;
    let z = f64::from_bits(0x3FF71547652B82FE) * N as f64 * x;
    let mut kd = z + f64::from_bits(0x4338000000000000);
    let ki = kd.to_bits();
    kd -= f64::from_bits(0x4338000000000000);
    let r = x + kd * f64::from_bits(0xBF762E42FEFA0000) + kd * f64::from_bits(0xBD0CF79ABC9E3B3A);
    let idx = ((ki & (N - 1)) << 1) as usize;
    let top = ki << (52 - EXP_TABLE_BITS);
    let tail = f64::from_bits(EXP_TAB[idx]);
    let sbits = EXP_TAB[idx + 1].wrapping_add(top);
    let r2 = r * r;
    let tmp = tail + r + r2 * (f64::from_bits(0x3FDFFFFFFFFFFDBD) + r * f64::from_bits(0x3FC555555555543C))
        + r2 * r2 * (f64::from_bits(0x3FA55555CF172B91) + r * f64::from_bits(0x3F81111167A4D017));
    if ki & 0x8000_0000 == 0 {
        // k > 0: the exponent of scale may have overflowed by <= 460
        let scale = f64::from_bits(sbits.wrapping_sub(1009u64 << 52));
        return f64::from_bits(0x7F00000000000000) * (scale + scale * tmp);
    }
    // k < 0: round in the normal range before scaling into the subnormals (no double rounding)
    let scale = f64::from_bits(sbits.wrapping_add(1022u64 << 52));
    let mut y = scale + scale * tmp;
    if y.abs() < 1.0 {
        let one = if y < 0.0 { -1.0 } else { 1.0 };
        let mut lo = scale - y + scale * tmp;
        let hi = one + y;
        lo = one - hi + y + lo;
        y = (hi + lo) - one;
        if y == 0.0 {
            y = f64::from_bits(sbits & 0x8000000000000000);
        }
    }
    y * f64::from_bits(0x0010000000000000)
}

const EXP_TABLE_BITS: u64 = 7;

/// musl's __exp_data.tab: for i < 128, tail bits then scale bits of 2^(i/128) (scale bits minus i << 45).
static EXP_TAB: [u64; 256] = [
    0x0000000000000000, 0x3FF0000000000000, 0x3C9B3B4F1A88BF6E, 0x3FEFF63DA9FB3335,
    0xBC7160139CD8DC5D, 0x3FEFEC9A3E778061, 0xBC905E7A108766D1, 0x3FEFE315E86E7F85,
    0x3C8CD2523567F613, 0x3FEFD9B0D3158574, 0xBC8BCE8023F98EFA, 0x3FEFD06B29DDF6DE,
    0x3C60F74E61E6C861, 0x3FEFC74518759BC8, 0x3C90A3E45B33D399, 0x3FEFBE3ECAC6F383,
    0x3C979AA65D837B6D, 0x3FEFB5586CF9890F, 0x3C8EB51A92FDEFFC, 0x3FEFAC922B7247F7,
    0x3C3EBE3D702F9CD1, 0x3FEFA3EC32D3D1A2, 0xBC6A033489906E0B, 0x3FEF9B66AFFED31B,
    0xBC9556522A2FBD0E, 0x3FEF9301D0125B51, 0xBC5080EF8C4EEA55, 0x3FEF8ABDC06C31CC,
    0xBC91C923B9D5F416, 0x3FEF829AAEA92DE0, 0x3C80D3E3E95C55AF, 0x3FEF7A98C8A58E51,
    0xBC801B15EAA59348, 0x3FEF72B83C7D517B, 0xBC8F1FF055DE323D, 0x3FEF6AF9388C8DEA,
    0x3C8B898C3F1353BF, 0x3FEF635BEB6FCB75, 0xBC96D99C7611EB26, 0x3FEF5BE084045CD4,
    0x3C9AECF73E3A2F60, 0x3FEF54873168B9AA, 0xBC8FE782CB86389D, 0x3FEF4D5022FCD91D,
    0x3C8A6F4144A6C38D, 0x3FEF463B88628CD6, 0x3C807A05B0E4047D, 0x3FEF3F49917DDC96,
    0x3C968EFDE3A8A894, 0x3FEF387A6E756238, 0x3C875E18F274487D, 0x3FEF31CE4FB2A63F,
    0x3C80472B981FE7F2, 0x3FEF2B4565E27CDD, 0xBC96B87B3F71085E, 0x3FEF24DFE1F56381,
    0x3C82F7E16D09AB31, 0x3FEF1E9DF51FDEE1, 0xBC3D219B1A6FBFFA, 0x3FEF187FD0DAD990,
    0x3C8B3782720C0AB4, 0x3FEF1285A6E4030B, 0x3C6E149289CECB8F, 0x3FEF0CAFA93E2F56,
    0x3C834D754DB0ABB6, 0x3FEF06FE0A31B715, 0x3C864201E2AC744C, 0x3FEF0170FC4CD831,
    0x3C8FDD395DD3F84A, 0x3FEEFC08B26416FF, 0xBC86A3803B8E5B04, 0x3FEEF6C55F929FF1,
    0xBC924AEDCC4B5068, 0x3FEEF1A7373AA9CB, 0xBC9907F81B512D8E, 0x3FEEECAE6D05D866,
    0xBC71D1E83E9436D2, 0x3FEEE7DB34E59FF7, 0xBC991919B3CE1B15, 0x3FEEE32DC313A8E5,
    0x3C859F48A72A4C6D, 0x3FEEDEA64C123422, 0xBC9312607A28698A, 0x3FEEDA4504AC801C,
    0xBC58A78F4817895B, 0x3FEED60A21F72E2A, 0xBC7C2C9B67499A1B, 0x3FEED1F5D950A897,
    0x3C4363ED60C2AC11, 0x3FEECE086061892D, 0x3C9666093B0664EF, 0x3FEECA41ED1D0057,
    0x3C6ECCE1DAA10379, 0x3FEEC6A2B5C13CD0, 0x3C93FF8E3F0F1230, 0x3FEEC32AF0D7D3DE,
    0x3C7690CEBB7AAFB0, 0x3FEEBFDAD5362A27, 0x3C931DBDEB54E077, 0x3FEEBCB299FDDD0D,
    0xBC8F94340071A38E, 0x3FEEB9B2769D2CA7, 0xBC87DECCDC93A349, 0x3FEEB6DAA2CF6642,
    0xBC78DEC6BD0F385F, 0x3FEEB42B569D4F82, 0xBC861246EC7B5CF6, 0x3FEEB1A4CA5D920F,
    0x3C93350518FDD78E, 0x3FEEAF4736B527DA, 0x3C7B98B72F8A9B05, 0x3FEEAD12D497C7FD,
    0x3C9063E1E21C5409, 0x3FEEAB07DD485429, 0x3C34C7855019C6EA, 0x3FEEA9268A5946B7,
    0x3C9432E62B64C035, 0x3FEEA76F15AD2148, 0xBC8CE44A6199769F, 0x3FEEA5E1B976DC09,
    0xBC8C33C53BEF4DA8, 0x3FEEA47EB03A5585, 0xBC845378892BE9AE, 0x3FEEA34634CCC320,
    0xBC93CEDD78565858, 0x3FEEA23882552225, 0x3C5710AA807E1964, 0x3FEEA155D44CA973,
    0xBC93B3EFBF5E2228, 0x3FEEA09E667F3BCD, 0xBC6A12AD8734B982, 0x3FEEA012750BDABF,
    0xBC6367EFB86DA9EE, 0x3FEE9FB23C651A2F, 0xBC80DC3D54E08851, 0x3FEE9F7DF9519484,
    0xBC781F647E5A3ECF, 0x3FEE9F75E8EC5F74, 0xBC86EE4AC08B7DB0, 0x3FEE9F9A48A58174,
    0xBC8619321E55E68A, 0x3FEE9FEB564267C9, 0x3C909CCB5E09D4D3, 0x3FEEA0694FDE5D3F,
    0xBC7B32DCB94DA51D, 0x3FEEA11473EB0187, 0x3C94ECFD5467C06B, 0x3FEEA1ED0130C132,
    0x3C65EBE1ABD66C55, 0x3FEEA2F336CF4E62, 0xBC88A1C52FB3CF42, 0x3FEEA427543E1A12,
    0xBC9369B6F13B3734, 0x3FEEA589994CCE13, 0xBC805E843A19FF1E, 0x3FEEA71A4623C7AD,
    0xBC94D450D872576E, 0x3FEEA8D99B4492ED, 0x3C90AD675B0E8A00, 0x3FEEAAC7D98A6699,
    0x3C8DB72FC1F0EAB4, 0x3FEEACE5422AA0DB, 0xBC65B6609CC5E7FF, 0x3FEEAF3216B5448C,
    0x3C7BF68359F35F44, 0x3FEEB1AE99157736, 0xBC93091FA71E3D83, 0x3FEEB45B0B91FFC6,
    0xBC5DA9B88B6C1E29, 0x3FEEB737B0CDC5E5, 0xBC6C23F97C90B959, 0x3FEEBA44CBC8520F,
    0xBC92434322F4F9AA, 0x3FEEBD829FDE4E50, 0xBC85CA6CD7668E4B, 0x3FEEC0F170CA07BA,
    0x3C71AFFC2B91CE27, 0x3FEEC49182A3F090, 0x3C6DD235E10A73BB, 0x3FEEC86319E32323,
    0xBC87C50422622263, 0x3FEECC667B5DE565, 0x3C8B1C86E3E231D5, 0x3FEED09BEC4A2D33,
    0xBC91BBD1D3BCBB15, 0x3FEED503B23E255D, 0x3C90CC319CEE31D2, 0x3FEED99E1330B358,
    0x3C8469846E735AB3, 0x3FEEDE6B5579FDBF, 0xBC82DFCD978E9DB4, 0x3FEEE36BBFD3F37A,
    0x3C8C1A7792CB3387, 0x3FEEE89F995AD3AD, 0xBC907B8F4AD1D9FA, 0x3FEEEE07298DB666,
    0xBC55C3D956DCAEBA, 0x3FEEF3A2B84F15FB, 0xBC90A40E3DA6F640, 0x3FEEF9728DE5593A,
    0xBC68D6F438AD9334, 0x3FEEFF76F2FB5E47, 0xBC91EEE26B588A35, 0x3FEF05B030A1064A,
    0x3C74FFD70A5FDDCD, 0x3FEF0C1E904BC1D2, 0xBC91BDFBFA9298AC, 0x3FEF12C25BD71E09,
    0x3C736EAE30AF0CB3, 0x3FEF199BDD85529C, 0x3C8EE3325C9FFD94, 0x3FEF20AB5FFFD07A,
    0x3C84E08FD10959AC, 0x3FEF27F12E57D14B, 0x3C63CDAF384E1A67, 0x3FEF2F6D9406E7B5,
    0x3C676B2C6C921968, 0x3FEF3720DCEF9069, 0xBC808A1883CCB5D2, 0x3FEF3F0B555DC3FA,
    0xBC8FAD5D3FFFFA6F, 0x3FEF472D4A07897C, 0xBC900DAE3875A949, 0x3FEF4F87080D89F2,
    0x3C74A385A63D07A7, 0x3FEF5818DCFBA487, 0xBC82919E2040220F, 0x3FEF60E316C98398,
    0x3C8E5A50D5C192AC, 0x3FEF69E603DB3285, 0x3C843A59AC016B4B, 0x3FEF7321F301B460,
    0xBC82D52107B43E1F, 0x3FEF7C97337B9B5F, 0xBC892AB93B470DC9, 0x3FEF864614F5A129,
    0x3C74B604603A88D3, 0x3FEF902EE78B3FF6, 0x3C83C5EC519D7271, 0x3FEF9A51FBC74C83,
    0xBC8FF7128FD391F0, 0x3FEFA4AFA2A490DA, 0xBC8DAE98E223747D, 0x3FEFAF482D8E67F1,
    0x3C8EC3BC41AA2008, 0x3FEFBA1BEE615A27, 0x3C842B94C3A9EB32, 0x3FEFC52B376BBA97,
    0x3C8A64A931D185EE, 0x3FEFD0765B6E4540, 0xBC8E37BAE43BE3ED, 0x3FEFDBFDAD9CBE14,
    0x3C77893B4D91CD9D, 0x3FEFE7C1819E90D8, 0x3C5305C14160CC89, 0x3FEFF3C22B8F71F1,
];

/// f(z) of one element for the element-wise activations (softmax excluded): `activate`'s formulas, for the
/// small-layer path (tiny.rs), which applies them as each neuron's z is formed.
#[inline(always)]
pub fn act1<T: Elem>(v: T, act: i32, alpha: T) -> T {
    match act {
        ACT_SIGMOID => T::ONE / (T::ONE + (-v).exp()),
        ACT_TANH => v.tanh(),
        ACT_RELU => if v > T::ZERO { v } else { T::ZERO },
        ACT_LEAKY_RELU => if v > T::ZERO { v } else { alpha * v },
        ACT_SOFTPLUS => (if v > T::ZERO { v } else { T::ZERO }) + (-v.abs()).exp().ln_1p(),
        _ => v,
    }
}

/// da·f'(z) of one element for the element-wise activations: `activate_backward`'s formulas (tiny.rs).
#[inline(always)]
pub fn dact1<T: Elem>(da: T, z: T, a: T, act: i32, alpha: T) -> T {
    match act {
        ACT_SIGMOID => da * (a * (T::ONE - a)),
        ACT_TANH => da * (T::ONE - a * a),
        ACT_RELU => if z > T::ZERO { da } else { T::ZERO },
        ACT_LEAKY_RELU => if z > T::ZERO { da } else { alpha * da },
        ACT_SOFTPLUS => da * (T::ONE / (T::ONE + (-z).exp())),
        _ => da,
    }
}

/// a = f(z) element-wise (softmax per row). `a` may alias `z`. `alpha` (leaky-relu's slope) is narrowed to T here.
pub unsafe fn activate<T: Elem>(a: *mut T, z: *const T, rows: usize, cols: usize, act: i32, alpha: f64) {
    let n = rows * cols;
    let alpha = T::of(alpha);
    match act {
        ACT_SIGMOID => {
            for i in 0..n {
                *a.add(i) = T::ONE / (T::ONE + (-*z.add(i)).exp());
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
                *a.add(i) = if v > T::ZERO { v } else { T::ZERO };
            }
        }
        ACT_LEAKY_RELU => {
            for i in 0..n {
                let v = *z.add(i);
                *a.add(i) = if v > T::ZERO { v } else { alpha * v };
            }
        }
        ACT_SOFTPLUS => {
            // max(z, 0) + log1p(e^(-|z|)): no overflow
            for i in 0..n {
                let v = *z.add(i);
                *a.add(i) = (if v > T::ZERO { v } else { T::ZERO }) + (-v.abs()).exp().ln_1p();
            }
        }
        ACT_SOFTMAX => {
            for r in 0..rows {
                let zr = z.add(r * cols);
                let ar = a.add(r * cols);
                let mut m = T::NEG_INF;
                for j in 0..cols {
                    if *zr.add(j) > m {
                        m = *zr.add(j);
                    }
                }
                let mut s = T::ZERO;
                for j in 0..cols {
                    let e = (*zr.add(j) - m).exp();
                    *ar.add(j) = e;
                    s += e;
                }
                for j in 0..cols {
                    *ar.add(j) = *ar.add(j) / s;
                }
            }
        }
        _ => {
            if a as *const T != z {
                copy(a, z, n);
            }
        }
    }
}

/// dz = da ⊙ f'(z) (from a where cheaper). `dz` may alias `da`.
pub unsafe fn activate_backward<T: Elem>(
    dz: *mut T, da: *const T, z: *const T, a: *const T, rows: usize, cols: usize, act: i32, alpha: f64,
) {
    let n = rows * cols;
    let nv = n - n % T::W;
    let alpha = T::of(alpha);
    match act {
        ACT_SIGMOID => {
            let one = T::splat(T::ONE);
            let mut i = 0;
            while i < nv {
                let v = T::load(a.add(i));
                T::store(dz.add(i), T::vmul(T::load(da.add(i)), T::vmul(v, T::vsub(one, v))));
                i += T::W;
            }
            for i in nv..n {
                let v = *a.add(i);
                *dz.add(i) = *da.add(i) * (v * (T::ONE - v));
            }
        }
        ACT_TANH => {
            let one = T::splat(T::ONE);
            let mut i = 0;
            while i < nv {
                let v = T::load(a.add(i));
                T::store(dz.add(i), T::vmul(T::load(da.add(i)), T::vsub(one, T::vmul(v, v))));
                i += T::W;
            }
            for i in nv..n {
                let v = *a.add(i);
                *dz.add(i) = *da.add(i) * (T::ONE - v * v);
            }
        }
        ACT_RELU => {
            for i in 0..n {
                *dz.add(i) = if *z.add(i) > T::ZERO { *da.add(i) } else { T::ZERO };
            }
        }
        ACT_LEAKY_RELU => {
            for i in 0..n {
                *dz.add(i) = if *z.add(i) > T::ZERO { *da.add(i) } else { alpha * *da.add(i) };
            }
        }
        ACT_SOFTPLUS => {
            // f'(z) = sigmoid(z) (scalar: no SIMD exp)
            for i in 0..n {
                *dz.add(i) = *da.add(i) * (T::ONE / (T::ONE + (-*z.add(i)).exp()));
            }
        }
        ACT_SOFTMAX => {
            for r in 0..rows {
                let o = r * cols;
                let mut s = T::ZERO;
                for j in 0..cols {
                    s += *da.add(o + j) * *a.add(o + j);
                }
                for j in 0..cols {
                    *dz.add(o + j) = *a.add(o + j) * (*da.add(o + j) - s);
                }
            }
        }
        _ => {
            if dz as *const T != da {
                copy(dz, da, n);
            }
        }
    }
}

/// a[:, j0..j1) = f(z[:, j0..j1)) (row stride cols) for the element-wise activations (not softmax).
/// Each element gets the same formula as in `activate`, wherever the range starts.
pub unsafe fn activate_cols<T: Elem>(a: *mut T, z: *const T, rows: usize, cols: usize, act: i32, alpha: f64, j0: usize, j1: usize) {
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
pub unsafe fn activate_backward_cols<T: Elem>(
    dz: *mut T, da: *const T, z: *const T, a: *const T, rows: usize, cols: usize, act: i32, alpha: f64,
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

/// Batch loss; writes its gradient into d (see src/abi.ts for the three kinds). Terms and sums in T, the
/// result widened to f64.
pub unsafe fn loss<T: Elem>(d: *mut T, a: *const T, z: *const T, t: *const T, rows: usize, cols: usize, kind: i32) -> f64 {
    let n = rows * cols;
    let mut s = T::ZERO;
    if kind == LOSS_BCE {
        let inv = T::ONE / T::of_usize(n);
        for i in 0..n {
            let zi = *z.add(i);
            let ti = *t.add(i);
            s += (if zi > T::ZERO { zi } else { T::ZERO }) - ti * zi + (-zi.abs()).exp().ln_1p();
            *d.add(i) = (*a.add(i) - ti) * inv;
        }
        return (s / T::of_usize(n)).wide();
    }
    if kind == LOSS_CE {
        let inv = T::ONE / T::of_usize(rows);
        for r in 0..rows {
            let o = r * cols;
            let mut m = T::NEG_INF;
            for j in 0..cols {
                if *z.add(o + j) > m {
                    m = *z.add(o + j);
                }
            }
            let mut e = T::ZERO;
            for j in 0..cols {
                e += (*z.add(o + j) - m).exp();
            }
            let lse = m + e.ln();
            for j in 0..cols {
                let tj = *t.add(o + j);
                s += tj * (lse - *z.add(o + j));
                *d.add(o + j) = (*a.add(o + j) - tj) * inv;
            }
        }
        return (s / T::of_usize(rows)).wide();
    }
    // MSE
    let f = T::of(2.0) / T::of_usize(n);
    for i in 0..n {
        let e = *a.add(i) - *t.add(i);
        s += e * e;
        *d.add(i) = f * e;
    }
    (s / T::of_usize(n)).wide()
}

/// dst[i] = src[i] for i < n (non-overlapping). Short copies use a plain loop: `memory.copy` is a
/// call out of generated code in V8, which costs more than copying a few elements. The volatile read
/// keeps LLVM from turning the loop back into `memory.copy`.
#[inline(always)]
pub unsafe fn copy<T: Elem>(dst: *mut T, src: *const T, n: usize) {
    if n <= 32 {
        for i in 0..n {
            *dst.add(i) = core::ptr::read_volatile(src.add(i));
        }
    } else {
        core::ptr::copy_nonoverlapping(src, dst, n);
    }
}

// ---- optimizers (the f64 hyper-parameters narrowed to T once, at entry) ----------------------------

/// p -= lr·(g + decay·p)
pub unsafe fn sgd<T: Elem>(p: *mut T, g: *const T, n: usize, lr: f64, decay: f64) {
    let (lr, decay) = (T::of(lr), T::of(decay));
    let nv = n - n % T::W;
    let (lrv, dv) = (T::splat(lr), T::splat(decay));
    let mut i = 0;
    while i < nv {
        let pv = T::load(p.add(i));
        T::store(p.add(i), T::vsub(pv, T::vmul(lrv, T::vadd(T::load(g.add(i)), T::vmul(dv, pv)))));
        i += T::W;
    }
    for i in nv..n {
        *p.add(i) -= lr * (*g.add(i) + decay * *p.add(i));
    }
}

/// v = mu·v + (g + decay·p);  p -= lr·v
pub unsafe fn momentum<T: Elem>(p: *mut T, v: *mut T, g: *const T, n: usize, lr: f64, mu: f64, decay: f64) {
    let (lr, mu, decay) = (T::of(lr), T::of(mu), T::of(decay));
    let nv = n - n % T::W;
    let (lrv, muv, dv) = (T::splat(lr), T::splat(mu), T::splat(decay));
    let mut i = 0;
    while i < nv {
        let pv = T::load(p.add(i));
        let vi = T::vadd(T::vmul(muv, T::load(v.add(i))), T::vadd(T::load(g.add(i)), T::vmul(dv, pv)));
        T::store(v.add(i), vi);
        T::store(p.add(i), T::vsub(pv, T::vmul(lrv, vi)));
        i += T::W;
    }
    for i in nv..n {
        let vi = mu * *v.add(i) + (*g.add(i) + decay * *p.add(i));
        *v.add(i) = vi;
        *p.add(i) -= lr * vi;
    }
}

/// Adam's scalars from hp: lr, β1, β2, ε, the bias corrections 1-β1ᵗ and 1-β2ᵗ, 1-β1 and 1-β2, each computed in
/// f64 and narrowed to T.
#[inline(always)]
unsafe fn adam_scalars<T: Elem>(hp: *const f64) -> [T; 8] {
    let b1 = *hp.add(HP_BETA1);
    let b2 = *hp.add(HP_BETA2);
    [
        T::of(*hp.add(HP_LR)),
        T::of(b1),
        T::of(b2),
        T::of(*hp.add(HP_EPS)),
        T::of(1.0 - *hp.add(HP_BETA1_POW)),
        T::of(1.0 - *hp.add(HP_BETA2_POW)),
        T::of(1.0 - b1),
        T::of(1.0 - b2),
    ]
}

/// Adam with bias correction from hp[HP_BETA1_POW], hp[HP_BETA2_POW]; `decay` passed explicitly.
pub unsafe fn adam<T: Elem>(p: *mut T, m: *mut T, v: *mut T, g: *const T, n: usize, hp: *const f64, decay: f64) {
    let [lr, b1, b2, eps, c1, c2, ob1, ob2] = adam_scalars::<T>(hp);
    let decay = T::of(decay);
    let nv = n - n % T::W;
    {
        let (lrv, b1v, b2v, epsv, c1v, c2v, ob1v, ob2v, dv) =
            (T::splat(lr), T::splat(b1), T::splat(b2), T::splat(eps), T::splat(c1), T::splat(c2), T::splat(ob1), T::splat(ob2), T::splat(decay));
        let mut i = 0;
        while i < nv {
            let pv = T::load(p.add(i));
            let gi = T::vadd(T::load(g.add(i)), T::vmul(dv, pv));
            let mi = T::vadd(T::vmul(b1v, T::load(m.add(i))), T::vmul(ob1v, gi));
            let vi = T::vadd(T::vmul(b2v, T::load(v.add(i))), T::vmul(T::vmul(ob2v, gi), gi));
            T::store(m.add(i), mi);
            T::store(v.add(i), vi);
            T::store(p.add(i), T::vsub(pv, T::vdiv(T::vmul(lrv, T::vdiv(mi, c1v)), T::vadd(T::vsqrt(T::vdiv(vi, c2v)), epsv))));
            i += T::W;
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

/// AdamW (decoupled decay; trainBatches passes 0 for biases): p -= lr·((m/(1-β1ᵗ))/(sqrt(v/(1-β2ᵗ)) + ε) + decay·p).
pub unsafe fn adamw<T: Elem>(p: *mut T, m: *mut T, v: *mut T, g: *const T, n: usize, hp: *const f64, decay: f64) {
    let [lr, b1, b2, eps, c1, c2, ob1, ob2] = adam_scalars::<T>(hp);
    let decay = T::of(decay);
    for i in 0..n {
        let gi = *g.add(i);
        let mi = b1 * *m.add(i) + ob1 * gi;
        let vi = b2 * *v.add(i) + ob2 * gi * gi;
        *m.add(i) = mi;
        *v.add(i) = vi;
        let pi = *p.add(i);
        *p.add(i) = pi - lr * ((mi / c1) / ((vi / c2).sqrt() + eps) + decay * pi);
    }
}
