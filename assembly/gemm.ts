/**
 * The packed, cache-blocked GEMM behind the dense kernels on wide layers (GotoBLAS/BLIS loop order):
 *
 *   out[s, v] = Σ_m S(m, s)·V(m, v)   s < ns, v0 ≤ v < v1, m = 0..nm-1
 *
 * S and V are read through byte strides, so one routine serves both backward products of a dense layer:
 *   weights  dw[j, k] = Σ_r dz[r,j]·x[r,k]         s = j, v = k, m = r
 *   inputs   dx[r, k] = Σ_j dz[r,j]·w[j,k]         s = r, v = k, m = j
 * and, on narrow layers (dense.ts narrowLayer), the forward sums before the bias:
 *   forward  z[r, j] = Σ_k x[r,k]·w[j,k]          s = r, v = j, m = k
 *
 * Loops, outermost first: m in blocks of GEMM_KC; v in panels of GEMM_NC, each packed once into scratch as
 * [tile of TW v][m][TW] (TW = 4 float64 or 8 float32; KC × NC float64: stays in L2 while every s tile sweeps it); s in tiles of 4, packed as
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
 * Generic over the element type T (f64 or f32): a tile row is two v128 on the v side, 4 float64 or 8 float32 (32
 * bytes either way, so every packed pitch below is the same number of bytes), and 4 broadcast s values. The S
 * micro-panel is packed with the same routine (so for float32 each m holds 4 s values and 4 zero lanes).
 */
import { lanesOf, SCRATCH_BYTES, vmadd } from './common';

/** m values per block: the S micro-panel (4 × KC float64 = 8 KiB) stays in L1 (docs/benchmarks.md). */
export const GEMM_KC: i32 = 256;
/**
 * v columns per packed panel for float64: KC × NC float64 (192 KiB) stays in L2 next to the s tiles and the out
 * tiles. Float32 panels take twice the columns (the same bytes).
 */
export const GEMM_NC: i32 = 96;
/** Scratch bytes gemmPacked uses: the S micro-panel then the V panel (fits SCRATCH_BYTES, 256 KiB). */
export const GEMM_SCRATCH_BYTES: usize = <usize>(GEMM_KC * 4 + GEMM_KC * GEMM_NC) << 3;

/** Values of m per pass of pack over the whole tiles: 8 source rows stay in L1 across the tiles. */
const PACK_MB: i32 = 8;

/** Tile width on the v side: two v128 of T (4 float64, 8 float32). */
// @ts-ignore: decorator
@inline
function tileW<T>(): i32 {
  return lanesOf<T>() << 1;
}

/**
 * Packs `n` (≤ TW·tiles) columns i of A(m, i) = src[m·sm + i·si] for m < mc into dst as [tile][m][TW], zero padded.
 */
function pack<T>(dst: usize, src: usize, sm: usize, si: usize, mc: i32, n: i32): void {
  const TW = tileW<T>();
  const tileB = <usize>mc << 5;
  let t = 0;
  if (si == sizeof<T>() && n >= TW) {
    // whole tiles of adjacent values, PACK_MB values of m at a time across all tiles: the source is read along
    // PACK_MB rows (a walk down all mc rows, 4 KiB apart in a 1024-wide matrix, maps every row onto one L1 set and
    // misses on each load), and each tile's destination gets PACK_MB · 32 contiguous bytes (walking m outermost
    // instead writes every tile in turn, tileB apart: at mc = 256 that is 8 KiB, one L1 set again)
    const nFull = n - n % TW;
    for (let m0 = 0; m0 < mc; m0 += PACK_MB) {
      const mEnd = min(mc, m0 + PACK_MB);
      let pt = src + <usize>m0 * sm, qt = dst + (<usize>m0 << 5);
      for (let i = 0; i < nFull; i += TW) {
        let pp = pt, qq = qt;
        for (let m = m0; m < mEnd; m++) {
          v128.store(qq, v128.load(pp)); v128.store(qq, v128.load(pp, 16), 16);
          pp += sm; qq += 32;
        }
        pt += 32; qt += tileB;
      }
    }
    t = nFull;
    dst += <usize>(nFull / TW) * tileB;
  }
  for (; t < n; t += TW) {
    const nt = min(TW, n - t);
    const s0 = src + <usize>t * si;
    // column by column (the strided values, or a last partial tile): reads run along m (contiguous when
    // sm = sizeof<T>())
    for (let i = 0; i < TW; i++) {
      let q = dst + (<usize>i << alignof<T>());
      if (i < nt) {
        let p = s0 + <usize>i * si;
        for (let m = 0; m < mc; m++) { store<T>(q, load<T>(p)); p += sm; q += 32; }
      } else {
        for (let m = 0; m < mc; m++) { store<T>(q, <T>0); q += 32; }
      }
    }
    dst += tileB;
  }
}

