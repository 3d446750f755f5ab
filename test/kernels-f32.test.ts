/**
 * denseForwardF32 / denseBackwardF32 (src/abi.ts), the float32 instances of the dense kernels that float32 plans run
 * and the bench's float32 GEMM rows time, on every build, against two references:
 *   - the float32 oracle: each product and each sum rounded to float32 in the float64 kernels' order (increasing k,
 *     r or j from 0, the bias last). The js build follows that order and must equal it bit for bit, as must the
 *     scalar builds and AssemblyScript's SIMD build (its micro-kernels vectorise across dot products, never along
 *     one). The relaxed build fuses multiply and add and Rust's SIMD build sums lane-wise partial sums, so they
 *     differ in the last bits (measured: both fail the bitwise check);
 *   - the exact sum (float64 over the float32 inputs, exact here), with the recursive-summation error bound every
 *     order and every fusing satisfies: |got − exact| ≤ γ(n+1)·Σ|terms|, γ(m) = m·u/(1 − m·u), u = 2⁻²⁴. A wrong
 *     index, a lost tile or float64 arithmetic stored as float32 breaks it or the bitwise checks.
 * Shapes reach every path: the scalar loops (sizes 1..9), the SIMD tiles with leftovers, the packed GEMM
 * (≥ 2^17 weights, batch ≥ 8), the 10-neuron tail tiles (1024→10) and batch 1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { hostOf, type KernelHost } from '../src/internal/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { mulberry32 } from './helpers/rng.js';

const fr = Math.fround;
const U = 2 ** -24;
const gamma = (m: number): number => (m * U) / (1 - m * U);

interface Shape {
  batch: number;
  nIn: number;
  nOut: number;
  seed: number;
}

interface Data {
  x: Float32Array;
  w: Float32Array;
  b: Float32Array;
  dz: Float32Array;
}

interface Outputs {
  z: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

/** A reference value and the bound on any build's distance from it. */
interface Exact {
  value: Float64Array;
  bound: Float64Array;
}

function data({ batch, nIn, nOut, seed }: Shape): Data {
  const rand = mulberry32(seed);
  const u = (n: number, scale: number): Float32Array =>
    Float32Array.from({ length: n }, () => (2 * rand() - 1) * scale);
  return { x: u(batch * nIn, 1), w: u(nOut * nIn, 1 / Math.sqrt(nIn)), b: u(nOut, 0.1), dz: u(batch * nOut, 1) };
}

/**
 * out[o] = Σ_i a(o, i)·c(o, i) (+ bias(o)) for i = 0..n-1, as the float32 oracle (rounded at every step, in order) and
 * as the exact sum with its error bound.
 */
function dots(
  count: number,
  n: number,
  a: (o: number, i: number) => number,
  c: (o: number, i: number) => number,
  bias?: (o: number) => number,
): { oracle: Float32Array; exact: Exact } {
  const oracle = new Float32Array(count);
  const value = new Float64Array(count),
    bound = new Float64Array(count);
  const g = gamma(n + 1);
  for (let o = 0; o < count; o++) {
    let s = 0,
      e = 0,
      abs = 0;
    for (let i = 0; i < n; i++) {
      const p = a(o, i) * c(o, i);
      s = fr(s + fr(p));
      e += p;
      abs += Math.abs(p);
    }
    if (bias) {
      s = fr(s + bias(o));
      e += bias(o);
      abs += Math.abs(bias(o));
    }
    oracle[o] = s;
    value[o] = e;
    bound[o] = g * abs;
  }
  return { oracle, exact: { value, bound } };
}

interface Reference {
  oracle: Outputs;
  exact: Record<keyof Outputs, Exact>;
}

function reference(s: Shape, d: Data): Reference {
  const { batch, nIn, nOut } = s;
  const z = dots(
    batch * nOut,
    nIn,
    (o, k) => d.x[Math.floor(o / nOut) * nIn + k]!,
    (o, k) => d.w[(o % nOut) * nIn + k]!,
    (o) => d.b[o % nOut]!,
  );
  const dw = dots(
    nOut * nIn,
    batch,
    (o, r) => d.dz[r * nOut + Math.floor(o / nIn)]!,
    (o, r) => d.x[r * nIn + (o % nIn)]!,
  );
  const db = dots(
    nOut,
    batch,
    (j, r) => d.dz[r * nOut + j]!,
    () => 1,
  );
  const dx = dots(
    batch * nIn,
    nOut,
    (o, j) => d.dz[Math.floor(o / nIn) * nOut + j]!,
    (o, j) => d.w[j * nIn + (o % nIn)]!,
  );
  return {
    oracle: { z: z.oracle, dx: dx.oracle, dw: dw.oracle, db: db.oracle },
    exact: { z: z.exact, dx: dx.exact, dw: dw.exact, db: db.exact },
  };
}

