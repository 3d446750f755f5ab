/**
 * Narrow before/after measurement of the dense kernels on wide layers (docs/benchmarks.md "Blocking for wide layers",
 * "float32 GEMM (measured)"). Loads each SIMD build twice when OLD=<dir> holds an earlier build's .wasm files
 * (as-simd.wasm, as-relaxed.wasm, fastnn-simd.wasm): old and new run interleaved in one process, and each row prints
 * its median GFLOP/s as a fraction of the same build's ceiling probe, per product: the forward pass, dw and db alone
 * (denseBackward with dx = 0), dx (the whole backward's time minus that) and the whole backward pass.
 * DTYPE=float32 times denseForwardF32 / denseBackwardF32 against peakProbeF32 instead of the float64 kernels.
 * Usage: node --experimental-wasm-relaxed-simd --import tsx scripts/wide-gemm.ts [OLD=/tmp/old] [ROUNDS=7]
 *   [DTYPE=float32] [SHAPES=64x1024x1024,...] [ONLY=as-simd.wasm,...] [ABS=1]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, BackendName, BackendVariant } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { hostOf, type KernelHost } from '../src/internal/index.js';
import { mulberry32 } from '../src/rng.js';
import { probeWasmFeatures } from '../bench/env.js';
import { median } from '../bench/stats.js';

probeWasmFeatures(); // Node 20: V8's relaxed-SIMD flag, before any module compiles

const OLD = process.env.OLD;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SHAPES = (
  process.env.SHAPES ??
  '64x784x1024,64x1024x1024,64x1024x10,256x784x1024,256x1024x1024,256x1024x10,32x784x128,256x784x128,32x128x64,32x16x16,1x784x128'
)
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number]);
interface Build {
  name: BackendName;
  variant: BackendVariant;
  file: string;
}
const BUILDS: Build[] = (
  [
    { name: 'assemblyscript', variant: 'simd', file: 'as-simd.wasm' },
    { name: 'assemblyscript', variant: 'relaxed-simd', file: 'as-relaxed.wasm' },
    { name: 'rust', variant: 'simd', file: 'fastnn-simd.wasm' },
  ] satisfies Build[]
).filter((b) => !process.env.ONLY || process.env.ONLY.split(',').includes(b.file));

let sink = 0;

/** The element type measured: the float64 kernels (denseForward / denseBackward) or the float32 ones (…F32). */
const DTYPE = process.env.DTYPE ?? 'float64';
if (DTYPE !== 'float64' && DTYPE !== 'float32')
  throw new Error(`DTYPE: expected float64 or float32, received ${DTYPE}`);
const F32 = DTYPE === 'float32';
const E = F32 ? 4 : 8;

/** The timed products: forward, dw and db alone (dx = 0), the whole backward pass (dw, db and dx). */
const KINDS = ['fwd', 'dw', 'bwd'] as const;
type Kind = (typeof KINDS)[number];

