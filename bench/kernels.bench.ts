/**
 * The WASM f64 ceiling (peakProbe, per build) and denseForward / denseBackward over the grid (shapes.ts) for every
 * backend row, plus the naive triple-loop denseForward baseline. Every backend's output is verified against the js backend (and js against the naive
 * loops) on every shape BEFORE anything is timed; a backend that fails a kernel anywhere is FAILED for that
 * kernel with no numbers.
 */
import { Bench } from 'tinybench';
import { PROBE_CHAINS, PROBE_CHAINS_F32 } from '../src/abi.js';
import type { Backend, Mat } from '../src/backend.js';
import { hostOf } from '../src/internal/index.js';
import { mulberry32 } from '../src/rng.js';
import { errorMessage, type BackendRow } from './backends.js';
import { KERNEL_OPTS, MIN_SAMPLE_MS } from './env.js';
import { naiveDenseBackward, naiveDenseForward } from './naive.js';
import { batched, fromTask, innerFor, runBench, type Row } from './report.js';
import { SHAPES, flops, isWide, shapeLabel, type Shape } from './shapes.js';

/** Module-level sink: one element of every timed output is read into it after its run. */
export let sink = 0;

export type Kernel = 'denseForward' | 'denseBackward';
export const KERNELS: readonly Kernel[] = ['denseForward', 'denseBackward'];

/** Parity tolerances: a backend vs the js backend, and the js backend vs the naive loops. */
export const TOL = { backend: { rtol: 1e-10, atol: 1e-12 }, naive: { rtol: 1e-12, atol: 1e-12 } } as const;

export interface HostData {
  x: Float64Array;
  w: Float64Array;
  b: Float64Array;
  dz: Float64Array;
}

/** The grid's inputs for one shape (float64; the float32 rows round them on the way in). */
export function hostData(s: Shape): HostData {
  const rand = mulberry32(s.batch * 1_000_003 + s.nIn * 1009 + s.nOut);
  const u = (n: number, scale: number): Float64Array =>
    Float64Array.from({ length: n }, () => (2 * rand() - 1) * scale);
  return {
    x: u(s.batch * s.nIn, 1),
    w: u(s.nOut * s.nIn, 1 / Math.sqrt(s.nIn)),
    b: u(s.nOut, 0.1),
    dz: u(s.batch * s.nOut, 1),
  };
}

interface Mats {
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

function setUp(be: Backend, s: Shape, d: HostData): Mats {
  const m: Mats = {
    be,
    x: be.alloc(s.batch, s.nIn),
    w: be.alloc(s.nOut, s.nIn),
    b: be.alloc(1, s.nOut),
    z: be.alloc(s.batch, s.nOut),
    dz: be.alloc(s.batch, s.nOut),
    dx: be.alloc(s.batch, s.nIn),
    dw: be.alloc(s.nOut, s.nIn),
    db: be.alloc(1, s.nOut),
  };
  be.write(m.x, d.x);
  be.write(m.w, d.w);
  be.write(m.b, d.b);
  be.write(m.dz, d.dz);
  return m;
}

function tearDown(m: Mats): void {
  for (const k of ['x', 'w', 'b', 'z', 'dz', 'dx', 'dw', 'db'] as const) m.be.free(m[k]);
}

/** First element outside |a - r| ≤ atol + rtol·|r|, as a message; null when all agree. */
export function compare(
  what: string,
  got: Float64Array,
  ref: Float64Array,
  tol: { rtol: number; atol: number },
): string | null {
  if (got.length !== ref.length) return `${what}: length ${got.length}, expected ${ref.length}`;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = got[i]!,
      r = ref[i]!;
    const err = Math.abs(a - r);
    if (!(err <= tol.atol + tol.rtol * Math.abs(r))) {
      return `${what}[${i}] = ${a}, expected ${r} (|err| ${err.toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol}·|ref|)`;
    }
    worst = Math.max(worst, err);
  }
  return null;
}

/** One shape's kernel outputs, as float64 (the float32 rows widen theirs exactly). */
export interface Outputs {
  z: Float64Array;
  dx: Float64Array;
  dw: Float64Array;
  db: Float64Array;
}

function runOnce(m: Mats): Outputs {
  m.be.denseForward(m.z, m.x, m.w, m.b);
  m.be.denseBackward(m.dx, m.dw, m.db, m.dz, m.x, m.w);
  return { z: m.be.read(m.z), dx: m.be.read(m.dx), dw: m.be.read(m.dw), db: m.be.read(m.db) };
}

