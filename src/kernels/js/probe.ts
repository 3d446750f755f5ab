/**
 * peakProbe (src/abi.ts): the bench's instrument for the f64 ceiling, not a training kernel. PROBE_CHAINS (24)
 * independent chains s_i = i, each updated `iterations` times by s_i = s_i·m + c, kept in registers; returns
 * 0 + s_0 + … + s_23 left to right. The js backend runs the chains in two passes of 12 (as the scalar WASM builds
 * do: 24 live doubles would not fit x64's 16 registers), so each pass is bound by the multiply-add rate, not by
 * one chain's latency. assembly/probe.ts and rust/src/probe.rs compute the same values.
 */
import { PROBE_CHAINS, PROBE_CHAINS_F32 } from '../../abi.js';

/** Chains base..base+11, `iterations` updates each, added to t in order. */
function pass(t: number, base: number, iterations: number, m: number, c: number): number {
  let s0 = base,
    s1 = base + 1,
    s2 = base + 2,
    s3 = base + 3,
    s4 = base + 4,
    s5 = base + 5;
  let s6 = base + 6,
    s7 = base + 7,
    s8 = base + 8,
    s9 = base + 9,
    s10 = base + 10,
    s11 = base + 11;
  for (let i = 0; i < iterations; i++) {
    s0 = s0 * m + c;
    s1 = s1 * m + c;
    s2 = s2 * m + c;
    s3 = s3 * m + c;
    s4 = s4 * m + c;
    s5 = s5 * m + c;
    s6 = s6 * m + c;
    s7 = s7 * m + c;
    s8 = s8 * m + c;
    s9 = s9 * m + c;
    s10 = s10 * m + c;
    s11 = s11 * m + c;
  }
  t += s0;
  t += s1;
  t += s2;
  t += s3;
  t += s4;
  t += s5;
  t += s6;
  t += s7;
  t += s8;
  t += s9;
  t += s10;
  t += s11;
  return t;
}

export function peakProbeImpl(iterations: number, m: number, c: number): number {
  let t = 0;
  for (let base = 0; base < PROBE_CHAINS; base += 12) t = pass(t, base, iterations, m, c);
  return t;
}

/** Chains base..base+11 of peakProbeF32: each operation rounded to f32 (Math.fround), as the f32 WASM lanes do. */
function passF32(t: number, base: number, iterations: number, m: number, c: number): number {
  const f = Math.fround;
  let s0 = base,
    s1 = base + 1,
    s2 = base + 2,
    s3 = base + 3,
    s4 = base + 4,
    s5 = base + 5;
  let s6 = base + 6,
    s7 = base + 7,
    s8 = base + 8,
    s9 = base + 9,
    s10 = base + 10,
    s11 = base + 11;
  for (let i = 0; i < iterations; i++) {
    s0 = f(f(s0 * m) + c);
    s1 = f(f(s1 * m) + c);
    s2 = f(f(s2 * m) + c);
    s3 = f(f(s3 * m) + c);
    s4 = f(f(s4 * m) + c);
    s5 = f(f(s5 * m) + c);
    s6 = f(f(s6 * m) + c);
    s7 = f(f(s7 * m) + c);
    s8 = f(f(s8 * m) + c);
    s9 = f(f(s9 * m) + c);
    s10 = f(f(s10 * m) + c);
    s11 = f(f(s11 * m) + c);
  }
  t += s0;
  t += s1;
  t += s2;
  t += s3;
  t += s4;
  t += s5;
  t += s6;
  t += s7;
  t += s8;
  t += s9;
  t += s10;
  t += s11;
  return t;
}

/** peakProbeF32 (src/abi.ts): peakProbe's protocol in f32 over PROBE_CHAINS_F32 (48) chains, four passes of 12 (m, c narrowed once; the final sum in f64). */
export function peakProbeF32Impl(iterations: number, m: number, c: number): number {
  const m32 = Math.fround(m),
    c32 = Math.fround(c);
  let t = 0;
  for (let base = 0; base < PROBE_CHAINS_F32; base += 12) t = passF32(t, base, iterations, m32, c32);
  return t;
}