/**
 * Packs the S micro-panel: `n` (≤ 4) columns of S(m, i) = src[m·sm + i·si], m < mc, into dst as [m][32 bytes]. The
 * micro-kernels read lanes 0..3 of each m only (the 4 broadcast rows). Float32 rows of 4 adjacent values (dw: 4
 * neurons of a dz row) are copied as one v128 per m and lanes 4..7 are left unwritten: pack's column walk would
 * read the 4 KiB-strided source once per column and write the 4 zero lanes too. Everything else takes pack.
 */
function packS<T>(dst: usize, src: usize, sm: usize, si: usize, mc: i32, n: i32): void {
  if (sizeof<T>() == 4 && si == 4 && n == 4) {
    const qEnd = dst + (<usize>mc << 5);
    for (let q = dst, p = src; q < qEnd; q += 32) {
      v128.store(q, v128.load(p));
      p += sm;
    }
    return;
  }
  pack<T>(dst, src, sm, si, mc, n);
}

/** Lane `i` (0..TW-1) of a tile row held as (lo, hi). */
// @ts-ignore: decorator
@inline
function laneOf<T>(lo: v128, hi: v128, i: i32): T {
  if (sizeof<T>() == 8) {
    return i == 0 ? v128.extract_lane<T>(lo, 0) : i == 1 ? v128.extract_lane<T>(lo, 1) : i == 2 ? v128.extract_lane<T>(hi, 0) : v128.extract_lane<T>(hi, 1);
  }
  const v = i < 4 ? lo : hi;
  const l = i & 3;
  return l == 0 ? v128.extract_lane<T>(v, 0) : l == 1 ? v128.extract_lane<T>(v, 1) : l == 2 ? v128.extract_lane<T>(v, 2) : v128.extract_lane<T>(v, 3);
}

/** The v128 of out[o + sizeof(T)·(i ..)] for the lanes below nv (missing lanes 0). */
// @ts-ignore: decorator
@inline
function loadPart<T>(o: usize, i: i32, nv: i32): v128 {
  if (sizeof<T>() == 8) {
    const a = i < nv ? load<f64>(o + (<usize>i << 3)) : 0.0;
    const b = i + 1 < nv ? load<f64>(o + (<usize>i << 3), 8) : 0.0;
    return f64x2(a, b);
  }
  const p = o + (<usize>i << 2);
  const a = i < nv ? load<f32>(p) : <f32>0;
  const b = i + 1 < nv ? load<f32>(p, 4) : <f32>0;
  const c = i + 2 < nv ? load<f32>(p, 8) : <f32>0;
  const d = i + 3 < nv ? load<f32>(p, 12) : <f32>0;
  return f32x4(a, b, c, d);
}

/** The accumulators' start for a later m block: the partial sums stored in out (rows < ns, lanes < nv). */
// @ts-ignore: decorator
@inline
function loadRow<T>(o: usize, nv: i32, hi: bool): v128 {
  return loadPart<T>(o, hi ? lanesOf<T>() : 0, nv);
}

/**
 * The 4 × TW micro-kernel over mc values of m: rows s of the tile are the packed S micro-panel's lanes (broadcast),
 * columns v are the packed V micro-panel's lanes (two vectors). `first`: the sums start from 0, else from out.
 * Stores rows < ns and columns < nv only.
 */