/** Verification failures: row label → kernel → first failure message. */
export type Failures = Map<string, Map<Kernel, string>>;

/** Records the first failure of a row's kernel. */
export function fail(f: Failures, label: string, k: Kernel, msg: string): void {
  let m = f.get(label);
  if (!m) f.set(label, (m = new Map<Kernel, string>()));
  if (!m.has(k)) m.set(k, msg);
}

export function verifyKernels(rows: readonly BackendRow[]): Failures {
  const failures: Failures = new Map();
  const js = rows.find((r) => r.name === 'js')?.backend;
  if (!js) throw new Error('the js backend did not load; nothing to verify against');
  for (const s of SHAPES) {
    const d = hostData(s),
      lbl = shapeLabel(s);
    // naive reference (host arrays)
    const nz = new Float64Array(s.batch * s.nOut),
      ndx = new Float64Array(s.batch * s.nIn);
    const ndw = new Float64Array(s.nOut * s.nIn),
      ndb = new Float64Array(s.nOut);
    naiveDenseForward(nz, d.x, d.w, d.b, s.batch, s.nIn, s.nOut);
    naiveDenseBackward(ndx, ndw, ndb, d.dz, d.x, d.w, s.batch, s.nIn, s.nOut);
    const jm = setUp(js, s, d);
    let ref: Outputs;
    try {
      ref = runOnce(jm);
    } finally {
      tearDown(jm);
    }
    const jf = compare(`js vs naive z ${lbl}`, ref.z, nz, TOL.naive);
    if (jf) fail(failures, 'js', 'denseForward', jf);
    const jb =
      compare(`js vs naive dw ${lbl}`, ref.dw, ndw, TOL.naive) ??
      compare(`js vs naive db ${lbl}`, ref.db, ndb, TOL.naive) ??
      compare(`js vs naive dx ${lbl}`, ref.dx, ndx, TOL.naive);
    if (jb) fail(failures, 'js', 'denseBackward', jb);
    for (const row of rows) {
      if (!row.backend || row.name === 'js') continue;
      let m: Mats | null = null;
      try {
        m = setUp(row.backend, s, d);
        const o = runOnce(m);
        const f = compare(`z ${lbl}`, o.z, ref.z, TOL.backend);
        if (f) fail(failures, row.label, 'denseForward', f);
        const b =
          compare(`dw ${lbl}`, o.dw, ref.dw, TOL.backend) ??
          compare(`db ${lbl}`, o.db, ref.db, TOL.backend) ??
          compare(`dx ${lbl}`, o.dx, ref.dx, TOL.backend);
        if (b) fail(failures, row.label, 'denseBackward', b);
      } catch (e) {
        fail(failures, row.label, 'denseForward', `threw on ${lbl}: ${errorMessage(e)}`);
        fail(failures, row.label, 'denseBackward', `threw on ${lbl}: ${errorMessage(e)}`);
      } finally {
        if (m) tearDown(m);
      }
    }
  }
  return failures;
}

/** A kernel row's task name; the float32 rows (kernels-f32.bench.ts) say so after the kernel. */
export const kernelTaskName = (
  k: Kernel | 'naive denseForward',
  s: Shape,
  label: string,
  dtype: 'float64' | 'float32' = 'float64',
): string =>
  `${k === 'naive denseForward' ? 'denseForward' : k}${dtype === 'float32' ? ' float32' : ''} ${shapeLabel(s)} [${label}]`;

