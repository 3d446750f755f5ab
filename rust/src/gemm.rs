//! The packed, cache-blocked GEMM behind both backward products of a wide dense layer (GotoBLAS/BLIS loop order),
//! the same algorithm as assembly/gemm.ts, generic over the element type (vec.rs `Elem`: f64, f32):
//!
//!   out[s, v] = Σ_m S(m, s)·V(m, v)   s < ns, v0 ≤ v < v1, m = 0..nm-1
//!
//! S and V are read through element strides, so one routine serves both products:
//!   weights  dw[j, k] = Σ_r dz[r,j]·x[r,k]         s = j, v = k, m = r
//!   inputs   dx[r, k] = Σ_j dz[r,j]·w[j,k]         s = r, v = k, m = j
//!
//! Loops, outermost first: m in equal blocks of at most KC; v in panels of NC_BYTES / size_of::<T>() columns, each
//! packed once into scratch as [tile of TW v][m][TW] (TW = 2·T::W: 4 f64 or 8 f32, 32 bytes; a KC × panel block is
//! 192 KiB, in L2 while every s tile sweeps it); s in tiles of 4, packed as [m][SW] (a micro-panel that stays in L1
//! across the panel's v tiles), or read in place when S rows are contiguous along m (dz in dx); then the 4 × TW
//! micro-kernel: per m two vector loads of V, four broadcasts of S, eight multiply-adds (8 accumulators: with the
//! operands they fill V8's 16 xmm registers; a larger tile spills). Packed panels also remove the power-of-two strides
//! of a 1024-wide matrix, which map every row of a column walk onto one L1 set.
//!
//! Summation order: every output is 0 + S·V + S·V + … over m in increasing order (wasm has no fused multiply-add);
//! a later m block continues from the partial sum it stored (a store and a load are exact). Lanes and tiles hold
//! independent outputs, padding lanes and rows are computed and never stored, so an element's bits depend on neither
//! its tile, its panel nor the s or v range a thread owns: the same bits as dense.rs's unpacked tile loop.

use crate::vec::Elem;

/// m values per block: the S micro-panel (KC × 32 bytes = 8 KiB) stays in L1.
const KC: usize = 256;
/// At most this many s (a layer's few neurons in dw): gemm_few_s, which keeps every S tile packed and a V micro-panel
/// in L1 across them, instead of a V panel that only ns/4 tiles would reuse.
pub const FEW_S: usize = 32;
/// V micro-panels gemm_few_s packs at a time (512 bytes of a row: the pack walks rows at a power-of-two stride, one
/// TLB page each, so it takes several cache lines per row visit).
const FEW_V: usize = 4;
/// Bytes of one packed V row of a panel (96 f64 or 192 f32 columns): KC rows of it (192 KiB) stay in L2.
const NC_BYTES: usize = 96 * 8;
// The scratch gemm_packed uses (the S micro-panel, the V panel, then a 4 × TW staging tile for ragged v tiles) fits
// a thread's SCRATCH_BYTES region.
const _: () = assert!(KC * 32 + KC * NC_BYTES + 4 * 32 <= crate::abi_gen::SCRATCH_BYTES);
// gemm_few_s's S tiles and V micro-panels fit the V panel's region
const _: () = assert!((FEW_S / 4 + FEW_V) * KC * 32 <= KC * NC_BYTES);

/// Tile width on the v side: two lane vectors of T.
#[inline(always)]
fn tw<T: Elem>() -> usize {
    2 * T::W
}

/// Pitch of the packed S micro-panel per m: at least the 4 rows of a tile (the scalar build's TW is 2).
#[inline(always)]
fn sw<T: Elem>() -> usize {
    if tw::<T>() >= 4 {
        tw::<T>()
    } else {
        4
    }
}

