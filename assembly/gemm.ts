/**
 * The packed, cache-blocked GEMM behind the dense kernels on wide layers (GotoBLAS/BLIS loop order):
 *
 *   out[s, v] = Σ_m S(m, s)·V(m, v)   s < ns, v0 ≤ v < v1, m = 0..nm-1
 *
 * S and V are read through byte strides, so one routine serves both backward products of a dense layer:
 *   weights  dw[j, k] = Σ_r dz[r,j]·x[r,k]         s = j, v = k, m = r
 *   inputs   dx[r, k] = Σ_j dz[r,j]·w[j,k]         s = r, v = k, m = j
 *
 * Loops, outermost first: m in blocks of GEMM_KC; v in panels of GEMM_NC, each packed once into scratch as
 * [tile of 4 v][m][4] (KC × NC float64: stays in L2 while every s tile sweeps it); s in tiles of 4, packed as
 * [m][4] (a 4 × KC micro-panel that stays in L1 across the panel's v tiles); then the 4 × 4 micro-kernel: per m,
 * two vector loads of V, four broadcasts of S, eight madd (8 accumulators: the 16 xmm registers V8 allocates hold
 * them with the operands; a larger tile spills). Contiguous packed panels also remove the power-of-two strides of
 * a 1024-wide matrix, which map every row of a column walk onto one L1 set.
 *
 * Summation order: every out element is one madd chain over m = 0..nm-1 in increasing order starting from 0; a
 * later m block continues from the partial sum it stored (a float64 store and load are exact).
 * Lanes and tiles hold independent outputs, padding lanes (zeros) are computed and never
 * stored, so an element's bits depend on neither its tile, its panel nor the v range a thread owns.
 *
 * The lane type is f64x2 here; the routine is written over 4-wide tiles of two v128 so that an f32x4 version is
 * the same loops with one v128 per tile row (the packing and the blocking do not change).
 */
import { madd, SCRATCH_BYTES } from './common';

/** m values per block: the S micro-panel (4 × KC float64 = 8 KiB) stays in L1 (docs/benchmarks.md). */
export const GEMM_KC: i32 = 256;
/** v columns per packed panel: KC × NC float64 (192 KiB) stays in L2 next to the s tiles and the out tiles. */
export const GEMM_NC: i32 = 96;
/** Scratch bytes gemmPacked uses: the S micro-panel then the V panel (fits SCRATCH_BYTES, 256 KiB). */
export const GEMM_SCRATCH_BYTES: usize = <usize>(GEMM_KC * 4 + GEMM_KC * GEMM_NC) << 3;

/**
 * Packs `n` (≤ 4·tiles) columns i of A(m, i) = src[m·sm + i·si] for m < mc into dst as [tile][m][4], zero padded.
 */
function pack(dst: usize, src: usize, sm: usize, si: usize, mc: i32, n: i32): void {
  const tileB = <usize>mc << 5;
  for (let t = 0; t < n; t += 4) {
    const nt = min(4, n - t);
    const s0 = src + <usize>t * si;
    if (si == 8 && nt == 4) {
      // the 4 values of one m are adjacent: two vector copies
      let p = s0, q = dst;
      for (let m = 0; m < mc; m++) {
        v128.store(q, v128.load(p)); v128.store(q, v128.load(p, 16), 16);
        p += sm; q += 32;
      }
    } else {
      // column by column: reads run along m (contiguous when sm = 8)
      for (let i = 0; i < 4; i++) {
        let q = dst + (<usize>i << 3);
        if (i < nt) {
          let p = s0 + <usize>i * si;
          for (let m = 0; m < mc; m++) { store<f64>(q, load<f64>(p)); p += sm; q += 32; }
        } else {
          for (let m = 0; m < mc; m++) { store<f64>(q, 0.0); q += 32; }
        }
      }
    }
    dst += tileB;
  }
}

/** Lane `i` (0..3) of a 4-wide tile row held as (lo, hi). */
// @ts-ignore: decorator
@inline
function lane4(lo: v128, hi: v128, i: i32): f64 {
  return i == 0 ? f64x2.extract_lane(lo, 0) : i == 1 ? f64x2.extract_lane(lo, 1) : i == 2 ? f64x2.extract_lane(hi, 0) : f64x2.extract_lane(hi, 1);
}