/** Times the grid. Rows that failed to load or verify come back FAILED with the reason and no numbers. */
export async function benchKernels(
  rows: readonly BackendRow[],
  failures: Failures,
  log: (s: string) => void,
): Promise<Row[]> {
  const out: Row[] = [];
  for (const s of SHAPES) {
    const d = hostData(s);
    for (const k of KERNELS) {
      const bench = new Bench({ name: `${k} ${shapeLabel(s)}`, ...KERNEL_OPTS });
      const pending: { row: Row; mats: Mats | null; inner: number }[] = [];
      const live: Mats[] = [];
      const ordered: (Row | string)[] = []; // rows in backend order; a string is a pending task name
      for (const r of rows) {
        const row: Row = {
          group: k,
          name: kernelTaskName(k, s, r.label),
          backend: r.label,
          variant: r.variant,
          status: 'ok',
        };
        if (r.duplicateOf) continue;
        const vf = failures.get(r.label)?.get(k);
        if (!r.backend || r.error || vf) {
          ordered.push({ ...row, status: 'FAILED', error: r.error ?? vf ?? 'did not load' });
          continue;
        }
        const m = setUp(r.backend, s, d);
        live.push(m);
        const fn =
          k === 'denseForward'
            ? () => m.be.denseForward(m.z, m.x, m.w, m.b)
            : () => m.be.denseBackward(m.dx, m.dw, m.db, m.dz, m.x, m.w);
        const inner = innerFor(fn, MIN_SAMPLE_MS);
        bench.add(row.name, batched(bench.now, fn, inner), { async: false });
        pending.push({ row: { ...row, inner }, mats: m, inner });
        ordered.push(row.name);
      }
      // the naive baseline (forward only; verified on every shape, timed where its ratio is a target's or the
      // grid's small layers: at the wide shapes it would add ~10 s to the run): host Float64Arrays
      if (k === 'denseForward' && !isWide(s)) {
        const z = new Float64Array(s.batch * s.nOut);
        const fn = (): void => naiveDenseForward(z, d.x, d.w, d.b, s.batch, s.nIn, s.nOut);
        const inner = innerFor(fn, MIN_SAMPLE_MS);
        const name = kernelTaskName('naive denseForward', s, 'naive js');
        bench.add(name, batched(bench.now, fn, inner), { async: false });
        pending.push({
          row: { group: k, name, backend: 'naive js', variant: null, status: 'ok', inner },
          mats: null,
          inner,
        });
        ordered.push(name);
        bench.addEventListener('complete', () => {
          sink += z[0]!;
        });
      }
      log(`  ${k} ${shapeLabel(s)}: ${pending.length} tasks`);
      const tasks = await runBench(bench);
      const done = new Map<string, Row>();
      for (const p of pending) {
        const r = fromTask(p.row, tasks.get(p.row.name));
        if (r.medianMs) r.gflops = flops(k, s) / (r.medianMs * 1e6);
        if (p.mats) sink += p.mats.be.read(k === 'denseForward' ? p.mats.z : p.mats.dw)[0]!;
        done.set(r.name, r);
      }
      for (const o of ordered) out.push(typeof o === 'string' ? done.get(o)! : o);
      for (const m of live) tearDown(m);
    }
  }
  return out;
}

// =====================================================================================================
// The ceiling: peakProbe (src/abi.ts), 24 independent multiply-add chains in registers, per build
// =====================================================================================================

/** Multiply-add updates per chain in one timed peakProbe call (~0.2 ms in the relaxed build, ~0.6 ms scalar). */
export const PROBE_ITERATIONS = 100_000;
/** The timed call's operands: m = 1 and a tiny power of two, so the chains neither overflow nor stall. */
const PROBE_M = 1,
  PROBE_C = 2 ** -30;

/** flops of one peakProbe call: 2 (multiply and add) per chain per iteration; a chain is one f64 lane. */
export const probeFlops = (iterations: number): number => 2 * PROBE_CHAINS * iterations;

/** peakProbe's definition one chain at a time (src/abi.ts), to verify every build before it is timed. */
export function probeReference(iterations: number, m: number, c: number): number {
  let t = 0;
  for (let i = 0; i < PROBE_CHAINS; i++) {
    let v = i;
    for (let n = 0; n < iterations; n++) v = v * m + c;
    t += v;
  }
  return t;
}

/** flops of one peakProbeF32 call: 2 per float32 chain per iteration (PROBE_CHAINS_F32 chains, 12 f32x4 accumulators). */
export const probeFlopsF32 = (iterations: number): number => 2 * PROBE_CHAINS_F32 * iterations;

/** peakProbeF32's definition one chain at a time (src/abi.ts): every operation rounded to float32, the sum in f64. */
export function probeReferenceF32(iterations: number, m: number, c: number): number {
  const f = Math.fround,
    m32 = f(m),
    c32 = f(c);
  let t = 0;
  for (let i = 0; i < PROBE_CHAINS_F32; i++) {
    let v = i;
    for (let n = 0; n < iterations; n++) v = f(f(v * m32) + c32);
    t += v;
  }
  return t;
}