/// Packs `n` columns i of A(m, i) = src[m·sm + i·si], m < mc, into dst as [tile of `pitch`][m][pitch], zero padded.
#[inline(always)]
unsafe fn pack<T: Elem>(
    mut dst: *mut T, src: *const T, sm: usize, si: usize, mc: usize, n: usize, pitch: usize, by_rows: bool,
) {
    let mut t = 0;
    if si == 1 && pitch == tw::<T>() && n >= pitch && by_rows {
        // full tiles of a row-major source, row by row: each row's span read once in order (rows lie a power-of-two
        // stride apart, a page each: visiting a row once per tile repeats the cache and TLB misses per tile). Only for
        // a few tiles: their destinations lie mc·32 bytes apart, and many such streams collide in L1 sets
        let full = n / pitch;
        let mut p = src;
        for m in 0..mc {
            let mut q = dst.add(m * pitch);
            for k in 0..full {
                T::store(q, T::load(p.add(k * pitch)));
                T::store(q.add(T::W), T::load(p.add(k * pitch + T::W)));
                q = q.add(mc * pitch);
            }
            p = p.add(sm);
        }
        t = full * pitch;
        dst = dst.add(full * mc * pitch);
    }
    while t < n {
        let nt = if n - t < pitch { n - t } else { pitch };
        let s0 = src.add(t * si);
        if si == 1 && nt % T::W == 0 && pitch % T::W == 0 {
            // the nt values of one m are adjacent: whole vector copies, zero vectors for the padding (one walk over
            // the rows, where a column-by-column pack of a float32 S tile would walk them once per column)
            let (mut p, mut q) = (s0, dst);
            for _ in 0..mc {
                let mut c = 0;
                while c < pitch {
                    T::store(q.add(c), if c < nt { T::load(p.add(c)) } else { T::vzero() });
                    c += T::W;
                }
                p = p.add(sm);
                q = q.add(pitch);
            }
            dst = dst.add(mc * pitch);
            t += pitch;
            continue;
        }
        // column by column: reads run along m (contiguous when sm = 1)
        for i in 0..pitch {
            let mut q = dst.add(i);
            if i < nt {
                let mut p = s0.add(i * si);
                for _ in 0..mc {
                    *q = *p;
                    p = p.add(sm);
                    q = q.add(pitch);
                }
            } else {
                for _ in 0..mc {
                    *q = T::ZERO;
                    q = q.add(pitch);
                }
            }
        }
        dst = dst.add(mc * pitch);
        t += pitch;
    }
}

/// The 4 × TW micro-kernel over mc values of m, into out rows < ns and columns < nv at o (row stride ldo).
/// `DIRECT`: S(m, i) at s + i·sss + m (rows contiguous along m, read in place; rows ≥ ns repeat the last real one);
/// else the packed micro-panel, S(m, i) at s + m·sw + i. V: the packed micro-panel at vp, [m][TW].
/// `first`: the sums start from 0, else from the partial sums in out. `stage`: 4 × TW elements of scratch.
/// float32: a function of its own (micro_f32), where V8 keeps the 8 accumulators in registers (inlined into
/// gemm_packed, the float32 instantiation spilled them to the stack every m step and ran slower than the float64 one);
/// float64 stays inlined, which measured faster for it (docs/benchmarks.md "Wide layers and float32").
#[inline(always)]
unsafe fn micro<T: Elem, const DIRECT: bool>(
    o: *mut T, ldo: usize, s: *const T, sss: usize, vp: *const T, mc: usize, ns: usize, nv: usize, first: bool,
    stage: *mut T,
) {
    if core::mem::size_of::<T>() == 4 {
        micro_f32::<T, DIRECT>(o, ldo, s, sss, vp, mc, ns, nv, first, stage)
    } else {
        micro_body::<T, DIRECT>(o, ldo, s, sss, vp, mc, ns, nv, first, stage)
    }
}

#[inline(never)]
unsafe fn micro_f32<T: Elem, const DIRECT: bool>(
    o: *mut T, ldo: usize, s: *const T, sss: usize, vp: *const T, mc: usize, ns: usize, nv: usize, first: bool,
    stage: *mut T,
) {
    micro_body::<T, DIRECT>(o, ldo, s, sss, vp, mc, ns, nv, first, stage)
}

#[inline(always)]
unsafe fn micro_body<T: Elem, const DIRECT: bool>(
    o: *mut T, ldo: usize, s: *const T, sss: usize, vp: *const T, mc: usize, ns: usize, nv: usize, first: bool,
    stage: *mut T,
) {
    let w = T::W;
    let full = nv == tw::<T>();
    let mut acc = [[T::vzero(); 2]; 4];
    if !first {
        for i in 0..4 {
            if i < ns {
                let mut src = o.add(i * ldo) as *const T;
                if !full {
                    let st = stage.add(i * tw::<T>());
                    for c in 0..tw::<T>() {
                        *st.add(c) = if c < nv { *src.add(c) } else { T::ZERO };
                    }
                    src = st;
                }
                acc[i][0] = T::load(src);
                acc[i][1] = T::load(src.add(w));
            }
        }
    }
    let mut sp = [s; 4];
    if DIRECT {
        for i in 1..4 {
            sp[i] = if i < ns { s.add(i * sss) } else { sp[i - 1] };
        }
    }
    let mut v = vp;
    for _ in 0..mc {
        let vl = T::load(v);
        let vh = T::load(v.add(w));
        for i in 0..4 {
            let c = if DIRECT { T::load_splat(sp[i]) } else { T::load_splat(sp[0].add(i)) };
            acc[i][0] = T::vadd(acc[i][0], T::vmul(c, vl));
            acc[i][1] = T::vadd(acc[i][1], T::vmul(c, vh));
        }
        if DIRECT {
            for p in sp.iter_mut() {
                *p = p.add(1);
            }
        } else {
            sp[0] = sp[0].add(sw::<T>());
        }
        v = v.add(tw::<T>());
    }
    for i in 0..4 {
        if i < ns {
            let dst = o.add(i * ldo);
            if full {
                T::store(dst, acc[i][0]);
                T::store(dst.add(w), acc[i][1]);
            } else {
                let st = stage.add(i * tw::<T>());
                T::store(st, acc[i][0]);
                T::store(st.add(w), acc[i][1]);
                for c in 0..nv {
                    *dst.add(c) = *st.add(c);
                }
            }
        }
    }
}

