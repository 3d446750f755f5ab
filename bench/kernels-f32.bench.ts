/**
 * The float32 GEMM rows: denseForwardF32 / denseBackwardF32 (src/abi.ts, the kernels a float32 network runs) at the
 * target shape and the wide network's layers, on every build, for the float32 ceiling target. Every build's
 * outputs are verified against the js build's float32 kernels on every shape BEFORE anything is timed (within
 * TOL_F32: the relaxed build fuses and Rust's SIMD build sums lane-wise, so only the other builds match js bit for
 * bit; test/kernels-f32.test.ts holds every build to the float32 oracle). A build that fails is FAILED for that
 * kernel, with no numbers.
 */
import { Bench } from 'tinybench';
import type { Backend } from '../src/backend.js';
import { hostOf, type KernelHost } from '../src/internal/index.js';
import { errorMessage, type BackendRow } from './backends.js';
import { KERNEL_OPTS, MIN_SAMPLE_MS } from './env.js';
import {
  KERNELS,
  compare,
  fail,
  hostData,
  kernelTaskName,
  type Failures,
  type Kernel,
  type Outputs,
} from './kernels.bench.js';
import { batched, fromTask, innerFor, runBench, type Row } from './report.js';
import { TARGET_SHAPE, WIDE_BATCHES, WIDE_LAYERS, flops, isWide, shapeLabel, type Shape } from './shapes.js';

/** Module-level sink: one element of every timed output is read into it after its run. */
export let sinkF32 = 0;

/** The float32 grid: the float64 target shape and the wide network's layers at batch 64 and 256. */
export const F32_SHAPES: readonly Shape[] = [
  TARGET_SHAPE,
  ...WIDE_LAYERS.flatMap(([nIn, nOut]) => WIDE_BATCHES.map((batch) => ({ batch, nIn, nOut }))),
];

/**
 * A build vs the js build in float32. Each output is a dot product of at most 1024 float32 terms of size ≤ 1; the
 * orders differ in the last places of the partial sums (measured on these shapes: at most 9e-6 on outputs up to 30
 * in size, relaxed and Rust SIMD against js), a wrong index by the size of a term.
 */
export const TOL_F32 = { rtol: 1e-4, atol: 1e-4 } as const;

export const groupF32 = (k: Kernel): string => `${k} float32`;

/**
 * Builds whose wide float32 rows are timed: the SIMD builds (the float32 ceiling target's). js and the scalar builds are
 * verified on every shape and timed at 784→128 only: their wide rows would add ~40 s to the run.
 */
export const timedWideF32 = (r: BackendRow): boolean => r.name !== 'js' && r.variant !== null && r.variant !== 'scalar';

/** The float32 blocks of one shape in a build's memory. */
interface Blocks {
  host: KernelHost;
  x: number;
  w: number;
  b: number;
  dz: number;
  z: number;
  dx: number;
  dw: number;
  db: number;
}

function setUp(be: Backend, s: Shape): Blocks {
  const host = hostOf('bench', be);
  const d = hostData(s);
  const alloc = (n: number, v?: Float64Array): number => {
    const p = host.allocBytes(n * 4);
    if (v) host.f32().set(v, p >> 2); // rounded to float32, as a float32 network's inputs are
    return p;
  };
  return {
    host,
    x: alloc(s.batch * s.nIn, d.x),
    w: alloc(s.nOut * s.nIn, d.w),
    b: alloc(s.nOut, d.b),
    dz: alloc(s.batch * s.nOut, d.dz),
    z: alloc(s.batch * s.nOut),
    dx: alloc(s.batch * s.nIn),
    dw: alloc(s.nOut * s.nIn),
    db: alloc(s.nOut),
  };
}

function tearDown(m: Blocks): void {
  for (const k of ['x', 'w', 'b', 'dz', 'z', 'dx', 'dw', 'db'] as const) m.host.freeBytes(m[k]);
}

const call = (m: Blocks, s: Shape, k: Kernel): void =>
  k === 'denseForward'
    ? m.host.raw.denseForwardF32(m.z, m.x, m.w, m.b, s.batch, s.nIn, s.nOut)
    : m.host.raw.denseBackwardF32(m.dx, m.dw, m.db, m.dz, m.x, m.w, s.batch, s.nIn, s.nOut);