/** f64x2 of out[o + 8·i] for lanes i, i+1 < nv (missing lanes 0). */
// @ts-ignore: decorator
@inline
function loadPart(o: usize, i: i32, nv: i32): v128 {
  const a = i < nv ? load<f64>(o + (<usize>i << 3)) : 0.0;
  const b = i + 1 < nv ? load<f64>(o + (<usize>i << 3), 8) : 0.0;
  return f64x2(a, b);
}

/**
 * The 4 × 4 micro-kernel over mc values of m: rows s of the tile are the packed S micro-panel's lanes (broadcast),
 * columns v are the packed V micro-panel's lanes (two vectors). `first`: the sums start from 0, else from out.
 * Stores rows < ns and columns < nv only.
 */
function micro(o: usize, ldo: usize, sP: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  let a0l = f64x2.splat(0), a0h = f64x2.splat(0), a1l = f64x2.splat(0), a1h = f64x2.splat(0);
  let a2l = f64x2.splat(0), a2h = f64x2.splat(0), a3l = f64x2.splat(0), a3h = f64x2.splat(0);
  if (!first) {
    if (nv == 4 && ns == 4) {
      a0l = v128.load(o); a0h = v128.load(o, 16); a1l = v128.load(o1); a1h = v128.load(o1, 16);
      a2l = v128.load(o2); a2h = v128.load(o2, 16); a3l = v128.load(o3); a3h = v128.load(o3, 16);
    } else {
      a0l = loadPart(o, 0, nv); a0h = loadPart(o, 2, nv);
      if (ns > 1) { a1l = loadPart(o1, 0, nv); a1h = loadPart(o1, 2, nv); }
      if (ns > 2) { a2l = loadPart(o2, 0, nv); a2h = loadPart(o2, 2, nv); }
      if (ns > 3) { a3l = loadPart(o3, 0, nv); a3h = loadPart(o3, 2, nv); }
    }
  }
  const vEnd = vP + (<usize>mc << 5);
  let sp = sP;
  for (let vp = vP; vp < vEnd; vp += 32) {
    const vl = v128.load(vp), vh = v128.load(vp, 16);
    let c = v128.load64_splat(sp);
    a0l = madd(c, vl, a0l); a0h = madd(c, vh, a0h);
    c = v128.load64_splat(sp, 8);
    a1l = madd(c, vl, a1l); a1h = madd(c, vh, a1h);
    c = v128.load64_splat(sp, 16);
    a2l = madd(c, vl, a2l); a2h = madd(c, vh, a2h);
    c = v128.load64_splat(sp, 24);
    a3l = madd(c, vl, a3l); a3h = madd(c, vh, a3h);
    sp += 32;
  }
  storeTile(o, ldo, ns, nv, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h);
}

/**
 * micro with S read in place: S(m, s) at sp + 8·m + s·sss (each s a row contiguous along m, as x in the forward pass
 * or dz in dx), broadcast from four row pointers, so S needs no packing. Rows s ≥ ns repeat the last real row
 * (computed, not stored).
 */
function microDirect(o: usize, ldo: usize, sp: usize, sss: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  let a0l = f64x2.splat(0), a0h = f64x2.splat(0), a1l = f64x2.splat(0), a1h = f64x2.splat(0);
  let a2l = f64x2.splat(0), a2h = f64x2.splat(0), a3l = f64x2.splat(0), a3h = f64x2.splat(0);
  if (!first) {
    if (nv == 4 && ns == 4) {
      a0l = v128.load(o); a0h = v128.load(o, 16); a1l = v128.load(o1); a1h = v128.load(o1, 16);
      a2l = v128.load(o2); a2h = v128.load(o2, 16); a3l = v128.load(o3); a3h = v128.load(o3, 16);
    } else {
      a0l = loadPart(o, 0, nv); a0h = loadPart(o, 2, nv);
      if (ns > 1) { a1l = loadPart(o1, 0, nv); a1h = loadPart(o1, 2, nv); }
      if (ns > 2) { a2l = loadPart(o2, 0, nv); a2h = loadPart(o2, 2, nv); }
      if (ns > 3) { a3l = loadPart(o3, 0, nv); a3h = loadPart(o3, 2, nv); }
    }
  }
  let s0 = sp;
  let s1 = ns > 1 ? s0 + sss : s0;
  let s2 = ns > 2 ? s1 + sss : s1;
  let s3 = ns > 3 ? s2 + sss : s2;
  const vEnd = vP + (<usize>mc << 5);
  for (let vp = vP; vp < vEnd; vp += 32) {
    const vl = v128.load(vp), vh = v128.load(vp, 16);
    let c = v128.load64_splat(s0);
    a0l = madd(c, vl, a0l); a0h = madd(c, vh, a0h);
    c = v128.load64_splat(s1);
    a1l = madd(c, vl, a1l); a1h = madd(c, vh, a1h);
    c = v128.load64_splat(s2);
    a2l = madd(c, vl, a2l); a2h = madd(c, vh, a2h);
    c = v128.load64_splat(s3);
    a3l = madd(c, vl, a3l); a3h = madd(c, vh, a3h);
    s0 += 8; s1 += 8; s2 += 8; s3 += 8;
  }
  storeTile(o, ldo, ns, nv, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h);
}