/// The 2 × 2·TW micro-kernel for a packed S tile of at most 2 rows (the last 2 neurons of a 10-neuron layer's dw) and
/// two whole adjacent V micro-panels (vp, vp + mc·TW): 8 accumulators as in micro, so the tile's 2 padding rows cost
/// no multiply-adds. Stores rows < ns (1 or 2), all 2·TW columns. The same chain per output as micro.
#[inline(never)]
unsafe fn micro_2rows<T: Elem>(o: *mut T, ldo: usize, s: *const T, vp: *const T, mc: usize, ns: usize, first: bool) {
    let w = T::W;
    let tw = tw::<T>();
    let mut acc = [[T::vzero(); 4]; 2];
    if !first {
        for i in 0..2 {
            if i < ns {
                let src = o.add(i * ldo) as *const T;
                for c in 0..4 {
                    acc[i][c] = T::load(src.add(c * w));
                }
            }
        }
    }
    let mut sp = s;
    let mut v = vp;
    let v2 = mc * tw;
    for _ in 0..mc {
        let b = [T::load(v), T::load(v.add(w)), T::load(v.add(v2)), T::load(v.add(v2 + w))];
        for i in 0..2 {
            let c = T::load_splat(sp.add(i));
            for k in 0..4 {
                acc[i][k] = T::vadd(acc[i][k], T::vmul(c, b[k]));
            }
        }
        sp = sp.add(sw::<T>());
        v = v.add(tw);
    }
    for i in 0..2 {
        if i < ns {
            let dst = o.add(i * ldo);
            for c in 0..4 {
                T::store(dst.add(c * w), acc[i][c]);
            }
        }
    }
}

/// out[s, v] = Σ_m S(m, s)·V(m, v) for s < ns, v0 ≤ v < v1 (see the file comment). Element strides:
/// S(m, s) at sp[m·ssm + s·sss], V(m, v) at vp[m·vsm + v·vsv], out[s, v] at o[s·ldo + v]. nm ≥ 1.
/// `scratch`: GEMM_SCRATCH_BYTES of the calling thread, 16-byte aligned.
pub unsafe fn gemm_packed<T: Elem>(
    o: *mut T, ldo: usize, sp: *const T, ssm: usize, sss: usize, ns: usize, vp: *const T, vsm: usize, vsv: usize,
    v0: usize, v1: usize, nm: usize, scratch: *mut u8,
) {
    let tw = tw::<T>();
    let s_panel = scratch as *mut T;
    let v_panel = scratch.add(KC * 32) as *mut T;
    let stage = scratch.add(KC * 32 + KC * NC_BYTES) as *mut T;
    let nc = NC_BYTES / core::mem::size_of::<T>();
    // nm splits into equal blocks of at most KC (784 = 3 × ~261 rather than 3 × 256 + 16: a short last block would
    // pay a whole pass of packing and partial sums for little work)
    let blocks = (nm + KC - 1) / KC;
    if ns <= FEW_S {
        return gemm_few_s(o, ldo, sp, ssm, sss, ns, vp, vsm, vsv, v0, v1, nm, scratch, blocks);
    }
    for bi in 0..blocks {
        let m0 = nm * bi / blocks;
        let m1 = nm * (bi + 1) / blocks;
        let mc = m1 - m0;
        let first = bi == 0;
        let s_base = sp.add(m0 * ssm);
        let v_base = vp.add(m0 * vsm);
        let mut vb = v0;
        while vb < v1 {
            let nv = if v1 - vb < nc { v1 - vb } else { nc };
            pack(v_panel, v_base.add(vb * vsv), vsm, vsv, mc, nv, tw, false);
            let ob = o.add(vb);
            let mut s = 0;
            while s < ns {
                let nsr = if ns - s < 4 { ns - s } else { 4 };
                let os = ob.add(s * ldo);
                let mut v = 0;
                if ssm == 1 {
                    // S rows are contiguous along m: read in place
                    let s0 = s_base.add(s * sss);
                    while v < nv {
                        let nvt = if nv - v < tw { nv - v } else { tw };
                        micro::<T, true>(os.add(v), ldo, s0, sss, v_panel.add(v * mc), mc, nsr, nvt, first, stage);
                        v += tw;
                    }
                } else {
                    pack(s_panel, s_base.add(s * sss), ssm, sss, mc, nsr, sw::<T>(), false);
                    while v < nv {
                        let nvt = if nv - v < tw { nv - v } else { tw };
                        micro::<T, false>(os.add(v), ldo, s_panel, 0, v_panel.add(v * mc), mc, nsr, nvt, first, stage);
                        v += tw;
                    }
                }
                s += 4;
            }
            vb += nc;
        }
    }
}