/** What the probe's multiply-add is in a build (the instruction the ceiling is a ceiling of). */
export function probeWhat(variant: string | null, dtype: 'float64' | 'float32' = 'float64'): string {
  const [v, s] = dtype === 'float32' ? ['f32x4', 'f32'] : ['f64x2', 'f64'];
  if (variant === 'relaxed-simd') return `${v}.relaxed_madd`;
  if (variant === 'simd') return `${v}.mul + ${v}.add`;
  return `scalar ${s} mul + add`;
}

/**
 * Times peakProbe (dtype 'float32': peakProbeF32) on every loaded build (verified first: two exact cases must equal
 * the per-chain definition bit for bit, or the row is FAILED). Rows: group 'ceiling' ('ceiling float32'),
 * gflops = the build's measured ceiling.
 */
export async function benchCeiling(
  rows: readonly BackendRow[],
  log: (s: string) => void,
  pass: string,
  dtype: 'float64' | 'float32' = 'float64',
): Promise<Row[]> {
  const f32 = dtype === 'float32';
  const probe = f32 ? 'peakProbeF32' : 'peakProbe';
  const chains = f32 ? PROBE_CHAINS_F32 : PROBE_CHAINS;
  const reference = f32 ? probeReferenceF32 : probeReference;
  const flopsOf = f32 ? probeFlopsF32 : probeFlops;
  const bench = new Bench({ name: `${probe} ${pass}`, ...KERNEL_OPTS });
  const ordered: (Row | string)[] = [];
  const pending: Row[] = [];
  for (const r of rows) {
    if (r.duplicateOf) continue;
    const row: Row = {
      group: f32 ? 'ceiling float32' : 'ceiling',
      name: `${probe} ${chains} chains ${pass} [${r.label}]`,
      backend: r.label,
      variant: r.variant,
      status: 'ok',
      note: probeWhat(r.variant, dtype),
    };
    if (!r.backend || r.error) {
      ordered.push({ ...row, status: 'FAILED', error: r.error ?? 'did not load' });
      continue;
    }
    const raw = hostOf('bench', r.backend).raw;
    const cases: [number, number, number][] = [
      [1000, 0.5, 0.75],
      [1000, 1, 2 ** -10],
    ];
    const call = f32 ? raw.peakProbeF32.bind(raw) : raw.peakProbe.bind(raw);
    const bad = cases.find(([n, m, c]) => !Object.is(call(n, m, c), reference(n, m, c)));
    if (bad) {
      const [n, m, c] = bad;
      ordered.push({
        ...row,
        status: 'FAILED',
        error: `${probe}(${n}, ${m}, ${c}) = ${call(n, m, c)}, the definition gives ${reference(n, m, c)}`,
      });
      continue;
    }
    const fn = (): void => {
      sink += call(PROBE_ITERATIONS, PROBE_M, PROBE_C);
    };
    const inner = innerFor(fn, MIN_SAMPLE_MS);
    bench.add(row.name, batched(bench.now, fn, inner), { async: false });
    pending.push({ ...row, inner });
    ordered.push(row.name);
  }
  log(`  ${probe} ${pass}: ${pending.length} builds`);
  const tasks = await runBench(bench);
  const done = new Map(
    pending.map((p) => {
      const r = fromTask(p, tasks.get(p.name));
      if (r.medianMs) r.gflops = flopsOf(PROBE_ITERATIONS) / (r.medianMs * 1e6);
      return [r.name, r] as const;
    }),
  );
  return ordered.map((o) => (typeof o === 'string' ? done.get(o)! : o));
}

/** A build's ceiling: the higher of its probe rows (measured before and after the kernel grid), or null. */
export function ceilingOf(ceilingRows: readonly Row[], label: string): number | null {
  const own = label === 'naive js' ? 'js' : label; // the naive loops are plain JS: the js build's ceiling
  const v = ceilingRows.filter((r) => r.backend === own && r.status === 'ok' && r.gflops).map((r) => r.gflops!);
  return v.length ? Math.max(...v) : null;
}

/** Sets `ofCeiling` (GFLOP/s ÷ the row's own build's ceiling) on every kernel row with a result. */
export function annotateCeiling(kernelRows: Row[], ceilingRows: readonly Row[]): void {
  for (const r of kernelRows) {
    const c = ceilingOf(ceilingRows, r.backend);
    if (r.status === 'ok' && r.gflops && c) r.ofCeiling = r.gflops / c;
  }
}