function micro<T>(o: usize, ldo: usize, sP: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  const E = sizeof<T>();
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a1l = v128.splat<T>(0), a1h = v128.splat<T>(0);
  let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a3l = v128.splat<T>(0), a3h = v128.splat<T>(0);
  if (!first) {
    if (nv == tileW<T>() && ns == 4) {
      a0l = v128.load(o); a0h = v128.load(o, 16); a1l = v128.load(o1); a1h = v128.load(o1, 16);
      a2l = v128.load(o2); a2h = v128.load(o2, 16); a3l = v128.load(o3); a3h = v128.load(o3, 16);
    } else {
      a0l = loadRow<T>(o, nv, false); a0h = loadRow<T>(o, nv, true);
      if (ns > 1) { a1l = loadRow<T>(o1, nv, false); a1h = loadRow<T>(o1, nv, true); }
      if (ns > 2) { a2l = loadRow<T>(o2, nv, false); a2h = loadRow<T>(o2, nv, true); }
      if (ns > 3) { a3l = loadRow<T>(o3, nv, false); a3h = loadRow<T>(o3, nv, true); }
    }
  }
  const vEnd = vP + (<usize>mc << 5);
  let sp = sP;
  for (let vp = vP; vp < vEnd; vp += 32) {
    const vl = v128.load(vp), vh = v128.load(vp, 16);
    let c = v128.load_splat<T>(sp);
    a0l = vmadd<T>(c, vl, a0l); a0h = vmadd<T>(c, vh, a0h);
    c = v128.load_splat<T>(sp, E);
    a1l = vmadd<T>(c, vl, a1l); a1h = vmadd<T>(c, vh, a1h);
    c = v128.load_splat<T>(sp, 2 * E);
    a2l = vmadd<T>(c, vl, a2l); a2h = vmadd<T>(c, vh, a2h);
    c = v128.load_splat<T>(sp, 3 * E);
    a3l = vmadd<T>(c, vl, a3l); a3h = vmadd<T>(c, vh, a3h);
    sp += 32;
  }
  storeTile<T>(o, ldo, ns, nv, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h);
}

/** Row i of a tile whose rows lie `step` bytes apart from sp; rows i ≥ ns repeat the last real row (computed, not stored). */
// @ts-ignore: decorator
@inline
function rowAt(sp: usize, step: usize, ns: i32, i: i32): usize {
  return sp + step * <usize>min(i, ns - 1);
}

/**
 * micro with S read in place: S(m, s) at sp + sizeof(T)·m + s·sss (each s a row contiguous along m, as x in the
 * forward pass or dz in dx), broadcast from four row pointers, so S needs no packing. Rows s ≥ ns repeat the last
 * real row (computed, not stored).
 */
function microDirect<T>(o: usize, ldo: usize, sp: usize, sss: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a1l = v128.splat<T>(0), a1h = v128.splat<T>(0);
  let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a3l = v128.splat<T>(0), a3h = v128.splat<T>(0);
  if (!first) {
    if (nv == tileW<T>() && ns == 4) {
      a0l = v128.load(o); a0h = v128.load(o, 16); a1l = v128.load(o1); a1h = v128.load(o1, 16);
      a2l = v128.load(o2); a2h = v128.load(o2, 16); a3l = v128.load(o3); a3h = v128.load(o3, 16);
    } else {
      a0l = loadRow<T>(o, nv, false); a0h = loadRow<T>(o, nv, true);
      if (ns > 1) { a1l = loadRow<T>(o1, nv, false); a1h = loadRow<T>(o1, nv, true); }
      if (ns > 2) { a2l = loadRow<T>(o2, nv, false); a2h = loadRow<T>(o2, nv, true); }
      if (ns > 3) { a3l = loadRow<T>(o3, nv, false); a3h = loadRow<T>(o3, nv, true); }
    }
  }
  let s0 = sp, s1 = rowAt(sp, sss, ns, 1), s2 = rowAt(sp, sss, ns, 2), s3 = rowAt(sp, sss, ns, 3);
  const vEnd = vP + (<usize>mc << 5);
  for (let vp = vP; vp < vEnd; vp += 32) {
    const vl = v128.load(vp), vh = v128.load(vp, 16);
    let c = v128.load_splat<T>(s0);
    a0l = vmadd<T>(c, vl, a0l); a0h = vmadd<T>(c, vh, a0h);
    c = v128.load_splat<T>(s1);
    a1l = vmadd<T>(c, vl, a1l); a1h = vmadd<T>(c, vh, a1h);
    c = v128.load_splat<T>(s2);
    a2l = vmadd<T>(c, vl, a2l); a2h = vmadd<T>(c, vh, a2h);
    c = v128.load_splat<T>(s3);
    a3l = vmadd<T>(c, vl, a3l); a3h = vmadd<T>(c, vh, a3h);
    s0 += sizeof<T>(); s1 += sizeof<T>(); s2 += sizeof<T>(); s3 += sizeof<T>();
  }
  storeTile<T>(o, ldo, ns, nv, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h);
}