/** Stores rows < ns, lanes < nv of the tile. */
// @ts-ignore: decorator
@inline
function storeTile(
  o: usize, ldo: usize, ns: i32, nv: i32,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128,
): void {
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  if (nv == 4 && ns == 4) {
    v128.store(o, a0l); v128.store(o, a0h, 16); v128.store(o1, a1l); v128.store(o1, a1h, 16);
    v128.store(o2, a2l); v128.store(o2, a2h, 16); v128.store(o3, a3l); v128.store(o3, a3h, 16);
    return;
  }
  for (let i = 0; i < nv; i++) {
    store<f64>(o + (<usize>i << 3), lane4(a0l, a0h, i));
    if (ns > 1) store<f64>(o1 + (<usize>i << 3), lane4(a1l, a1h, i));
    if (ns > 2) store<f64>(o2 + (<usize>i << 3), lane4(a2l, a2h, i));
    if (ns > 3) store<f64>(o3 + (<usize>i << 3), lane4(a3l, a3h, i));
  }
}

/**
 * out[s, v] = Σ_m S(m, s)·V(m, v) for s < ns, v0 ≤ v < v1 (see the file comment). Byte strides:
 * S(m, s) at sp + m·ssm + s·sss, V(m, v) at vp + m·vsm + v·vsv, out[s, v] at o + s·ldo + 8·v. nm ≥ 1.
 * `scratch`: GEMM_SCRATCH_BYTES of the caller's thread.
 */
export function gemmPacked(
  o: usize, ldo: usize, sp: usize, ssm: usize, sss: usize, ns: i32,
  vp: usize, vsm: usize, vsv: usize, v0: i32, v1: i32, nm: i32, scratch: usize,
): void {
  const sPanel = scratch;
  assert(GEMM_SCRATCH_BYTES <= SCRATCH_BYTES); // debug build only
  const vPanel = scratch + (<usize>GEMM_KC << 5);
  // nm splits into equal blocks of at most GEMM_KC (784 = 3 × ~261 rather than 3 × 256 + 16: a short last block
  // would pay a whole pass of packing and partial sums for little work)
  const blocks = (nm + GEMM_KC - 1) / GEMM_KC;
  for (let bi = 0; bi < blocks; bi++) {
    const m0 = <i32>((<i64>nm * bi) / blocks), m1 = <i32>((<i64>nm * (bi + 1)) / blocks);
    const mc = m1 - m0;
    const first = bi == 0;
    const sBase = sp + <usize>m0 * ssm, vBase = vp + <usize>m0 * vsm;
    for (let vb = v0; vb < v1; vb += GEMM_NC) {
      const nv = min(GEMM_NC, v1 - vb);
      pack(vPanel, vBase + <usize>vb * vsv, vsm, vsv, mc, nv);
      const ob = o + (<usize>vb << 3);
      for (let s = 0; s < ns; s += 4) {
        const nsr = min(4, ns - s);
        const os = ob + <usize>s * ldo;
        let vt = vPanel;
        if (ssm == 8) {
          // S rows are contiguous along m: read in place
          const s0 = sBase + <usize>s * sss;
          for (let v = 0; v < nv; v += 4) {
            microDirect(os + (<usize>v << 3), ldo, s0, sss, vt, mc, nsr, min(4, nv - v), first);
            vt += <usize>mc << 5;
          }
        } else {
          pack(sPanel, sBase + <usize>s * sss, ssm, sss, mc, nsr);
          for (let v = 0; v < nv; v += 4) {
            micro(os + (<usize>v << 3), ldo, sPanel, vt, mc, nsr, min(4, nv - v), first);
            vt += <usize>mc << 5;
          }
        }
      }
    }
  }
}