interface Case {
  host: KernelHost;
  x: number;
  w: number;
  b: number;
  z: number;
  dz: number;
  dx: number;
  dw: number;
  db: number;
}
function setUp(be: Backend, [batch, nIn, nOut]: [number, number, number]): Case {
  const host = hostOf('wide-gemm', be);
  const rand = mulberry32(batch * 7 + nIn * 13 + nOut);
  const alloc = (n: number, fill: boolean): number => {
    const p = host.allocBytes(n * E);
    if (fill) {
      const v = F32 ? host.f32() : host.f64();
      for (let i = 0; i < n; i++) v[p / E + i] = 2 * rand() - 1;
    }
    return p;
  };
  return {
    host,
    x: alloc(batch * nIn, true),
    w: alloc(nOut * nIn, true),
    b: alloc(nOut, true),
    z: alloc(batch * nOut, false),
    dz: alloc(batch * nOut, true),
    dx: alloc(batch * nIn, false),
    dw: alloc(nOut * nIn, false),
    db: alloc(nOut, false),
  };
}
function free(c: Case): void {
  for (const k of ['x', 'w', 'b', 'z', 'dz', 'dx', 'dw', 'db'] as const) c.host.freeBytes(c[k]);
}
function run(c: Case, [batch, nIn, nOut]: [number, number, number], kind: Kind): void {
  const r = c.host.raw;
  const dx = kind === 'bwd' ? c.dx : 0;
  if (kind === 'fwd') {
    if (F32) r.denseForwardF32(c.z, c.x, c.w, c.b, batch, nIn, nOut);
    else r.denseForward(c.z, c.x, c.w, c.b, batch, nIn, nOut);
  } else if (F32) r.denseBackwardF32(dx, c.dw, c.db, c.dz, c.x, c.w, batch, nIn, nOut);
  else r.denseBackward(dx, c.dw, c.db, c.dz, c.x, c.w, batch, nIn, nOut);
}
function read(c: Case, p: number, n: number): Float64Array {
  return Float64Array.from((F32 ? c.host.f32() : c.host.f64()).subarray(p / E, p / E + n));
}

/**
 * The clock: this process's user CPU time (ms), not wall time. The machine is shared (load averages of 10-20 on 2
 * cores while this was written), and CPU time leaves out the slices the scheduler gives to other processes.
 */
const cpuMs = (): number => process.cpuUsage().user / 1000;
/** Calls of fn per timed sample so that one sample takes ~8 ms of CPU. */
function calibrate(fn: () => void): number {
  let inner = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < inner; i++) fn();
    if (cpuMs() - t0 > 8) return inner;
    inner *= 2;
  }
}
function sample(fn: () => void, inner: number): number {
  const t0 = cpuMs();
  for (let i = 0; i < inner; i++) fn();
  return (cpuMs() - t0) / inner;
}

interface Stat {
  frac: number[];
  gflops: number[];
  probe: number[];
  best: number;
  probeBest: number;
}

