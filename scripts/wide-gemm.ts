/**
 * Narrow before/after measurement of the dense kernels on wide layers (docs/benchmarks.md "Blocking for wide layers").
 * Loads each SIMD build twice when OLD=<dir> holds an earlier build's .wasm files (as-simd.wasm, as-relaxed.wasm,
 * fastnn-simd.wasm): old and new run interleaved in one process, and each row prints its median GFLOP/s as a fraction
 * of the same build's peakProbe. Usage: npx tsx scripts/wide-gemm.ts [OLD=/tmp/old] [ROUNDS=7]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, BackendName, BackendVariant, Mat } from '../src/backend.js';
import { loadBackend } from '../src/backends/index.js';
import { hostOf } from '../src/internal/index.js';
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

interface Case {
  be: Backend;
  x: Mat;
  w: Mat;
  b: Mat;
  z: Mat;
  dz: Mat;
  dx: Mat;
  dw: Mat;
  db: Mat;
}
function setUp(be: Backend, [batch, nIn, nOut]: [number, number, number]): Case {
  const rand = mulberry32(batch * 7 + nIn * 13 + nOut);
  const u = (n: number): Float64Array => Float64Array.from({ length: n }, () => 2 * rand() - 1);
  const c: Case = {
    be,
    x: be.alloc(batch, nIn),
    w: be.alloc(nOut, nIn),
    b: be.alloc(1, nOut),
    z: be.alloc(batch, nOut),
    dz: be.alloc(batch, nOut),
    dx: be.alloc(batch, nIn),
    dw: be.alloc(nOut, nIn),
    db: be.alloc(1, nOut),
  };
  be.write(c.x, u(batch * nIn));
  be.write(c.w, u(nOut * nIn));
  be.write(c.b, u(nOut));
  be.write(c.dz, u(batch * nOut));
  return c;
}
function free(c: Case): void {
  for (const k of ['x', 'w', 'b', 'z', 'dz', 'dx', 'dw', 'db'] as const) c.be.free(c[k]);
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
    probeFlops = 2 * 24 * PROBE_IT;
  for (const shape of SHAPES) {
    const [batch, nIn, nOut] = shape;
    const mac = batch * nIn * nOut;
    const cases = sets.map((s) => ({ s, c: setUp(s.be, shape), raw: hostOf('wide-gemm', s.be).raw }));
    // old and new of one build must agree bit for bit (same summation order)
    const ref = new Map<string, Float64Array[]>();
    for (const { s, c } of cases) {
      c.be.denseForward(c.z, c.x, c.w, c.b);
      c.be.denseBackward(c.dx, c.dw, c.db, c.dz, c.x, c.w);
      const out = [c.be.read(c.z), c.be.read(c.dx), c.be.read(c.dw), c.be.read(c.db)];
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
    const fns = cases.map(({ s, c, raw }) => {
      const probe = (): void => {
        sink += raw.peakProbe(PROBE_IT, 1, 2 ** -30);
      };
      const fwd = (): void => c.be.denseForward(c.z, c.x, c.w, c.b);
      const bwd = (): void => c.be.denseBackward(c.dx, c.dw, c.db, c.dz, c.x, c.w);
      return { s, probe, fwd, bwd, ip: calibrate(probe), inf: calibrate(fwd), inb: calibrate(bwd) };
    });
    // interleaved: per round, per build, probe then kernel; a sample's fraction = kernel GFLOP/s ÷ the probe's just before
    for (let round = 0; round < ROUNDS; round++) {
      for (const f of fns) {
        for (const kind of ['fwd', 'bwd'] as const) {
          const tp = sample(f.probe, f.ip);
          const tk = sample(kind === 'fwd' ? f.fwd : f.bwd, kind === 'fwd' ? f.inf : f.inb);
          const g = ((kind === 'fwd' ? 2 : 4) * mac) / (tk * 1e6),
            gp = probeFlops / (tp * 1e6);
          const key = `${f.s.label}|${batch}x${nIn}x${nOut}|${kind}`;
          const st = stats.get(key) ?? { frac: [], best: 0, probeBest: 0 };
          st.frac.push(g / gp);
          st.best = Math.max(st.best, g);
          st.probeBest = Math.max(st.probeBest, gp);
          stats.set(key, st);
        }
      }
    }
    for (const { c } of cases) free(c);
  }
  console.log(
    `${ROUNDS} interleaved rounds. Cell: median over rounds of (kernel GFLOP/s ÷ the same build's peakProbe GFLOP/s timed just before it); [best kernel GFLOP/s ÷ best probe GFLOP/s]`,
  );
  console.log(['shape', ...sets.map((s) => `${s.label} fwd`), ...sets.map((s) => `${s.label} bwd`)].join(' | '));
  for (const [batch, nIn, nOut] of SHAPES) {
    const cells: string[] = [];
    for (const kind of ['fwd', 'bwd'] as const)
      for (const s of sets) {
        const st = stats.get(`${s.label}|${batch}x${nIn}x${nOut}|${kind}`)!;
        cells.push(`${median(st.frac).toFixed(2)} [${(st.best / st.probeBest).toFixed(2)}]`);
      }
    console.log([`B=${batch} ${nIn}→${nOut}`, ...cells].join(' | '));
  }
  if (sink === 42) console.log('');
}
void main();