/**
 * The 4 × TW/2 micro-kernel for a last v tile of at most one v128 (nv ≤ lanes of T: the 2 float64 columns left of a
 * 10-neuron layer): the low v128 of each packed V row only, four accumulators instead of eight, so the padding
 * lanes cost no multiply-adds (measured: docs/benchmarks.md "The 10-neuron layer"). S(m, i) at sp + m·smB + i·siB:
 * the packed micro-panel (smB = 32, siB = sizeof(T)) or rows read in place (smB = sizeof(T), siB = sss); rows
 * s ≥ ns repeat the last real row (computed, not stored). The same madd chain per output as micro and microDirect.
 */
function microHalf<T>(o: usize, ldo: usize, sp: usize, smB: usize, siB: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  let a0 = v128.splat<T>(0), a1 = v128.splat<T>(0), a2 = v128.splat<T>(0), a3 = v128.splat<T>(0);
  if (!first) {
    a0 = loadPart<T>(o, 0, nv);
    if (ns > 1) a1 = loadPart<T>(o1, 0, nv);
    if (ns > 2) a2 = loadPart<T>(o2, 0, nv);
    if (ns > 3) a3 = loadPart<T>(o3, 0, nv);
  }
  let s0 = sp, s1 = rowAt(sp, siB, ns, 1), s2 = rowAt(sp, siB, ns, 2), s3 = rowAt(sp, siB, ns, 3);
  const vEnd = vP + (<usize>mc << 5);
  for (let vp = vP; vp < vEnd; vp += 32) {
    const v = v128.load(vp);
    a0 = vmadd<T>(v128.load_splat<T>(s0), v, a0);
    a1 = vmadd<T>(v128.load_splat<T>(s1), v, a1);
    a2 = vmadd<T>(v128.load_splat<T>(s2), v, a2);
    a3 = vmadd<T>(v128.load_splat<T>(s3), v, a3);
    s0 += smB; s1 += smB; s2 += smB; s3 += smB;
  }
  const z = v128.splat<T>(0);
  for (let i = 0; i < nv; i++) {
    store<T>(o + (<usize>i << alignof<T>()), laneOf<T>(a0, z, i));
    if (ns > 1) store<T>(o1 + (<usize>i << alignof<T>()), laneOf<T>(a1, z, i));
    if (ns > 2) store<T>(o2 + (<usize>i << alignof<T>()), laneOf<T>(a2, z, i));
    if (ns > 3) store<T>(o3 + (<usize>i << alignof<T>()), laneOf<T>(a3, z, i));
  }
}

/**
 * The 3 × (TW + lanes) micro-kernel for a v panel of one whole tile and one narrow tile (TW < nv ≤ TW + lanes: the 10
 * neurons of a float32 classifier layer's forward pass), S rows read in place (rows at sp + i·sss; rows ≥ ns repeat
 * the last real one, computed, not stored): per m three V vectors (the whole tile's two, the narrow tile's low one)
 * against 3 broadcast rows, 9 accumulators. microDirect then microHalf over 4 rows leave the narrow tile 4 chains
 * (latency-bound); here all 9 chains share each step, and 9 accumulators with their operands fit V8's 16 xmm
 * registers (4 rows would take 12 and spill). The same madd chain per output as microDirect and microHalf.
 */
function microNarrow3<T>(o: usize, ldo: usize, sp: usize, sss: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  microNarrowRows<T>(3, o, ldo, sp, sss, vP, mc, ns, nv, first);
}