async function main(): Promise<void> {
  const sets: { label: string; be: Backend }[] = [];
  for (const b of BUILDS) {
    if (OLD)
      sets.push({
        label: `${b.name}:${b.variant} old`,
        be: await loadBackend(b.name, { variant: b.variant, wasm: readFileSync(join(OLD, b.file)) }),
      });
    sets.push({ label: `${b.name}:${b.variant} new`, be: await loadBackend(b.name, { variant: b.variant }) });
  }
  const stats = new Map<string, Stat>();
  const PROBE_IT = 50_000,
    probeFlops = 2 * (F32 ? 48 : 24) * PROBE_IT;
  for (const shape of SHAPES) {
    const [batch, nIn, nOut] = shape;
    const mac = batch * nIn * nOut;
    const cases = sets.map((s) => ({ s, c: setUp(s.be, shape) }));
    // old and new of one build must agree bit for bit (same summation order)
    const ref = new Map<string, Float64Array[]>();
    for (const { s, c } of cases) {
      run(c, shape, 'fwd');
      run(c, shape, 'bwd');
      const out = [
        read(c, c.z, batch * nOut),
        read(c, c.dx, batch * nIn),
        read(c, c.dw, nOut * nIn),
        read(c, c.db, nOut),
      ];
      // dw and db alone (dx = 0) must equal the whole backward pass's
      run(c, shape, 'dw');
      const dw1 = read(c, c.dw, nOut * nIn);
      for (let k = 0; k < dw1.length; k++)
        if (!Object.is(dw1[k], out[2]![k])) throw new Error(`${s.label} ${shape.join(',')}: dw alone differs at ${k}`);
      const fam = s.label.replace(/ (old|new)$/, '');
      const other = ref.get(fam);
      if (other)
        other.forEach((a, i) => {
          const o = out[i]!;
          for (let k = 0; k < a.length; k++)
            if (!process.env.NOCHECK && !Object.is(a[k], o[k]))
              throw new Error(
                `${fam} ${shape.join(',')}: old and new differ in output ${i} at ${k}: ${a[k]} vs ${o[k]}`,
              );
        });
      else ref.set(fam, out);
    }
    const fns = cases.map(({ s, c }) => {
      const raw = c.host.raw;
      const probe = F32
        ? (): void => {
            sink += raw.peakProbeF32(PROBE_IT, 1, 2 ** -30);
          }
        : (): void => {
            sink += raw.peakProbe(PROBE_IT, 1, 2 ** -30);
          };
      const k = Object.fromEntries(KINDS.map((kind) => [kind, (): void => run(c, shape, kind)])) as Record<
        Kind,
        () => void
      >;
      const inner = Object.fromEntries(KINDS.map((kind) => [kind, calibrate(k[kind])])) as Record<Kind, number>;
      return { s, probe, k, inner, ip: calibrate(probe) };
    });
    // interleaved: per round, per build, probe then kernel; a sample's fraction = kernel GFLOP/s ÷ the probe's just
    // before. 'dx' = the whole backward's time minus dw's (same round), as 2·mac flops.
    for (let round = 0; round < ROUNDS; round++) {
      for (const f of fns) {
        const t: Partial<Record<Kind, number>> = {};
        let gpSum = 0;
        for (const kind of KINDS) {
          const tp = sample(f.probe, f.ip);
          const tk = sample(f.k[kind], f.inner[kind]);
          t[kind] = tk;
          const g = ((kind === 'bwd' ? 4 : 2) * mac) / (tk * 1e6),
            gp = probeFlops / (tp * 1e6);
          gpSum += gp;
          push(`${f.s.label}|${batch}x${nIn}x${nOut}|${kind}`, g, gp);
        }
        const tdx = t.bwd! - t.dw!;
        if (tdx > 0) push(`${f.s.label}|${batch}x${nIn}x${nOut}|dx`, (2 * mac) / (tdx * 1e6), gpSum / KINDS.length);
      }
    }
    for (const { c } of cases) free(c);
  }
  function push(key: string, g: number, gp: number): void {
    const st = stats.get(key) ?? { frac: [], gflops: [], probe: [], best: 0, probeBest: 0 };
    st.frac.push(g / gp);
    st.gflops.push(g);
    st.probe.push(gp);
    st.best = Math.max(st.best, g);
    st.probeBest = Math.max(st.probeBest, gp);
    stats.set(key, st);
  }
  console.log(
    `${DTYPE}, ${ROUNDS} interleaved rounds. Cell: median over rounds of (kernel GFLOP/s ÷ the same build's ${F32 ? 'peakProbeF32' : 'peakProbe'} GFLOP/s timed just before it); [best kernel GFLOP/s ÷ best probe GFLOP/s]. dw: dx = 0; dx: (dw+dx) − dw time; bwd: dw+dx`,
  );
  const cols = ['fwd', 'dw', 'dx', 'bwd'] as const;
  for (const kind of cols) {
    console.log([`${kind}: shape`, ...sets.map((s) => s.label)].join(' | '));
    for (const [batch, nIn, nOut] of SHAPES) {
      const cells = sets.map((s) => {
        const st = stats.get(`${s.label}|${batch}x${nIn}x${nOut}|${kind}`);
        if (!st) return '-';
        const cell = `${median(st.frac).toFixed(2)} [${(st.best / st.probeBest).toFixed(2)}]`;
        // ABS=1: also the medians of the kernel's and the probe's GFLOP/s
        return process.env.ABS ? `${cell} ${median(st.gflops).toFixed(1)}/${median(st.probe).toFixed(1)} GF` : cell;
      });
      console.log([`B=${batch} ${nIn}→${nOut}`, ...cells].join(' | '));
    }
  }
  if (sink === 42) console.log('');
}
void main();