/// gemm_packed for ns ≤ FEW_S, loops swapped: per m block every S tile is packed once (ns/4 tiles of KC × 32 bytes, in
/// the V panel's region), then per v tile its V micro-panel is packed (KC × 32 bytes, in the S panel's region) and
/// stays in L1 while every S tile sweeps it. The same micro-kernel and summation order: the same bits.
#[inline(never)]
unsafe fn gemm_few_s<T: Elem>(
    o: *mut T, ldo: usize, sp: *const T, ssm: usize, sss: usize, ns: usize, vp: *const T, vsm: usize, vsv: usize,
    v0: usize, v1: usize, nm: usize, scratch: *mut u8, blocks: usize,
) {
    let tw = tw::<T>();
    // the S tiles (at most FEW_S/4 of KC × 32 bytes), then FEW_V V micro-panels, in the V panel's region
    let s_panels = scratch.add(KC * 32) as *mut T;
    let v_tiles = scratch.add(KC * 32 + FEW_S / 4 * KC * 32) as *mut T;
    let stage = scratch.add(KC * 32 + KC * NC_BYTES) as *mut T;
    for bi in 0..blocks {
        let m0 = nm * bi / blocks;
        let m1 = nm * (bi + 1) / blocks;
        let mc = m1 - m0;
        let first = bi == 0;
        let s_base = sp.add(m0 * ssm);
        let v_base = vp.add(m0 * vsm);
        let direct = ssm == 1;
        if !direct {
            let mut s = 0;
            while s < ns {
                let nsr = if ns - s < 4 { ns - s } else { 4 };
                pack(s_panels.add(s / 4 * mc * sw::<T>()), s_base.add(s * sss), ssm, sss, mc, nsr, sw::<T>(), false);
                s += 4;
            }
        }
        let mut vb = v0;
        while vb < v1 {
            // FEW_V micro-panels at once: their packing reads whole cache lines of a row
            let nvb = if v1 - vb < FEW_V * tw { v1 - vb } else { FEW_V * tw };
            pack(v_tiles, v_base.add(vb * vsv), vsm, vsv, mc, nvb, tw, true);
            let mut v = 0;
            while v < nvb {
                let nvt = if nvb - v < tw { nvb - v } else { tw };
                let vt = v_tiles.add(v * mc);
                let mut s = 0;
                while s < ns {
                    let nsr = if ns - s < 4 { ns - s } else { 4 };
                    let os = o.add(s * ldo + vb + v);
                    if !direct && nsr <= 2 && tw >= 4 && nvb - v >= 2 * tw && v % (2 * tw) == 0 {
                        // a last tile of at most 2 rows: this v tile and the next at once
                        micro_2rows(os, ldo, s_panels.add(s / 4 * mc * sw::<T>()), vt, mc, nsr, first);
                        s += 4;
                        continue;
                    }
                    if !direct && nsr <= 2 && tw >= 4 && v % (2 * tw) == tw && nvt == tw {
                        // (done with the tile before)
                        s += 4;
                        continue;
                    }
                    if direct {
                        micro::<T, true>(os, ldo, s_base.add(s * sss), sss, vt, mc, nsr, nvt, first, stage);
                    } else {
                        let panel = s_panels.add(s / 4 * mc * sw::<T>());
                        micro::<T, false>(os, ldo, panel, 0, vt, mc, nsr, nvt, first, stage);
                    }
                    s += 4;
                }
                v += tw;
            }
            vb += FEW_V * tw;
        }
    }
}