/**
 * microNarrow3 over 2 rows, for the builds without relaxed-simd: their multiply then add keeps the product in one more
 * register per step, so 9 accumulators spill there (measured 0.34 of the probe where microDirect + microHalf made
 * 0.55); 6 chains of a separate add (shorter latency than a fused multiply-add) still keep the adds busy.
 */
function microNarrow2<T>(o: usize, ldo: usize, sp: usize, sss: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  microNarrowRows<T>(2, o, ldo, sp, sss, vP, mc, ns, nv, first);
}

/** The body of microNarrow3 and microNarrow2: `rows` (3 or 2) is a constant in each, so each keeps only its rows. */
// @ts-ignore: decorator
@inline
function microNarrowRows<T>(
  rows: i32, o: usize, ldo: usize, sp: usize, sss: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool,
): void {
  const TW = tileW<T>();
  const nx = nv - TW;
  const o1 = o + ldo, o2 = o1 + ldo;
  const ox = o + (<usize>TW << alignof<T>()), o1x = ox + ldo, o2x = o1x + ldo;
  let a0l = v128.splat<T>(0), a0h = v128.splat<T>(0), a0x = v128.splat<T>(0);
  let a1l = v128.splat<T>(0), a1h = v128.splat<T>(0), a1x = v128.splat<T>(0);
  let a2l = v128.splat<T>(0), a2h = v128.splat<T>(0), a2x = v128.splat<T>(0);
  if (!first) {
    a0l = v128.load(o); a0h = v128.load(o, 16); a0x = loadPart<T>(ox, 0, nx);
    if (ns > 1) { a1l = v128.load(o1); a1h = v128.load(o1, 16); a1x = loadPart<T>(o1x, 0, nx); }
    if (rows > 2 && ns > 2) { a2l = v128.load(o2); a2h = v128.load(o2, 16); a2x = loadPart<T>(o2x, 0, nx); }
  }
  let s0 = sp, s1 = rowAt(sp, sss, ns, 1), s2 = rows > 2 ? rowAt(sp, sss, ns, 2) : 0;
  const vStep = <usize>mc << 5;
  const vEnd = vP + vStep;
  for (let vp = vP; vp < vEnd; vp += 32) {
    const vl = v128.load(vp), vh = v128.load(vp, 16), vx = v128.load(vp + vStep);
    let c = v128.load_splat<T>(s0);
    a0l = vmadd<T>(c, vl, a0l); a0h = vmadd<T>(c, vh, a0h); a0x = vmadd<T>(c, vx, a0x);
    c = v128.load_splat<T>(s1);
    a1l = vmadd<T>(c, vl, a1l); a1h = vmadd<T>(c, vh, a1h); a1x = vmadd<T>(c, vx, a1x);
    if (rows > 2) {
      c = v128.load_splat<T>(s2);
      a2l = vmadd<T>(c, vl, a2l); a2h = vmadd<T>(c, vh, a2h); a2x = vmadd<T>(c, vx, a2x);
      s2 += sizeof<T>();
    }
    s0 += sizeof<T>(); s1 += sizeof<T>();
  }
  v128.store(o, a0l); v128.store(o, a0h, 16);
  if (ns > 1) { v128.store(o1, a1l); v128.store(o1, a1h, 16); }
  if (rows > 2 && ns > 2) { v128.store(o2, a2l); v128.store(o2, a2h, 16); }
  const z = v128.splat<T>(0);
  for (let i = 0; i < nx; i++) {
    const io = <usize>i << alignof<T>();
    store<T>(ox + io, laneOf<T>(a0x, z, i));
    if (ns > 1) store<T>(o1x + io, laneOf<T>(a1x, z, i));
    if (rows > 2 && ns > 2) store<T>(o2x + io, laneOf<T>(a2x, z, i));
  }
}

/**
 * The 2 × 2·TW micro-kernel for a last S tile of at most 2 rows (the last 2 neurons of a 10-neuron layer's dw): two
 * adjacent packed V micro-panels (vP and vP + mc·32) against the 2 rows of the packed S micro-panel, eight
 * accumulators as in micro, so the 2 padding rows of a 4-row tile cost no multiply-adds (measured: docs/benchmarks.md
 * "The 10-neuron layer"). Stores rows < ns (1 or 2), columns < nv (TW < nv ≤ 2·TW). The same madd chain per output.
 */