/** Runs both kernels on float32 blocks of the backend's memory; also checks dx = 0 skips dx and inputs stay. */
function run(host: KernelHost, s: Shape, d: Data): Outputs {
  const { batch, nIn, nOut } = s;
  const blocks: number[] = [];
  const block = (n: number, v?: Float32Array): number => {
    const p = host.allocBytes(n * 4);
    blocks.push(p);
    if (v) host.f32().set(v, p >> 2);
    return p;
  };
  const read = (p: number, n: number): Float32Array => host.f32().slice(p >> 2, (p >> 2) + n);
  try {
    const x = block(batch * nIn, d.x),
      w = block(nOut * nIn, d.w),
      b = block(nOut, d.b),
      dz = block(batch * nOut, d.dz);
    const z = block(batch * nOut),
      dx = block(batch * nIn),
      dw = block(nOut * nIn),
      db = block(nOut);
    host.raw.denseForwardF32(z, x, w, b, batch, nIn, nOut);
    host.raw.denseBackwardF32(dx, dw, db, dz, x, w, batch, nIn, nOut);
    const out = { z: read(z, batch * nOut), dx: read(dx, batch * nIn), dw: read(dw, nOut * nIn), db: read(db, nOut) };
    // dx = 0: the first layer's call; dw and db the same, no dx written
    const sentinel = new Float32Array(batch * nIn).fill(7.5);
    host.f32().set(sentinel, dx >> 2);
    host.raw.denseBackwardF32(0, dw, db, dz, x, w, batch, nIn, nOut);
    expect(read(dx, batch * nIn), 'dx untouched when dx = 0').toEqual(sentinel);
    expect(read(dw, nOut * nIn), 'dw without dx').toEqual(out.dw);
    expect(read(db, nOut), 'db without dx').toEqual(out.db);
    for (const [p, v, what] of [
      [x, d.x, 'x'],
      [w, d.w, 'w'],
      [b, d.b, 'b'],
      [dz, d.dz, 'dz'],
    ] as const)
      expect(read(p, v.length), `${what} unchanged`).toEqual(v);
    return out;
  } finally {
    for (const p of blocks) host.freeBytes(p);
  }
}

/** The index of the first element outside the bound, with what it was; null when all are inside. */
function outside(got: Float32Array, ex: Exact): string | null {
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - ex.value[i]!);
    if (!(err <= ex.bound[i]!)) return `[${i}] = ${got[i]}, exact ${ex.value[i]}, |err| ${err} > bound ${ex.bound[i]}`;
  }
  return null;
}

/** The index of the first element whose bits differ; null when all are equal. */
function firstDiff(got: Float32Array, want: Float32Array): string | null {
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i])) return `[${i}] = ${got[i]}, the float32 oracle gives ${want[i]}`;
  return got.length === want.length ? null : `length ${got.length}, expected ${want.length}`;
}

const KEYS = ['z', 'dx', 'dw', 'db'] as const;
const cache = new Map<string, { d: Data; ref: Reference }>();
function caseOf(s: Shape): { d: Data; ref: Reference } {
  const key = `${s.batch}/${s.nIn}/${s.nOut}/${s.seed}`;
  let c = cache.get(key);
  if (!c) {
    const d = data(s);
    cache.set(key, (c = { d, ref: reference(s, d) }));
  }
  return c;
}

/** Shapes past the scalar loops: SIMD tiles with leftovers, the packed GEMM, the 10-neuron tail tiles, batch 1. */
const PATH_SHAPES: readonly Shape[] = [
  { batch: 33, nIn: 130, nOut: 17, seed: 1 },
  { batch: 37, nIn: 530, nOut: 260, seed: 2 },
  { batch: 9, nIn: 99, nOut: 1400, seed: 3 },
  { batch: 64, nIn: 1024, nOut: 10, seed: 4 },
  { batch: 1, nIn: 301, nOut: 70, seed: 5 },
];

describe('float32 dense oracle', () => {
  it('the float32 oracle itself lies within the error bound, and differs from the exact sums (so rounding is there)', () => {
    let differs = 0;
    for (const s of PATH_SHAPES.slice(0, 2)) {
      const { ref } = caseOf(s);
      for (const k of KEYS) {
        expect(outside(ref.oracle[k], ref.exact[k]), `${k} ${s.batch}×${s.nIn}→${s.nOut}`).toBeNull();
        differs += ref.oracle[k].filter((v, i) => v !== ref.exact[k].value[i]).length;
      }
    }
    expect(differs).toBeGreaterThan(1000);
  });
});

for (const bc of BACKENDS) {
  /** Builds that sum each dot product in order with a rounding after every operation. */
  const inOrder = !(bc.variant === 'relaxed-simd' || (bc.name === 'rust' && bc.variant === 'simd'));
  describe(`${bc.label} float32 dense kernels`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    const check = (s: Shape): void => {
      const host = hostOf('test', backend);
      const { d, ref } = caseOf(s);
      const got = run(host, s, d);
      const label = `${s.batch}×${s.nIn}→${s.nOut}`;
      for (const k of KEYS) {
        expect(outside(got[k], ref.exact[k]), `${k} ${label}: within the float32 error bound`).toBeNull();
        if (inOrder) expect(firstDiff(got[k], ref.oracle[k]), `${k} ${label}: bits of the float32 oracle`).toBeNull();
      }
    };

    it(`${bc.label} denseForwardF32 / denseBackwardF32 at sizes 1..9 ${inOrder ? 'equal the float32 oracle bit for bit' : 'stay within the float32 error bound'}`, () => {
      fc.assert(
        fc.property(
          fc.record({
            batch: fc.integer({ min: 1, max: 9 }),
            nIn: fc.integer({ min: 1, max: 9 }),
            nOut: fc.integer({ min: 1, max: 9 }),
            seed: fc.nat(),
          }),
          (s) => check(s),
        ),
        { seed: 4243, numRuns: 40 },
      );
    });

    it(`${bc.label} denseForwardF32 / denseBackwardF32 on the SIMD tiles, the packed GEMM, 1024→10 and batch 1`, () => {
      for (const s of PATH_SHAPES) check(s);
    });
  });
}