const read = (m: Blocks, p: number, n: number): Float64Array =>
  Float64Array.from(m.host.f32().subarray(p >> 2, (p >> 2) + n));

function runOnce(m: Blocks, s: Shape): Outputs {
  call(m, s, 'denseForward');
  call(m, s, 'denseBackward');
  return {
    z: read(m, m.z, s.batch * s.nOut),
    dx: read(m, m.dx, s.batch * s.nIn),
    dw: read(m, m.dw, s.nOut * s.nIn),
    db: read(m, m.db, s.nOut),
  };
}

/** Verifies every build's float32 kernels against the js build's on every shape; failures as verifyKernels's. */
export function verifyKernelsF32(rows: readonly BackendRow[]): Failures {
  const failures: Failures = new Map();
  const js = rows.find((r) => r.name === 'js')?.backend;
  if (!js) throw new Error('the js backend did not load; nothing to verify the float32 kernels against');
  for (const s of F32_SHAPES) {
    const lbl = shapeLabel(s);
    const jm = setUp(js, s);
    let ref: Outputs;
    try {
      ref = runOnce(jm, s);
    } finally {
      tearDown(jm);
    }
    for (const row of rows) {
      if (!row.backend || row.name === 'js' || row.duplicateOf) continue;
      let m: Blocks | null = null;
      try {
        m = setUp(row.backend, s);
        const o = runOnce(m, s);
        const f = compare(`float32 z ${lbl}`, o.z, ref.z, TOL_F32);
        if (f) fail(failures, row.label, 'denseForward', f);
        const b =
          compare(`float32 dw ${lbl}`, o.dw, ref.dw, TOL_F32) ??
          compare(`float32 db ${lbl}`, o.db, ref.db, TOL_F32) ??
          compare(`float32 dx ${lbl}`, o.dx, ref.dx, TOL_F32);
        if (b) fail(failures, row.label, 'denseBackward', b);
      } catch (e) {
        for (const k of KERNELS) fail(failures, row.label, k, `threw on ${lbl}: ${errorMessage(e)}`);
      } finally {
        if (m) tearDown(m);
      }
    }
  }
  return failures;
}

/** Times the float32 grid. Rows that failed to load or verify come back FAILED with the reason and no numbers. */
export async function benchKernelsF32(
  rows: readonly BackendRow[],
  failures: Failures,
  log: (s: string) => void,
): Promise<Row[]> {
  const out: Row[] = [];
  for (const s of F32_SHAPES) {
    for (const k of KERNELS) {
      const bench = new Bench({ name: `${k} float32 ${shapeLabel(s)}`, ...KERNEL_OPTS });
      const pending: { row: Row; blocks: Blocks }[] = [];
      const ordered: (Row | string)[] = [];
      for (const r of rows) {
        if (r.duplicateOf || (isWide(s) && !timedWideF32(r))) continue;
        const row: Row = {
          group: groupF32(k),
          name: kernelTaskName(k, s, r.label, 'float32'),
          backend: r.label,
          variant: r.variant,
          status: 'ok',
        };
        const vf = failures.get(r.label)?.get(k);
        if (!r.backend || r.error || vf) {
          ordered.push({ ...row, status: 'FAILED', error: r.error ?? vf ?? 'did not load' });
          continue;
        }
        const m = setUp(r.backend, s);
        const fn = (): void => call(m, s, k);
        const inner = innerFor(fn, MIN_SAMPLE_MS);
        bench.add(row.name, batched(bench.now, fn, inner), { async: false });
        pending.push({ row: { ...row, inner }, blocks: m });
        ordered.push(row.name);
      }
      log(`  ${k} float32 ${shapeLabel(s)}: ${pending.length} tasks`);
      const tasks = await runBench(bench);
      const done = new Map<string, Row>();
      for (const p of pending) {
        const r = fromTask(p.row, tasks.get(p.row.name));
        if (r.medianMs) r.gflops = flops(k, s) / (r.medianMs * 1e6);
        const m = p.blocks;
        sinkF32 += m.host.f32()[(k === 'denseForward' ? m.z : m.dw) >> 2]!;
        done.set(r.name, r);
        tearDown(m);
      }
      for (const o of ordered) out.push(typeof o === 'string' ? done.get(o)! : o);
    }
  }
  return out;
}