function micro2Rows<T>(o: usize, ldo: usize, sP: usize, vP: usize, mc: i32, ns: i32, nv: i32, first: bool): void {
  const L = lanesOf<T>();
  const TW = tileW<T>();
  const E = sizeof<T>();
  const o1 = o + ldo, oh = o + (<usize>TW << alignof<T>()), o1h = oh + ldo;
  const nh = nv - TW;
  let a0 = v128.splat<T>(0), a1 = v128.splat<T>(0), a2 = v128.splat<T>(0), a3 = v128.splat<T>(0);
  let b0 = v128.splat<T>(0), b1 = v128.splat<T>(0), b2 = v128.splat<T>(0), b3 = v128.splat<T>(0);
  if (!first) {
    a0 = v128.load(o); a1 = v128.load(o, 16); a2 = loadPart<T>(oh, 0, nh); a3 = loadPart<T>(oh, L, nh);
    if (ns > 1) { b0 = v128.load(o1); b1 = v128.load(o1, 16); b2 = loadPart<T>(o1h, 0, nh); b3 = loadPart<T>(o1h, L, nh); }
  }
  const vEnd = vP + (<usize>mc << 5), vStep = <usize>mc << 5;
  let sp = sP;
  for (let vp = vP; vp < vEnd; vp += 32) {
    const c = v128.load_splat<T>(sp), d = v128.load_splat<T>(sp, E);
    let v = v128.load(vp);
    a0 = vmadd<T>(c, v, a0); b0 = vmadd<T>(d, v, b0);
    v = v128.load(vp, 16);
    a1 = vmadd<T>(c, v, a1); b1 = vmadd<T>(d, v, b1);
    v = v128.load(vp + vStep);
    a2 = vmadd<T>(c, v, a2); b2 = vmadd<T>(d, v, b2);
    v = v128.load(vp + vStep, 16);
    a3 = vmadd<T>(c, v, a3); b3 = vmadd<T>(d, v, b3);
    sp += 32;
  }
  v128.store(o, a0); v128.store(o, a1, 16);
  if (ns > 1) { v128.store(o1, b0); v128.store(o1, b1, 16); }
  for (let i = 0; i < nh; i++) {
    store<T>(oh + (<usize>i << alignof<T>()), laneOf<T>(a2, a3, i));
    if (ns > 1) store<T>(o1h + (<usize>i << alignof<T>()), laneOf<T>(b2, b3, i));
  }
}

/** Stores rows < ns, lanes < nv of the tile. */
// @ts-ignore: decorator
@inline
function storeTile<T>(
  o: usize, ldo: usize, ns: i32, nv: i32,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128,
): void {
  const o1 = o + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  if (nv == tileW<T>() && ns == 4) {
    v128.store(o, a0l); v128.store(o, a0h, 16); v128.store(o1, a1l); v128.store(o1, a1h, 16);
    v128.store(o2, a2l); v128.store(o2, a2h, 16); v128.store(o3, a3l); v128.store(o3, a3h, 16);
    return;
  }
  for (let i = 0; i < nv; i++) {
    store<T>(o + (<usize>i << alignof<T>()), laneOf<T>(a0l, a0h, i));
    if (ns > 1) store<T>(o1 + (<usize>i << alignof<T>()), laneOf<T>(a1l, a1h, i));
    if (ns > 2) store<T>(o2 + (<usize>i << alignof<T>()), laneOf<T>(a2l, a2h, i));
    if (ns > 3) store<T>(o3 + (<usize>i << alignof<T>()), laneOf<T>(a3l, a3h, i));
  }
}

/**
 * out[s, v] = Σ_m S(m, s)·V(m, v) for s < ns, v0 ≤ v < v1 (see the file comment). Byte strides:
 * S(m, s) at sp + m·ssm + s·sss, V(m, v) at vp + m·vsm + v·vsv, out[s, v] at o + s·ldo + sizeof(T)·v. nm ≥ 1.
 * `scratch`: GEMM_SCRATCH_BYTES of the caller's thread.
 */
export function gemmPacked<T>(
  o: usize, ldo: usize, sp: usize, ssm: usize, sss: usize, ns: i32,
  vp: usize, vsm: usize, vsv: usize, v0: i32, v1: i32, nm: i32, scratch: usize,
): void {
  const sPanel = scratch;
  assert(GEMM_SCRATCH_BYTES <= SCRATCH_BYTES); // debug build only
  const vPanel = scratch + (<usize>GEMM_KC << 5);
  const TW = tileW<T>();
  const NC = GEMM_NC * 8 / <i32>sizeof<T>();
  // nm splits into equal blocks of at most GEMM_KC (784 = 3 × ~261 rather than 3 × 256 + 16: a short last block
  // would pay a whole pass of packing and partial sums for little work)
  const blocks = (nm + GEMM_KC - 1) / GEMM_KC;
  for (let bi = 0; bi < blocks; bi++) {
    const m0 = <i32>((<i64>nm * bi) / blocks), m1 = <i32>((<i64>nm * (bi + 1)) / blocks);
    const mc = m1 - m0;
    const first = bi == 0;
    const sBase = sp + <usize>m0 * ssm, vBase = vp + <usize>m0 * vsm;
    for (let vb = v0; vb < v1; vb += NC) {
      const nv = min(NC, v1 - vb);
      pack<T>(vPanel, vBase + <usize>vb * vsv, vsm, vsv, mc, nv);
      const ob = o + (<usize>vb << alignof<T>());
      if (ssm == sizeof<T>() && nv > TW && nv - TW <= lanesOf<T>()) {
        // one whole v tile and one narrow one, S read in place: tiles of 3 rows (2 without relaxed-simd) across both
        if (ASC_FEATURE_RELAXED_SIMD) {
          for (let s = 0; s < ns; s += 3) {
            microNarrow3<T>(ob + <usize>s * ldo, ldo, sBase + <usize>s * sss, sss, vPanel, mc, min(3, ns - s), nv, first);
          }
        } else {
          for (let s = 0; s < ns; s += 2) {
            microNarrow2<T>(ob + <usize>s * ldo, ldo, sBase + <usize>s * sss, sss, vPanel, mc, min(2, ns - s), nv, first);
          }
        }
        continue;
      }
      for (let s = 0; s < ns; s += 4) {
        const nsr = min(4, ns - s);
        const os = ob + <usize>s * ldo;
        let vt = vPanel;
        if (ssm == sizeof<T>()) {
          // S rows are contiguous along m: read in place
          const s0 = sBase + <usize>s * sss;
          for (let v = 0; v < nv; v += TW) {
            const nvt = min(TW, nv - v);
            if (nvt <= lanesOf<T>()) microHalf<T>(os + (<usize>v << alignof<T>()), ldo, s0, sizeof<T>(), sss, vt, mc, nsr, nvt, first);
            else microDirect<T>(os + (<usize>v << alignof<T>()), ldo, s0, sss, vt, mc, nsr, nvt, first);
            vt += <usize>mc << 5;
          }
        } else {
          packS<T>(sPanel, sBase + <usize>s * sss, ssm, sss, mc, nsr);
          for (let v = 0; v < nv; v += TW) {
            const nvt = min(TW, nv - v);
            if (nsr <= 2 && nv - v > TW) {
              // two v tiles at once for a tile of at most 2 rows
              micro2Rows<T>(os + (<usize>v << alignof<T>()), ldo, sPanel, vt, mc, nsr, min(2 * TW, nv - v), first);
              v += TW;
              vt += <usize>mc << 6;
              continue;
            }
            if (nvt <= lanesOf<T>()) microHalf<T>(os + (<usize>v << alignof<T>()), ldo, sPanel, 32, sizeof<T>(), vt, mc, nsr, nvt, first);
            else micro<T>(os + (<usize>v << alignof<T>()), ldo, sPanel, vt, mc, nsr, nvt, first);
            vt += <usize>mc << 5;
          }
        }
      }
    }
  }
}
